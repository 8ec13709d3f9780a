/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segment-tasks"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mask.h"
#include "mt-segment-tasks.h"
#include "mt-volume.h"

/* The organs of a contrast CT: every method here works on axial slices of
 * the CT's grid and on the masks the earlier tasks found (body, lungs,
 * bone). */

#define BONE_HU 400.0
#define BONE_HOLE_CM2 20.0
#define BLOOD_HU 150.0
#define AORTA_MIN_CM2 1.5
#define AORTA_MAX_CM2 15.0
#define AORTA_ROUND 0.8
#define AORTA_STEP_MM 10.0
#define AORTA_MIN_MM 60.0
#define KIDNEY_HU 140.0
#define KIDNEY_MIN_ML 20.0
#define KIDNEY_SPLIT_ML 150.0   /* cortex alone: more is a kidney joined to something */
#define KIDNEY_GAP_HU 45.0
#define HEART_ERODE_MM 18.0
#define HEART_CORE_MAX_ML 250.0
#define HEART_WALL_MM 15.0
#define LIVER_BELOW_MM 20.0
#define FLUID_LOW_HU (-5.0)
#define FLUID_HIGH_HU 20.0
#define FLUID_MIN_ML 5.0
#define FLUID_NOISE_HU 10.0   /* the least noise assumed */
#define FLUID_EVEN 1.5        /* a collection's SD, in noises at most */
#define NODULE_HU (-400.0)
#define NODULE_OPEN_MM 2.5
#define NODULE_MIN_DEPTH_MM 3.0   /* 6 mm across: the size that calls for follow-up */

static double
voxel_ml (const MtVolume *ct)
{
  return ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000.0;
}

static void
voxel_patient (const MtVolume *ct, gsize i, double p[3])
{
  const int nx = ct->dims[0], ny = ct->dims[1];
  double ijk[3] = { (double) (i % nx), (double) ((i / nx) % ny), (double) (i / ((gsize) nx * ny)) };
  mt_volume_index_to_patient (ct, ijk, p);
}

guint8 *
mt_segment_bone_core (const MtVolume *ct,
                      const guint8   *body)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* Cortex, and the marrow it rings in a slice (a vertebral body, a rib's
   * section), with the rim its blur leaves. */
  guint8 *bone = mt_mask_threshold (ct, BONE_HU, G_MAXDOUBLE);
  for (gsize i = 0; i < n; i++)
    bone[i] &= body[i];
  gsize max_hole = (gsize) (BONE_HOLE_CM2 * 100 / (ct->spacing[0] * ct->spacing[1]));
  mt_mask_fill_small_holes_slices (bone, ct->dims, 2, max_hole);
  mt_mask_dilate (bone, ct, 2.0);
  return bone;
}

/* ------------------------------------------------------------ convex hull */

static double
cross (const double *o, const double *a, const double *b)
{
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/* The convex hull of the mask in every axial slice, filled. */
static guint8 *
hull_slices (const guint8 *mask, const int dims[3])
{
  const int nx = dims[0], ny = dims[1], nz = dims[2];
  const gsize plane = (gsize) nx * ny;
  guint8 *hull = g_new0 (guint8, plane * nz);
  g_autofree double *pts = g_new (double, 4 * (gsize) ny);
  g_autofree double *h = g_new (double, 8 * (gsize) ny + 4);
  for (int k = 0; k < nz; k++)
    {
      const guint8 *m = mask + k * plane;
      int np = 0;
      /* The ends of each row's run are enough for the hull, in order of
       * (y, x). */
      for (int j = 0; j < ny; j++)
        {
          int lo = -1, hi = -1;
          for (int i = 0; i < nx; i++)
            if (m[(gsize) j * nx + i])
              {
                if (lo < 0)
                  lo = i;
                hi = i;
              }
          if (lo < 0)
            continue;
          pts[2 * np] = lo;
          pts[2 * np + 1] = j;
          np++;
          if (hi != lo)
            {
              pts[2 * np] = hi;
              pts[2 * np + 1] = j;
              np++;
            }
        }
      if (np < 3)
        continue;
      /* Andrew's monotone chain over points sorted by y, then x. */
      int nh = 0;
      for (int p = 0; p < np; p++)
        {
          while (nh >= 2 && cross (&h[2 * (nh - 2)], &h[2 * (nh - 1)], &pts[2 * p]) <= 0)
            nh--;
          h[2 * nh] = pts[2 * p];
          h[2 * nh + 1] = pts[2 * p + 1];
          nh++;
        }
      for (int p = np - 2, lower = nh + 1; p >= 0; p--)
        {
          while (nh >= lower && cross (&h[2 * (nh - 2)], &h[2 * (nh - 1)], &pts[2 * p]) <= 0)
            nh--;
          h[2 * nh] = pts[2 * p];
          h[2 * nh + 1] = pts[2 * p + 1];
          nh++;
        }
      nh--;   /* the last point repeats the first */
      /* Each row between the hull's edges. */
      for (int j = 0; j < ny; j++)
        {
          double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
          for (int e = 0; e < nh; e++)
            {
              const double *a = &h[2 * e], *b = &h[2 * ((e + 1) % nh)];
              if ((a[1] - j) * (b[1] - j) > 0)
                continue;
              if (a[1] == b[1])
                {
                  lo = MIN (lo, MIN (a[0], b[0]));
                  hi = MAX (hi, MAX (a[0], b[0]));
                  continue;
                }
              double x = a[0] + (j - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
              lo = MIN (lo, x);
              hi = MAX (hi, x);
            }
          for (int i = MAX (0, (int) ceil (lo - 1e-9)); i <= MIN (nx - 1, (int) floor (hi + 1e-9)); i++)
            hull[k * plane + (gsize) j * nx + i] = 1;
        }
    }
  return hull;
}

/* ------------------------------------------------------------ diaphragm */

/* The diaphragm's height over each (row, column) of the slices, as a
 * fractional slice index: the lowest lung voxel of the column, filled in
 * between the lungs along each row (straight across, under the heart) and
 * then along each column. It parts the heart above from the liver below,
 * which have the same value and touch through it. */
static float *
diaphragm_height (const MtVolume *ct, const MtOrganContext *ctx)
{
  const int nx = ct->dims[0], ny = ct->dims[1], nz = ct->dims[2];
  const gsize plane = (gsize) nx * ny;
  const gboolean up = ct->direction[8] >= 0;
  float *h = g_new (float, plane);
  for (gsize o = 0; o < plane; o++)
    {
      h[o] = NAN;
      for (int kk = 0; kk < nz; kk++)
        {
          int k = up ? kk : nz - 1 - kk;
          gsize i = (gsize) k * plane + o;
          if (ctx->lung_left[i] || ctx->lung_right[i])
            {
              h[o] = (float) k;
              break;
            }
        }
    }
  /* Across each row between lung columns, then down each column. */
  for (int pass = 0; pass < 2; pass++)
    {
      const int lines = pass == 0 ? ny : nx, len = pass == 0 ? nx : ny;
      const gsize step = pass == 0 ? 1 : (gsize) nx, line_step = pass == 0 ? (gsize) nx : 1;
      for (int l = 0; l < lines; l++)
        {
          float *row = h + l * line_step;
          int last = -1;
          for (int t = 0; t < len; t++)
            {
              if (isnan (row[t * step]))
                continue;
              if (last >= 0 && t - last > 1)
                for (int u = last + 1; u < t; u++)
                  row[u * step] = row[last * step] + (row[t * step] - row[last * step]) * (u - last) / (t - last);
              last = t;
            }
        }
    }
  /* Where no lung lies in line, the nearest height along the row. */
  for (int j = 0; j < ny; j++)
    {
      float *row = h + (gsize) j * nx;
      int first = -1, last = -1;
      for (int i = 0; i < nx; i++)
        if (!isnan (row[i]))
          {
            if (first < 0)
              first = i;
            last = i;
          }
      if (first < 0)
        continue;
      for (int i = 0; i < first; i++)
        row[i] = row[first];
      for (int i = last + 1; i < nx; i++)
        row[i] = row[last];
    }
  return h;
}

/* Whether voxel i lies above the diaphragm, with margin_mm to spare (a
 * negative margin reaches below it). Unknown columns count as above. */
static gboolean
above_diaphragm (const MtVolume *ct, const float *h, gsize i, double margin_mm)
{
  const gsize plane = (gsize) ct->dims[0] * ct->dims[1];
  float d = h[i % plane];
  if (isnan (d))
    return TRUE;
  double k = (double) (i / plane), above = (ct->direction[8] >= 0 ? k - d : d - k) * ct->spacing[2];
  return above >= margin_mm;
}

/* ------------------------------------------------------------ aorta */

typedef struct
{
  int     k;
  guint32 label;      /* its piece in the slice's labelling */
  double  x, y;       /* centroid, patient mm */
  double  area;       /* cm2 */
  int     length;     /* slices in the best chain ending here */
  int     prev;       /* candidate below it in that chain, -1 */
} Disc;

/* Follows a tube (a vessel cut across) slice by slice from its section in
 * slice k0 of mask, going dir (+1 or -1): in each next slice the blood
 * within 3 mm of the last section's disc, its largest piece, while its area
 * stays within 0.6 to 1.5 times the last's. Written into mask; returns the
 * slices added. */
static int
follow_tube (const MtVolume *ct, const guint8 *blood, guint8 *mask, int k0, int dir)
{
  const int nx = ct->dims[0], ny = ct->dims[1], nz = ct->dims[2];
  const gsize plane = (gsize) nx * ny;
  const double pixel_cm2 = ct->spacing[0] * ct->spacing[1] / 100.0;
  const int dims2[3] = { nx, ny, 1 };
  g_autofree guint8 *window = g_new (guint8, plane);
  int added = 0;
  for (int k = k0 + dir; k >= 0 && k < nz; k += dir)
    {
      /* The last slice's section: its centre and radius. */
      const guint8 *last = mask + (gsize) (k - dir) * plane;
      double ci = 0, cj = 0;
      gsize m = 0;
      for (gsize o = 0; o < plane; o++)
        if (last[o])
          {
            ci += (double) (o % nx);
            cj += (double) (o / nx);
            m++;
          }
      if (m == 0)
        break;
      ci /= m;
      cj /= m;
      double reach = sqrt (m * pixel_cm2 * 100 / G_PI) + 3.0;
      for (gsize o = 0; o < plane; o++)
        {
          double dx = ((double) (o % nx) - ci) * ct->spacing[0], dy = ((double) (o / nx) - cj) * ct->spacing[1];
          window[o] = blood[(gsize) k * plane + o] && dx * dx + dy * dy <= reach * reach;
        }
      mt_mask_keep_largest (window, dims2);
      gsize got = mt_mask_count (window, plane);
      if (got < 0.6 * m || got > 1.5 * m)
        break;
      for (gsize o = 0; o < plane; o++)
        mask[(gsize) k * plane + o] |= window[o];
      added++;
    }
  return added;
}

/* The descending aorta: contrast blood in round sections (the aorta, cut
 * across) stacked slice on slice; the longest such stack in the scan. The
 * slices' pieces are written into chain; returns the mean HU of the blood
 * in them, 0 when no stack of AORTA_MIN_MM was found. */
static double
find_descending_aorta (const MtVolume *ct, const guint8 *blood, guint8 *chain)
{
  const int nx = ct->dims[0], ny = ct->dims[1], nz = ct->dims[2];
  const gsize plane = (gsize) nx * ny;
  const double pixel_cm2 = ct->spacing[0] * ct->spacing[1] / 100.0;
  const int dims2[3] = { nx, ny, 1 };
  g_autoptr (GArray) discs = g_array_new (FALSE, FALSE, sizeof (Disc));
  g_autofree guint32 *labels = g_new (guint32, plane * nz);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autofree int *first = g_new (int, nz + 1);
  for (int k = 0; k < nz; k++)
    {
      first[k] = (int) discs->len;
      guint32 *lab = labels + k * plane;
      guint pieces = mt_mask_components (blood + k * plane, dims2, lab, sizes);
      g_autofree double *sx = g_new0 (double, pieces + 1), *sy = g_new0 (double, pieces + 1);
      for (gsize o = 0; o < plane; o++)
        if (lab[o])
          {
            sx[lab[o]] += (double) (o % nx);
            sy[lab[o]] += (double) (o / nx);
          }
      for (guint p = 1; p <= pieces; p++)
        {
          gsize size = g_array_index (sizes, gsize, p - 1);
          double area = size * pixel_cm2;
          if (area < AORTA_MIN_CM2 || area > AORTA_MAX_CM2)
            continue;
          double ci = sx[p] / size, cj = sy[p] / size;
          /* Round: most of it within the radius of a disc of its area. */
          double r2 = area * 100 / G_PI;
          gsize inside = 0;
          for (gsize o = 0; o < plane; o++)
            if (lab[o] == p)
              {
                double dx = ((double) (o % nx) - ci) * ct->spacing[0], dy = ((double) (o / nx) - cj) * ct->spacing[1];
                inside += dx * dx + dy * dy <= r2;
              }
          if (inside < AORTA_ROUND * size)
            continue;
          double ijk[3] = { ci, cj, k }, pt[3];
          mt_volume_index_to_patient (ct, ijk, pt);
          Disc d = { k, p, pt[0], pt[1], area, 1, -1 };
          /* Joined to the best chain ending one slice below, if it sits
           * over it and is of a like size. */
          for (int q = k > 0 ? first[k - 1] : 0; q < first[k]; q++)
            {
              const Disc *b = &g_array_index (discs, Disc, q);
              double dist = hypot (b->x - d.x, b->y - d.y), ratio = b->area / d.area;
              if (dist < AORTA_STEP_MM && ratio > 0.6 && ratio < 1.67 && b->length + 1 > d.length)
                {
                  d.length = b->length + 1;
                  d.prev = q;
                }
            }
          g_array_append_val (discs, d);
        }
    }
  int best = -1;
  for (guint q = 0; q < discs->len; q++)
    if (best < 0 || g_array_index (discs, Disc, q).length > g_array_index (discs, Disc, best).length)
      best = (int) q;
  memset (chain, 0, plane * nz);
  if (best < 0 || g_array_index (discs, Disc, best).length * ct->spacing[2] < AORTA_MIN_MM)
    return 0;
  /* Followed on past both ends without asking roundness, where the aorta
   * lies against the spine (the bone cut from it) or bends: in each next
   * slice the blood over the last section, of a like size. */
  int lo_q = best;
  while (g_array_index (discs, Disc, lo_q).prev >= 0)
    lo_q = g_array_index (discs, Disc, lo_q).prev;
  const Disc *ends[2] = { &g_array_index (discs, Disc, lo_q), &g_array_index (discs, Disc, best) };
  for (int q = best; q >= 0; q = g_array_index (discs, Disc, q).prev)
    {
      const Disc *d = &g_array_index (discs, Disc, q);
      for (gsize o = 0; o < plane; o++)
        chain[d->k * plane + o] = labels[d->k * plane + o] == d->label;
    }
  for (int e = 0; e < 2; e++)
    follow_tube (ct, blood, chain, ends[e]->k, e == 0 ? -1 : 1);
  double sum = 0;
  gsize count = 0;
  for (gsize i = 0; i < plane * nz; i++)
    if (chain[i])
      {
        sum += ct->data[i];
        count++;
      }
  return sum / MAX (count, 1);
}

static guint8 *
blood_mask (const MtVolume *ct, const MtOrganContext *ctx, double low)
{
  const gsize n = mt_volume_n_voxels (ct);
  guint8 *blood = mt_mask_threshold (ct, low, BONE_HU + 200);
  for (gsize i = 0; i < n; i++)
    blood[i] &= ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i];
  return blood;
}

gboolean
mt_segment_aorta_descending (const MtVolume *ct,
                             MtOrganContext *ctx,
                             GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  g_autofree guint8 *blood = blood_mask (ct, ctx, BLOOD_HU);
  ctx->aorta_chain = g_new0 (guint8, n);
  ctx->aorta_hu = find_descending_aorta (ct, blood, ctx->aorta_chain);
  if (ctx->aorta_hu <= 0)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("No aorta found: no round section of contrast blood (%.0f HU and up) runs %.0f mm down the "
                     "scan. The aorta, heart and kidney tasks need a contrast-enhanced CT."),
                   BLOOD_HU, AORTA_MIN_MM);
      return FALSE;
    }
  return TRUE;
}

/* The ascending aorta's root lies within the heart's outline, where the
 * growing stopped: from the lowest section of the ascending aorta, followed
 * down through the heart while it stays a tube (till it opens into a
 * chamber of the same blood). */
static void
follow_root (const MtVolume *ct, const MtOrganContext *ctx, double low, guint8 *aorta)
{
  const gsize n = mt_volume_n_voxels (ct), plane = (gsize) ct->dims[0] * ct->dims[1];
  const int nz = ct->dims[2];
  const int down = ct->direction[8] >= 0 ? -1 : 1;
  const double pixel_cm2 = ct->spacing[0] * ct->spacing[1] / 100.0;
  const int dims2[3] = { ct->dims[0], ct->dims[1], 1 };
  if (ctx->heart == NULL)
    return;
  /* The grown part, away from the descending aorta. */
  g_autofree guint8 *near = g_memdup2 (ctx->aorta_chain, n);
  mt_mask_dilate (near, ct, 4.0);
  g_autofree guint8 *section = g_new (guint8, plane);
  int lowest = -1;
  for (int kk = 0; kk < nz && lowest < 0; kk++)
    {
      int k = down < 0 ? kk : nz - 1 - kk;
      gboolean touches = FALSE;
      for (gsize o = 0; o < plane; o++)
        {
          gsize i = (gsize) k * plane + o;
          section[o] = aorta[i] && !near[i];
        }
      mt_mask_keep_largest (section, dims2);
      if (mt_mask_count (section, plane) * pixel_cm2 < AORTA_MIN_CM2)
        continue;
      /* Only a section resting on the heart: the root goes on below it. */
      int below = k + down;
      if (below < 0 || below >= nz)
        continue;
      for (gsize o = 0; o < plane && !touches; o++)
        touches = section[o] && ctx->heart[(gsize) below * plane + o];
      if (touches)
        lowest = k;
    }
  if (lowest < 0)
    return;
  /* The heart cut the lowest sections short: start from the lowest one of
   * full size (the largest above it, less 30%). */
  const int up = -down;
  g_autofree double *area = g_new0 (double, nz);
  g_autofree guint8 *sections = g_new0 (guint8, (gsize) nz * plane);
  double largest = 0;
  for (int k = lowest, steps = 0; k >= 0 && k < nz && steps < 12; k += up, steps++)
    {
      guint8 *s = sections + (gsize) k * plane;
      for (gsize o = 0; o < plane; o++)
        s[o] = aorta[(gsize) k * plane + o] && !near[(gsize) k * plane + o];
      mt_mask_keep_largest (s, dims2);
      area[k] = mt_mask_count (s, plane) * pixel_cm2;
      largest = MAX (largest, area[k]);
    }
  int start = lowest;
  while (start >= 0 && start < nz && area[start] < 0.7 * largest)
    start += up;
  if (start < 0 || start >= nz)
    return;
  g_autofree guint8 *blood = blood_mask (ct, ctx, low);
  g_autofree guint8 *root = g_new0 (guint8, n);
  memcpy (root + (gsize) start * plane, sections + (gsize) start * plane, plane);
  follow_tube (ct, blood, root, start, down);
  for (gsize i = 0; i < n; i++)
    aorta[i] |= root[i];
}

gboolean
mt_segment_aorta (const MtVolume *ct,
                  MtOrganContext *ctx,
                  guint8        **aorta_out,
                  GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  const gsize plane = (gsize) ct->dims[0] * ct->dims[1];
  /* The arch and the ascending aorta: blood as bright as the descending
   * aorta's, less 80 HU, grown from the top of its stack, neither down the
   * stack itself nor into the heart. */
  double low = MAX (BLOOD_HU, ctx->aorta_hu - 80);
  g_autofree guint8 *blood = blood_mask (ct, ctx, low);
  int top = -1, bottom = ct->dims[2];
  for (gsize i = 0; i < n; i++)
    if (ctx->aorta_chain[i])
      {
        top = MAX (top, (int) (i / plane));
        bottom = MIN (bottom, (int) (i / plane));
      }
  g_assert (top >= 0);
  /* The end of the stack nearer the heart: the one whose slice holds more
   * of the heart's blood, else the higher. */
  gboolean up = ct->direction[8] >= 0;
  int head = up ? top : bottom;
  g_autofree guint8 *seeds = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      int k = (int) (i / plane);
      if (ctx->aorta_chain[i] && k != head)
        blood[i] = 0;
      else if (ctx->aorta_chain[i])
        seeds[i] = blood[i] = 1;
      if (ctx->heart != NULL && ctx->heart[i])
        blood[i] = 0;
      if (ctx->kidneys != NULL && ctx->kidneys[i])
        blood[i] = 0;
    }
  mt_mask_keep_touching (blood, seeds, ct->dims);
  guint8 *aorta = g_steal_pointer (&blood);
  for (gsize i = 0; i < n; i++)
    aorta[i] |= ctx->aorta_chain[i];
  mt_mask_fill_small_holes_slices (aorta, ct->dims, 2, (gsize) (AORTA_MAX_CM2 * 100 / (ct->spacing[0] * ct->spacing[1])));
  follow_root (ct, ctx, low, aorta);
  /* Its wall's blur, grown with the brighter threshold: given back out to
   * the edge the descending aorta's sections have. */
  g_autofree guint8 *edge = g_memdup2 (aorta, n);
  mt_mask_dilate (edge, ct, 2.0);
  g_autofree guint8 *dim = blood_mask (ct, ctx, BLOOD_HU);
  for (gsize i = 0; i < n; i++)
    aorta[i] |= edge[i] && dim[i] && (ctx->heart == NULL || !ctx->heart[i])
                && (ctx->kidneys == NULL || !ctx->kidneys[i]);
  *aorta_out = aorta;
  (void) error;
  return TRUE;
}

/* Otsu's threshold of the mask's values within [low, high] (1 HU bins),
 * and the gap between the means of the two classes it parts. */
static void
otsu (const MtVolume *ct, const guint8 *mask, double low, double high, double *threshold, double *gap)
{
  const int bins = (int) (high - low) + 1;
  g_autofree double *hist = g_new0 (double, bins);
  double total = 0, sum = 0;
  for (gsize i = 0; i < mt_volume_n_voxels (ct); i++)
    if (mask[i] && ct->data[i] >= low && ct->data[i] <= high)
      {
        int b = (int) (ct->data[i] - low);
        hist[b]++;
        total++;
        sum += b;
      }
  double best = -1, w0 = 0, s0 = 0;
  *threshold = low;
  *gap = 0;
  for (int b = 0; b < bins - 1; b++)
    {
      w0 += hist[b];
      s0 += b * hist[b];
      double w1 = total - w0;
      /* Both classes a fifth of the whole at least. */
      if (w0 < 0.2 * total || w1 < 0.2 * total)
        continue;
      double m0 = s0 / w0, m1 = (sum - s0) / w1, between = w0 * w1 * (m1 - m0) * (m1 - m0);
      if (between > best)
        {
          best = between;
          *threshold = low + b + 1;
          *gap = m1 - m0;
        }
    }
}

/* ------------------------------------------------------------ kidneys */

gboolean
mt_segment_kidneys (const MtVolume *ct,
                    MtOrganContext *ctx,
                    guint8        **left_out,
                    guint8        **right_out,
                    GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* The enhancing cortex: bright, not bone, not the aorta, behind the
   * body's centre and beside the spine. */
  g_autofree guint8 *chain = g_memdup2 (ctx->aorta_chain, n);
  mt_mask_dilate (chain, ct, 3.0);
  guint8 *cortex = mt_mask_threshold (ct, KIDNEY_HU, BONE_HU + 50);
  g_autofree guint8 *own = cortex;
  for (gsize i = 0; i < n; i++)
    cortex[i] &= ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i] && !chain[i];
  mt_mask_open (cortex, ct, 2.0);
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (cortex, ct->dims, labels, sizes);
  g_autofree double *sum = g_new0 (double, 3 * ((gsize) pieces + 1));
  double body_c[3] = { 0, 0, 0 };
  gsize body_n = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!labels[i] && !(ctx->body[i] && i % 7 == 0))
        continue;
      double p[3];
      voxel_patient (ct, i, p);
      if (labels[i])
        for (int a = 0; a < 3; a++)
          sum[3 * labels[i] + a] += p[a];
      else
        {
          for (int a = 0; a < 3; a++)
            body_c[a] += p[a];
          body_n++;
        }
    }
  for (int a = 0; a < 3; a++)
    body_c[a] /= MAX (body_n, 1);
  guint pick[2] = { 0, 0 };   /* right (x < centre), left */
  for (guint p = 1; p <= pieces; p++)
    {
      gsize size = g_array_index (sizes, gsize, p - 1);
      if (size * voxel_ml (ct) < KIDNEY_MIN_ML)
        break;
      double x = sum[3 * p] / size - body_c[0], y = sum[3 * p + 1] / size - body_c[1];
      /* Beside the spine and behind the body's centre (LPS: +y is back). */
      if (fabs (x) < 30 || fabs (x) > 130 || y < -10)
        continue;
      int side = x > 0;
      if (pick[side] == 0)
        pick[side] = p;
    }
  if (pick[0] == 0 && pick[1] == 0)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("No kidneys found: no enhancing cortex (%.0f HU and up) of %.0f mL beside the spine. "
                     "The kidney task needs a contrast-enhanced CT of the abdomen."),
                   KIDNEY_HU, KIDNEY_MIN_ML);
      return FALSE;
    }
  /* Cortex to kidney: closed over the medulla and sinus, filled. */
  guint8 *out[2];
  ctx->kidneys = g_new0 (guint8, n);
  for (int side = 0; side < 2; side++)
    {
      out[side] = g_new0 (guint8, n);
      if (pick[side] == 0)
        continue;
      for (gsize i = 0; i < n; i++)
        out[side][i] = labels[i] == pick[side];
      if (mt_mask_count (out[side], n) * voxel_ml (ct) > KIDNEY_SPLIT_ML)
        {
          /* More than a kidney's cortex: joined to an organ that enhances
           * less (the spleen, a vein). Two values then: Otsu's threshold
           * between them keeps the brighter cortex, whose largest piece
           * is the kidney. */
          double t = 0, gap = 0;
          otsu (ct, out[side], KIDNEY_HU, BONE_HU + 50, &t, &gap);
          if (gap > KIDNEY_GAP_HU)
            {
              for (gsize i = 0; i < n; i++)
                out[side][i] = out[side][i] && ct->data[i] >= t;
              mt_mask_open (out[side], ct, 2.0);
              mt_mask_keep_largest (out[side], ct->dims);
            }
        }
      mt_mask_close (out[side], ct, 6.0);
      mt_mask_fill_holes (out[side], ct->dims);
      mt_mask_fill_holes_slices (out[side], ct->dims, 2);
      for (gsize i = 0; i < n; i++)
        {
          out[side][i] &= ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i];
          ctx->kidneys[i] |= out[side][i];
        }
    }
  *right_out = out[0];
  *left_out = out[1];
  return TRUE;
}

/* ------------------------------------------------------------ liver */

static int
compare_float (gconstpointer a, gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

gboolean
mt_segment_liver (const MtVolume *ct,
                  MtOrganContext *ctx,
                  guint8        **liver_out,
                  GError        **error)
{
  const int nx = ct->dims[0], ny = ct->dims[1], nz = ct->dims[2];
  const gsize n = mt_volume_n_voxels (ct), plane = (gsize) nx * ny;
  /* The liver lies under the right lung's base: its value is the median
   * of what lies 20 mm under each column of that lung. */
  gboolean up = ct->direction[8] >= 0;
  int below = (int) lround (LIVER_BELOW_MM / ct->spacing[2]);
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  g_autofree guint8 *seeds = g_new0 (guint8, n);
  for (gsize o = 0; o < plane; o++)
    {
      int lowest = -1;
      for (int kk = 0; kk < nz; kk++)
        {
          int k = up ? kk : nz - 1 - kk;
          if (ctx->lung_right[k * plane + o])
            {
              lowest = k;
              break;
            }
        }
      if (lowest < 0)
        continue;
      int k = up ? lowest - below : lowest + below;
      if (k < 0 || k >= nz)
        continue;
      gsize i = k * plane + o;
      if (!ctx->body[i] || ctx->lungs[i] || ctx->bone[i])
        continue;
      g_array_append_val (values, ct->data[i]);
      seeds[i] = 1;
    }
  if (values->len < 50)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("No liver found: the scan does not reach %.0f mm below the right lung."), LIVER_BELOW_MM);
      return FALSE;
    }
  g_array_sort (values, compare_float);
  double mu = g_array_index (values, float, values->len / 2);
  ctx->liver_hu = mu;
  /* Cut from the aorta and the heart (the inferior vena cava joins the
   * liver to the right atrium) by a few millimetres. */
  g_autofree guint8 *apart = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    apart[i] = ctx->aorta_chain[i] || (ctx->heart != NULL && ctx->heart[i]);
  mt_mask_dilate (apart, ct, 3.0);
  g_autofree float *dome = diaphragm_height (ct, ctx);
  guint8 *liver = mt_mask_threshold (ct, mu - 35, mu + 60);
  for (gsize i = 0; i < n; i++)
    liver[i] &= ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i] && !apart[i] && !above_diaphragm (ct, dome, i, 3.0)
                && (ctx->kidneys == NULL || !ctx->kidneys[i]);
  /* A 4 mm opening cuts it from the organs it touches (through the
   * diaphragm, the gut's wall); the piece under most of the samples is the
   * liver. */
  mt_mask_open (liver, ct, 4.0);
  g_autofree guint32 *labels = g_new (guint32, n);
  guint pieces = mt_mask_components (liver, ct->dims, labels, NULL);
  g_autofree gsize *votes = g_new0 (gsize, pieces + 1);
  for (gsize i = 0; i < n; i++)
    if (seeds[i] && labels[i])
      votes[labels[i]]++;
  guint best = 0;
  for (guint p = 1; p <= pieces; p++)
    if (votes[p] > votes[best])
      best = p;
  if (best == 0)
    {
      g_free (liver);
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("No liver found: nothing of the liver's value (%.0f HU) stays under the right lung."), mu);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    liver[i] = labels[i] == best;
  /* Its vessels and the noise's holes, inside. */
  mt_mask_close (liver, ct, 5.0);
  mt_mask_fill_holes (liver, ct->dims);
  gsize max_hole = (gsize) (10.0 * 100 / (ct->spacing[0] * ct->spacing[1]));
  mt_mask_fill_small_holes_slices (liver, ct->dims, 2, max_hole);
  for (gsize i = 0; i < n; i++)
    liver[i] &= ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i] && !ctx->aorta_chain[i]
                && (ctx->kidneys == NULL || !ctx->kidneys[i]) && (ctx->heart == NULL || !ctx->heart[i]);
  ctx->liver = liver;
  *liver_out = g_memdup2 (liver, n);
  return TRUE;
}

/* ------------------------------------------------------------ heart */

gboolean
mt_segment_heart (const MtVolume *ct,
                  MtOrganContext *ctx,
                  guint8        **heart_out,
                  GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* Between the lungs: the convex hull of both in each slice and the
   * slices up to 30 mm above it (the heart sits lower than the lungs'
   * centre, on the diaphragm), less the lungs, the bone, fat and air. */
  const gsize plane = (gsize) ct->dims[0] * ct->dims[1];
  const int reach = (int) lround (30.0 / ct->spacing[2]);
  const int up = ct->direction[8] >= 0 ? 1 : -1;
  g_autofree guint8 *lungs = g_new0 (guint8, n);
  for (int k = 0; k < ct->dims[2]; k++)
    for (int d = 0; d <= reach; d++)
      {
        int kk = k + up * d;
        if (kk < 0 || kk >= ct->dims[2])
          continue;
        for (gsize o = 0; o < plane; o++)
          lungs[k * plane + o] |= ctx->lung_left[kk * plane + o] || ctx->lung_right[kk * plane + o];
      }
  g_autofree guint8 *hull = hull_slices (lungs, ct->dims);
  g_autofree guint8 *chain = g_memdup2 (ctx->aorta_chain, n);
  mt_mask_dilate (chain, ct, 2.0);
  g_autofree guint8 *tissue = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    tissue[i] = hull[i] && ctx->body[i] && !ctx->lungs[i] && !ctx->bone[i] && !chain[i]
                && ct->data[i] > -40.0f && (ctx->kidneys == NULL || !ctx->kidneys[i]);
  /* The heart is the thickest mass there: an 18 mm erosion leaves only its
   * core, cut from the great vessels (the aorta is 30 mm across), the
   * oesophagus and the diaphragm. */
  guint8 *heart = g_memdup2 (tissue, n);
  mt_mask_erode (heart, ct, HEART_ERODE_MM);
  /* Of the pieces left, the heart holds the most contrast blood (the
   * liver's dome, also thick, none). */
  g_autofree guint32 *pieces = g_new (guint32, n);
  guint n_pieces = mt_mask_components (heart, ct->dims, pieces, NULL);
  g_autofree gsize *bright = g_new0 (gsize, n_pieces + 1);
  const float blood_hu = (float) MAX (BLOOD_HU, ctx->aorta_hu - 100);
  for (gsize i = 0; i < n; i++)
    if (pieces[i] && ct->data[i] >= blood_hu)
      bright[pieces[i]]++;
  guint best = n_pieces > 0 ? 1 : 0;
  for (guint p = 1; p <= n_pieces; p++)
    if (bright[p] > bright[best])
      best = p;
  for (gsize i = 0; i < n; i++)
    heart[i] = best > 0 && pieces[i] == best;
  if (best > 0 && mt_mask_count (heart, n) * voxel_ml (ct) > HEART_CORE_MAX_ML)
    {
      /* Larger than a heart's core: joined to the liver's dome through the
       * diaphragm, both of the same value. The heart's core is what lies
       * near its chambers, the contrast blood in it. */
      g_autofree guint8 *chambers = g_new (guint8, n);
      for (gsize i = 0; i < n; i++)
        chambers[i] = tissue[i] && ct->data[i] >= blood_hu;
      mt_mask_open (chambers, ct, 3.0);
      mt_mask_dilate (chambers, ct, HEART_WALL_MM);
      for (gsize i = 0; i < n; i++)
        heart[i] &= chambers[i];
      mt_mask_keep_largest (heart, ct->dims);
    }
  /* Dilated back by as much: an opening, which keeps the heart's round
   * shape and leaves out the vessels leaving it (thinner than 36 mm). */
  mt_mask_dilate (heart, ct, HEART_ERODE_MM);
  for (gsize i = 0; i < n; i++)
    heart[i] &= tissue[i];
  mt_mask_keep_largest (heart, ct->dims);
  mt_mask_fill_holes (heart, ct->dims);
  /* The epicardial fat around it. */
  g_autofree guint8 *ring = g_memdup2 (heart, n);
  mt_mask_dilate (ring, ct, 3.0);
  for (gsize i = 0; i < n; i++)
    heart[i] |= ring[i] && hull[i] && !ctx->lungs[i] && !ctx->bone[i] && ct->data[i] > -200.0f
                && ct->data[i] <= -40.0f;
  ctx->heart = heart;
  *heart_out = g_memdup2 (heart, n);
  return TRUE;
}

/* ------------------------------------------------------------ fluid */

/* The mean of each voxel's neighbourhood, about 7 mm across in each
 * slice and 3 slices deep, over the neighbours between -60 and 80 HU only
 * (a normalised convolution): a CT's noise (10 to 20 HU) is wider than the
 * fluid range. NaN where more than 15% of the neighbours are out of that
 * window: where fat meets muscle, their blur averages into the fluid range. */
static float *
water_mean (const MtVolume *ct)
{
  const int nx = ct->dims[0], ny = ct->dims[1];
  const gsize n = mt_volume_n_voxels (ct);
  float *sum = g_new (float, n);
  g_autofree float *weight = g_new (float, n), *tmp = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      gboolean in = ct->data[i] >= -60.0f && ct->data[i] <= 80.0f;
      weight[i] = in;
      sum[i] = in ? ct->data[i] : 0.0f;
    }
  const int stride[3] = { 1, nx, nx * ny };
  int total = 1;
  for (int axis = 0; axis < 3; axis++)
    {
      const int len = ct->dims[axis];
      const int half = axis == 2 ? 1 : MAX (1, (int) lround (3.5 / ct->spacing[axis]));
      total *= 2 * half + 1;
      for (float *a = sum; a != NULL; a = a == sum ? weight : NULL)
        {
          for (gsize i = 0; i < n; i++)
            {
              int c = (int) (axis == 0 ? i % nx : axis == 1 ? (i / nx) % ny : i / ((gsize) nx * ny));
              float s = 0;
              for (int t = MAX (-half, -c); t <= MIN (half, len - 1 - c); t++)
                s += a[(gssize) i + (gssize) t * stride[axis]];
              tmp[i] = s;
            }
          memcpy (a, tmp, n * sizeof (float));
        }
    }
  for (gsize i = 0; i < n; i++)
    sum[i] = weight[i] >= 0.85f * total ? sum[i] / weight[i] : NAN;
  return sum;
}

gboolean
mt_segment_fluid (const MtVolume *ct,
                  MtOrganContext *ctx,
                  guint8        **fluid_out,
                  GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  g_autofree float *mean = water_mean (ct);
  guint8 *fluid = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    fluid[i] = ctx->body[i] && !ctx->bone[i] && mean[i] >= FLUID_LOW_HU && mean[i] <= FLUID_HIGH_HU
               && (ctx->heart == NULL || !ctx->heart[i]) && (ctx->liver == NULL || !ctx->liver[i])
               && (ctx->kidneys == NULL || !ctx->kidneys[i]);
  /* What thin shells stay, a 3 mm opening takes away. */
  mt_mask_open (fluid, ct, 3.0);
  /* Cerebrospinal fluid in the spinal canal is enclosed by bone in most
   * slices: it is not a collection. */
  g_autofree guint8 *cage = mt_mask_threshold (ct, BONE_HU, G_MAXDOUBLE);
  for (gsize i = 0; i < n; i++)
    cage[i] &= ctx->body[i];
  mt_mask_fill_small_holes_slices (cage, ct->dims, 2, (gsize) (BONE_HOLE_CM2 * 100 / (ct->spacing[0] * ct->spacing[1])));
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (fluid, ct->dims, labels, sizes);
  g_autofree gsize *caged = g_new0 (gsize, pieces + 1);
  g_autofree double *sum = g_new0 (double, pieces + 1), *sum2 = g_new0 (double, pieces + 1);
  for (gsize i = 0; i < n; i++)
    if (labels[i])
      {
        caged[labels[i]] += cage[i];
        sum[labels[i]] += ct->data[i];
        sum2[labels[i]] += (double) ct->data[i] * ct->data[i];
      }
  /* A collection is as even as the scan's noise allows; muscle marbled
   * with fat averages into the fluid range too, but unevenly. The noise is
   * measured in the liver away from its edge, robustly (the median
   * absolute deviation) against its vessels. */
  double noise = FLUID_NOISE_HU;
  if (ctx->liver != NULL)
    {
      g_autofree guint8 *core = g_memdup2 (ctx->liver, n);
      mt_mask_erode (core, ct, 5.0);
      g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
      for (gsize i = 0; i < n; i++)
        if (core[i])
          g_array_append_val (values, ct->data[i]);
      if (values->len > 1000)
        {
          g_array_sort (values, compare_float);
          float median = g_array_index (values, float, values->len / 2);
          for (guint v = 0; v < values->len; v++)
            g_array_index (values, float, v) = fabsf (g_array_index (values, float, v) - median);
          g_array_sort (values, compare_float);
          noise = 1.4826 * g_array_index (values, float, values->len / 2);
        }
    }
  for (gsize i = 0; i < n; i++)
    {
      guint32 l = labels[i];
      gsize size = l ? g_array_index (sizes, gsize, l - 1) : 0;
      double avg = l ? sum[l] / size : 0, sd = l ? sqrt (MAX (sum2[l] / size - avg * avg, 0.0)) : 0;
      fluid[i] = l && size * voxel_ml (ct) >= FLUID_MIN_ML && caged[l] < size / 5
                 && sd <= FLUID_EVEN * MAX (noise, FLUID_NOISE_HU);
    }
  /* Out to the collection's edge, which the neighbourhood left out. */
  g_autofree guint8 *edge = g_memdup2 (fluid, n);
  mt_mask_dilate (edge, ct, 4.0);
  for (gsize i = 0; i < n; i++)
    fluid[i] |= edge[i] && ctx->body[i] && !ctx->bone[i] && ct->data[i] >= -30.0f && ct->data[i] <= 50.0f
                && (ctx->heart == NULL || !ctx->heart[i]) && (ctx->liver == NULL || !ctx->liver[i])
                && (ctx->kidneys == NULL || !ctx->kidneys[i]);
  *fluid_out = fluid;
  (void) error;
  return TRUE;
}

/* ------------------------------------------------------------ nodules */

gboolean
mt_segment_nodules (const MtVolume *ct,
                    MtOrganContext *ctx,
                    guint8        **nodule_out,
                    GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* Solid tissue inside the lungs, opened by 2.5 mm: vessels thinner than
   * that go; what stays and is as compact as a ball is a candidate. */
  g_autofree guint8 *lung = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    lung[i] = ctx->lung_left[i] || ctx->lung_right[i];
  g_autofree guint8 *solid = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    solid[i] = lung[i] && ct->data[i] > NODULE_HU;
  /* Before the opening: what each lump hangs from. */
  g_autofree guint32 *raw = g_new (guint32, n);
  g_autoptr (GArray) raw_sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  mt_mask_components (solid, ct->dims, raw, raw_sizes);
  mt_mask_open (solid, ct, NODULE_OPEN_MM);
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (solid, ct->dims, labels, sizes);
  /* How deep each voxel lies in its piece, and each piece's deepest point
   * and mean value. */
  g_autofree guint8 *outside = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    outside[i] = !solid[i];
  g_autofree float *d2 = mt_mask_distance (outside, ct);
  g_autofree double *r2 = g_new0 (double, pieces + 1), *sum = g_new0 (double, pieces + 1);
  g_autofree guint32 *host = g_new0 (guint32, pieces + 1);
  for (gsize i = 0; i < n; i++)
    if (labels[i])
      {
        r2[labels[i]] = MAX (r2[labels[i]], d2[i]);
        sum[labels[i]] += ct->data[i];
        host[labels[i]] = raw[i];
      }
  g_autofree guint8 *accept = g_new0 (guint8, pieces + 1);
  double vml = voxel_ml (ct), mean = 0;
  gsize accepted = 0;
  for (guint p = 1; p <= pieces; p++)
    {
      gsize size = g_array_index (sizes, gsize, p - 1);
      double ml = size * vml, r = sqrt (r2[p]);
      /* A ball of radius r holds 4/3 pi r^3; a vessel of that calibre is
       * far longer than that. */
      if (ml > 35.0 || r < NODULE_MIN_DEPTH_MM || ml * 1000 > 2.5 * 4.0 / 3.0 * G_PI * r * r * r)
        continue;
      /* A knot where vessels branch hangs from a tree many times its size;
       * a nodule stands alone, or nearly. */
      if (g_array_index (raw_sizes, gsize, host[p] - 1) > 3 * size)
        continue;
      accept[p] = 1;
      mean += sum[p];
      accepted += size;
    }
  guint8 *nodule = g_new0 (guint8, n);
  if (accepted > 0)
    {
      /* The edge at half-way between the nodules' value and the lung's. */
      double edge = (mean / accepted + -850.0) / 2;
      for (gsize i = 0; i < n; i++)
        nodule[i] = accept[labels[i]];
      mt_mask_dilate (nodule, ct, 2.0);
      for (gsize i = 0; i < n; i++)
        nodule[i] = nodule[i] && lung[i] && ct->data[i] > edge;
    }
  *nodule_out = nodule;
  (void) error;
  return TRUE;
}
