/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "cli-common.h"
#include "cli-register.h"
#include "mt-follow-up.h"
#include "mt-nifti.h"
#include "mt-segment-tasks.h"
#include "mt-segmentation.h"
#include "mt-progress.h"
#include "mt-register.h"
#include "mt-series.h"
#include "mt-transform.h"
#include "mt-volume.h"

static void
add_numbers (JsonBuilder *b, const char *name, const double *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

/* The pairs of a landmark CSV: six numbers a line (commas or spaces),
 * '#' comments and a header line of names allowed; NULL and a message
 * naming the line otherwise. */
static GArray *
read_pairs (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      char *l = g_strstrip (lines[i]);
      if (*l == '\0' || *l == '#')
        continue;
      double v[6];
      int n = 0;
      const char *p = l;
      while (n < 7)
        {
          while (*p == ' ' || *p == ',' || *p == '\t' || *p == ';')
            p++;
          if (*p == '\0')
            break;
          char *end;
          double x = g_ascii_strtod (p, &end);
          if (end == p || !isfinite (x))
            {
              n = -1;
              break;
            }
          if (n < 6)
            v[n] = x;
          n++;
          p = end;
        }
      /* A header of names on the first line. */
      if (n < 0 && pairs->len == 0 && g_ascii_isalpha (*l))
        continue;
      if (n != 6)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s, line %d: expected six numbers (fixed x, y, z, then moving x, y, z in mm): \"%s\""),
                       path, i + 1, l);
          return NULL;
        }
      g_array_append_vals (pairs, v, 6);
    }
  return g_steal_pointer (&pairs);
}

static int
register_landmarks (const char *fixed_path, const char *moving_path, const char *csv, const char *type,
                    const char *out, const char *resampled, gboolean json)
{
  static const char *const models[] = { "rigid", "similarity", "affine" };
  int model = -1;
  for (int m = 0; m < 3; m++)
    if (g_str_equal (type, models[m]))
      model = m;
  if (model < 0)
    {
      g_printerr (_("medtwin-cli: landmarks fit a rigid, similarity or affine transform, not %s.\n"), type);
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) pairs = read_pairs (csv, &error);
  int n = pairs ? (int) (pairs->len / 6) : 0;
  g_autofree double *fixed = g_new (double, 3 * MAX (n, 1)), *moving = g_new (double, 3 * MAX (n, 1));
  for (int i = 0; i < n; i++)
    for (int a = 0; a < 3; a++)
      {
        fixed[3 * i + a] = g_array_index (pairs, double, 6 * i + a);
        moving[3 * i + a] = g_array_index (pairs, double, 6 * i + 3 + a);
      }
  g_autoptr (MtTransform) t = pairs ? mt_register_landmarks (fixed, moving, n, (MtLandmarkModel) model, &error) : NULL;
  if (t == NULL || !mt_transform_write_itk (t, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  /* How far each pair stays apart after the fit (fiducial registration error). */
  g_autofree double *fre = g_new (double, MAX (n, 1));
  double sum2 = 0;
  for (int i = 0; i < n; i++)
    {
      double y[3];
      mt_transform_apply (t, fixed + 3 * i, y);
      fre[i] = sqrt ((y[0] - moving[3 * i]) * (y[0] - moving[3 * i]) + (y[1] - moving[3 * i + 1]) * (y[1] - moving[3 * i + 1])
                     + (y[2] - moving[3 * i + 2]) * (y[2] - moving[3 * i + 2]));
      sum2 += fre[i] * fre[i];
    }
  if (resampled != NULL)
    {
      g_autoptr (MtVolume) f = mt_series_read_volume (fixed_path, NULL, NULL, &error);
      g_autoptr (MtVolume) m = f ? mt_series_read_volume (moving_path, NULL, NULL, &error) : NULL;
      float outside = m && m->modality && g_str_equal (m->modality, "CT") ? -1024.0f : 0.0f;
      g_autoptr (MtVolume) r = m ? mt_resample (m, f, t, MT_RESAMPLE_LINEAR, outside, &error) : NULL;
      if (r == NULL || !mt_nifti_write (r, MT_NIFTI_FLOAT32, resampled, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  if (!json)
    {
      g_print (_("Transform from %d landmark pairs written to %s (root mean square of the pairs' distances "
                 "after the fit: %.2f mm)\n"), n, out, sqrt (sum2 / n));
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, "landmarks");
  json_builder_set_member_name (b, "landmarks");
  json_builder_add_int_value (b, n);
  add_numbers (b, "fre_mm", fre, n);
  json_builder_set_member_name (b, "fre_rms_mm");
  json_builder_add_double_value (b, sqrt (sum2 / n));
  add_numbers (b, "matrix", t->matrix, 9);
  add_numbers (b, "translation", t->translation, 3);
  add_numbers (b, "center", t->center, 3);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_set_member_name (b, "resampled");
  json_builder_add_string_value (b, resampled);
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}

int
mt_cli_register (int argc, char **argv)
{
  g_autofree char *type = g_strdup ("rigid"), *out = NULL, *resampled = NULL, *metric_name = NULL;
  g_autofree char *init_name = NULL, *field = NULL;
  gboolean json = FALSE, quiet = FALSE;
  double grid_mm = 0, regularisation = -1;
  int samples = 0;
  g_autofree char *landmarks = NULL;
  GOptionEntry entries[] = {
    { "landmarks", 0, 0, G_OPTION_ARG_FILENAME, &landmarks,
      N_("Landmark registration instead of intensities: a CSV of paired points, one pair a line, "
         "fixed x,y,z then moving x,y,z (patient LPS mm); --type rigid, similarity or affine"), "PAIRS.csv" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples,
      N_("Points of the fixed image the metric visits at each level (default 1000000; fewer is faster, "
         "coarser)"), "N" },
    { "grid-spacing", 0, 0, G_OPTION_ARG_DOUBLE, &grid_mm,
      N_("Deformable: mm between the B-spline's control points (default 25)"), "MM" },
    { "regularisation", 0, 0, G_OPTION_ARG_DOUBLE, &regularisation,
      N_("Deformable: how strongly bending is held back, 0 (not at all) upwards (default 0.2)"), "R" },
    { "field", 0, 0, G_OPTION_ARG_FILENAME, &field,
      N_("Deformable: also write the whole mapping as a displacement field on the fixed grid (NIfTI, as ITK "
         "reads it)"), "FIELD.nii.gz" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_name,
      N_("How alike the images are: mean-squares (CT to CT), mattes-mi (any modalities) or ncc; "
         "by default mean squares for two CTs, Mattes MI otherwise"), "mean-squares|mattes-mi|ncc" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init_name,
      N_("Where to start: moments (centres of mass), geometry (grid centres) or patient (coordinates as "
         "they are); by default patient when both scans share a frame of reference, moments otherwise"),
      "moments|geometry|patient" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type,
      N_("The transform to find: rigid, affine or deformable (affine, then a B-spline free-form deformation)"),
      "rigid|affine|deformable" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      N_("ITK transform file to write (fixed patient mm to moving patient mm)"), "T.tfm" },
    { "resampled", 0, 0, G_OPTION_ARG_FILENAME, &resampled, N_("The moving scan on the fixed one's grid (NIfTI)"),
      "OUT.nii.gz" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not show progress"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("FIXED MOVING — align MOVING onto FIXED"), entries))
    return 2;
  if (argc != 3 || out == NULL)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli register FIXED MOVING --type rigid|affine|deformable --out T.tfm "
                            "[--resampled OUT.nii.gz] [--json]"));
      return 2;
    }
  gboolean affine = g_str_equal (type, "affine"), deformable = g_str_equal (type, "deformable");
  if (landmarks != NULL)
    return register_landmarks (argv[1], argv[2], landmarks, type, out, resampled, json);
  if (!affine && !deformable && !g_str_equal (type, "rigid"))
    {
      g_printerr (_("medtwin-cli: unknown --type %s; use rigid, affine or deformable.\n"), type);
      return 2;
    }
  if (grid_mm < 0 || grid_mm > 1000 || regularisation > 1e6)
    {
      g_printerr (_("medtwin-cli: --grid-spacing takes 1 to 1000 mm and --regularisation 0 upwards.\n"));
      return 2;
    }
  static const char *const metric_names[] = { "mean-squares", "mattes-mi", "ncc" };
  static const char *const metric_keys[] = { "mean_squares", "mattes_mi", "ncc" };
  static const char *const init_names[] = { "moments", "geometry", "patient" };
  int metric_kind = -1, init_kind = -1;
  for (int i = 0; i < 3; i++)
    {
      if (metric_name != NULL && g_str_equal (metric_name, metric_names[i]))
        metric_kind = i;
      if (init_name != NULL && g_str_equal (init_name, init_names[i]))
        init_kind = i;
    }
  if ((metric_name != NULL && metric_kind < 0) || (init_name != NULL && init_kind < 0))
    {
      g_printerr (_("medtwin-cli: unknown --metric or --init; --metric takes mean-squares, mattes-mi or ncc, "
                    "--init moments, geometry or patient.\n"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) fixed = mt_series_read_volume (argv[1], NULL, NULL, &error);
  g_autoptr (MtVolume) moving = fixed ? mt_series_read_volume (argv[2], NULL, NULL, &error) : NULL;
  if (moving == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  MtRegisterOptions options;
  mt_register_options_init (&options);
  options.metric = metric_kind >= 0 ? (MtRegisterMetric) metric_kind
                   : deformable    ? MT_METRIC_MEAN_SQUARES
                                   : mt_register_default_metric (fixed, moving);
  options.init = init_kind >= 0 ? (MtRegisterInit) init_kind : mt_register_default_init (fixed, moving);
  /* How alike the scans are as they lie, before any registration. */
  g_autoptr (MtTransform) id = mt_transform_new_identity ();
  double before = mt_register_measure (fixed, moving, id, options.metric, options.samples);
  if (samples > 0)
    options.samples = MAX (samples, 1000);
  if (grid_mm > 0)
    options.grid_mm = grid_mm;
  if (regularisation >= 0)
    options.regularisation = regularisation;
  if (deformable && options.metric != MT_METRIC_MEAN_SQUARES)
    {
      /* Said plainly rather than done half-right. */
      g_printerr (_("medtwin-cli: deformable registration compares intensities by mean squares, for two scans of "
                    "the same modality; use --type rigid or affine across modalities.\n"));
      return 2;
    }
  g_autoptr (MtProgress) progress = mt_progress_new (mt_cli_show_progress, GINT_TO_POINTER (quiet || json), NULL);
  gint64 t0 = g_get_monotonic_time ();
  double metric = 0;
  g_autoptr (MtTransform) t = NULL;
  g_autoptr (MtBSpline) bspline = NULL;
  if (deformable)
    bspline = mt_register_deformable (fixed, moving, &options, &t, &metric, progress, NULL, &error);
  else
    t = affine ? mt_register_affine (fixed, moving, &options, &metric, progress, NULL, &error)
               : mt_register_rigid (fixed, moving, &options, &metric, progress, NULL, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (!quiet && !json)
    g_printerr ("\n");
  if (t == NULL || !(bspline ? mt_deformable_write_itk (t, bspline, out, &error) : mt_transform_write_itk (t, out, &error)))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  if (field != NULL)
    {
      g_autofree float *vectors = mt_deformable_field (t, bspline, fixed);
      if (!mt_nifti_write_displacement (fixed, vectors, field, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  if (resampled != NULL)
    {
      float outside = moving->modality && g_str_equal (moving->modality, "CT") ? -1024.0f : 0.0f;
      g_autoptr (MtVolume) r = mt_resample_deformable (moving, fixed, t, bspline, MT_RESAMPLE_LINEAR, outside, &error);
      if (r == NULL || !mt_nifti_write (r, MT_NIFTI_FLOAT32, resampled, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  if (!json)
    {
      g_print (_("%s transform written to %s (%s %.4g before, %.4g after; %.0f ms)\n"),
               deformable ? _("Deformable") : affine ? _("Affine") : _("Rigid"), out, metric_names[options.metric], before,
               metric, ms);
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, metric_keys[options.metric]);
  json_builder_set_member_name (b, "init");
  json_builder_add_string_value (b, init_names[options.init]);
  json_builder_set_member_name (b, "metric_before");
  if (isnan (before))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, before);
  json_builder_set_member_name (b, "metric_value");
  json_builder_add_double_value (b, metric);
  add_numbers (b, "matrix", t->matrix, 9);
  add_numbers (b, "translation", t->translation, 3);
  add_numbers (b, "center", t->center, 3);
  json_builder_set_member_name (b, "ms");
  json_builder_add_double_value (b, ms);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_set_member_name (b, "resampled");
  json_builder_add_string_value (b, resampled);
  if (bspline != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
      json_builder_set_member_name (b, "grid_spacing_mm");
      json_builder_add_double_value (b, options.grid_mm);
      json_builder_set_member_name (b, "regularisation");
      json_builder_add_double_value (b, options.regularisation);
      json_builder_set_member_name (b, "control_points");
      json_builder_begin_array (b);
      for (int a = 0; a < 3; a++)
        json_builder_add_int_value (b, bspline->size[a]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}

int
mt_cli_resample (int argc, char **argv)
{
  g_autofree char *reference = NULL, *transform = NULL, *out = NULL, *interpolation = NULL;
  gboolean labels = FALSE;
  GOptionEntry entries[] = {
    { "interpolation", 0, 0, G_OPTION_ARG_STRING, &interpolation,
      N_("How to sample between voxels: linear (the default), cubic (B-spline, as ITK and elastix) or nearest"),
      "linear|cubic|nearest" },
    { "reference", 0, 0, G_OPTION_ARG_FILENAME, &reference, N_("The scan whose grid to resample onto"), "FIXED" },
    { "transform", 0, 0, G_OPTION_ARG_FILENAME, &transform,
      N_("ITK transform file, fixed patient mm to moving (none: the identity)"), "T.tfm" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("NIfTI file to write"), "OUT.nii.gz" },
    { "labels", 0, 0, G_OPTION_ARG_NONE, &labels, N_("A label map: nearest neighbour, not linear"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("MOVING — resample a scan onto another's grid"), entries))
    return 2;
  MtResampleMode mode = labels ? MT_RESAMPLE_NEAREST : MT_RESAMPLE_LINEAR;
  if (interpolation != NULL && !labels)
    mode = g_str_equal (interpolation, "cubic")     ? MT_RESAMPLE_CUBIC
           : g_str_equal (interpolation, "nearest") ? MT_RESAMPLE_NEAREST
           : g_str_equal (interpolation, "linear")  ? MT_RESAMPLE_LINEAR
                                                    : (MtResampleMode) -1;
  if (argc != 2 || reference == NULL || out == NULL || (int) mode < 0)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli resample MOVING --reference FIXED [--transform T.tfm] "
                            "--out OUT.nii.gz [--labels | --interpolation linear|cubic|nearest]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtTransform) t = NULL;
  g_autoptr (MtBSpline) bspline = NULL;
  if (transform == NULL)
    t = mt_transform_new_identity ();
  else if (!mt_deformable_read_itk (transform, &t, &bspline, &error))
    t = NULL;
  g_autoptr (MtVolume) fixed = t ? mt_series_read_volume (reference, NULL, NULL, &error) : NULL;
  g_autoptr (MtVolume) moving = fixed ? mt_series_read_volume (argv[1], NULL, NULL, &error) : NULL;
  if (moving == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  /* Outside the moving scan: air for CT, background for labels. */
  float outside = labels ? 0.0f : (moving->modality && g_str_equal (moving->modality, "CT") ? -1024.0f : 0.0f);
  g_autoptr (MtVolume) r = mt_resample_deformable (moving, fixed, t, bspline, mode, outside, &error);
  if (r == NULL || !mt_nifti_write (r, labels ? MT_NIFTI_INT16 : MT_NIFTI_FLOAT32, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  return 0;
}

/* The lung nodules of a baseline and a follow-up scan, matched through a
 * rigid registration (or a given transform): volumes, change and doubling
 * time over the studies' interval. */
int
mt_cli_follow_up (int argc, char **argv)
{
  g_autofree char *transform = NULL;
  gboolean json = FALSE;
  double days = 0;
  GOptionEntry entries[] = {
    { "transform", 0, 0, G_OPTION_ARG_FILENAME, &transform,
      N_("ITK transform from the baseline's patient mm to the follow-up's (none: a rigid registration)"), "T.tfm" },
    { "days", 0, 0, G_OPTION_ARG_DOUBLE, &days, N_("Days between the scans (none: from their study dates)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("BASELINE FOLLOWUP — lung nodules over time"), entries))
    return 2;
  if (argc != 3)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli follow-up BASELINE FOLLOWUP [--transform T.tfm] [--days N] [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) base = mt_series_read_volume (argv[1], NULL, NULL, &error);
  g_autoptr (MtVolume) follow = base ? mt_series_read_volume (argv[2], NULL, NULL, &error) : NULL;
  if (follow == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  if (days <= 0 && !mt_days_between (base->study_date, follow->study_date, &days))
    days = 0;
  g_autoptr (MtTransform) t = transform ? mt_transform_read_itk (transform, &error)
                                        : mt_register_rigid (base, follow, NULL, NULL, NULL, NULL, &error);
  const char *tasks[] = { "nodule", NULL };
  g_autoptr (MtSegmentation) a = t ? mt_segment_run (base, tasks, NULL, NULL, &error) : NULL;
  g_autoptr (MtSegmentation) b = a ? mt_segment_run (follow, tasks, NULL, NULL, &error) : NULL;
  if (b == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  const MtSegment *na = mt_segmentation_find (a, "nodule"), *nb = mt_segmentation_find (b, "nodule");
  g_autoptr (GArray) matches = na && nb ? mt_follow_up_lesions (a, na->value, b, nb->value, t, days, 10.0)
                                        : g_array_new (FALSE, FALSE, sizeof (MtLesionMatch));
  g_autoptr (JsonBuilder) j = json_builder_new ();
  json_builder_begin_object (j);
  json_builder_set_member_name (j, "days");
  json_builder_add_double_value (j, days);
  json_builder_set_member_name (j, "lesions");
  json_builder_begin_array (j);
  for (guint m = 0; m < matches->len; m++)
    {
      const MtLesionMatch *l = &g_array_index (matches, MtLesionMatch, m);
      if (!json)
        {
          if (isnan (l->doubling_days))
            g_print (_("Nodule at (%.1f, %.1f, %.1f) mm: %.2f mL, then %.2f mL (%+.0f%%)\n"), l->baseline_center[0],
                     l->baseline_center[1], l->baseline_center[2], l->baseline_ml, l->followup_ml, l->change_percent);
          else
            g_print (_("Nodule at (%.1f, %.1f, %.1f) mm: %.2f mL, then %.2f mL (%+.0f%%), doubling in %.0f days\n"),
                     l->baseline_center[0], l->baseline_center[1], l->baseline_center[2], l->baseline_ml,
                     l->followup_ml, l->change_percent, l->doubling_days);
        }
      json_builder_begin_object (j);
      add_numbers (j, "baseline_center_mm", l->baseline_center, 3);
      add_numbers (j, "followup_center_mm", l->followup_center, 3);
      json_builder_set_member_name (j, "match_distance_mm");
      json_builder_add_double_value (j, l->distance_mm);
      json_builder_set_member_name (j, "baseline_mL");
      json_builder_add_double_value (j, l->baseline_ml);
      json_builder_set_member_name (j, "followup_mL");
      json_builder_add_double_value (j, l->followup_ml);
      json_builder_set_member_name (j, "change_percent");
      json_builder_add_double_value (j, l->change_percent);
      json_builder_set_member_name (j, "doubling_days");
      if (isnan (l->doubling_days))
        json_builder_add_null_value (j);
      else
        json_builder_add_double_value (j, l->doubling_days);
      json_builder_end_object (j);
    }
  json_builder_end_array (j);
  json_builder_end_object (j);
  if (json)
    mt_cli_print_json (j);
  else if (matches->len == 0)
    g_print ("%s\n", _("No nodule found on both scans."));
  return 0;
}

/* "a,b,c,d,e,f" with a <= b, c <= d, e <= f, or FALSE. */
static gboolean
parse_box (const char *text, double out[6])
{
  return mt_cli_parse_numbers (text, out, 6) && out[0] <= out[1] && out[2] <= out[3] && out[4] <= out[5];
}

/* A smaller scan: cropped to the body or to a box, resampled to cubic
 * voxels if asked. */
int
mt_cli_crop (int argc, char **argv)
{
  g_autofree char *box = NULL, *out = NULL, *orient = NULL;
  gboolean to_body = FALSE, json = FALSE;
  double margin = 0, isotropic = 0;
  GOptionEntry entries[] = {
    { "reorient", 0, 0, G_OPTION_ARG_STRING, &orient,
      N_("Then turn the voxel axes to point this way, exactly (no interpolation): RAS, LPS, LPI..."), "CODE" },
    { "to-body", 0, 0, G_OPTION_ARG_NONE, &to_body, N_("Crop to the patient's body (CT), without the couch and air"),
      NULL },
    { "box", 0, 0, G_OPTION_ARG_STRING, &box, N_("Crop to this box in patient mm (LPS)"), "X0,X1,Y0,Y1,Z0,Z1" },
    { "margin", 0, 0, G_OPTION_ARG_DOUBLE, &margin, N_("With --to-body: mm kept around it"), "MM" },
    { "isotropic", 0, 0, G_OPTION_ARG_DOUBLE, &isotropic, N_("Resample to cubic voxels of this size"), "MM" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("NIfTI file to write"), "OUT.nii.gz" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — crop a scan to the body or a box, resample it, reorient it"), entries))
    return 2;
  double b[6];
  if (argc != 2 || out == NULL || (to_body && box != NULL) || (box != NULL && !parse_box (box, b)) || margin < 0
      || isotropic < 0 || (!to_body && box == NULL && isotropic == 0 && orient == NULL))
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli crop PATH [--to-body [--margin MM] | --box X0,X1,Y0,Y1,Z0,Z1] "
                            "[--isotropic MM] [--reorient CODE] --out OUT.nii.gz [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (v == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  int lo[3], hi[3];
  if (to_body)
    {
      g_autofree guint8 *body = NULL, *couch = NULL;
      if (!mt_segment_body_couch (v, &body, &couch, NULL, NULL, &error) || !mt_mask_box (v, body, margin, lo, hi))
        {
          g_printerr ("medtwin-cli: %s\n", error ? error->message : _("No body found in this scan."));
          return 1;
        }
    }
  else if (box != NULL)
    {
      if (!mt_box_to_index_range (v, b, lo, hi))
        {
          g_printerr ("%s\n", _("medtwin-cli: the box does not meet the scan."));
          return 1;
        }
    }
  else
    {
      lo[0] = lo[1] = lo[2] = 0;
      for (int a = 0; a < 3; a++)
        hi[a] = v->dims[a] - 1;
    }
  g_autoptr (MtVolume) cropped = mt_crop (v, lo, hi, &error);
  g_autoptr (MtVolume) resampled = cropped && isotropic > 0
                                       ? mt_resample_isotropic (cropped, isotropic, MT_RESAMPLE_LINEAR, &error)
                                       : (cropped ? mt_volume_ref (cropped) : NULL);
  g_autoptr (MtVolume) result = resampled && orient ? mt_reorient (resampled, orient, &error)
                                                    : (resampled ? mt_volume_ref (resampled) : NULL);
  if (result == NULL || !mt_nifti_write (result, MT_NIFTI_FLOAT32, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  double before = mt_volume_n_voxels (v), after = mt_volume_n_voxels (result);
  if (!json)
    {
      g_print (_("%d x %d x %d voxels of %.4g x %.4g x %.4g mm written to %s (%.0f%% of the voxels)\n"),
               result->dims[0], result->dims[1], result->dims[2], result->spacing[0], result->spacing[1],
               result->spacing[2], out, 100 * after / before);
      return 0;
    }
  g_autoptr (JsonBuilder) j = json_builder_new ();
  json_builder_begin_object (j);
  json_builder_set_member_name (j, "dimensions");
  json_builder_begin_array (j);
  for (int a = 0; a < 3; a++)
    json_builder_add_int_value (j, result->dims[a]);
  json_builder_end_array (j);
  add_numbers (j, "spacing", result->spacing, 3);
  add_numbers (j, "origin", result->origin, 3);
  add_numbers (j, "direction", result->direction, 9);
  json_builder_set_member_name (j, "voxel_fraction");
  json_builder_add_double_value (j, after / before);
  json_builder_set_member_name (j, "out");
  json_builder_add_string_value (j, out);
  json_builder_end_object (j);
  mt_cli_print_json (j);
  return 0;
}

int
mt_cli_transform (int argc, char **argv)
{
  g_autofree char *out = NULL;
  g_auto (GStrv) then = NULL;
  gboolean invert = FALSE, json = FALSE;
  GOptionEntry entries[] = {
    { "invert", 0, 0, G_OPTION_ARG_NONE, &invert, N_("Invert T first (moving to fixed instead)"), NULL },
    { "then", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &then,
      N_("Then this transform, applied to T's result (may be given again)"), "U.tfm" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("ITK transform file to write"), "OUT.tfm" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("T.tfm — invert an ITK affine transform or chain several"), entries))
    return 2;
  if (argc != 2 || out == NULL)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli transform T.tfm [--invert] [--then U.tfm]... --out OUT.tfm [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  /* Affine only: a B-spline deformation has no closed-form inverse, and
   * chaining one would need a displacement field. */
  g_autoptr (MtTransform) t = mt_transform_read_itk (argv[1], &error);
  if (t != NULL && invert)
    {
      MtTransform *inv = mt_transform_invert (t, &error);
      mt_transform_free (t);
      t = inv;
    }
  for (int i = 0; t != NULL && then != NULL && then[i] != NULL; i++)
    {
      g_autoptr (MtTransform) next = mt_transform_read_itk (then[i], &error);
      if (next == NULL)
        {
          g_clear_pointer (&t, mt_transform_free);
          break;
        }
      MtTransform *both = mt_transform_compose (t, next);
      mt_transform_free (t);
      t = both;
    }
  if (t == NULL || !mt_transform_write_itk (t, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  if (!json)
    return 0;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_numbers (b, "matrix", t->matrix, 9);
  add_numbers (b, "translation", t->translation, 3);
  add_numbers (b, "center", t->center, 3);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}
