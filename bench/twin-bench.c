/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Frame time of the demo patient's animated 3D view (CT volume and its
 * organ surfaces, 800 x 600, offscreen): still, then beating, breathing and
 * with blood flowing, the pose and the particles worked out each frame as
 * the window does; then as the window plays it, at the pixel scale that
 * keeps the ray casting near 40 ms. Prints: still_ms animated_ms pose_ms
 * frames playing_ms playing_scale. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "mt-animation.h"
#include "mt-camera.h"
#include "mt-mesh-renderer.h"
#include "mt-offscreen.h"
#include "mt-phantom.h"
#include "mt-twin.h"
#include "mt-volume-renderer.h"

/* As the window does each frame: the twin on by a 30th of a second,
 * posed, into the renderer (the anchors with the first). */
static gboolean
twin_frame (MtTwin *twin, MtAnimation *anim, MtMeshRenderer *mr, gboolean anchors)
{
  mt_twin_advance (twin, 1.0 / 30);
  MtTwinSample s;
  mt_twin_get_now (twin, &s);
  mt_animation_pose (anim, &s);
  mt_animation_flow (anim, &s, 1.0 / 30);
  return mt_mesh_renderer_animate (mr, anim, anchors, 5);
}

int
main (int argc, char **argv)
{
  const int W = 800, H = 600, frames = argc > 1 ? atoi (argv[1]) : 30;
  g_autoptr (GError) error = NULL;
  MtOffscreen *gl = mt_offscreen_new (W, H, &error);
  if (gl == NULL)
    {
      fprintf (stderr, "no OpenGL: %s\n", error->message);
      return 77;
    }
  g_autoptr (MtPhantom) ph = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_autoptr (GPtrArray) surfaces = mt_phantom_surfaces (ph->labels, NULL, &error);
  g_autoptr (GHashTable) names = mt_phantom_label_names ();
  g_autoptr (MtAnatomy) anatomy = mt_anatomy_from_labels (ph->labels, names, &error);
  MtVolumeRenderer *vr = mt_volume_renderer_new (&error);
  mt_volume_renderer_set_volume (vr, ph->ct, &error);
  mt_volume_renderer_set_preset (vr, MT_PRESET_CT_BONE);
  MtMeshRenderer *mr = mt_mesh_renderer_new (&error);
  for (guint i = 0; i < surfaces->len; i++)
    mt_mesh_renderer_add (mr, ((MtSurface *) surfaces->pdata[i])->mesh, ((MtSurface *) surfaces->pdata[i])->rgba);
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ph->ct);
  mt_offscreen_resize (gl, W, H);
  /* One frame to warm up, then the still scene. */
  mt_scene_render (vr, mr, &camera, W, H, 1, 1);
  mt_offscreen_finish (gl);
  gint64 t0 = g_get_monotonic_time ();
  for (int f = 0; f < frames; f++)
    {
      camera.azimuth = f;   /* a new picture each frame */
      mt_scene_render (vr, mr, &camera, W, H, 1, 1);
      mt_offscreen_finish (gl);
    }
  double still = (g_get_monotonic_time () - t0) / 1e3 / frames;

  MtPhysioParams params;
  mt_physio_params_default (&params);
  g_autoptr (MtTwin) twin = mt_twin_new (&params);
  g_autoptr (MtAnimation) anim = mt_animation_new ((MtSurface * const *) surfaces->pdata, surfaces->len, anatomy);
  mt_animation_set_flow_shown (anim, TRUE);
  double pose_us = 0;
  t0 = g_get_monotonic_time ();
  for (int f = 0; f < frames; f++)
    {
      gint64 p0 = g_get_monotonic_time ();
      if (!twin_frame (twin, anim, mr, f == 0))
        return 1;
      pose_us += g_get_monotonic_time () - p0;
      camera.azimuth = f;
      mt_scene_render (vr, mr, &camera, W, H, 1, 1);
      mt_offscreen_finish (gl);
    }
  double animated = (g_get_monotonic_time () - t0) / 1e3 / frames;
  /* Played in the window: the pixel scale adapted frame by frame, as the
   * 3D view does while the twin plays; timed once it has settled. */
  double scale = 1;
  for (int f = 0; f < 2 * frames; f++)
    {
      if (f == frames)
        t0 = g_get_monotonic_time ();
      twin_frame (twin, anim, mr, FALSE);
      double measured_scale, ms = mt_volume_renderer_get_gpu_ms (vr, &measured_scale);
      if (ms > 0 && measured_scale >= 1)
        scale = mt_adapt_pixel_scale (measured_scale, ms, MT_DRAG_TARGET_MS);
      mt_scene_render (vr, mr, &camera, W, H, scale, mt_drag_step_scale (scale));
      mt_offscreen_finish (gl);
    }
  double playing = (g_get_monotonic_time () - t0) / 1e3 / frames;
  printf ("%.1f %.1f %.2f %d %.1f %.2f\n", still, animated, pose_us / 1e3 / frames, frames, playing, scale);
  mt_mesh_renderer_free (mr);
  mt_volume_renderer_free (vr);
  mt_offscreen_free (gl);
  return 0;
}
