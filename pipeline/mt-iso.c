/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Iso-surfaces of a scan: marching cubes, edge-based and in passes as
 * flying edges does it (count, place, connect), every pass on all cores.
 * Each grid edge the surface crosses gets one vertex, shared by the four
 * cubes around it. The cube cases are not a copied table: they are worked
 * out once at start-up from the corners (see build_cases). */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-parallel.h"
#include "mt-progress.h"
#include "mt-volume.h"

/* ----------------------------------------------------------- the cases */

/* Corner c of a cube sits at (c & 1, c >> 1 & 1, c >> 2 & 1). Edges 0-3
 * run along x, 4-7 along y, 8-11 along z; each joins two corners. */
static const int edge_corners[12][2] = {
  { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 },      /* x, at (y, z) = 00, 10, 01, 11 */
  { 0, 2 }, { 1, 3 }, { 4, 6 }, { 5, 7 },      /* y, at (x, z) = 00, 10, 01, 11 */
  { 0, 4 }, { 1, 5 }, { 2, 6 }, { 3, 7 },      /* z, at (x, y) = 00, 10, 01, 11 */
};

/* The six faces, each as its four corners in order around it. */
static const int face_corners[6][4] = {
  { 0, 2, 6, 4 }, { 1, 3, 7, 5 },   /* x = 0, x = 1 */
  { 0, 1, 5, 4 }, { 2, 3, 7, 6 },   /* y = 0, y = 1 */
  { 0, 1, 3, 2 }, { 4, 5, 7, 6 },   /* z = 0, z = 1 */
};

/* Per case: triangles of edge numbers, -1 after the last. A loop through
 * all 12 edges would take 10 triangles; the usual cases take up to 5. */
#define CASE_SLOTS 31
static gint8 cases[256][CASE_SLOTS];

static int
edge_between (int a, int b)
{
  for (int e = 0; e < 12; e++)
    if ((edge_corners[e][0] == a && edge_corners[e][1] == b) || (edge_corners[e][0] == b && edge_corners[e][1] == a))
      return e;
  return -1;
}

/* Whether two cube edges lie on one face. */
static gboolean
share_face (int e1, int e2)
{
  for (int f = 0; f < 6; f++)
    {
      int hits = 0;
      for (int s = 0; s < 4; s++)
        {
          int e = edge_between (face_corners[f][s], face_corners[f][(s + 1) % 4]);
          hits += e == e1 || e == e2;
        }
      if (hits == 2)
        return TRUE;
    }
  return FALSE;
}

static void
corner_position (int c, double p[3])
{
  p[0] = c & 1;
  p[1] = c >> 1 & 1;
  p[2] = c >> 2 & 1;
}

/* For every pattern of inside corners: on each face, the crossed edges
 * paired into segments (where a face has two inside corners on a diagonal,
 * they stay apart: a rule of the face alone, so neighbouring cubes agree
 * and the surface closes); the segments chained into loops; each loop a
 * fan of triangles, turned to face away from the inside corners. */
static void
build_cases (void)
{
  for (int config = 0; config < 256; config++)
    {
      int seg[12][2], n_seg = 0;
      for (int f = 0; f < 6; f++)
        {
          const int *fc = face_corners[f];
          int crossed[4], n = 0;
          for (int s = 0; s < 4; s++)
            {
              int a = fc[s], b = fc[(s + 1) % 4];
              if (((config >> a) & 1) != ((config >> b) & 1))
                crossed[n++] = s;
            }
          if (n == 2)
            {
              seg[n_seg][0] = edge_between (fc[crossed[0]], fc[(crossed[0] + 1) % 4]);
              seg[n_seg][1] = edge_between (fc[crossed[1]], fc[(crossed[1] + 1) % 4]);
              n_seg++;
            }
          else if (n == 4)
            {
              /* Inside corners apart: each inside corner is cut off by the
               * segment joining its two edges. */
              for (int s = 0; s < 4; s++)
                if ((config >> fc[s]) & 1)
                  {
                    seg[n_seg][0] = edge_between (fc[(s + 3) % 4], fc[s]);
                    seg[n_seg][1] = edge_between (fc[s], fc[(s + 1) % 4]);
                    n_seg++;
                  }
            }
        }
      gboolean used[12] = { FALSE };
      int written = 0;
      for (int start = 0; start < n_seg; start++)
        {
          if (used[start])
            continue;
          int loop[12], n_loop = 0;
          used[start] = TRUE;
          loop[n_loop++] = seg[start][0];
          int tip = seg[start][1];
          while (tip != loop[0] && n_loop < 12)
            {
              loop[n_loop++] = tip;
              for (int s = 0; s < n_seg; s++)
                if (!used[s] && (seg[s][0] == tip || seg[s][1] == tip))
                  {
                    used[s] = TRUE;
                    tip = seg[s][0] == tip ? seg[s][1] : seg[s][0];
                    break;
                  }
            }
          /* Which way is out: from each crossed edge's inside corner to
           * its outside one, summed; the loop's normal (Newell) must agree. */
          double out[3] = { 0, 0, 0 }, normal[3] = { 0, 0, 0 }, mid[12][3];
          for (int v = 0; v < n_loop; v++)
            {
              double a[3], b[3];
              int ca = edge_corners[loop[v]][0], cb = edge_corners[loop[v]][1];
              corner_position (ca, a);
              corner_position (cb, b);
              double sign = ((config >> ca) & 1) ? 1 : -1;
              for (int k = 0; k < 3; k++)
                {
                  out[k] += sign * (b[k] - a[k]);
                  mid[v][k] = (a[k] + b[k]) / 2;
                }
            }
          for (int v = 0; v < n_loop; v++)
            {
              const double *p = mid[v], *q = mid[(v + 1) % n_loop];
              normal[0] += (p[1] - q[1]) * (p[2] + q[2]);
              normal[1] += (p[2] - q[2]) * (p[0] + q[0]);
              normal[2] += (p[0] - q[0]) * (p[1] + q[1]);
            }
          gboolean reverse = normal[0] * out[0] + normal[1] * out[1] + normal[2] * out[2] < 0;
          /* A fan from an apex whose diagonals do not lie on a face of
           * the cube: a diagonal there would be drawn by the neighbour too,
           * and four triangles would share one edge. */
          int apex = 0;
          for (int a = 0; a < n_loop; a++)
            {
              gboolean clear = TRUE;
              for (int v = 2; v + 1 < n_loop && clear; v++)
                clear = !share_face (loop[a], loop[(a + v) % n_loop]);
              if (clear)
                {
                  apex = a;
                  break;
                }
              if (a == n_loop - 1)
                g_warning ("marching cubes case %d: no clean fan", config);
            }
          for (int v = 1; v + 1 < n_loop && written + 3 < CASE_SLOTS; v++)
            {
              int p = loop[apex], q = loop[(apex + v) % n_loop], r = loop[(apex + v + 1) % n_loop];
              cases[config][written++] = (gint8) p;
              cases[config][written++] = (gint8) (reverse ? r : q);
              cases[config][written++] = (gint8) (reverse ? q : r);
            }
        }
      for (int k = written; k < CASE_SLOTS; k++)
        cases[config][k] = -1;
    }
}

/* ----------------------------------------------------------- extraction */

typedef struct
{
  /* The grid: a scan's values (inside where >= iso) or a label's mask
   * (inside where not 0; every vertex half-way along its edge). */
  const float    *data;
  const guint8   *mask;
  guint8         *own_mask;   /* a scan's voxels classified, made here */
  float           iso;
  int             nx, ny, nz;
  double          spacing[3], direction[9], origin[3];
  /* Pass 1: vertices per z plane (its x and y edges) and per z gap (its z
   * edges); then their first global index. */
  guint          *plane_count, *gap_count;
  guint          *plane_first, *gap_first;
  /* Pass 3: triangles per slab of cubes, then the first global index. */
  guint          *slab_count, *slab_first;
  MtMesh         *mesh;
  double          index_to_patient[12];
  /* Per row (j, k), as flying edges trims: the first and last x edge the
   * surface crosses (first > last: none), and whether the row starts and
   * ends inside. Outside [first, last + 1] a row is all one side. */
  int            *row_first, *row_last;
  guint8         *row_start, *row_end;
} IsoJob;

static inline gboolean
in (const IsoJob *job, gsize o)
{
  return job->mask != NULL ? job->mask[o] != 0 : job->data[o] >= job->iso;
}

/* Whether eight bytes are the same at a and b. */
static inline gboolean
same8 (const guint8 *a, const guint8 *b)
{
  guint64 x, y;
  memcpy (&x, a, sizeof x);
  memcpy (&y, b, sizeof y);
  return x == y;
}

static inline float
value (const IsoJob *job, gsize o)
{
  return job->data != NULL ? job->data[o] : job->mask[o];
}

/* The scan's gradient at voxel (i, j, k), in index units: central
 * differences, one-sided at the edges. */
static inline void
gradient (const IsoJob *job, int i, int j, int k, double g[3])
{
  /* Inside the grid (nearly always): plain central differences. */
  const gsize sy = (gsize) job->nx, sz = sy * job->ny, o = (gsize) k * sz + (gsize) j * sy + i;
  if (i > 0 && j > 0 && k > 0 && i + 1 < job->nx && j + 1 < job->ny && k + 1 < job->nz)
    {
      g[0] = 0.5 * (value (job, o + 1) - value (job, o - 1));
      g[1] = 0.5 * (value (job, o + sy) - value (job, o - sy));
      g[2] = 0.5 * (value (job, o + sz) - value (job, o - sz));
      return;
    }
  const int at[3] = { i, j, k }, n[3] = { job->nx, job->ny, job->nz };
  const gsize stride[3] = { 1, sy, sz };
  for (int a = 0; a < 3; a++)
    {
      gsize lo = at[a] > 0 ? o - stride[a] : o, hi = at[a] + 1 < n[a] ? o + stride[a] : o;
      int span = (at[a] > 0) + (at[a] + 1 < n[a]);
      g[a] = span > 0 ? (value (job, hi) - value (job, lo)) / (double) span : 0;
    }
}

/* Per row: a scan's voxels classified into the mask (when the job made
 * one), then where the row crosses the surface. */
static void
classify_rows (gsize k, gpointer data)
{
  IsoJob *job = data;
  const int nx = job->nx;
  for (int j = 0; j < job->ny; j++)
    {
      gsize r = (gsize) k * job->ny + j, o = r * nx;
      if (job->own_mask != NULL)
        {
          const float *d = job->data + o, iso = job->iso;   /* (a local: m may alias job) */
          guint8 *m = job->own_mask + o;
          for (int i = 0; i < nx; i++)
            m[i] = d[i] >= iso;
        }
      int first = nx, last = -1;
      if (job->mask != NULL)
        {
          const guint8 *row = job->mask + o;
          for (int i = 0; i + 1 < nx; i++)
            {
              /* Eight x edges at a time where nothing changes. */
              if (i + 8 < nx && same8 (row + i, row + i + 1))
                {
                  i += 7;
                  continue;
                }
              if (row[i] != row[i + 1])
                {
                  first = MIN (first, i);
                  last = i;
                }
            }
        }
      else
        for (int i = 0; i + 1 < nx; i++)
          if (in (job, o + i) != in (job, o + i + 1))
            {
              first = MIN (first, i);
              last = i;
            }
      job->row_first[r] = first;
      job->row_last[r] = last;
      job->row_start[r] = (guint8) in (job, o);
      job->row_end[r] = (guint8) in (job, o + nx - 1);
    }
}

/* The voxel range [*lo, *hi] where n rows (indices into the row arrays)
 * can differ from one another or along x; FALSE when they never do. */
static gboolean
rows_range (const IsoJob *job, const gsize *rows, int n, int *lo, int *hi)
{
  int a = job->nx, b = -1;
  gboolean starts_differ = FALSE, ends_differ = FALSE;
  for (int r = 0; r < n; r++)
    {
      a = MIN (a, job->row_first[rows[r]]);
      b = MAX (b, job->row_last[rows[r]] + 1);
      starts_differ |= job->row_start[rows[r]] != job->row_start[rows[0]];
      ends_differ |= job->row_end[rows[r]] != job->row_end[rows[0]];
    }
  if (b < 0)
    {
      /* No crossing along any row: they differ everywhere or nowhere. */
      if (!starts_differ)
        return FALSE;
      *lo = 0;
      *hi = job->nx - 1;
      return TRUE;
    }
  *lo = starts_differ ? 0 : a;
  *hi = ends_differ ? job->nx - 1 : b;
  return TRUE;
}

/* The vertices of plane k (x edges, then y edges, row by row) or of gap k
 * (z edges): counted (place == FALSE) or written at their indices; and
 * the vertex index of each edge in ids (x, y or z edges of the plane, as
 * nx * ny arrays) when ids != NULL. */
static guint
plane_vertices (IsoJob *job, int k, gboolean gap, gboolean place, guint first, guint *ids_a, guint *ids_b)
{
  const int nx = job->nx, ny = job->ny;
  const gsize sxy = (gsize) nx * ny, base = (gsize) k * sxy;
  guint n = 0;
  for (int pass = 0; pass < (gap ? 1 : 2); pass++)
    for (int j = 0; j < ny; j++)
      {
        int di = 0, dj = 0, dk = 0;
        if (gap)
          dk = 1;
        else if (pass == 0)
          di = 1;
        else
          dj = 1;
        if (j + dj >= ny || k + dk >= job->nz)
          continue;
        /* Only where the row (x edges) or the two rows (y, z edges) can
         * hold a crossing. */
        gsize row = (gsize) k * ny + j;
        gsize rows[2] = { row, row + (gsize) dj + (gsize) dk * ny };
        int lo, hi;
        if (pass == 0 && !gap)
          {
            lo = job->row_first[row];
            hi = job->row_last[row];
            if (lo > hi)
              continue;
          }
        else if (!rows_range (job, rows, 2, &lo, &hi))
          continue;
        /* Along x, an edge's far end is the next edge's near end. */
        gboolean near = in (job, base + (gsize) j * nx + lo);
        const gsize step = (gsize) di + (gsize) dj * nx + (gsize) dk * sxy;
        for (int i = lo; i <= hi; i++)
          {
            if (i + di >= nx)
              continue;
            gsize o = base + (gsize) j * nx + i, o2 = o + step;
            /* A mask: eight edges at a time where their two ends agree
             * (inside a segment as big as the body, most of a row). */
            if (job->mask != NULL && i + 7 <= hi && i + 7 + di < nx && same8 (job->mask + o, job->mask + o2))
              {
                i += 7;
                near = job->mask[o2 + 7] != 0;
                continue;
              }
            gboolean from = di ? near : in (job, o), to = in (job, o2);
            near = to;
            if (from == to)
              continue;
            guint id = first + n++;
            guint *ids = pass == 0 ? ids_a : ids_b;
            if (ids != NULL)
              ids[(gsize) j * nx + i] = id;
            if (place)
              {
                double t = job->data == NULL ? 0.5
                                             : (job->iso - job->data[o]) / (double) (job->data[o2] - job->data[o]);
                double ijk[3] = { i + t * di, j + t * dj, k + t * dk };
                const double *m = job->index_to_patient;
                float *p = job->mesh->vertices + 3 * (gsize) id;
                for (int r = 0; r < 3; r++)
                  p[r] = (float) (m[4 * r] * ijk[0] + m[4 * r + 1] * ijk[1] + m[4 * r + 2] * ijk[2] + m[4 * r + 3]);
                /* The normal: against the gradient (values rise inwards),
                 * interpolated along the edge, into patient axes. */
                double g0[3], g1[3], gi[3], nrm[3], len = 0;
                gradient (job, i, j, k, g0);
                gradient (job, i + di, j + dj, k + dk, g1);
                for (int a = 0; a < 3; a++)
                  gi[a] = -((1 - t) * g0[a] + t * g1[a]) / job->spacing[a];
                for (int r = 0; r < 3; r++)
                  {
                    const double *dir = job->direction;
                    nrm[r] = dir[3 * r] * gi[0] + dir[3 * r + 1] * gi[1] + dir[3 * r + 2] * gi[2];
                    len += nrm[r] * nrm[r];
                  }
                len = sqrt (len);
                float *nn = job->mesh->normals + 3 * (gsize) id;
                for (int r = 0; r < 3; r++)
                  nn[r] = len > 0 ? (float) (nrm[r] / len) : (r == 2 ? 1.0f : 0.0f);
              }
          }
      }
  return n;
}

static void
count_planes (gsize k, gpointer data)
{
  IsoJob *job = data;
  job->plane_count[k] = plane_vertices (job, (int) k, FALSE, FALSE, 0, NULL, NULL);
  if ((int) k + 1 < job->nz)
    job->gap_count[k] = plane_vertices (job, (int) k, TRUE, FALSE, 0, NULL, NULL);
}

static inline int
cube_case (const IsoJob *job, gsize o)
{
  const gsize sx = 1, sy = (gsize) job->nx, sz = sy * job->ny;
  const gsize at[8] = { o, o + sx, o + sy, o + sx + sy, o + sz, o + sx + sz, o + sy + sz, o + sx + sy + sz };
  int c = 0;
  for (int q = 0; q < 8; q++)
    c |= in (job, at[q]) << q;
  return c;
}

/* The triangles of the cubes between planes k and k + 1: counted (ids
 * NULL), or written from the edges' vertex indices: the x and y edges of
 * planes k and k + 1 and the z edges between them. */
static void
slab_triangles (IsoJob *job, int k, const guint *x0, const guint *y0, const guint *x1, const guint *y1,
                const guint *z)
{
  const gboolean write = x0 != NULL;
  const int nx = job->nx, ny = job->ny;
  const gsize sxy = (gsize) nx * ny;
  guint n = 0;
  guint32 *out = write ? job->mesh->triangles + 3 * (gsize) job->slab_first[k] : NULL;
  for (int j = 0; j + 1 < ny; j++)
    {
      gsize row = (gsize) k * ny + j;
      const gsize rows[4] = { row, row + 1, row + ny, row + ny + 1 };
      int lo, hi;
      if (!rows_range (job, rows, 4, &lo, &hi))
        continue;
      int c = -1;
      for (int i = MAX (lo - 1, 0); i <= hi && i + 1 < nx; i++)
      {
        gsize o = (gsize) k * sxy + (gsize) j * nx + i;
        /* A mask: seven cubes at a time where their corners are all alike. */
        if (job->mask != NULL && i + 7 < nx && i + 6 <= hi)
          {
            const guint8 *m = job->mask + o;
            guint64 w;
            memcpy (&w, m, sizeof w);
            if ((w == 0 || w == G_GUINT64_CONSTANT (0x0101010101010101)) && same8 (m, m + nx) && same8 (m, m + sxy)
                && same8 (m, m + sxy + nx))
              {
                i += 6;
                c = -1;
                continue;
              }
          }
        /* A cube shares its low-x face with the one before: only the four
         * corners at x + 1 are read. */
        if (c < 0)
          c = cube_case (job, o);
        else
          c = ((c >> 1) & 0x55) | in (job, o + 1) << 1 | in (job, o + 1 + nx) << 3 | in (job, o + 1 + sxy) << 5
              | in (job, o + 1 + sxy + nx) << 7;
        if (c == 0 || c == 255)
          continue;
        const gint8 *tri = cases[c];
        int count = 0;
        while (count < CASE_SLOTS - 1 && tri[count] >= 0)
          count++;
        if (!write)
          {
            n += count / 3;
            continue;
          }
        gsize r0 = (gsize) j * nx + i, r1 = r0 + nx;
        const guint edge_id[12] = { x0[r0], x0[r1], x1[r0], x1[r1], y0[r0], y0[r0 + 1], y1[r0], y1[r0 + 1],
                                    z[r0], z[r0 + 1], z[r1], z[r1 + 1] };
        for (int t = 0; t < count; t++)
          *out++ = edge_id[tri[t]];
      }
    }
  if (!write)
    job->slab_count[k] = n;
}

static void
count_slabs (gsize k, gpointer data)
{
  slab_triangles (data, (int) k, NULL, NULL, NULL, NULL, NULL);
}


/* A run of consecutive slabs: each plane's vertices and edge indices
 * found once, the upper plane of one slab the lower of the next. */
#define WRITE_CHUNKS 16

static void
write_slabs (gsize chunk, gpointer data)
{
  IsoJob *job = data;
  const int slabs = job->nz - 1;
  int k0 = (int) (slabs * chunk / WRITE_CHUNKS), k1 = (int) (slabs * (chunk + 1) / WRITE_CHUNKS);
  if (k0 >= k1)
    return;
  const gsize sxy = (gsize) job->nx * job->ny;
  g_autofree guint *ids = g_new (guint, 5 * sxy);
  guint *lo_x = ids, *lo_y = ids + sxy, *hi_x = ids + 2 * sxy, *hi_y = ids + 3 * sxy, *z = ids + 4 * sxy;
  /* The vertices are placed here too, each plane by one run only: the
   * run from the first slab places its lowest plane, every run the planes
   * above. */
  plane_vertices (job, k0, FALSE, k0 == 0, job->plane_first[k0], lo_x, lo_y);
  for (int k = k0; k < k1; k++)
    {
      plane_vertices (job, k + 1, FALSE, TRUE, job->plane_first[k + 1], hi_x, hi_y);
      plane_vertices (job, k, TRUE, TRUE, job->gap_first[k], z, NULL);
      slab_triangles (job, k, lo_x, lo_y, hi_x, hi_y, z);
      guint *t = lo_x;
      lo_x = hi_x;
      hi_x = t;
      t = lo_y;
      lo_y = hi_y;
      hi_y = t;
    }
}

static void
flip_if_mirrored (MtMesh *m, const double d[9])
{
  double det = d[0] * (d[4] * d[8] - d[5] * d[7]) - d[1] * (d[3] * d[8] - d[5] * d[6])
               + d[2] * (d[3] * d[7] - d[4] * d[6]);
  if (det >= 0)
    return;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      guint32 s = m->triangles[3 * t + 1];
      m->triangles[3 * t + 1] = m->triangles[3 * t + 2];
      m->triangles[3 * t + 2] = s;
    }
}

/* The surface of the grid job describes (its data or mask, size and
 * geometry filled in); NULL with an error when there is none. */
static MtMesh *
iso_surface (IsoJob *job, GError **error)
{
  static gsize once;
  if (g_once_init_enter (&once))
    {
      build_cases ();
      g_once_init_leave (&once, 1);
    }
  const int nz = job->nz;
  if (job->nx < 2 || job->ny < 2 || nz < 2)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY, _("The scan is too thin for a surface: it needs two "
                                                              "voxels along every axis."));
      return NULL;
    }
  job->plane_count = g_new0 (guint, nz);
  job->gap_count = g_new0 (guint, nz);
  job->plane_first = g_new0 (guint, nz + 1);
  job->gap_first = g_new0 (guint, nz);
  job->slab_count = g_new0 (guint, nz);
  job->slab_first = g_new0 (guint, nz);
  const gsize n_rows = (gsize) nz * job->ny;
  job->row_first = g_new (int, n_rows);
  job->row_last = g_new (int, n_rows);
  job->row_start = g_new (guint8, n_rows);
  job->row_end = g_new (guint8, n_rows);
  /* A scan is classified once into a mask of bytes (a fourth of its
   * size), which every later pass reads eight voxels at a time; without
   * the memory for it, the scan is read as it is. */
  if (job->mask == NULL)
    job->mask = job->own_mask = g_try_malloc ((gsize) job->nx * job->ny * nz);
  mt_parallel_for (nz, classify_rows, job);
  mt_parallel_for (nz, count_planes, job);
  guint64 n_vertices = 0;
  for (int k = 0; k < nz; k++)
    {
      job->plane_first[k] = (guint) n_vertices;
      n_vertices += job->plane_count[k];
      job->gap_first[k] = (guint) n_vertices;
      n_vertices += job->gap_count[k];
    }
  mt_parallel_for (nz - 1, count_slabs, job);
  guint64 n_triangles = 0;
  for (int k = 0; k + 1 < nz; k++)
    {
      job->slab_first[k] = (guint) n_triangles;
      n_triangles += job->slab_count[k];
    }
  MtMesh *mesh = NULL;
  if (n_triangles == 0)
    g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY, _("No surface at %g: every voxel is on one side of it."),
                 job->iso);
  else if (n_vertices > G_MAXUINT32 / 4 || n_triangles > G_MAXUINT32 / 4)
    g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY,
                 _("The surface at %g would have over a billion triangles: choose another value or crop the scan."),
                 job->iso);
  else
    {
      mesh = mt_mesh_new ((guint) n_vertices, (guint) n_triangles);
      job->mesh = mesh;
      for (int r = 0; r < 3; r++)
        {
          for (int c = 0; c < 3; c++)
            job->index_to_patient[4 * r + c] = job->direction[3 * r + c] * job->spacing[c];
          job->index_to_patient[4 * r + 3] = job->origin[r];
        }
      mt_parallel_for (WRITE_CHUNKS, write_slabs, job);
      flip_if_mirrored (mesh, job->direction);
    }
  g_free (job->plane_count);
  g_free (job->gap_count);
  g_free (job->plane_first);
  g_free (job->gap_first);
  g_free (job->slab_count);
  g_free (job->slab_first);
  g_free (job->row_first);
  g_free (job->row_last);
  g_free (job->row_start);
  g_free (job->row_end);
  g_clear_pointer (&job->own_mask, g_free);
  return mesh;
}

static void
job_geometry (IsoJob *job, const MtVolume *v)
{
  memcpy (job->spacing, v->spacing, sizeof job->spacing);
  memcpy (job->direction, v->direction, sizeof job->direction);
  memcpy (job->origin, v->origin, sizeof job->origin);
}

MtMesh *
mt_mesh_from_iso (const MtVolume *v,
                  float           iso,
                  GError        **error)
{
  IsoJob job = { v->data, NULL, NULL, iso, v->dims[0], v->dims[1], v->dims[2] };
  job_geometry (&job, v);
  return iso_surface (&job, error);
}

/* Where a label's voxels lie, slice by slice: whether any is there and
 * their bounding box; then the 0/1 mask over that box. */
typedef struct
{
  const MtVolume *labels;
  float           lo_value, hi_value;   /* see is_label */
  guint8         *any;           /* per slice */
  int            *lo, *hi;       /* per slice: i and j bounds */
  guint8         *mask;
  int             dims[3];       /* the mask's */
  int             at[3];         /* the mask's first voxel in the labels' grid, less the border */
} LabelJob;

/* Between lo and hi (both open): label maps hold whole numbers, so a
 * label's voxels lie within half of it, and "any label" (label < 0) is
 * everything above 0. Without branches: the loops run eight or more
 * voxels an instruction. */
static inline int
is_label (float value, float lo, float hi)
{
  return (value > lo) & (value < hi);
}

/* Each row read from its ends inwards only up to the label's first and
 * last voxel: a segment as big as the body is found without reading its
 * inside. */
static void
label_bounds (gsize k, gpointer data)
{
  LabelJob *job = data;
  const MtVolume *l = job->labels;
  const int nx = l->dims[0];
  int i0 = nx, i1 = -1, j0 = l->dims[1], j1 = -1;
  for (int j = 0; j < l->dims[1]; j++)
    {
      const float *src = l->data + mt_volume_offset (l, 0, j, (int) k);
      int first = 0;
      /* Eight at a time up to the first (a loop the compiler vectorises). */
      for (; first + 8 <= nx; first += 8)
        {
          int hit = 0;
          for (int q = 0; q < 8; q++)
            hit |= is_label (src[first + q], job->lo_value, job->hi_value);
          if (hit)
            break;
        }
      while (first < nx && !is_label (src[first], job->lo_value, job->hi_value))
        first++;
      if (first == nx)
        continue;
      int last = nx - 1;
      while (!is_label (src[last], job->lo_value, job->hi_value))
        last--;
      i0 = MIN (i0, first);
      i1 = MAX (i1, last);
      j0 = MIN (j0, j);
      j1 = j;
    }
  job->any[k] = i1 >= 0;
  job->lo[2 * k] = i0, job->lo[2 * k + 1] = j0;
  job->hi[2 * k] = i1, job->hi[2 * k + 1] = j1;
}

static void
label_fill (gsize slice, gpointer data)
{
  LabelJob *job = data;
  const MtVolume *l = job->labels;
  const int mx = job->dims[0], my = job->dims[1];
  const float lo = job->lo_value, hi = job->hi_value;   /* (locals: dst may alias job) */
  int k = (int) slice + 1, lk = job->at[2] + k;
  for (int j = 1; j + 1 < my; j++)
    {
      const float *src = l->data + mt_volume_offset (l, job->at[0] + 1, job->at[1] + j, lk);
      guint8 *dst = job->mask + ((gsize) k * my + j) * mx + 1;
      for (int i = 0; i + 2 < mx; i++)
        dst[i] = (guint8) is_label (src[i], lo, hi);
    }
}

MtMesh *
mt_mesh_from_label_cubes (const MtVolume *labels,
                          int             label,
                          GError        **error)
{
  /* The label's voxels as 1, the rest as 0, over their bounding box with a
   * border of 0 all round, so the surface closes where the segment meets
   * the scan's edge; its surface puts every vertex half-way along its
   * edge, as discrete marching cubes (VTK's discrete flying edges) does.
   * Only the box is meshed: a kidney is a small part of a whole CT. */
  const int nz = labels->dims[2];
  LabelJob job = { labels, label < 0 ? 0 : label - 0.5f, label < 0 ? G_MAXFLOAT : label + 0.5f };
  job.any = g_new0 (guint8, nz);
  job.lo = g_new (int, 2 * nz);
  job.hi = g_new (int, 2 * nz);
  mt_parallel_for (nz, label_bounds, &job);
  int lo[3] = { G_MAXINT, G_MAXINT, G_MAXINT }, hi[3] = { -1, -1, -1 };
  for (int k = 0; k < nz; k++)
    if (job.any[k])
      {
        for (int a = 0; a < 2; a++)
          {
            lo[a] = MIN (lo[a], job.lo[2 * k + a]);
            hi[a] = MAX (hi[a], job.hi[2 * k + a]);
          }
        lo[2] = MIN (lo[2], k);
        hi[2] = k;
      }
  g_free (job.any);
  g_free (job.lo);
  g_free (job.hi);
  if (hi[2] < 0)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY, _("Label %d is not in this label map: no surface."),
                   label);
      return NULL;
    }
  for (int a = 0; a < 3; a++)
    {
      job.dims[a] = hi[a] - lo[a] + 3;
      job.at[a] = lo[a] - 1;
    }
  /* Zeros: the border is in place. */
  job.mask = g_try_malloc0 ((gsize) job.dims[0] * job.dims[1] * job.dims[2]);
  if (job.mask == NULL)
    {
      g_set_error (error, MT_MESH_ERROR, MT_MESH_ERROR_EMPTY,
                   _("Not enough memory for the surface of label %d (%d x %d x %d voxels): crop the scan or "
                     "close other programs."), label, job.dims[0],
                   job.dims[1], job.dims[2]);
      return NULL;
    }
  mt_parallel_for (job.dims[2] - 2, label_fill, &job);
  IsoJob iso = { NULL, job.mask, NULL, 0.5f, job.dims[0], job.dims[1], job.dims[2] };
  job_geometry (&iso, labels);
  double corner[3] = { job.at[0], job.at[1], job.at[2] };
  mt_volume_index_to_patient (labels, corner, iso.origin);
  MtMesh *mesh = iso_surface (&iso, error);
  g_free (job.mask);
  return mesh;
}
