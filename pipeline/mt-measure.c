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
