/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <epoxy/gl.h>
#include <glib.h>

#include "mt-camera.h"
#include "mt-transfer-function.h"
#include "mt-types.h"

G_BEGIN_DECLS

#define MT_VOLUME_RENDERER_ERROR (mt_volume_renderer_error_quark ())
typedef enum
{
  MT_VOLUME_RENDERER_ERROR_MEMORY,
  MT_VOLUME_RENDERER_ERROR_DRIVER,
} MtVolumeRendererError;
GQuark mt_volume_renderer_error_quark (void);

/* GPU ray casting of one volume. Holds GL names: create, use and free it
 * with its context current, on the thread that owns the context. */
typedef struct _MtVolumeRenderer MtVolumeRenderer;

typedef enum
{
  MT_QUALITY_FULL,
  MT_QUALITY_INTERACTIVE,   /* while the mouse drags: fewer pixels, longer steps */
  MT_QUALITY_MOTION,        /* turning by itself (presentation): between the two */
} MtRenderQuality;

MtVolumeRenderer *mt_volume_renderer_new         (GError           **error);
void              mt_volume_renderer_free        (MtVolumeRenderer  *r);
gboolean          mt_volume_renderer_set_volume  (MtVolumeRenderer  *r,
                                                  const MtVolume    *volume,
                                                  GError           **error);
void              mt_volume_renderer_set_preset  (MtVolumeRenderer  *r,
                                                  MtRenderPreset     preset);
/* A preset and, unless NULL, edited points in its place: one upload. */
void              mt_volume_renderer_set_transfer (MtVolumeRenderer *r,
                                                   MtRenderPreset    preset,
                                                   const MtTfPoint  *points,
                                                   int               n);
/* Edited transfer-function points (rising values, in the volume's units)
 * in place of the preset's, shaded; NULL or n < 2 goes back to the preset. */
void              mt_volume_renderer_set_transfer_points (MtVolumeRenderer *r,
                                                          const MtTfPoint  *points,
                                                          int               n);
/* Opaque surfaces drawn first at the viewport's size (an
 * MtMeshRenderer's colour and depth textures): rays stop at them and the
 * surfaces show behind the volume. 0, 0: none. */
void              mt_volume_renderer_set_surfaces (MtVolumeRenderer *r,
                                                   GLuint            color_texture,
                                                   GLuint            depth_texture);
/* Keep, for each pixel, the window depth where the ray became half opaque
 * (1: never), in a texture of the size last drawn: see-through surfaces
 * behind the volume hide behind it. */
void              mt_volume_renderer_set_depth_output  (MtVolumeRenderer *r,
                                                        gboolean          on);
GLuint            mt_volume_renderer_get_depth_texture (MtVolumeRenderer *r,
                                                        int              *w,
                                                        int              *h);
/* The window a MIP is shown through (centre, width in the volume's units). */
void              mt_volume_renderer_set_window  (MtVolumeRenderer  *r,
                                                  double             center,
                                                  double             width);
/* Surgical clipping: what lies on the positive side of the plane
 * n . x + d > 0 (patient mm) is removed; a plane of n = 0 removes nothing. */
void              mt_volume_renderer_set_clip_plane (MtVolumeRenderer *r,
                                                     const double      plane[4]);
/* Only what lies inside the box (patient mm: x0, x1, y0, y1, z0, z1) is
 * drawn; NULL draws everything. */
void              mt_volume_renderer_set_clip_box   (MtVolumeRenderer *r,
                                                     const double     *box);
void              mt_volume_renderer_render      (MtVolumeRenderer  *r,
                                                  const MtCamera    *camera,
                                                  int                viewport_w,
                                                  int                viewport_h,
                                                  MtRenderQuality    quality);
/* A frame with pixel_scale times fewer pixels each way (then stretched to
 * the viewport) and step_scale times the full step; both at least 1. */
void              mt_volume_renderer_render_scaled (MtVolumeRenderer *r,
                                                    const MtCamera   *camera,
                                                    int               viewport_w,
                                                    int               viewport_h,
                                                    double            pixel_scale,
                                                    double            step_scale);
/* How long the GPU took for the newest frame whose time is known, in ms
 * (-1: none yet), and that frame's pixel scale. Never waits for the GPU. */
double            mt_volume_renderer_get_gpu_ms  (MtVolumeRenderer  *r,
                                                  double            *pixel_scale);
/* The pixel scale for the next frame while the mouse drags, from the last
 * frame's time, aiming at target_ms a frame (1 to 8). */
double            mt_adapt_pixel_scale           (double             scale,
                                                  double             frame_ms,
                                                  double             target_ms);
/* The step to go with a pixel scale while dragging: coarser pictures take
 * longer steps too (2.5 times the full step at a quarter of the pixels). */
double            mt_drag_step_scale             (double             pixel_scale);
/* 25 frames a second, leaving the rest of 20 fps to the toolkit. */
#define MT_DRAG_TARGET_MS 40.0
void              mt_volume_renderer_background  (float              rgb[3]);

G_END_DECLS
