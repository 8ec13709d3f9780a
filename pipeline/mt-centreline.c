/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Centrelines of tubular segments by TEASAR (Sato, Bitter, Kaufman et al.,
 * Pacific Graphics 2000): a distance-from-boundary field, a root at the
 * farthest end, shortest paths penalised near the wall. */
#define G_LOG_DOMAIN "mt-centreline"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-centreline.h"
#include "mt-mask.h"
#include "mt-volume.h"

/* The segment's box, with a border of one voxel. */
typedef struct
{
  int     lo[3], n[3];
  guint8 *in;             /* per box voxel */
  float  *dbf;            /* distance from the boundary, mm */
  MtVolume *grid;         /* the box as a grid (for the distance transform) */
} Box;

static gsize
at (const Box *b, int i, int j, int k)
{
  return ((gsize) k * b->n[1] + j) * b->n[0] + i;
}

/* Dijkstra over the box's inside voxels, 26 neighbours, steps weighted by
 * their length and, when penalised, by how near the wall they lie. */
typedef struct
{
  double cost;
  guint  v;
} Item;

static void
heap_push (GArray *h, Item x)
{
  g_array_append_val (h, x);
  Item *a = (Item *) h->data;
  gsize i = h->len - 1;
  while (i > 0 && a[(i - 1) / 2].cost > a[i].cost)
    {
      Item t = a[i];
      a[i] = a[(i - 1) / 2];
      a[(i - 1) / 2] = t;
      i = (i - 1) / 2;
    }
}

static Item
heap_pop (GArray *h)
{
  Item *a = (Item *) h->data, top = a[0];
  a[0] = a[h->len - 1];
  g_array_set_size (h, h->len - 1);
  gsize i = 0, n = h->len;
  while (TRUE)
    {
      gsize l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && a[l].cost < a[m].cost)
        m = l;
      if (r < n && a[r].cost < a[m].cost)
        m = r;
      if (m == i)
        break;
      Item t = a[i];
      a[i] = a[m];
      a[m] = t;
      i = m;
    }
  return top;
}

static void
dijkstra (const Box *b, const double spacing[3], guint root, double max_dbf, gboolean penalised, double *dist,
          guint *parent)
{
  const gsize total = (gsize) b->n[0] * b->n[1] * b->n[2];
  for (gsize v = 0; v < total; v++)
    dist[v] = INFINITY;
  g_autoptr (GArray) heap = g_array_new (FALSE, FALSE, sizeof (Item));
  dist[root] = 0;
  if (parent)
    parent[root] = root;
  heap_push (heap, (Item) { 0, root });
  while (heap->len > 0)
    {
      Item it = heap_pop (heap);
      if (it.cost > dist[it.v])
        continue;
      int k = (int) (it.v / ((gsize) b->n[0] * b->n[1])), rest = (int) (it.v % ((gsize) b->n[0] * b->n[1]));
      int j = rest / b->n[0], i = rest % b->n[0];
      for (int dk = -1; dk <= 1; dk++)
        for (int dj = -1; dj <= 1; dj++)
          for (int di = -1; di <= 1; di++)
            {
              if (!di && !dj && !dk)
                continue;
              int x = i + di, y = j + dj, z = k + dk;
              if (x < 0 || y < 0 || z < 0 || x >= b->n[0] || y >= b->n[1] || z >= b->n[2])
                continue;
              gsize w = at (b, x, y, z);
              if (!b->in[w])
                continue;
              double step = sqrt (di * di * spacing[0] * spacing[0] + dj * dj * spacing[1] * spacing[1]
                                  + dk * dk * spacing[2] * spacing[2]);
              /* TEASAR's penalty: 5000 (1 - d / dmax)^16 a voxel. */
              if (penalised)
                step *= 1 + 5000 * pow (1 - b->dbf[w] / max_dbf, 16);
              double c = it.cost + step;
              if (c < dist[w])
                {
                  dist[w] = c;
                  if (parent)
                    parent[w] = it.v;
                  heap_push (heap, (Item) { c, (guint) w });
                }
            }
    }
}

void
mt_centreline_branch_free (MtCentrelineBranch *branch)
{
  if (branch == NULL)
    return;
  g_array_unref (branch->points);
  g_array_unref (branch->radii);
  g_free (branch);
}

double
mt_centreline_length (const MtCentrelineBranch *branch)
{
  double len = 0;
  const double *p = (const double *) branch->points->data;
  for (guint i = 1; i < branch->points->len / 3; i++)
    len += sqrt ((p[3 * i] - p[3 * i - 3]) * (p[3 * i] - p[3 * i - 3])
                 + (p[3 * i + 1] - p[3 * i - 2]) * (p[3 * i + 1] - p[3 * i - 2])
                 + (p[3 * i + 2] - p[3 * i - 1]) * (p[3 * i + 2] - p[3 * i - 1]));
  return len;
}

/* A path reaches the wall at a free end: its points within their own
 * radius of that end lie in the tube's rounded tip, not on its axis, and
 * go. Then the voxel steps are smoothed (five points, ends kept). */
static void
tidy (MtCentrelineBranch *br)
{
  guint n = br->points->len / 3;
  double *p = (double *) br->points->data, *r = (double *) br->radii->data;
  /* The first point is always a free end; the last only on the main
   * branch (others end on the branch they join). */
  guint from = 0, to = n;
  double walked = 0;
  while (from + 2 < to)
    {
      walked += sqrt ((p[3 * from + 3] - p[3 * from]) * (p[3 * from + 3] - p[3 * from])
                      + (p[3 * from + 4] - p[3 * from + 1]) * (p[3 * from + 4] - p[3 * from + 1])
                      + (p[3 * from + 5] - p[3 * from + 2]) * (p[3 * from + 5] - p[3 * from + 2]));
      if (walked >= r[from + 1])
        break;
      from++;
    }
  walked = 0;
  while (br->parent < 0 && to > from + 2)
    {
      guint e = to - 1;
      walked += sqrt ((p[3 * e - 3] - p[3 * e]) * (p[3 * e - 3] - p[3 * e])
                      + (p[3 * e - 2] - p[3 * e + 1]) * (p[3 * e - 2] - p[3 * e + 1])
                      + (p[3 * e - 1] - p[3 * e + 2]) * (p[3 * e - 1] - p[3 * e + 2]));
      if (walked >= r[e - 1])
        break;
      to--;
    }
  guint m = to - from;
  g_autofree double *q = g_new (double, 3 * (gsize) m), *s = g_new (double, m);
  for (guint i = 0; i < m; i++)
    {
      guint a = (i < 2 || i + 2 >= m) ? i : i - 2, b = (i < 2 || i + 2 >= m) ? i : i + 2;
      double w = b - a + 1;
      for (int k = 0; k < 3; k++)
        {
          double sum = 0;
          for (guint j = a; j <= b; j++)
            sum += p[3 * (from + j) + k];
          q[3 * i + k] = sum / w;
        }
      double sr = 0;
      for (guint j = a; j <= b; j++)
        sr += r[from + j];
      s[i] = sr / w;
    }
  g_array_set_size (br->points, 0);
  g_array_set_size (br->radii, 0);
  g_array_append_vals (br->points, q, 3 * m);
  g_array_append_vals (br->radii, s, m);
}

GPtrArray *
mt_centreline_from_labels (const MtVolume *labels,
                           int             label,
                           GError        **error)
{
  g_return_val_if_fail (labels != NULL, NULL);
  int lo[3] = { G_MAXINT, G_MAXINT, G_MAXINT }, hi[3] = { -1, -1, -1 };
  for (int k = 0; k < labels->dims[2]; k++)
    for (int j = 0; j < labels->dims[1]; j++)
      for (int i = 0; i < labels->dims[0]; i++)
        if (lroundf (labels->data[mt_volume_offset (labels, i, j, k)]) == label)
          {
            const int c[3] = { i, j, k };
            for (int a = 0; a < 3; a++)
              {
                lo[a] = MIN (lo[a], c[a]);
                hi[a] = MAX (hi[a], c[a]);
              }
          }
  if (hi[0] < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("Label %d is not in this label map: no centreline."),
                   label);
      return NULL;
    }
  Box b = { 0 };
  for (int a = 0; a < 3; a++)
    {
      b.lo[a] = lo[a] - 1;
      b.n[a] = hi[a] - lo[a] + 3;
    }
  b.grid = mt_volume_new (b.n[0], b.n[1], b.n[2], error);
  if (b.grid == NULL)
    return NULL;
  mt_volume_copy_geometry (b.grid, labels);
  const gsize total = (gsize) b.n[0] * b.n[1] * b.n[2];
  b.in = g_new0 (guint8, total);
  g_autofree guint8 *out = g_new (guint8, total);
  guint first = 0;
  for (int k = 0; k < b.n[2]; k++)
    for (int j = 0; j < b.n[1]; j++)
      for (int i = 0; i < b.n[0]; i++)
        {
          int x = b.lo[0] + i, y = b.lo[1] + j, z = b.lo[2] + k;
          gboolean inside = x >= 0 && y >= 0 && z >= 0 && x < labels->dims[0] && y < labels->dims[1]
                            && z < labels->dims[2] && lroundf (labels->data[mt_volume_offset (labels, x, y, z)]) == label;
          b.in[at (&b, i, j, k)] = inside;
          out[at (&b, i, j, k)] = !inside;
          if (inside)
            first = (guint) at (&b, i, j, k);
        }
  /* The distance to the wall: to the nearest outside voxel, less half a
   * voxel (the wall lies between the two). */
  b.dbf = mt_mask_distance (out, b.grid);
  const double *sp = labels->spacing;
  const double half = 0.5 * MIN (sp[0], MIN (sp[1], sp[2]));
  double max_dbf = 0;
  for (gsize v = 0; v < total; v++)
    {
      b.dbf[v] = b.in[v] ? (float) MAX (0.0, sqrt (b.dbf[v]) - half) : 0.0f;
      max_dbf = MAX (max_dbf, b.dbf[v]);
    }
  g_autofree double *geo = g_new (double, total), *pen = g_new (double, total);
  g_autofree guint *parent = g_new (guint, total);
  /* The root: the voxel farthest along the tube from any of its voxels. */
  dijkstra (&b, sp, first, max_dbf + 1e-9, FALSE, geo, NULL);
  guint root = first;
  for (gsize v = 0; v < total; v++)
    if (b.in[v] && isfinite (geo[v]) && geo[v] > geo[root])
      root = (guint) v;
  dijkstra (&b, sp, root, max_dbf + 1e-9, FALSE, geo, NULL);
  dijkstra (&b, sp, root, max_dbf + 1e-9, TRUE, pen, parent);
  g_autofree guint8 *covered = g_new0 (guint8, total);
  g_autofree int *branch_of = g_new (int, total);
  for (gsize v = 0; v < total; v++)
    {
      covered[v] = !b.in[v] || !isfinite (geo[v]);   /* pieces apart from the root's are not traced */
      branch_of[v] = -1;
    }
  GPtrArray *branches = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_centreline_branch_free);
  for (int guard = 0; guard < 256; guard++)
    {
      guint target = G_MAXUINT;
      for (gsize v = 0; v < total; v++)
        if (!covered[v] && (target == G_MAXUINT || geo[v] > geo[target]))
          target = (guint) v;
      if (target == G_MAXUINT)
        break;
      MtCentrelineBranch *br = g_new0 (MtCentrelineBranch, 1);
      br->points = g_array_new (FALSE, FALSE, sizeof (double));
      br->radii = g_array_new (FALSE, FALSE, sizeof (double));
      br->parent = -1;
      g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
      /* Back along the penalised paths to the root, or to a branch
       * already traced. */
      for (guint v = target;; v = parent[v])
        {
          g_array_append_val (path, v);
          if (branch_of[v] >= 0)
            {
              br->parent = branch_of[v];
              break;
            }
          if (v == root)
            break;
        }
      for (guint p = 0; p < path->len; p++)
        {
          guint v = g_array_index (path, guint, p);
          int k = (int) (v / ((gsize) b.n[0] * b.n[1])), rest = (int) (v % ((gsize) b.n[0] * b.n[1]));
          int j = rest / b.n[0], i = rest % b.n[0];
          double ijk[3] = { b.lo[0] + i, b.lo[1] + j, b.lo[2] + k }, xyz[3], r = b.dbf[v];
          mt_volume_index_to_patient (labels, ijk, xyz);
          g_array_append_vals (br->points, xyz, 3);
          g_array_append_val (br->radii, r);
          /* Cover a sphere around it, wider than the tube (its bends). */
          double reach = 2 * r + 2 * MAX (sp[0], MAX (sp[1], sp[2]));
          int ri[3];
          for (int a = 0; a < 3; a++)
            ri[a] = (int) ceil (reach / sp[a]);
          for (int z = MAX (0, k - ri[2]); z <= MIN (b.n[2] - 1, k + ri[2]); z++)
            for (int y = MAX (0, j - ri[1]); y <= MIN (b.n[1] - 1, j + ri[1]); y++)
              for (int x = MAX (0, i - ri[0]); x <= MIN (b.n[0] - 1, i + ri[0]); x++)
                {
                  double dx = (x - i) * sp[0], dy = (y - j) * sp[1], dz = (z - k) * sp[2];
                  if (dx * dx + dy * dy + dz * dz <= reach * reach)
                    covered[at (&b, x, y, z)] = 1;
                }
        }
      /* A short spur is a bump of the wall: dropped, its voxels covered. */
      double start_r = g_array_index (br->radii, double, 0), end_r = g_array_index (br->radii, double, br->radii->len - 1);
      if (br->parent >= 0 && mt_centreline_length (br) < 3 * MAX (start_r, end_r))
        {
          mt_centreline_branch_free (br);
          continue;
        }
      for (guint p = 0; p < path->len; p++)
        if (branch_of[g_array_index (path, guint, p)] < 0)
          branch_of[g_array_index (path, guint, p)] = (int) branches->len;
      g_ptr_array_add (branches, br);
    }
  for (guint i = 0; i < branches->len; i++)
    tidy (branches->pdata[i]);
  g_free (b.in);
  g_free (b.dbf);
  mt_volume_unref (b.grid);
  return branches;
}
