/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-reslice"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-parallel.h"
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

static const char *axis_names[3] = { "axial", "coronal", "sagittal" };

const char *
mt_view_axis_name (MtViewAxis view)
{
  g_return_val_if_fail (view <= MT_VIEW_SAGITTAL, NULL);
  return axis_names[view];
}

gboolean
mt_view_axis_lookup (const char *name,
                     MtViewAxis *view)
{
  for (int v = 0; v < 3; v++)
    if (g_strcmp0 (name, axis_names[v]) == 0)
      {
        *view = (MtViewAxis) v;
        return TRUE;
      }
  return FALSE;
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
mt_oblique_plane_turn (MtObliquePlane *plane,
                       const double    axis[3],
                       double          degrees)
{
  double r[3], d[3];
  rotate_about (axis, degrees * G_PI / 180.0, plane->right, r);
  rotate_about (axis, degrees * G_PI / 180.0, plane->down, d);
  memcpy (plane->right, r, sizeof r);
  memcpy (plane->down, d, sizeof d);
}

void
mt_slice_layout_plane (const MtSliceLayout *l,
                       const MtVolume      *volume,
                       const double         center[3],
                       MtObliquePlane      *plane)
{
  /* The volume's own axes, as the standard view walks them: exact for
   * scans stored tilted, where the patient axes would cut across voxels. */
  memcpy (plane->center, center, sizeof plane->center);
  for (int i = 0; i < 3; i++)
    {
      plane->right[i] = volume->direction[i * 3 + l->axis_right] * (l->flip_right ? -1 : 1);
      plane->down[i] = volume->direction[i * 3 + l->axis_down] * (l->flip_down ? -1 : 1);
    }
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

typedef struct
{
  const MtVolume       *volume;
  const MtObliquePlane *plane;
  double                pixel_mm, step_mm;
  int                   width, height, half;
  MtSlabMode            mode;
  float                 outside;
  float                *out;
} ObliqueJob;

static void
oblique_row (gsize y, gpointer data)
{
  const ObliqueJob *job = data;
  const MtObliquePlane *pl = job->plane;
  double n[3];
  mt_oblique_plane_normal (pl, n);
  float *row = job->out + y * job->width;
  for (int x = 0; x < job->width; x++)
    {
      double p[3];
      /* Pixel centres. */
      mt_oblique_point (pl, job->pixel_mm, job->width, job->height, x + 0.5, y + 0.5, p);
      float acc = 0;
      int count = 0;
      /* The slab is clamped to the volume, as the standard views' is. */
      for (int k = -job->half; k <= job->half; k++)
        {
          double q[3];
          for (int i = 0; i < 3; i++)
            q[i] = p[i] + k * job->step_mm * n[i];
          float value = mt_volume_sample_linear (job->volume, q, NAN);
          if (isnan (value))
            continue;
          if (count++ == 0)
            acc = value;
          else if (job->mode == MT_SLAB_MIP)
            acc = MAX (acc, value);
          else if (job->mode == MT_SLAB_MINIP)
            acc = MIN (acc, value);
          else
            acc += value;
        }
      row[x] = count == 0 ? job->outside : job->mode == MT_SLAB_MEAN ? acc / count : acc;
    }
}

float *
mt_oblique_extract (const MtVolume       *volume,
                    const MtObliquePlane *plane,
                    double                pixel_mm,
                    int                   width,
                    int                   height,
                    float                 outside)
{
  return mt_oblique_extract_slab (volume, plane, pixel_mm, width, height, outside, MT_SLAB_NONE, 0);
}

float *
mt_oblique_extract_slab (const MtVolume       *volume,
                         const MtObliquePlane *plane,
                         double                pixel_mm,
                         int                   width,
                         int                   height,
                         float                 outside,
                         MtSlabMode            mode,
                         double                thickness_mm)
{
  g_return_val_if_fail (width > 0 && height > 0 && pixel_mm > 0, NULL);
  ObliqueJob job = { volume, plane, pixel_mm, 0, width, height, 0, mode, outside, NULL };
  if (mode != MT_SLAB_NONE && thickness_mm > 0)
    {
      /* Samples about one smallest voxel apart through the slab. */
      double step = MIN (volume->spacing[0], MIN (volume->spacing[1], volume->spacing[2]));
      job.half = (int) floor (thickness_mm / step / 2 + 0.5);
      job.step_mm = job.half > 0 ? thickness_mm / 2 / job.half : 0;
    }
  job.out = g_new (float, (gsize) width * height);
  mt_parallel_for (height, oblique_row, &job);
  return job.out;
}

void
mt_oblique_plane_normal (const MtObliquePlane *plane,
                         double                normal[3])
{
  /* right x down points away from the viewer, into the screen. */
  const double *r = plane->right, *d = plane->down;
  normal[0] = r[1] * d[2] - r[2] * d[1];
  normal[1] = r[2] * d[0] - r[0] * d[2];
  normal[2] = r[0] * d[1] - r[1] * d[0];
}

void
mt_oblique_plane_fit (MtObliquePlane *plane,
                      const MtVolume *volume,
                      double          pixel_mm,
                      int            *width,
                      int            *height)
{
  /* Centre the image on the volume's centre seen in the plane, and make it
   * big enough to hold the whole box turned any way within the plane. */
  double mid[3], ijk[3];
  for (int a = 0; a < 3; a++)
    ijk[a] = (volume->dims[a] - 1) / 2.0;
  mt_volume_index_to_patient (volume, ijk, mid);
  double off[3] = { mid[0] - plane->center[0], mid[1] - plane->center[1], mid[2] - plane->center[2] };
  double ou = off[0] * plane->right[0] + off[1] * plane->right[1] + off[2] * plane->right[2];
  double ov = off[0] * plane->down[0] + off[1] * plane->down[1] + off[2] * plane->down[2];
  for (int i = 0; i < 3; i++)
    plane->center[i] += ou * plane->right[i] + ov * plane->down[i];
  double half_u = 0, half_v = 0;
  for (int c = 0; c < 8; c++)
    {
      double corner[3], p[3];
      for (int a = 0; a < 3; a++)
        corner[a] = (c >> a) & 1 ? volume->dims[a] - 0.5 : -0.5;
      mt_volume_index_to_patient (volume, corner, p);
      double d[3] = { p[0] - mid[0], p[1] - mid[1], p[2] - mid[2] };
      half_u = MAX (half_u, fabs (d[0] * plane->right[0] + d[1] * plane->right[1] + d[2] * plane->right[2]));
      half_v = MAX (half_v, fabs (d[0] * plane->down[0] + d[1] * plane->down[1] + d[2] * plane->down[2]));
    }
  *width = MAX (1, (int) ceil (2 * half_u / pixel_mm));
  *height = MAX (1, (int) ceil (2 * half_v / pixel_mm));
}

void
mt_oblique_plane_project (const MtObliquePlane *plane,
                          double                pixel_mm,
                          int                   width,
                          int                   height,
                          const double          lps[3],
                          double               *u,
                          double               *v)
{
  double d[3] = { lps[0] - plane->center[0], lps[1] - plane->center[1], lps[2] - plane->center[2] };
  *u = (d[0] * plane->right[0] + d[1] * plane->right[1] + d[2] * plane->right[2]) / pixel_mm + width / 2.0;
  *v = (d[0] * plane->down[0] + d[1] * plane->down[1] + d[2] * plane->down[2]) / pixel_mm + height / 2.0;
}

void
mt_direction_letters (const double dir[3],
                      char         out[4])
{
  /* The patient directions a screen edge points to, strongest first, as
   * oblique views label them ("LA": mostly left, partly anterior). Components
   * under a quarter of the strongest are left out. */
  static const char pos[3] = { 'L', 'P', 'S' }, neg[3] = { 'R', 'A', 'I' };
  int order[3] = { 0, 1, 2 };
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (fabs (dir[order[j]]) > fabs (dir[order[i]]))
        {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
  double strongest = fabs (dir[order[0]]);
  int n = 0;
  for (int i = 0; i < 3 && strongest > 0; i++)
    if (fabs (dir[order[i]]) >= 0.25 * strongest)
      out[n++] = dir[order[i]] > 0 ? pos[order[i]] : neg[order[i]];
  out[n] = '\0';
}
