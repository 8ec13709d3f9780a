/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-measure"

#include "config.h"

#include <math.h>

#include "mt-measure.h"
#include "mt-volume.h"

void
mt_slice_point_to_patient (const MtVolume      *volume,
                           const MtSliceLayout *l,
                           int                  slice,
                           double               u,
                           double               v,
                           double               lps[3])
{
  /* Pixel centres sit at half-integers: u = 0.5 is the first column's
   * voxel centre. */
  double ijk[3];
  double a = u - 0.5, b = v - 0.5;
  ijk[l->axis_right] = l->flip_right ? l->width - 1 - a : a;
  ijk[l->axis_down] = l->flip_down ? l->height - 1 - b : b;
  ijk[l->axis_normal] = slice;
  mt_volume_index_to_patient (volume, ijk, lps);
}

double
mt_measure_distance (const double a[3],
                     const double b[3])
{
  return sqrt ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

double
mt_measure_angle (const double a[3],
                  const double vertex[3],
                  const double b[3])
{
  double u[3], w[3], dot = 0, nu = 0, nw = 0;
  for (int i = 0; i < 3; i++)
    {
      u[i] = a[i] - vertex[i];
      w[i] = b[i] - vertex[i];
      dot += u[i] * w[i];
      nu += u[i] * u[i];
      nw += w[i] * w[i];
    }
  if (nu <= 0 || nw <= 0)
    return 0;
  return acos (CLAMP (dot / sqrt (nu * nw), -1.0, 1.0)) * 180.0 / G_PI;
}

typedef gboolean (*InsideFunc) (double u, double v, gconstpointer shape);

static gboolean
collect (const MtVolume *volume, const MtSliceLayout *l, int slice, double u0, double v0, double u1, double v1,
         InsideFunc inside, gconstpointer shape, MtRoiStats *st)
{
  double sum = 0, sum2 = 0;
  st->n_voxels = 0;
  st->min = G_MAXDOUBLE;
  st->max = -G_MAXDOUBLE;
  int ua = MAX (0, (int) floor (u0)), ub = MIN (l->width - 1, (int) ceil (u1));
  int va = MAX (0, (int) floor (v0)), vb = MIN (l->height - 1, (int) ceil (v1));
  for (int v = va; v <= vb; v++)
    for (int u = ua; u <= ub; u++)
      {
        if (!inside (u + 0.5, v + 0.5, shape))
          continue;
        int ijk[3];
        mt_slice_layout_voxel (l, u, v, slice, ijk);
        double x = volume->data[mt_volume_offset (volume, ijk[0], ijk[1], ijk[2])];
        sum += x;
        sum2 += x * x;
        st->min = MIN (st->min, x);
        st->max = MAX (st->max, x);
        st->n_voxels++;
      }
  if (st->n_voxels == 0)
    return FALSE;
  st->mean = sum / st->n_voxels;
  st->sd = st->n_voxels > 1 ? sqrt (MAX (0.0, (sum2 - sum * sum / st->n_voxels) / (st->n_voxels - 1))) : 0.0;
  return TRUE;
}

typedef struct
{
  const double *uv;
  int           n;
} Polygon;

static gboolean
inside_polygon (double u, double v, gconstpointer data)
{
  const Polygon *p = data;
  gboolean in = FALSE;
  for (int i = 0, j = p->n - 1; i < p->n; j = i++)
    {
      double ui = p->uv[2 * i], vi = p->uv[2 * i + 1], uj = p->uv[2 * j], vj = p->uv[2 * j + 1];
      if ((vi > v) != (vj > v) && u < (uj - ui) * (v - vi) / (vj - vi) + ui)
        in = !in;
    }
  return in;
}

gboolean
mt_measure_polygon (const MtVolume      *volume,
                    const MtSliceLayout *l,
                    int                  slice,
                    const double        *uv,
                    int                  n,
                    MtRoiStats          *st)
{
  g_return_val_if_fail (n >= 3, FALSE);
  double u0 = G_MAXDOUBLE, u1 = -G_MAXDOUBLE, v0 = G_MAXDOUBLE, v1 = -G_MAXDOUBLE, area = 0;
  for (int i = 0, j = n - 1; i < n; j = i++)
    {
      u0 = MIN (u0, uv[2 * i]);
      u1 = MAX (u1, uv[2 * i]);
      v0 = MIN (v0, uv[2 * i + 1]);
      v1 = MAX (v1, uv[2 * i + 1]);
      area += uv[2 * j] * uv[2 * i + 1] - uv[2 * i] * uv[2 * j + 1];
    }
  Polygon p = { uv, n };
  if (!collect (volume, l, slice, u0, v0, u1, v1, inside_polygon, &p, st))
    return FALSE;
  st->area_mm2 = fabs (area) / 2 * l->pixel_w * l->pixel_h;
  return TRUE;
}

typedef struct
{
  double cu, cv, ru, rv;
} Ellipse;

static gboolean
inside_ellipse (double u, double v, gconstpointer data)
{
  const Ellipse *e = data;
  double a = (u - e->cu) / e->ru, b = (v - e->cv) / e->rv;
  return a * a + b * b <= 1.0;
}

gboolean
mt_measure_ellipse (const MtVolume      *volume,
                    const MtSliceLayout *l,
                    int                  slice,
                    double               cu,
                    double               cv,
                    double               ru,
                    double               rv,
                    MtRoiStats          *st)
{
  g_return_val_if_fail (ru > 0 && rv > 0, FALSE);
  Ellipse e = { cu, cv, ru, rv };
  if (!collect (volume, l, slice, cu - ru, cv - rv, cu + ru, cv + rv, inside_ellipse, &e, st))
    return FALSE;
  st->area_mm2 = G_PI * ru * l->pixel_w * rv * l->pixel_h;
  return TRUE;
}

double
mt_scale_bar_length (double  px_per_mm,
                     double  max_px,
                     double *px)
{
  *px = 0;
  if (!(px_per_mm > 0) || !(max_px > 0) || !isfinite (px_per_mm) || !isfinite (max_px))
    return 0;
  double max_mm = max_px / px_per_mm;
  if (max_mm < 1e-3)
    return 0;
  double decade = pow (10.0, floor (log10 (max_mm)));
  static const double steps[] = { 5, 2, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      double mm = steps[i] * decade;
      /* A hair of tolerance: 100 mm in exactly 100 mm of room fits. */
      if (mm <= max_mm * (1 + 1e-9))
        {
          *px = mm * px_per_mm;
          return mm;
        }
    }
  /* log10 rounded down past a power of ten: the decade below always fits. */
  *px = decade / 10 * 5 * px_per_mm;
  return decade / 10 * 5;
}
