/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segmentation"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mask.h"
#include "mt-segmentation.h"
#include "mt-volume.h"

/* Editing operations on whole segments, each one undo step through
 * mt_segmentation_paint (which leaves locked segments alone). */

/* Usual ranges, as radiology texts give them; the fluid and blood
 * ranges; contrast blood above enhanced soft tissue and below cortex. */
static const MtThresholdPreset presets[] = {
  { "air", N_("Air"), -1024, -900 },
  { "lung", N_("Lung"), -950, -400 },
  { "fat", N_("Fat"), -190, -30 },
  { "soft-tissue", N_("Soft tissue"), 20, 100 },
  { "fluid", N_("Fluid"), 0, 30 },
  { "blood", N_("Blood"), 30, 80 },
  { "contrast-blood", N_("Contrast-enhanced blood"), 150, 500 },
  { "bone", N_("Bone"), 300, 3000 },
  { "metal", N_("Metal"), 2500, 32767 },
};

const MtThresholdPreset *
mt_threshold_presets (guint *n)
{
  *n = G_N_ELEMENTS (presets);
  return presets;
}

const MtThresholdPreset *
mt_threshold_preset_lookup (const char *name)
{
  for (guint p = 0; p < G_N_ELEMENTS (presets); p++)
    if (g_str_equal (presets[p].name, name))
      return &presets[p];
  return NULL;
}

gsize
mt_segmentation_threshold (MtSegmentation *seg,
                           guint16         value,
                           const MtVolume *scan,
                           double          low,
                           double          high,
                           const guint8   *inside)
{
  g_return_val_if_fail (value != 0, 0);
  g_return_val_if_fail (mt_volume_n_voxels (scan) == mt_segmentation_n_voxels (seg), 0);
  g_autofree guint8 *mask = mt_mask_threshold (scan, low, high);
  gsize n = mt_segmentation_n_voxels (seg);
  if (inside != NULL)
    for (gsize i = 0; i < n; i++)
      mask[i] &= inside[i];
  return mt_segmentation_paint (seg, mask, value);
}

gsize
mt_segmentation_merge (MtSegmentation *seg,
                       guint16         into,
                       guint16         from)
{
  g_return_val_if_fail (into != 0 && from != 0, 0);
  if (into == from)
    return 0;
  g_autofree guint8 *mask = mt_segmentation_mask (seg, from);
  return mt_segmentation_paint (seg, mask, into);
}

gsize
mt_segmentation_keep_range (MtSegmentation *seg,
                            guint16         value,
                            const MtVolume *scan,
                            double          low,
                            double          high)
{
  g_return_val_if_fail (value != 0, 0);
  g_return_val_if_fail (mt_volume_n_voxels (scan) == mt_segmentation_n_voxels (seg), 0);
  gsize n = mt_segmentation_n_voxels (seg);
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  for (gsize i = 0; i < n; i++)
    mask[i] = mask[i] && (scan->data[i] < low || scan->data[i] > high);
  return mt_segmentation_paint (seg, mask, 0);
}

gsize
mt_segmentation_islands (MtSegmentation *seg,
                         guint16         value,
                         double          min_ml)
{
  g_return_val_if_fail (value != 0, 0);
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  gsize n = mt_segmentation_n_voxels (seg);
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (mask, grid->dims, labels, sizes);
  double voxel_ml = grid->spacing[0] * grid->spacing[1] * grid->spacing[2] / 1000.0;
  /* Pieces are numbered by falling size: the first min_ml leaves, or the
   * largest alone. */
  guint keep = 1;
  if (min_ml > 0)
    while (keep < pieces && g_array_index (sizes, gsize, keep) * voxel_ml >= min_ml)
      keep++;
  for (gsize i = 0; i < n; i++)
    mask[i] = labels[i] > keep;
  return mt_segmentation_paint (seg, mask, 0);
}

gsize
mt_segmentation_open_close (MtSegmentation *seg,
                            guint16         value,
                            double          radius_mm,
                            gboolean        close)
{
  g_return_val_if_fail (value != 0 && radius_mm > 0, 0);
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  gsize n = mt_segmentation_n_voxels (seg);
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  g_autofree guint8 *after = g_memdup2 (mask, n);
  if (close)
    mt_mask_close (after, grid, radius_mm);
  else
    mt_mask_open (after, grid, radius_mm);
  /* An opening only takes voxels away and a closing only adds: one paint,
   * one undo step. */
  g_autofree guint8 *gone = g_new (guint8, n);
  gsize changed = 0;
  for (gsize i = 0; i < n; i++)
    {
      gone[i] = mask[i] && !after[i];
      after[i] = after[i] && !mask[i];
    }
  if (close)
    changed = mt_segmentation_paint (seg, after, value);
  else
    changed = mt_segmentation_paint (seg, gone, 0);
  return changed;
}

gsize
mt_segmentation_fill_holes (MtSegmentation *seg,
                            guint16         value)
{
  g_return_val_if_fail (value != 0, 0);
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  gsize n = mt_segmentation_n_voxels (seg);
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  g_autofree guint8 *filled = g_memdup2 (mask, n);
  mt_mask_fill_holes (filled, grid->dims);
  for (gsize i = 0; i < n; i++)
    filled[i] = filled[i] && !mask[i];
  return mt_segmentation_paint (seg, filled, value);
}

/* ------------------------------------------------------------ interpolation */

/* Signed distance in mm in one slice (negative inside), from two exact
 * distance transforms. */
static float *
signed_distance_2d (const guint8 *mask, const int dims2[3], const double spacing2[3])
{
  gsize n = (gsize) dims2[0] * dims2[1];
  MtVolume grid = { 0 };
  memcpy (grid.dims, dims2, sizeof grid.dims);
  memcpy (grid.spacing, spacing2, sizeof grid.spacing);
  g_autofree guint8 *outside = g_new (guint8, n);
  for (gsize o = 0; o < n; o++)
    outside[o] = !mask[o];
  float *in = mt_mask_distance (mask, &grid);
  g_autofree float *out = mt_mask_distance (outside, &grid);
  for (gsize o = 0; o < n; o++)
    in[o] = sqrtf (in[o]) - sqrtf (out[o]);
  return in;
}

gsize
mt_segmentation_interpolate (MtSegmentation *seg,
                             guint16         value,
                             int             axis)
{
  g_return_val_if_fail (value != 0 && axis >= 0 && axis < 3, 0);
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  const int *d = grid->dims;
  /* The slice across axis: its two in-plane axes u, v. */
  const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;
  const gsize stride[3] = { 1, (gsize) d[0], (gsize) d[0] * d[1] };
  const int dims2[3] = { d[u], d[v], 1 };
  const double spacing2[3] = { grid->spacing[u], grid->spacing[v], 1.0 };
  const gsize plane = (gsize) d[u] * d[v];
  g_autofree guint8 *painted = g_new0 (guint8, d[axis]);
  for (gsize i = 0; i < mt_segmentation_n_voxels (seg); i++)
    if (mt_segmentation_get (seg, i) == value)
      painted[(i / stride[axis]) % d[axis]] = 1;
  g_autofree guint8 *fill = g_new0 (guint8, mt_segmentation_n_voxels (seg));
  g_autofree guint8 *slice = g_new (guint8, plane);
  g_autofree float *below = NULL;
  int last = -1;
  for (int k = 0; k < d[axis]; k++)
    {
      if (!painted[k])
        continue;
      for (int b = 0; b < d[v]; b++)
        for (int a = 0; a < d[u]; a++)
          slice[(gsize) b * d[u] + a]
              = mt_segmentation_get (seg, k * stride[axis] + a * stride[u] + b * stride[v]) == value;
      g_autofree float *here = signed_distance_2d (slice, dims2, spacing2);
      /* The slices between two painted ones: the shape morphs from one
       * outline to the other, its signed distance weighted by nearness. */
      if (last >= 0 && k - last > 1)
        for (int m = last + 1; m < k; m++)
          {
            float t = (float) (m - last) / (float) (k - last);
            for (int b = 0; b < d[v]; b++)
              for (int a = 0; a < d[u]; a++)
                {
                  gsize o = (gsize) b * d[u] + a;
                  gsize i = m * stride[axis] + a * stride[u] + b * stride[v];
                  fill[i] = (1 - t) * below[o] + t * here[o] < 0 && mt_segmentation_get (seg, i) == 0;
                }
          }
      g_free (below);
      below = g_steal_pointer (&here);
      last = k;
    }
  return mt_segmentation_paint (seg, fill, value);
}

/* ------------------------------------------------------------ scissors */

gsize
mt_segmentation_scissors (MtSegmentation *seg,
                          guint16         value,
                          const double    to_screen[16],
                          const double   *polygon,
                          int             n_points,
                          gboolean        inside)
{
  g_return_val_if_fail (to_screen != NULL && polygon != NULL && n_points >= 3, 0);
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  /* The polygon rasterised once on a fine grid of the screen's [-1, 1]
   * square, then looked up per voxel: a voxel's test costs the same for a
   * lasso of 500 points as for a triangle. */
  enum { RES = 2048 };
  g_autofree guint8 *raster = g_new0 (guint8, (gsize) RES * RES);
  g_autofree double *xs = g_new (double, n_points);
  for (int row = 0; row < RES; row++)
    {
      double y = -1 + (row + 0.5) * 2.0 / RES;
      int nx = 0;
      for (int p = 0; p < n_points; p++)
        {
          const double *a = polygon + 2 * p, *b = polygon + 2 * ((p + 1) % n_points);
          if ((a[1] <= y) != (b[1] <= y))
            xs[nx++] = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        }
      /* Even-odd between crossings. */
      for (int i = 1; i < nx; i++)
        for (int j = i; j > 0 && xs[j - 1] > xs[j]; j--)
          {
            double s = xs[j];
            xs[j] = xs[j - 1];
            xs[j - 1] = s;
          }
      for (int i = 0; i + 1 < nx; i += 2)
        {
          int c0 = (int) ceil ((xs[i] + 1) * RES / 2.0 - 0.5), c1 = (int) floor ((xs[i + 1] + 1) * RES / 2.0 - 0.5);
          for (int c = MAX (c0, 0); c <= MIN (c1, RES - 1); c++)
            raster[(gsize) row * RES + c] = 1;
        }
    }
  gsize n = mt_segmentation_n_voxels (seg);
  const int nx = grid->dims[0], ny = grid->dims[1];
  g_autofree guint8 *cut = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      guint16 l = mt_segmentation_get (seg, i);
      if (l == 0 || (value != 0 && l != value))
        continue;
      double ijk[3] = { (double) (i % nx), (double) ((i / nx) % ny), (double) (i / ((gsize) nx * ny)) }, p[3];
      mt_volume_index_to_patient (grid, ijk, p);
      /* Row-major: clip = M (p, 1). */
      double c[4];
      for (int r = 0; r < 4; r++)
        c[r] = to_screen[4 * r] * p[0] + to_screen[4 * r + 1] * p[1] + to_screen[4 * r + 2] * p[2] + to_screen[4 * r + 3];
      gboolean in = FALSE;
      if (c[3] > 0)
        {
          double sx = c[0] / c[3], sy = c[1] / c[3];
          int col = (int) floor ((sx + 1) * RES / 2.0), row = (int) floor ((sy + 1) * RES / 2.0);
          in = col >= 0 && col < RES && row >= 0 && row < RES && raster[(gsize) row * RES + col];
        }
      cut[i] = in == inside;
    }
  return mt_segmentation_paint (seg, cut, 0);
}
