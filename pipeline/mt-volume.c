/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-volume"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-volume.h"

G_DEFINE_QUARK (mt-volume-error-quark, mt_volume_error)

/* Refuse grids whose voxel count cannot be a scan: it protects every caller that
 * sizes a volume from header numbers. */
#define MT_VOLUME_MAX_VOXELS ((gsize) 2048 * 2048 * 4096)

MtVolume *
mt_volume_new (int      nx,
               int      ny,
               int      nz,
               GError **error)
{
  if (nx <= 0 || ny <= 0 || nz <= 0)
    {
      g_set_error (error, MT_VOLUME_ERROR, MT_VOLUME_ERROR_SIZE,
                   _ ("Volume size %d x %d x %d is empty or negative"), nx, ny, nz);
      return NULL;
    }
  gsize n = (gsize) nx * (gsize) ny * (gsize) nz;
  if (n > MT_VOLUME_MAX_VOXELS)
    {
      g_set_error (error, MT_VOLUME_ERROR, MT_VOLUME_ERROR_SIZE,
                   _ ("Volume size %d x %d x %d is larger than any scan MedTwin can hold"), nx, ny, nz);
      return NULL;
    }
  float *data = g_try_malloc0 (n * sizeof (float));
  if (data == NULL)
    {
      g_set_error (error, MT_VOLUME_ERROR, MT_VOLUME_ERROR_MEMORY,
                   _ ("Not enough memory for a %d x %d x %d volume (%.0f MB)"),
                   nx, ny, nz, n * sizeof (float) / 1e6);
      return NULL;
    }

  MtVolume *v = g_new0 (MtVolume, 1);
  g_atomic_ref_count_init (&v->ref);
  v->dims[0] = nx;
  v->dims[1] = ny;
  v->dims[2] = nz;
  for (int a = 0; a < 3; a++)
    {
      v->spacing[a] = 1.0;
      v->direction[a * 3 + a] = 1.0;
    }
  v->data = data;
  v->warnings = g_ptr_array_new_with_free_func (g_free);
  return v;
}

MtVolume *
mt_volume_ref (MtVolume *volume)
{
  g_return_val_if_fail (volume != NULL, NULL);
  g_atomic_ref_count_inc (&volume->ref);
  return volume;
}

void
mt_volume_unref (MtVolume *volume)
{
  g_return_if_fail (volume != NULL);
  if (!g_atomic_ref_count_dec (&volume->ref))
    return;
  g_free (volume->data);
  g_free (volume->rgb);
  g_free (volume->modality);
  g_free (volume->patient_name);
  g_free (volume->patient_id);
  g_free (volume->study_uid);
  g_free (volume->series_uid);
  g_free (volume->series_description);
  g_free (volume->study_date);
  g_free (volume->frame_of_reference_uid);
  g_ptr_array_unref (volume->warnings);
  g_free (volume);
}

gsize
mt_volume_n_voxels (const MtVolume *volume)
{
  return (gsize) volume->dims[0] * volume->dims[1] * volume->dims[2];
}

void
mt_volume_copy_geometry (MtVolume       *dest,
                         const MtVolume *src)
{
  memcpy (dest->spacing, src->spacing, sizeof dest->spacing);
  memcpy (dest->origin, src->origin, sizeof dest->origin);
  memcpy (dest->direction, src->direction, sizeof dest->direction);
}

void
mt_volume_index_to_patient (const MtVolume *v,
                            const double    ijk[3],
                            double          lps[3])
{
  double s[3] = { ijk[0] * v->spacing[0], ijk[1] * v->spacing[1], ijk[2] * v->spacing[2] };
  for (int r = 0; r < 3; r++)
    lps[r] = v->origin[r] + v->direction[r * 3 + 0] * s[0]
                          + v->direction[r * 3 + 1] * s[1]
                          + v->direction[r * 3 + 2] * s[2];
}

static void
invert3 (const double m[9], double inv[9])
{
  double det = m[0] * (m[4] * m[8] - m[5] * m[7])
             - m[1] * (m[3] * m[8] - m[5] * m[6])
             + m[2] * (m[3] * m[7] - m[4] * m[6]);
  double id = fabs (det) > 1e-12 ? 1.0 / det : 0.0;
  inv[0] = (m[4] * m[8] - m[5] * m[7]) * id;
  inv[1] = (m[2] * m[7] - m[1] * m[8]) * id;
  inv[2] = (m[1] * m[5] - m[2] * m[4]) * id;
  inv[3] = (m[5] * m[6] - m[3] * m[8]) * id;
  inv[4] = (m[0] * m[8] - m[2] * m[6]) * id;
  inv[5] = (m[2] * m[3] - m[0] * m[5]) * id;
  inv[6] = (m[3] * m[7] - m[4] * m[6]) * id;
  inv[7] = (m[1] * m[6] - m[0] * m[7]) * id;
  inv[8] = (m[0] * m[4] - m[1] * m[3]) * id;
}

void
mt_volume_patient_to_index (const MtVolume *v,
                            const double    lps[3],
                            double          ijk[3])
{
  /* The direction matrix need not be orthogonal (gantry tilt), so invert it. */
  double inv[9];
  invert3 (v->direction, inv);
  double d[3] = { lps[0] - v->origin[0], lps[1] - v->origin[1], lps[2] - v->origin[2] };
  for (int r = 0; r < 3; r++)
    ijk[r] = (inv[r * 3 + 0] * d[0] + inv[r * 3 + 1] * d[1] + inv[r * 3 + 2] * d[2]) / v->spacing[r];
}

void
mt_volume_get_range (const MtVolume *volume,
                     float          *min,
                     float          *max)
{
  gsize n = mt_volume_n_voxels (volume);
  float lo = volume->data[0], hi = volume->data[0];
  for (gsize i = 1; i < n; i++)
    {
      float x = volume->data[i];
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
  if (min)
    *min = lo;
  if (max)
    *max = hi;
}

float
mt_volume_get (const MtVolume *v,
               int             i,
               int             j,
               int             k)
{
  g_return_val_if_fail (i >= 0 && j >= 0 && k >= 0, 0.f);
  g_return_val_if_fail (i < v->dims[0] && j < v->dims[1] && k < v->dims[2], 0.f);
  return v->data[mt_volume_offset (v, i, j, k)];
}

float
mt_volume_sample_nearest (const MtVolume *v,
                          const double    lps[3],
                          float           outside)
{
  double ijk[3];
  mt_volume_patient_to_index (v, lps, ijk);
  int i = (int) lround (ijk[0]), j = (int) lround (ijk[1]), k = (int) lround (ijk[2]);
  if (i < 0 || j < 0 || k < 0 || i >= v->dims[0] || j >= v->dims[1] || k >= v->dims[2])
    return outside;
  return v->data[mt_volume_offset (v, i, j, k)];
}

MtVolume *
mt_volume_flip (const MtVolume *v,
                int             axis,
                GError        **error)
{
  g_return_val_if_fail (axis >= 0 && axis < 3, NULL);
  MtVolume *out = mt_volume_new (v->dims[0], v->dims[1], v->dims[2], error);
  if (out == NULL)
    return NULL;
  mt_volume_copy_geometry (out, v);
  /* The new first voxel is the old last one along the axis. */
  double last[3] = { 0, 0, 0 };
  last[axis] = v->dims[axis] - 1;
  mt_volume_index_to_patient (v, last, out->origin);
  for (int r = 0; r < 3; r++)
    out->direction[r * 3 + axis] = -v->direction[r * 3 + axis];
  const int nx = v->dims[0], ny = v->dims[1], nz = v->dims[2];
  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      {
        int sk = axis == 2 ? nz - 1 - k : k, sj = axis == 1 ? ny - 1 - j : j;
        const float *src = v->data + mt_volume_offset (v, 0, sj, sk);
        float *dst = out->data + mt_volume_offset (out, 0, j, k);
        if (axis == 0)
          for (int i = 0; i < nx; i++)
            dst[i] = src[nx - 1 - i];
        else
          memcpy (dst, src, (gsize) nx * sizeof (float));
      }
  out->modality = g_strdup (v->modality);
  out->series_uid = g_strdup (v->series_uid);
  out->series_description = g_strdup (v->series_description);
  for (guint w = 0; w < v->warnings->len; w++)
    g_ptr_array_add (out->warnings, g_strdup (v->warnings->pdata[w]));
  return out;
}

float
mt_volume_sample_linear (const MtVolume *v,
                         const double    lps[3],
                         float           outside)
{
  double ijk[3];
  mt_volume_patient_to_index (v, lps, ijk);
  int base[3];
  double t[3];
  for (int a = 0; a < 3; a++)
    {
      /* A single-voxel axis samples its one plane. */
      if (v->dims[a] == 1)
        {
          if (fabs (ijk[a]) > 0.5)
            return outside;
          base[a] = 0;
          t[a] = 0;
          continue;
        }
      if (ijk[a] < 0 || ijk[a] > v->dims[a] - 1)
        return outside;
      base[a] = MIN ((int) floor (ijk[a]), v->dims[a] - 2);
      t[a] = ijk[a] - base[a];
    }
  double acc = 0;
  for (int c = 0; c < 8; c++)
    {
      int o[3] = { c & 1, (c >> 1) & 1, (c >> 2) & 1 };
      double w = 1;
      int idx[3];
      for (int a = 0; a < 3; a++)
        {
          w *= o[a] ? t[a] : 1 - t[a];
          idx[a] = MIN (base[a] + o[a], v->dims[a] - 1);
        }
      if (w != 0)
        acc += w * v->data[mt_volume_offset (v, idx[0], idx[1], idx[2])];
    }
  return (float) acc;
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

void
mt_volume_percentiles (const MtVolume *volume,
                       gsize           max_samples,
                       double          p_low,
                       double          p_high,
                       double         *low,
                       double         *high)
{
  gsize n = mt_volume_n_voxels (volume), step = MAX ((gsize) 1, n / MAX (max_samples, (gsize) 1)), m = 0;
  g_autofree float *sample = g_new (float, n / step + 1);
  for (gsize i = 0; i < n; i += step)
    sample[m++] = volume->data[i];
  qsort (sample, m, sizeof (float), compare_floats);
  *low = sample[MIN (m - 1, (gsize) (m * p_low))];
  *high = sample[MIN (m - 1, (gsize) (m * p_high))];
}

void
mt_volume_auto_window (const MtVolume *volume,
                       double         *center,
                       double         *width)
{
  /* About a million voxels are plenty for two percentiles. */
  double lo, hi;
  mt_volume_percentiles (volume, 1 << 20, 0.005, 0.995, &lo, &hi);
  if (hi <= lo)
    hi = lo + 1;
  *center = 0.5 * (lo + hi);
  *width = hi - lo;
}

void
mt_volume_add_warning (MtVolume   *volume,
                       const char *format,
                       ...)
{
  va_list args;
  va_start (args, format);
  g_ptr_array_add (volume->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Which volume axis runs closest to patient axis 0 (L), 1 (P) or 2 (S), and in
 * which sense: the slice views use it to show patient planes whatever the
 * acquisition plane was. The assignment is the permutation that best fits all
 * three axes, so an oblique scan never maps two patient axes to one volume axis. */
int
mt_volume_axis_for_patient (const MtVolume *volume,
                            int             patient_axis,
                            int            *sign)
{
  static const int perms[6][3] = {
    { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
  };
  g_return_val_if_fail (patient_axis >= 0 && patient_axis < 3, 0);
  int best = 0;
  double best_score = -1;
  for (int p = 0; p < 6; p++)
    {
      double score = 0;
      for (int r = 0; r < 3; r++)
        score += fabs (volume->direction[r * 3 + perms[p][r]]);
      if (score > best_score + 1e-9)
        {
          best_score = score;
          best = p;
        }
    }
  int c = perms[best][patient_axis];
  if (sign)
    *sign = volume->direction[patient_axis * 3 + c] >= 0 ? 1 : -1;
  return c;
}

void
mt_volume_patient_bounds (const MtVolume *v,
                          double          box[6])
{
  for (int a = 0; a < 3; a++)
    {
      box[2 * a] = G_MAXDOUBLE;
      box[2 * a + 1] = -G_MAXDOUBLE;
    }
  for (int c = 0; c < 8; c++)
    {
      double ijk[3], p[3];
      for (int a = 0; a < 3; a++)
        ijk[a] = (c >> a) & 1 ? v->dims[a] - 1 : 0;
      mt_volume_index_to_patient (v, ijk, p);
      for (int a = 0; a < 3; a++)
        {
          box[2 * a] = MIN (box[2 * a], p[a]);
          box[2 * a + 1] = MAX (box[2 * a + 1], p[a]);
        }
    }
}
