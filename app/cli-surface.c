/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
  if (mesh == NULL || !mt_mesh_write (mesh, NULL, NULL, out, &error))
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

/* The label value of a segment name: a number as it is, or looked up in
 * the table (a JSON object of name: value); -1 and a message otherwise. */
static int
segment_value (const char *name, const char *table_path, GError **error)
{
  char *end;
  long n = strtol (name, &end, 10);
  if (*name != '\0' && *end == '\0')
    {
      if (n < 1 || n > 65535)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Segment %s: label values run from 1 to 65535."),
                       name);
          return -1;
        }
      return (int) n;
    }
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, table_path, error))
    {
      g_prefix_error (error, _("No label table for segment “%s” (give --table TABLE.json or a number): "), name);
      return -1;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (o == NULL || !json_object_has_member (o, name))
    {
      g_autoptr (GString) known = g_string_new (NULL);
      if (o != NULL)
        {
          g_autoptr (GList) members = json_object_get_members (o);
          for (GList *l = members; l; l = l->next)
            g_string_append_printf (known, "%s%s", known->len ? ", " : "", (const char *) l->data);
        }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s has no segment “%s”; it has: %s"), table_path, name,
                   known->len ? known->str : _("nothing"));
      return -1;
    }
  return (int) json_object_get_int_member (o, name);
}

int
mt_cli_mesh (int argc, char **argv)
{
  g_autofree char *out = NULL, *segment = NULL, *table = NULL;
  double iso = NAN, decimate = 0;
  int smooth = 0;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "iso", 0, 0, G_OPTION_ARG_DOUBLE, &iso, N_("The surface where the scan crosses this value (300 for bone in CT)"),
      "VALUE" },
    { "segment", 0, 0, G_OPTION_ARG_STRING, &segment,
      N_("The surface of a segment of a label map: its name (see --table) or its number"), "NAME" },
    { "table", 0, 0, G_OPTION_ARG_FILENAME, &table,
      N_("The label map's names and values as JSON (default: labels.json beside it)"), "TABLE.json" },
    { "smooth", 0, 0, G_OPTION_ARG_INT, &smooth,
      N_("Taubin smoothing iterations (the voxel staircase smoothed away, the volume kept); 0: none"), "N" },
    { "decimate", 0, 0, G_OPTION_ARG_DOUBLE, &decimate,
      N_("Fraction of the triangles to remove by quadric error (0.9: a tenth left)"), "FRACTION" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Mesh to write: .stl, .obj or .ply"), "MESH.stl" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — a surface mesh of a scan or a label map"), entries))
    return 2;
  if (argc != 2 || out == NULL || isnan (iso) == (segment == NULL))
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli mesh PATH (--iso VALUE | --segment NAME [--table TABLE.json]) "
                            "--out MESH.stl|obj|ply [--json]"));
      return 2;
    }
  if (smooth < 0 || smooth > 10000 || !(decimate >= 0 && decimate < 1))
    {
      g_printerr ("%s\n", _("medtwin-cli: --smooth takes 0 to 10000 iterations, --decimate a fraction from 0 up to "
                            "(not including) 1."));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  int label = 0;
  if (segment != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (argv[1]);
      g_autofree char *beside = g_build_filename (dir, "labels.json", NULL);
      label = segment_value (segment, table ? table : beside, &error);
      if (label < 0)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  g_autoptr (MtVolume) v = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (v == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (MtMesh) mesh = segment ? mt_mesh_from_label_cubes (v, label, &error)
                                    : mt_mesh_from_iso (v, (float) iso, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  gint64 t1 = g_get_monotonic_time ();
  if (mesh != NULL && !mt_mesh_smooth (mesh, smooth, NULL, NULL, &error))
    g_clear_pointer (&mesh, mt_mesh_unref);
  double smooth_ms = (g_get_monotonic_time () - t1) / 1000.0;
  guint extracted = mesh ? mesh->n_triangles : 0;
  /* Decimated, how far it strays from the surface before (not timed). */
  g_autoptr (MtMesh) full = NULL;
  if (mesh != NULL && decimate > 0)
    {
      full = mt_mesh_new (mesh->n_vertices, mesh->n_triangles);
      memcpy (full->vertices, mesh->vertices, 3 * (gsize) mesh->n_vertices * sizeof (float));
      memcpy (full->normals, mesh->normals, 3 * (gsize) mesh->n_vertices * sizeof (float));
      memcpy (full->triangles, mesh->triangles, 3 * (gsize) mesh->n_triangles * sizeof (guint32));
    }
  gint64 t2 = g_get_monotonic_time ();
  if (mesh != NULL && decimate > 0 && !mt_mesh_decimate (mesh, decimate, NULL, NULL, &error))
    g_clear_pointer (&mesh, mt_mesh_unref);
  double decimate_ms = (g_get_monotonic_time () - t2) / 1000.0;
  double error_mean = 0, error_max = 0;
  if (mesh != NULL && full != NULL)
    mt_mesh_distance (full, mesh, &error_mean, &error_max);
  if (mesh == NULL || !mt_mesh_write (mesh, segment, NULL, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  double ml = mt_mesh_volume (mesh) / 1000, area = mt_mesh_area (mesh);
  if (!json)
    {
      g_print (_("%u triangles, %.1f ml, %.0f mm² → %s\n"), mesh->n_triangles, ml, area, out);
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "triangles");
  json_builder_add_int_value (b, mesh->n_triangles);
  json_builder_set_member_name (b, "vertices");
  json_builder_add_int_value (b, mesh->n_vertices);
  json_builder_set_member_name (b, "area_mm2");
  json_builder_add_double_value (b, area);
  json_builder_set_member_name (b, "volume_mL");
  json_builder_add_double_value (b, ml);
  json_builder_set_member_name (b, "extract_ms");
  json_builder_add_double_value (b, ms);
  json_builder_set_member_name (b, "smooth_iterations");
  json_builder_add_int_value (b, smooth);
  json_builder_set_member_name (b, "smooth_ms");
  json_builder_add_double_value (b, smooth_ms);
  json_builder_set_member_name (b, "extracted_triangles");
  json_builder_add_int_value (b, extracted);
  json_builder_set_member_name (b, "decimate_fraction");
  json_builder_add_double_value (b, decimate);
  json_builder_set_member_name (b, "decimate_ms");
  json_builder_add_double_value (b, decimate_ms);
  if (full != NULL)
    {
      json_builder_set_member_name (b, "decimate_mean_error_mm");
      json_builder_add_double_value (b, error_mean);
      json_builder_set_member_name (b, "decimate_hausdorff_mm");
      json_builder_add_double_value (b, error_max);
    }
  if (segment != NULL)
    {
      json_builder_set_member_name (b, "label");
      json_builder_add_int_value (b, label);
    }
  else
    {
      json_builder_set_member_name (b, "iso");
      json_builder_add_double_value (b, iso);
    }
  json_builder_set_member_name (b, "out");
  json_builder_add_string_value (b, out);
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}

int
mt_cli_mesh_distance (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("A B — how far two surfaces (STL, OBJ or PLY) are apart"), entries))
    return 2;
  if (argc != 3)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli mesh-distance A.stl|obj|ply B.stl|obj|ply [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) a = mt_mesh_read (argv[1], &error);
  g_autoptr (MtMesh) b = a ? mt_mesh_read (argv[2], &error) : NULL;
  if (b == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  double mean, hausdorff;
  mt_mesh_distance (a, b, &mean, &hausdorff);
  if (!json)
    {
      g_print (_("Mean distance %.3f mm, largest (Hausdorff) %.3f mm\n"), mean, hausdorff);
      return 0;
    }
  g_autoptr (JsonBuilder) j = json_builder_new ();
  json_builder_begin_object (j);
  json_builder_set_member_name (j, "mean_mm");
  json_builder_add_double_value (j, mean);
  json_builder_set_member_name (j, "hausdorff_mm");
  json_builder_add_double_value (j, hausdorff);
  json_builder_end_object (j);
  mt_cli_print_json (j);
  return 0;
}
