/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Surfaces from label volumes: closed, facing out, of the right volume and
 * area; STL out and back; damaged STL files refused with their name. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "mt-file-utils.h"
#include "mt-mesh.h"
#include "mt-phantom.h"
#include "mt-volume.h"

/* A ball of radius r mm at the centre of an n^3 grid of the given spacing. */
static MtVolume *
ball (int n, const double spacing[3], double r, gboolean mirrored)
{
  g_autoptr (GError) error = NULL;
  MtVolume *v = mt_volume_new (n, n, n, &error);
  g_assert_no_error (error);
  memcpy (v->spacing, spacing, sizeof v->spacing);
  if (mirrored)
    v->direction[0] = -1;
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        {
          double x = (i - (n - 1) / 2.0) * spacing[0], y = (j - (n - 1) / 2.0) * spacing[1];
          double z = (k - (n - 1) / 2.0) * spacing[2];
          v->data[mt_volume_offset (v, i, j, k)] = x * x + y * y + z * z <= r * r ? 3 : 0;
        }
  return v;
}

/* Every edge is shared by exactly two triangles, once each way round. */
static void
assert_closed (const MtMesh *m)
{
  g_autoptr (GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, 3 * (gsize) m->n_triangles);
  for (guint t = 0; t < m->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint32 a = m->triangles[3 * t + e], b = m->triangles[3 * t + (e + 1) % 3];
        keys[3 * t + e] = ((gint64) a << 32) | b;
        g_assert_false (g_hash_table_contains (edges, &keys[3 * t + e]));
        g_hash_table_add (edges, &keys[3 * t + e]);
      }
  for (guint i = 0; i < 3 * m->n_triangles; i++)
    {
      gint64 reverse = ((keys[i] & 0xffffffff) << 32) | (keys[i] >> 32);
      g_assert_true (g_hash_table_contains (edges, &reverse));
    }
}

/* Closed, though perhaps pinched where two voxels meet along an edge: every
 * edge is walked as often one way round as the other. */
static void
assert_watertight (const MtMesh *m)
{
  g_autoptr (GHashTable) count = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint t = 0; t < m->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint32 a = m->triangles[3 * t + e], b = m->triangles[3 * t + (e + 1) % 3];
        gint64 key = ((gint64) MIN (a, b) << 32) | MAX (a, b);
        gint64 *k = g_memdup2 (&key, sizeof key);
        int c = GPOINTER_TO_INT (g_hash_table_lookup (count, k)) + (a < b ? 1 : -1);
        g_hash_table_replace (count, k, GINT_TO_POINTER (c));
      }
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, count);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_assert_cmpint (GPOINTER_TO_INT (value), ==, 0);
}

static void
check_ball (const double spacing[3], gboolean mirrored)
{
  const double r = 12;
  g_autoptr (MtVolume) v = ball (40, spacing, r, mirrored);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_labels (v, 3, &error);
  g_assert_no_error (error);
  assert_closed (m);
  double vol = mt_mesh_volume (m), area = mt_mesh_area (m);
  double true_vol = 4.0 / 3.0 * G_PI * r * r * r, true_area = 4 * G_PI * r * r;
  g_test_message ("ball r %.0f mm, spacing %.2g/%.2g/%.2g%s: %u triangles, volume %.0f (%.0f), area %.0f (%.0f)", r,
                  spacing[0], spacing[1], spacing[2], mirrored ? ", mirrored" : "", m->n_triangles, vol, true_vol,
                  area, true_area);
  g_assert_cmpfloat (fabs (vol - true_vol) / true_vol, <, 0.04);
  /* A staircase surface is larger than the smooth one; within a fifth. */
  g_assert_cmpfloat (fabs (area - true_area) / true_area, <, 0.2);
  /* Normals point away from the centre. */
  double c[3], ijk[3] = { 19.5, 19.5, 19.5 };
  mt_volume_index_to_patient (v, ijk, c);
  guint out = 0;
  for (guint i = 0; i < m->n_vertices; i++)
    {
      double d = 0;
      for (int a = 0; a < 3; a++)
        d += (m->vertices[3 * i + a] - c[a]) * m->normals[3 * i + a];
      out += d > 0;
    }
  g_assert_cmpuint (out, ==, m->n_vertices);
}

static void
test_ball (void)
{
  check_ball ((double[3]) { 1, 1, 1 }, FALSE);
  check_ball ((double[3]) { 0.8, 0.8, 1.5 }, FALSE);
  check_ball ((double[3]) { 1, 1, 1 }, TRUE);
}

/* A ball touching the grid's faces still gives a closed surface. */
static void
test_edges_and_errors (void)
{
  g_autoptr (MtVolume) v = ball (20, (double[3]) { 1, 1, 1 }, 14, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_labels (v, -1, &error);
  g_assert_no_error (error);
  assert_closed (m);
  g_assert_cmpfloat (mt_mesh_volume (m), >, 0);
  double lo[3], hi[3];
  mt_mesh_bounds (m, lo, hi);
  /* Cut off by the grid: the surface runs at most half a voxel outside it. */
  g_assert_cmpfloat (hi[0] - lo[0], <=, 20 + 1e-6);
  g_assert_null (mt_mesh_from_labels (v, 7, &error));
  g_assert_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY);
}

static void
test_stl (void)
{
  g_autoptr (MtVolume) v = ball (30, (double[3]) { 1, 1, 1 }, 9, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_labels (v, 3, &error);
  g_autofree char *dir = g_dir_make_tmp ("medtwin-mesh-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ball.stl", NULL);
  g_assert_true (mt_mesh_write (m, NULL, NULL, path, &error));
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 84 + 50 * (gint64) m->n_triangles);
  g_autoptr (MtMesh) back = mt_mesh_read_stl (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_triangles, ==, m->n_triangles);
  g_assert_cmpuint (back->n_vertices, ==, m->n_vertices);
  assert_closed (back);
  g_assert_cmpfloat_with_epsilon (mt_mesh_volume (back), mt_mesh_volume (m), 1e-3 * mt_mesh_volume (m));

  /* ASCII too. */
  g_autofree char *ascii = g_build_filename (dir, "tri.stl", NULL);
  g_assert_true (g_file_set_contents (ascii,
                                      "solid t\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n"
                                      "   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid t\n", -1, NULL));
  g_autoptr (MtMesh) tri = mt_mesh_read_stl (ascii, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tri->n_triangles, ==, 1);
  g_assert_cmpfloat_with_epsilon (mt_mesh_area (tri), 0.5, 1e-9);

  /* Damaged: cut short, nonsense, empty, a vertex that is not numbers. */
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  const struct { const char *name; const char *bytes; gssize n; } bad[] = {
    { "short.stl", data, (gssize) len - 7 },
    { "noise.stl", "this is not a surface", -1 },
    { "empty.stl", "", 0 },
    { "nan.stl", "solid x\nfacet\nouter loop\nvertex 0 0 zero\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\n", -1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *p = g_build_filename (dir, bad[i].name, NULL);
      g_assert_true (g_file_set_contents (p, bad[i].bytes, bad[i].n, NULL));
      g_clear_error (&error);
      g_assert_null (mt_mesh_read_stl (p, &error));
      g_assert_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].name));
    }
  mt_remove_tree (dir);
}

/* The demo patient's heart: the surface holds the volume its voxels do. */
static void
test_phantom_heart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  gsize voxels = 0, n = mt_volume_n_voxels (p->labels);
  for (gsize i = 0; i < n; i++)
    voxels += lroundf (p->labels->data[i]) == MT_LABEL_HEART;
  double voxel_ml = p->labels->spacing[0] * p->labels->spacing[1] * p->labels->spacing[2] / 1000;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (MtMesh) m = mt_mesh_from_labels (p->labels, MT_LABEL_HEART, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_no_error (error);
  assert_watertight (m);
  double ml = mt_mesh_volume (m) / 1000;
  g_test_message ("heart: %zu voxels = %.1f ml; surface %u triangles encloses %.1f ml (%.0f ms)", voxels,
                  voxels * voxel_ml, m->n_triangles, ml, ms);
  g_assert_cmpfloat (fabs (ml - voxels * voxel_ml) / (voxels * voxel_ml), <, 0.03);
}

/* A smooth field: for a sphere, R minus the distance from the centre; for a
 * torus (ring radius R, tube r), r minus the distance from the ring. */
static MtVolume *
field (int n, const double spacing[3], double big, double small, gboolean torus)
{
  MtVolume *v = mt_volume_new (n, n, n, NULL);
  memcpy (v->spacing, spacing, sizeof v->spacing);
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        {
          double x = (i - (n - 1) / 2.0) * spacing[0], y = (j - (n - 1) / 2.0) * spacing[1];
          double z = (k - (n - 1) / 2.0) * spacing[2];
          double value = torus ? small - hypot (hypot (x, y) - big, z) : big - sqrt (x * x + y * y + z * z);
          v->data[mt_volume_offset (v, i, j, k)] = (float) value;
        }
  return v;
}

/* Iso-surfaces of analytic shapes at several resolutions: closed
 * 2-manifolds facing out, volume and area within 1% at the finest, every
 * vertex within half a voxel of the true surface. */
static void
test_iso_shapes (void)
{
  const double spacings[3][3] = { { 2, 2, 2 }, { 1, 1, 1 }, { 0.5, 0.6, 0.8 } };
  for (int shape = 0; shape < 2; shape++)
    for (int s = 0; s < 3; s++)
      {
        const double *sp = spacings[s];
        const double big = shape ? 18 : 20, small = 7;
        int n = (int) ceil (2 * (shape ? big + small : big) / MIN (sp[0], MIN (sp[1], sp[2]))) + 8;
        g_autoptr (MtVolume) v = field (n, sp, big, small, shape == 1);
        g_autoptr (GError) error = NULL;
        g_autoptr (MtMesh) m = mt_mesh_from_iso (v, 0.0f, &error);
        g_assert_no_error (error);
        assert_closed (m);
        double vol = mt_mesh_volume (m), area = mt_mesh_area (m);
        double true_vol = shape ? 2 * G_PI * G_PI * big * small * small : 4.0 / 3.0 * G_PI * big * big * big;
        double true_area = shape ? 4 * G_PI * G_PI * big * small : 4 * G_PI * big * big;
        /* Every vertex on the surface to within half the coarsest spacing. */
        double centre[3], ijk[3] = { (n - 1) / 2.0, (n - 1) / 2.0, (n - 1) / 2.0 }, worst = 0;
        mt_volume_index_to_patient (v, ijk, centre);
        for (guint i = 0; i < m->n_vertices; i++)
          {
            double x = m->vertices[3 * i] - centre[0], y = m->vertices[3 * i + 1] - centre[1];
            double z = m->vertices[3 * i + 2] - centre[2];
            double d = shape ? small - hypot (hypot (x, y) - big, z) : big - sqrt (x * x + y * y + z * z);
            worst = MAX (worst, fabs (d));
          }
        g_test_message ("%s, spacing %.1f/%.1f/%.1f mm: %u triangles, volume %+.2f%%, area %+.2f%%, farthest vertex "
                        "%.3f mm off", shape ? "torus" : "sphere", sp[0], sp[1], sp[2], m->n_triangles,
                        100 * (vol / true_vol - 1), 100 * (area / true_area - 1), worst);
        g_assert_cmpfloat (worst, <, 0.5 * MAX (sp[0], MAX (sp[1], sp[2])));
        /* The normals (from the field's gradient) point out of the sphere,
         * within a few degrees of the true ones. */
        if (shape == 0)
          {
            double least = 1;
            for (guint i = 0; i < m->n_vertices; i++)
              {
                double x = m->vertices[3 * i] - centre[0], y = m->vertices[3 * i + 1] - centre[1];
                double z = m->vertices[3 * i + 2] - centre[2], r = sqrt (x * x + y * y + z * z);
                least = MIN (least, (x * m->normals[3 * i] + y * m->normals[3 * i + 1] + z * m->normals[3 * i + 2]) / r);
              }
            g_assert_cmpfloat (least, >, cos (5 * G_PI / 180));
          }
        if (s > 0)
          {
            g_assert_cmpfloat (fabs (vol / true_vol - 1), <, 0.01);
            g_assert_cmpfloat (fabs (area / true_area - 1), <, 0.01);
          }
      }
  /* A flat scan has no surface: said, not an empty file. */
  g_autoptr (MtVolume) flat = mt_volume_new (8, 8, 8, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (mt_mesh_from_iso (flat, 100.0f, &error));
  g_assert_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY);
}

/* Mean distance of the vertices from a sphere of radius r about c. */
static double
off_sphere (const MtMesh *m, const double c[3], double r)
{
  double sum = 0;
  for (guint i = 0; i < m->n_vertices; i++)
    {
      double x = m->vertices[3 * i] - c[0], y = m->vertices[3 * i + 1] - c[1], z = m->vertices[3 * i + 2] - c[2];
      sum += fabs (sqrt (x * x + y * y + z * z) - r);
    }
  return sum / m->n_vertices;
}

/* Taubin smoothing of a voxel ball's staircase: the vertices come closer
 * to the true sphere, the volume stays (where plain averaging would shrink
 * it), the surface stays closed; a cancelled run leaves it as it was. */
static void
test_smooth (void)
{
  const double spacing[3] = { 1, 1, 1 }, r = 12;
  g_autoptr (MtVolume) v = ball (40, spacing, r, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_label_cubes (v, 3, &error);
  g_assert_no_error (error);
  assert_closed (m);
  double c[3], ijk[3] = { 19.5, 19.5, 19.5 };
  mt_volume_index_to_patient (v, ijk, c);
  double vol0 = mt_mesh_volume (m), off0 = off_sphere (m, c, r);
  g_assert_true (mt_mesh_smooth (m, 20, NULL, NULL, &error));
  double vol1 = mt_mesh_volume (m), off1 = off_sphere (m, c, r);
  assert_closed (m);
  double true_vol = 4.0 / 3.0 * G_PI * r * r * r;
  g_test_message ("voxel ball r 12 mm: vertices %.3f mm off the sphere before smoothing, %.3f after; volume %.0f "
                  "then %.0f mm3 (%+.2f%%; true %.0f)", off0, off1, vol0, vol1, 100 * (vol1 / vol0 - 1), true_vol);
  g_assert_cmpfloat (off1, <, 0.6 * off0);
  g_assert_cmpfloat (fabs (vol1 / vol0 - 1), <, 0.01);
  /* Cancelled before it starts: nothing moves. */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_autofree float *before = g_memdup2 (m->vertices, 3 * (gsize) m->n_vertices * sizeof (float));
  g_assert_false (mt_mesh_smooth (m, 5, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpmem (before, 3 * (gsize) m->n_vertices * sizeof (float), m->vertices,
                   3 * (gsize) m->n_vertices * sizeof (float));
}

/* Quadric decimation of a smooth sphere by 90%: a tenth of the triangles,
 * still a closed 2-manifold facing out, the volume within 1%, no vertex
 * off the sphere by more than half a millimetre; cancelled, unchanged. */
static void
test_decimate (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr (MtVolume) v = field (48, spacing, 20, 0, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_iso (v, 0.0f, &error);
  g_assert_no_error (error);
  double c[3], ijk[3] = { 23.5, 23.5, 23.5 };
  mt_volume_index_to_patient (v, ijk, c);
  guint before = m->n_triangles;
  double vol0 = mt_mesh_volume (m);
  gint64 t0 = g_get_monotonic_time ();
  g_assert_true (mt_mesh_decimate (m, 0.9, NULL, NULL, &error));
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  assert_closed (m);
  double worst = 0;
  for (guint i = 0; i < m->n_vertices; i++)
    {
      double x = m->vertices[3 * i] - c[0], y = m->vertices[3 * i + 1] - c[1], z = m->vertices[3 * i + 2] - c[2];
      worst = MAX (worst, fabs (sqrt (x * x + y * y + z * z) - 20));
    }
  double vol1 = mt_mesh_volume (m);
  g_test_message ("sphere r 20 mm decimated by 90%%: %u to %u triangles in %.0f ms, volume %+.2f%%, farthest vertex "
                  "%.3f mm off", before, m->n_triangles, ms, 100 * (vol1 / vol0 - 1), worst);
  g_assert_cmpuint (m->n_triangles, <=, before / 10 + 2);
  g_assert_cmpfloat (fabs (vol1 / vol0 - 1), <, 0.01);
  g_assert_cmpfloat (worst, <, 0.5);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  guint n = m->n_triangles;
  g_autoptr (GError) cancelled = NULL;
  mt_mesh_decimate (m, 0.5, NULL, cancel, &cancelled);
  g_assert_cmpuint (m->n_triangles, ==, n);
}

/* Two concentric spheres 1 mm apart are 1 mm apart, mean and largest; the
 * decimated sphere stays within a tenth of a millimetre of the full one. */
static void
test_distance (void)
{
  const double spacing[3] = { 1, 1, 1 };
  g_autoptr (MtVolume) inner = field (48, spacing, 20, 0, FALSE);
  g_autoptr (MtVolume) outer = field (48, spacing, 21, 0, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) a = mt_mesh_from_iso (inner, 0.0f, &error);
  g_autoptr (MtMesh) b = mt_mesh_from_iso (outer, 0.0f, &error);
  double mean, hausdorff;
  mt_mesh_distance (a, b, &mean, &hausdorff);
  g_test_message ("spheres of 20 and 21 mm: mean %.3f mm, Hausdorff %.3f mm", mean, hausdorff);
  g_assert_cmpfloat (fabs (mean - 1), <, 0.02);
  g_assert_cmpfloat (fabs (hausdorff - 1), <, 0.05);
  g_autoptr (MtMesh) c = mt_mesh_from_iso (inner, 0.0f, &error);
  g_assert_true (mt_mesh_decimate (c, 0.9, NULL, NULL, &error));
  mt_mesh_distance (a, c, &mean, &hausdorff);
  g_test_message ("sphere decimated by 90%%: mean %.3f mm, Hausdorff %.3f mm from the full one", mean, hausdorff);
  g_assert_cmpfloat (mean, <, 0.05);
  g_assert_cmpfloat (hausdorff, <, 0.2);
  /* A triangle with no area beside a real one (decimation can leave
   * such): it must not spoil the search. The same triangle is 0 mm away. */
  g_autoptr (MtMesh) one = mt_mesh_new (3, 1), two = mt_mesh_new (4, 2);
  const float corners[12] = { 0, 0, 0, 10, 0, 0, 0, 10, 0, 50, 50, 50 };
  memcpy (one->vertices, corners, 9 * sizeof (float));
  memcpy (two->vertices, corners, 12 * sizeof (float));
  const guint32 t1[3] = { 0, 1, 2 }, t2[6] = { 3, 3, 3, 0, 1, 2 };
  memcpy (one->triangles, t1, sizeof t1);
  memcpy (two->triangles, t2, sizeof t2);
  mt_mesh_distance (one, two, &mean, &hausdorff);
  g_test_message ("a triangle against itself and a triangle of no area: mean %.3f, Hausdorff %.3f mm", mean, hausdorff);
  /* Every corner of the real triangle 0 mm away both ways; the lone point
   * (50, 50, 50) is sqrt (45^2 + 45^2 + 50^2) from the triangle's long edge;
   * the mean over the 7 vertices. */
  double far = sqrt (45.0 * 45 * 2 + 50 * 50);
  g_assert_cmpfloat (fabs (hausdorff - far), <, 1e-4);
  g_assert_cmpfloat (fabs (mean - far / 7), <, 1e-4);
}

/* A copy whose vertices at the same place are one: a flat cap has its own
 * vertices along the rim it shares with the sides. */
static MtMesh *
welded (const MtMesh *m)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                       NULL);
  MtMesh *w = mt_mesh_new (m->n_vertices, m->n_triangles);
  memcpy (w->vertices, m->vertices, 3 * (gsize) m->n_vertices * sizeof (float));
  g_autofree guint32 *canon = g_new (guint32, m->n_vertices);
  for (guint v = 0; v < m->n_vertices; v++)
    {
      GBytes *key = g_bytes_new_static (m->vertices + 3 * (gsize) v, 3 * sizeof (float));
      gpointer found;
      if (g_hash_table_lookup_extended (seen, key, NULL, &found))
        {
          canon[v] = GPOINTER_TO_UINT (found);
          g_bytes_unref (key);
        }
      else
        g_hash_table_insert (seen, key, GUINT_TO_POINTER (canon[v] = v));
    }
  for (guint i = 0; i < 3 * m->n_triangles; i++)
    w->triangles[i] = canon[m->triangles[i]];
  return w;
}

static void
assert_closed_by_position (const MtMesh *m)
{
  g_autoptr (MtMesh) w = welded (m);
  assert_closed (w);
}

/* A sphere of radius r about the centre of an n^3 grid of 1 mm voxels,
 * with its centre. */
static MtMesh *
sphere_mesh (int n, double r, double centre[3])
{
  g_autoptr (MtVolume) v = field (n, (double[3]) { 1, 1, 1 }, r, 0, FALSE);
  double ijk[3] = { (n - 1) / 2.0, (n - 1) / 2.0, (n - 1) / 2.0 };
  mt_volume_index_to_patient (v, ijk, centre);
  g_autoptr (GError) error = NULL;
  MtMesh *m = mt_mesh_from_iso (v, 0.0f, &error);
  g_assert_no_error (error);
  return m;
}

/* Small pieces go, the large one stays whole: a ball of 10 mm and three
 * specks of one to eight voxels. */
static void
test_small_pieces (void)
{
  g_autoptr (MtVolume) v = ball (40, (double[3]) { 1, 1, 1 }, 10, FALSE);
  v->data[mt_volume_offset (v, 2, 2, 2)] = 3;
  v->data[mt_volume_offset (v, 36, 3, 30)] = 3;
  for (int k = 0; k < 2; k++)
    for (int j = 0; j < 2; j++)
      for (int i = 0; i < 2; i++)
        v->data[mt_volume_offset (v, 3 + i, 34 + j, 4 + k)] = 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) m = mt_mesh_from_label_cubes (v, 3, &error);
  g_autoptr (MtVolume) only = ball (40, (double[3]) { 1, 1, 1 }, 10, FALSE);
  g_autoptr (MtMesh) alone = mt_mesh_from_label_cubes (only, 3, &error);
  g_assert_no_error (error);
  guint before = m->n_triangles;
  g_assert_cmpuint (mt_mesh_remove_small_pieces (m, 0.05), ==, 3);
  g_test_message ("ball and three specks: %u triangles, %u after removing the specks (the ball alone: %u)", before,
                  m->n_triangles, alone->n_triangles);
  g_assert_cmpuint (m->n_triangles, ==, alone->n_triangles);
  g_assert_cmpuint (m->n_vertices, ==, alone->n_vertices);
  assert_closed (m);
  g_assert_cmpfloat_with_epsilon (mt_mesh_volume (m), mt_mesh_volume (alone), 1e-3);
  g_assert_cmpuint (mt_mesh_remove_small_pieces (m, 0.05), ==, 0);
}

/* Holes filled: one triangle punched out (the patch of least area is that
 * triangle again) and the top 3 mm cut away without a cap (a fan closes
 * the flat hole): closed again, the volume of the sphere less the cap. */
static void
test_fill_holes (void)
{
  double c[3];
  g_autoptr (MtMesh) m = sphere_mesh (48, 20, c);
  guint nt = m->n_triangles;
  double area0 = mt_mesh_area (m);
  for (guint t = 0; t < m->n_triangles; t++)
    {
      const float *p = m->vertices + 3 * (gsize) m->triangles[3 * t];
      if (fabs (p[2] - c[2]) < 1 && p[0] > c[0] + 19)
        {
          memmove (m->triangles + 3 * (gsize) t, m->triangles + 3 * (gsize) (nt - 1), 3 * sizeof (guint32));
          m->n_triangles--;
          break;
        }
    }
  g_assert_cmpuint (m->n_triangles, ==, nt - 1);
  double lost = area0 - mt_mesh_area (m);
  const double h = 3, point[3] = { c[0], c[1], c[2] + 20 - h }, down[3] = { 0, 0, -1 };
  g_assert_true (mt_mesh_clip_plane (m, point, down, FALSE));
  double area1 = mt_mesh_area (m);
  /* Only the small one first: the cut's hole is longer than 40 edges. */
  g_assert_cmpuint (mt_mesh_fill_holes (m, 40), ==, 1);
  double area2 = mt_mesh_area (m);
  g_assert_cmpfloat (fabs ((area2 - area1) - lost), <, 1e-3 * lost);
  g_assert_cmpuint (mt_mesh_fill_holes (m, 0), ==, 1);
  assert_closed (m);
  double vol = mt_mesh_volume (m), r = 20;
  double true_vol = 4.0 / 3.0 * G_PI * r * r * r - G_PI * h * h * (3 * r - h) / 3;
  g_test_message ("sphere R 20 with a triangle punched out (%.3f mm2) and its top 3 mm cut off: patch %.3f mm2; "
                  "filled, closed, volume %.0f mm3 (true %.0f, %+.2f%%)", lost, area2 - area1, vol, true_vol,
                  100 * (vol / true_vol - 1));
  g_assert_cmpfloat (fabs (vol / true_vol - 1), <, 0.01);
  g_assert_cmpuint (mt_mesh_fill_holes (m, 0), ==, 0);
}

/* A sphere cut by a plane h mm from its centre keeps a cap of volume
 * pi (R - h)^2 (2R + h) / 3 and area 2 pi R (R - h) plus the flat disc of
 * radius sqrt (R^2 - h^2); closed by its cap. */
static void
test_clip_sphere (void)
{
  const double r = 20;
  const double offsets[] = { 0, 7.3, -11.1 };
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      double c[3];
      g_autoptr (MtMesh) m = sphere_mesh (48, r, c);
      double h = offsets[i];
      /* A tilted plane: its normal (1, 2, 2) / 3. */
      const double n[3] = { 1 / 3.0, 2 / 3.0, 2 / 3.0 };
      double point[3] = { c[0] + h * n[0], c[1] + h * n[1], c[2] + h * n[2] };
      g_assert_true (mt_mesh_clip_plane (m, point, n, TRUE));
      assert_closed_by_position (m);
      double vol = mt_mesh_volume (m), area = mt_mesh_area (m);
      double true_vol = G_PI * (r - h) * (r - h) * (2 * r + h) / 3;
      double true_area = 2 * G_PI * r * (r - h) + G_PI * (r * r - h * h);
      g_test_message ("sphere R 20 cut %+.1f mm from its centre: volume %.1f (true %.1f, %+.2f%%), area %.1f (true "
                      "%.1f, %+.2f%%)", h, vol, true_vol, 100 * (vol / true_vol - 1), area, true_area,
                      100 * (area / true_area - 1));
      g_assert_cmpfloat (fabs (vol / true_vol - 1), <, 0.01);
      g_assert_cmpfloat (fabs (area / true_area - 1), <, 0.01);
      /* The cap faces out of what is kept: its vertices' normals are -n. */
      guint capped = 0;
      for (guint v = 0; v < m->n_vertices; v++)
        capped += fabs (m->normals[3 * v] + n[0]) < 1e-5 && fabs (m->normals[3 * v + 1] + n[1]) < 1e-5
                  && fabs (m->normals[3 * v + 2] + n[2]) < 1e-5;
      g_assert_cmpuint (capped, >, 100);
    }
}

/* A torus cut through its equator leaves a ring-shaped cap (a ring with a
 * hole in it): half the volume, pi^2 R r^2, and the annulus 4 pi R r; cut
 * through its axis, two discs. */
static void
test_clip_torus (void)
{
  const double big = 18, small = 7;
  int n = (int) ceil (2 * (big + small)) + 8;
  g_autoptr (MtVolume) v = field (n, (double[3]) { 1, 1, 1 }, big, small, TRUE);
  double c[3], ijk[3] = { (n - 1) / 2.0, (n - 1) / 2.0, (n - 1) / 2.0 };
  mt_volume_index_to_patient (v, ijk, c);
  for (int axis = 2; axis >= 0; axis -= 2)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MtMesh) m = mt_mesh_from_iso (v, 0.0f, &error);
      double nrm[3] = { 0, 0, 0 };
      nrm[axis] = 1;
      /* Off the grid's planes, so the cut crosses edges, not vertices. */
      double point[3] = { c[0] + 0.013, c[1] + 0.017, c[2] + 0.011 };
      g_assert_true (mt_mesh_clip_plane (m, point, nrm, TRUE));
      assert_closed_by_position (m);
      double vol = mt_mesh_volume (m), area = mt_mesh_area (m);
      double true_vol = G_PI * G_PI * big * small * small;
      double true_area = 2 * G_PI * G_PI * big * small + (axis == 2 ? 4 * G_PI * big * small : 2 * G_PI * small * small);
      g_test_message ("torus cut %s: %u triangles, volume %+.2f%%, area %+.2f%%",
                      axis == 2 ? "through its equator (a ring-shaped cap)" : "through its axis (two discs)",
                      m->n_triangles, 100 * (vol / true_vol - 1), 100 * (area / true_area - 1));
      g_assert_cmpfloat (fabs (vol / true_vol - 1), <, 0.01);
      g_assert_cmpfloat (fabs (area / true_area - 1), <, 0.01);
    }
}

/* A box inside a sphere leaves exactly the box: six caps, closed at its
 * edges and corners. A box around it all changes nothing. */
static void
test_clip_box (void)
{
  double c[3];
  g_autoptr (MtMesh) m = sphere_mesh (48, 20, c);
  const double half = 9.01;
  double lo[3], hi[3];
  for (int k = 0; k < 3; k++)
    {
      lo[k] = c[k] - half - 0.3 * k;
      hi[k] = c[k] + half + 0.2 * k;
    }
  g_assert_true (mt_mesh_clip_box (m, lo, hi, TRUE));
  assert_closed_by_position (m);
  double vol = mt_mesh_volume (m), area = mt_mesh_area (m);
  double true_vol = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  double true_area = 2 * ((hi[0] - lo[0]) * (hi[1] - lo[1]) + (hi[1] - lo[1]) * (hi[2] - lo[2])
                          + (hi[0] - lo[0]) * (hi[2] - lo[2]));
  g_test_message ("box inside a sphere: %u triangles, volume %.3f of %.3f mm3, area %.3f of %.3f mm2", m->n_triangles,
                  vol, true_vol, area, true_area);
  g_assert_cmpfloat (fabs (vol / true_vol - 1), <, 1e-4);
  g_assert_cmpfloat (fabs (area / true_area - 1), <, 1e-4);
  double blo[3], bhi[3];
  mt_mesh_bounds (m, blo, bhi);
  for (int k = 0; k < 3; k++)
    {
      g_assert_cmpfloat (fabs (blo[k] - lo[k]), <, 1e-3);
      g_assert_cmpfloat (fabs (bhi[k] - hi[k]), <, 1e-3);
    }
  g_autoptr (MtMesh) whole = sphere_mesh (48, 20, c);
  guint nt = whole->n_triangles;
  double far_lo[3] = { c[0] - 30, c[1] - 30, c[2] - 30 }, far_hi[3] = { c[0] + 30, c[1] + 30, c[2] + 30 };
  g_assert_false (mt_mesh_clip_box (whole, far_lo, far_hi, TRUE));
  g_assert_cmpuint (whole->n_triangles, ==, nt);
}

/* Several surfaces in one file: OBJ groups with their materials, PLY
 * colours, STL together; RAS negates x and y and keeps the faces out. */
static void
test_write_surfaces (void)
{
  double c[3];
  g_autoptr (MtMesh) a = sphere_mesh (30, 10, c);
  g_autoptr (MtMesh) b = mt_mesh_read_stl ("/nonexistent.stl", NULL);
  g_assert_null (b);
  b = sphere_mesh (20, 6, c);
  const float red[4] = { 0.8f, 0.1f, 0.1f, 1 }, blue[4] = { 0.1f, 0.2f, 0.9f, 0.5f };
  g_autoptr (MtSurface) sa = mt_surface_new (a, "left kidney", red);
  g_autoptr (MtSurface) sb = mt_surface_new (b, "liver", blue);
  MtSurface *list[2] = { sa, sb };
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-mesh-XXXXXX", &error);
  const char *names[] = { "both.obj", "both.ply", "both.stl" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (int space = MT_MESH_LPS; space <= MT_MESH_RAS; space++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);
        g_assert_true (mt_surfaces_write (list, 2, space, path, &error));
        g_autoptr (MtMesh) back = mt_mesh_read (path, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (back->n_triangles, ==, a->n_triangles + b->n_triangles);
        g_assert_cmpfloat_with_epsilon (mt_mesh_volume (back), mt_mesh_volume (a) + mt_mesh_volume (b),
                                        1e-3 * mt_mesh_volume (a));
        /* Both spheres lie in the first octant's corner of their grids:
         * the file's lowest x and y are the meshes' lowest in LPS, their
         * highest negated in RAS. */
        double lo[3], hi[3], alo[3], ahi[3], blo[3], bhi[3];
        mt_mesh_bounds (back, lo, hi);
        mt_mesh_bounds (a, alo, ahi);
        mt_mesh_bounds (b, blo, bhi);
        for (int k = 0; k < 3; k++)
          {
            double want_lo = MIN (alo[k], blo[k]), want_hi = MAX (ahi[k], bhi[k]);
            if (space == MT_MESH_RAS && k < 2)
              {
                double t = -want_hi;
                want_hi = -want_lo;
                want_lo = t;
              }
            g_assert_cmpfloat (fabs (lo[k] - want_lo), <, 1e-3);
            g_assert_cmpfloat (fabs (hi[k] - want_hi), <, 1e-3);
          }
        g_autofree char *text = NULL;
        gsize len;
        g_assert_true (g_file_get_contents (path, &text, &len, NULL));
        g_assert_nonnull (g_strstr_len (text, MIN (len, 400), space == MT_MESH_RAS ? "SPACE=RAS" : "SPACE=LPS"));
        if (i == 0)
          {
            g_assert_nonnull (strstr (text, "\ng left_kidney\nusemtl left_kidney\n"));
            g_assert_nonnull (strstr (text, "\ng liver\nusemtl liver\n"));
            g_autofree char *mtl_path = g_build_filename (dir, "both.mtl", NULL);
            g_autofree char *mtl = NULL;
            g_assert_true (g_file_get_contents (mtl_path, &mtl, NULL, NULL));
            g_assert_nonnull (strstr (mtl, "newmtl liver\nKd 0.100 0.200 0.900\nd 0.500\n"));
          }
      }
  mt_remove_tree (dir);
}

/* Isotropic remeshing of a sphere to 2.5 mm edges: edges near the target
 * and alike, triangles near equilateral, the vertices on the sphere, the
 * volume kept, still closed; an open rim stays where it was; cancelled,
 * nothing changes; a length of 0 is refused. */
static void
test_remesh (void)
{
  double c[3];
  g_autoptr (MtMesh) m = sphere_mesh (48, 20, c);
  double vol0 = mt_mesh_volume (m);
  g_autoptr (GError) error = NULL;
  const double target = 2.5;
  g_assert_true (mt_mesh_remesh (m, target, 5, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_closed (m);
  double sum = 0, sum2 = 0, worst_off = 0, min_angle_sum = 0;
  guint n = 0, thin = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      double len[3];
      for (int k = 0; k < 3; k++)
        {
          const float *a = m->vertices + 3 * (gsize) m->triangles[3 * t + k];
          const float *b = m->vertices + 3 * (gsize) m->triangles[3 * t + (k + 1) % 3];
          len[k] = sqrt ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
          sum += len[k];
          sum2 += len[k] * len[k];
          n++;
        }
      double smallest = 180;
      for (int k = 0; k < 3; k++)
        {
          double x = len[k], y = len[(k + 1) % 3], z = len[(k + 2) % 3];
          smallest = MIN (smallest, acos (CLAMP ((y * y + z * z - x * x) / (2 * y * z), -1, 1)) * 180 / G_PI);
        }
      min_angle_sum += smallest;
      thin += smallest < 20;
    }
  for (guint v = 0; v < m->n_vertices; v++)
    {
      double x = m->vertices[3 * v] - c[0], y = m->vertices[3 * v + 1] - c[1], z = m->vertices[3 * v + 2] - c[2];
      worst_off = MAX (worst_off, fabs (sqrt (x * x + y * y + z * z) - 20));
    }
  double mean = sum / n, sd = sqrt (sum2 / n - mean * mean), vol1 = mt_mesh_volume (m);
  g_test_message ("sphere R 20 remeshed to %.1f mm: %u triangles, edges %.3f mm (SD %.3f), smallest angle %.1f degrees "
                  "on average, %u under 20; farthest vertex %.3f mm off the sphere; volume %+.3f%%", target,
                  m->n_triangles, mean, sd, min_angle_sum / m->n_triangles, thin, worst_off, 100 * (vol1 / vol0 - 1));
  g_assert_cmpfloat (fabs (mean / target - 1), <, 0.1);
  g_assert_cmpfloat (sd / mean, <, 0.15);
  g_assert_cmpfloat (min_angle_sum / m->n_triangles, >, 48);
  g_assert_cmpuint (thin, <, m->n_triangles / 200 + 1);
  g_assert_cmpfloat (worst_off, <, 0.05);
  g_assert_cmpfloat (fabs (vol1 / vol0 - 1), <, 0.01);

  /* Open at the top: the rim's vertices stay exactly where they were. */
  g_autoptr (MtMesh) open = sphere_mesh (48, 20, c);
  const double point[3] = { c[0], c[1], c[2] + 15.3 }, down[3] = { 0, 0, -1 };
  g_assert_true (mt_mesh_clip_plane (open, point, down, FALSE));
  guint rim0 = mt_mesh_open_edges (open);
  g_autoptr (GHashTable) rim = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  for (guint v = 0; v < open->n_vertices; v++)
    if (fabs (open->vertices[3 * v + 2] - point[2]) < 1e-4)
      g_hash_table_add (rim, g_bytes_new (open->vertices + 3 * (gsize) v, 3 * sizeof (float)));
  g_assert_true (mt_mesh_remesh (open, target, 5, NULL, NULL, &error));
  guint kept = 0;
  for (guint v = 0; v < open->n_vertices; v++)
    {
      g_autoptr (GBytes) key = g_bytes_new (open->vertices + 3 * (gsize) v, 3 * sizeof (float));
      kept += g_hash_table_contains (rim, key);
    }
  g_test_message ("open sphere: %u rim edges before and %u after, %u of %u rim vertices in place", rim0,
                  mt_mesh_open_edges (open), kept, g_hash_table_size (rim));
  g_assert_cmpuint (mt_mesh_open_edges (open), ==, rim0);
  g_assert_cmpuint (kept, ==, g_hash_table_size (rim));

  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  guint nt = m->n_triangles;
  g_assert_false (mt_mesh_remesh (m, 1.0, 3, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (m->n_triangles, ==, nt);
  g_clear_error (&error);
  g_assert_false (mt_mesh_remesh (m, 0, 3, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Two segments that touch (the halves of a ball, labels 3 and 4) share
 * their boundary: every vertex of one on the plane between them is a
 * vertex of the other, at the same place to the bit. */
static void
test_shared_boundary (void)
{
  g_autoptr (MtVolume) v = ball (40, (double[3]) { 1, 1, 1 }, 12, FALSE);
  gsize n = mt_volume_n_voxels (v);
  for (int k = 0; k < 40; k++)
    for (int j = 0; j < 40; j++)
      for (int i = 20; i < 40; i++)
        {
          gsize o = mt_volume_offset (v, i, j, k);
          if (v->data[o] == 3)
            v->data[o] = 4;
        }
  g_assert_cmpuint (n, >, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) left = mt_mesh_from_label_cubes (v, 3, &error);
  g_autoptr (MtMesh) right = mt_mesh_from_label_cubes (v, 4, &error);
  g_assert_no_error (error);
  assert_closed (left);
  assert_closed (right);
  /* The plane between voxel columns 19 and 20. */
  double ijk[3] = { 19.5, 0, 0 }, plane[3];
  mt_volume_index_to_patient (v, ijk, plane);
  g_autoptr (GHashTable) on_left = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                          NULL);
  for (guint i = 0; i < left->n_vertices; i++)
    if (fabs (left->vertices[3 * i] - plane[0]) < 1e-4)
      g_hash_table_add (on_left, g_bytes_new (left->vertices + 3 * (gsize) i, 3 * sizeof (float)));
  guint on_right = 0, shared = 0;
  for (guint i = 0; i < right->n_vertices; i++)
    if (fabs (right->vertices[3 * i] - plane[0]) < 1e-4)
      {
        g_autoptr (GBytes) key = g_bytes_new (right->vertices + 3 * (gsize) i, 3 * sizeof (float));
        on_right++;
        shared += g_hash_table_contains (on_left, key);
      }
  g_test_message ("halves of a ball: %u vertices on the plane between them on one side, %u on the other, %u shared",
                  g_hash_table_size (on_left), on_right, shared);
  g_assert_cmpuint (on_right, >, 100);
  g_assert_cmpuint (on_right, ==, g_hash_table_size (on_left));
  g_assert_cmpuint (shared, ==, on_right);
  double both = mt_mesh_volume (left) + mt_mesh_volume (right);
  g_autoptr (MtMesh) whole = mt_mesh_from_label_cubes (v, -1, &error);
  /* Where the interface meets the outside each half cuts its own corner. */
  g_assert_cmpfloat (fabs (both - mt_mesh_volume (whole)), <, 5e-3 * both);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/mesh/ball", test_ball);
  g_test_add_func ("/pipeline/mesh/edges-and-errors", test_edges_and_errors);
  g_test_add_func ("/pipeline/mesh/stl", test_stl);
  g_test_add_func ("/pipeline/mesh/phantom-heart", test_phantom_heart);
  g_test_add_func ("/pipeline/mesh/iso-shapes", test_iso_shapes);
  g_test_add_func ("/pipeline/mesh/smooth", test_smooth);
  g_test_add_func ("/pipeline/mesh/decimate", test_decimate);
  g_test_add_func ("/pipeline/mesh/distance", test_distance);
  g_test_add_func ("/pipeline/mesh/small-pieces", test_small_pieces);
  g_test_add_func ("/pipeline/mesh/fill-holes", test_fill_holes);
  g_test_add_func ("/pipeline/mesh/clip-sphere", test_clip_sphere);
  g_test_add_func ("/pipeline/mesh/clip-torus", test_clip_torus);
  g_test_add_func ("/pipeline/mesh/clip-box", test_clip_box);
  g_test_add_func ("/pipeline/mesh/write-surfaces", test_write_surfaces);
  g_test_add_func ("/pipeline/mesh/remesh", test_remesh);
  g_test_add_func ("/pipeline/mesh/shared-boundary", test_shared_boundary);
  return g_test_run ();
}
