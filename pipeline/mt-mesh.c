/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-mesh-error-quark, mt_mesh_error)

MtMesh *
mt_mesh_new (guint n_vertices,
             guint n_triangles)
{
  MtMesh *m = g_new0 (MtMesh, 1);
  g_atomic_ref_count_init (&m->ref);
  m->n_vertices = n_vertices;
  m->n_triangles = n_triangles;
  m->vertices = g_new0 (float, 3 * (gsize) MAX (n_vertices, 1));
  m->normals = g_new0 (float, 3 * (gsize) MAX (n_vertices, 1));
  m->triangles = g_new0 (guint32, 3 * (gsize) MAX (n_triangles, 1));
  return m;
}

MtMesh *
mt_mesh_copy (const MtMesh *mesh)
{
  g_return_val_if_fail (mesh != NULL, NULL);
  MtMesh *m = mt_mesh_new (mesh->n_vertices, mesh->n_triangles);
  memcpy (m->vertices, mesh->vertices, 3 * (gsize) mesh->n_vertices * sizeof (float));
  memcpy (m->normals, mesh->normals, 3 * (gsize) mesh->n_vertices * sizeof (float));
  memcpy (m->triangles, mesh->triangles, 3 * (gsize) mesh->n_triangles * sizeof (guint32));
  return m;
}

MtMesh *
mt_mesh_ref (MtMesh *mesh)
{
  g_atomic_ref_count_inc (&mesh->ref);
  return mesh;
}

void
mt_mesh_unref (MtMesh *mesh)
{
  if (mesh == NULL || !g_atomic_ref_count_dec (&mesh->ref))
    return;
  g_free (mesh->vertices);
  g_free (mesh->normals);
  g_free (mesh->triangles);
  g_free (mesh);
}

static void
face (const MtMesh *m, guint t, double a[3], double b[3], double c[3])
{
  const guint32 *tri = m->triangles + 3 * (gsize) t;
  for (int i = 0; i < 3; i++)
    {
      a[i] = m->vertices[3 * (gsize) tri[0] + i];
      b[i] = m->vertices[3 * (gsize) tri[1] + i];
      c[i] = m->vertices[3 * (gsize) tri[2] + i];
    }
}

static void
cross (const double u[3], const double v[3], double out[3])
{
  out[0] = u[1] * v[2] - u[2] * v[1];
  out[1] = u[2] * v[0] - u[0] * v[2];
  out[2] = u[0] * v[1] - u[1] * v[0];
}

/* Triangle t's normal, as long as twice its area (not normalised). */
static void
face_normal (const MtMesh *m, guint t, double n[3])
{
  double a[3], b[3], c[3], u[3], v[3];
  face (m, t, a, b, c);
  for (int i = 0; i < 3; i++)
    {
      u[i] = b[i] - a[i];
      v[i] = c[i] - a[i];
    }
  cross (u, v, n);
}

void
mt_mesh_compute_normals (MtMesh *m)
{
  g_autofree double *acc = g_new0 (double, 3 * (gsize) MAX (m->n_vertices, 1));
  for (guint t = 0; t < m->n_triangles; t++)
    {
      double n[3];
      /* Twice the area long, so larger triangles weigh more. */
      face_normal (m, t, n);
      for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
          acc[3 * (gsize) m->triangles[3 * (gsize) t + k] + i] += n[i];
    }
  for (guint v = 0; v < m->n_vertices; v++)
    {
      double *n = acc + 3 * (gsize) v, len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      for (int i = 0; i < 3; i++)
        m->normals[3 * (gsize) v + i] = len > 0 ? (float) (n[i] / len) : 0.0f;
    }
}

double
mt_mesh_volume (const MtMesh *m)
{
  /* The divergence theorem: signed tetrahedra from the origin. */
  double vol = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      double a[3], b[3], c[3], bc[3];
      face (m, t, a, b, c);
      cross (b, c, bc);
      vol += (a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2]) / 6.0;
    }
  return vol;
}

double
mt_mesh_area (const MtMesh *m)
{
  double area = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      double n[3];
      face_normal (m, t, n);
      area += sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) / 2;
    }
  return area;
}

void
mt_mesh_bounds (const MtMesh *m,
                double        lo[3],
                double        hi[3])
{
  for (int i = 0; i < 3; i++)
    {
      lo[i] = G_MAXDOUBLE;
      hi[i] = -G_MAXDOUBLE;
    }
  for (guint v = 0; v < m->n_vertices; v++)
    for (int i = 0; i < 3; i++)
      {
        lo[i] = MIN (lo[i], m->vertices[3 * (gsize) v + i]);
        hi[i] = MAX (hi[i], m->vertices[3 * (gsize) v + i]);
      }
}

static void
flip (MtMesh *m)
{
  for (guint t = 0; t < m->n_triangles; t++)
    {
      guint32 *tri = m->triangles + 3 * (gsize) t, s = tri[1];
      tri[1] = tri[2];
      tri[2] = s;
    }
}

/* ------------------------------------------------------- surface nets */

typedef struct
{
  const guint8 *mask;
  int           n[3];
} Mask;

static inline gboolean
inside (const Mask *m, int i, int j, int k)
{
  if (i < 0 || j < 0 || k < 0 || i >= m->n[0] || j >= m->n[1] || k >= m->n[2])
    return FALSE;
  return m->mask[((gsize) k * m->n[1] + j) * m->n[0] + i];
}

/* The vertex of cell (ci, cj, ck) (corners ci..ci+1 and so on), or -1 if
 * the boundary does not cross it. */
static gint64
cell_vertex (const Mask *m, int ci, int cj, int ck, GArray *vertices)
{
  gboolean c[8];
  int count = 0;
  for (int q = 0; q < 8; q++)
    {
      c[q] = inside (m, ci + (q & 1), cj + ((q >> 1) & 1), ck + ((q >> 2) & 1));
      count += c[q];
    }
  if (count == 0 || count == 8)
    return -1;
  /* The mean of the midpoints of the edges whose ends differ. */
  static const int edges[12][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 }, { 0, 2 }, { 1, 3 },
                                    { 4, 6 }, { 5, 7 }, { 0, 4 }, { 1, 5 }, { 2, 6 }, { 3, 7 } };
  double sum[3] = { 0, 0, 0 };
  int crossings = 0;
  for (int e = 0; e < 12; e++)
    {
      int a = edges[e][0], b = edges[e][1];
      if (c[a] == c[b])
        continue;
      sum[0] += ci + ((a & 1) + (b & 1)) / 2.0;
      sum[1] += cj + (((a >> 1) & 1) + ((b >> 1) & 1)) / 2.0;
      sum[2] += ck + (((a >> 2) & 1) + ((b >> 2) & 1)) / 2.0;
      crossings++;
    }
  float p[3] = { (float) (sum[0] / crossings), (float) (sum[1] / crossings), (float) (sum[2] / crossings) };
  g_array_append_vals (vertices, p, 3);
  return (gint64) vertices->len / 3 - 1;
}

static void
quad (GArray *tris, gint64 a, gint64 b, gint64 c, gint64 d, gboolean forward)
{
  if (a < 0 || b < 0 || c < 0 || d < 0)
    return;
  guint32 q[6] = { (guint32) a, (guint32) b, (guint32) c, (guint32) a, (guint32) c, (guint32) d };
  if (!forward)
    {
      q[1] = (guint32) c, q[2] = (guint32) b;
      q[4] = (guint32) d, q[5] = (guint32) c;
    }
  g_array_append_vals (tris, q, 6);
}

MtMesh *
mt_mesh_from_labels (const MtVolume *labels,
                     int             label,
                     GError        **error)
{
  const int nx = labels->dims[0], ny = labels->dims[1], nz = labels->dims[2];
  gsize n = mt_volume_n_voxels (labels);
  g_autofree guint8 *mask = g_new (guint8, n);
  gsize count = 0;
  for (gsize v = 0; v < n; v++)
    {
      float x = labels->data[v];
      mask[v] = label < 0 ? x > 0.5f : lroundf (x) == label;
      count += mask[v];
    }
  if (count == 0)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY, _("Label %d is not in the volume: no surface to make."),
                   label);
      return NULL;
    }
  Mask m = { mask, { nx, ny, nz } };
  g_autoptr (GArray) verts = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) tris = g_array_new (FALSE, FALSE, sizeof (guint32));
  /* Cells run from -1 to n-1 along each axis (voxels beyond the volume are
   * outside); two layers of cell vertices are kept, k-1 and k. */
  const int lw = nx + 1, lh = ny + 1;
  g_autofree gint64 *prev = g_new (gint64, (gsize) lw * lh);
  g_autofree gint64 *cur = g_new (gint64, (gsize) lw * lh);
#define CELL(layer, ci, cj) (layer)[((gsize) ((cj) + 1)) * lw + ((ci) + 1)]
  for (int ck = -1; ck < nz; ck++)
    {
      for (int cj = -1; cj < ny; cj++)
        for (int ci = -1; ci < nx; ci++)
          CELL (cur, ci, cj) = cell_vertex (&m, ci, cj, ck, verts);
      /* Edges along z between voxels (i, j, ck) and (i, j, ck + 1): the four
       * cells around them lie in this layer. */
      for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
          {
            gboolean a = inside (&m, i, j, ck), b = inside (&m, i, j, ck + 1);
            if (a != b)
              quad (tris, CELL (cur, i - 1, j - 1), CELL (cur, i, j - 1), CELL (cur, i, j), CELL (cur, i - 1, j), a);
          }
      if (ck >= 0)
        {
          int k = ck;
          /* Edges along x and y at voxel row k: cells in layers k-1 and k. */
          for (int j = 0; j < ny; j++)
            for (int i = -1; i < nx; i++)
              {
                gboolean a = inside (&m, i, j, k), b = inside (&m, i + 1, j, k);
                if (a != b)
                  quad (tris, CELL (prev, i, j - 1), CELL (prev, i, j), CELL (cur, i, j), CELL (cur, i, j - 1), a);
              }
          for (int j = -1; j < ny; j++)
            for (int i = 0; i < nx; i++)
              {
                gboolean a = inside (&m, i, j, k), b = inside (&m, i, j + 1, k);
                if (a != b)
                  quad (tris, CELL (prev, i - 1, j), CELL (cur, i - 1, j), CELL (cur, i, j), CELL (prev, i, j), a);
              }
        }
      gint64 *swap = prev;
      prev = cur;
      cur = swap;
    }
#undef CELL
  MtMesh *mesh = mt_mesh_new (verts->len / 3, tris->len / 3);
  memcpy (mesh->triangles, tris->data, sizeof (guint32) * tris->len);
  const float *idx = (const float *) verts->data;
  for (guint v = 0; v < mesh->n_vertices; v++)
    {
      double ijk[3] = { idx[3 * v], idx[3 * v + 1], idx[3 * v + 2] }, p[3];
      mt_volume_index_to_patient (labels, ijk, p);
      for (int i = 0; i < 3; i++)
        mesh->vertices[3 * (gsize) v + i] = (float) p[i];
    }
  /* A mirrored grid (direction of determinant -1) turns the faces inwards. */
  if (mt_mesh_volume (mesh) < 0)
    flip (mesh);
  mt_mesh_compute_normals (mesh);
  return mesh;
}

/* ------------------------------------------------------------ writing */

/* A vertex or normal as written: RAS turns LPS half a turn about the
 * patient's long axis (x and y negated), which keeps the winding. */
static void
out_vec (const float *in, MtMeshSpace space, float out[3])
{
  float s = space == MT_MESH_RAS ? -1.0f : 1.0f;
  out[0] = s * in[0];
  out[1] = s * in[1];
  out[2] = in[2];
}

static const char *
space_name (MtMeshSpace space)
{
  /* As 3D Slicer reads it from a mesh file's header or comments. */
  return space == MT_MESH_RAS ? "SPACE=RAS" : "SPACE=LPS";
}

static void
append_le32 (GString *s, const void *four_bytes)
{
  guint32 bits;
  memcpy (&bits, four_bytes, 4);
  bits = GUINT32_TO_LE (bits);
  g_string_append_len (s, (const char *) &bits, 4);
}

static gboolean
write_stl (MtSurface *const *surfaces, guint n, MtMeshSpace space, GString *s)
{
  guint32 count = 0;
  for (guint i = 0; i < n; i++)
    count += surfaces[i]->mesh->n_triangles;
  char header[80] = { 0 };
  g_snprintf (header, sizeof header, "MedTwin surface, patient millimetres %s", space_name (space));
  g_string_append_len (s, header, 80);
  append_le32 (s, &count);
  /* 50 bytes a triangle, written in place. */
  gsize at = s->len;
  g_string_set_size (s, at + 50 * (gsize) count);
  guint8 *out = (guint8 *) s->str + at;
  for (guint i = 0; i < n; i++)
    {
      const MtMesh *mesh = surfaces[i]->mesh;
      for (guint t = 0; t < mesh->n_triangles; t++)
        {
          double nd[3];
          face_normal (mesh, t, nd);
          double len = sqrt (nd[0] * nd[0] + nd[1] * nd[1] + nd[2] * nd[2]);
          float nf[3], rec[12];
          for (int k = 0; k < 3; k++)
            nf[k] = len > 0 ? (float) (nd[k] / len) : 0.0f;
          out_vec (nf, space, rec);
          for (int c = 0; c < 3; c++)
            out_vec (mesh->vertices + 3 * (gsize) mesh->triangles[3 * t + c], space, rec + 3 + 3 * c);
          for (int k = 0; k < 12; k++)
            {
              guint32 bits;
              memcpy (&bits, &rec[k], 4);
              bits = GUINT32_TO_LE (bits);
              memcpy (out + 4 * k, &bits, 4);
            }
          out[48] = out[49] = 0;
          out += 50;
        }
    }
  return TRUE;
}

static const float grey[4] = { 0.8f, 0.8f, 0.8f, 1 };

/* One group and one material per surface, named after it (spaces, which
 * OBJ cannot hold in a name, as underscores). */
static void
write_obj (MtSurface *const *surfaces, guint n, MtMeshSpace space, const char *mtl_name, GString *s, GString *mtl)
{
  char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE], z[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (s, "# MedTwin surfaces, patient millimetres %s\nmtllib %s\n", space_name (space), mtl_name);
  guint base = 1;
  for (guint i = 0; i < n; i++)
    {
      const MtMesh *mesh = surfaces[i]->mesh;
      g_autofree char *group = g_strdelimit (g_strdup (surfaces[i]->name ? surfaces[i]->name : "surface"), " \t", '_');
      for (guint v = 0; v < mesh->n_vertices; v++)
        {
          float p[3];
          out_vec (mesh->vertices + 3 * (gsize) v, space, p);
          g_string_append_printf (s, "v %s %s %s\n", g_ascii_formatd (x, sizeof x, "%.4f", p[0]),
                                  g_ascii_formatd (y, sizeof y, "%.4f", p[1]), g_ascii_formatd (z, sizeof z, "%.4f", p[2]));
        }
      for (guint v = 0; v < mesh->n_vertices; v++)
        {
          float p[3];
          out_vec (mesh->normals + 3 * (gsize) v, space, p);
          g_string_append_printf (s, "vn %s %s %s\n", g_ascii_formatd (x, sizeof x, "%.4f", p[0]),
                                  g_ascii_formatd (y, sizeof y, "%.4f", p[1]), g_ascii_formatd (z, sizeof z, "%.4f", p[2]));
        }
      g_string_append_printf (s, "g %s\nusemtl %s\n", group, group);
      for (guint t = 0; t < mesh->n_triangles; t++)
        {
          guint32 a = mesh->triangles[3 * t] + base, b = mesh->triangles[3 * t + 1] + base;
          guint32 c = mesh->triangles[3 * t + 2] + base;
          g_string_append_printf (s, "f %u//%u %u//%u %u//%u\n", a, a, b, b, c, c);
        }
      base += mesh->n_vertices;
      const float *col = surfaces[i]->rgba;
      g_string_append_printf (mtl, "newmtl %s\nKd %s %s %s\n", group, g_ascii_formatd (x, sizeof x, "%.3f", col[0]),
                              g_ascii_formatd (y, sizeof y, "%.3f", col[1]), g_ascii_formatd (z, sizeof z, "%.3f", col[2]));
      g_string_append_printf (mtl, "d %s\n\n", g_ascii_formatd (x, sizeof x, "%.3f", col[3]));
    }
}

static void
write_ply (MtSurface *const *surfaces, guint n, MtMeshSpace space, GString *s)
{
  guint nv = 0, nt = 0;
  for (guint i = 0; i < n; i++)
    {
      nv += surfaces[i]->mesh->n_vertices;
      nt += surfaces[i]->mesh->n_triangles;
    }
  g_string_append_printf (s, "ply\nformat binary_little_endian 1.0\ncomment MedTwin surfaces, patient millimetres %s\n"
                             "element vertex %u\nproperty float x\nproperty float y\nproperty float z\n"
                             "property float nx\nproperty float ny\nproperty float nz\n"
                             "property uchar red\nproperty uchar green\nproperty uchar blue\n"
                             "element face %u\nproperty list uchar int vertex_indices\nend_header\n",
                          space_name (space), nv, nt);
  for (guint i = 0; i < n; i++)
    {
      const MtMesh *mesh = surfaces[i]->mesh;
      guint8 rgb[3];
      for (int k = 0; k < 3; k++)
        rgb[k] = (guint8) CLAMP (lroundf (surfaces[i]->rgba[k] * 255), 0, 255);
      for (guint v = 0; v < mesh->n_vertices; v++)
        {
          float f[6];
          out_vec (mesh->vertices + 3 * (gsize) v, space, f);
          out_vec (mesh->normals + 3 * (gsize) v, space, f + 3);
          for (int k = 0; k < 6; k++)
            append_le32 (s, &f[k]);
          g_string_append_len (s, (const char *) rgb, 3);
        }
    }
  guint32 base = 0;
  for (guint i = 0; i < n; i++)
    {
      const MtMesh *mesh = surfaces[i]->mesh;
      for (guint t = 0; t < mesh->n_triangles; t++)
        {
          g_string_append_c (s, 3);
          for (int k = 0; k < 3; k++)
            {
              guint32 v = mesh->triangles[3 * t + k] + base;
              append_le32 (s, &v);
            }
        }
      base += mesh->n_vertices;
    }
}

static gboolean
save (const char *path, GString *text, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, text->str, (gssize) text->len, &local))
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_WRITE, _("Cannot write %s: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
mt_surfaces_write (MtSurface *const *surfaces,
                   guint             n,
                   MtMeshSpace       space,
                   const char       *path,
                   GError          **error)
{
  g_return_val_if_fail (surfaces != NULL || n == 0, FALSE);
  g_autofree char *lower = g_ascii_strdown (path, -1);
  gsize triangles = 0;
  for (guint i = 0; i < n; i++)
    triangles += surfaces[i]->mesh->n_triangles;
  g_autoptr (GString) s = g_string_sized_new (84 + 50 * triangles);
  if (g_str_has_suffix (lower, ".stl"))
    write_stl (surfaces, n, space, s);
  else if (g_str_has_suffix (lower, ".ply"))
    write_ply (surfaces, n, space, s);
  else if (g_str_has_suffix (lower, ".obj"))
    {
      /* The materials in NAME.mtl beside it. */
      g_autofree char *base = g_path_get_basename (path);
      base[strlen (base) - 4] = '\0';
      g_autofree char *mtl_name = g_strconcat (base, ".mtl", NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *mtl_path = g_build_filename (dir, mtl_name, NULL);
      g_autoptr (GString) mtl = g_string_new (NULL);
      write_obj (surfaces, n, space, mtl_name, s, mtl);
      if (!save (mtl_path, mtl, error))
        return FALSE;
    }
  else
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_WRITE,
                   _("%s: write a mesh as .stl, .obj or .ply (the name’s ending chooses)"), path);
      return FALSE;
    }
  return save (path, s, error);
}

gboolean
mt_mesh_write (const MtMesh *mesh,
               const char   *name,
               const float   rgba[4],
               const char   *path,
               GError      **error)
{
  MtSurface one = { (MtMesh *) mesh, (char *) name, { 0 } };
  memcpy (one.rgba, rgba ? rgba : grey, sizeof one.rgba);
  MtSurface *list[1] = { &one };
  return mt_surfaces_write (list, 1, MT_MESH_LPS, path, error);
}

/* Corners shared by triangles become one vertex. */
static MtMesh *
weld (const float *corners, guint n_triangles)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                       NULL);
  g_autoptr (GArray) verts = g_array_new (FALSE, FALSE, sizeof (float));
  MtMesh *mesh = mt_mesh_new (0, n_triangles);
  for (guint c = 0; c < 3 * n_triangles; c++)
    {
      GBytes *key = g_bytes_new (corners + 3 * (gsize) c, 3 * sizeof (float));
      gpointer found;
      guint32 id;
      if (g_hash_table_lookup_extended (seen, key, NULL, &found))
        {
          id = GPOINTER_TO_UINT (found);
          g_bytes_unref (key);
        }
      else
        {
          id = verts->len / 3;
          g_array_append_vals (verts, corners + 3 * (gsize) c, 3);
          g_hash_table_insert (seen, key, GUINT_TO_POINTER (id));
        }
      mesh->triangles[c] = id;
    }
  mesh->n_vertices = verts->len / 3;
  g_free (mesh->vertices);
  g_free (mesh->normals);
  mesh->vertices = g_memdup2 (verts->data, sizeof (float) * MAX (verts->len, 3));
  mesh->normals = g_new0 (float, MAX (verts->len, 3));
  mt_mesh_compute_normals (mesh);
  return mesh;
}

static MtMesh *
read_ascii (const char *path, const char *text, gsize length, GError **error)
{
  g_autoptr (GArray) corners = g_array_new (FALSE, FALSE, sizeof (float));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = g_strstrip (lines[i]);
      if (!g_str_has_prefix (l, "vertex"))
        continue;
      float p[3];
      char *end = (char *) l + 6;
      for (int c = 0; c < 3; c++)
        {
          char *start = end;
          p[c] = (float) g_ascii_strtod (start, &end);
          if (end == start || !isfinite (p[c]))
            {
              g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT,
                           _("%s: line %u is not a vertex of three numbers."), path, i + 1);
              return NULL;
            }
        }
      g_array_append_vals (corners, p, 3);
    }
  if (corners->len == 0 || corners->len % 9 != 0)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT,
                   _("%s is not a complete STL surface: its vertices do not make whole triangles."), path);
      return NULL;
    }
  return weld ((const float *) corners->data, corners->len / 9);
}

MtMesh *
mt_mesh_read_stl (const char *path,
                  GError    **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_READ, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  guint32 count = 0;
  if (length >= 84)
    {
      memcpy (&count, data + 80, 4);
      count = GUINT32_FROM_LE (count);
    }
  /* Binary when the size matches its triangle count exactly (some binary
   * files also begin with "solid"). */
  if (length >= 84 && count > 0 && (guint64) count * 50 + 84 == length)
    {
      g_autofree float *corners = g_new (float, 9 * (gsize) count);
      for (guint t = 0; t < count; t++)
        for (int i = 0; i < 9; i++)
          {
            guint32 bits;
            memcpy (&bits, data + 84 + 50 * (gsize) t + 12 + 4 * i, 4);
            bits = GUINT32_FROM_LE (bits);
            memcpy (&corners[9 * (gsize) t + i], &bits, 4);
            if (!isfinite (corners[9 * (gsize) t + i]))
              {
                g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT,
                             _("%s: triangle %u has a coordinate that is not a number."), path, t + 1);
                return NULL;
              }
          }
      return weld (corners, count);
    }
  if (length >= 5 && strncmp (data, "solid", 5) == 0 && memchr (data, '\0', length) == NULL)
    return read_ascii (path, data, length, error);
  g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT,
               _("%s is not an STL surface (binary or ASCII), or it is cut short."), path);
  return NULL;
}

MtSurface *
mt_surface_new (MtMesh      *mesh,
                const char  *name,
                const float  rgba[4])
{
  MtSurface *s = g_new0 (MtSurface, 1);
  s->mesh = mt_mesh_ref (mesh);
  s->name = g_strdup (name);
  memcpy (s->rgba, rgba, sizeof s->rgba);
  return s;
}

void
mt_surface_free (MtSurface *s)
{
  if (s == NULL)
    return;
  mt_mesh_unref (s->mesh);
  g_free (s->name);
  g_free (s);
}

/* ------------------------------------------------------------ OBJ, PLY */

static MtMesh *
mesh_from_arrays (GArray *vertices, GArray *triangles)
{
  MtMesh *m = mt_mesh_new (vertices->len / 3, triangles->len / 3);
  memcpy (m->vertices, vertices->data, vertices->len * sizeof (float));
  memcpy (m->triangles, triangles->data, triangles->len * sizeof (guint32));
  mt_mesh_compute_normals (m);
  return m;
}

static MtMesh *
read_obj (const char *path, char *text, GError **error)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) t = g_array_new (FALSE, FALSE, sizeof (guint32));
  char *save = NULL;
  int line_no = 0;
  for (char *line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      line_no++;
      if (line[0] == 'v' && line[1] == ' ')
        {
          char *p = line + 2, *end;
          for (int k = 0; k < 3; k++, p = end)
            {
              float x = (float) g_ascii_strtod (p, &end);
              if (end == p || !isfinite (x))
                {
                  g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT, _("%s, line %d: a vertex needs three numbers."),
                               path, line_no);
                  return NULL;
                }
              g_array_append_val (v, x);
            }
        }
      else if (line[0] == 'f' && line[1] == ' ')
        {
          /* A polygon of v, v/vt, v//vn or v/vt/vn corners, fanned into
           * triangles; negative indices count back from the last vertex. */
          guint32 corner[64];
          int n = 0;
          char *p = line + 2;
          while (*p != '\0' && n < 64)
            {
              while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
              if (*p == '\0')
                break;
              char *end;
              gint64 idx = g_ascii_strtoll (p, &end, 10);
              gint64 count = v->len / 3;
              if (end == p || idx == 0 || (idx > 0 ? idx > count : -idx > count))
                {
                  g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT,
                               _("%s, line %d: a face names a vertex that is not there."), path, line_no);
                  return NULL;
                }
              corner[n++] = (guint32) (idx > 0 ? idx - 1 : count + idx);
              p = end;
              while (*p != '\0' && *p != ' ' && *p != '\t')
                p++;
            }
          for (int k = 1; k + 1 < n; k++)
            {
              guint32 tri[3] = { corner[0], corner[k], corner[k + 1] };
              g_array_append_vals (t, tri, 3);
            }
        }
    }
  if (t->len == 0)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT, _("%s holds no faces: not a surface."), path);
      return NULL;
    }
  return mesh_from_arrays (v, t);
}

static gsize
ply_type_size (const char *type)
{
  static const char *const one[] = { "char", "uchar", "int8", "uint8" };
  static const char *const two[] = { "short", "ushort", "int16", "uint16" };
  static const char *const four[] = { "int", "uint", "float", "int32", "uint32", "float32" };
  for (guint i = 0; i < G_N_ELEMENTS (one); i++)
    if (g_str_equal (type, one[i]))
      return 1;
  for (guint i = 0; i < G_N_ELEMENTS (two); i++)
    if (g_str_equal (type, two[i]))
      return 2;
  for (guint i = 0; i < G_N_ELEMENTS (four); i++)
    if (g_str_equal (type, four[i]))
      return 4;
  if (g_str_equal (type, "double") || g_str_equal (type, "float64"))
    return 8;
  return 0;
}

static double
ply_value (const guint8 *p, const char *type)
{
  if (g_str_equal (type, "float") || g_str_equal (type, "float32"))
    {
      guint32 bits;
      float f;
      memcpy (&bits, p, 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&f, &bits, 4);
      return f;
    }
  if (g_str_equal (type, "double") || g_str_equal (type, "float64"))
    {
      guint64 bits;
      double d;
      memcpy (&bits, p, 8);
      bits = GUINT64_FROM_LE (bits);
      memcpy (&d, &bits, 8);
      return d;
    }
  gsize size = ply_type_size (type);
  guint32 u = 0;
  memcpy (&u, p, size);
  u = GUINT32_FROM_LE (u);
  if (type[0] == 'u')
    return u;
  if (size == 1)
    return (gint8) u;
  if (size == 2)
    return (gint16) u;
  return (gint32) u;
}

/* Binary little-endian PLY: vertices with x, y, z among any float or int
 * properties, faces as a list of indices. */
static MtMesh *
read_ply (const char *path, const guint8 *data, gsize length, GError **error)
{
  const char *end_header = g_strstr_len ((const char *) data, MIN (length, 65536), "end_header\n");
  const char *problem = NULL;
  if (end_header == NULL)
    problem = N_("no end_header line");
  g_autofree char *header = end_header ? g_strndup ((const char *) data, end_header - (const char *) data) : NULL;
  if (problem == NULL && strstr (header, "format binary_little_endian 1.0") == NULL)
    problem = N_("only binary little-endian PLY is read");
  guint64 n_vertices = 0, n_faces = 0;
  char *vprops[32];
  int n_vprops = 0, xyz[3] = { -1, -1, -1 };
  char count_type[16] = "", index_type[16] = "";
  g_auto (GStrv) lines = header ? g_strsplit (header, "\n", -1) : NULL;
  int element = 0;   /* 1 vertex, 2 face, 3 other */
  for (int i = 0; problem == NULL && lines[i] != NULL; i++)
    {
      g_auto (GStrv) w = g_strsplit (g_strstrip (lines[i]), " ", -1);
      if (w[0] == NULL)
        continue;
      if (g_str_equal (w[0], "element") && w[1] && w[2])
        {
          element = g_str_equal (w[1], "vertex") ? 1 : g_str_equal (w[1], "face") ? 2 : 3;
          if (element == 1)
            n_vertices = g_ascii_strtoull (w[2], NULL, 10);
          else if (element == 2)
            n_faces = g_ascii_strtoull (w[2], NULL, 10);
          else
            problem = N_("elements other than vertices and faces");
        }
      else if (g_str_equal (w[0], "property") && element == 1 && w[1] && w[2] && n_vprops < 32)
        {
          if (ply_type_size (w[1]) == 0)
            problem = N_("an unknown property type");
          static const char *const axis[3] = { "x", "y", "z" };
          for (int k = 0; k < 3; k++)
            if (g_str_equal (w[2], axis[k]))
              xyz[k] = n_vprops;
          vprops[n_vprops++] = g_strdup (w[1]);
        }
      else if (g_str_equal (w[0], "property") && element == 2 && w[1] && g_str_equal (w[1], "list") && w[2] && w[3])
        {
          g_strlcpy (count_type, w[2], sizeof count_type);
          g_strlcpy (index_type, w[3], sizeof index_type);
        }
    }
  if (problem == NULL && (xyz[0] < 0 || xyz[1] < 0 || xyz[2] < 0 || !ply_type_size (count_type)
                          || !ply_type_size (index_type) || n_faces == 0 || n_vertices > G_MAXUINT32 / 4))
    problem = N_("no x, y, z vertices or no face list");
  gsize stride = 0, offset[32];
  for (int k = 0; k < n_vprops; k++)
    {
      offset[k] = stride;
      stride += ply_type_size (vprops[k]);
    }
  const guint8 *p = end_header ? (const guint8 *) end_header + strlen ("end_header\n") : data;
  const guint8 *stop = data + length;
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) t = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (problem == NULL && (guint64) (stop - p) < n_vertices * stride)
    problem = N_("the file is cut short");
  for (guint64 i = 0; problem == NULL && i < n_vertices; i++, p += stride)
    for (int k = 0; k < 3; k++)
      {
        float x = (float) ply_value (p + offset[xyz[k]], vprops[xyz[k]]);
        g_array_append_val (v, x);
      }
  gsize cs = ply_type_size (count_type), is = ply_type_size (index_type);
  for (guint64 f = 0; problem == NULL && f < n_faces; f++)
    {
      if (p + cs > stop)
        {
          problem = N_("the file is cut short");
          break;
        }
      guint64 n = (guint64) ply_value (p, count_type);
      p += cs;
      if (n < 3 || n > 64 || p + n * is > stop)
        {
          problem = n < 3 || n > 64 ? N_("a face with fewer than 3 or more than 64 corners") : N_("the file is cut short");
          break;
        }
      guint32 corner[64];
      for (guint64 k = 0; k < n; k++, p += is)
        {
          double idx = ply_value (p, index_type);
          if (idx < 0 || idx >= (double) n_vertices)
            problem = N_("a face names a vertex that is not there");
          corner[k] = (guint32) idx;
        }
      for (guint64 k = 1; problem == NULL && k + 1 < n; k++)
        {
          guint32 tri[3] = { corner[0], corner[k], corner[k + 1] };
          g_array_append_vals (t, tri, 3);
        }
    }
  for (int k = 0; k < n_vprops; k++)
    g_free (vprops[k]);
  if (problem != NULL)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT, _("%s: cannot read this PLY: %s."), path, _(problem));
      return NULL;
    }
  return mesh_from_arrays (v, t);
}

MtMesh *
mt_mesh_read (const char *path,
              GError    **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".stl"))
    return mt_mesh_read_stl (path, error);
  if (!g_str_has_suffix (lower, ".obj") && !g_str_has_suffix (lower, ".ply"))
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_FORMAT, _("%s: surfaces are read from .stl, .obj or .ply files."),
                   path);
      return NULL;
    }
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &length, &local))
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_READ, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  if (g_str_has_suffix (lower, ".obj"))
    return read_obj (path, data, error);
  return read_ply (path, (const guint8 *) data, length, error);
}
