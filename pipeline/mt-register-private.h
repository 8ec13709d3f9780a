/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the registrations share inside the pipeline: trilinear sampling,
 * the pyramid, the fixed image's sample points. Not installed. */
#pragma once

#include <math.h>

#include "mt-progress.h"
#include "mt-register.h"
#include "mt-volume.h"

G_BEGIN_DECLS

/* Trilinear value at continuous index (i, j, k), and its gradient along
 * i, j, k; FALSE outside the grid's voxel centres. */
/* The cubic B-spline kernel (support -2..2, sums to one over whole shifts). */
static inline double
mt_bspline3 (double u)
{
  u = fabs (u);
  if (u < 1)
    return (4 - 6 * u * u + 3 * u * u * u) / 6;
  if (u < 2)
    return (2 - u) * (2 - u) * (2 - u) / 6;
  return 0;
}

static inline gboolean
mt_register_sample (const MtVolume *v, const double ijk[3], double *value, double grad[3])
{
  const int nx = v->dims[0], ny = v->dims[1], nz = v->dims[2];
  double fi = ijk[0], fj = ijk[1], fk = ijk[2];
  if (fi < 0 || fj < 0 || fk < 0 || fi > nx - 1 || fj > ny - 1 || fk > nz - 1)
    return FALSE;
  int i = MIN ((int) fi, nx - 2 < 0 ? 0 : nx - 2), j = MIN ((int) fj, ny - 2 < 0 ? 0 : ny - 2);
  int k = MIN ((int) fk, nz - 2 < 0 ? 0 : nz - 2);
  double x = fi - i, y = fj - j, z = fk - k;
  const gsize sx = 1, sy = (gsize) nx, sz = (gsize) nx * ny;
  gsize o = (gsize) k * sz + (gsize) j * sy + (gsize) i;
  const float *d = v->data;
  /* A grid one voxel thick along an axis has nothing to interpolate. */
  gsize ox = nx > 1 ? sx : 0, oy = ny > 1 ? sy : 0, oz = nz > 1 ? sz : 0;
  double c000 = d[o], c100 = d[o + ox], c010 = d[o + oy], c110 = d[o + ox + oy];
  double c001 = d[o + oz], c101 = d[o + ox + oz], c011 = d[o + oy + oz], c111 = d[o + ox + oy + oz];
  double c00 = c000 + (c100 - c000) * x, c10 = c010 + (c110 - c010) * x;
  double c01 = c001 + (c101 - c001) * x, c11 = c011 + (c111 - c011) * x;
  double c0 = c00 + (c10 - c00) * y, c1 = c01 + (c11 - c01) * y;
  *value = c0 + (c1 - c0) * z;
  if (grad != NULL)
    {
      double dx0 = (c100 - c000) + ((c110 - c010) - (c100 - c000)) * y;
      double dx1 = (c101 - c001) + ((c111 - c011) - (c101 - c001)) * y;
      grad[0] = dx0 + (dx1 - dx0) * z;
      grad[1] = (c10 - c00) + ((c11 - c01) - (c10 - c00)) * z;
      grad[2] = c1 - c0;
    }
  return TRUE;
}

/* Patient mm to continuous voxel index: the inverse of the grid's
 * direction and spacing, as a 3 x 4 matrix. */
static inline void
mt_register_patient_to_index (const MtVolume *v, double m[12])
{
  /* index = diag(1/s) D^T (p - origin), D orthonormal. */
  for (int r = 0; r < 3; r++)
    {
      double off = 0;
      for (int c = 0; c < 3; c++)
        {
          m[4 * r + c] = v->direction[3 * c + r] / v->spacing[r];
          off -= m[4 * r + c] * v->origin[c];
        }
      m[4 * r + 3] = off;
    }
}

static inline void
mt_register_apply34 (const double m[12], const double p[3], double out[3])
{
  for (int r = 0; r < 3; r++)
    out[r] = m[4 * r] * p[0] + m[4 * r + 1] * p[1] + m[4 * r + 2] * p[2] + m[4 * r + 3];
}

/* Both scans at every level, finest first, and their centres of mass. */
typedef struct
{
  int       levels;
  MtVolume *fixed[6], *moving[6];
  double    fixed_center[3], moving_center[3];
} Pyramid;

void     mt_pyramid_clear (Pyramid *p);
gboolean mt_pyramid_init  (Pyramid        *p,
                           const MtVolume *fixed,
                           const MtVolume *moving,
                           int             levels,
                           MtRegisterInit  init,
                           GError        **error);

/* About n points of the fixed image, one at a random place in each cell of
 * a regular stride, in patient mm (x y z each), and the image there. */
gsize    mt_register_pick_points (const MtVolume *fixed,
                                  int             n,
                                  double        **points,
                                  float         **values);

/* Rigid (6 parameters) or affine (12) registration over the pyramid, from
 * *start (the centres of mass when NULL). */
MtTransform *mt_register_linear (const Pyramid           *pyramid,
                                 int                      n_params,
                                 const MtTransform       *start,
                                 const MtRegisterOptions *options,
                                 double                  *final_metric,
                                 MtProgress              *progress,
                                 GCancellable            *cancellable,
                                 GError                 **error);

G_END_DECLS
