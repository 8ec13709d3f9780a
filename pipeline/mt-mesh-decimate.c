/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decimation by quadric error (Garland and Heckbert 1997): edges collapse
 * cheapest first, each into the point that keeps its two vertices' planes
 * best; a collapse that would pinch the surface, fold a triangle over or
 * move the open rim of a surface is not made. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-mesh.h"
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

/* ------------------------------------------------------------ the heap */

typedef struct
{
  double cost;
  guint  a, b;
  guint  stamp_a, stamp_b;   /* the vertices' versions when costed */
  float  p[3];
} Candidate;

/* A 4-ary min-heap of (cost, index into the candidates): small nodes, a
 * shallow tree, few cache misses on a million edges. */
typedef struct
{
  double cost;
  guint  index;
} Node;

typedef struct
{
  Node      *nodes;
  gsize      n, cap;
  Candidate *items;    /* append-only; compacted with the heap */
  gsize      n_items, cap_items;
} Heap;

static void
sift_up (Heap *h, gsize i, Node node)
{
  while (i > 0)
    {
      gsize parent = (i - 1) / 4;
      if (h->nodes[parent].cost <= node.cost)
        break;
      h->nodes[i] = h->nodes[parent];
      i = parent;
    }
  h->nodes[i] = node;
}

static void
heap_push (Heap *h, const Candidate *c)
{
  if (h->n_items == h->cap_items)
    {
      h->cap_items = MAX (1024, h->cap_items * 2);
      h->items = g_renew (Candidate, h->items, h->cap_items);
    }
  if (h->n == h->cap)
    {
      h->cap = MAX (1024, h->cap * 2);
      h->nodes = g_renew (Node, h->nodes, h->cap);
    }
  h->items[h->n_items] = *c;
  Node node = { c->cost, (guint) h->n_items++ };
  sift_up (h, h->n++, node);
}

static gboolean
heap_pop (Heap *h, Candidate *out)
{
  if (h->n == 0)
    return FALSE;
  *out = h->items[h->nodes[0].index];
  Node last = h->nodes[--h->n];
  gsize i = 0;
  for (;;)
    {
      gsize first = 4 * i + 1, m = i;
      double cm = last.cost;
      for (gsize c = first; c < first + 4 && c < h->n; c++)
        if (h->nodes[c].cost < cm)
          {
            m = c;
            cm = h->nodes[c].cost;
          }
      if (m == i)
        break;
      h->nodes[i] = h->nodes[m];
      i = m;
    }
  if (h->n > 0)
    h->nodes[i] = last;
  return TRUE;
}

static int
by_cost (gconstpointer a, gconstpointer b)
{
  double x = ((const Candidate *) a)->cost, y = ((const Candidate *) b)->cost;
  return x < y ? -1 : x > y;
}

/* Stale candidates out (their vertices changed since); the rest sorted by
 * cost, which is a heap. */
static void
heap_compact (Heap *h, const guint *stamp)
{
  Candidate *fresh = g_new (Candidate, MAX (h->n, 1));
  gsize n = 0;
  for (gsize i = 0; i < h->n; i++)
    {
      const Candidate *c = &h->items[h->nodes[i].index];
      if (c->stamp_a == stamp[c->a] && c->stamp_b == stamp[c->b])
        fresh[n++] = *c;
    }
  qsort (fresh, n, sizeof (Candidate), by_cost);
  g_free (h->items);
  h->items = fresh;
  h->n_items = n;
  h->cap_items = MAX (h->n, 1);
  for (gsize i = 0; i < n; i++)
    {
      h->nodes[i].cost = fresh[i].cost;
      h->nodes[i].index = (guint) i;
    }
  h->n = n;
}

/* ------------------------------------------------------------ collapse */

typedef struct
{
  MtMesh   *m;
  GArray  **faces;      /* per vertex: its triangles (some may be dead) */
  gboolean *dead_face;
  gboolean *rim;        /* on the open rim of the surface: never moved */
  guint    *stamp;
  Quadric  *quadric;
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
  GArray *list = d->faces[v];
  guint n = 0;
  for (guint i = 0; i < list->len; i++)
    {
      guint f = g_array_index (list, guint, i);
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

/* Whether collapsing b into a at p keeps the surface a 2-manifold that does
 * not fold: a and b share exactly the two neighbours across their edge,
 * and no surviving triangle around them turns over. */
static gboolean
collapse_ok (Decimator *d, guint a, guint b, const double p[3])
{
  const MtMesh *m = d->m;
  int shared = 0, edge_faces = 0;
  GArray *fb = d->faces[b];
  for (guint i = 0; i < fb->len; i++)
    {
      guint f = g_array_index (fb, guint, i);
      if (!d->dead_face[f] && face_has (m, f, a))
        edge_faces++;
    }
  if (edge_faces != 2)
    return FALSE;
  /* The link condition: the vertices next to both a and b are exactly the
   * two opposite the edge. */
  guint around_a[RING], around_b[RING];
  guint n_a = ring (d, a, around_a), n_b = ring (d, b, around_b);
  if (n_a == 0 || n_b == 0)
    return FALSE;
  for (guint i = 0; i < n_b; i++)
    if (around_b[i] != a && around_b[i] != b)
      for (guint j = 0; j < n_a; j++)
        shared += around_a[j] == around_b[i];
  if (shared != 2)
    return FALSE;
  /* A closed piece as small as a tetrahedron stays: collapsing it would
   * leave two triangles back to back. */
  if (n_a + n_b - (shared + 2) <= 4)
    return FALSE;
  /* No fold: every triangle that survives keeps its side. */
  const guint ends[2] = { a, b };
  for (int e = 0; e < 2; e++)
    {
      GArray *list = d->faces[ends[e]];
      for (guint i = 0; i < list->len; i++)
        {
          guint f = g_array_index (list, guint, i);
          if (d->dead_face[f] || (face_has (m, f, a) && face_has (m, f, b)))
            continue;
          double before[3], after[3];
          face_normal_at (m, f, G_MAXUINT, NULL, before);
          face_normal_at (m, f, ends[e], p, after);
          double dotp = before[0] * after[0] + before[1] * after[1] + before[2] * after[2];
          double lb = sqrt (before[0] * before[0] + before[1] * before[1] + before[2] * before[2]);
          double la = sqrt (after[0] * after[0] + after[1] * after[1] + after[2] * after[2]);
          if (la < 1e-12 || dotp < 0.2 * lb * la)
            return FALSE;
        }
    }
  return TRUE;
}

static void
push_edge (Decimator *d, Heap *heap, guint a, guint b)
{
  const MtMesh *m = d->m;
  if (d->rim[a] || d->rim[b])
    return;
  double p[3];
  Candidate c;
  c.cost = best_point (&d->quadric[a], &d->quadric[b], m->vertices + 3 * (gsize) a, m->vertices + 3 * (gsize) b, p);
  c.a = a;
  c.b = b;
  c.stamp_a = d->stamp[a];
  c.stamp_b = d->stamp[b];
  for (int x = 0; x < 3; x++)
    c.p[x] = (float) p[x];
  heap_push (heap, &c);
}

/* The edges around a, each once, costed anew (a moved or its quadric
 * grew); first drops a's dead triangles from its list. */
static void
push_edges_of (Decimator *d, Heap *heap, guint a)
{
  GArray *list = d->faces[a];
  guint kept = 0;
  for (guint i = 0; i < list->len; i++)
    {
      guint f = g_array_index (list, guint, i);
      if (!d->dead_face[f])
        g_array_index (list, guint, kept++) = f;
    }
  g_array_set_size (list, kept);
  guint around[RING], n = ring (d, a, around);
  for (guint i = 0; i < n; i++)
    if (around[i] != a)
      push_edge (d, heap, a, around[i]);
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
  Decimator d = { mesh };
  d.faces = g_new (GArray *, nv);
  for (guint v = 0; v < nv; v++)
    d.faces[v] = g_array_sized_new (FALSE, FALSE, sizeof (guint), 6);
  d.dead_face = g_new0 (gboolean, nt);
  d.rim = g_new0 (gboolean, nv);
  d.stamp = g_new0 (guint, nv);
  d.quadric = g_new0 (Quadric, nv);
  for (guint f = 0; f < nt; f++)
    {
      double n[3];
      face_normal_at (mesh, f, G_MAXUINT, NULL, n);
      double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      const float *p0 = mesh->vertices + 3 * (gsize) mesh->triangles[3 * f];
      for (int k = 0; k < 3; k++)
        {
          guint v = mesh->triangles[3 * f + k];
          g_array_append_val (d.faces[v], f);
          if (len > 0)
            {
              /* The plane of the triangle, weighted by its area. */
              double a = n[0] / len, b = n[1] / len, c = n[2] / len;
              quadric_add_plane (&d.quadric[v], a, b, c, -(a * p0[0] + b * p0[1] + c * p0[2]), len / 2);
            }
        }
    }
  /* The rim: edges with a triangle on one side only (found through each
   * vertex's own short list of triangles). */
  for (guint v = 0; v < nv; v++)
    {
      GArray *list = d.faces[v];
      for (guint i = 0; i < list->len && !d.rim[v]; i++)
        {
          guint f = g_array_index (list, guint, i);
          for (int k = 0; k < 3; k++)
            {
              guint w = mesh->triangles[3 * f + k];
              if (w == v)
                continue;
              int sharing = 0;
              for (guint j = 0; j < list->len; j++)
                sharing += face_has (mesh, g_array_index (list, guint, j), w);
              if (sharing == 1)
                d.rim[v] = d.rim[w] = TRUE;
            }
        }
    }
  Heap heap = { 0 };
  for (guint f = 0; f < nt; f++)
    for (int k = 0; k < 3; k++)
      {
        guint a = mesh->triangles[3 * f + k], b = mesh->triangles[3 * f + (k + 1) % 3];
        /* Each edge once: from the triangle that runs it upwards. */
        if (a < b)
          push_edge (&d, &heap, a, b);
      }
  guint alive = nt, done = 0;
  gboolean ok = !g_cancellable_set_error_if_cancelled (cancellable, error);
  Candidate c;
  while (ok && alive > target && heap_pop (&heap, &c))
    {
      guint a = c.a, b = c.b;
      if (c.stamp_a != d.stamp[a] || c.stamp_b != d.stamp[b])
        continue;
      double p[3] = { c.p[0], c.p[1], c.p[2] };
      if (!collapse_ok (&d, a, b, p))
        continue;
      /* b goes into a, at p: the two triangles on the edge die; b's others
       * take a in its place. */
      for (guint i = 0; i < d.faces[b]->len; i++)
        {
          guint f = g_array_index (d.faces[b], guint, i);
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
          g_array_append_val (d.faces[a], f);
        }
      g_array_set_size (d.faces[b], 0);
      for (int k = 0; k < 3; k++)
        mesh->vertices[3 * (gsize) a + k] = (float) p[k];
      for (int k = 0; k < 10; k++)
        d.quadric[a].q[k] += d.quadric[b].q[k];
      d.stamp[a]++;
      d.stamp[b]++;
      /* The edges around a cost anew; other edges are as they were. */
      push_edges_of (&d, &heap, a);
      if (heap.n_items > 8 * (gsize) alive + 4096)
        heap_compact (&heap, d.stamp);
      if (++done % 4096 == 0)
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
  if (ok)
    {
      /* Compact: the live triangles and the vertices they use. */
      guint *remap = g_new (guint, nv);
      memset (remap, 0xff, nv * sizeof (guint));
      float *vertices = g_new (float, 3 * (gsize) nv);
      guint n_v = 0, n_t = 0;
      for (guint f = 0; f < nt; f++)
        {
          if (d.dead_face[f])
            continue;
          for (int k = 0; k < 3; k++)
            {
              guint v = mesh->triangles[3 * f + k];
              if (remap[v] == G_MAXUINT)
                {
                  memcpy (vertices + 3 * (gsize) n_v, mesh->vertices + 3 * (gsize) v, 3 * sizeof (float));
                  remap[v] = n_v++;
                }
              mesh->triangles[3 * (gsize) n_t + k] = remap[v];
            }
          n_t++;
        }
      memcpy (mesh->vertices, vertices, 3 * (gsize) n_v * sizeof (float));
      g_free (vertices);
      g_free (remap);
      mesh->n_vertices = n_v;
      mesh->n_triangles = n_t;
      mt_mesh_compute_normals (mesh);
    }
  if (!ok)
    {
      memcpy (mesh->vertices, kept_vertices, 3 * (gsize) nv * sizeof (float));
      memcpy (mesh->triangles, kept_triangles, 3 * (gsize) nt * sizeof (guint32));
    }
  for (guint v = 0; v < nv; v++)
    g_array_unref (d.faces[v]);
  g_free (d.faces);
  g_free (d.dead_face);
  g_free (d.rim);
  g_free (d.stamp);
  g_free (d.quadric);
  g_free (heap.items);
  g_free (heap.nodes);
  return ok;
}
