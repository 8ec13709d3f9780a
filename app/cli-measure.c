/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli-common.h"
#include "cli-measure.h"
#include "mt-measurement.h"
#include "mt-reslice.h"
#include "mt-series.h"
#include "mt-volume.h"

/* "X,Y,Z:X,Y,Z:..." into points; FALSE if any is not three finite numbers. */
static gboolean
parse_points (const char *text, GArray *out)
{
  g_auto (GStrv) parts = g_strsplit (text, ":", -1);
  for (int i = 0; parts[i] != NULL; i++)
    {
      g_auto (GStrv) xyz = g_strsplit (parts[i], ",", -1);
      if (g_strv_length (xyz) != 3)
        return FALSE;
      for (int c = 0; c < 3; c++)
        {
          char *end;
          double v = g_ascii_strtod (g_strstrip (xyz[c]), &end);
          if (end == xyz[c] || *end != '\0' || !isfinite (v) || fabs (v) > 1e6)
            return FALSE;
          g_array_append_val (out, v);
        }
    }
  return TRUE;
}

static void
print_text (const MtMeasurement *m)
{
  g_autofree char *value = mt_measurement_describe (m);
  g_print ("%s\t%s\n", mt_measurement_kind_name (m->kind), value);
}

int
mt_cli_measure (int argc, char **argv)
{
  g_autofree char *distance = NULL, *angle = NULL, *ellipse = NULL, *polygon = NULL;
  g_autofree char *view = g_strdup ("axial");
  gboolean json = FALSE, save = FALSE, list = FALSE;
  GOptionEntry entries[] = {
    { "distance", 0, 0, G_OPTION_ARG_STRING, &distance, N_("Distance between two points (patient LPS mm)"),
      "X,Y,Z:X,Y,Z" },
    { "angle", 0, 0, G_OPTION_ARG_STRING, &angle, N_("Angle at the middle point"), "A:VERTEX:B" },
    { "ellipse", 0, 0, G_OPTION_ARG_STRING, &ellipse,
      N_("Ellipse region: its centre and a corner of its box, on the view's plane through the centre"),
      "CENTRE:CORNER" },
    { "polygon", 0, 0, G_OPTION_ARG_STRING, &polygon,
      N_("Polygon region: three or more corners, on the view's plane through the first"), "P1:P2:P3..." },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view, N_("Plane of a region: axial, coronal or sagittal"), "VIEW" },
    { "save", 0, 0, G_OPTION_ARG_NONE, &save, N_("Keep the measurement with the scan (the viewer shows it)"),
      NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the measurements kept with the scan"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — measure distances, angles and regions on a scan"), entries))
    return 2;
  int given = (distance != NULL) + (angle != NULL) + (ellipse != NULL) + (polygon != NULL) + (list != FALSE);
  if (argc != 2 || given != 1)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli measure PATH (--distance P:P | --angle P:P:P | "
                            "--ellipse CENTRE:CORNER | --polygon P:P:P... | --list) [--view VIEW] [--save] "
                            "[--json]; a point P is X,Y,Z in patient millimetres (LPS)"));
      return 2;
    }
  MtViewAxis axis;
  if (!mt_view_axis_lookup (view, &axis))
    {
      g_printerr (_("medtwin-cli: unknown view “%s”; use axial, coronal or sagittal\n"), view);
      return 2;
    }
  MtMeasurementKind kind = MT_MEASUREMENT_DISTANCE;
  const char *spec = distance;
  if (angle)
    kind = MT_MEASUREMENT_ANGLE, spec = angle;
  else if (ellipse)
    kind = MT_MEASUREMENT_ELLIPSE, spec = ellipse;
  else if (polygon)
    kind = MT_MEASUREMENT_POLYGON, spec = polygon;
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (double));
  int n = 0;
  if (!list)
    {
      static const int need[] = { 2, 3, 2, 3 };
      gboolean ok = parse_points (spec, points);
      n = (int) points->len / 3;
      if (!ok || n < need[kind] || (kind != MT_MEASUREMENT_POLYGON && n != need[kind]) || n > 4096)
        {
          g_printerr (_("medtwin-cli: --%s needs %d points X,Y,Z separated by “:”, got “%s”\n"),
                      mt_measurement_kind_name (kind), need[kind], spec);
          return 2;
        }
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) volume = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (volume == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  g_autofree char *key = mt_measurements_study_key (volume, argv[1]);
  g_autoptr (GPtrArray) kept = mt_measurements_load (key, &error);
  if (kept == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  if (list)
    {
      for (guint i = 0; i < kept->len; i++)
        mt_measurement_update (kept->pdata[i], volume, NULL);
      if (json)
        {
          g_autofree char *text = mt_measurements_to_json (kept);
          g_print ("%s\n", text);
        }
      else
        for (guint i = 0; i < kept->len; i++)
          print_text (kept->pdata[i]);
      return 0;
    }

  /* The view's own plane through the first point (an ellipse's centre). */
  MtSliceLayout layout;
  MtObliquePlane plane;
  mt_slice_layout_init (&layout, volume, axis);
  mt_slice_layout_plane (&layout, volume, (double *) points->data, &plane);
  MtMeasurement *m = mt_measurement_new (kind, axis, &plane, (double *) points->data, n);
  gboolean measured = mt_measurement_update (m, volume, &error);
  if (!measured)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      mt_measurement_free (m);
      return 1;
    }
  g_autoptr (GPtrArray) one = mt_measurements_new_list ();
  g_ptr_array_add (one, m);
  if (json)
    {
      g_autofree char *text = mt_measurements_to_json (one);
      g_print ("%s\n", text);
    }
  else
    print_text (m);
  if (save)
    {
      g_ptr_array_add (kept, mt_measurement_copy (m));
      if (!mt_measurements_save (key, kept, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  return 0;
}
