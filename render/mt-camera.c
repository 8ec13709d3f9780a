/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-camera"

#include "config.h"

#include <math.h>

#include "mt-camera.h"
#include "mt-volume.h"

/* How far the scan's contents reach from the centre along L, P and S (mm):
 * voxels above the bottom 15% of its value range (air and noise below),
 * sampled every few voxels. */
static void
content_extent (const MtVolume *v, const double center[3], double ext[3])
{
  double p1, p995;
  mt_volume_percentiles (v, 1 << 16, 0.01, 0.995, &p1, &p995);
  const float threshold = (float) (p1 + 0.15 * (p995 - p1));
  const int step = MAX (1, MAX (v->dims[0], MAX (v->dims[1], v->dims[2])) / 96);
  ext[0] = ext[1] = ext[2] = 0;
  for (int k = 0; k < v->dims[2]; k += step)
    for (int j = 0; j < v->dims[1]; j += step)
      for (int i = 0; i < v->dims[0]; i += step)
        if (v->data[mt_volume_offset (v, i, j, k)] > threshold)
          {
            double ijk[3] = { i, j, k }, p[3];
            mt_volume_index_to_patient (v, ijk, p);
            for (int a = 0; a < 3; a++)
              ext[a] = MAX (ext[a], fabs (p[a] - center[a]));
          }
}

void
mt_camera_init_for_volume (MtCamera       *camera,
                           const MtVolume *v)
{
  double lo[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE }, hi[3] = { -G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  for (int c = 0; c < 8; c++)
    {
      double ijk[3] = { c & 1 ? v->dims[0] - 0.5 : -0.5, c & 2 ? v->dims[1] - 0.5 : -0.5,
                        c & 4 ? v->dims[2] - 0.5 : -0.5 };
      double p[3];
      mt_volume_index_to_patient (v, ijk, p);
      for (int a = 0; a < 3; a++)
        {
          lo[a] = MIN (lo[a], p[a]);
          hi[a] = MAX (hi[a], p[a]);
        }
    }
  double r2 = 0;
  for (int a = 0; a < 3; a++)
    {
      camera->target[a] = 0.5 * (lo[a] + hi[a]);
      r2 += 0.25 * (hi[a] - lo[a]) * (hi[a] - lo[a]);
    }
  camera->radius = sqrt (r2);
  camera->azimuth = 0;
  camera->elevation = 0;
  /* The bounding sphere is safe for any rotation but leaves the body small:
   * start closer, as the box seen from the front needs, unless what the scan
   * holds (the body, or a head filling its box) would then spill over the
   * edges: its nearest face, seen in perspective, must fit. */
  camera->fov = 30.0;
  double ext[3];
  content_extent (v, camera->target, ext);
  double half_fov = camera->fov * G_PI / 360.0;
  /* The field of view is vertical and 3D views are wider than tall (4:3 or
   * more): left-right has a third more room than head-foot. */
  double need = MAX (ext[2], 0.75 * ext[0]) / (0.92 * tan (half_fov)) + ext[1];
  double fit = need > 0 ? camera->radius / sin (half_fov) / need : 1.5;
  camera->zoom = CLAMP (fit, 0.8, 1.5);
}

void
mt_camera_set_preset (MtCamera      *camera,
                      MtCameraPreset preset)
{
  static const double angles[][2] = {
    [MT_CAMERA_ANTERIOR] = { 0, 0 },    [MT_CAMERA_POSTERIOR] = { 180, 0 },
    [MT_CAMERA_LEFT] = { 90, 0 },       [MT_CAMERA_RIGHT] = { -90, 0 },
    /* From above and below, anterior up, as 3D Slicer shows them. */
    [MT_CAMERA_SUPERIOR] = { 180, 89.9 }, [MT_CAMERA_INFERIOR] = { 0, -89.9 },
  };
  camera->azimuth = angles[preset][0];
  camera->elevation = angles[preset][1];
}

static double
distance (const MtCamera *camera)
{
  return camera->radius / sin (camera->fov * G_PI / 360.0) / MAX (camera->zoom, 0.05);
}

void
mt_camera_eye (const MtCamera *camera,
               vec3            eye)
{
  double a = camera->azimuth * G_PI / 180.0, e = camera->elevation * G_PI / 180.0;
  double d = distance (camera);
  eye[0] = (float) (camera->target[0] + d * sin (a) * cos (e));
  eye[1] = (float) (camera->target[1] - d * cos (a) * cos (e));
  eye[2] = (float) (camera->target[2] + d * sin (e));
}

void
mt_camera_matrices (const MtCamera *camera,
                    double          aspect,
                    mat4            view,
                    mat4            projection)
{
  vec3 eye, center = { (float) camera->target[0], (float) camera->target[1], (float) camera->target[2] };
  mt_camera_eye (camera, eye);
  /* Head up; looking straight down the body axis the "up" is anterior. */
  double a = camera->azimuth * G_PI / 180.0;
  vec3 up = { 0, 0, 1 };
  if (fabs (camera->elevation) > 89.0)
    {
      double s = camera->elevation > 0 ? 1 : -1;
      up[0] = (float) (-s * sin (a));
      up[1] = (float) (s * cos (a));
      up[2] = 0;
    }
  glm_lookat (eye, center, up, view);
  double d = distance (camera);
  if (camera->orthographic)
    {
      /* The bounding sphere fills the height at zoom 1. */
      float hh = (float) (camera->radius / MAX (camera->zoom, 0.05)), hw = (float) (hh * aspect);
      glm_ortho (-hw, hw, -hh, hh, (float) MAX (1.0, d - 2 * camera->radius), (float) (d + 2 * camera->radius),
                 projection);
      return;
    }
  glm_perspective ((float) (camera->fov * G_PI / 180.0), (float) aspect,
                   (float) MAX (1.0, d - 2 * camera->radius), (float) (d + 2 * camera->radius), projection);
}

static const char *
letter_for (const float v[3])
{
  /* The dominant patient axis of a direction, and its sense (LPS). */
  static const char *pos[3] = { "L", "P", "S" }, *neg[3] = { "R", "A", "I" };
  int best = 0;
  for (int a = 1; a < 3; a++)
    if (fabsf (v[a]) > fabsf (v[best]))
      best = a;
  return v[best] >= 0 ? pos[best] : neg[best];
}

void
mt_camera_orientation_letters (const MtCamera *camera,
                               const char     *letters[4])
{
  mat4 view, proj;
  mt_camera_matrices (camera, 1.0, view, proj);
  /* The view matrix's rows are the screen's right and up in patient space. */
  float right[3] = { view[0][0], view[1][0], view[2][0] };
  float up[3] = { view[0][1], view[1][1], view[2][1] };
  float left[3] = { -right[0], -right[1], -right[2] };
  float down[3] = { -up[0], -up[1], -up[2] };
  letters[0] = letter_for (right);
  letters[1] = letter_for (left);
  letters[2] = letter_for (up);
  letters[3] = letter_for (down);
}

void
mt_camera_screen_direction (const MtCamera *camera,
                            const double    direction[3],
                            double          screen[3])
{
  mat4 view, proj;
  mt_camera_matrices (camera, 1.0, view, proj);
  /* Rows of the view matrix: screen right, up and back, in patient space. */
  for (int r = 0; r < 3; r++)
    screen[r] = view[0][r] * direction[0] + view[1][r] * direction[1] + view[2][r] * direction[2];
  screen[1] = -screen[1];
}

void
mt_camera_project (const MtCamera *camera,
                   int             width,
                   int             height,
                   const double    lps[3],
                   double         *x,
                   double         *y)
{
  mat4 view, proj, vp;
  mt_camera_matrices (camera, (double) width / height, view, proj);
  glm_mat4_mul (proj, view, vp);
  vec4 p = { (float) lps[0], (float) lps[1], (float) lps[2], 1 }, clip;
  glm_mat4_mulv (vp, p, clip);
  *x = (clip[0] / clip[3] * 0.5 + 0.5) * width;
  *y = (0.5 - clip[1] / clip[3] * 0.5) * height;
}
