/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "cli-common.h"
#include "cli-segment.h"
#include "mt-dicom-seg.h"
#include "mt-mask.h"
#include "mt-nifti.h"
#include "mt-progress.h"
#include "mt-segment-tasks.h"
#include "mt-series.h"
#include "mt-volume.h"

/* One segment, "grown", from a point: the region connected to it through
 * the values in the range, or of like values (confidence connected). */
static MtSegmentation *
grow_segment (const MtVolume *ct, const char *point, const char *range, GError **error)
{
  double p[3], lh[2], idx[3];
  if (!mt_cli_parse_numbers (point, p, 3))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--grow takes a point as X,Y,Z in patient millimetres, not “%s”."), point);
      return NULL;
    }
  if (range != NULL && (!mt_cli_parse_numbers (range, lh, 2) || lh[0] > lh[1]))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--grow-range takes LOW,HIGH with LOW at most HIGH, not “%s”."), range);
      return NULL;
    }
  mt_volume_patient_to_index (ct, p, idx);
  int seed[3];
  for (int a = 0; a < 3; a++)
    {
      seed[a] = (int) lround (idx[a]);
      if (seed[a] < 0 || seed[a] >= ct->dims[a])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The point %s lies outside the scan."), point);
          return NULL;
        }
    }
  g_autofree guint8 *mask = g_new (guint8, mt_volume_n_voxels (ct));
  gsize n = range != NULL ? mt_mask_region_grow (ct, seed, 1, lh[0], lh[1], mask)
                          : mt_mask_confidence_grow (ct, seed, 2.5, 4, mask);
  if (n == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Nothing grew from %s: its value lies outside the range."), point);
      return NULL;
    }
  MtSegmentation *seg = mt_segmentation_new (ct);
  mt_segmentation_paint (seg, mask, mt_segmentation_add_segment (seg, "grown", MT_SEGMENT_ANNOTATION, NULL));
  return seg;
}

/* One segment of the voxels in a preset's range or in LOW,HIGH. */
static MtSegmentation *
threshold_segment (const MtVolume *ct, const char *spec, GError **error)
{
  const MtThresholdPreset *preset = mt_threshold_preset_lookup (spec);
  double lh[2];
  if (preset != NULL)
    {
      lh[0] = preset->low;
      lh[1] = preset->high;
    }
  else if (!mt_cli_parse_numbers (spec, lh, 2) || lh[0] > lh[1])
    {
      guint n;
      const MtThresholdPreset *all = mt_threshold_presets (&n);
      g_autoptr (GString) names = g_string_new (NULL);
      for (guint p = 0; p < n; p++)
        g_string_append_printf (names, "%s%s", p ? ", " : "", all[p].name);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--threshold takes a preset (%s) or LOW,HIGH, not “%s”."), names->str, spec);
      return NULL;
    }
  MtSegmentation *seg = mt_segmentation_new (ct);
  guint16 value = mt_segmentation_add_segment (seg, preset ? preset->name : "threshold", MT_SEGMENT_TISSUE, NULL);
  mt_segmentation_threshold (seg, value, ct, lh[0], lh[1], NULL);
  return seg;
}

static gboolean
edit_error (GError **error, const char *edit, const char *why)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--edit %s: %s"), edit, why);
  return FALSE;
}

/* "op:name[:args]": one edit of a segment, by name. */
static gboolean
apply_edit (MtSegmentation *seg, const MtVolume *ct, const char *edit, GError **error)
{
  g_auto (GStrv) part = g_strsplit (edit, ":", -1);
  guint n = g_strv_length (part);
  if (n < 2)
    return edit_error (error, edit, _("write it as OP:NAME, with the arguments the operation takes after more colons."));
  const MtSegment *sg = mt_segmentation_find (seg, part[1]);
  if (sg == NULL)
    return edit_error (error, edit, _("there is no segment of that name."));
  guint16 value = sg->value;
  const char *op = part[0];
  double x[2];
  if (g_str_equal (op, "margin") && n == 3 && mt_cli_parse_numbers (part[2], x, 1))
    mt_segmentation_margin (seg, value, x[0]);
  else if (g_str_equal (op, "keep-largest") && n == 2)
    mt_segmentation_islands (seg, value, 0);
  else if (g_str_equal (op, "remove-islands") && n == 3 && mt_cli_parse_numbers (part[2], x, 1) && x[0] > 0)
    mt_segmentation_islands (seg, value, x[0]);
  else if ((g_str_equal (op, "open") || g_str_equal (op, "close")) && n == 3 && mt_cli_parse_numbers (part[2], x, 1)
           && x[0] > 0)
    mt_segmentation_open_close (seg, value, x[0], g_str_equal (op, "close"));
  else if (g_str_equal (op, "fill-holes") && n == 2)
    mt_segmentation_fill_holes (seg, value);
  else if (g_str_equal (op, "interpolate") && (n == 2 || n == 3))
    {
      const char *plane = n == 3 ? part[2] : "axial";
      int axis = g_str_equal (plane, "axial") ? 2 : g_str_equal (plane, "coronal") ? 1 : g_str_equal (plane, "sagittal") ? 0 : -1;
      if (axis < 0)
        return edit_error (error, edit, _("the slices are axial, coronal or sagittal."));
      mt_segmentation_interpolate (seg, value, axis);
    }
  else if (g_str_equal (op, "merge") && n == 3)
    {
      const MtSegment *from = mt_segmentation_find (seg, part[2]);
      if (from == NULL)
        return edit_error (error, edit, _("there is no segment of that name."));
      mt_segmentation_merge (seg, value, from->value);
    }
  else if (g_str_equal (op, "keep-range") && n == 4 && mt_cli_parse_numbers (part[2], x, 1)
           && mt_cli_parse_numbers (part[3], x + 1, 1) && x[0] <= x[1])
    mt_segmentation_keep_range (seg, value, ct, x[0], x[1]);
  else if (g_str_equal (op, "label") && n >= 3)
    {
      /* The text may hold colons of its own. */
      g_autofree char *text = g_strjoinv (":", part + 2);
      mt_segmentation_set_label (seg, value, text);
    }
  else
    return edit_error (error, edit,
                       _("not an edit this version knows, or not its arguments: margin:NAME:MM, keep-largest:NAME, "
                         "remove-islands:NAME:ML, open:NAME:MM, close:NAME:MM, fill-holes:NAME, "
                         "interpolate:NAME[:axial|coronal|sagittal], merge:INTO:FROM, keep-range:NAME:LOW:HIGH, "
                         "label:NAME:TEXT."));
  return TRUE;
}

int
mt_cli_segment (int argc, char **argv)
{
  g_autofree char *tasks = NULL, *out = NULL, *seg_out = NULL, *seg_in = NULL, *csv = NULL, *grow = NULL,
                  *grow_range = NULL, *threshold = NULL, *labels_in = NULL, *names_in = NULL;
  g_auto (GStrv) edits = NULL;
  gboolean json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "tasks", 0, 0, G_OPTION_ARG_STRING, &tasks, N_("What to find, by name, or all"), "all|body,couch,..." },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Label map to write (NIfTI, on the scan's grid and affine)"),
      "LABELS.nii.gz" },
    { "seg", 0, 0, G_OPTION_ARG_FILENAME, &seg_out,
      N_("DICOM SEG to write as well (PATH must be the DICOM series)"), "OUT.dcm" },
    { "grow", 0, 0, G_OPTION_ARG_STRING, &grow,
      N_("Grow a segment from this point (patient mm, LPS) instead of running tasks"), "X,Y,Z" },
    { "grow-range", 0, 0, G_OPTION_ARG_STRING, &grow_range,
      N_("With --grow: the values to grow through (connected threshold); without it, confidence connected"),
      "LOW,HIGH" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING, &threshold,
      N_("A segment of the voxels within a preset (air, lung, fat, soft-tissue, fluid, blood, contrast-blood, bone, "
         "metal) or LOW,HIGH, instead of running tasks"),
      "PRESET|LOW,HIGH" },
    { "edit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &edits,
      N_("An edit after the segments are made, in order, as often as needed: margin:NAME:MM, keep-largest:NAME, "
         "remove-islands:NAME:ML, open:NAME:MM, close:NAME:MM, fill-holes:NAME, "
         "interpolate:NAME[:axial|coronal|sagittal], merge:INTO:FROM, keep-range:NAME:LOW:HIGH, label:NAME:TEXT"),
      "OP:NAME[:...]" },
    { "from-labels", 0, 0, G_OPTION_ARG_FILENAME, &labels_in,
      N_("Read the segments from a label map on the scan's grid (NIfTI) instead of running tasks"), "LABELS.nii.gz" },
    { "label-names", 0, 0, G_OPTION_ARG_FILENAME, &names_in,
      N_("With --from-labels: the segments' names, a JSON object of name: value"), "NAMES.json" },
    { "from-seg", 0, 0, G_OPTION_ARG_FILENAME, &seg_in,
      N_("Read the segments from this DICOM SEG instead of running tasks"), "SEG.dcm" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv,
      N_("Statistics to write as CSV: volume, mean and SD, bounding box, longest diameter of lesions"), "STATS.csv" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not show progress"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — segment a CT: body, couch and more, as a label map"), entries))
    return 2;
  if (argc != 2 || (out == NULL && seg_out == NULL)
      || (tasks != NULL) + (seg_in != NULL) + (grow != NULL) + (threshold != NULL) + (labels_in != NULL) > 1
      || (names_in != NULL && labels_in == NULL))
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli segment PATH [--tasks all|body,couch,... | --from-seg SEG.dcm | "
                            "--from-labels LABELS.nii.gz [--label-names NAMES.json] | "
                            "--grow X,Y,Z [--grow-range LOW,HIGH] | --threshold PRESET|LOW,HIGH] "
                            "[--edit OP:NAME[:...]]... [--out LABELS.nii.gz] [--seg OUT.dcm] [--csv STATS.csv] "
                            "[--json]"));
      return 2;
    }
  g_auto (GStrv) names = g_strsplit (tasks != NULL ? tasks : "all", ",", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) ct = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (ct == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  g_autoptr (MtProgress) progress = mt_progress_new (mt_cli_show_progress, GINT_TO_POINTER (quiet || json), NULL);
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (MtSegmentation) seg = NULL;
  if (grow != NULL)
    seg = grow_segment (ct, grow, grow_range, &error);
  else if (threshold != NULL)
    seg = threshold_segment (ct, threshold, &error);
  else if (labels_in != NULL)
    {
      g_autoptr (GHashTable) label_names = names_in ? mt_segmentation_read_names (names_in, &error) : NULL;
      g_autoptr (MtVolume) map = names_in == NULL || label_names != NULL ? mt_nifti_read (labels_in, &error) : NULL;
      if (map != NULL)
        seg = mt_segmentation_from_labels (ct, map, label_names, &error);
    }
  else if (seg_in != NULL)
    seg = mt_dicom_seg_read (seg_in, ct, &error);
  else
    seg = mt_segment_run (ct, (const char * const *) names, progress, NULL, &error);
  for (int e = 0; seg != NULL && edits != NULL && edits[e] != NULL; e++)
    if (!apply_edit (seg, ct, edits[e], &error))
      g_clear_pointer (&seg, mt_segmentation_unref);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (!quiet && !json)
    g_printerr ("\n");
  if (seg == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return (error->domain == MT_SEGMENT_ERROR && error->code == MT_SEGMENT_ERROR_TASK)
                     || error->domain == G_OPTION_ERROR
                 ? 2
                 : 1;
    }
  if (out != NULL)
    {
      g_autoptr (MtVolume) labels = mt_segmentation_to_volume (seg);
      if (labels == NULL
          || !mt_nifti_write (labels, mt_segmentation_bits (seg) == 8 ? MT_NIFTI_UINT8 : MT_NIFTI_INT16, out,
                              &error))
        {
          g_printerr ("medtwin-cli: %s\n", error ? error->message : _("Not enough memory for the label map"));
          return 1;
        }
    }
  if (seg_out != NULL && !mt_dicom_seg_write (seg, argv[1], seg_out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  g_autoptr (GArray) stats = mt_segmentation_statistics (seg, ct);
  if (csv != NULL)
    {
      g_autofree char *text = mt_segmentation_statistics_csv (seg, ct);
      if (!g_file_set_contents (csv, text, -1, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "segments");
  json_builder_begin_array (b);
  for (guint s = 0; s < stats->len; s++)
    {
      const MtSegment *sg = mt_segmentation_get_segment (seg, s);
      const MtSegmentStats *st = &g_array_index (stats, MtSegmentStats, s);
      if (!json)
        g_print (_("%-12s label %3u  %9.1f mL  mean %7.1f HU\n"), sg->name, sg->value, st->volume_ml, st->mean);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, sg->name);
      json_builder_set_member_name (b, "label");
      json_builder_add_int_value (b, sg->value);
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, mt_segment_category_name (sg->category));
      json_builder_set_member_name (b, "volume_mL");
      json_builder_add_double_value (b, st->volume_ml);
      json_builder_set_member_name (b, "mean_HU");
      json_builder_add_double_value (b, st->mean);
      json_builder_set_member_name (b, "sd_HU");
      json_builder_add_double_value (b, st->sd);
      json_builder_set_member_name (b, "bounding_box_mm");
      json_builder_begin_array (b);
      for (int a = 0; a < 3; a++)
        {
          json_builder_add_double_value (b, st->lo[a]);
          json_builder_add_double_value (b, st->hi[a]);
        }
      json_builder_end_array (b);
      if (sg->category == MT_SEGMENT_LESION)
        {
          json_builder_set_member_name (b, "longest_diameter_mm");
          json_builder_add_double_value (b, st->longest_mm);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* What a task looked for and did not find: said, not hidden. */
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (const char * const *note = mt_segmentation_get_notes (seg); *note != NULL; note++)
    {
      json_builder_add_string_value (b, *note);
      if (!json)
        g_printerr (_("medtwin-cli: warning: %s\n"), *note);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ms");
  json_builder_add_double_value (b, ms);
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_set_member_name (b, "seg");
  json_builder_add_string_value (b, seg_out);
  json_builder_end_object (b);
  if (json)
    mt_cli_print_json (b);
  return 0;
}
