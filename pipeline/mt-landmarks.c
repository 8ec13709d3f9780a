/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landmark registration in closed form: Horn's quaternion method for the
 * rigid and similarity fits, linear least squares for the affine one. */
#define G_LOG_DOMAIN "mt-register"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-register.h"
#include "mt-transform.h"

/* The eigenvector of the largest eigenvalue of a symmetric 4 x 4 matrix
 * (cyclic Jacobi rotations). */
static void
largest_eigenvector (double a[4][4], double v[4])
{
  double e[4][4] = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
  for (int sweep = 0; sweep < 50; sweep++)
    {
      double off = 0;
      for (int p = 0; p < 4; p++)
        for (int q = p + 1; q < 4; q++)
          off += a[p][q] * a[p][q];
      if (off < 1e-30)
        break;
      for (int p = 0; p < 4; p++)
        for (int q = p + 1; q < 4; q++)
          {
            if (fabs (a[p][q]) < 1e-300)
              continue;
            double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
            double t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
            double c = 1 / sqrt (t * t + 1), s = t * c;
            for (int k = 0; k < 4; k++)
              {
                double akp = a[k][p], akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
              }
            for (int k = 0; k < 4; k++)
              {
                double apk = a[p][k], aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
              }
            for (int k = 0; k < 4; k++)
              {
                double ekp = e[k][p], ekq = e[k][q];
                e[k][p] = c * ekp - s * ekq;
                e[k][q] = s * ekp + c * ekq;
              }
          }
    }
  int best = 0;
  for (int i = 1; i < 4; i++)
    if (a[i][i] > a[best][best])
      best = i;
  for (int k = 0; k < 4; k++)
    v[k] = e[k][best];
}

static double
det3 (const double m[9])
{
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

MtTransform *
mt_register_landmarks (const double     *fixed,
                       const double     *moving,
                       int               n,
                       MtLandmarkModel   model,
                       GError          **error)
{
  int needed = model == MT_LANDMARKS_AFFINE ? 4 : 3;
  if (n < needed)
    {
      g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT,
                   _("%d landmark pairs given; this fit needs at least %d (3 for rigid and similarity, 4 not in "
                     "one plane for affine)."), n, needed);
      return NULL;
    }
  double cf[3] = { 0, 0, 0 }, cm[3] = { 0, 0, 0 };
  for (int i = 0; i < n; i++)
    for (int a = 0; a < 3; a++)
      {
        cf[a] += fixed[3 * i + a] / n;
        cm[a] += moving[3 * i + a] / n;
      }
  /* s[a][b] = sum of centred fixed_a * moving_b; aa[a][b] = fixed_a fixed_b. */
  double s[3][3] = { { 0 } }, aa[9] = { 0 }, spread_f = 0, spread_m = 0;
  for (int i = 0; i < n; i++)
    {
      double p[3], q[3];
      for (int a = 0; a < 3; a++)
        {
          p[a] = fixed[3 * i + a] - cf[a];
          q[a] = moving[3 * i + a] - cm[a];
          spread_f += p[a] * p[a];
          spread_m += q[a] * q[a];
        }
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          {
            s[a][b] += p[a] * q[b];
            aa[3 * a + b] += p[a] * p[b];
          }
    }
  /* Points all in one place, or (for any fit) on one line, fix nothing. */
  double trace = aa[0] + aa[4] + aa[8];
  double minor2 = aa[0] * aa[4] - aa[1] * aa[3] + aa[0] * aa[8] - aa[2] * aa[6] + aa[4] * aa[8] - aa[5] * aa[7];
  if (trace < 1e-6 || minor2 < 1e-9 * trace * trace)
    {
      g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT,
                   _("The fixed landmarks lie on one line (or on one point): they do not fix a rotation. Place "
                     "them apart, not in a row."));
      return NULL;
    }
  MtTransform *t = mt_transform_new_identity ();
  memcpy (t->center, cf, sizeof cf);
  double *m = t->matrix;
  if (model == MT_LANDMARKS_AFFINE)
    {
      /* M = (sum q p^T) (sum p p^T)^-1. */
      double d = det3 (aa);
      if (fabs (d) < 1e-9 * trace * trace * trace)
        {
          mt_transform_free (t);
          g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT,
                       _("The fixed landmarks lie in one plane: an affine fit needs at least one off it."));
          return NULL;
        }
      double inv[9] = {
        (aa[4] * aa[8] - aa[5] * aa[7]) / d, (aa[2] * aa[7] - aa[1] * aa[8]) / d, (aa[1] * aa[5] - aa[2] * aa[4]) / d,
        (aa[5] * aa[6] - aa[3] * aa[8]) / d, (aa[0] * aa[8] - aa[2] * aa[6]) / d, (aa[2] * aa[3] - aa[0] * aa[5]) / d,
        (aa[3] * aa[7] - aa[4] * aa[6]) / d, (aa[1] * aa[6] - aa[0] * aa[7]) / d, (aa[0] * aa[4] - aa[1] * aa[3]) / d,
      };
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          m[3 * r + c] = s[0][r] * inv[c] + s[1][r] * inv[3 + c] + s[2][r] * inv[6 + c];
    }
  else
    {
      /* Horn (1987): the unit quaternion that turns the fixed points onto
       * the moving ones best is N's leading eigenvector. */
      double sxx = s[0][0], sxy = s[0][1], sxz = s[0][2], syx = s[1][0], syy = s[1][1], syz = s[1][2];
      double szx = s[2][0], szy = s[2][1], szz = s[2][2];
      double nm[4][4] = {
        { sxx + syy + szz, syz - szy, szx - sxz, sxy - syx },
        { syz - szy, sxx - syy - szz, sxy + syx, szx + sxz },
        { szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy },
        { sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz },
      };
      double q[4];
      largest_eigenvector (nm, q);
      double w = q[0], x = q[1], y = q[2], z = q[3];
      double r[9] = {
        w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (y * x + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
        2 * (z * x - w * y), 2 * (z * y + w * x), w * w - x * x - y * y + z * z,
      };
      double scale = 1;
      if (model == MT_LANDMARKS_SIMILARITY)
        {
          /* The scale that fits best once turned: sum q . R p / sum |p|^2. */
          double num = 0;
          for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
              num += r[3 * a + b] * s[b][a];
          scale = num / spread_f;
        }
      for (int k = 0; k < 9; k++)
        m[k] = scale * r[k];
    }
  /* About the fixed centroid: y = M (x - cf) + cf + (cm - cf). */
  for (int a = 0; a < 3; a++)
    t->translation[a] = cm[a] - cf[a];
  (void) spread_m;
  return t;
}
