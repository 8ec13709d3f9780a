/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deformable registration: a cubic B-spline free-form deformation on top
 * of the affine alignment, by mean squares with a bending penalty,
 * L-BFGS over the image pyramid; the result as ITK reads it. */
#define G_LOG_DOMAIN "mt-register"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mt-parallel.h"
#include "mt-progress.h"
#include "mt-register-private.h"
#include "mt-transform.h"
#include "mt-volume.h"

#define CHUNKS 8
#define MEMORY 6          /* L-BFGS: the last steps it remembers */

/* ------------------------------------------------------------ the grid */

MtBSpline *
mt_bspline_new_for (const MtVolume *fixed,
                    double          spacing_mm)
{
  g_return_val_if_fail (spacing_mm > 0, NULL);
  MtBSpline *b = g_new0 (MtBSpline, 1);
  memcpy (b->direction, fixed->direction, sizeof b->direction);
  /* The domain: the voxels' outer edges. ITK's layout: a mesh of m cells
   * over the domain has m + 3 control points, the first one cell before
   * the domain's start. */
  double edge[3] = { -0.5, -0.5, -0.5 }, start[3];
  mt_volume_index_to_patient (fixed, edge, start);
  for (int a = 0; a < 3; a++)
    {
      double extent = fixed->dims[a] * fixed->spacing[a];
      int cells = MAX (1, (int) ceil (extent / spacing_mm));
      b->spacing[a] = extent / cells;
      b->size[a] = cells + 3;
    }
  for (int r = 0; r < 3; r++)
    {
      b->origin[r] = start[r];
      for (int a = 0; a < 3; a++)
        b->origin[r] -= b->direction[3 * r + a] * b->spacing[a];
    }
  b->coefficients = g_new0 (double, 3 * mt_bspline_n_points (b));
  return b;
}

void
mt_bspline_free (MtBSpline *b)
{
  if (b == NULL)
    return;
  g_free (b->coefficients);
  g_free (b);
}

gsize
mt_bspline_n_points (const MtBSpline *b)
{
  return (gsize) b->size[0] * b->size[1] * b->size[2];
}

/* Where x falls among the control points: the first of the 4 x 4 x 4
 * around it (a linear index) and the weights along each axis; FALSE
 * outside the region where all 64 exist (ITK's valid region). */
static inline gboolean
support (const MtBSpline *b, const double x[3], gsize *first, double w[3][4])
{
  int start[3];
  for (int a = 0; a < 3; a++)
    {
      double d = 0;
      for (int r = 0; r < 3; r++)
        d += b->direction[3 * r + a] * (x[r] - b->origin[r]);
      double q = d / b->spacing[a];
      if (!(q >= 1 && q < b->size[a] - 2))
        return FALSE;
      start[a] = (int) floor (q) - 1;
      for (int l = 0; l < 4; l++)
        w[a][l] = mt_bspline3 (q - (start[a] + l));
    }
  *first = ((gsize) start[2] * b->size[1] + start[1]) * b->size[0] + start[0];
  return TRUE;
}

gboolean
mt_bspline_displacement (const MtBSpline *b,
                         const double     x[3],
                         double           u[3])
{
  gsize first;
  double w[3][4];
  u[0] = u[1] = u[2] = 0;
  if (!support (b, x, &first, w))
    return FALSE;
  const gsize n = mt_bspline_n_points (b), sx = b->size[0], sxy = sx * b->size[1];
  for (int k = 0; k < 4; k++)
    for (int j = 0; j < 4; j++)
      {
        double wjk = w[2][k] * w[1][j];
        gsize row = first + k * sxy + j * sx;
        for (int i = 0; i < 4; i++)
          {
            double wt = wjk * w[0][i];
            for (int d = 0; d < 3; d++)
              u[d] += wt * b->coefficients[d * n + row + i];
          }
      }
  return TRUE;
}

void
mt_deformable_apply (const MtTransform *affine,
                     const MtBSpline   *bspline,
                     const double       x[3],
                     double             y[3])
{
  double p[3] = { x[0], x[1], x[2] };
  if (bspline != NULL)
    {
      double u[3];
      mt_bspline_displacement (bspline, x, u);
      for (int a = 0; a < 3; a++)
        p[a] += u[a];
    }
  mt_transform_apply (affine, p, y);
}

/* ------------------------------------------------------------ the metric */

typedef struct
{
  const MtBSpline *b;
  const double    *coefficients;   /* the trial ones */
  const MtVolume  *moving;
  double           to_index[12];
  double           index_to_patient_grad[9];
  const double    *points;
  const float     *values;
  gsize            n_points;
  double           matrix[9], center[3], translation[3];
  double          *grad[CHUNKS];   /* per chunk: d(sum r^2)/d coefficient */
  double           sums[CHUNKS][2];
} FfdJob;

static void
ffd_chunk (gsize chunk, gpointer data)
{
  FfdJob *job = data;
  const MtBSpline *b = job->b;
  const gsize n = mt_bspline_n_points (b), sx = b->size[0], sxy = sx * b->size[1];
  double *grad = job->grad[chunk];
  memset (grad, 0, 3 * n * sizeof (double));
  double sum = 0, count = 0;
  gsize lo = job->n_points * chunk / CHUNKS, hi = job->n_points * (chunk + 1) / CHUNKS;
  const double *c = job->coefficients, *m = job->matrix;
  for (gsize s = lo; s < hi; s++)
    {
      const double *x = job->points + 3 * s;
      gsize first = 0;
      double w[3][4], u[3] = { 0, 0, 0 };
      gboolean inside = support (b, x, &first, w);
      if (inside)
        for (int k = 0; k < 4; k++)
          for (int j = 0; j < 4; j++)
            {
              double wjk = w[2][k] * w[1][j];
              gsize row = first + k * sxy + j * sx;
              for (int i = 0; i < 4; i++)
                {
                  double wt = wjk * w[0][i];
                  u[0] += wt * c[row + i];
                  u[1] += wt * c[n + row + i];
                  u[2] += wt * c[2 * n + row + i];
                }
            }
      double d[3] = { x[0] + u[0] - job->center[0], x[1] + u[1] - job->center[1], x[2] + u[2] - job->center[2] };
      double y[3], ijk[3];
      for (int r = 0; r < 3; r++)
        y[r] = m[3 * r] * d[0] + m[3 * r + 1] * d[1] + m[3 * r + 2] * d[2] + job->center[r] + job->translation[r];
      mt_register_apply34 (job->to_index, y, ijk);
      double value, gi[3];
      if (!mt_register_sample (job->moving, ijk, &value, gi))
        continue;
      double res = value - job->values[s];
      sum += res * res;
      count += 1;
      if (!inside)
        continue;
      /* d value / d u = M^T g, g the moving image's gradient in mm. */
      double g[3], h[3];
      for (int r = 0; r < 3; r++)
        g[r] = job->index_to_patient_grad[3 * r] * gi[0] + job->index_to_patient_grad[3 * r + 1] * gi[1]
               + job->index_to_patient_grad[3 * r + 2] * gi[2];
      for (int a = 0; a < 3; a++)
        h[a] = 2 * res * (m[a] * g[0] + m[3 + a] * g[1] + m[6 + a] * g[2]);
      for (int k = 0; k < 4; k++)
        for (int j = 0; j < 4; j++)
          {
            double wjk = w[2][k] * w[1][j];
            gsize row = first + k * sxy + j * sx;
            for (int i = 0; i < 4; i++)
              {
                double wt = wjk * w[0][i];
                grad[row + i] += wt * h[0];
                grad[n + row + i] += wt * h[1];
                grad[2 * n + row + i] += wt * h[2];
              }
          }
    }
  job->sums[chunk][0] = sum;
  job->sums[chunk][1] = count;
}

/* The bending penalty: the mean over the control points of the squared
 * second differences of their displacements along each axis (mm^2), and
 * its gradient added into grad scaled by weight. */
static double
bending (const MtBSpline *b, const double *c, double weight, double *grad)
{
  const gsize n = mt_bspline_n_points (b);
  const gsize stride[3] = { 1, (gsize) b->size[0], (gsize) b->size[0] * b->size[1] };
  double sum = 0;
  for (int k = 0; k < b->size[2]; k++)
    for (int j = 0; j < b->size[1]; j++)
      for (int i = 0; i < b->size[0]; i++)
        {
          const int at[3] = { i, j, k };
          gsize o = stride[2] * k + stride[1] * j + i;
          for (int a = 0; a < 3; a++)
            {
              if (at[a] == 0 || at[a] == b->size[a] - 1)
                continue;
              for (int d = 0; d < 3; d++)
                {
                  const double *cd = c + d * n;
                  double v = cd[o - stride[a]] - 2 * cd[o] + cd[o + stride[a]];
                  sum += v * v;
                  if (grad != NULL)
                    {
                      double *gd = grad + d * n;
                      double f = 2 * weight * v / n;
                      gd[o - stride[a]] += f;
                      gd[o] -= 2 * f;
                      gd[o + stride[a]] += f;
                    }
                }
            }
        }
  return sum / n;
}

/* The objective (mean square + weight * bending) at coefficients c, and
 * its gradient; NaN when the images no longer overlap. */
static double
ffd_evaluate (FfdJob *job, const double *c, double weight, double *grad, double *mean_square)
{
  job->coefficients = c;
  mt_parallel_for (CHUNKS, ffd_chunk, job);
  const gsize n3 = 3 * mt_bspline_n_points (job->b);
  double sum = 0, count = 0;
  for (int k = 0; k < CHUNKS; k++)
    {
      sum += job->sums[k][0];
      count += job->sums[k][1];
    }
  if (count < 0.1 * job->n_points || count < 100)
    return NAN;
  for (gsize p = 0; p < n3; p++)
    {
      double g = 0;
      for (int k = 0; k < CHUNKS; k++)
        g += job->grad[k][p];
      grad[p] = g / count;
    }
  *mean_square = sum / count;
  return *mean_square + weight * bending (job->b, c, weight, grad);
}

static double
dot (const double *a, const double *b, gsize n)
{
  double s = 0;
  for (gsize i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

/* L-BFGS with a backtracking line search on one pyramid level. Returns
 * FALSE when the images no longer overlap or on cancel. */
static gboolean
ffd_optimise (FfdJob *job, double *c, const MtRegisterOptions *o, double *mean_square, MtProgress *progress,
              double done, double share, GCancellable *cancellable, GError **error)
{
  const gsize n3 = 3 * mt_bspline_n_points (job->b);
  g_autofree double *g = g_new (double, n3), *trial = g_new (double, n3), *g_trial = g_new (double, n3);
  g_autofree double *dir = g_new (double, n3), *s = g_new (double, MEMORY * n3), *y = g_new (double, MEMORY * n3);
  double rho[MEMORY], alpha[MEMORY];
  int stored = 0, newest = -1;
  /* The penalty's weight: a millimetre squared of bending costs
   * `regularisation` times the mismatch this level starts from. */
  double ms;
  double f = ffd_evaluate (job, c, 0, g, &ms);
  if (isnan (f))
    return FALSE;
  double weight = o->regularisation * ms;
  f = ffd_evaluate (job, c, weight, g, &ms);
  int quiet = 0, max_it = o->max_iterations * 2;
  for (int it = 0; it < max_it; it++)
    {
      /* The two-loop recursion: dir = -H g. */
      memcpy (dir, g, n3 * sizeof (double));
      for (int m = 0; m < stored; m++)
        {
          int idx = (newest - m + MEMORY) % MEMORY;
          alpha[idx] = rho[idx] * dot (s + idx * n3, dir, n3);
          for (gsize p = 0; p < n3; p++)
            dir[p] -= alpha[idx] * y[idx * n3 + p];
        }
      double scale;
      if (stored > 0)
        scale = dot (s + newest * n3, y + newest * n3, n3) / dot (y + newest * n3, y + newest * n3, n3);
      else
        {
          /* The first step moves the largest coefficient by a millimetre. */
          double top = 0;
          for (gsize p = 0; p < n3; p++)
            top = MAX (top, fabs (g[p]));
          scale = top > 0 ? 1.0 / top : 1.0;
        }
      for (gsize p = 0; p < n3; p++)
        dir[p] *= scale;
      for (int m = stored - 1; m >= 0; m--)
        {
          int idx = (newest - m + MEMORY) % MEMORY;
          double beta = rho[idx] * dot (y + idx * n3, dir, n3);
          for (gsize p = 0; p < n3; p++)
            dir[p] += s[idx * n3 + p] * (alpha[idx] - beta);
        }
      for (gsize p = 0; p < n3; p++)
        dir[p] = -dir[p];
      double slope = dot (g, dir, n3);
      if (slope >= 0)
        {
          /* Not downhill: forget the curvature and go down the gradient. */
          stored = 0;
          double top = 0;
          for (gsize p = 0; p < n3; p++)
            top = MAX (top, fabs (g[p]));
          for (gsize p = 0; p < n3; p++)
            dir[p] = -g[p] / (top > 0 ? top : 1);
          slope = dot (g, dir, n3);
        }
      double step = 1, f_trial = NAN, ms_trial = ms;
      gboolean accepted = FALSE;
      for (int tries = 0; tries < 12; tries++, step *= 0.5)
        {
          for (gsize p = 0; p < n3; p++)
            trial[p] = c[p] + step * dir[p];
          f_trial = ffd_evaluate (job, trial, weight, g_trial, &ms_trial);
          if (!isnan (f_trial) && f_trial <= f + 1e-4 * step * slope)
            {
              accepted = TRUE;
              break;
            }
        }
      if (!accepted)
        break;
      newest = (newest + 1) % MEMORY;
      for (gsize p = 0; p < n3; p++)
        {
          s[newest * n3 + p] = trial[p] - c[p];
          y[newest * n3 + p] = g_trial[p] - g[p];
        }
      double sy = dot (s + newest * n3, y + newest * n3, n3);
      if (sy > 1e-12)
        {
          rho[newest] = 1.0 / sy;
          stored = MIN (stored + 1, MEMORY);
        }
      else
        newest = (newest - 1 + MEMORY) % MEMORY;
      double gain = (f - f_trial) / MAX (f, 1e-12);
      memcpy (c, trial, n3 * sizeof (double));
      memcpy (g, g_trial, n3 * sizeof (double));
      f = f_trial;
      ms = ms_trial;
      quiet = gain < 1e-4 ? quiet + 1 : 0;
      if (progress != NULL)
        mt_progress_update (progress, done + share * MIN (1.0, (double) it / max_it));
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (quiet >= 3)
        break;
    }
  *mean_square = ms;
  return TRUE;
}

MtBSpline *
mt_register_deformable (const MtVolume          *fixed,
                        const MtVolume          *moving,
                        const MtRegisterOptions *options,
                        MtTransform            **affine_out,
                        double                  *final_metric,
                        MtProgress              *progress,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  MtRegisterOptions o;
  if (options != NULL)
    o = *options;
  else
    mt_register_options_init (&o);
  Pyramid pyr;
  if (!mt_pyramid_init (&pyr, fixed, moving, o.levels, o.init, error))
    return NULL;
  /* Rigid, then affine, then the free-form deformation on top. */
  MtRegisterOptions linear = o;
  linear.metric = MT_METRIC_MEAN_SQUARES;
  if (progress != NULL)
    mt_progress_set_stage (progress, 0.0, 0.15, N_("Rigid alignment"));
  MtRegisterOptions coarse = linear;
  coarse.finest_level = o.levels - 1;
  g_autoptr (MtTransform) rigid = mt_register_linear (&pyr, 6, NULL, &coarse, NULL, progress, cancellable, error);
  g_autoptr (MtTransform) affine = NULL;
  if (rigid != NULL)
    {
      if (progress != NULL)
        mt_progress_set_stage (progress, 0.15, 0.35, N_("Affine alignment"));
      affine = mt_register_linear (&pyr, 12, rigid, &linear, NULL, progress, cancellable, error);
    }
  if (affine == NULL)
    {
      mt_pyramid_clear (&pyr);
      return NULL;
    }
  if (progress != NULL)
    mt_progress_set_stage (progress, 0.35, 1.0, N_("Deformable alignment"));
  g_autoptr (MtBSpline) b = mt_bspline_new_for (fixed, o.grid_mm);
  const gsize n3 = 3 * mt_bspline_n_points (b);
  gboolean ok = TRUE;
  double ms = 0;
  for (int l = pyr.levels - 1; l >= 0 && ok; l--)
    {
      FfdJob *job = g_new0 (FfdJob, 1);
      job->b = b;
      job->moving = pyr.moving[l];
      mt_register_patient_to_index (pyr.moving[l], job->to_index);
      for (int r = 0; r < 3; r++)
        for (int col = 0; col < 3; col++)
          job->index_to_patient_grad[3 * r + col] = pyr.moving[l]->direction[3 * r + col] / pyr.moving[l]->spacing[col];
      double *points;
      float *values;
      /* A quarter of the linear runs' points: each one costs 64 control
       * points' worth of work here. */
      job->n_points = mt_register_pick_points (pyr.fixed[l], MAX (10000, o.samples / 4), &points, &values);
      job->points = points;
      job->values = values;
      memcpy (job->matrix, affine->matrix, sizeof job->matrix);
      memcpy (job->center, affine->center, sizeof job->center);
      memcpy (job->translation, affine->translation, sizeof job->translation);
      for (int k = 0; k < CHUNKS; k++)
        job->grad[k] = g_new (double, n3);
      double done = (double) (pyr.levels - 1 - l) / pyr.levels;
      ok = ffd_optimise (job, b->coefficients, &o, &ms, progress, done, 1.0 / pyr.levels, cancellable, error);
      if (!ok && error != NULL && *error == NULL)
        g_set_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_DIVERGED,
                     _("The images no longer overlap: the registration drifted apart. Do they show the "
                       "same part of the body?"));
      g_debug ("deformable level %d: mean square %.2f", l, ms);
      for (int k = 0; k < CHUNKS; k++)
        g_free (job->grad[k]);
      g_free (points);
      g_free (values);
      g_free (job);
    }
  mt_pyramid_clear (&pyr);
  if (!ok)
    return NULL;
  if (final_metric != NULL)
    *final_metric = ms;
  *affine_out = g_steal_pointer (&affine);
  return g_steal_pointer (&b);
}

/* ------------------------------------------------------------ output */

static void
append_numbers (GString *s, const char *label, const double *v, gsize n)
{
  g_string_append (s, label);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (gsize i = 0; i < n; i++)
    {
      g_string_append_c (s, ' ');
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.17g", v[i]));
    }
  g_string_append_c (s, '\n');
}

gboolean
mt_deformable_write_itk (const MtTransform *affine,
                         const MtBSpline   *b,
                         const char        *path,
                         GError           **error)
{
  g_autoptr (GString) s = g_string_new ("#Insight Transform File V1.0\n"
                                        "#Transform 0\nTransform: CompositeTransform_double_3_3\n"
                                        "#Transform 1\nTransform: AffineTransform_double_3_3\n");
  double p[12];
  memcpy (p, affine->matrix, 9 * sizeof (double));
  memcpy (p + 9, affine->translation, 3 * sizeof (double));
  append_numbers (s, "Parameters:", p, 12);
  append_numbers (s, "FixedParameters:", affine->center, 3);
  g_string_append (s, "#Transform 2\nTransform: BSplineTransform_double_3_3\n");
  append_numbers (s, "Parameters:", b->coefficients, 3 * mt_bspline_n_points (b));
  /* Size, origin, spacing, direction (row-major), ITK's fixed parameters. */
  double fixed[18];
  for (int a = 0; a < 3; a++)
    {
      fixed[a] = b->size[a];
      fixed[3 + a] = b->origin[a];
      fixed[6 + a] = b->spacing[a];
    }
  memcpy (fixed + 9, b->direction, 9 * sizeof (double));
  append_numbers (s, "FixedParameters:", fixed, 18);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, s->str, (gssize) s->len, &local))
    {
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_IO, _("Cannot write the transform: %s"),
                   local->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const MtTransform *affine;
  const MtBSpline   *b;
  const MtVolume    *grid;
  float             *out;
} FieldJob;

static void
field_slice (gsize k, gpointer data)
{
  FieldJob *job = data;
  const MtVolume *v = job->grid;
  for (int j = 0; j < v->dims[1]; j++)
    for (int i = 0; i < v->dims[0]; i++)
      {
        double ijk[3] = { i, j, (double) k }, x[3], y[3];
        mt_volume_index_to_patient (v, ijk, x);
        mt_deformable_apply (job->affine, job->b, x, y);
        float *o = job->out + 3 * mt_volume_offset (v, i, j, (int) k);
        for (int a = 0; a < 3; a++)
          o[a] = (float) (y[a] - x[a]);
      }
}

float *
mt_deformable_field (const MtTransform *affine,
                     const MtBSpline   *bspline,
                     const MtVolume    *grid)
{
  FieldJob job = { affine, bspline, grid, g_new (float, 3 * mt_volume_n_voxels (grid)) };
  mt_parallel_for (grid->dims[2], field_slice, &job);
  return job.out;
}

/* Every number after the label on a line, as a new array. */
static GArray *
numbers_after (const char *line, const char *label)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  const char *p = line + strlen (label);
  for (;;)
    {
      char *end;
      double v = g_ascii_strtod (p, &end);
      if (end == p)
        break;
      g_array_append_val (a, v);
      p = end;
    }
  return a;
}

gboolean
mt_deformable_read_itk (const char   *path,
                        MtTransform **affine,
                        MtBSpline   **bspline,
                        GError      **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!g_str_has_prefix (text, "#Insight Transform File V1.0"))
    {
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_PARSE,
                   _("%s: not an ITK text transform file (it must start with '#Insight Transform File V1.0')"), path);
      return FALSE;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (MtTransform) a = NULL;
  g_autoptr (MtBSpline) b = NULL;
  enum { NONE, AFFINE, BSPLINE, COMPOSITE, OTHER } kind = NONE;
  g_autoptr (GArray) params = NULL;
  const char *problem = NULL;
  for (int i = 0; lines[i] != NULL && problem == NULL; i++)
    {
      const char *l = lines[i];
      if (g_str_has_prefix (l, "Transform:"))
        {
          if (strstr (l, "CompositeTransform_double_3_3"))
            kind = COMPOSITE;
          else if (strstr (l, "AffineTransform_double_3_3") || strstr (l, "MatrixOffsetTransformBase_double_3_3"))
            kind = a == NULL ? AFFINE : OTHER;
          else if (strstr (l, "BSplineTransform_double_3_3"))
            kind = b == NULL ? BSPLINE : OTHER;
          else
            kind = OTHER;
          if (kind == OTHER)
            problem = l + strlen ("Transform:");
          g_clear_pointer (&params, g_array_unref);
        }
      else if (g_str_has_prefix (l, "Parameters:"))
        {
          g_clear_pointer (&params, g_array_unref);
          params = numbers_after (l, "Parameters:");
        }
      else if (g_str_has_prefix (l, "FixedParameters:") && (kind == AFFINE || kind == BSPLINE))
        {
          g_autoptr (GArray) fixed = numbers_after (l, "FixedParameters:");
          const double *f = (const double *) fixed->data;
          if (kind == AFFINE)
            {
              if (params == NULL || params->len != 12 || fixed->len != 3)
                problem = "AffineTransform_double_3_3";
              else
                {
                  a = mt_transform_new_identity ();
                  memcpy (a->matrix, params->data, 9 * sizeof (double));
                  memcpy (a->translation, (double *) params->data + 9, 3 * sizeof (double));
                  memcpy (a->center, f, 3 * sizeof (double));
                }
            }
          else
            {
              gsize n = fixed->len == 18 && f[0] >= 4 && f[1] >= 4 && f[2] >= 4 && f[0] < 1e4 && f[1] < 1e4
                            && f[2] < 1e4 ? (gsize) f[0] * (gsize) f[1] * (gsize) f[2] : 0;
              if (n == 0 || params == NULL || params->len != 3 * n || f[6] <= 0 || f[7] <= 0 || f[8] <= 0)
                problem = "BSplineTransform_double_3_3";
              else
                {
                  b = g_new0 (MtBSpline, 1);
                  for (int k = 0; k < 3; k++)
                    {
                      b->size[k] = (int) f[k];
                      b->origin[k] = f[3 + k];
                      b->spacing[k] = f[6 + k];
                    }
                  memcpy (b->direction, f + 9, 9 * sizeof (double));
                  b->coefficients = g_memdup2 (params->data, 3 * n * sizeof (double));
                }
            }
          kind = NONE;
        }
    }
  if (problem != NULL || (a == NULL && b == NULL))
    {
      g_autofree char *what = g_strstrip (g_strdup (problem ? problem : _("no transform")));
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_PARSE,
                   _("%s: MedTwin reads affine transforms, B-spline transforms and a composite of one of each; "
                     "this file holds %s, or its numbers do not add up"), path, what);
      return FALSE;
    }
  *affine = a ? g_steal_pointer (&a) : mt_transform_new_identity ();
  *bspline = g_steal_pointer (&b);
  return TRUE;
}
