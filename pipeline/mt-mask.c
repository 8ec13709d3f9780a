/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-mask"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-mask.h"
#include "mt-parallel.h"
#include "mt-volume.h"

#define FAR 1e20f

typedef struct
{
  const MtVolume *volume;
  double          low, high;
  guint8         *out;
} ThresholdJob;

static void
threshold_slice (gsize k, gpointer data)
{
  const ThresholdJob *job = data;
  gsize plane = (gsize) job->volume->dims[0] * job->volume->dims[1];
  const float *in = job->volume->data + k * plane;
  guint8 *out = job->out + k * plane;
  for (gsize i = 0; i < plane; i++)
    out[i] = in[i] >= job->low && in[i] <= job->high;
}

guint8 *
mt_mask_threshold (const MtVolume *volume,
                   double          low,
                   double          high)
{
  ThresholdJob job = { volume, low, high, g_new (guint8, mt_volume_n_voxels (volume)) };
  mt_parallel_for (volume->dims[2], threshold_slice, &job);
  return job.out;
}

gsize
mt_mask_count (const guint8 *mask,
               gsize         n)
{
  gsize count = 0;
  for (gsize i = 0; i < n; i++)
    count += mask[i] != 0;
  return count;
}

/* A stack of voxel offsets for flood fills. */
typedef struct
{
  gsize *items;
  gsize  len, size;
} Stack;

static inline void
push (Stack *s, gsize v)
{
  if (s->len == s->size)
    {
      s->size = MAX (1024, s->size * 2);
      s->items = g_renew (gsize, s->items, s->size);
    }
  s->items[s->len++] = v;
}

/* Scanline flood fill with 6-connectivity: a popped voxel extends to its
 * whole run along x, and each run pushes the first voxel of every run it
 * touches in the rows and slices beside it. INSIDE(o) says whether voxel o
 * may be taken (and is not taken yet); MARK(o) takes it. Far fewer stack
 * operations and no divisions per voxel, unlike a voxel-by-voxel fill. */
#define SCANLINE_FLOOD(stack, nx, ny, nz, INSIDE, MARK, COUNT)                                       \
  while ((stack).len > 0)                                                                          \
    {                                                                                              \
      gsize o_ = (stack).items[--(stack).len];                                                     \
      if (!(INSIDE (o_)))                                                                          \
        continue;                                                                                  \
      gsize row_ = o_ / (gsize) (nx);                                                              \
      gsize start_ = row_ * (gsize) (nx), end_ = start_ + (gsize) (nx);                           \
      gsize l_ = o_, r_ = o_;                                                                      \
      while (l_ > start_ && (INSIDE (l_ - 1)))                                                     \
        l_--;                                                                                      \
      while (r_ + 1 < end_ && (INSIDE (r_ + 1)))                                                   \
        r_++;                                                                                      \
      for (gsize q_ = l_; q_ <= r_; q_++)                                                          \
        MARK (q_);                                                                                 \
      COUNT += r_ - l_ + 1;                                                                        \
      int y_ = (int) (row_ % (gsize) (ny)), z_ = (int) (row_ / (gsize) (ny));                     \
      gssize steps_[4];                                                                            \
      int k_ = 0;                                                                                  \
      if (y_ > 0)                                                                                  \
        steps_[k_++] = -(gssize) (nx);                                                             \
      if (y_ < (ny) - 1)                                                                           \
        steps_[k_++] = (gssize) (nx);                                                              \
      if (z_ > 0)                                                                                  \
        steps_[k_++] = -(gssize) (nx) * (ny);                                                      \
      if (z_ < (nz) - 1)                                                                           \
        steps_[k_++] = (gssize) (nx) * (ny);                                                       \
      for (int e_ = 0; e_ < k_; e_++)                                                              \
        {                                                                                          \
          gboolean in_run_ = FALSE;                                                                \
          for (gsize q_ = l_; q_ <= r_; q_++)                                                      \
            {                                                                                      \
              gsize t_ = (gsize) ((gssize) q_ + steps_[e_]);                                      \
              gboolean in_ = INSIDE (t_);                                                          \
              if (in_ && !in_run_)                                                                 \
                push (&(stack), t_);                                                               \
              in_run_ = in_;                                                                       \
            }                                                                                      \
        }                                                                                          \
    }

gsize
mt_mask_region_grow (const MtVolume *volume,
                     const int      *seeds,
                     int             n_seeds,
                     double          low,
                     double          high,
                     guint8         *out)
{
  const int nx = volume->dims[0], ny = volume->dims[1], nz = volume->dims[2];
  const gsize plane = (gsize) nx * ny, n = plane * nz;
  const float *v = volume->data;
  const float lo = (float) low, hi = (float) high;
  memset (out, 0, n);
  Stack s = { NULL, 0, 0 };
  gsize count = 0;
  for (int i = 0; i < n_seeds; i++)
    {
      const int *p = seeds + 3 * i;
      if (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[0] >= nx || p[1] >= ny || p[2] >= nz)
        continue;
      push (&s, (gsize) p[2] * plane + (gsize) p[1] * nx + p[0]);
    }
#define GROW_INSIDE(o) (!out[o] && v[o] >= lo && v[o] <= hi)
#define GROW_MARK(o) (out[o] = 1)
  SCANLINE_FLOOD (s, nx, ny, nz, GROW_INSIDE, GROW_MARK, count)
#undef GROW_INSIDE
#undef GROW_MARK
  g_free (s.items);
  return count;
}

static int
compare_sizes (gconstpointer a, gconstpointer b)
{
  gsize x = *(const gsize *) a, y = *(const gsize *) b;
  return x < y ? 1 : x > y ? -1 : 0;
}

guint
mt_mask_components (const guint8 *mask,
                    const int     dims[3],
                    guint32      *labels,
                    GArray       *sizes)
{
  const int nx = dims[0], ny = dims[1], nz = dims[2];
  const gsize n = (gsize) nx * ny * nz;
  memset (labels, 0, n * sizeof (guint32));
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (gsize));
  Stack s = { NULL, 0, 0 };
  guint32 current = 0;
  for (gsize start = 0; start < n; start++)
    {
      if (!mask[start] || labels[start])
        continue;
      current++;
      gsize size = 0;
      push (&s, start);
#define COMP_INSIDE(o) (mask[o] && !labels[o])
#define COMP_MARK(o) (labels[o] = current)
      SCANLINE_FLOOD (s, nx, ny, nz, COMP_INSIDE, COMP_MARK, size)
#undef COMP_INSIDE
#undef COMP_MARK
      g_array_append_val (found, size);
    }
  g_free (s.items);
  /* Renumber by falling size: 1 is the largest. */
  guint n_found = found->len;
  g_autofree gsize *pairs = g_new (gsize, 2 * (gsize) MAX (n_found, 1));
  for (guint i = 0; i < n_found; i++)
    {
      pairs[2 * i] = g_array_index (found, gsize, i);
      pairs[2 * i + 1] = i + 1;
    }
  qsort (pairs, n_found, 2 * sizeof (gsize), compare_sizes);
  g_autofree guint32 *rank = g_new (guint32, n_found + 1);
  rank[0] = 0;
  for (guint i = 0; i < n_found; i++)
    rank[pairs[2 * i + 1]] = i + 1;
  for (gsize i = 0; i < n; i++)
    labels[i] = rank[labels[i]];
  if (sizes != NULL)
    {
      g_array_set_size (sizes, 0);
      for (guint i = 0; i < n_found; i++)
        g_array_append_val (sizes, pairs[2 * i]);
    }
  return n_found;
}

void
mt_mask_keep_largest (guint8    *mask,
                      const int  dims[3])
{
  gsize n = (gsize) dims[0] * dims[1] * dims[2];
  g_autofree guint32 *labels = g_new (guint32, n);
  mt_mask_components (mask, dims, labels, NULL);
  for (gsize i = 0; i < n; i++)
    mask[i] = labels[i] == 1;
}

guint
mt_mask_split (const guint8   *mask,
               const MtVolume *grid,
               double          max_radius_mm,
               double          min_fraction,
               guint32        *labels)
{
  const gsize n = mt_volume_n_voxels (grid);
  gsize whole = mt_mask_count (mask, n);
  for (gsize i = 0; i < n; i++)
    labels[i] = mask[i] ? 1 : 0;
  for (double r = 2; r <= max_radius_mm; r += 2)
    {
      g_autofree guint8 *core = g_memdup2 (mask, n);
      mt_mask_erode (core, grid, r);
      g_autofree guint32 *parts = g_new (guint32, n);
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
      guint n_parts = mt_mask_components (core, grid->dims, parts, sizes);
      if (n_parts < 2 || g_array_index (sizes, gsize, 1) < whole * min_fraction)
        continue;
      g_autofree guint8 *a = g_new (guint8, n), *b = g_new (guint8, n);
      for (gsize i = 0; i < n; i++)
        {
          a[i] = parts[i] == 1;
          b[i] = parts[i] == 2;
        }
      g_autofree float *da = mt_mask_distance (a, grid), *db = mt_mask_distance (b, grid);
      for (gsize i = 0; i < n; i++)
        if (mask[i])
          labels[i] = da[i] <= db[i] ? 1 : 2;
      return 2;
    }
  return 1;
}

gsize
mt_mask_keep_touching (guint8       *mask,
                       const guint8 *seeds,
                       const int     dims[3])
{
  const gsize n = (gsize) dims[0] * dims[1] * dims[2];
  g_autofree guint32 *labels = g_new (guint32, n);
  guint pieces = mt_mask_components (mask, dims, labels, NULL);
  g_autofree guint8 *keep = g_new0 (guint8, pieces + 1);
  for (gsize i = 0; i < n; i++)
    if (seeds[i] && labels[i])
      keep[labels[i]] = 1;
  gsize kept = 0;
  for (gsize i = 0; i < n; i++)
    {
      mask[i] = keep[labels[i]];
      kept += mask[i];
    }
  return kept;
}

gsize
mt_mask_remove_islands (guint8    *mask,
                        const int  dims[3],
                        gsize      min_voxels)
{
  gsize n = (gsize) dims[0] * dims[1] * dims[2], removed = 0;
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  mt_mask_components (mask, dims, labels, sizes);
  for (gsize i = 0; i < n; i++)
    if (labels[i] && g_array_index (sizes, gsize, labels[i] - 1) < min_voxels)
      {
        mask[i] = 0;
        removed++;
      }
  return removed;
}

/* Background reached from the border of a (sub)grid, walking background. */
static void
fill_holes_grid (guint8 *mask, const int dims[3], gsize stride_x, gsize stride_y, gsize stride_z, gsize base,
                 gsize max_hole)
{
  const int nx = dims[0], ny = dims[1], nz = dims[2];
  gsize n = (gsize) nx * ny * nz;
  g_autofree guint8 *outside = g_new0 (guint8, n);
  Stack s = { NULL, 0, 0 };
#define AT(x, y, z) (base + (gsize) (x) * stride_x + (gsize) (y) * stride_y + (gsize) (z) * stride_z)
#define LOCAL(x, y, z) (((gsize) (z) * ny + (y)) * nx + (x))
  for (int z = 0; z < nz; z++)
    for (int y = 0; y < ny; y++)
      for (int x = 0; x < nx; x++)
        {
          gboolean border = x == 0 || y == 0 || x == nx - 1 || y == ny - 1 || (nz > 1 && (z == 0 || z == nz - 1));
          if (border && !mask[AT (x, y, z)] && !outside[LOCAL (x, y, z)])
            {
              outside[LOCAL (x, y, z)] = 1;
              push (&s, LOCAL (x, y, z));
            }
        }
  while (s.len > 0)
    {
      gsize o = s.items[--s.len];
      int x = (int) (o % nx), y = (int) ((o / nx) % ny), z = (int) (o / ((gsize) nx * ny));
      const int d[6][3] = { { -1, 0, 0 }, { 1, 0, 0 }, { 0, -1, 0 }, { 0, 1, 0 }, { 0, 0, -1 }, { 0, 0, 1 } };
      for (int e = 0; e < 6; e++)
        {
          int a = x + d[e][0], b = y + d[e][1], c = z + d[e][2];
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz)
            continue;
          if (!mask[AT (a, b, c)] && !outside[LOCAL (a, b, c)])
            {
              outside[LOCAL (a, b, c)] = 1;
              push (&s, LOCAL (a, b, c));
            }
        }
    }
  g_free (s.items);
  if (max_hole > 0)
    {
      /* Only holes up to max_hole voxels: the enclosed background pieces,
       * measured, and the large ones kept out. */
      g_autofree guint8 *hole = g_new (guint8, n);
      for (gsize i = 0; i < n; i++)
        hole[i] = !outside[i] && !mask[AT (i % nx, (i / nx) % ny, i / ((gsize) nx * ny))];
      g_autofree guint32 *labels = g_new (guint32, n);
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
      mt_mask_components (hole, dims, labels, sizes);
      for (gsize i = 0; i < n; i++)
        if (labels[i] && g_array_index (sizes, gsize, labels[i] - 1) > max_hole)
          outside[i] = 1;
    }
  for (int z = 0; z < nz; z++)
    for (int y = 0; y < ny; y++)
      for (int x = 0; x < nx; x++)
        if (!outside[LOCAL (x, y, z)])
          mask[AT (x, y, z)] = 1;
#undef AT
#undef LOCAL
}

/* ------------------------------------------------------------ crops */

/* Most masks an organ task handles fill a small part of the grid: the
 * whole-volume passes of filling and distances run on the mask's bounding
 * box, grown by margin voxels (and clamped), which gives the same answer. */
typedef struct
{
  int   lo[3], dims[3];
  gsize n;
} Box;

static gboolean
mask_box (const guint8 *mask, const int dims[3], const int margin[3], Box *box)
{
  const int nx = dims[0], ny = dims[1], nz = dims[2];
  int lo[3] = { nx, ny, nz }, hi[3] = { -1, -1, -1 };
  gsize o = 0;
  for (int z = 0; z < nz; z++)
    for (int y = 0; y < ny; y++, o += nx)
      {
        const guint8 *row = mask + o;
        int first = -1, last = -1;
        for (int x = 0; x < nx; x++)
          if (row[x])
            {
              if (first < 0)
                first = x;
              last = x;
            }
        if (first < 0)
          continue;
        lo[0] = MIN (lo[0], first);
        hi[0] = MAX (hi[0], last);
        lo[1] = MIN (lo[1], y);
        hi[1] = MAX (hi[1], y);
        lo[2] = MIN (lo[2], z);
        hi[2] = MAX (hi[2], z);
      }
  if (hi[0] < 0)
    return FALSE;
  box->n = 1;
  for (int a = 0; a < 3; a++)
    {
      box->lo[a] = MAX (0, lo[a] - margin[a]);
      box->dims[a] = MIN (dims[a] - 1, hi[a] + margin[a]) - box->lo[a] + 1;
      box->n *= box->dims[a];
    }
  return TRUE;
}

static guint8 *
box_copy (const guint8 *mask, const int dims[3], const Box *box)
{
  guint8 *sub = g_new (guint8, box->n);
  for (int z = 0; z < box->dims[2]; z++)
    for (int y = 0; y < box->dims[1]; y++)
      memcpy (sub + ((gsize) z * box->dims[1] + y) * box->dims[0],
              mask + ((gsize) (box->lo[2] + z) * dims[1] + box->lo[1] + y) * dims[0] + box->lo[0], box->dims[0]);
  return sub;
}

static void
box_paste (guint8 *mask, const int dims[3], const Box *box, const guint8 *sub)
{
  for (int z = 0; z < box->dims[2]; z++)
    for (int y = 0; y < box->dims[1]; y++)
      memcpy (mask + ((gsize) (box->lo[2] + z) * dims[1] + box->lo[1] + y) * dims[0] + box->lo[0],
              sub + ((gsize) z * box->dims[1] + y) * box->dims[0], box->dims[0]);
}

void
mt_mask_fill_holes (guint8    *mask,
                    const int  dims[3])
{
  /* Background outside the box reaches the border round it. */
  Box box;
  if (!mask_box (mask, dims, (const int[3]) { 1, 1, 1 }, &box))
    return;
  g_autofree guint8 *sub = box_copy (mask, dims, &box);
  fill_holes_grid (sub, box.dims, 1, (gsize) box.dims[0], (gsize) box.dims[0] * box.dims[1], 0, 0);
  box_paste (mask, dims, &box, sub);
}

typedef struct
{
  guint8    *mask;
  const int *dims;
  int        axis;
  gsize      max_hole;
} SliceFillJob;

static void
fill_slice (gsize s, gpointer data)
{
  const SliceFillJob *job = data;
  const int *d = job->dims;
  gsize strides[3] = { 1, (gsize) d[0], (gsize) d[0] * d[1] };
  /* The two axes within the slice, and the slice's offset. */
  int a = job->axis == 0 ? 1 : 0, b = job->axis == 2 ? 1 : 2;
  int sub[3] = { d[a], d[b], 1 };
  fill_holes_grid (job->mask, sub, strides[a], strides[b], 0, s * strides[job->axis], job->max_hole);
}

void
mt_mask_fill_holes_slices (guint8    *mask,
                           const int  dims[3],
                           int        axis)
{
  mt_mask_fill_small_holes_slices (mask, dims, axis, 0);
}

void
mt_mask_fill_small_holes_slices (guint8    *mask,
                                 const int  dims[3],
                                 int        axis,
                                 gsize      max_hole)
{
  g_return_if_fail (axis >= 0 && axis < 3);
  SliceFillJob job = { mask, dims, axis, max_hole };
  mt_parallel_for (dims[axis], fill_slice, &job);
}

/* ---------------------------------------------------------- distances */

/* Squared distance to the nearest zero of f along one line of n samples
 * w apart (Felzenszwalb and Huttenlocher's lower envelope of parabolas). */
static void
edt_line (const double *f, int n, double w2, double *d, int *v, double *z)
{
  int k = 0;
  v[0] = 0;
  z[0] = -HUGE_VAL;
  z[1] = HUGE_VAL;
  for (int q = 1; q < n; q++)
    {
      double s = ((f[q] + w2 * q * q) - (f[v[k]] + w2 * (double) v[k] * v[k])) / (2 * w2 * (q - v[k]));
      while (s <= z[k])
        {
          k--;
          s = ((f[q] + w2 * q * q) - (f[v[k]] + w2 * (double) v[k] * v[k])) / (2 * w2 * (q - v[k]));
        }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = HUGE_VAL;
    }
  k = 0;
  for (int q = 0; q < n; q++)
    {
      while (z[k + 1] < q)
        k++;
      d[q] = w2 * (double) (q - v[k]) * (q - v[k]) + f[v[k]];
    }
}

typedef struct
{
  float     *dist;
  const int *dims;
  double     w2[3];
  int        axis;
} EdtJob;

/* One pass along job->axis for every line in slice (or row) `outer`. */
static void
edt_pass (gsize outer, gpointer data)
{
  const EdtJob *job = data;
  const int *d = job->dims;
  const gsize strides[3] = { 1, (gsize) d[0], (gsize) d[0] * d[1] };
  int axis = job->axis, a = axis == 0 ? 1 : 0, b = axis == 2 ? 1 : 2;
  /* outer walks axis b, the inner loop axis a, each line runs along axis. */
  int n = d[axis];
  g_autofree double *f = g_new (double, n), *out = g_new (double, n), *z = g_new (double, n + 1);
  g_autofree int *v = g_new (int, n);
  for (int i = 0; i < d[a]; i++)
    {
      gsize base = outer * strides[b] + (gsize) i * strides[a];
      gboolean all_far = TRUE, all_zero = TRUE;
      for (int q = 0; q < n; q++)
        {
          f[q] = job->dist[base + q * strides[axis]];
          all_far &= f[q] >= FAR;
          all_zero &= f[q] == 0;
        }
      /* A line with nothing to measure from, or nothing to measure, stays. */
      if (all_far || all_zero)
        continue;
      edt_line (f, n, job->w2[axis], out, v, z);
      for (int q = 0; q < n; q++)
        job->dist[base + q * strides[axis]] = (float) MIN (out[q], FAR);
    }
}

/* Squared millimetre distance of every voxel to the nearest voxel where
 * mask equals `of`. */
static float *
distance_in (const guint8 *mask, const int dims[3], const double spacing[3], guint8 of)
{
  gsize n = (gsize) dims[0] * dims[1] * dims[2];
  float *dist = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    dist[i] = (mask[i] != 0) == (of != 0) ? 0.0f : FAR;
  EdtJob job = { dist, dims, { 0, 0, 0 }, 0 };
  for (int a = 0; a < 3; a++)
    job.w2[a] = spacing[a] * spacing[a];
  for (int axis = 0; axis < 3; axis++)
    {
      job.axis = axis;
      int b = axis == 2 ? 1 : 2;
      mt_parallel_for (dims[b], edt_pass, &job);
    }
  return dist;
}

static float *
distance_to (const guint8 *mask, const MtVolume *grid, guint8 of)
{
  return distance_in (mask, grid->dims, grid->spacing, of);
}

float *
mt_mask_distance (const guint8   *mask,
                  const MtVolume *grid)
{
  return distance_to (mask, grid, 1);
}

/* Dilation within the mask's box grown by the radius, erosion within the
 * box and one voxel of background round it: outside, a dilation is empty
 * and the nearest background of any voxel inside lies in the box. */
static void
morphology (guint8 *mask, const MtVolume *grid, double radius_mm, gboolean dilate)
{
  int margin[3];
  for (int a = 0; a < 3; a++)
    margin[a] = dilate ? (int) ceil (radius_mm / grid->spacing[a]) + 1 : 1;
  Box box;
  if (!mask_box (mask, grid->dims, margin, &box))
    return;
  g_autofree guint8 *sub = box_copy (mask, grid->dims, &box);
  g_autofree float *dist = distance_in (sub, box.dims, grid->spacing, dilate ? 1 : 0);
  float r2 = (float) (radius_mm * radius_mm) * 1.0001f;
  for (gsize i = 0; i < box.n; i++)
    sub[i] = dilate ? dist[i] <= r2 : dist[i] > r2;
  box_paste (mask, grid->dims, &box, sub);
}

void
mt_mask_dilate (guint8         *mask,
                const MtVolume *grid,
                double          radius_mm)
{
  morphology (mask, grid, radius_mm, TRUE);
}

void
mt_mask_erode (guint8         *mask,
               const MtVolume *grid,
               double          radius_mm)
{
  morphology (mask, grid, radius_mm, FALSE);
}

void
mt_mask_open (guint8         *mask,
              const MtVolume *grid,
              double          radius_mm)
{
  mt_mask_erode (mask, grid, radius_mm);
  mt_mask_dilate (mask, grid, radius_mm);
}

void
mt_mask_close (guint8         *mask,
               const MtVolume *grid,
               double          radius_mm)
{
  mt_mask_dilate (mask, grid, radius_mm);
  mt_mask_erode (mask, grid, radius_mm);
}

double
mt_mask_dice (const guint8 *a,
              const guint8 *b,
              gsize         n)
{
  gsize both = 0, na = 0, nb = 0;
  for (gsize i = 0; i < n; i++)
    {
      gboolean x = a[i] != 0, y = b[i] != 0;
      both += x && y;
      na += x;
      nb += y;
    }
  return na + nb == 0 ? 1.0 : 2.0 * both / (na + nb);
}

gsize
mt_mask_confidence_grow (const MtVolume *volume,
                         const int       seed[3],
                         double          multiplier,
                         int             iterations,
                         guint8         *out)
{
  const int nx = volume->dims[0], ny = volume->dims[1], nz = volume->dims[2];
  if (seed[0] < 0 || seed[1] < 0 || seed[2] < 0 || seed[0] >= nx || seed[1] >= ny || seed[2] >= nz)
    {
      memset (out, 0, mt_volume_n_voxels (volume));
      return 0;
    }
  /* The first statistics from the seed's 3 x 3 x 3 neighbourhood, as ITK's
   * ConfidenceConnected takes them; then from what was grown. */
  double sum = 0, sum2 = 0, count = 0;
  for (int dk = -1; dk <= 1; dk++)
    for (int dj = -1; dj <= 1; dj++)
      for (int di = -1; di <= 1; di++)
        {
          int i = seed[0] + di, j = seed[1] + dj, k = seed[2] + dk;
          if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz)
            continue;
          double x = volume->data[mt_volume_offset (volume, i, j, k)];
          sum += x;
          sum2 += x * x;
          count++;
        }
  gsize grown = 0;
  gsize n = mt_volume_n_voxels (volume);
  for (int it = 0; it <= iterations; it++)
    {
      double mean = sum / count, sd = count > 1 ? sqrt (MAX (0.0, (sum2 - sum * sum / count) / (count - 1))) : 0;
      /* At least a grey level of room, or a flat region grows nothing. */
      double half = MAX (multiplier * sd, 1.0);
      grown = mt_mask_region_grow (volume, seed, 1, mean - half, mean + half, out);
      if (grown == 0)
        break;
      sum = sum2 = count = 0;
      for (gsize o = 0; o < n; o++)
        if (out[o])
          {
            double x = volume->data[o];
            sum += x;
            sum2 += x * x;
            count++;
          }
    }
  return grown;
}
