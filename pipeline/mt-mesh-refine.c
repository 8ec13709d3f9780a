/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Refining surfaces: Taubin's smoothing (without shrinkage) and the
 * removal of small pieces. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-mesh-private.h"
#include "mt-parallel.h"
#include "mt-progress.h"

typedef MtMeshNeighbours Neighbours;

void
mt_mesh_neighbours_build (const MtMesh *m, MtMeshNeighbours *nb)
{
  const guint nv = m->n_vertices;
  guint *count = g_new0 (guint, nv + 1);
  for (guint t = 0; t < 3 * m->n_triangles; t++)
    count[m->triangles[t]] += 2;
  nb->first = g_new (guint, nv + 1);
  nb->first[0] = 0;
  for (guint v = 0; v < nv; v++)
    nb->first[v + 1] = nb->first[v] + count[v];
  nb->ids = g_new (guint, nb->first[nv]);
  memset (count, 0, (nv + 1) * sizeof (guint));
  for (guint t = 0; t < m->n_triangles; t++)
    for (int e = 0; e < 3; e++)
      {
        guint a = m->triangles[3 * t + e], b = m->triangles[3 * t + (e + 1) % 3];
        nb->ids[nb->first[a] + count[a]++] = b;
        nb->ids[nb->first[b] + count[b]++] = a;
      }
  /* Each neighbour appears twice (once per triangle on the shared edge in a
   * closed surface): keep it once. */
  guint out = 0;
  guint *first = g_new (guint, nv + 1);
  for (guint v = 0; v < nv; v++)
    {
      first[v] = out;
      for (guint i = nb->first[v]; i < nb->first[v + 1]; i++)
        {
          gboolean seen = FALSE;
          for (guint j = first[v]; j < out && !seen; j++)
            seen = nb->ids[j] == nb->ids[i];
          if (!seen)
            nb->ids[out++] = nb->ids[i];
        }
    }
  first[nv] = out;
  g_free (nb->first);
  nb->first = first;
  g_free (count);
}

#define BLOCK 4096

/* One umbrella step of every vertex towards the mean of its neighbours,
 * scaled by factor (positive: shrink, negative: inflate). */
typedef struct
{
  const Neighbours *nb;
  const float      *from;
  float            *to;
  double            factor;
  guint             n_vertices;
} UmbrellaJob;

static void
umbrella_block (gsize block, gpointer data)
{
  UmbrellaJob *job = data;
  const Neighbours *nb = job->nb;
  guint lo = (guint) block * BLOCK, hi = MIN (job->n_vertices, lo + BLOCK);
  const float *from = job->from;
  const float f = (float) job->factor;
  for (guint v = lo; v < hi; v++)
    {
      guint a = nb->first[v], b = nb->first[v + 1];
      const float *p = from + 3 * (gsize) v;
      float *to = job->to + 3 * (gsize) v;
      if (b == a)
        {
          to[0] = p[0], to[1] = p[1], to[2] = p[2];
          continue;
        }
      /* All three coordinates in one walk of the neighbours. */
      float sx = 0, sy = 0, sz = 0;
      for (guint i = a; i < b; i++)
        {
          const float *q = from + 3 * (gsize) nb->ids[i];
          sx += q[0], sy += q[1], sz += q[2];
        }
      const float inv = 1.0f / (float) (b - a);
      to[0] = p[0] + f * (sx * inv - p[0]);
      to[1] = p[1] + f * (sy * inv - p[1]);
      to[2] = p[2] + f * (sz * inv - p[2]);
    }
}

gboolean
mt_mesh_smooth (MtMesh       *mesh,
                int           iterations,
                MtProgress   *progress,
                GCancellable *cancellable,
                GError      **error)
{
  if (iterations <= 0 || mesh->n_vertices == 0)
    return TRUE;
  Neighbours nb;
  mt_mesh_neighbours_build (mesh, &nb);
  /* Taubin (1995): a shrinking step (lambda) and a slightly larger
   * inflating one (mu), a low-pass filter that keeps the volume. */
  const double lambda = 0.5, mu = -0.53;
  g_autofree float *tmp = g_new (float, 3 * (gsize) mesh->n_vertices);
  /* Cancelled, the surface stays as it was. */
  g_autofree float *before = g_memdup2 (mesh->vertices, 3 * (gsize) mesh->n_vertices * sizeof (float));
  gsize blocks = (mesh->n_vertices + BLOCK - 1) / BLOCK;
  gboolean ok = TRUE;
  for (int it = 0; it < iterations && ok; it++)
    {
      UmbrellaJob shrink = { &nb, mesh->vertices, tmp, lambda, mesh->n_vertices };
      mt_parallel_for (blocks, umbrella_block, &shrink);
      UmbrellaJob inflate = { &nb, tmp, mesh->vertices, mu, mesh->n_vertices };
      mt_parallel_for (blocks, umbrella_block, &inflate);
      if (progress != NULL)
        mt_progress_update (progress, (it + 1.0) / iterations);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
    }
  g_free (nb.first);
  g_free (nb.ids);
  if (!ok)
    memcpy (mesh->vertices, before, 3 * (gsize) mesh->n_vertices * sizeof (float));
  mt_mesh_compute_normals (mesh);
  return ok;
}

MtMesh *
mt_mesh_from_segment (const MtVolume *labels,
                      int             label,
                      GError        **error)
{
  MtMesh *m = mt_mesh_from_label_cubes (labels, label, error);
  if (m != NULL)
    mt_mesh_smooth (m, 10, NULL, NULL, NULL);
  return m;
}

/* ------------------------------------------------------------ distance */

/* The squared distance from p to triangle abc (Ericson's closest point by
 * Voronoi regions). */
static double
point_triangle2 (const double p[3], const double a[3], const double b[3], const double c[3], double q[3])
{
  double ab[3], ac[3], ap[3];
  for (int k = 0; k < 3; k++)
    {
      ab[k] = b[k] - a[k];
      ac[k] = c[k] - a[k];
      ap[k] = p[k] - a[k];
    }
#define DOT(u, v) ((u)[0] * (v)[0] + (u)[1] * (v)[1] + (u)[2] * (v)[2])
  double d1 = DOT (ab, ap), d2 = DOT (ac, ap);
  if (d1 <= 0 && d2 <= 0)
    memcpy (q, a, 3 * sizeof (double));
  else
    {
      double bp[3], cp[3];
      for (int k = 0; k < 3; k++)
        {
          bp[k] = p[k] - b[k];
          cp[k] = p[k] - c[k];
        }
      double d3 = DOT (ab, bp), d4 = DOT (ac, bp), d5 = DOT (ab, cp), d6 = DOT (ac, cp);
      double vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
      if (d3 >= 0 && d4 <= d3)
        memcpy (q, b, 3 * sizeof (double));
      else if (d6 >= 0 && d5 <= d6)
        memcpy (q, c, 3 * sizeof (double));
      else if (vc <= 0 && d1 >= 0 && d3 <= 0)
        for (int k = 0; k < 3; k++)
          q[k] = a[k] + d1 / (d1 - d3) * ab[k];
      else if (vb <= 0 && d2 >= 0 && d6 <= 0)
        for (int k = 0; k < 3; k++)
          q[k] = a[k] + d2 / (d2 - d6) * ac[k];
      else if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0)
        {
          double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
          for (int k = 0; k < 3; k++)
            q[k] = b[k] + w * (c[k] - b[k]);
        }
      else if (va + vb + vc > 0)
        {
          double denom = 1 / (va + vb + vc), v = vb * denom, w = vc * denom;
          for (int k = 0; k < 3; k++)
            q[k] = a[k] + ab[k] * v + ac[k] * w;
        }
      else
        /* A triangle with no area: its nearest corner will do. */
        {
          double da = DOT (ap, ap), db = DOT (bp, bp), dc = DOT (cp, cp);
          memcpy (q, da <= db && da <= dc ? a : db <= dc ? b : c, 3 * sizeof (double));
        }
    }
#undef DOT
  double d = 0;
  for (int k = 0; k < 3; k++)
    d += (p[k] - q[k]) * (p[k] - q[k]);
  return d;
}

typedef MtMeshGrid Grid;

void
mt_mesh_grid_build (MtMeshGrid *g, const MtMesh *m)
{
  g->m = m;
  double hi[3];
  mt_mesh_bounds (m, g->lo, hi);
  double volume = 1;
  for (int a = 0; a < 3; a++)
    volume *= MAX (hi[a] - g->lo[a], 1e-3);
  /* Cells the size of a couple of triangles, where the surface is: a bone
   * surface fills little of its box, so cells sized from the box alone
   * would each hold hundreds. At most 16 cells a triangle. */
  double edge = 0;
  guint step = MAX (1u, m->n_triangles / 4096);
  guint sampled = 0;
  for (guint t = 0; t < m->n_triangles; t += step, sampled++)
    {
      const float *a = m->vertices + 3 * (gsize) m->triangles[3 * t];
      const float *b = m->vertices + 3 * (gsize) m->triangles[3 * t + 1];
      edge += sqrt ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
    }
  edge = sampled > 0 ? edge / sampled : 1;
  double smallest = cbrt (volume / (16.0 * MAX (1u, m->n_triangles)));
  g->cell = MAX (MAX (2 * edge, smallest), 1e-3);
  gsize cells = 1;
  for (int a = 0; a < 3; a++)
    {
      g->n[a] = MAX (1, (int) ceil ((hi[a] - g->lo[a]) / g->cell) + 1);
      cells *= g->n[a];
    }
  guint *count = g_new0 (guint, cells + 1);
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          g->first = g_new (guint, cells + 1);
          g->first[0] = 0;
          for (gsize c = 0; c < cells; c++)
            g->first[c + 1] = g->first[c] + count[c];
          g->ids = g_new (guint, g->first[cells]);
          memset (count, 0, (cells + 1) * sizeof (guint));
        }
      for (guint t = 0; t < m->n_triangles; t++)
        {
          int c0[3], c1[3];
          for (int a = 0; a < 3; a++)
            {
              double mn = G_MAXDOUBLE, mx = -G_MAXDOUBLE;
              for (int k = 0; k < 3; k++)
                {
                  double x = m->vertices[3 * (gsize) m->triangles[3 * t + k] + a];
                  mn = MIN (mn, x);
                  mx = MAX (mx, x);
                }
              c0[a] = CLAMP ((int) floor ((mn - g->lo[a]) / g->cell), 0, g->n[a] - 1);
              c1[a] = CLAMP ((int) floor ((mx - g->lo[a]) / g->cell), 0, g->n[a] - 1);
            }
          for (int z = c0[2]; z <= c1[2]; z++)
            for (int y = c0[1]; y <= c1[1]; y++)
              for (int x = c0[0]; x <= c1[0]; x++)
                {
                  gsize c = ((gsize) z * g->n[1] + y) * g->n[0] + x;
                  if (pass == 1)
                    g->ids[g->first[c] + count[c]] = t;
                  count[c]++;
                }
        }
    }
  g_free (count);
}

void
mt_mesh_grid_clear (MtMeshGrid *g)
{
  g_clear_pointer (&g->first, g_free);
  g_clear_pointer (&g->ids, g_free);
}

/* Shells of cells outwards until no nearer triangle can be left. */
double
mt_mesh_grid_nearest (const MtMeshGrid *g, const double p[3], double nearest[3])
{
  int c[3];
  for (int a = 0; a < 3; a++)
    c[a] = CLAMP ((int) floor ((p[a] - g->lo[a]) / g->cell), 0, g->n[a] - 1);
  double best = G_MAXDOUBLE;
  int reach = MAX (g->n[0], MAX (g->n[1], g->n[2]));
  for (int r = 0; r <= reach; r++)
    {
      /* Everything farther out than r - 1 cells is at least that far. */
      double floor_d = (r - 1) * g->cell;
      if (r > 0 && floor_d > 0 && floor_d * floor_d > best)
        break;
      for (int z = c[2] - r; z <= c[2] + r; z++)
        for (int y = c[1] - r; y <= c[1] + r; y++)
          for (int x = c[0] - r; x <= c[0] + r; x++)
            {
              if (MAX (abs (x - c[0]), MAX (abs (y - c[1]), abs (z - c[2]))) != r)
                continue;
              if (x < 0 || y < 0 || z < 0 || x >= g->n[0] || y >= g->n[1] || z >= g->n[2])
                continue;
              /* A cell whose box lies farther than the best found holds
               * nothing nearer. */
              const int at[3] = { x, y, z };
              double box2 = 0;
              for (int a = 0; a < 3; a++)
                {
                  double lo = g->lo[a] + at[a] * g->cell, d = MAX (0.0, MAX (lo - p[a], p[a] - lo - g->cell));
                  box2 += d * d;
                }
              if (box2 >= best)
                continue;
              gsize cell = ((gsize) z * g->n[1] + y) * g->n[0] + x;
              for (guint i = g->first[cell]; i < g->first[cell + 1]; i++)
                {
                  guint t = g->ids[i];
                  double v[3][3];
                  for (int k = 0; k < 3; k++)
                    for (int a = 0; a < 3; a++)
                      v[k][a] = g->m->vertices[3 * (gsize) g->m->triangles[3 * t + k] + a];
                  double q[3];
                  double dist = point_triangle2 (p, v[0], v[1], v[2], q);
                  if (dist < best)   /* (false for a NaN: a broken triangle cannot win) */
                    {
                      best = dist;
                      if (nearest != NULL)
                        memcpy (nearest, q, sizeof q);
                    }
                }
            }
    }
  return sqrt (best);
}

typedef struct
{
  const Grid   *grid;
  const MtMesh *from;
  double       *d;
} DistanceJob;

static void
distance_block (gsize block, gpointer data)
{
  DistanceJob *job = data;
  guint lo = (guint) block * BLOCK, hi = MIN (job->from->n_vertices, lo + BLOCK);
  for (guint v = lo; v < hi; v++)
    {
      double p[3] = { job->from->vertices[3 * (gsize) v], job->from->vertices[3 * (gsize) v + 1],
                      job->from->vertices[3 * (gsize) v + 2] };
      job->d[v] = mt_mesh_grid_nearest (job->grid, p, NULL);
    }
}

/* Mean and largest distance from a's vertices to b's surface. */
static void
one_way (const MtMesh *a, const MtMesh *b, double *sum, double *worst)
{
  Grid g;
  mt_mesh_grid_build (&g, b);
  g_autofree double *d = g_new (double, MAX (1u, a->n_vertices));
  DistanceJob job = { &g, a, d };
  mt_parallel_for ((a->n_vertices + BLOCK - 1) / BLOCK, distance_block, &job);
  *sum = 0;
  *worst = 0;
  for (guint v = 0; v < a->n_vertices; v++)
    {
      *sum += d[v];
      *worst = MAX (*worst, d[v]);
    }
  mt_mesh_grid_clear (&g);
}

void
mt_mesh_distance (const MtMesh *a,
                  const MtMesh *b,
                  double       *mean,
                  double       *hausdorff)
{
  double sa, wa, sb, wb;
  one_way (a, b, &sa, &wa);
  one_way (b, a, &sb, &wb);
  *mean = (sa + sb) / MAX (1u, a->n_vertices + b->n_vertices);
  *hausdorff = MAX (wa, wb);
}

MtMesh *
mt_mesh_refined (const MtMesh        *mesh,
                 const MtMeshRefine  *how,
                 MtMeshRefineReport  *report,
                 MtProgress          *progress,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_return_val_if_fail (mesh != NULL && how != NULL, NULL);
  MtMeshRefineReport local = { 0 };
  MtMeshRefineReport *r = report ? report : &local;
  memset (r, 0, sizeof *r);
  g_autoptr (MtMesh) m = mt_mesh_copy (mesh);
  mt_progress_set_stage (progress, 0, 0.05, N_("Removing small pieces"));
  if (how->remove_pieces > 0)
    r->pieces_removed = mt_mesh_remove_small_pieces (m, how->remove_pieces);
  mt_progress_set_stage (progress, 0.05, 0.1, N_("Filling holes"));
  if (how->fill_holes)
    r->holes_filled = mt_mesh_fill_holes (m, how->max_hole_edges);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  mt_progress_set_stage (progress, 0.1, 0.4, N_("Smoothing"));
  gint64 t0 = g_get_monotonic_time ();
  if (!mt_mesh_smooth (m, how->smooth_iterations, progress, cancellable, error))
    return NULL;
  r->smooth_ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (how->remesh_edge_mm > 0)
    {
      mt_progress_set_stage (progress, 0.4, 0.6, N_("Remeshing"));
      gint64 t2 = g_get_monotonic_time ();
      if (!mt_mesh_remesh (m, how->remesh_edge_mm, 5, progress, cancellable, error))
        return NULL;
      r->remesh_ms = (g_get_monotonic_time () - t2) / 1000.0;
    }
  if (how->decimate > 0)
    {
      g_autoptr (MtMesh) before = report ? mt_mesh_copy (m) : NULL;
      mt_progress_set_stage (progress, 0.6, 0.95, N_("Decimating"));
      gint64 t1 = g_get_monotonic_time ();
      if (!mt_mesh_decimate (m, how->decimate, progress, cancellable, error))
        return NULL;
      r->decimate_ms = (g_get_monotonic_time () - t1) / 1000.0;
      mt_progress_set_stage (progress, 0.95, 1, N_("Measuring the decimation's error"));
      if (before != NULL)
        mt_mesh_distance (before, m, &r->decimate_mean_mm, &r->decimate_hausdorff_mm);
    }
  mt_progress_set_stage (progress, 1, 1, NULL);
  return g_steal_pointer (&m);
}
