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
#include "mt-segmentation.h"
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

/* What to do after extraction, and what it did, for --json. */
typedef struct
{
  MtMeshRefine       how;
  double             clip_box[6], clip_plane[4];
  gboolean           box, plane, cap;
  double             extract_ms, smooth_ms, remesh_ms, decimate_ms;
  guint              extracted, pieces_removed, holes_filled;
  double             error_mean, error_max;
} Refine;

/* Refined, then cut last so that the caps stay flat. */
static MtMesh *
refine (const MtMesh *mesh, Refine *r, GError **error)
{
  MtMeshRefineReport report;
  r->extracted += mesh->n_triangles;
  MtMesh *m = mt_mesh_refined (mesh, &r->how, &report, NULL, NULL, error);
  if (m == NULL)
    return NULL;
  r->pieces_removed += report.pieces_removed;
  r->holes_filled += report.holes_filled;
  r->smooth_ms += report.smooth_ms;
  r->remesh_ms += report.remesh_ms;
  r->decimate_ms += report.decimate_ms;
  r->error_mean = MAX (r->error_mean, report.decimate_mean_mm);
  r->error_max = MAX (r->error_max, report.decimate_hausdorff_mm);
  /* As render takes them: the box as X0,X1,Y0,Y1,Z0,Z1; the plane as
   * N and D, removing where N.x + D > 0. */
  if (r->box)
    {
      double lo[3], hi[3];
      for (int k = 0; k < 3; k++)
        {
          lo[k] = MIN (r->clip_box[2 * k], r->clip_box[2 * k + 1]);
          hi[k] = MAX (r->clip_box[2 * k], r->clip_box[2 * k + 1]);
        }
      mt_mesh_clip_box (m, lo, hi, r->cap);
    }
  if (r->plane)
    {
      const double *n = r->clip_plane;
      double nn = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
      double keep[3] = { -n[0], -n[1], -n[2] }, point[3];
      for (int k = 0; k < 3; k++)
        point[k] = -n[3] * n[k] / nn;
      mt_mesh_clip_plane (m, point, keep, r->cap);
    }
  return m;
}

typedef struct
{
  guint  triangles, vertices, open_edges;
  double area_mm2, volume_ml;
} Facts;

static Facts
facts_of (const MtMesh *mesh)
{
  return (Facts) { mesh->n_triangles, mesh->n_vertices, mt_mesh_open_edges (mesh), mt_mesh_area (mesh),
                   mt_mesh_volume (mesh) / 1000 };
}

static void
add_facts (JsonBuilder *b, const Facts *f)
{
  json_builder_set_member_name (b, "triangles");
  json_builder_add_int_value (b, f->triangles);
  json_builder_set_member_name (b, "vertices");
  json_builder_add_int_value (b, f->vertices);
  json_builder_set_member_name (b, "area_mm2");
  json_builder_add_double_value (b, f->area_mm2);
  json_builder_set_member_name (b, "volume_mL");
  json_builder_add_double_value (b, f->volume_ml);
  json_builder_set_member_name (b, "open_edges");
  json_builder_add_int_value (b, f->open_edges);
}

/* The whole positive values a label map holds, rising. */
static GArray *
label_values (const MtVolume *v)
{
  g_autofree guint8 *seen = g_new0 (guint8, 65536);
  gsize n = mt_volume_n_voxels (v);
  for (gsize i = 0; i < n; i++)
    {
      long value = lroundf (v->data[i]);
      if (value > 0 && value < 65536)
        seen[value] = 1;
    }
  GArray *values = g_array_new (FALSE, FALSE, sizeof (int));
  for (int value = 1; value < 65536; value++)
    if (seen[value])
      g_array_append_val (values, value);
  return values;
}

/* The segments asked for, as values of the label map: names looked up in
 * the table, numbers as they are, "all" for every value in the map. */
static GArray *
segment_values (char **names, const char *table, const MtVolume *v, GError **error)
{
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_strcmp0 (names[i], "all") == 0)
        {
          g_autoptr (GArray) all = label_values (v);
          g_array_append_vals (values, all->data, all->len);
          continue;
        }
      int value = segment_value (names[i], table, error);
      if (value < 0)
        return NULL;
      g_array_append_val (values, value);
    }
  return g_steal_pointer (&values);
}

int
mt_cli_mesh (int argc, char **argv)
{
  g_autofree char *out = NULL, *table = NULL, *box = NULL, *plane = NULL, *space = NULL;
  g_auto (GStrv) segments = NULL;
  double iso = NAN;
  gboolean json = FALSE, no_cap = FALSE;
  int max_hole = 0;
  Refine r = { 0 };
  GOptionEntry entries[] = {
    { "iso", 0, 0, G_OPTION_ARG_DOUBLE, &iso, N_("The surface where the scan crosses this value (300 for bone in CT)"),
      "VALUE" },
    { "segment", 0, 0, G_OPTION_ARG_STRING_ARRAY, &segments,
      N_("The surface of a segment of a label map: its name (see --table) or its number; again for more segments "
         "(one file: an OBJ group each), or “all”"), "NAME" },
    { "table", 0, 0, G_OPTION_ARG_FILENAME, &table,
      N_("The label map's names and values as JSON (default: labels.json beside it)"), "TABLE.json" },
    { "remove-pieces", 0, 0, G_OPTION_ARG_DOUBLE, &r.how.remove_pieces,
      N_("Remove pieces with fewer triangles than this fraction of the largest piece (0.01: specks)"), "FRACTION" },
    { "fill-holes", 0, 0, G_OPTION_ARG_NONE, &r.how.fill_holes, N_("Close every hole in the surface"), NULL },
    { "max-hole", 0, 0, G_OPTION_ARG_INT, &max_hole, N_("With --fill-holes: only holes of at most N edges"), "N" },
    { "smooth", 0, 0, G_OPTION_ARG_INT, &r.how.smooth_iterations,
      N_("Taubin smoothing iterations (the voxel staircase smoothed away, the volume kept); 0: none"), "N" },
    { "remesh", 0, 0, G_OPTION_ARG_DOUBLE, &r.how.remesh_edge_mm,
      N_("Isotropic remeshing: triangles close to equilateral with edges of about this length (mm)"), "MM" },
    { "decimate", 0, 0, G_OPTION_ARG_DOUBLE, &r.how.decimate,
      N_("Fraction of the triangles to remove by quadric error (0.9: a tenth left)"), "FRACTION" },
    { "clip-box", 0, 0, G_OPTION_ARG_STRING, &box,
      N_("Keep what lies in this box (patient LPS mm, as render takes it), the cuts capped"), "X0,X1,Y0,Y1,Z0,Z1" },
    { "clip-plane", 0, 0, G_OPTION_ARG_STRING, &plane,
      N_("Remove what lies where NX*x + NY*y + NZ*z + D > 0 (patient LPS mm, as render takes it), the cut capped"),
      "NX,NY,NZ,D" },
    { "no-cap", 0, 0, G_OPTION_ARG_NONE, &no_cap, N_("Leave the cuts open"), NULL },
    { "space", 0, 0, G_OPTION_ARG_STRING, &space,
      N_("Coordinates written: LPS (DICOM's, the default) or RAS (3D Slicer's)"), "LPS|RAS" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Mesh to write: .stl, .obj or .ply"), "MESH.stl" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — a surface mesh of a scan or a label map"), entries))
    return 2;
  if (argc != 2 || out == NULL || isnan (iso) == (segments == NULL))
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli mesh PATH (--iso VALUE | --segment NAME [--table TABLE.json]) "
                            "--out MESH.stl|obj|ply [--smooth N] [--decimate FRACTION] [--json]"));
      return 2;
    }
  r.cap = !no_cap;
  r.how.max_hole_edges = (guint) MAX (max_hole, 0);
  MtMeshSpace mesh_space = MT_MESH_LPS;
  if (space != NULL && g_ascii_strcasecmp (space, "ras") == 0)
    mesh_space = MT_MESH_RAS;
  else if (space != NULL && g_ascii_strcasecmp (space, "lps") != 0)
    {
      g_printerr (_("medtwin-cli: --space is LPS or RAS, not “%s”.\n"), space);
      return 2;
    }
  if (r.how.smooth_iterations < 0 || r.how.smooth_iterations > 10000 || !(r.how.decimate >= 0 && r.how.decimate < 1)
      || !(r.how.remove_pieces >= 0 && r.how.remove_pieces <= 1) || !(r.how.remesh_edge_mm >= 0)
      || max_hole < 0)
    {
      g_printerr ("%s\n", _("medtwin-cli: --smooth takes 0 to 10000 iterations, --decimate a fraction from 0 up to "
                            "(not including) 1, --remove-pieces a fraction from 0 to 1, --max-hole a count of edges, --remesh a length in mm."));
      return 2;
    }
  if ((box != NULL && !(r.box = mt_cli_parse_numbers (box, r.clip_box, 6)))
      || (plane != NULL && !(r.plane = mt_cli_parse_numbers (plane, r.clip_plane, 4)))
      || (r.plane && r.clip_plane[0] == 0 && r.clip_plane[1] == 0 && r.clip_plane[2] == 0))
    {
      g_printerr ("%s\n", _("medtwin-cli: --clip-box takes X0,X1,Y0,Y1,Z0,Z1 and --clip-plane NX,NY,NZ,D with a "
                            "normal that is not zero: numbers in millimetres, separated by commas."));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (v == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  g_autoptr (GPtrArray) surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  g_autoptr (GArray) values = NULL;
  if (segments != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (argv[1]);
      g_autofree char *beside = g_build_filename (dir, "labels.json", NULL);
      const char *names_path = table ? table : beside;
      g_autoptr (GHashTable) names = g_file_test (names_path, G_FILE_TEST_EXISTS)
                                       ? mt_segmentation_read_names (names_path, NULL) : NULL;
      values = segment_values (segments, names_path, v, &error);
      if (values == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
      for (guint i = 0; i < values->len; i++)
        {
          int label = g_array_index (values, int, i);
          gint64 t0 = g_get_monotonic_time ();
          g_autoptr (MtMesh) raw = mt_mesh_from_label_cubes (v, label, &error);
          r.extract_ms += (g_get_monotonic_time () - t0) / 1000.0;
          g_autoptr (MtMesh) mesh = raw ? refine (raw, &r, &error) : NULL;
          if (mesh == NULL)
            {
              g_printerr ("medtwin-cli: %s\n", error->message);
              return 1;
            }
          /* Named from the table, coloured as the viewer colours a label
           * map's segment of that name (or value, for a name it does not
           * know). */
          const char *known = names ? g_hash_table_lookup (names, GINT_TO_POINTER (label)) : NULL;
          g_autofree char *name = known ? g_strdup (known) : g_strdup_printf ("label_%d", label);
          guint8 rgb[3];
          mt_segment_color_for_name (name, (guint16) label, rgb);
          float rgba[4] = { rgb[0] / 255.0f, rgb[1] / 255.0f, rgb[2] / 255.0f, 1 };
          g_ptr_array_add (surfaces, mt_surface_new (mesh, name, rgba));
        }
    }
  else
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (MtMesh) raw = mt_mesh_from_iso (v, (float) iso, &error);
      r.extract_ms += (g_get_monotonic_time () - t0) / 1000.0;
      g_autoptr (MtMesh) mesh = raw ? refine (raw, &r, &error) : NULL;
      if (mesh == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
      const float ivory[4] = { 0.93f, 0.89f, 0.80f, 1 };
      g_autofree char *name = g_strdup_printf ("iso_%g", iso);
      g_ptr_array_add (surfaces, mt_surface_new (mesh, name, ivory));
    }
  if (!mt_surfaces_write ((MtSurface **) surfaces->pdata, surfaces->len, mesh_space, out, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  /* Each surface's facts, and all of them together. */
  g_autofree Facts *facts = g_new0 (Facts, surfaces->len);
  Facts all = { 0 };
  for (guint i = 0; i < surfaces->len; i++)
    {
      facts[i] = facts_of (((MtSurface *) surfaces->pdata[i])->mesh);
      all.triangles += facts[i].triangles;
      all.vertices += facts[i].vertices;
      all.open_edges += facts[i].open_edges;
      all.area_mm2 += facts[i].area_mm2;
      all.volume_ml += facts[i].volume_ml;
    }
  if (!json)
    {
      g_print (_("%u triangles, %.1f ml, %.0f mm² → %s\n"), all.triangles, all.volume_ml, all.area_mm2, out);
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_facts (b, &all);
  json_builder_set_member_name (b, "extract_ms");
  json_builder_add_double_value (b, r.extract_ms);
  json_builder_set_member_name (b, "extracted_triangles");
  json_builder_add_int_value (b, r.extracted);
  json_builder_set_member_name (b, "pieces_removed");
  json_builder_add_int_value (b, r.pieces_removed);
  json_builder_set_member_name (b, "holes_filled");
  json_builder_add_int_value (b, r.holes_filled);
  json_builder_set_member_name (b, "smooth_iterations");
  json_builder_add_int_value (b, r.how.smooth_iterations);
  json_builder_set_member_name (b, "smooth_ms");
  json_builder_add_double_value (b, r.smooth_ms);
  json_builder_set_member_name (b, "remesh_edge_mm");
  json_builder_add_double_value (b, r.how.remesh_edge_mm);
  json_builder_set_member_name (b, "remesh_ms");
  json_builder_add_double_value (b, r.remesh_ms);
  json_builder_set_member_name (b, "decimate_fraction");
  json_builder_add_double_value (b, r.how.decimate);
  json_builder_set_member_name (b, "decimate_ms");
  json_builder_add_double_value (b, r.decimate_ms);
  if (r.how.decimate > 0)
    {
      json_builder_set_member_name (b, "decimate_mean_error_mm");
      json_builder_add_double_value (b, r.error_mean);
      json_builder_set_member_name (b, "decimate_hausdorff_mm");
      json_builder_add_double_value (b, r.error_max);
    }
  json_builder_set_member_name (b, "space");
  json_builder_add_string_value (b, mesh_space == MT_MESH_RAS ? "RAS" : "LPS");
  if (values != NULL)
    {
      if (values->len == 1)
        {
          json_builder_set_member_name (b, "label");
          json_builder_add_int_value (b, g_array_index (values, int, 0));
        }
      json_builder_set_member_name (b, "segments");
      json_builder_begin_array (b);
      for (guint i = 0; i < surfaces->len; i++)
        {
          const MtSurface *sf = surfaces->pdata[i];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, sf->name);
          json_builder_set_member_name (b, "label");
          json_builder_add_int_value (b, g_array_index (values, int, i));
          add_facts (b, &facts[i]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
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
