/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-register"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-parallel.h"
#include "mt-progress.h"
#include "mt-register.h"
#include "mt-register-private.h"
#include "mt-transform.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-register-error-quark, mt_register_error)

#define ROTATION_SCALE_MM 100.0   /* a radian weighs as much as this shift */
#define CHUNKS 32

/* ------------------------------------------------------------ sampling */

typedef struct
{
  const MtVolume    *moving;
  const MtVolume    *reference;
  const MtTransform *t;
  const MtBSpline   *bspline;   /* NULL: the affine alone */
  MtResampleMode     mode;
  float              outside;
  float             *out;
  const float       *coefficients;   /* cubic: the moving scan's B-spline coefficients */
  double             to_index[12];   /* moving patient -> moving index, row-major 3x4 */
} ResampleJob;

/* ------------------------------------------------------ cubic B-spline */

#define POLE (-0.2679491924311228)   /* sqrt (3) - 2 */

/* A whole-sample mirror of index i into 0..n-1. */
static inline int
mirror (int i, int n)
{
  if (n == 1)
    return 0;
  int period = 2 * (n - 1);
  i = i % period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

/* Unser's recursive filter on one line (n values `stride` apart): the
 * cubic B-spline coefficients that interpolate it, mirror boundaries. */
static void
prefilter_line (float *c, int n, gsize stride)
{
  if (n < 2)
    return;
  const double z = POLE, gain = (1 - z) * (1 - 1 / z);
  for (int i = 0; i < n; i++)
    c[i * stride] = (float) (c[i * stride] * gain);
  /* The causal start: the mirrored sum, truncated where z^k is negligible. */
  int horizon = MIN (n, 30);
  double zk = z, sum = c[0];
  for (int k = 1; k < horizon; k++)
    {
      sum += zk * c[k * stride];
      zk *= z;
    }
  double prev = sum;
  c[0] = (float) prev;
  for (int i = 1; i < n; i++)
    {
      prev = c[i * stride] + z * prev;
      c[i * stride] = (float) prev;
    }
  /* The anticausal start. */
  prev = (z / (z * z - 1)) * (c[(n - 1) * stride] + z * c[(n - 2) * stride]);
  c[(n - 1) * stride] = (float) prev;
  for (int i = n - 2; i >= 0; i--)
    {
      prev = z * (prev - c[i * stride]);
      c[i * stride] = (float) prev;
    }
}

typedef struct
{
  float     *c;
  const int *dims;
  int        axis;
} PrefilterJob;

static void
prefilter_slab (gsize index, gpointer data)
{
  PrefilterJob *job = data;
  const int nx = job->dims[0], ny = job->dims[1], nz = job->dims[2];
  const gsize sy = (gsize) nx, sz = (gsize) nx * ny;
  if (job->axis == 0)
    for (int j = 0; j < ny; j++)
      prefilter_line (job->c + index * sz + j * sy, nx, 1);
  else if (job->axis == 1)
    for (int i = 0; i < nx; i++)
      prefilter_line (job->c + index * sz + i, ny, sy);
  else
    for (int i = 0; i < nx; i++)
      prefilter_line (job->c + index * sy + i, nz, sz);
}

static float *
cubic_coefficients (const MtVolume *v)
{
  float *c = g_memdup2 (v->data, mt_volume_n_voxels (v) * sizeof (float));
  for (int axis = 0; axis < 3; axis++)
    {
      PrefilterJob job = { c, v->dims, axis };
      /* Lines along x and y lie in z slices; lines along z in y rows. */
      mt_parallel_for (axis < 2 ? v->dims[2] : v->dims[1], prefilter_slab, &job);
    }
  return c;
}

static double
sample_cubic (const float *c, const int dims[3], const double m[3])
{
  int start[3];
  double w[3][4];
  for (int a = 0; a < 3; a++)
    {
      start[a] = (int) floor (m[a]) - 1;
      for (int l = 0; l < 4; l++)
        w[a][l] = mt_bspline3 (m[a] - (start[a] + l));
    }
  double sum = 0;
  for (int k = 0; k < 4; k++)
    {
      gsize zk = (gsize) mirror (start[2] + k, dims[2]) * dims[0] * dims[1];
      for (int j = 0; j < 4; j++)
        {
          gsize row = zk + (gsize) mirror (start[1] + j, dims[1]) * dims[0];
          double wjk = w[2][k] * w[1][j], line = 0;
          for (int i = 0; i < 4; i++)
            line += w[0][i] * c[row + mirror (start[0] + i, dims[0])];
          sum += wjk * line;
        }
    }
  return sum;
}

static void
resample_slice (gsize k, gpointer data)
{
  ResampleJob *job = data;
  const MtVolume *ref = job->reference, *mv = job->moving;
  const int nx = ref->dims[0], ny = ref->dims[1];
  float *out = job->out + k * (gsize) nx * ny;
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        double ijk[3] = { i, j, (double) k }, p[3], q[3], m[3];
        mt_volume_index_to_patient (ref, ijk, p);
        mt_deformable_apply (job->t, job->bspline, p, q);
        mt_register_apply34 (job->to_index, q, m);
        double value;
        if (job->mode == MT_RESAMPLE_CUBIC)
          {
            if (m[0] < -0.5 || m[1] < -0.5 || m[2] < -0.5 || m[0] > mv->dims[0] - 0.5 || m[1] > mv->dims[1] - 0.5
                || m[2] > mv->dims[2] - 0.5)
              value = job->outside;
            else
              value = sample_cubic (job->coefficients, mv->dims, m);
          }
        else if (job->mode == MT_RESAMPLE_NEAREST)
          {
            long a = lround (m[0]), b = lround (m[1]), c = lround (m[2]);
            if (a < 0 || b < 0 || c < 0 || a >= mv->dims[0] || b >= mv->dims[1] || c >= mv->dims[2])
              value = job->outside;
            else
              value = mv->data[mt_volume_offset (mv, (int) a, (int) b, (int) c)];
          }
        else if (!mt_register_sample (mv, m, &value, NULL))
          value = job->outside;
        out[(gsize) j * nx + i] = (float) value;
      }
}

MtVolume *
mt_resample (const MtVolume    *moving,
             const MtVolume    *reference,
             const MtTransform *fixed_to_moving,
             MtResampleMode     mode,
             float              outside,
             GError           **error)
{
  return mt_resample_deformable (moving, reference, fixed_to_moving, NULL, mode, outside, error);
}

MtVolume *
mt_resample_deformable (const MtVolume    *moving,
                        const MtVolume    *reference,
                        const MtTransform *fixed_to_moving,
                        const MtBSpline   *bspline,
                        MtResampleMode     mode,
                        float              outside,
                        GError           **error)
{
  MtVolume *out = mt_volume_new (reference->dims[0], reference->dims[1], reference->dims[2], error);
  if (out == NULL)
    return NULL;
  mt_volume_copy_geometry (out, reference);
  if (moving->modality != NULL)
    out->modality = g_strdup (moving->modality);
  g_autofree float *coefficients = mode == MT_RESAMPLE_CUBIC ? cubic_coefficients (moving) : NULL;
  ResampleJob job = { moving, reference, fixed_to_moving, bspline, mode, outside, out->data, coefficients, { 0 } };
  mt_register_patient_to_index (moving, job.to_index);
  mt_parallel_for (reference->dims[2], resample_slice, &job);
  return out;
}

MtVolume *
mt_crop (const MtVolume *volume,
         const int       lo_in[3],
         const int       hi_in[3],
         GError        **error)
{
  int lo[3], hi[3];
  for (int a = 0; a < 3; a++)
    {
      lo[a] = CLAMP (lo_in[a], 0, volume->dims[a] - 1);
      hi[a] = CLAMP (hi_in[a], lo[a], volume->dims[a] - 1);
    }
  MtVolume *out = mt_volume_new (hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1, error);
  if (out == NULL)
    return NULL;
  mt_volume_copy_geometry (out, volume);
  double first[3] = { lo[0], lo[1], lo[2] };
  mt_volume_index_to_patient (volume, first, out->origin);
  for (int k = lo[2]; k <= hi[2]; k++)
    for (int j = lo[1]; j <= hi[1]; j++)
      memcpy (out->data + mt_volume_offset (out, 0, j - lo[1], k - lo[2]),
              volume->data + mt_volume_offset (volume, lo[0], j, k), (gsize) out->dims[0] * sizeof (float));
  out->modality = g_strdup (volume->modality);
  out->study_date = g_strdup (volume->study_date);
  out->series_uid = g_strdup (volume->series_uid);
  return out;
}

gboolean
mt_box_to_index_range (const MtVolume *v,
                       const double    box[6],
                       int             lo[3],
                       int             hi[3])
{
  /* The index range that the box's eight corners span. */
  for (int a = 0; a < 3; a++)
    {
      lo[a] = G_MAXINT;
      hi[a] = G_MININT;
    }
  for (int corner = 0; corner < 8; corner++)
    {
      double p[3] = { box[corner & 1 ? 1 : 0], box[corner & 2 ? 3 : 2], box[corner & 4 ? 5 : 4] }, ijk[3];
      mt_volume_patient_to_index (v, p, ijk);
      for (int a = 0; a < 3; a++)
        {
          lo[a] = MIN (lo[a], (int) ceil (ijk[a] - 1e-6));
          hi[a] = MAX (hi[a], (int) floor (ijk[a] + 1e-6));
        }
    }
  for (int a = 0; a < 3; a++)
    {
      if (hi[a] < 0 || lo[a] >= v->dims[a] || lo[a] > hi[a])
        return FALSE;
      lo[a] = MAX (lo[a], 0);
      hi[a] = MIN (hi[a], v->dims[a] - 1);
    }
  return TRUE;
}

MtVolume *
mt_reorient (const MtVolume *v,
             const char     *code,
             GError        **error)
{
  /* Each letter: where that index axis should point, as a patient (LPS)
   * unit vector. */
  int source[3], sign[3];
  gboolean used[3] = { FALSE, FALSE, FALSE };
  if (code == NULL || strlen (code) != 3)
    goto bad;
  for (int t = 0; t < 3; t++)
    {
      double e[3] = { 0, 0, 0 };
      switch (g_ascii_toupper (code[t]))
        {
        case 'L': e[0] = 1; break;
        case 'R': e[0] = -1; break;
        case 'P': e[1] = 1; break;
        case 'A': e[1] = -1; break;
        case 'S': e[2] = 1; break;
        case 'I': e[2] = -1; break;
        default: goto bad;
        }
      int best = -1;
      double best_dot = 0;
      for (int a = 0; a < 3; a++)
        {
          double d = v->direction[a] * e[0] + v->direction[3 + a] * e[1] + v->direction[6 + a] * e[2];
          if (!used[a] && fabs (d) > fabs (best_dot))
            {
              best = a;
              best_dot = d;
            }
        }
      if (best < 0)
        goto bad;
      used[best] = TRUE;
      source[t] = best;
      sign[t] = best_dot >= 0 ? 1 : -1;
    }
  MtVolume *out = mt_volume_new (v->dims[source[0]], v->dims[source[1]], v->dims[source[2]], error);
  if (out == NULL)
    return NULL;
  mt_volume_copy_geometry (out, v);
  for (int t = 0; t < 3; t++)
    {
      out->spacing[t] = v->spacing[source[t]];
      for (int r = 0; r < 3; r++)
        out->direction[3 * r + t] = sign[t] * v->direction[3 * r + source[t]];
    }
  /* The new first voxel: the old one at the far end of every flipped axis. */
  double first[3] = { 0, 0, 0 };
  for (int t = 0; t < 3; t++)
    if (sign[t] < 0)
      first[source[t]] = v->dims[source[t]] - 1;
  mt_volume_index_to_patient (v, first, out->origin);
  for (int k = 0; k < out->dims[2]; k++)
    for (int j = 0; j < out->dims[1]; j++)
      for (int i = 0; i < out->dims[0]; i++)
        {
          const int n[3] = { i, j, k };
          int o[3];
          for (int t = 0; t < 3; t++)
            o[source[t]] = sign[t] > 0 ? n[t] : v->dims[source[t]] - 1 - n[t];
          out->data[mt_volume_offset (out, i, j, k)] = v->data[mt_volume_offset (v, o[0], o[1], o[2])];
        }
  out->modality = g_strdup (v->modality);
  out->study_date = g_strdup (v->study_date);
  out->series_uid = g_strdup (v->series_uid);
  return out;

bad:
  g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT,
               _("\"%s\" is no orientation: give three letters, one of R or L, one of A or P and one of S or I, "
                 "in any order (RAS, LPS, LPI...)."), code ? code : "");
  return NULL;
}

gboolean
mt_mask_box (const MtVolume *grid,
             const guint8   *mask,
             double          margin_mm,
             int             lo[3],
             int             hi[3])
{
  for (int a = 0; a < 3; a++)
    {
      lo[a] = grid->dims[a];
      hi[a] = -1;
    }
  for (int k = 0; k < grid->dims[2]; k++)
    for (int j = 0; j < grid->dims[1]; j++)
      for (int i = 0; i < grid->dims[0]; i++)
        if (mask[mt_volume_offset (grid, i, j, k)])
          {
            const int ijk[3] = { i, j, k };
            for (int a = 0; a < 3; a++)
              {
                lo[a] = MIN (lo[a], ijk[a]);
                hi[a] = MAX (hi[a], ijk[a]);
              }
          }
  if (hi[0] < 0)
    return FALSE;
  for (int a = 0; a < 3; a++)
    {
      int m = (int) ceil (margin_mm / grid->spacing[a]);
      lo[a] = MAX (0, lo[a] - m);
      hi[a] = MIN (grid->dims[a] - 1, hi[a] + m);
    }
  return TRUE;
}

MtVolume *
mt_resample_isotropic (const MtVolume *volume,
                       double          spacing_mm,
                       MtResampleMode  mode,
                       GError        **error)
{
  g_return_val_if_fail (spacing_mm > 0, NULL);
  /* The same extent, voxel edge to voxel edge, in cubes of spacing_mm. */
  int d[3];
  for (int a = 0; a < 3; a++)
    d[a] = MAX (1, (int) lround (volume->dims[a] * volume->spacing[a] / spacing_mm));
  g_autoptr (MtVolume) grid = mt_volume_new (d[0], d[1], d[2], error);
  if (grid == NULL)
    return NULL;
  mt_volume_copy_geometry (grid, volume);
  /* The first new centre sits half a new voxel in from the old edge. */
  double edge[3];
  for (int a = 0; a < 3; a++)
    {
      grid->spacing[a] = spacing_mm;
      edge[a] = -0.5 + 0.5 * spacing_mm / volume->spacing[a];
    }
  mt_volume_index_to_patient (volume, edge, grid->origin);
  g_autoptr (MtTransform) id = mt_transform_new_identity ();
  float outside = volume->modality && g_str_equal (volume->modality, "CT") && mode == MT_RESAMPLE_LINEAR ? -1024.0f : 0.0f;
  return mt_resample (volume, grid, id, mode, outside, error);
}

/* ------------------------------------------------------------ pyramid */

/* Half the grid along each axis whose spacing is not already much coarser
 * than the finest, each new voxel the mean of those it covers. */
static MtVolume *
downsample (const MtVolume *v)
{
  double finest = MIN (v->spacing[0], MIN (v->spacing[1], v->spacing[2]));
  int f[3], d[3];
  for (int a = 0; a < 3; a++)
    {
      f[a] = v->spacing[a] < 1.5 * finest * 2 && v->dims[a] >= 8 ? 2 : 1;
      d[a] = (v->dims[a] + f[a] - 1) / f[a];
    }
  MtVolume *out = mt_volume_new (d[0], d[1], d[2], NULL);
  if (out == NULL)
    return NULL;
  mt_volume_copy_geometry (out, v);
  for (int a = 0; a < 3; a++)
    out->spacing[a] = v->spacing[a] * f[a];
  /* The new first centre: the mean of the old ones it covers. */
  double shift[3] = { (f[0] - 1) / 2.0, (f[1] - 1) / 2.0, (f[2] - 1) / 2.0 }, p[3];
  mt_volume_index_to_patient (v, shift, p);
  memcpy (out->origin, p, sizeof p);
  for (int k = 0; k < d[2]; k++)
    for (int j = 0; j < d[1]; j++)
      for (int i = 0; i < d[0]; i++)
        {
          double sum = 0;
          int n = 0;
          for (int c = 0; c < f[2]; c++)
            for (int b = 0; b < f[1]; b++)
              for (int a = 0; a < f[0]; a++)
                {
                  int x = MIN (i * f[0] + a, v->dims[0] - 1), y = MIN (j * f[1] + b, v->dims[1] - 1);
                  int z = MIN (k * f[2] + c, v->dims[2] - 1);
                  sum += v->data[mt_volume_offset (v, x, y, z)];
                  n++;
                }
          out->data[mt_volume_offset (out, i, j, k)] = (float) (sum / n);
        }
  return out;
}

/* ------------------------------------------------------------ metric */

#define MAX_PARAMS 12
#define SUMS (2 + MAX_PARAMS + MAX_PARAMS * (MAX_PARAMS + 1) / 2)
#define BINS 32            /* Mattes: histogram bins per image */
#define PAD 2              /* bins kept free at each end for the Parzen windows */
/* NCC per chunk: n, sf, sm, sff, smm, sfm, then sum dm, f dm, m dm per parameter. */
#define NCC_SUMS (6 + 3 * MAX_PARAMS)

typedef struct
{
  MtRegisterMetric metric;
  const MtVolume *moving;
  double          to_index[12];
  double          index_to_patient_grad[9];   /* d/dp = this * d/dijk */
  const double   *points;                     /* fixed patient points, x y z */
  const float    *values;                     /* the fixed image there */
  gsize           n_points;
  int             n_params;                   /* 6: rigid, 12: affine */
  double          matrix[9];                  /* current matrix, row-major */
  double          center[3];
  double          translation[3];
  /* Mattes: both images' ranges and bin widths. */
  double          fixed_min, fixed_bin, moving_min, moving_bin;
  /* Per chunk: sum r^2, count, J r, J J^T (its upper triangle, row by
   * row); or the NCC sums; or (Mattes) the joint histogram and its
   * derivative, BINS x BINS x n_params, in hist[chunk]. */
  double          sums[CHUNKS][SUMS > NCC_SUMS ? SUMS : NCC_SUMS];
  double         *hist[CHUNKS];
} MetricJob;

/* The derivative of mt_bspline3: Mattes's window on the moving image's bins
 * moves with the moving value. */
static inline double
bspline3_d (double u)
{
  double a = fabs (u);
  if (a < 1)
    return -2 * u + 1.5 * u * a;
  if (a < 2)
    return (u > 0 ? -0.5 : 0.5) * (2 - a) * (2 - a);
  return 0;
}

static void
metric_chunk (gsize chunk, gpointer data)
{
  MetricJob *job = data;
  gsize lo = job->n_points * chunk / CHUNKS, hi = job->n_points * (chunk + 1) / CHUNKS;
  const int np = job->n_params;
  double *s = job->sums[chunk];
  double *hist = job->hist[chunk];
  memset (s, 0, sizeof job->sums[chunk]);
  if (hist != NULL)
    memset (hist, 0, BINS * BINS * (1 + np) * sizeof (double));
  for (gsize n = lo; n < hi; n++)
    {
      const double *x = job->points + 3 * n;
      double d[3] = { x[0] - job->center[0], x[1] - job->center[1], x[2] - job->center[2] }, q[3], y[3], m[3];
      for (int r = 0; r < 3; r++)
        {
          q[r] = job->matrix[3 * r] * d[0] + job->matrix[3 * r + 1] * d[1] + job->matrix[3 * r + 2] * d[2];
          y[r] = q[r] + job->center[r] + job->translation[r];
        }
      mt_register_apply34 (job->to_index, y, m);
      double value, gi[3];
      /* Points off the moving scan do not count (as in ITK): the scans
       * need not cover the same length of the body. */
      if (!mt_register_sample (job->moving, m, &value, gi))
        continue;
      double g[3];
      for (int r = 0; r < 3; r++)
        g[r] = job->index_to_patient_grad[3 * r] * gi[0] + job->index_to_patient_grad[3 * r + 1] * gi[1]
               + job->index_to_patient_grad[3 * r + 2] * gi[2];
      /* jac: the moving value's derivative along each parameter. */
      double jac[MAX_PARAMS];
      if (np == 6)
        {
          /* Rigid: a small turn omega moves M d by omega x q; the
           * value's derivative is g . (e_k x q) = (q x g)_k. */
          jac[0] = q[1] * g[2] - q[2] * g[1];
          jac[1] = q[2] * g[0] - q[0] * g[2];
          jac[2] = q[0] * g[1] - q[1] * g[0];
        }
      else
        /* Affine: d/dM_ij = g_i d_j. */
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++)
            jac[3 * i + j] = g[i] * d[j];
      for (int a = 0; a < 3; a++)
        jac[np - 3 + a] = g[a];
      const double f = job->values[n];
      if (job->metric == MT_METRIC_MEAN_SQUARES)
        {
          double res = value - f;
          s[0] += res * res;
          s[1] += 1;
          int h = 2 + MAX_PARAMS;
          for (int a = 0; a < np; a++)
            {
              s[2 + a] += res * jac[a];
              for (int b = a; b < np; b++)
                s[h++] += jac[a] * jac[b];
            }
        }
      else if (job->metric == MT_METRIC_NCC)
        {
          s[0] += 1;
          s[1] += f;
          s[2] += value;
          s[3] += f * f;
          s[4] += value * value;
          s[5] += f * value;
          for (int a = 0; a < np; a++)
            {
              s[6 + a] += jac[a];
              s[6 + MAX_PARAMS + a] += f * jac[a];
              s[6 + 2 * MAX_PARAMS + a] += value * jac[a];
            }
        }
      else
        {
          /* Mattes: the fixed value in one bin (a box window), the moving
           * one spread over four by the cubic B-spline. */
          double ft = (f - job->fixed_min) / job->fixed_bin + PAD;
          int fb = CLAMP ((int) floor (ft), PAD, BINS - PAD - 1);
          double mt = CLAMP ((value - job->moving_min) / job->moving_bin + PAD, PAD, BINS - PAD - 1 - 1e-9);
          int m0 = (int) floor (mt) - 1;
          s[0] += 1;
          for (int o = 0; o < 4; o++)
            {
              int mb = m0 + o;
              double u = mb - mt;
              double *cell = hist + (gsize) (fb * BINS + mb) * (1 + np);
              cell[0] += mt_bspline3 (u);
              /* d/dmu of mt_bspline3 (mb - mt) = -bspline3' (u) * jac / bin. */
              double w = -bspline3_d (u) / job->moving_bin;
              for (int a = 0; a < np; a++)
                cell[1 + a] += w * jac[a];
            }
        }
    }
}

/* The metric (to be minimised: the mean square, -NCC or -MI) and its
 * gradient along the parameters; for mean squares also J J^T (per
 * point), for Levenberg-Marquardt. FALSE when too few points fall on the
 * moving image. */
static gboolean
evaluate (MetricJob *job, double *mean, double jr[MAX_PARAMS], double jj[MAX_PARAMS * MAX_PARAMS])
{
  mt_parallel_for (CHUNKS, metric_chunk, job);
  const int np = job->n_params;
  double total[SUMS > NCC_SUMS ? SUMS : NCC_SUMS] = { 0 };
  for (int c = 0; c < CHUNKS; c++)
    for (gsize a = 0; a < G_N_ELEMENTS (total); a++)
      total[a] += job->sums[c][a];
  double count = job->metric == MT_METRIC_MEAN_SQUARES ? total[1] : total[0];
  if (count < 0.1 * job->n_points || count < 100)
    return FALSE;
  if (job->metric == MT_METRIC_MEAN_SQUARES)
    {
      *mean = total[0] / total[1];
      int h = 2 + MAX_PARAMS;
      for (int a = 0; a < np; a++)
        {
          jr[a] = total[2 + a] / total[1];
          if (jj != NULL)
            for (int b = a; b < np; b++)
              jj[np * a + b] = jj[np * b + a] = total[h++] / total[1];
        }
      return TRUE;
    }
  if (job->metric == MT_METRIC_NCC)
    {
      double n = total[0], sf = total[1], sm = total[2];
      double cff = total[3] - sf * sf / n, cmm = total[4] - sm * sm / n, cfm = total[5] - sf * sm / n;
      if (cff <= 0 || cmm <= 0)
        return FALSE;
      double root = sqrt (cff * cmm);
      *mean = -cfm / root;
      for (int a = 0; a < np; a++)
        {
          double dm = total[6 + a], fdm = total[6 + MAX_PARAMS + a], mdm = total[6 + 2 * MAX_PARAMS + a];
          double dcfm = fdm - sf * dm / n, dcmm = 2 * (mdm - sm * dm / n);
          jr[a] = -(dcfm / root - 0.5 * cfm * dcmm / (root * cmm));
        }
      return TRUE;
    }
  /* Mattes: p(i, j) and its derivative, summed over the chunks. */
  const gsize cell = 1 + np;
  g_autofree double *p = g_new0 (double, BINS * BINS * cell);
  for (int c = 0; c < CHUNKS; c++)
    for (gsize a = 0; a < BINS * BINS * cell; a++)
      p[a] += job->hist[c][a];
  double norm = 0;
  for (int a = 0; a < BINS * BINS; a++)
    norm += p[a * cell];
  if (norm <= 0)
    return FALSE;
  double pf[BINS] = { 0 }, pm[BINS] = { 0 };
  for (int i = 0; i < BINS; i++)
    for (int j = 0; j < BINS; j++)
      {
        double v = p[(i * BINS + j) * cell] / norm;
        pf[i] += v;
        pm[j] += v;
      }
  double mi = 0;
  for (int a = 0; a < np; a++)
    jr[a] = 0;
  for (int i = 0; i < BINS; i++)
    for (int j = 0; j < BINS; j++)
      {
        const double *c = p + (i * BINS + j) * cell;
        double v = c[0] / norm;
        if (v < 1e-16)
          continue;
        mi += v * log (v / (pf[i] * pm[j]));
        /* dMI = sum dp(i,j) (log p(i,j) - log pm(j)): the fixed marginal
         * does not move. */
        double l = log (v / pm[j]);
        for (int a = 0; a < np; a++)
          jr[a] -= c[1 + a] / norm * l;
      }
  *mean = -mi;
  return TRUE;
}

/* Solves the n x n system a x = b (Gaussian elimination, partial
 * pivoting); FALSE when it is singular. */
static gboolean
solve (int n, double *a, double *b, double *x)
{
  int p[MAX_PARAMS];
  for (int i = 0; i < n; i++)
    p[i] = i;
  for (int col = 0; col < n; col++)
    {
      int best = col;
      for (int r = col + 1; r < n; r++)
        if (fabs (a[n * p[r] + col]) > fabs (a[n * p[best] + col]))
          best = r;
      int t = p[col];
      p[col] = p[best];
      p[best] = t;
      double d = a[n * p[col] + col];
      if (fabs (d) < 1e-300)
        return FALSE;
      for (int r = col + 1; r < n; r++)
        {
          double f = a[n * p[r] + col] / d;
          for (int k = col; k < n; k++)
            a[n * p[r] + k] -= f * a[n * p[col] + k];
          b[p[r]] -= f * b[p[col]];
        }
    }
  for (int r = n - 1; r >= 0; r--)
    {
      double s = b[p[r]];
      for (int k = r + 1; k < n; k++)
        s -= a[n * p[r] + k] * x[k];
      x[r] = s / a[n * p[r] + r];
    }
  return TRUE;
}

static void
rodrigues (const double w[3], double r[9])
{
  double theta = sqrt (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  memset (r, 0, 9 * sizeof (double));
  r[0] = r[4] = r[8] = 1;
  if (theta < 1e-15)
    return;
  double k[3] = { w[0] / theta, w[1] / theta, w[2] / theta }, c = cos (theta), s = sin (theta), v = 1 - c;
  r[0] = c + k[0] * k[0] * v;
  r[1] = k[0] * k[1] * v - k[2] * s;
  r[2] = k[0] * k[2] * v + k[1] * s;
  r[3] = k[1] * k[0] * v + k[2] * s;
  r[4] = c + k[1] * k[1] * v;
  r[5] = k[1] * k[2] * v - k[0] * s;
  r[6] = k[2] * k[0] * v - k[1] * s;
  r[7] = k[2] * k[1] * v + k[0] * s;
  r[8] = c + k[2] * k[2] * v;
}

static void
mul3 (const double a[9], const double b[9], double out[9])
{
  double t[9];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      t[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  memcpy (out, t, sizeof t);
}

/* The centre of mass of what is brighter than a fifth of the way up from
 * the image's darkest value to its brightest (the patient, not the air). */
static gboolean
center_of_mass (const MtVolume *v, double c[3])
{
  gsize n = mt_volume_n_voxels (v);
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, v->data[i]);
      hi = MAX (hi, v->data[i]);
    }
  if (!(hi > lo))
    return FALSE;
  float t = lo + 0.2f * (hi - lo);
  double sum[3] = { 0, 0, 0 }, w = 0;
  for (int k = 0; k < v->dims[2]; k++)
    for (int j = 0; j < v->dims[1]; j++)
      for (int i = 0; i < v->dims[0]; i++)
        if (v->data[mt_volume_offset (v, i, j, k)] > t)
          {
            sum[0] += i;
            sum[1] += j;
            sum[2] += k;
            w++;
          }
  if (w == 0)
    return FALSE;
  double ijk[3] = { sum[0] / w, sum[1] / w, sum[2] / w };
  mt_volume_index_to_patient (v, ijk, c);
  return TRUE;
}

void
mt_register_options_init (MtRegisterOptions *options)
{
  options->levels = 3;
  options->samples = 1000000;
  options->min_step_mm = 0.001;
  options->max_iterations = 60;
  options->metric = MT_METRIC_MEAN_SQUARES;
  options->init = MT_REGISTER_INIT_MOMENTS;
  options->finest_level = 0;
  options->grid_mm = 25;
  options->regularisation = 0.2;
}

/* About n points of the fixed image, one in each cell of a regular stride
 * but at a random place in it, and the fixed image's value there: points
 * on the voxel centres of both grids would bias the alignment towards
 * whole voxels. */
gsize
mt_register_pick_points (const MtVolume *fixed, int n, double **points, float **values)
{
  gsize total = mt_volume_n_voxels (fixed);
  int stride = MAX (1, (int) floor (cbrt ((double) total / n)));
  gsize cap = (total / ((gsize) stride * stride * stride)) + (gsize) fixed->dims[0] * fixed->dims[1] + 8;
  *points = g_new (double, 3 * cap);
  *values = g_new (float, cap);
  g_autoptr (GRand) rng = g_rand_new_with_seed (0x6d74u);
  gsize m = 0;
  for (int k = 0; k < fixed->dims[2]; k += stride)
    for (int j = 0; j < fixed->dims[1]; j += stride)
      for (int i = 0; i < fixed->dims[0]; i += stride)
        {
          if (m == cap)
            break;
          double ijk[3] = { i + g_rand_double_range (rng, -0.5, 0.5), j + g_rand_double_range (rng, -0.5, 0.5),
                            k + g_rand_double_range (rng, -0.5, 0.5) };
          double value;
          if (!mt_register_sample (fixed, ijk, &value, NULL))
            continue;
          mt_volume_index_to_patient (fixed, ijk, *points + 3 * m);
          (*values)[m] = (float) value;
          m++;
        }
  return m;
}

void
mt_pyramid_clear (Pyramid *p)
{
  for (int l = 0; l < p->levels; l++)
    {
      g_clear_pointer (&p->fixed[l], mt_volume_unref);
      g_clear_pointer (&p->moving[l], mt_volume_unref);
    }
}

static void
geometric_center (const MtVolume *v, double c[3])
{
  double ijk[3] = { (v->dims[0] - 1) / 2.0, (v->dims[1] - 1) / 2.0, (v->dims[2] - 1) / 2.0 };
  mt_volume_index_to_patient (v, ijk, c);
}

gboolean
mt_pyramid_init (Pyramid *p, const MtVolume *fixed, const MtVolume *moving, int levels, MtRegisterInit init,
              GError **error)
{
  memset (p, 0, sizeof *p);
  if (!center_of_mass (fixed, p->fixed_center) || !center_of_mass (moving, p->moving_center))
    {
      g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT,
                   _("One of the images is flat (every voxel the same value): there is nothing to align."));
      return FALSE;
    }
  /* The start lays these two centres on each other. */
  if (init == MT_REGISTER_INIT_GEOMETRY)
    {
      geometric_center (fixed, p->fixed_center);
      geometric_center (moving, p->moving_center);
    }
  else if (init == MT_REGISTER_INIT_PATIENT)
    memcpy (p->moving_center, p->fixed_center, sizeof p->moving_center);
  p->levels = CLAMP (levels, 1, 6);
  p->fixed[0] = mt_volume_ref ((MtVolume *) fixed);
  p->moving[0] = mt_volume_ref ((MtVolume *) moving);
  for (int l = 1; l < p->levels; l++)
    {
      p->fixed[l] = downsample (p->fixed[l - 1]);
      p->moving[l] = downsample (p->moving[l - 1]);
    }
  return TRUE;
}

/* The value range of a volume's voxels, for Mattes's bins. */
static void
value_range (const MtVolume *v, double *lo, double *hi)
{
  float a = G_MAXFLOAT, b = -G_MAXFLOAT;
  gsize n = mt_volume_n_voxels (v);
  for (gsize i = 0; i < n; i++)
    {
      a = MIN (a, v->data[i]);
      b = MAX (b, v->data[i]);
    }
  *lo = a;
  *hi = b > a ? b : a + 1;
}

static MetricJob *
metric_job_new (const MtVolume *fixed, const MtVolume *moving, MtRegisterMetric metric, int n_params, int samples,
                const double center[3])
{
  MetricJob *job = g_new0 (MetricJob, 1);
  job->metric = metric;
  job->moving = moving;
  job->n_params = n_params;
  mt_register_patient_to_index (moving, job->to_index);
  /* d/dp = D diag(1/s) d/dijk. */
  for (int r = 0; r < 3; r++)
    for (int col = 0; col < 3; col++)
      job->index_to_patient_grad[3 * r + col] = moving->direction[3 * r + col] / moving->spacing[col];
  double *points;
  float *values;
  job->n_points = mt_register_pick_points (fixed, samples, &points, &values);
  job->points = points;
  job->values = values;
  memcpy (job->center, center, sizeof job->center);
  if (metric == MT_METRIC_MATTES_MI)
    {
      double lo, hi;
      value_range (fixed, &lo, &hi);
      job->fixed_min = lo;
      job->fixed_bin = (hi - lo) / (BINS - 2 * PAD);
      value_range (moving, &lo, &hi);
      job->moving_min = lo;
      job->moving_bin = (hi - lo) / (BINS - 2 * PAD);
      for (int c = 0; c < CHUNKS; c++)
        job->hist[c] = g_new (double, BINS * BINS * (1 + n_params));
    }
  return job;
}

static void
metric_job_free (MetricJob *job)
{
  g_free ((double *) job->points);
  g_free ((float *) job->values);
  for (int c = 0; c < CHUNKS; c++)
    g_free (job->hist[c]);
  g_free (job);
}

/* The transform after a step delta in the parameters: a turn composed
 * onto the matrix (rigid) or added to it (affine), and a shift. */
static void
take_step (int np, const double matrix[9], const double translation[3], const double *delta, double out_matrix[9],
           double out_translation[3])
{
  if (np == 6)
    {
      double turn[9];
      rodrigues (delta, turn);
      mul3 (turn, matrix, out_matrix);
    }
  else
    for (int k = 0; k < 9; k++)
      out_matrix[k] = matrix[k] + delta[k];
  for (int k = 0; k < 3; k++)
    out_translation[k] = translation[k] + delta[np - 3 + k];
}

/* How far a step in the parameters moves a point ROTATION_SCALE_MM from
 * the centre (mm): the one scale every parameter is weighed on. */
static double
step_mm (int np, const double *delta)
{
  double s2 = 0;
  for (int k = 0; k < np - 3; k++)
    s2 += delta[k] * delta[k] * ROTATION_SCALE_MM * ROTATION_SCALE_MM;
  for (int k = np - 3; k < np; k++)
    s2 += delta[k] * delta[k];
  return sqrt (s2);
}

/* Levenberg-Marquardt, for mean squares: the Gauss-Newton step
 * (J J^T + lambda diag) delta = -J r, lambda raised while a step makes
 * things worse and lowered when it helps. Returns FALSE when the images
 * no longer overlap or on cancel. */
static gboolean
optimise_lm (MetricJob *job, double matrix[9], double translation[3], double *mean, const MtRegisterOptions *o,
             MtProgress *progress, double done, double share, GCancellable *cancellable, GError **error)
{
  const int np = job->n_params;
  double lambda = 1e-3;
  double jr[MAX_PARAMS], jj[MAX_PARAMS * MAX_PARAMS];
  memcpy (job->matrix, matrix, 9 * sizeof (double));
  memcpy (job->translation, translation, 3 * sizeof (double));
  if (!evaluate (job, mean, jr, jj))
    return FALSE;
  for (int it = 0; it < o->max_iterations; it++)
    {
      double a[MAX_PARAMS * MAX_PARAMS], b[MAX_PARAMS], delta[MAX_PARAMS];
      memcpy (a, jj, sizeof a);
      for (int k = 0; k < np; k++)
        {
          a[(np + 1) * k] *= 1 + lambda;
          b[k] = -jr[k];
        }
      if (!solve (np, a, b, delta))
        break;
      take_step (np, matrix, translation, delta, job->matrix, job->translation);
      double step = step_mm (np, delta);
      double try_mean, try_jr[MAX_PARAMS], try_jj[MAX_PARAMS * MAX_PARAMS];
      if (evaluate (job, &try_mean, try_jr, try_jj) && try_mean <= *mean)
        {
          memcpy (matrix, job->matrix, 9 * sizeof (double));
          memcpy (translation, job->translation, 3 * sizeof (double));
          /* Converged: the step is tiny, or it no longer improves the fit
           * by a millionth. */
          gboolean flat = *mean - try_mean < 1e-6 * *mean;
          *mean = try_mean;
          memcpy (jr, try_jr, sizeof jr);
          memcpy (jj, try_jj, sizeof jj);
          lambda = MAX (lambda / 10, 1e-7);
          g_debug ("  iteration %d: mean square %.4f, step %.4f mm", it, try_mean, step);
          if (step < o->min_step_mm || flat)
            break;
        }
      else
        {
          /* A step that small failing too: nothing left to gain. */
          lambda *= 10;
          if (lambda > 1e8 || step < 10 * o->min_step_mm)
            break;
        }
      if (progress != NULL)
        mt_progress_update (progress, done + share * MIN (1.0, it / 30.0));
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Regular-step gradient descent, for Mattes MI and NCC (no Gauss-Newton
 * form): steps of a fixed length in mm against the gradient, the length
 * halved whenever the gradient turns back, until it falls below
 * min_step_mm. */
static gboolean
optimise_rsgd (MetricJob *job, double matrix[9], double translation[3], double *value, double max_step_mm,
               const MtRegisterOptions *o, MtProgress *progress, double done, double share,
               GCancellable *cancellable, GError **error)
{
  const int np = job->n_params;
  double grad[MAX_PARAMS], previous[MAX_PARAMS] = { 0 };
  double step = max_step_mm;
  int max_it = o->max_iterations * 4;
  for (int it = 0; it < max_it; it++)
    {
      memcpy (job->matrix, matrix, 9 * sizeof (double));
      memcpy (job->translation, translation, 3 * sizeof (double));
      if (!evaluate (job, value, grad, NULL))
        return FALSE;
      /* The gradient per mm of movement of each parameter. */
      double g[MAX_PARAMS], norm = 0, dot = 0;
      for (int k = 0; k < np; k++)
        {
          g[k] = k < np - 3 ? grad[k] / ROTATION_SCALE_MM : grad[k];
          norm += g[k] * g[k];
          dot += g[k] * previous[k];
        }
      norm = sqrt (norm);
      if (norm < 1e-20)
        break;
      if (dot < 0)
        step *= 0.5;
      if (step < o->min_step_mm * 10)
        break;
      memcpy (previous, g, sizeof previous);
      double delta[MAX_PARAMS];
      for (int k = 0; k < np; k++)
        delta[k] = -step * g[k] / norm / (k < np - 3 ? ROTATION_SCALE_MM : 1.0);
      double m2[9], t2[3];
      take_step (np, matrix, translation, delta, m2, t2);
      memcpy (matrix, m2, sizeof m2);
      memcpy (translation, t2, sizeof t2);
      if (progress != NULL)
        mt_progress_update (progress, done + share * MIN (1.0, log2 (max_step_mm / step) / 8.0));
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  memcpy (job->matrix, matrix, 9 * sizeof (double));
  memcpy (job->translation, translation, 3 * sizeof (double));
  double unused[MAX_PARAMS];
  return evaluate (job, value, unused, NULL);
}

/* The rigid (6 parameters: a small turn and a shift) or the affine model
 * (12: the matrix and the shift) over the pyramid, coarsest level first,
 * from the transform *start (the centres of mass when NULL). */
MtTransform *
mt_register_linear (const Pyramid           *pyramid,
                    int                      n_params,
                    const MtTransform       *start,
                    const MtRegisterOptions *options,
                    double                  *final_metric,
                    MtProgress              *progress,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  const double *cf = pyramid->fixed_center, *cm = pyramid->moving_center;
  const int levels = pyramid->levels;
  /* Started from the centres of mass (M = I about the fixed centre, the
   * shift taking it onto the moving one), or from *start re-centred. */
  double matrix[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, translation[3];
  for (int a = 0; a < 3; a++)
    translation[a] = cm[a] - cf[a];
  if (start != NULL)
    {
      /* y = M (x - c0) + c0 + t0 = M (x - cf) + cf + [M (cf - c0) + c0 + t0 - cf]. */
      memcpy (matrix, start->matrix, sizeof matrix);
      double cf_to[3];
      mt_transform_apply (start, cf, cf_to);
      for (int a = 0; a < 3; a++)
        translation[a] = cf_to[a] - cf[a];
    }
  double value = 0;
  gboolean ok = TRUE;
  for (int l = levels - 1; l >= MIN (options->finest_level, levels - 1) && ok; l--)
    {
      const MtVolume *f = pyramid->fixed[l], *m = pyramid->moving[l];
      MetricJob *job = metric_job_new (f, m, options->metric, n_params, options->samples, cf);
      double done = (double) (levels - 1 - l) / levels, share = 1.0 / levels;
      if (options->metric == MT_METRIC_MEAN_SQUARES)
        ok = optimise_lm (job, matrix, translation, &value, options, progress, done, share, cancellable, error);
      else
        {
          /* At most a voxel of this level per step to begin with. */
          double voxel = MAX (m->spacing[0], MAX (m->spacing[1], m->spacing[2]));
          ok = optimise_rsgd (job, matrix, translation, &value, MIN (voxel, 4.0), options, progress, done, share,
                              cancellable, error);
        }
      if (!ok && error != NULL && *error == NULL)
        g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_DIVERGED,
                     _("The images no longer overlap: the registration drifted apart. Do they show the "
                       "same part of the body?"));
      g_debug ("level %d: metric %.5f", l, value);
      metric_job_free (job);
    }
  if (!ok)
    return NULL;
  if (final_metric != NULL)
    *final_metric = options->metric == MT_METRIC_MEAN_SQUARES ? value : -value;
  MtTransform *t = mt_transform_new_identity ();
  memcpy (t->matrix, matrix, sizeof matrix);
  memcpy (t->center, cf, sizeof t->center);
  memcpy (t->translation, translation, sizeof translation);
  return t;
}

static MtRegisterOptions
options_or_defaults (const MtRegisterOptions *options)
{
  MtRegisterOptions o;
  if (options != NULL)
    return *options;
  mt_register_options_init (&o);
  return o;
}

MtTransform *
mt_register_rigid (const MtVolume          *fixed,
                   const MtVolume          *moving,
                   const MtRegisterOptions *options,
                   double                  *final_metric,
                   MtProgress              *progress,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  MtRegisterOptions o = options_or_defaults (options);
  Pyramid p;
  if (!mt_pyramid_init (&p, fixed, moving, o.levels, o.init, error))
    return NULL;
  MtTransform *t = mt_register_linear (&p, 6, NULL, &o, final_metric, progress, cancellable, error);
  mt_pyramid_clear (&p);
  return t;
}

MtTransform *
mt_register_affine (const MtVolume          *fixed,
                    const MtVolume          *moving,
                    const MtRegisterOptions *options,
                    double                  *final_metric,
                    MtProgress              *progress,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  MtRegisterOptions o = options_or_defaults (options);
  Pyramid p;
  if (!mt_pyramid_init (&p, fixed, moving, o.levels, o.init, error))
    return NULL;
  /* Rigid first, on the same pyramid: the twelve parameters then only
   * refine it. */
  if (progress != NULL)
    mt_progress_set_stage (progress, 0.0, 0.5, N_("Rigid alignment"));
  /* The rigid start on the coarsest level only: the affine run refines it
   * at every level anyway. */
  MtRegisterOptions coarse = o;
  coarse.finest_level = o.levels - 1;
  g_autoptr (MtTransform) rigid = mt_register_linear (&p, 6, NULL, &coarse, NULL, progress, cancellable, error);
  MtTransform *t = NULL;
  if (rigid != NULL)
    {
      if (progress != NULL)
        mt_progress_set_stage (progress, 0.5, 1.0, N_("Affine alignment"));
      t = mt_register_linear (&p, 12, rigid, &o, final_metric, progress, cancellable, error);
    }
  mt_pyramid_clear (&p);
  return t;
}

/* CT by its modality; or, with none recorded (NIfTI, NRRD), by its values:
 * air at about -1000 HU and nothing far below. */
static gboolean
looks_like_ct (const MtVolume *v)
{
  if (v->modality != NULL)
    return g_str_equal (v->modality, "CT");
  float lo, hi;
  mt_volume_get_range (v, &lo, &hi);
  return lo >= -3100 && lo <= -900 && hi > 0;
}

MtRegisterMetric
mt_register_default_metric (const MtVolume *fixed, const MtVolume *moving)
{
  return looks_like_ct (fixed) && looks_like_ct (moving) ? MT_METRIC_MEAN_SQUARES : MT_METRIC_MATTES_MI;
}

MtRegisterInit
mt_register_default_init (const MtVolume *fixed, const MtVolume *moving)
{
  gboolean same = fixed->frame_of_reference_uid && moving->frame_of_reference_uid
                  && g_str_equal (fixed->frame_of_reference_uid, moving->frame_of_reference_uid);
  return same ? MT_REGISTER_INIT_PATIENT : MT_REGISTER_INIT_MOMENTS;
}

double
mt_register_measure (const MtVolume    *fixed,
                     const MtVolume    *moving,
                     const MtTransform *fixed_to_moving,
                     MtRegisterMetric   metric,
                     int                samples)
{
  double c[3] = { 0, 0, 0 };
  MetricJob *job = metric_job_new (fixed, moving, metric, 6, samples, c);
  /* y = M x + (M c + t - c) about the origin. */
  memcpy (job->matrix, fixed_to_moving->matrix, sizeof job->matrix);
  double o[3];
  mt_transform_apply (fixed_to_moving, c, o);
  memcpy (job->translation, o, sizeof o);
  double value, grad[MAX_PARAMS];
  gboolean ok = evaluate (job, &value, grad, NULL);
  metric_job_free (job);
  if (!ok)
    return NAN;
  return metric == MT_METRIC_MEAN_SQUARES ? value : -value;
}
