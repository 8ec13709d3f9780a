/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mt-i18n.h"
#include "mt-library.h"
#include "mt-nifti.h"
#include "mt-nrrd.h"
#include "mt-phantom.h"
#include "mt-progress.h"
#include "mt-series.h"
#include "mt-volume.h"

#include "cli-common.h"
#include "cli-measure.h"
#include "cli-register.h"
#include "cli-render.h"
#include "cli-segment.h"
#include "cli-surface.h"
#include "cli-anatomy.h"
#include "cli-ecg.h"
#include "cli-physio.h"


typedef int (*CommandFunc) (int argc, char **argv);

static void
print_error (const GError *error)
{
  g_printerr ("medtwin-cli: %s\n", error->message);
}

static void
add_doubles (JsonBuilder *b, const char *name, const double *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* ------------------------------------------------------------------ info */



/* One scan's description, as JSON into b or as text. */
static void
describe_volume (JsonBuilder *b, const MtVolume *v, guint index, guint n_images, gboolean json)
{
  float lo, hi;
  mt_volume_get_range (v, &lo, &hi);
  double dims[3] = { v->dims[0], v->dims[1], v->dims[2] };
  if (json)
    {
      json_builder_begin_object (b);
      add_string (b, "series_uid", v->series_uid);
      add_string (b, "description", v->series_description);
      add_string (b, "modality", v->modality);
      json_builder_set_member_name (b, "images");
      json_builder_add_int_value (b, n_images);
      json_builder_set_member_name (b, "dimensions");
      json_builder_begin_array (b);
      for (int a = 0; a < 3; a++)
        json_builder_add_int_value (b, (gint64) dims[a]);
      json_builder_end_array (b);
      add_doubles (b, "spacing", v->spacing, 3);
      add_doubles (b, "origin", v->origin, 3);
      add_doubles (b, "direction", v->direction, 9);
      json_builder_set_member_name (b, "min");
      json_builder_add_double_value (b, lo);
      json_builder_set_member_name (b, "max");
      json_builder_add_double_value (b, hi);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint w = 0; w < v->warnings->len; w++)
        json_builder_add_string_value (b, v->warnings->pdata[w]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  else
    {
      g_print (_("Series %u: %s %s (%u images)\n"), index, v->modality ? v->modality : "?",
               v->series_description ? v->series_description : "", n_images);
      g_print (_("  dimensions  %d x %d x %d\n"), v->dims[0], v->dims[1], v->dims[2]);
      g_print (_("  spacing     %.6g x %.6g x %.6g mm\n"), v->spacing[0], v->spacing[1], v->spacing[2]);
      g_print (_("  origin      %.6g, %.6g, %.6g mm (LPS)\n"), v->origin[0], v->origin[1], v->origin[2]);
      g_print (_("  direction   %.6g %.6g %.6g  %.6g %.6g %.6g  %.6g %.6g %.6g\n"),
               v->direction[0], v->direction[1], v->direction[2], v->direction[3], v->direction[4],
               v->direction[5], v->direction[6], v->direction[7], v->direction[8]);
      g_print (_("  values      %g to %g\n"), lo, hi);
      for (guint w = 0; w < v->warnings->len; w++)
        g_print (_("  warning: %s\n"), (char *) v->warnings->pdata[w]);
    }
}

static int
cmd_info (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — describe the series in a DICOM folder or file"), entries))
    return 2;
  g_autoptr (GError) error = NULL;
  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli info PATH [--json]"));
      return 2;
    }

  gint64 t0 = g_get_monotonic_time ();
  const char *paths[] = { argv[1], NULL };
  if (mt_series_is_volume_file (argv[1]))
    {
      /* A converted scan or a label map: one volume, described the same way. */
      g_autoptr (MtVolume) v = mt_series_read_volume (argv[1], NULL, NULL, &error);
      if (v == NULL)
        {
          print_error (error);
          return 1;
        }
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "series");
      json_builder_begin_array (b);
      describe_volume (b, v, 1, (guint) v->dims[2], json);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "load_ms");
      json_builder_add_double_value (b, (g_get_monotonic_time () - t0) / 1000.0);
      json_builder_end_object (b);
      if (json)
        mt_cli_print_json (b);
      return 0;
    }
  g_autoptr (GPtrArray) all = mt_series_scan (paths, NULL, NULL, &error);
  if (all == NULL)
    {
      print_error (error);
      return 1;
    }

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "series");
  json_builder_begin_array (b);
  int status = 0;
  for (guint s = 0; s < all->len; s++)
    {
      MtSeries *series = all->pdata[s];
      guint n_images = series->slices->len;
      g_autoptr (GError) local = NULL;
      g_autoptr (MtVolume) v = mt_series_load (series, NULL, NULL, &local);
      if (v == NULL)
        {
          print_error (local);
          status = 1;
          continue;
        }
      describe_volume (b, v, s + 1, n_images, json);
    }
  json_builder_end_array (b);
  guint skipped = all->len ? ((MtSeries *) all->pdata[0])->n_skipped : 0;
  json_builder_set_member_name (b, "skipped_files");
  json_builder_add_int_value (b, skipped);
  json_builder_set_member_name (b, "load_ms");
  json_builder_add_double_value (b, (g_get_monotonic_time () - t0) / 1000.0);
  json_builder_end_object (b);

  if (json)
    mt_cli_print_json (b);
  else if (skipped)
    g_print (_("%u file(s) were not DICOM images and were skipped\n"), skipped);
  return status;
}

/* ------------------------------------------------------------------ phantom */

static void
print_progress (double fraction, const char *message, gpointer user_data)
{
  if (*(gboolean *) user_data)
    g_printerr ("\r%3.0f%%  %-40s", fraction * 100, message ? _(message) : "");
}

static int
cmd_phantom (int argc, char **argv)
{
  gint seed = 1;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Random seed (same seed, same patient)"), "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not show progress"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("OUT_DIR — generate the demo patient"), entries))
    return 2;
  g_autoptr (GError) error = NULL;
  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli phantom OUT_DIR [--seed N]"));
      return 2;
    }
  gboolean show = !quiet && isatty (2);
  g_autoptr (MtProgress) progress = mt_progress_new (print_progress, &show, NULL);
  gint64 t0 = g_get_monotonic_time ();
  if (!mt_phantom_write (argv[1], (guint32) seed, progress, NULL, &error))
    {
      if (show)
        g_printerr ("\n");
      print_error (error);
      return 1;
    }
  if (show)
    g_printerr ("\n");
  g_print (_("Demo patient written to %s in %.2f s\n"), argv[1], (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

/* ------------------------------------------------------------------ convert */

static int
cmd_convert (int argc, char **argv)
{
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not print warnings"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH OUT.nii[.gz]|OUT.nrrd — write a scan as NIfTI-1 or NRRD"), entries))
    return 2;
  g_autoptr (GError) error = NULL;
  gboolean nrrd = argc == 3 && g_str_has_suffix (argv[2], ".nrrd");
  if (argc != 3 || !(nrrd || g_str_has_suffix (argv[2], ".nii") || g_str_has_suffix (argv[2], ".nii.gz")))
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli convert PATH OUT.nii[.gz]|OUT.nrrd"));
      return 2;
    }
  g_autoptr (MtVolume) v = mt_volume_read_any (argv[1], &error);
  if (v == NULL)
    {
      print_error (error);
      return 1;
    }
  /* NRRD as 3D Slicer writes it (LPS, as stored); NIfTI: rows run the other way, as dcm2niix writes them: the same affine for
   * the same series, so either file can stand for the other. CT in HU, as
   * whole numbers when they are; any other values as float. */
  MtNiftiType type = mt_volume_is_int16 (v) ? MT_NIFTI_INT16 : MT_NIFTI_FLOAT32;
  if (nrrd ? !mt_nrrd_write (v, type, argv[2], &error) : !mt_nifti_write_rows_reversed (v, type, argv[2], &error))
    {
      print_error (error);
      return 1;
    }
  if (!quiet)
    {
      for (guint w = 0; w < v->warnings->len; w++)
        g_printerr (_("medtwin-cli: warning: %s\n"), (char *) v->warnings->pdata[w]);
      if (v->rgb != NULL)
        g_printerr (_("medtwin-cli: warning: %s\n"), _("a colour image was written as its luminance (grey)"));
    }
  return 0;
}

/* ------------------------------------------------------------------ library */

static MtLibrary *
open_library (const char *path)
{
  g_autofree char *default_path = mt_library_default_path ();
  g_autoptr (GError) error = NULL;
  MtLibrary *lib = mt_library_open (path ? path : default_path, &error);
  if (lib == NULL)
    print_error (error);
  return lib;
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static int
cmd_import (int argc, char **argv)
{
  g_autofree char *library = NULL;
  gboolean json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "library", 0, 0, G_OPTION_ARG_FILENAME, &library, N_("Patient library file (default: the user's)"), "DB" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not show progress"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH... — add the DICOM files under PATH to the patient library"), entries))
    return 2;
  if (argc < 2)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli import PATH... [--library DB] [--json]"));
      return 2;
    }
  g_autoptr (MtLibrary) lib = open_library (library);
  if (lib == NULL)
    return 1;
  gboolean show = !quiet && !json && isatty (2);
  g_autoptr (MtProgress) progress = mt_progress_new (print_progress, &show, NULL);
  MtImportStats st;
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = mt_library_import (lib, (const char * const *) argv + 1, &st, progress, NULL, &error);
  if (show)
    g_printerr ("\n");
  if (!ok)
    {
      print_error (error);
      return 1;
    }
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      add_int (b, "files", st.files);
      add_int (b, "skipped", st.skipped);
      add_int (b, "instances_added", st.instances_added);
      add_int (b, "instances_known", st.instances_known);
      add_int (b, "series_added", st.series_added);
      add_int (b, "studies_added", st.studies_added);
      add_int (b, "patients_added", st.patients_added);
      json_builder_set_member_name (b, "import_ms");
      json_builder_add_double_value (b, ms);
      json_builder_end_object (b);
      mt_cli_print_json (b);
    }
  else
    g_print (_("%u files: %u images added, %u already in the library, %u not DICOM images; "
               "%u new series, %u new studies, %u new patients (%.1f s)\n"),
             st.files, st.instances_added, st.instances_known, st.skipped, st.series_added,
             st.studies_added, st.patients_added, ms / 1000);
  return 0;
}

static int
cmd_ls (int argc, char **argv)
{
  g_autofree char *library = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "library", 0, 0, G_OPTION_ARG_FILENAME, &library, N_("Patient library file (default: the user's)"), "DB" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("[QUERY] — list the series in the patient library"), entries))
    return 2;
  g_autoptr (MtLibrary) lib = open_library (library);
  if (lib == NULL)
    return 1;
  g_autofree char *query = argc > 1 ? g_strjoinv (" ", argv + 1) : NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = mt_library_search (lib, query, &error);
  if (rows == NULL)
    {
      print_error (error);
      return 1;
    }
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        {
          MtLibraryEntry *e = rows->pdata[i];
          json_builder_begin_object (b);
          add_int (b, "series_id", e->series_id);
          add_string (b, "patient_name", e->patient_name);
          add_string (b, "patient_id", e->patient_id);
          add_string (b, "birth_date", e->birth_date);
          add_string (b, "sex", e->sex);
          add_string (b, "study_uid", e->study_uid);
          add_string (b, "study_date", e->study_date);
          add_string (b, "study_description", e->study_description);
          add_string (b, "accession", e->accession);
          add_string (b, "institution", e->institution);
          add_string (b, "series_uid", e->series_uid);
          add_int (b, "series_number", e->series_number);
          add_string (b, "modality", e->modality);
          add_string (b, "series_description", e->series_description);
          add_string (b, "body_part", e->body_part);
          add_int (b, "images", e->n_instances);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      mt_cli_print_json (b);
      return 0;
    }
  g_print ("%-6s %-24s %-14s %-10s %-4s %6s  %s\n", _("ID"), _("Patient"), _("Patient ID"), _("Date"),
           _("Mod."), _("Images"), _("Series"));
  for (guint i = 0; i < rows->len; i++)
    {
      MtLibraryEntry *e = rows->pdata[i];
      g_print ("%-6" G_GINT64_FORMAT " %-24.24s %-14.14s %-10s %-4s %6d  %s\n", e->series_id,
               e->patient_name ? e->patient_name : "", e->patient_id ? e->patient_id : "",
               e->study_date ? e->study_date : "", e->modality ? e->modality : "", e->n_instances,
               e->series_description ? e->series_description : "");
    }
  return 0;
}

/* ------------------------------------------------------------------ main */

static const struct
{
  const char  *name;
  CommandFunc  func;
  const char  *help;
} commands[] = {
  { "info", cmd_info, N_("Describe the series in a DICOM folder or file") },
  { "phantom", cmd_phantom, N_("Generate the demo patient (DICOM CT, ground truth, ECG)") },
  { "import", cmd_import, N_("Add the DICOM files under a folder to the patient library") },
  { "ls", cmd_ls, N_("List and search the series in the patient library") },
  { "convert", cmd_convert, N_("Write a scan as NIfTI-1 (.nii, .nii.gz) or NRRD (.nrrd)") },
  { "render", mt_cli_render, N_("Render a view of a scan to PNG without a display") },
  { "segment", mt_cli_segment, N_("Segment a CT (body, couch, ...) into a label map with volumes and mean HU") },
  { "surface", mt_cli_surface, N_("Write the closed surface of a label (segmentation) as STL") },
  { "mesh", mt_cli_mesh, N_("A surface mesh of a scan (iso-value) or of a segment, as STL, OBJ or PLY") },
  { "mesh-distance", mt_cli_mesh_distance, N_("How far two surfaces are apart: mean and largest (Hausdorff)") },
  { "anatomy", mt_cli_anatomy, N_("The organs of a label map as a graph: place, volume, contacts, inputs (--json)") },
  { "physio", mt_cli_physio, N_("The heart, circulation and breath model in steady state: pressures, volumes, output") },
  { "ecg", mt_cli_ecg, N_("An ECG's R-peaks and heart rate (WFDB, DICOM waveform or CSV)") },
  { "measure", mt_cli_measure, N_("Measure distances, angles and regions (mean, SD, area) on a scan") },
  { "register", mt_cli_register, N_("Align one scan onto another (rigid) and write the transform for ITK tools") },
  { "crop", mt_cli_crop, N_("Crop a scan to the body or a box, resample it to cubic voxels, reorient it") },
  { "follow-up", mt_cli_follow_up, N_("Lung nodules on a baseline and a follow-up scan: volume change, doubling time") },
  { "resample", mt_cli_resample, N_("Resample a scan or label map onto another scan's grid through a transform") },
  { "transform", mt_cli_transform, N_("Invert an ITK affine transform or chain several into one") },
};

static void
usage (void)
{
  g_printerr ("%s\n\n", _("Usage: medtwin-cli COMMAND [OPTIONS] ..."));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-10s %s\n", commands[i].name, _(commands[i].help));
  g_printerr ("\n%s\n", _("Run medtwin-cli COMMAND --help for the options of a command."));
}

int
main (int argc, char **argv)
{
  mt_i18n_init ();
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage ();
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("medtwin-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        /* The command sees itself as argv[0]. */
        g_autofree char *prg = g_strdup_printf ("medtwin-cli %s", argv[1]);
        argv[1] = prg;
        return commands[i].func (argc - 1, argv + 1);
      }
  g_printerr (_("medtwin-cli: unknown command “%s”\n\n"), argv[1]);
  usage ();
  return 2;
}
