/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Refining surfaces: Taubin's smoothing (without shrinkage) and the
 * removal of small pieces. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-parallel.h"
#include "mt-progress.h"

/* Every vertex's neighbours (vertices it shares an edge with), compressed:
 * those of vertex v are ids[first[v] .. first[v + 1]). */
typedef struct
{
  guint  *first;
  guint  *ids;
} Neighbours;

static void
neighbours_build (const MtMesh *m, Neighbours *nb)
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
  for (guint v = lo; v < hi; v++)
    {
      guint a = nb->first[v], b = nb->first[v + 1];
      for (int k = 0; k < 3; k++)
        {
          double p = job->from[3 * v + k];
          if (b > a)
            {
              double mean = 0;
              for (guint i = a; i < b; i++)
                mean += job->from[3 * nb->ids[i] + k];
              mean /= b - a;
              p += job->factor * (mean - p);
            }
          job->to[3 * v + k] = (float) p;
        }
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
  neighbours_build (mesh, &nb);
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
