/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Isotropic remeshing (Botsch and Kobbelt 2004): edges split where longer
 * than 4/3 of the target, collapsed where shorter than 4/5, flipped towards
 * six edges a vertex, vertices relaxed within their tangent plane and put
 * back on the surface as it was. Batches of independent changes, so each
 * pass needs only arrays of triangles. Open rims stay as they are. */
#define G_LOG_DOMAIN "mt-mesh"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-mesh.h"
#include "mt-mesh-private.h"
#include "mt-parallel.h"
#include "mt-progress.h"

typedef struct
{
  GArray *v;       /* float, 3 per vertex */
  GArray *t;       /* guint32, 3 per triangle */
  guint8 *rim;     /* per vertex: on an open rim (never moved or merged) */
  guint   n_rim;
} Work;

#define V(w, i) (&g_array_index ((w)->v, float, 3 * (gsize) (i)))
#define T(w, i) (&g_array_index ((w)->t, guint32, 3 * (gsize) (i)))
#define NT(w) ((w)->t->len / 3)
#define NV(w) ((w)->v->len / 3)

static double
dist2 (const float *a, const float *b)
{
  double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
  return x * x + y * y + z * z;
}

static void
normal_of (const float *a, const float *b, const float *c, double n[3])
{
  double u[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] }, w[3] = { c[0] - a[0], c[1] - a[1], c[2] - a[2] };
  n[0] = u[1] * w[2] - u[2] * w[1];
  n[1] = u[2] * w[0] - u[0] * w[2];
  n[2] = u[0] * w[1] - u[1] * w[0];
}

/* Each triangle corner's edge (corner k: from vertex k to k + 1), sorted
 * by its two ends, so the two sides of an edge are neighbours. */
typedef struct
{
  guint64 key;     /* min << 32 | max */
  guint32 corner;  /* 3 * triangle + k */
} Side;

static int
by_key (const void *a, const void *b)
{
  guint64 x = ((const Side *) a)->key, y = ((const Side *) b)->key;
  return x < y ? -1 : x > y;
}

static Side *
sides_of (const Work *w, gsize *n)
{
  *n = 3 * (gsize) NT (w);
  Side *s = g_new (Side, MAX (*n, 1));
  for (guint t = 0; t < NT (w); t++)
    for (int k = 0; k < 3; k++)
      {
        guint64 a = T (w, t)[k], b = T (w, t)[(k + 1) % 3];
        s[3 * t + k] = (Side) { MIN (a, b) << 32 | MAX (a, b), 3 * t + k };
      }
  qsort (s, *n, sizeof *s, by_key);
  return s;
}

/* Vertices on edges that only one triangle has. */
static void
find_rim (Work *w)
{
  gsize n;
  g_autofree Side *s = sides_of (w, &n);
  g_free (w->rim);
  w->rim = g_new0 (guint8, MAX (NV (w), 1));
  w->n_rim = 0;
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && s[j].key == s[i].key)
        j++;
      if (j - i != 2)
        {
          w->rim[s[i].key >> 32] = w->rim[s[i].key & 0xffffffffu] = 1;
          w->n_rim++;
        }
      i = j;
    }
}

static guint32
add_vertex (Work *w, const float p[3])
{
  guint32 id = NV (w);
  g_array_append_vals (w->v, p, 3);
  w->rim = g_renew (guint8, w->rim, NV (w));
  w->rim[id] = 0;
  return id;
}

/* ---------------------------------------------------------------- split */

static guint
split_long (Work *w, double high)
{
  gsize n;
  g_autofree Side *s = sides_of (w, &n);
  /* The midpoint of each long edge shared by two triangles, per corner. */
  g_autofree guint32 *mid = g_new (guint32, MAX (n, 1));
  memset (mid, 0xff, n * sizeof (guint32));
  guint made = 0;
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && s[j].key == s[i].key)
        j++;
      guint32 a = s[i].key >> 32, b = s[i].key & 0xffffffffu;
      if (j - i == 2 && dist2 (V (w, a), V (w, b)) > high * high)
        {
          float p[3];
          for (int k = 0; k < 3; k++)
            p[k] = 0.5f * (V (w, a)[k] + V (w, b)[k]);
          guint32 m = add_vertex (w, p);
          mid[s[i].corner] = mid[s[i + 1].corner] = m;
          made++;
        }
      i = j;
    }
  if (made == 0)
    return 0;
  const guint nt = NT (w);
  g_autoptr (GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 3 * (gsize) nt + 9 * (gsize) made);
  for (guint t = 0; t < nt; t++)
    {
      const guint32 *c = T (w, t);
      const guint32 *m = mid + 3 * (gsize) t;
      int split = (m[0] != G_MAXUINT32) + (m[1] != G_MAXUINT32) + (m[2] != G_MAXUINT32);
      if (split == 0)
        {
          g_array_append_vals (out, c, 3);
          continue;
        }
      if (split == 3)
        {
          guint32 four[12] = { c[0], m[0], m[2], m[0], c[1], m[1], m[2], m[1], c[2], m[0], m[1], m[2] };
          g_array_append_vals (out, four, 12);
          continue;
        }
      /* Turned so that the split edges come first: edge k (and k + 1). */
      int k = 0;
      if (split == 1)
        while (m[k] == G_MAXUINT32)
          k++;
      else
        while (!(m[k] != G_MAXUINT32 && m[(k + 1) % 3] != G_MAXUINT32))
          k++;
      guint32 a = c[k], b = c[(k + 1) % 3], d = c[(k + 2) % 3], m0 = m[k];
      if (split == 1)
        {
          guint32 two[6] = { a, m0, d, m0, b, d };
          g_array_append_vals (out, two, 6);
          continue;
        }
      guint32 m1 = m[(k + 1) % 3];
      /* The corner at b, and the quad a m0 m1 d cut along its shorter
       * diagonal. */
      guint32 corner[3] = { m0, b, m1 };
      g_array_append_vals (out, corner, 3);
      if (dist2 (V (w, a), V (w, m1)) <= dist2 (V (w, m0), V (w, d)))
        {
          guint32 quad[6] = { a, m0, m1, a, m1, d };
          g_array_append_vals (out, quad, 6);
        }
      else
        {
          guint32 quad[6] = { a, m0, d, m0, m1, d };
          g_array_append_vals (out, quad, 6);
        }
    }
  g_array_unref (w->t);
  w->t = g_steal_pointer (&out);
  return made;
}

/* ------------------------------------------------------------- collapse */

/* Triangles around each vertex, compressed as the neighbour lists are. */
typedef struct
{
  guint *first, *ids;
} Around;

static void
around_build (const Work *w, Around *r)
{
  const guint nv = NV (w);
  r->first = g_new0 (guint, nv + 1);
  for (gsize i = 0; i < w->t->len; i++)
    r->first[g_array_index (w->t, guint32, i) + 1]++;
  for (guint v = 0; v < nv; v++)
    r->first[v + 1] += r->first[v];
  r->ids = g_new (guint, MAX (w->t->len, 1));
  g_autofree guint *fill = g_memdup2 (r->first, (nv + 1) * sizeof (guint));
  for (guint t = 0; t < NT (w); t++)
    for (int k = 0; k < 3; k++)
      r->ids[fill[T (w, t)[k]]++] = t;
}

static void
around_clear (Around *r)
{
  g_clear_pointer (&r->first, g_free);
  g_clear_pointer (&r->ids, g_free);
}

/* The vertices sharing an edge with v (some twice). */
static guint
ring (const Work *w, const Around *r, guint32 v, guint32 *out, guint max)
{
  guint n = 0;
  for (guint i = r->first[v]; i < r->first[v + 1]; i++)
    for (int k = 0; k < 3; k++)
      {
        guint32 u = T (w, r->ids[i])[k];
        if (u != v && n < max)
          out[n++] = u;
      }
  return n;
}

typedef struct
{
  double   length2;
  guint32  a, b;
} Short;

static int
by_length (const void *x, const void *y)
{
  double a = ((const Short *) x)->length2, b = ((const Short *) y)->length2;
  return a < b ? -1 : a > b;
}

#define RING 96

/* Can a and b merge at p: their rings share exactly the two vertices
 * across the edge (else the surface pinches), no edge grows past high, no
 * triangle turns over, no vertex across is left with three edges. */
static gboolean
collapse_ok (const Work *w, const Around *r, guint32 a, guint32 b, const float p[3], double high)
{
  guint32 ra[RING], rb[RING];
  guint na = ring (w, r, a, ra, RING), nb = ring (w, r, b, rb, RING);
  if (na >= RING || nb >= RING)
    return FALSE;
  guint shared = 0;
  for (guint i = 0; i < na; i++)
    {
      if (ra[i] == b)
        continue;
      gboolean seen = FALSE;
      for (guint k = 0; k < i && !seen; k++)
        seen = ra[k] == ra[i];
      if (seen)
        continue;
      for (guint j = 0; j < nb; j++)
        if (rb[j] == ra[i])
          {
            shared++;
            /* A vertex across the edge with only three edges would be left
             * with two. */
            guint deg = r->first[ra[i] + 1] - r->first[ra[i]];
            if (deg <= 3)
              return FALSE;
            break;
          }
    }
  if (shared != 2)
    return FALSE;
  for (int side = 0; side < 2; side++)
    {
      guint32 v = side ? b : a;
      for (guint i = r->first[v]; i < r->first[v + 1]; i++)
        {
          const guint32 *c = T (w, r->ids[i]);
          gboolean has_a = c[0] == a || c[1] == a || c[2] == a, has_b = c[0] == b || c[1] == b || c[2] == b;
          if (has_a && has_b)
            continue;
          const float *q[3];
          for (int k = 0; k < 3; k++)
            {
              q[k] = c[k] == v ? p : V (w, c[k]);
              if (c[k] != v && dist2 (p, V (w, c[k])) > high * high)
                return FALSE;
            }
          double before[3], after[3];
          normal_of (V (w, c[0]), V (w, c[1]), V (w, c[2]), before);
          normal_of (q[0], q[1], q[2], after);
          double nb2 = before[0] * before[0] + before[1] * before[1] + before[2] * before[2];
          double na2 = after[0] * after[0] + after[1] * after[1] + after[2] * after[2];
          double dot = before[0] * after[0] + before[1] * after[1] + before[2] * after[2];
          /* Turned by more than about 60 degrees: not taken. */
          if (na2 <= 0 || dot <= 0.5 * sqrt (na2 * nb2))
            return FALSE;
        }
    }
  return TRUE;
}

static guint
collapse_short (Work *w, double low, double high)
{
  gsize n;
  g_autofree Side *s = sides_of (w, &n);
  g_autoptr (GArray) shorts = g_array_new (FALSE, FALSE, sizeof (Short));
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && s[j].key == s[i].key)
        j++;
      guint32 a = s[i].key >> 32, b = s[i].key & 0xffffffffu;
      double l2 = dist2 (V (w, a), V (w, b));
      if (j - i == 2 && !w->rim[a] && !w->rim[b] && l2 < low * low)
        {
          Short e = { l2, a, b };
          g_array_append_val (shorts, e);
        }
      i = j;
    }
  if (shorts->len == 0)
    return 0;
  g_array_sort (shorts, by_length);
  Around r;
  around_build (w, &r);
  const guint nv = NV (w);
  g_autofree guint32 *into = g_new (guint32, nv);
  for (guint v = 0; v < nv; v++)
    into[v] = v;
  g_autofree guint8 *locked = g_new0 (guint8, nv);
  guint made = 0;
  for (guint i = 0; i < shorts->len; i++)
    {
      const Short *e = &g_array_index (shorts, Short, i);
      if (locked[e->a] || locked[e->b])
        continue;
      float p[3];
      for (int k = 0; k < 3; k++)
        p[k] = 0.5f * (V (w, e->a)[k] + V (w, e->b)[k]);
      if (!collapse_ok (w, &r, e->a, e->b, p, high))
        continue;
      /* The changes of one batch touch no common triangle: the two ends
       * and their rings are locked. */
      guint32 ra[RING];
      for (int side = 0; side < 2; side++)
        {
          guint32 v = side ? e->b : e->a;
          guint nr = ring (w, &r, v, ra, RING);
          for (guint k = 0; k < nr; k++)
            locked[ra[k]] = 1;
          locked[v] = 1;
        }
      memcpy (V (w, e->a), p, sizeof p);
      into[e->b] = e->a;
      made++;
    }
  around_clear (&r);
  if (made == 0)
    return 0;
  /* The triangles on each merged edge fall away. */
  guint nt = 0;
  for (guint t = 0; t < NT (w); t++)
    {
      guint32 c[3];
      for (int k = 0; k < 3; k++)
        c[k] = into[T (w, t)[k]];
      if (c[0] == c[1] || c[1] == c[2] || c[2] == c[0])
        continue;
      memcpy (T (w, nt), c, sizeof c);
      nt++;
    }
  g_array_set_size (w->t, 3 * (gsize) nt);
  return made;
}

/* ----------------------------------------------------------------- flip */

static guint
flip_to_valence (Work *w)
{
  gsize n;
  g_autofree Side *s = sides_of (w, &n);
  const guint nv = NV (w);
  g_autofree int *valence = g_new0 (int, nv);
  g_autoptr (GHashTable) edges = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree guint64 *keys = g_new (guint64, MAX (n, 1));
  gsize n_keys = 0;
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && s[j].key == s[i].key)
        j++;
      valence[s[i].key >> 32]++;
      valence[s[i].key & 0xffffffffu]++;
      keys[n_keys] = s[i].key;
      g_hash_table_add (edges, &keys[n_keys++]);
      i = j;
    }
  g_autofree guint8 *touched = g_new0 (guint8, MAX (NT (w), 1));
  /* Flipped edges' new keys, kept for the hash table. */
  g_autoptr (GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  guint made = 0;
  for (gsize i = 0; i + 1 < n; i++)
    {
      if (s[i].key != s[i + 1].key || (i + 2 < n && s[i + 2].key == s[i].key))
        continue;
      guint t1 = s[i].corner / 3, t2 = s[i + 1].corner / 3;
      if (touched[t1] || touched[t2])
        continue;
      /* t1 runs a -> b, t2 b -> a; c and d across. */
      guint k1 = s[i].corner % 3, k2 = s[i + 1].corner % 3;
      guint32 a = T (w, t1)[k1], b = T (w, t1)[(k1 + 1) % 3], c = T (w, t1)[(k1 + 2) % 3];
      if (T (w, t2)[k2] != b || T (w, t2)[(k2 + 1) % 3] != a)
        continue;
      guint32 d = T (w, t2)[(k2 + 2) % 3];
      if (c == d || w->rim[a] || w->rim[b] || w->rim[c] || w->rim[d])
        continue;
      int before = (valence[a] - 6) * (valence[a] - 6) + (valence[b] - 6) * (valence[b] - 6)
                   + (valence[c] - 6) * (valence[c] - 6) + (valence[d] - 6) * (valence[d] - 6);
      int after = (valence[a] - 7) * (valence[a] - 7) + (valence[b] - 7) * (valence[b] - 7)
                  + (valence[c] - 5) * (valence[c] - 5) + (valence[d] - 5) * (valence[d] - 5);
      if (after >= before || valence[a] <= 3 || valence[b] <= 3)
        continue;
      guint64 cd = (guint64) MIN (c, d) << 32 | MAX (c, d);
      if (g_hash_table_contains (edges, &cd))
        continue;
      /* Not over a crease, and both new triangles facing the old way. */
      double n1[3], n2[3], m1[3], m2[3];
      normal_of (V (w, a), V (w, b), V (w, c), n1);
      normal_of (V (w, b), V (w, a), V (w, d), n2);
      normal_of (V (w, a), V (w, d), V (w, c), m1);
      normal_of (V (w, d), V (w, b), V (w, c), m2);
      double l1 = sqrt (n1[0] * n1[0] + n1[1] * n1[1] + n1[2] * n1[2]);
      double l2 = sqrt (n2[0] * n2[0] + n2[1] * n2[1] + n2[2] * n2[2]);
      double k1n = sqrt (m1[0] * m1[0] + m1[1] * m1[1] + m1[2] * m1[2]);
      double k2n = sqrt (m2[0] * m2[0] + m2[1] * m2[1] + m2[2] * m2[2]);
      if (l1 <= 0 || l2 <= 0 || k1n <= 0 || k2n <= 0)
        continue;
      double crease = (n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2]) / (l1 * l2);
      double sum[3] = { n1[0] / l1 + n2[0] / l2, n1[1] / l1 + n2[1] / l2, n1[2] / l1 + n2[2] / l2 };
      double f1 = (m1[0] * sum[0] + m1[1] * sum[1] + m1[2] * sum[2]) / k1n;
      double f2 = (m2[0] * sum[0] + m2[1] * sum[1] + m2[2] * sum[2]) / k2n;
      if (crease < 0.8 || f1 < 1.6 || f2 < 1.6)
        continue;
      guint32 *p1 = T (w, t1), *p2 = T (w, t2);
      p1[0] = a, p1[1] = d, p1[2] = c;
      p2[0] = d, p2[1] = b, p2[2] = c;
      touched[t1] = touched[t2] = 1;
      valence[a]--, valence[b]--, valence[c]++, valence[d]++;
      guint64 *key = g_new (guint64, 1);
      *key = cd;
      g_ptr_array_add (blocks, key);
      g_hash_table_add (edges, key);
      made++;
    }
  return made;
}

/* ------------------------------------------------------ relax, project */

typedef struct
{
  Work                   *w;
  const MtMeshNeighbours *nb;
  const float            *normals;
  const MtMeshGrid       *grid;
  float                  *to;
} RelaxJob;

#define BLOCK 2048

static void
relax_block (gsize block, gpointer data)
{
  RelaxJob *job = data;
  Work *w = job->w;
  guint lo = (guint) block * BLOCK, hi = MIN (NV (w), lo + BLOCK);
  for (guint v = lo; v < hi; v++)
    {
      const float *p = V (w, v);
      float *to = job->to + 3 * (gsize) v;
      guint a = job->nb->first[v], b = job->nb->first[v + 1];
      if (w->rim[v] || b == a)
        {
          memcpy (to, p, 3 * sizeof (float));
          continue;
        }
      /* Towards the neighbours' centre, within the tangent plane... */
      double c[3] = { 0, 0, 0 };
      for (guint i = a; i < b; i++)
        for (int k = 0; k < 3; k++)
          c[k] += V (w, job->nb->ids[i])[k];
      const float *n = job->normals + 3 * (gsize) v;
      double d[3], along = 0;
      for (int k = 0; k < 3; k++)
        {
          d[k] = c[k] / (b - a) - p[k];
          along += d[k] * n[k];
        }
      double q[3];
      for (int k = 0; k < 3; k++)
        q[k] = p[k] + d[k] - along * n[k];
      /* ... then back onto the surface as it was. */
      double on[3];
      mt_mesh_grid_nearest (job->grid, q, on);
      for (int k = 0; k < 3; k++)
        to[k] = (float) on[k];
    }
}

static void
relax_and_project (Work *w, const MtMeshGrid *grid)
{
  MtMesh view = { .vertices = (float *) w->v->data, .triangles = (guint32 *) w->t->data, .n_vertices = NV (w),
                  .n_triangles = NT (w) };
  view.normals = g_new0 (float, 3 * (gsize) MAX (NV (w), 1));
  mt_mesh_compute_normals (&view);
  MtMeshNeighbours nb;
  mt_mesh_neighbours_build (&view, &nb);
  RelaxJob job = { w, &nb, view.normals, grid, g_new (float, 3 * (gsize) MAX (NV (w), 1)) };
  mt_parallel_for ((NV (w) + BLOCK - 1) / BLOCK, relax_block, &job);
  memcpy (w->v->data, job.to, 3 * (gsize) NV (w) * sizeof (float));
  g_free (job.to);
  g_free (view.normals);
  g_free (nb.first);
  g_free (nb.ids);
}

/* Vertices no triangle uses any more go, the rest renumbered. */
static void
drop_unused (Work *w)
{
  const guint nv = NV (w);
  g_autofree guint32 *map = g_new (guint32, MAX (nv, 1));
  memset (map, 0xff, nv * sizeof (guint32));
  for (gsize i = 0; i < w->t->len; i++)
    map[g_array_index (w->t, guint32, i)] = 0;
  guint n = 0;
  for (guint v = 0; v < nv; v++)
    if (map[v] == 0)
      {
        memmove (V (w, n), V (w, v), 3 * sizeof (float));
        w->rim[n] = w->rim[v];
        map[v] = n++;
      }
  for (gsize i = 0; i < w->t->len; i++)
    g_array_index (w->t, guint32, i) = map[g_array_index (w->t, guint32, i)];
  g_array_set_size (w->v, 3 * (gsize) n);
}

gboolean
mt_mesh_remesh (MtMesh       *mesh,
                double        edge_mm,
                int           iterations,
                MtProgress   *progress,
                GCancellable *cancellable,
                GError      **error)
{
  g_return_val_if_fail (mesh != NULL, FALSE);
  if (!(edge_mm > 0) || iterations < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Remeshing needs an edge length above 0 mm and at least one iteration."));
      return FALSE;
    }
  if (mesh->n_triangles == 0)
    return TRUE;
  /* Splitting a large surface into small triangles: refused before it
   * fills the memory. */
  double area = mt_mesh_area (mesh), expected = area / (0.433 * edge_mm * edge_mm);
  if (expected > 50e6)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Edges of %.2g mm would make about %.0f million triangles of this %.0f mm² surface: choose "
                     "a longer edge."), edge_mm, expected / 1e6, area);
      return FALSE;
    }
  MtMeshGrid grid;
  mt_mesh_grid_build (&grid, mesh);
  Work w = { g_array_new (FALSE, FALSE, sizeof (float)), g_array_new (FALSE, FALSE, sizeof (guint32)), NULL, 0 };
  g_array_append_vals (w.v, mesh->vertices, 3 * (gsize) mesh->n_vertices);
  g_array_append_vals (w.t, mesh->triangles, 3 * (gsize) mesh->n_triangles);
  find_rim (&w);
  const double high = 4.0 / 3.0 * edge_mm, low = 4.0 / 5.0 * edge_mm;
  gboolean ok = TRUE;
  for (int it = 0; it < iterations && ok; it++)
    {
      for (int round = 0; round < 8 && split_long (&w, high) > 0; round++)
        ;
      for (int round = 0; round < 8 && collapse_short (&w, low, high) > 0; round++)
        ;
      drop_unused (&w);
      for (int round = 0; round < 4 && flip_to_valence (&w) > 0; round++)
        ;
      relax_and_project (&w, &grid);
      mt_progress_update (progress, (it + 1.0) / iterations);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
    }
  mt_mesh_grid_clear (&grid);
  if (ok)
    {
      g_free (mesh->vertices);
      g_free (mesh->normals);
      g_free (mesh->triangles);
      mesh->n_vertices = NV (&w);
      mesh->n_triangles = NT (&w);
      mesh->vertices = (float *) (gpointer) g_array_free (w.v, FALSE);
      mesh->triangles = (guint32 *) (gpointer) g_array_free (w.t, FALSE);
      mesh->normals = g_new0 (float, 3 * (gsize) MAX (mesh->n_vertices, 1));
      mt_mesh_compute_normals (mesh);
    }
  else
    {
      g_array_unref (w.v);
      g_array_unref (w.t);
    }
  g_free (w.rim);
  return ok;
}
