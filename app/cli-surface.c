/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "cli-common.h"
#include "cli-surface.h"
#include "mt-mesh.h"
#include "mt-series.h"
#include "mt-volume.h"

int
mt_cli_surface (int argc, char **argv)
{
  int label = -1;
  g_autofree char *out = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "label", 0, 0, G_OPTION_ARG_INT, &label, N_("The label value to wrap (default: every value above 0)"), "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("STL file to write"), "OUT.stl" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("LABELS — the closed surface of a label as STL, for 3D printing"),
                             entries))
    return 2;
  if (argc != 2 || out == NULL)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli surface LABELS.nii[.gz] [--label N] --out OUT.stl [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) labels = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (labels == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (MtMesh) mesh = mt_mesh_from_labels (labels, label, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (mesh == NULL || !mt_mesh_write_stl (mesh, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  double ml = mt_mesh_volume (mesh) / 1000, area = mt_mesh_area (mesh);
  if (json)
    g_print ("{\n  \"label\" : %d,\n  \"triangles\" : %u,\n  \"vertices\" : %u,\n  \"volume_ml\" : %.3f,\n"
             "  \"area_mm2\" : %.1f,\n  \"ms\" : %.1f,\n  \"out\" : \"%s\"\n}\n",
             label, mesh->n_triangles, mesh->n_vertices, ml, area, ms, out);
  else
    g_print (_("%u triangles, %.1f ml, %.0f mm² → %s\n"), mesh->n_triangles, ml, area, out);
  return 0;
}
