/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Repairing surfaces for printing and display: small pieces removed, holes
 * filled, and a cut by a plane (or six, a box) closed by a flat cap. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-progress.h"

/* Keeps the triangles marked and the vertices they use, in order. */
static void
compact (MtMesh *m, const guint8 *keep_triangle)
{
  g_autofree guint32 *map = g_new (guint32, MAX (m->n_vertices, 1));
  for (guint v = 0; v < m->n_vertices; v++)
    map[v] = G_MAXUINT32;
  guint nt = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    if (keep_triangle[t])
      {
        for (int k = 0; k < 3; k++)
          {
            guint32 v = m->triangles[3 * t + k];
            map[v] = 0;
            m->triangles[3 * nt + k] = v;
          }
        nt++;
      }
  guint nv = 0;
  for (guint v = 0; v < m->n_vertices; v++)
    if (map[v] == 0)
      {
        map[v] = nv;
        memmove (m->vertices + 3 * (gsize) nv, m->vertices + 3 * (gsize) v, 3 * sizeof (float));
        memmove (m->normals + 3 * (gsize) nv, m->normals + 3 * (gsize) v, 3 * sizeof (float));
        nv++;
      }
  for (guint i = 0; i < 3 * nt; i++)
    m->triangles[i] = map[m->triangles[i]];
  m->n_vertices = nv;
  m->n_triangles = nt;
}

static guint32
find_root (guint32 *parent, guint32 v)
{
  while (parent[v] != v)
    {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
  return v;
}

guint
mt_mesh_remove_small_pieces (MtMesh *mesh,
                             double  fraction)
{
  g_return_val_if_fail (mesh != NULL, 0);
  if (mesh->n_triangles == 0 || fraction <= 0)
    return 0;
  const guint nv = mesh->n_vertices;
  g_autofree guint32 *parent = g_new (guint32, nv);
  for (guint v = 0; v < nv; v++)
    parent[v] = v;
  for (guint t = 0; t < mesh->n_triangles; t++)
    {
      guint32 a = find_root (parent, mesh->triangles[3 * t]);
      for (int k = 1; k < 3; k++)
        {
          guint32 b = find_root (parent, mesh->triangles[3 * t + k]);
          if (a != b)
            parent[MAX (a, b)] = MIN (a, b);
          a = MIN (a, b);
        }
    }
  g_autofree guint32 *size = g_new0 (guint32, nv);
  guint32 largest = 0;
  for (guint t = 0; t < mesh->n_triangles; t++)
    {
      guint32 count = ++size[find_root (parent, mesh->triangles[3 * t])];
      largest = MAX (largest, count);
    }
  guint pieces = 0, removed = 0;
  for (guint v = 0; v < nv; v++)
    if (size[v] > 0)
      {
        pieces++;
        removed += size[v] < fraction * largest;
      }
  if (removed == 0)
    return 0;
  g_autofree guint8 *keep = g_new (guint8, mesh->n_triangles);
  for (guint t = 0; t < mesh->n_triangles; t++)
    keep[t] = size[find_root (parent, mesh->triangles[3 * t])] >= fraction * largest;
  compact (mesh, keep);
  g_debug ("%u of %u pieces removed (under %.3g of the largest's %u triangles)", removed, pieces, fraction, largest);
  return removed;
}

/* ------------------------------------------------------------- holes */

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Sorts n keys by their low `bits` bits, 16 at a time (least significant
 * digit first): linear, where a comparison sort of a large mesh's millions
 * of edges is not. */
static void
radix_sort (guint64 *keys, gsize n, int bits)
{
  g_autofree guint64 *tmp = g_new (guint64, MAX (n, 1));
  g_autofree gsize *count = g_new (gsize, 65536);
  guint64 *from = keys, *to = tmp;
  for (int shift = 0; shift < bits; shift += 16)
    {
      memset (count, 0, 65536 * sizeof (gsize));
      for (gsize i = 0; i < n; i++)
        count[(from[i] >> shift) & 0xffff]++;
      gsize sum = 0;
      for (int d = 0; d < 65536; d++)
        {
          gsize c = count[d];
          count[d] = sum;
          sum += c;
        }
      for (gsize i = 0; i < n; i++)
        to[count[(from[i] >> shift) & 0xffff]++] = from[i];
      guint64 *swap = from;
      from = to;
      to = swap;
    }
  if (from != keys)
    memcpy (keys, from, n * sizeof (guint64));
}

/* The open rim, as the edges of the patches that would close it: a surface
 * edge a -> b that no triangle walks back is b -> a of its hole's patch,
 * returned (b << 32 | a) and sorted, so the edges leaving a vertex are
 * neighbours. With canon, vertices are taken as their representatives.
 * Every edge goes in once, undirected, with its direction in the lowest
 * bit; after the sort, a run of one edge pairs its two directions. */
static GArray *
hole_edges (const MtMesh *m, const guint32 *canon)
{
  gsize n = 0;
  g_autofree guint64 *e = g_new (guint64, MAX (3 * (gsize) m->n_triangles, 1));
  for (guint t = 0; t < m->n_triangles; t++)
    for (int k = 0; k < 3; k++)
      {
        guint64 a = m->triangles[3 * t + k], b = m->triangles[3 * t + (k + 1) % 3];
        if (canon != NULL)
          a = canon[a], b = canon[b];
        if (a != b)
          e[n++] = (MIN (a, b) << 33) | (MAX (a, b) << 1) | (a > b);
      }
  int bits = 1;
  while (bits < 64 && ((guint64) m->n_vertices << 33) >> bits != 0)
    bits++;
  radix_sort (e, n, bits + 1);
  GArray *rim = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      long balance = 0;
      while (j < n && e[j] >> 1 == e[i] >> 1)
        balance += (e[j++] & 1) ? -1 : 1;
      guint64 lo = e[i] >> 33, hi = (e[i] >> 1) & 0xffffffffu;
      /* More lo -> hi than hi -> lo: the patch runs hi -> lo; and so on. */
      for (; balance > 0; balance--)
        {
          guint64 patch = hi << 32 | lo;
          g_array_append_val (rim, patch);
        }
      for (; balance < 0; balance++)
        {
          guint64 patch = lo << 32 | hi;
          g_array_append_val (rim, patch);
        }
      i = j;
    }
  g_array_sort (rim, cmp_u64);
  return rim;
}

static double
tri_area (const float *v, guint32 a, guint32 b, guint32 c)
{
  double u[3], w[3];
  for (int k = 0; k < 3; k++)
    {
      u[k] = v[3 * b + k] - v[3 * a + k];
      w[k] = v[3 * c + k] - v[3 * a + k];
    }
  double x = u[1] * w[2] - u[2] * w[1], y = u[2] * w[0] - u[0] * w[2], z = u[0] * w[1] - u[1] * w[0];
  return 0.5 * sqrt (x * x + y * y + z * z);
}

/* The loop's triangulation of least area (Barequet and Sharir's dynamic
 * programme, as Liepa fills holes): small holes get the flattest patch. */
#define SMALL_HOLE 160

static void
fill_least_area (const MtMesh *m, const guint32 *loop, guint n, GArray *tris)
{
  g_autofree double *w = g_new0 (double, (gsize) n * n);
  g_autofree guint16 *split = g_new0 (guint16, (gsize) n * n);
  for (guint len = 2; len < n; len++)
    for (guint i = 0; i + len < n; i++)
      {
        guint j = i + len;
        double best = INFINITY;
        for (guint k = i + 1; k < j; k++)
          {
            double c = w[i * n + k] + w[k * n + j] + tri_area (m->vertices, loop[i], loop[k], loop[j]);
            if (c < best)
              {
                best = c;
                split[i * n + j] = (guint16) k;
              }
          }
        w[i * n + j] = best;
      }
  guint stack[2 * SMALL_HOLE + 4], top = 0;
  stack[top++] = 0;
  stack[top++] = n - 1;
  while (top > 0)
    {
      guint j = stack[--top], i = stack[--top];
      if (j - i < 2)
        continue;
      guint k = split[i * n + j];
      guint32 t[3] = { loop[i], loop[k], loop[j] };
      g_array_append_vals (tris, t, 3);
      stack[top++] = i;
      stack[top++] = k;
      stack[top++] = k;
      stack[top++] = j;
    }
}

guint
mt_mesh_fill_holes (MtMesh *mesh,
                    guint   max_edges)
{
  g_return_val_if_fail (mesh != NULL, 0);
  g_autoptr (GArray) rim = hole_edges (mesh, NULL);
  if (rim->len == 0)
    return 0;
  const guint64 *edges = (const guint64 *) rim->data;
  /* Where each vertex's edges start in the sorted list (plus one). */
  g_autoptr (GHashTable) first = g_hash_table_new (NULL, NULL);
  for (guint i = rim->len; i-- > 0;)
    g_hash_table_insert (first, GUINT_TO_POINTER ((guint32) (edges[i] >> 32) + 1), GUINT_TO_POINTER (i + 1));
  g_autofree guint8 *used = g_new0 (guint8, rim->len);
  g_autoptr (GArray) tris = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) verts = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) loop = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint filled = 0;
  for (guint s = 0; s < rim->len; s++)
    {
      if (used[s])
        continue;
      g_array_set_size (loop, 0);
      const guint32 start = (guint32) (edges[s] >> 32);
      guint e = s;
      gboolean closed = FALSE;
      while (TRUE)
        {
          used[e] = 1;
          guint32 from = (guint32) (edges[e] >> 32), to = (guint32) edges[e];
          g_array_append_val (loop, from);
          if (to == start)
            {
              closed = TRUE;
              break;
            }
          /* Where two holes touch at a vertex, it has two edges out: the
           * first unused one goes on. */
          guint i = GPOINTER_TO_UINT (g_hash_table_lookup (first, GUINT_TO_POINTER (to + 1)));
          gboolean found = FALSE;
          for (; i > 0 && i - 1 < rim->len && (guint32) (edges[i - 1] >> 32) == to; i++)
            if (!used[i - 1])
              {
                e = i - 1;
                found = TRUE;
                break;
              }
          if (!found)
            break;
        }
      if (!closed || loop->len < 3 || (max_edges > 0 && loop->len > max_edges))
        continue;
      const guint32 *l = (const guint32 *) loop->data;
      if (loop->len <= SMALL_HOLE)
        fill_least_area (mesh, l, loop->len, tris);
      else
        {
          /* A large hole (a scan's edge, a cut): a fan about its centre. */
          double c[3] = { 0, 0, 0 };
          for (guint i = 0; i < loop->len; i++)
            for (int k = 0; k < 3; k++)
              c[k] += mesh->vertices[3 * l[i] + k] / loop->len;
          guint32 centre = mesh->n_vertices + verts->len / 3;
          for (int k = 0; k < 3; k++)
            {
              float f = (float) c[k];
              g_array_append_val (verts, f);
            }
          for (guint i = 0; i < loop->len; i++)
            {
              guint32 t[3] = { l[i], l[(i + 1) % loop->len], centre };
              g_array_append_vals (tris, t, 3);
            }
        }
      filled++;
    }
  if (filled == 0)
    return 0;
  guint nv0 = mesh->n_vertices, nt0 = mesh->n_triangles;
  guint nv = nv0 + verts->len / 3, nt = nt0 + tris->len / 3;
  mesh->vertices = g_renew (float, mesh->vertices, 3 * (gsize) nv);
  mesh->normals = g_renew (float, mesh->normals, 3 * (gsize) nv);
  mesh->triangles = g_renew (guint32, mesh->triangles, 3 * (gsize) nt);
  memcpy (mesh->vertices + 3 * (gsize) nv0, verts->data, verts->len * sizeof (float));
  memset (mesh->normals + 3 * (gsize) nv0, 0, verts->len * sizeof (float));
  memcpy (mesh->triangles + 3 * (gsize) nt0, tris->data, tris->len * sizeof (guint32));
  mesh->n_vertices = nv;
  mesh->n_triangles = nt;
  /* The patch's own vertices face the way its triangles do; the rim keeps
   * the normals it had. */
  for (guint t = nt0; t < nt; t++)
    {
      const guint32 *c = mesh->triangles + 3 * (gsize) t;
      double u[3], w[3];
      for (int k = 0; k < 3; k++)
        {
          u[k] = mesh->vertices[3 * c[1] + k] - mesh->vertices[3 * c[0] + k];
          w[k] = mesh->vertices[3 * c[2] + k] - mesh->vertices[3 * c[0] + k];
        }
      float n[3] = { (float) (u[1] * w[2] - u[2] * w[1]), (float) (u[2] * w[0] - u[0] * w[2]),
                     (float) (u[0] * w[1] - u[1] * w[0]) };
      for (int j = 0; j < 3; j++)
        if (c[j] >= nv0)
          for (int k = 0; k < 3; k++)
            mesh->normals[3 * c[j] + k] += n[k];
    }
  for (guint v = nv0; v < nv; v++)
    {
      float *n = mesh->normals + 3 * (gsize) v;
      float len = sqrtf (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      for (int k = 0; k < 3 && len > 0; k++)
        n[k] /= len;
    }
  return filled;
}

/* -------------------------------------------------------------- caps */

/* A cap polygon in the cut plane: nodes of a doubly linked ring over 2D
 * points (bridging a hole in duplicates a node, never a point). */
typedef struct
{
  double  *x, *y;        /* per point */
  guint32 *vertex;       /* per point: the mesh vertex */
  GArray  *prev, *next;  /* per node: guint */
  GArray  *point;        /* per node: guint, its point */
  GArray  *gone;         /* per node: guint8, clipped */
} Cap;

#define NODE(a, i) g_array_index ((a), guint, (i))

static guint
cap_node (Cap *c, guint point)
{
  guint id = c->point->len, none = G_MAXUINT;
  guint8 zero = 0;
  g_array_append_val (c->point, point);
  g_array_append_val (c->prev, none);
  g_array_append_val (c->next, none);
  g_array_append_val (c->gone, zero);
  return id;
}

static double
orient (const Cap *c, guint pa, guint pb, guint pp)
{
  return (c->x[pb] - c->x[pa]) * (c->y[pp] - c->y[pa]) - (c->y[pb] - c->y[pa]) * (c->x[pp] - c->x[pa]);
}

/* Twice the signed area of a ring (positive: counter-clockwise). */
static double
ring_area (const Cap *c, guint start)
{
  double a = 0;
  guint n = start;
  do
    {
      guint p = NODE (c->point, n), q = NODE (c->point, NODE (c->next, n));
      a += c->x[p] * c->y[q] - c->x[q] * c->y[p];
      n = NODE (c->next, n);
    }
  while (n != start);
  return a;
}

static gboolean
ring_contains (const Cap *c, guint start, double px, double py)
{
  gboolean in = FALSE;
  guint n = start;
  do
    {
      guint p = NODE (c->point, n), q = NODE (c->point, NODE (c->next, n));
      if ((c->y[p] > py) != (c->y[q] > py)
          && px < c->x[p] + (py - c->y[p]) * (c->x[q] - c->x[p]) / (c->y[q] - c->y[p]))
        in = !in;
      n = NODE (c->next, n);
    }
  while (n != start);
  return in;
}

static gboolean
in_triangle (const Cap *c, guint a, guint b, guint d, guint p)
{
  return orient (c, a, b, p) >= 0 && orient (c, b, d, p) >= 0 && orient (c, d, a, p) >= 0;
}

/* Joins a hole (clockwise) into the ring around it by two coincident
 * edges, from its rightmost node to a node of the ring it can see, as
 * Eberly's ear clipping and earcut do. */
static gboolean
bridge_hole (Cap *c, guint outer, guint hole)
{
  guint m = hole, n = hole;
  do
    {
      if (c->x[NODE (c->point, n)] > c->x[NODE (c->point, m)])
        m = n;
      n = NODE (c->next, n);
    }
  while (n != hole);
  const guint pm = NODE (c->point, m);
  const double hx = c->x[pm], hy = c->y[pm];
  /* The nearest ring edge the ray to +x meets. */
  guint best = G_MAXUINT;
  double bx = INFINITY;
  n = outer;
  do
    {
      guint nn = NODE (c->next, n), p = NODE (c->point, n), q = NODE (c->point, nn);
      if ((c->y[p] > hy) != (c->y[q] > hy))
        {
          double x = c->x[p] + (hy - c->y[p]) * (c->x[q] - c->x[p]) / (c->y[q] - c->y[p]);
          if (x >= hx && x < bx)
            {
              bx = x;
              best = c->x[p] > c->x[q] ? n : nn;
            }
        }
      n = nn;
    }
  while (n != outer);
  if (best == G_MAXUINT)
    return FALSE;
  /* A reflex ring node inside the triangle (hole node, hit, candidate)
   * would block the view: the one at the smallest angle to the ray does
   * not. */
  const guint pb = NODE (c->point, best);
  const double ix = bx, iy = hy;
  double best_tan = INFINITY;
  guint chosen = best;
  n = outer;
  do
    {
      guint p = NODE (c->point, n);
      if (n != best && c->x[p] >= hx && c->x[p] <= MAX (ix, c->x[pb]))
        {
          /* Inside (hx,hy)-(ix,iy)-(pb) on either winding. */
          double d1 = (ix - hx) * (c->y[p] - hy) - (iy - hy) * (c->x[p] - hx);
          double d2 = (c->x[pb] - ix) * (c->y[p] - iy) - (c->y[pb] - iy) * (c->x[p] - ix);
          double d3 = (hx - c->x[pb]) * (c->y[p] - c->y[pb]) - (hy - c->y[pb]) * (c->x[p] - c->x[pb]);
          gboolean inside = (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
          guint pp = NODE (c->point, NODE (c->prev, n)), pn = NODE (c->point, NODE (c->next, n));
          gboolean reflex = orient (c, pp, p, pn) < 0;
          if (inside && reflex && (c->x[p] != hx || c->y[p] != hy))
            {
              double t = fabs (c->y[p] - hy) / (c->x[p] - hx + 1e-300);
              if (t < best_tan)
                {
                  best_tan = t;
                  chosen = n;
                }
            }
        }
      n = NODE (c->next, n);
    }
  while (n != outer);
  /* ... chosen -> m -> (round the hole) -> m' -> chosen' -> after chosen. */
  guint m2 = cap_node (c, pm), p2 = cap_node (c, NODE (c->point, chosen));
  guint after = NODE (c->next, chosen), before_m = NODE (c->prev, m);
  NODE (c->next, chosen) = m;
  NODE (c->prev, m) = chosen;
  NODE (c->next, before_m) = m2;
  NODE (c->prev, m2) = before_m;
  NODE (c->next, m2) = p2;
  NODE (c->prev, p2) = m2;
  NODE (c->next, p2) = after;
  NODE (c->prev, after) = p2;
  return TRUE;
}

/* Ear clipping of a counter-clockwise ring, a grid of its nodes for the
 * test that no other node lies in an ear. Where no ear is left (rounding,
 * touching rings), the best remaining corner is cut all the same: the cap
 * stays closed. */
static void
clip_ears (Cap *c, guint start, GArray *tris)
{
  guint count = 0, n = start;
  double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  do
    {
      guint p = NODE (c->point, n);
      lo[0] = MIN (lo[0], c->x[p]);
      lo[1] = MIN (lo[1], c->y[p]);
      hi[0] = MAX (hi[0], c->x[p]);
      hi[1] = MAX (hi[1], c->y[p]);
      count++;
      n = NODE (c->next, n);
    }
  while (n != start);
  const int g = CLAMP ((int) sqrt (count / 2.0), 1, 512);
  const double cw = MAX (hi[0] - lo[0], 1e-9) / g, ch = MAX (hi[1] - lo[1], 1e-9) / g;
  g_autofree guint *cell_first = g_new0 (guint, (gsize) g * g + 1);
  g_autofree guint *cell_nodes = g_new (guint, count);
#define CELL_X(px) CLAMP ((int) (((px) - lo[0]) / cw), 0, g - 1)
#define CELL_Y(py) CLAMP ((int) (((py) - lo[1]) / ch), 0, g - 1)
  n = start;
  do
    {
      guint p = NODE (c->point, n);
      cell_first[CELL_Y (c->y[p]) * g + CELL_X (c->x[p]) + 1]++;
      n = NODE (c->next, n);
    }
  while (n != start);
  for (int i = 0; i < g * g; i++)
    cell_first[i + 1] += cell_first[i];
  g_autofree guint *fill = g_memdup2 (cell_first, (gsize) g * g * sizeof (guint));
  n = start;
  do
    {
      guint p = NODE (c->point, n);
      cell_nodes[fill[CELL_Y (c->y[p]) * g + CELL_X (c->x[p])]++] = n;
      n = NODE (c->next, n);
    }
  while (n != start);

  guint node = start, stop = start;
  int stage = 0;
  while (count > 2)
    {
      guint a = NODE (c->prev, node), b = node, d = NODE (c->next, node);
      guint pa = NODE (c->point, a), pb = NODE (c->point, b), pd = NODE (c->point, d);
      double o = orient (c, pa, pb, pd);
      gboolean ear;
      if (stage == 0)
        {
          ear = o > 0;
          double tlo[2] = { MIN (c->x[pa], MIN (c->x[pb], c->x[pd])), MIN (c->y[pa], MIN (c->y[pb], c->y[pd])) };
          double thi[2] = { MAX (c->x[pa], MAX (c->x[pb], c->x[pd])), MAX (c->y[pa], MAX (c->y[pb], c->y[pd])) };
          for (int cy = CELL_Y (tlo[1]); ear && cy <= CELL_Y (thi[1]); cy++)
            for (int cx = CELL_X (tlo[0]); ear && cx <= CELL_X (thi[0]); cx++)
              for (guint i = cell_first[cy * g + cx]; ear && i < cell_first[cy * g + cx + 1]; i++)
                {
                  guint q = cell_nodes[i], pq = NODE (c->point, q);
                  if (g_array_index (c->gone, guint8, q) || q == a || q == b || q == d)
                    continue;
                  if ((c->x[pq] == c->x[pa] && c->y[pq] == c->y[pa]) || (c->x[pq] == c->x[pb] && c->y[pq] == c->y[pb])
                      || (c->x[pq] == c->x[pd] && c->y[pq] == c->y[pd]))
                    continue;
                  if (in_triangle (c, pa, pb, pd, pq))
                    ear = FALSE;
                }
        }
      else
        /* Stage 1: a corner of no area (a spike, a straight run); stage 2:
         * any convex corner; stage 3: any corner. */
        ear = stage == 1 ? fabs (o) <= 1e-12 * (cw + ch) * (cw + ch) : stage == 2 ? o > 0 : TRUE;
      if (ear)
        {
          guint32 t[3] = { c->vertex[pa], c->vertex[pb], c->vertex[pd] };
          g_array_append_vals (tris, t, 3);
          NODE (c->next, a) = d;
          NODE (c->prev, d) = a;
          g_array_index (c->gone, guint8, b) = 1;
          count--;
          node = stop = d;
          stage = 0;
          continue;
        }
      node = d;
      if (node == stop)
        stage++;
    }
#undef CELL_X
#undef CELL_Y
}

/* ---------------------------------------------------------- clipping */

static void
add_vertex (GArray *v, GArray *nrm, const double p[3], const double n[3])
{
  for (int k = 0; k < 3; k++)
    {
      float f = (float) p[k], g = (float) n[k];
      g_array_append_val (v, f);
      g_array_append_val (nrm, g);
    }
}

/* The vertex where the plane cuts the edge a-b, made once for both of its
 * triangles. */
static guint32
cut_vertex (GHashTable *cuts, const MtMesh *m, const double *dist, guint32 a, guint32 b, GArray *v, GArray *nrm,
            guint nv0)
{
  guint64 key = (guint64) MIN (a, b) << 32 | MAX (a, b);
  gpointer found;
  if (g_hash_table_lookup_extended (cuts, &key, NULL, &found))
    return GPOINTER_TO_UINT (found);
  double t = dist[a] / (dist[a] - dist[b]), p[3], n[3];
  for (int k = 0; k < 3; k++)
    {
      p[k] = m->vertices[3 * a + k] + t * (m->vertices[3 * b + k] - m->vertices[3 * a + k]);
      n[k] = m->normals[3 * a + k] + t * (m->normals[3 * b + k] - m->normals[3 * a + k]);
    }
  guint32 id = nv0 + v->len / 3;
  add_vertex (v, nrm, p, n);
  guint64 *k = g_new (guint64, 1);
  *k = key;
  g_hash_table_insert (cuts, k, GUINT_TO_POINTER (id));
  return id;
}

/* One representative index per position (the first vertex there), by
 * an open-addressing table on the coordinates' bits. */
static guint32 *
canonical_vertices (const MtMesh *m)
{
  const guint nv = m->n_vertices;
  gsize size = 1;
  while (size < 2 * (gsize) nv + 2)
    size <<= 1;
  g_autofree guint32 *slot = g_new (guint32, size);
  memset (slot, 0xff, size * sizeof (guint32));
  guint32 *canon = g_new (guint32, MAX (nv, 1));
  for (guint v = 0; v < nv; v++)
    {
      const float *p = m->vertices + 3 * (gsize) v;
      guint32 bits[3];
      memcpy (bits, p, sizeof bits);
      guint64 h = (bits[0] * 0x9e3779b97f4a7c15u) ^ (bits[1] * 0xc2b2ae3d27d4eb4fu) ^ (bits[2] * 0x165667b19e3779f9u);
      gsize i = (h ^ (h >> 29)) & (size - 1);
      while (slot[i] != G_MAXUINT32 && memcmp (m->vertices + 3 * (gsize) slot[i], p, 3 * sizeof (float)) != 0)
        i = (i + 1) & (size - 1);
      if (slot[i] == G_MAXUINT32)
        slot[i] = v;
      canon[v] = slot[i];
    }
  return canon;
}

static void
add_caps (const MtMesh *m, const GArray *cap_edges, const double n[3], const GArray *v, guint nv0, GArray *tris)
{
  if (cap_edges->len == 0)
    return;
  /* (u, w) span the plane with u x w = -n: a counter-clockwise ring in
   * (u, w) faces out of the part kept. */
  double u[3] = { 1, 0, 0 };
  if (fabs (n[0]) > 0.9)
    u[0] = 0, u[1] = 1;
  double d = u[0] * n[0] + u[1] * n[1] + u[2] * n[2];
  for (int k = 0; k < 3; k++)
    u[k] -= d * n[k];
  double len = sqrt (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  for (int k = 0; k < 3; k++)
    u[k] /= len;
  double w[3] = { u[1] * n[2] - u[2] * n[1], u[2] * n[0] - u[0] * n[2], u[0] * n[1] - u[1] * n[0] };

  /* Each cut vertex has one cap edge in and one out on a closed surface. */
  g_autoptr (GHashTable) next = g_hash_table_new (NULL, NULL);
  const guint32 *e = (const guint32 *) cap_edges->data;
  guint n_edges = cap_edges->len / 2;
  for (guint i = 0; i < n_edges; i++)
    g_hash_table_insert (next, GUINT_TO_POINTER (e[2 * i] + 1), GUINT_TO_POINTER (e[2 * i + 1] + 1));
  Cap c = { 0 };
  c.x = g_new (double, 2 * n_edges);
  c.y = g_new (double, 2 * n_edges);
  c.vertex = g_new (guint32, 2 * n_edges);
  c.prev = g_array_new (FALSE, FALSE, sizeof (guint));
  c.next = g_array_new (FALSE, FALSE, sizeof (guint));
  c.point = g_array_new (FALSE, FALSE, sizeof (guint));
  c.gone = g_array_new (FALSE, FALSE, sizeof (guint8));
  guint n_points = 0;
  g_autoptr (GArray) rings = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GHashTable) done = g_hash_table_new (NULL, NULL);
  guint chains = 0;
  for (guint i = 0; i < n_edges; i++)
    {
      guint32 s = e[2 * i];
      if (g_hash_table_contains (done, GUINT_TO_POINTER (s + 1)))
        continue;
      guint first = G_MAXUINT, last = G_MAXUINT;
      guint32 at = s;
      gboolean closed = FALSE;
      for (guint steps = 0; steps <= n_edges; steps++)
        {
          g_hash_table_add (done, GUINT_TO_POINTER (at + 1));
          const float *p = at < nv0 ? m->vertices + 3 * (gsize) at : &g_array_index (v, float, 3 * (gsize) (at - nv0));
          guint pt = n_points++;
          c.x[pt] = p[0] * u[0] + p[1] * u[1] + p[2] * u[2];
          c.y[pt] = p[0] * w[0] + p[1] * w[1] + p[2] * w[2];
          c.vertex[pt] = at;
          guint node = cap_node (&c, pt);
          if (first == G_MAXUINT)
            first = node;
          else
            {
              NODE (c.next, last) = node;
              NODE (c.prev, node) = last;
            }
          last = node;
          guint32 to = GPOINTER_TO_UINT (g_hash_table_lookup (next, GUINT_TO_POINTER (at + 1)));
          if (to == 0)
            break;
          at = to - 1;
          if (at == s)
            {
              closed = TRUE;
              break;
            }
          if (g_hash_table_contains (done, GUINT_TO_POINTER (at + 1)))
            break;
        }
      /* An open surface cut leaves chains, not rings: nothing to cap. */
      if (!closed || last == first || NODE (c.next, first) == last)
        {
          chains++;
          continue;
        }
      NODE (c.next, last) = first;
      NODE (c.prev, first) = last;
      g_array_append_val (rings, first);
    }
  /* Outer rings run counter-clockwise, holes the other way; each hole goes
   * into the smallest outer ring around it, rightmost holes first. */
  guint nr = rings->len;
  g_autofree double *area = g_new (double, MAX (nr, 1));
  g_autofree double *right = g_new (double, MAX (nr, 1));
  for (guint r = 0; r < nr; r++)
    {
      guint s = g_array_index (rings, guint, r), k = s;
      area[r] = ring_area (&c, s);
      right[r] = -INFINITY;
      do
        {
          right[r] = MAX (right[r], c.x[NODE (c.point, k)]);
          k = NODE (c.next, k);
        }
      while (k != s);
    }
  g_autofree guint *owner = g_new (guint, MAX (nr, 1));
  for (guint r = 0; r < nr; r++)
    {
      owner[r] = G_MAXUINT;
      if (area[r] >= 0)
        continue;
      guint p = NODE (c.point, g_array_index (rings, guint, r));
      double best = INFINITY;
      for (guint o = 0; o < nr; o++)
        if (area[o] > 0 && area[o] < best && ring_contains (&c, g_array_index (rings, guint, o), c.x[p], c.y[p]))
          {
            best = area[o];
            owner[r] = o;
          }
    }
  guint n_outer = 0, n_holes = 0, lost = 0;
  for (guint r = 0; r < nr; r++)
    {
      n_outer += area[r] > 0;
      n_holes += area[r] < 0;
      lost += area[r] < 0 && owner[r] == G_MAXUINT;
    }
  g_debug ("cap: %u edges, %u rings (%u outer, %u holes, %u holes in no ring), %u open chains", n_edges, nr, n_outer,
           n_holes, lost, chains);
  for (guint o = 0; o < nr; o++)
    {
      if (area[o] <= 0)
        continue;
      guint outer = g_array_index (rings, guint, o);
      while (TRUE)
        {
          guint pick = G_MAXUINT;
          for (guint r = 0; r < nr; r++)
            if (owner[r] == o && (pick == G_MAXUINT || right[r] > right[pick]))
              pick = r;
          if (pick == G_MAXUINT)
            break;
          owner[pick] = G_MAXUINT;
          bridge_hole (&c, outer, g_array_index (rings, guint, pick));
        }
      clip_ears (&c, outer, tris);
    }
  g_free (c.x);
  g_free (c.y);
  g_free (c.vertex);
  g_array_unref (c.prev);
  g_array_unref (c.next);
  g_array_unref (c.point);
  g_array_unref (c.gone);
}

/* One plane's cut. The cap shares its rim with the sides, so a later plane
 * cuts both as one surface; which plane capped a triangle is kept beside
 * it (-1: a side) until the caps get their own flat-shaded vertices. */
static gboolean
clip_one (MtMesh *mesh, GArray *plane_of, const double point[3], const double n[3], gint8 plane, gboolean cap)
{
  const guint nv0 = mesh->n_vertices, nt0 = mesh->n_triangles;
  g_autofree double *dist = g_new (double, MAX (nv0, 1));
  gboolean any_out = FALSE;
  for (guint v = 0; v < nv0; v++)
    {
      double d = 0;
      for (int k = 0; k < 3; k++)
        d += (mesh->vertices[3 * v + k] - point[k]) * n[k];
      /* On the plane counts as kept: every cut edge then has one end
       * strictly on each side. */
      dist[v] = d == 0 ? 1e-30 : d;
      any_out |= d < 0;
    }
  if (!any_out)
    return FALSE;
  g_autoptr (GHashTable) cuts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) nrm = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) tris = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) planes = g_array_new (FALSE, FALSE, sizeof (gint8));
  g_autoptr (GArray) cap_edges = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint t = 0; t < nt0; t++)
    {
      const guint32 *c = mesh->triangles + 3 * (gsize) t;
      const gint8 p = g_array_index (plane_of, gint8, t);
      int in = (dist[c[0]] > 0) + (dist[c[1]] > 0) + (dist[c[2]] > 0);
      if (in == 0)
        continue;
      if (in == 3)
        {
          g_array_append_vals (tris, c, 3);
          g_array_append_val (planes, p);
          continue;
        }
      /* Rotate so that corner 0 is the odd one out. */
      int r = 0;
      for (int k = 0; k < 3; k++)
        if ((dist[c[k]] > 0) == (in == 1))
          r = k;
      guint32 a = c[r], b = c[(r + 1) % 3], d = c[(r + 2) % 3];
      guint32 ab = cut_vertex (cuts, mesh, dist, a, b, v, nrm, nv0);
      guint32 da = cut_vertex (cuts, mesh, dist, d, a, v, nrm, nv0);
      guint32 rim[2];
      if (in == 1)
        {
          guint32 t1[3] = { a, ab, da };
          g_array_append_vals (tris, t1, 3);
          g_array_append_val (planes, p);
          rim[0] = da, rim[1] = ab;    /* the cap runs against ab -> da */
        }
      else
        {
          guint32 t1[6] = { ab, b, d, ab, d, da };
          g_array_append_vals (tris, t1, 6);
          g_array_append_val (planes, p);
          g_array_append_val (planes, p);
          rim[0] = ab, rim[1] = da;    /* against da -> ab */
        }
      g_array_append_vals (cap_edges, rim, 2);
    }
  if (cap)
    {
      guint before = tris->len / 3;
      add_caps (mesh, cap_edges, n, v, nv0, tris);
      for (guint t = before; t < tris->len / 3; t++)
        g_array_append_val (planes, plane);
    }
  guint nv = nv0 + v->len / 3, nt = tris->len / 3;
  mesh->vertices = g_renew (float, mesh->vertices, 3 * (gsize) MAX (nv, 1));
  mesh->normals = g_renew (float, mesh->normals, 3 * (gsize) MAX (nv, 1));
  memcpy (mesh->vertices + 3 * (gsize) nv0, v->data, v->len * sizeof (float));
  memcpy (mesh->normals + 3 * (gsize) nv0, nrm->data, nrm->len * sizeof (float));
  g_free (mesh->triangles);
  mesh->triangles = g_new (guint32, 3 * (gsize) MAX (nt, 1));
  memcpy (mesh->triangles, tris->data, tris->len * sizeof (guint32));
  mesh->n_vertices = nv;
  mesh->n_triangles = nt;
  g_array_set_size (plane_of, 0);
  g_array_append_vals (plane_of, planes->data, planes->len);
  return TRUE;
}

gboolean
mt_mesh_clip (MtMesh       *mesh,
              guint         n_planes,
              const double *points,
              const double *normals,
              gboolean      cap)
{
  g_return_val_if_fail (mesh != NULL && n_planes < 64, FALSE);
  g_autoptr (GArray) plane_of = g_array_sized_new (FALSE, FALSE, sizeof (gint8), mesh->n_triangles);
  g_array_set_size (plane_of, mesh->n_triangles);
  memset (plane_of->data, 0xff, mesh->n_triangles);
  g_autofree double *unit = g_new (double, 3 * (gsize) MAX (n_planes, 1));
  gboolean cut = FALSE;
  for (guint i = 0; i < n_planes; i++)
    {
      const double *n = normals + 3 * i;
      double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      g_return_val_if_fail (len > 0, FALSE);
      for (int k = 0; k < 3; k++)
        unit[3 * i + k] = n[k] / len;
      cut |= clip_one (mesh, plane_of, points + 3 * i, unit + 3 * i, (gint8) i, cap);
    }
  if (!cut)
    return FALSE;
  /* Each cap its own copies of its corners, facing out of the cut: flat
   * under light, and closed by position where it meets the sides. */
  g_autoptr (GHashTable) copies = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) nrm = g_array_new (FALSE, FALSE, sizeof (float));
  const guint nv0 = mesh->n_vertices;
  for (guint t = 0; t < mesh->n_triangles; t++)
    {
      gint8 p = g_array_index (plane_of, gint8, t);
      if (p < 0)
        continue;
      for (int k = 0; k < 3; k++)
        {
          guint32 *c = mesh->triangles + 3 * (gsize) t + k;
          gint64 key = (gint64) *c << 8 | p;
          gpointer found;
          if (g_hash_table_lookup_extended (copies, &key, NULL, &found))
            {
              *c = GPOINTER_TO_UINT (found);
              continue;
            }
          double pos[3], out[3];
          for (int j = 0; j < 3; j++)
            {
              pos[j] = mesh->vertices[3 * (gsize) *c + j];
              out[j] = -unit[3 * p + j];
            }
          guint32 id = nv0 + v->len / 3;
          add_vertex (v, nrm, pos, out);
          g_hash_table_insert (copies, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (id));
          *c = id;
        }
    }
  guint nv = nv0 + v->len / 3;
  mesh->vertices = g_renew (float, mesh->vertices, 3 * (gsize) MAX (nv, 1));
  mesh->normals = g_renew (float, mesh->normals, 3 * (gsize) MAX (nv, 1));
  memcpy (mesh->vertices + 3 * (gsize) nv0, v->data, v->len * sizeof (float));
  memcpy (mesh->normals + 3 * (gsize) nv0, nrm->data, nrm->len * sizeof (float));
  mesh->n_vertices = nv;
  g_autofree guint8 *keep = g_new (guint8, MAX (mesh->n_triangles, 1));
  memset (keep, 1, MAX (mesh->n_triangles, 1));
  compact (mesh, keep);
  return TRUE;
}

gboolean
mt_mesh_clip_plane (MtMesh       *mesh,
                    const double  point[3],
                    const double  normal[3],
                    gboolean      cap)
{
  return mt_mesh_clip (mesh, 1, point, normal, cap);
}

gboolean
mt_mesh_clip_box (MtMesh       *mesh,
                  const double  lo[3],
                  const double  hi[3],
                  gboolean      cap)
{
  double points[18], normals[18] = { 0 };
  for (int axis = 0; axis < 3; axis++)
    {
      memcpy (points + 6 * axis, lo, 3 * sizeof (double));
      memcpy (points + 6 * axis + 3, hi, 3 * sizeof (double));
      normals[6 * axis + axis] = 1;
      normals[6 * axis + 3 + axis] = -1;
    }
  return mt_mesh_clip (mesh, 6, points, normals, cap);
}

guint
mt_mesh_open_edges (const MtMesh *mesh)
{
  g_return_val_if_fail (mesh != NULL, 0);
  g_autofree guint32 *canon = canonical_vertices (mesh);
  g_autoptr (GArray) rim = hole_edges (mesh, canon);
  return rim->len;
}

