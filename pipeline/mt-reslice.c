/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-reslice"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-reslice.h"
#include "mt-volume.h"

/* Patient axes: 0 = towards Left, 1 = towards Posterior, 2 = towards Superior.
 * For each view: the patient axis and sense that points screen-right, then
 * screen-down, then the axis the slices step along. */
static const struct
{
  int right, right_sign, down, down_sign, normal;
} views[] = {
  [MT_VIEW_AXIAL]    = { 0, +1, 1, +1, 2 },
  [MT_VIEW_CORONAL]  = { 0, +1, 2, -1, 1 },
  [MT_VIEW_SAGITTAL] = { 1, +1, 2, -1, 0 },
};

void
mt_slice_layout_init (MtSliceLayout  *l,
                      const MtVolume *volume,
                      MtViewAxis      view)
{
  int sr, sd, sn;
  l->axis_right = mt_volume_axis_for_patient (volume, views[view].right, &sr);
  l->axis_down = mt_volume_axis_for_patient (volume, views[view].down, &sd);
  l->axis_normal = mt_volume_axis_for_patient (volume, views[view].normal, &sn);
  l->flip_right = sr * views[view].right_sign < 0;
  l->flip_down = sd * views[view].down_sign < 0;
  l->width = volume->dims[l->axis_right];
  l->height = volume->dims[l->axis_down];
  l->n_slices = volume->dims[l->axis_normal];
  l->pixel_w = volume->spacing[l->axis_right];
  l->pixel_h = volume->spacing[l->axis_down];
}

void
mt_slice_layout_voxel (const MtSliceLayout *l,
                       int                  u,
                       int                  v,
                       int                  slice,
                       int                  ijk[3])
{
  ijk[l->axis_right] = l->flip_right ? l->width - 1 - u : u;
  ijk[l->axis_down] = l->flip_down ? l->height - 1 - v : v;
  ijk[l->axis_normal] = slice;
}

void
mt_slice_layout_pixel (const MtSliceLayout *l,
                       const int            ijk[3],
                       int                 *u,
                       int                 *v,
                       int                 *slice)
{
  int a = ijk[l->axis_right], b = ijk[l->axis_down];
  *u = l->flip_right ? l->width - 1 - a : a;
  *v = l->flip_down ? l->height - 1 - b : b;
  *slice = ijk[l->axis_normal];
}

float *
mt_slice_extract (const MtVolume      *volume,
                  const MtSliceLayout *l,
                  int                  slice)
{
  g_return_val_if_fail (slice >= 0 && slice < l->n_slices, NULL);
  float *out = g_new (float, (gsize) l->width * l->height);
  gsize stride[3] = { 1, (gsize) volume->dims[0], (gsize) volume->dims[0] * volume->dims[1] };
  /* Walk with strides rather than per-pixel index maths: this runs on every
   * scroll step of every view. */
  int start[3];
  mt_slice_layout_voxel (l, 0, 0, slice, start);
  gssize du = (l->flip_right ? -1 : 1) * (gssize) stride[l->axis_right];
  gssize dv = (l->flip_down ? -1 : 1) * (gssize) stride[l->axis_down];
  const float *base = volume->data + start[0] * stride[0] + start[1] * stride[1] + start[2] * stride[2];
  for (int v = 0; v < l->height; v++)
    {
      const float *p = base + v * dv;
      float *row = out + (gsize) v * l->width;
      for (int u = 0; u < l->width; u++, p += du)
        row[u] = *p;
    }
  return out;
}

float *
mt_slice_extract_slab (const MtVolume      *volume,
                       const MtSliceLayout *l,
                       int                  slice,
                       int                  half,
                       MtSlabMode           mode)
{
  float *out = mt_slice_extract (volume, l, slice);
  if (mode == MT_SLAB_NONE || half <= 0 || out == NULL)
    return out;
  gsize n = (gsize) l->width * l->height;
  int first = MAX (0, slice - half), last = MIN (l->n_slices - 1, slice + half);
  for (int s = first; s <= last; s++)
    {
      if (s == slice)
        continue;
      g_autofree float *other = mt_slice_extract (volume, l, s);
      for (gsize i = 0; i < n; i++)
        {
          switch (mode)
            {
            case MT_SLAB_MIP: out[i] = MAX (out[i], other[i]); break;
            case MT_SLAB_MINIP: out[i] = MIN (out[i], other[i]); break;
            default: out[i] += other[i]; break;
            }
        }
    }
  if (mode == MT_SLAB_MEAN)
    for (gsize i = 0; i < n; i++)
      out[i] /= (float) (last - first + 1);
  return out;
}

guint8 *
mt_slice_extract_rgb (const MtVolume      *volume,
                      const MtSliceLayout *l,
                      int                  slice)
{
  g_return_val_if_fail (volume->rgb != NULL, NULL);
  g_return_val_if_fail (slice >= 0 && slice < l->n_slices, NULL);
  guint8 *out = g_new (guint8, (gsize) l->width * l->height * 3);
  for (int v = 0; v < l->height; v++)
    for (int u = 0; u < l->width; u++)
      {
        int ijk[3];
        mt_slice_layout_voxel (l, u, v, slice, ijk);
        memcpy (out + ((gsize) v * l->width + u) * 3,
                volume->rgb + mt_volume_offset (volume, ijk[0], ijk[1], ijk[2]) * 3, 3);
      }
  return out;
}

void
mt_view_orientation_letters (MtViewAxis  view,
                             const char *letters[4])
{
  static const char *axial[4] = { "L", "R", "A", "P" };
  static const char *coronal[4] = { "L", "R", "S", "I" };
  static const char *sagittal[4] = { "P", "A", "S", "I" };
  const char **src = view == MT_VIEW_AXIAL ? axial : view == MT_VIEW_CORONAL ? coronal : sagittal;
  for (int i = 0; i < 4; i++)
    letters[i] = src[i];
}

/* Rodrigues' rotation of v about unit axis k by angle a. */
static void
rotate_about (const double k[3], double a, const double v[3], double out[3])
{
  double c = cos (a), s = sin (a);
  double kxv[3] = { k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0] };
  double kv = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
  for (int i = 0; i < 3; i++)
    out[i] = v[i] * c + kxv[i] * s + k[i] * kv * (1 - c);
}

void
mt_oblique_plane_init (MtObliquePlane *plane,
                       MtViewAxis      view,
                       const double    center[3],
                       int             rot_axis,
                       double          degrees)
{
  /* The standard views as radiologists read them (see MtViewAxis). */
  static const double right[3][3] = { { 1, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 } };
  static const double down[3][3] = { { 0, 1, 0 }, { 0, 0, -1 }, { 0, 0, -1 } };
  g_return_if_fail (rot_axis >= 0 && rot_axis < 3);
  double k[3] = { 0, 0, 0 };
  k[rot_axis] = 1;
  memcpy (plane->center, center, sizeof plane->center);
  rotate_about (k, degrees * G_PI / 180.0, right[view], plane->right);
  rotate_about (k, degrees * G_PI / 180.0, down[view], plane->down);
}

void
mt_oblique_point (const MtObliquePlane *plane,
                  double                pixel_mm,
                  int                   width,
                  int                   height,
                  double                u,
                  double                v,
                  double                lps[3])
{
  double du = (u - width / 2.0) * pixel_mm, dv = (v - height / 2.0) * pixel_mm;
  for (int i = 0; i < 3; i++)
    lps[i] = plane->center[i] + du * plane->right[i] + dv * plane->down[i];
}

float *
mt_oblique_extract (const MtVolume       *volume,
                    const MtObliquePlane *plane,
                    double                pixel_mm,
                    int                   width,
                    int                   height,
                    float                 outside)
{
  float *out = g_new (float, (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double p[3];
        /* Pixel centres. */
        mt_oblique_point (plane, pixel_mm, width, height, x + 0.5, y + 0.5, p);
        out[(gsize) y * width + x] = mt_volume_sample_linear (volume, p, outside);
      }
  return out;
}
