/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decimation by quadric error (Garland and Heckbert 1997): edges collapse
 * cheapest first, in passes (below), each into the point that keeps its two
 * vertices' planes best; a collapse that would pinch the surface, fold a
 * triangle over or move the open rim of a surface is not made. A triangle
 * of no area (an iso-surface has them where it runs through a voxel's
 * corner) has no side to keep and may go. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-parallel.h"
#include "mt-progress.h"

typedef struct
{
  double q[10];   /* symmetric 4 x 4: a2 ab ac ad b2 bc bd c2 cd d2 */
} Quadric;

static void
quadric_add_plane (Quadric *q, double a, double b, double c, double d, double w)
{
  const double p[4] = { a, b, c, d };
  int k = 0;
  for (int i = 0; i < 4; i++)
    for (int j = i; j < 4; j++)
      q->q[k++] += w * p[i] * p[j];
}

static double
quadric_error (const Quadric *q, const double v[3])
{
  const double *m = q->q;
  double x = v[0], y = v[1], z = v[2];
  return m[0] * x * x + 2 * m[1] * x * y + 2 * m[2] * x * z + 2 * m[3] * x + m[4] * y * y + 2 * m[5] * y * z
         + 2 * m[6] * y + m[7] * z * z + 2 * m[8] * z + m[9];
}

/* The point that minimises the sum of two quadrics, or the better of the
 * ends and the middle when the system is singular (a flat region). */
static double
best_point (const Quadric *a, const Quadric *b, const float *pa, const float *pb, double out[3])
{
  Quadric q;
  for (int k = 0; k < 10; k++)
    q.q[k] = a->q[k] + b->q[k];
  const double *m = q.q;
  double A[9] = { m[0], m[1], m[2], m[1], m[4], m[5], m[2], m[5], m[7] }, rhs[3] = { -m[3], -m[6], -m[8] };
  double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6])
               + A[2] * (A[3] * A[7] - A[4] * A[6]);
  double scale = fabs (A[0]) + fabs (A[4]) + fabs (A[8]);
  if (fabs (det) > 1e-9 * scale * scale * scale && scale > 0)
    {
      double x[3];
      for (int c = 0; c < 3; c++)
        {
          double B[9];
          memcpy (B, A, sizeof B);
          for (int r = 0; r < 3; r++)
            B[3 * r + c] = rhs[r];
          x[c] = (B[0] * (B[4] * B[8] - B[5] * B[7]) - B[1] * (B[3] * B[8] - B[5] * B[6])
                  + B[2] * (B[3] * B[7] - B[4] * B[6])) / det;
        }
      /* Not beyond the edge's neighbourhood: a near-singular system can
       * throw the point far away. */
      double len2 = 0, far2 = 0;
      for (int k = 0; k < 3; k++)
        {
          len2 += (pa[k] - pb[k]) * (pa[k] - pb[k]);
          double mid = (pa[k] + pb[k]) / 2;
          far2 += (x[k] - mid) * (x[k] - mid);
        }
      if (far2 <= 4 * len2 + 1e-12)
        {
          memcpy (out, x, sizeof x);
          return MAX (0.0, quadric_error (&q, out));
        }
    }
  double cand[3][3], best = G_MAXDOUBLE;
  for (int k = 0; k < 3; k++)
    {
      cand[0][k] = pa[k];
      cand[1][k] = pb[k];
      cand[2][k] = (pa[k] + pb[k]) / 2;
    }
  for (int c = 0; c < 3; c++)
    {
      double e = quadric_error (&q, cand[c]);
      if (e < best)
        {
          best = e;
          memcpy (out, cand[c], 3 * sizeof (double));
        }
    }
  return MAX (0.0, best);
}

static void
face_normal_at (const MtMesh *m, guint f, guint moved, const double p[3], double n[3])
{
  double c[3][3];
  for (int k = 0; k < 3; k++)
    {
      guint v = m->triangles[3 * f + k];
      for (int a = 0; a < 3; a++)
        c[k][a] = v == moved ? p[a] : m->vertices[3 * v + a];
    }
  double u[3], w[3];
  for (int a = 0; a < 3; a++)
    {
      u[a] = c[1][a] - c[0][a];
      w[a] = c[2][a] - c[0][a];
    }
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
}

/* ------------------------------------------------------------ passes
 *
 * The collapses go in passes rather than one at a time from a heap: each
 * pass costs every edge once (on all cores), sorts the costs, then walks
 * them cheapest first, collapsing those whose neighbourhood no earlier
 * collapse of the same pass has touched. A collapse locks every vertex
 * around it, so the costs of the rest stay exact for the pass and no
 * triangle changes twice in it; the pass stops at a cost a little above
 * the cheapest still needed, and the next one costs the changed surface
 * again. Far fewer cache misses than a heap, the same order of collapses
 * where it matters. */

typedef struct
{
  float cost;
  guint a, b;
  float p[3];
} Edge;

typedef struct
{
  MtMesh  *m;
  guint    n_live;     /* the live triangles: the first n_live of m->triangles */
  guint   *first;      /* per vertex, into faces: its triangles at the pass's start */
  guint   *faces;
  guint8  *dead_face;
  guint8  *rim;        /* on the open rim of the surface: never moved */
  guint8  *locked;     /* an end of a collapse chosen in this pass */
  guint8  *chosen;     /* per edge: collapsed in this pass */
  guint   *touched;    /* per vertex: the clock when its neighbourhood last changed */
  Quadric *quadric;
  Edge    *edges;
} Decimator;

static gboolean
face_has (const MtMesh *m, guint f, guint v)
{
  return m->triangles[3 * f] == v || m->triangles[3 * f + 1] == v || m->triangles[3 * f + 2] == v;
}

#define RING 256

/* The distinct vertices of v's live triangles, v among them, into out;
 * 0 when there are more than RING (a vertex too tangled to touch). */
static guint
ring (const Decimator *d, guint v, guint out[RING])
{
  const MtMesh *m = d->m;
  guint n = 0;
  for (guint i = d->first[v]; i < d->first[v + 1]; i++)
    {
      guint f = d->faces[i];
      if (d->dead_face[f])
        continue;
      for (int k = 0; k < 3; k++)
        {
          guint w = m->triangles[3 * f + k];
          gboolean seen = FALSE;
          for (guint j = 0; j < n && !seen; j++)
            seen = out[j] == w;
          if (!seen)
            {
              if (n == RING)
                return 0;
              out[n++] = w;
            }
        }
    }
  return n;
}

/* Whether collapsing the edge a, b keeps the surface a 2-manifold: it
 * has a triangle on each side, and a and b share exactly the two
 * neighbours across it. */
static gboolean
collapse_keeps_manifold (const Decimator *d, guint a, guint b)
{
  const MtMesh *m = d->m;
  int shared = 0, edge_faces = 0;
  for (guint i = d->first[b]; i < d->first[b + 1]; i++)
    {
      guint f = d->faces[i];
      if (!d->dead_face[f] && face_has (m, f, a))
        edge_faces++;
    }
  if (edge_faces != 2)
    return FALSE;
  guint around_a[RING], around_b[RING];
  guint n_a = ring (d, a, around_a), n_b = ring (d, b, around_b);
  if (n_a == 0 || n_b == 0)
    return FALSE;
  for (guint i = 0; i < n_b; i++)
    if (around_b[i] != a && around_b[i] != b)
      for (guint j = 0; j < n_a; j++)
        shared += around_a[j] == around_b[i];
  /* A closed piece as small as a tetrahedron stays: collapsing it would
   * leave two triangles back to back. */
  return shared == 2 && n_a + n_b - (shared + 2) > 4;
}

/* Whether every triangle around a and b that survives their collapse
 * into p keeps its side (no fold). One of no area has no side of its own:
 * it must come out facing as the triangles around it do. */
static gboolean
collapse_keeps_sides (const Decimator *d, guint a, guint b, const double p[3])
{
  const MtMesh *m = d->m;
  const guint ends[2] = { a, b };
  double around[3] = { 0, 0, 0 }, flat[RING][3];
  guint n_flat = 0;
  for (int e = 0; e < 2; e++)
    for (guint i = d->first[ends[e]]; i < d->first[ends[e] + 1]; i++)
      {
        guint f = d->faces[i];
        if (d->dead_face[f] || (face_has (m, f, a) && face_has (m, f, b)))
          continue;
        double before[3], after[3];
        face_normal_at (m, f, G_MAXUINT, NULL, before);
        face_normal_at (m, f, ends[e], p, after);
        double dotp = before[0] * after[0] + before[1] * after[1] + before[2] * after[2];
        double lb = sqrt (before[0] * before[0] + before[1] * before[1] + before[2] * before[2]);
        double la = sqrt (after[0] * after[0] + after[1] * after[1] + after[2] * after[2]);
        if (lb <= 1e-12)
          {
            /* Judged once the side of the triangles around is known. */
            if (n_flat == RING)
              return FALSE;
            memcpy (flat[n_flat++], after, sizeof after);
            continue;
          }
        if (la < 1e-12 || dotp < 0.2 * lb * la)
          return FALSE;
        for (int k = 0; k < 3; k++)
          around[k] += before[k];
      }
  for (guint i = 0; i < n_flat; i++)
    if (flat[i][0] * around[0] + flat[i][1] * around[1] + flat[i][2] * around[2] < 0)
      return FALSE;
  return TRUE;
}

/* Where the edge a, b may collapse at no more than limit: its best point,
 * or else (that one would fold a triangle) the better of its ends and its
 * middle that does not. */
static gboolean
collapse_point (const Decimator *d, const Edge *e, float limit, double p[3])
{
  for (int k = 0; k < 3; k++)
    p[k] = e->p[k];
  if (collapse_keeps_sides (d, e->a, e->b, p))
    return TRUE;
  Quadric q;
  for (int k = 0; k < 10; k++)
    q.q[k] = d->quadric[e->a].q[k] + d->quadric[e->b].q[k];
  const float *pa = d->m->vertices + 3 * (gsize) e->a, *pb = d->m->vertices + 3 * (gsize) e->b;
  double cand[3][3], cost[3];
  for (int c = 0; c < 3; c++)
    {
      for (int k = 0; k < 3; k++)
        cand[c][k] = c == 0 ? pa[k] : c == 1 ? pb[k] : (pa[k] + pb[k]) / 2.0;
      cost[c] = quadric_error (&q, cand[c]);
    }
  for (int tries = 0; tries < 3; tries++)
    {
      int best = -1;
      for (int c = 0; c < 3; c++)
        if (cost[c] <= limit && (best < 0 || cost[c] < cost[best]))
          best = c;
      if (best < 0)
        return FALSE;
      if (collapse_keeps_sides (d, e->a, e->b, cand[best]))
        {
          memcpy (p, cand[best], sizeof cand[best]);
          return TRUE;
        }
      cost[best] = G_MAXDOUBLE;
    }
  return FALSE;
}

/* The live triangles to the front, and every vertex's list of them. */
static void
index_faces (Decimator *d, guint nv)
{
  MtMesh *m = d->m;
  guint n = 0;
  for (guint f = 0; f < d->n_live; f++)
    if (!d->dead_face[f])
      {
        if (n != f)
          memcpy (m->triangles + 3 * (gsize) n, m->triangles + 3 * (gsize) f, 3 * sizeof (guint32));
        n++;
      }
  d->n_live = n;
  memset (d->dead_face, 0, n);
  memset (d->first, 0, (nv + 1) * sizeof (guint));
  for (gsize i = 0; i < 3 * (gsize) n; i++)
    d->first[m->triangles[i] + 1]++;
  for (guint v = 0; v < nv; v++)
    d->first[v + 1] += d->first[v];
  for (guint f = 0; f < n; f++)
    for (int k = 0; k < 3; k++)
      d->faces[d->first[m->triangles[3 * f + k]]++] = f;
  /* Each start moved on to the next one's: back by one vertex. */
  for (guint v = nv; v > 0; v--)
    d->first[v] = d->first[v - 1];
  d->first[0] = 0;
}

#define EDGES_A_TASK 16384

typedef struct
{
  Decimator *d;
  gsize      n;
} CostWork;

static void
cost_edges (gsize task, gpointer data)
{
  CostWork *w = data;
  const MtMesh *m = w->d->m;
  gsize end = MIN (w->n, (task + 1) * EDGES_A_TASK);
  for (gsize i = task * EDGES_A_TASK; i < end; i++)
    {
      Edge *e = &w->d->edges[i];
      double p[3];
      e->cost = (float) best_point (&w->d->quadric[e->a], &w->d->quadric[e->b], m->vertices + 3 * (gsize) e->a,
                                    m->vertices + 3 * (gsize) e->b, p);
      for (int k = 0; k < 3; k++)
        e->p[k] = (float) p[k];
    }
}

/* order[] = the edges' indices by cost: by the top 24 bits of the costs
 * (a float that is not negative sorts as its bits do; the rest of them
 * would tell apart costs within 2^-15 of each other), a byte at a time,
 * each key packed with its index. */
static void
sort_by_cost (const Edge *edges, gsize n, guint *order)
{
  guint64 *from = g_new (guint64, n), *to = g_new (guint64, n);
  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;
      memcpy (&bits, &edges[i].cost, sizeof bits);
      from[i] = (guint64) bits << 32 | i;
    }
  for (int shift = 40; shift < 64; shift += 8)
    {
      gsize count[257] = { 0 };
      for (gsize i = 0; i < n; i++)
        count[((from[i] >> shift) & 0xff) + 1]++;
      if (count[((from[0] >> shift) & 0xff) + 1] == n)
        continue;   /* every key has this byte alike */
      for (int c = 0; c < 256; c++)
        count[c + 1] += count[c];
      for (gsize i = 0; i < n; i++)
        to[count[(from[i] >> shift) & 0xff]++] = from[i];
      guint64 *t = from;
      from = to;
      to = t;
    }
  for (gsize i = 0; i < n; i++)
    order[i] = (guint) from[i];
  g_free (from);
  g_free (to);
}

/* Edges that would not collapse, each with the clock when it would not:
 * tried again only once a collapse next to it has changed its
 * neighbourhood (as a heap would push it again). Open addressing. */
typedef struct
{
  guint64 *keys;   /* (a << 32 | b) + 1; 0: empty */
  guint   *when;
  gsize    n, cap;
  guint8  *at;     /* per vertex: an end of one of them */
} Refused;

static gsize
refused_slot (const Refused *r, guint64 key)
{
  gsize i = (gsize) ((key * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 20) & (r->cap - 1);
  while (r->keys[i] != 0 && r->keys[i] != key)
    i = (i + 1) & (r->cap - 1);
  return i;
}

static void
refused_add (Refused *r, guint a, guint b, guint when)
{
  if (2 * (r->n + 1) > r->cap)
    {
      Refused bigger = { g_new0 (guint64, MAX (4096, 2 * r->cap)), g_new (guint, MAX (4096, 2 * r->cap)), r->n,
                         MAX (4096, 2 * r->cap), r->at };
      for (gsize i = 0; i < r->cap; i++)
        if (r->keys[i] != 0)
          {
            gsize j = refused_slot (&bigger, r->keys[i]);
            bigger.keys[j] = r->keys[i];
            bigger.when[j] = r->when[i];
          }
      g_free (r->keys);
      g_free (r->when);
      *r = bigger;
    }
  guint64 key = (((guint64) a << 32) | b) + 1;
  gsize i = refused_slot (r, key);
  r->at[a] = r->at[b] = TRUE;
  r->n += r->keys[i] == 0;
  r->keys[i] = key;
  r->when[i] = when;
}

/* Whether a, b would not collapse when last tried and nothing around
 * them has changed since. */
static gboolean
refused_still (const Refused *r, guint a, guint b, const guint *touched)
{
  if (!r->at[a] || !r->at[b])
    return FALSE;
  gsize i = refused_slot (r, (((guint64) a << 32) | b) + 1);
  return r->keys[i] != 0 && touched[a] <= r->when[i] && touched[b] <= r->when[i];
}

/* Rim vertices: on an edge with a triangle on one side only, that is a
 * neighbour met once among the other corners of a vertex's triangles. */
static void
find_rim (Decimator *d, guint nv)
{
  const MtMesh *m = d->m;
  for (guint v = 0; v < nv; v++)
    {
      guint others[2 * RING], n = 0;
      if (d->first[v + 1] - d->first[v] > RING)
        {
          d->rim[v] = TRUE;   /* too tangled to move anyway */
          continue;
        }
      for (guint i = d->first[v]; i < d->first[v + 1]; i++)
        for (int k = 0; k < 3; k++)
          if (m->triangles[3 * d->faces[i] + k] != v)
            others[n++] = m->triangles[3 * d->faces[i] + k];
      for (guint i = 0; i < n; i++)
        {
          int met = 0;
          for (guint j = 0; j < n; j++)
            met += others[j] == others[i];
          if (met == 1)
            d->rim[v] = d->rim[others[i]] = TRUE;
        }
    }
}

gboolean
mt_mesh_decimate (MtMesh       *mesh,
                  double        fraction,
                  MtProgress   *progress,
                  GCancellable *cancellable,
                  GError      **error)
{
  g_return_val_if_fail (fraction >= 0 && fraction < 1, FALSE);
  const guint nv = mesh->n_vertices, nt = mesh->n_triangles;
  guint target = (guint) ceil (nt * (1 - fraction));
  if (target >= nt)
    return TRUE;
  /* Cancelled, the surface stays as it was. */
  g_autofree float *kept_vertices = g_memdup2 (mesh->vertices, 3 * (gsize) nv * sizeof (float));
  g_autofree guint32 *kept_triangles = g_memdup2 (mesh->triangles, 3 * (gsize) nt * sizeof (guint32));
  Decimator d = { mesh, nt };
  d.first = g_new (guint, nv + 1);
  d.faces = g_new (guint, 3 * (gsize) nt);
  d.dead_face = g_new0 (guint8, nt);
  d.rim = g_new0 (guint8, nv);
  d.locked = g_new (guint8, nv);
  /* A triangle runs at most two of its three edges upwards. */
  d.chosen = g_new (guint8, 2 * (gsize) nt);
  d.touched = g_new0 (guint, nv);
  d.quadric = g_new0 (Quadric, nv);
  d.edges = g_new (Edge, 2 * (gsize) nt);
  guint *order = g_new (guint, 2 * (gsize) nt);
  for (guint f = 0; f < nt; f++)
    {
      double n[3];
      face_normal_at (mesh, f, G_MAXUINT, NULL, n);
      double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      if (len == 0)
        continue;
      /* The plane of the triangle, weighted by its area. */
      const float *p0 = mesh->vertices + 3 * (gsize) mesh->triangles[3 * f];
      double a = n[0] / len, b = n[1] / len, c = n[2] / len;
      for (int k = 0; k < 3; k++)
        quadric_add_plane (&d.quadric[mesh->triangles[3 * f + k]], a, b, c, -(a * p0[0] + b * p0[1] + c * p0[2]),
                           len / 2);
    }
  index_faces (&d, nv);
  find_rim (&d, nv);
  guint alive = nt;
  gboolean ok = TRUE, unlimited = FALSE;
  double yield = 1;
  Refused refused = { .at = g_new0 (guint8, nv) };
  guint clock = 0;
  while (alive > target)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (progress != NULL)
        mt_progress_update (progress, (double) (nt - alive) / (nt - target));
      /* Every edge once: from the triangle that runs it upwards. */
      gsize n_edges = 0;
      for (guint f = 0; f < d.n_live; f++)
        for (int k = 0; k < 3; k++)
          {
            guint a = mesh->triangles[3 * f + k], b = mesh->triangles[3 * f + (k + 1) % 3];
            if (a < b && !d.rim[a] && !d.rim[b])
              {
                d.edges[n_edges].a = a;
                d.edges[n_edges++].b = b;
              }
          }
      if (n_edges == 0)
        break;
      CostWork work = { &d, n_edges };
      mt_parallel_for ((n_edges + EDGES_A_TASK - 1) / EDGES_A_TASK, cost_edges, &work);
      sort_by_cost (d.edges, n_edges, order);
      /* Each collapse takes two triangles. First the collapses of this
       * pass are chosen, cheapest first, no two sharing a vertex, up to
       * the cost of twice as many as are still needed (more when some
       * would not be made last time); then they are made in the surface's
       * own order, each checked as the surface is then. */
      gsize needed = (alive - target + 1) / 2;
      gsize want = (gsize) MIN ((double) n_edges, MAX (1.0, 2.0 * needed / MAX (0.01, yield)));
      float limit = unlimited ? G_MAXFLOAT : d.edges[order[want - 1]].cost;
      memset (d.locked, 0, nv);
      memset (d.chosen, 0, n_edges);
      gsize n_chosen = 0, i_end = 0;
      for (gsize i = 0; i < n_edges && n_chosen < want; i = ++i_end)
        {
          const Edge *e = &d.edges[order[i]];
          if (e->cost > limit)
            break;
          if (d.locked[e->a] || d.locked[e->b] || refused_still (&refused, e->a, e->b, d.touched))
            continue;
          d.locked[e->a] = d.locked[e->b] = TRUE;
          d.chosen[order[i]] = TRUE;
          n_chosen++;
        }
      /* In the surface's order (fewer cache misses), unless these would
       * reach the target: then cheapest first, as all would not be made. */
      gboolean by_cost = n_chosen * yield > needed;
      guint collapsed = 0;
      for (gsize j = 0; j < (by_cost ? i_end : n_edges) && alive > target; j++)
        {
          gsize i = by_cost ? order[j] : j;
          if (!d.chosen[i])
            continue;
          const Edge *e = &d.edges[i];
          guint a = e->a, b = e->b;
          double p[3];
          if (!collapse_keeps_manifold (&d, a, b) || !collapse_point (&d, e, limit, p))
            {
              refused_add (&refused, a, b, clock);
              continue;
            }
          /* b goes into a, at p: the two triangles on the edge die; b's
           * others take a in its place. */
          for (guint g = d.first[b]; g < d.first[b + 1]; g++)
            {
              guint f = d.faces[g];
              if (d.dead_face[f])
                continue;
              if (face_has (mesh, f, a))
                {
                  d.dead_face[f] = TRUE;
                  alive--;
                  continue;
                }
              for (int k = 0; k < 3; k++)
                if (mesh->triangles[3 * f + k] == b)
                  mesh->triangles[3 * f + k] = a;
            }
          for (int k = 0; k < 3; k++)
            mesh->vertices[3 * (gsize) a + k] = (float) p[k];
          for (int k = 0; k < 10; k++)
            d.quadric[a].q[k] += d.quadric[b].q[k];
          /* Everything around a and b has a new neighbourhood. */
          clock++;
          const guint ends[2] = { a, b };
          for (int x = 0; x < 2; x++)
            for (guint g = d.first[ends[x]]; g < d.first[ends[x] + 1]; g++)
              for (int k = 0; k < 3; k++)
                d.touched[mesh->triangles[3 * d.faces[g] + k]] = clock;
          if (++collapsed % 4096 == 0)
            {
              if (progress != NULL)
                mt_progress_update (progress, (double) (nt - alive) / (nt - target));
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                {
                  ok = FALSE;
                  break;
                }
            }
        }
      if (!ok)
        break;
      yield = n_chosen > 0 ? (double) collapsed / n_chosen : 1;
      if (collapsed == 0 && unlimited)
        break;   /* nothing left that may collapse */
      unlimited = collapsed == 0;
      index_faces (&d, nv);
    }
  if (ok)
    {
      /* Compact: the vertices the live triangles use. */
      guint *remap = g_new (guint, nv);
      memset (remap, 0xff, nv * sizeof (guint));
      float *vertices = g_new (float, 3 * (gsize) nv);
      guint n_v = 0;
      for (gsize i = 0; i < 3 * (gsize) d.n_live; i++)
        {
          guint v = mesh->triangles[i];
          if (remap[v] == G_MAXUINT)
            {
              memcpy (vertices + 3 * (gsize) n_v, mesh->vertices + 3 * (gsize) v, 3 * sizeof (float));
              remap[v] = n_v++;
            }
          mesh->triangles[i] = remap[v];
        }
      memcpy (mesh->vertices, vertices, 3 * (gsize) n_v * sizeof (float));
      g_free (vertices);
      g_free (remap);
      mesh->n_vertices = n_v;
      mesh->n_triangles = d.n_live;
      mt_mesh_compute_normals (mesh);
    }
  else
    {
      memcpy (mesh->vertices, kept_vertices, 3 * (gsize) nv * sizeof (float));
      memcpy (mesh->triangles, kept_triangles, 3 * (gsize) nt * sizeof (guint32));
    }
  g_free (d.first);
  g_free (d.faces);
  g_free (d.dead_face);
  g_free (d.rim);
  g_free (d.locked);
  g_free (d.chosen);
  g_free (d.touched);
  g_free (refused.keys);
  g_free (refused.when);
  g_free (refused.at);
  g_free (d.quadric);
  g_free (d.edges);
  g_free (order);
  return ok;
}
