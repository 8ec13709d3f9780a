/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <epoxy/gl.h>
#include <glib.h>

#include "mt-camera.h"
#include "mt-mesh.h"

G_BEGIN_DECLS

/* Surfaces (meshes) drawn with the volume: opaque ones first, into a colour
 * and depth picture the ray caster stops at and shows behind it; then the
 * transparent ones over the result, by weighted blended order-independent
 * transparency, so overlapping surfaces need no sorting. Holds GL names:
 * create, use and free it with its context current. */
typedef struct _MtMeshRenderer MtMeshRenderer;

MtMeshRenderer *mt_mesh_renderer_new        (GError          **error);
void            mt_mesh_renderer_free       (MtMeshRenderer   *r);
/* Adds a surface in a colour (alpha 1: opaque); returns its index. */
guint           mt_mesh_renderer_add        (MtMeshRenderer   *r,
                                             const MtMesh     *mesh,
                                             const float       rgba[4]);
void            mt_mesh_renderer_set_color  (MtMeshRenderer   *r,
                                             guint             index,
                                             const float       rgba[4]);
/* Round points (blood particles) drawn with the opaque surfaces; n 0: none. */
void            mt_mesh_renderer_set_points (MtMeshRenderer   *r,
                                             const float      *xyz,
                                             guint             n,
                                             const float       rgba[4],
                                             float             size_px);
/* Every surface (added in the animation's order, one each) posed and
 * coloured as the animation is now, its blood as points of point_px;
 * anchors: upload the anchors too (once after the surfaces were added).
 * FALSE if the surfaces are not the animation's. */
typedef struct _MtAnimation MtAnimation;
gboolean        mt_mesh_renderer_animate    (MtMeshRenderer   *r,
                                             MtAnimation      *animation,
                                             gboolean          anchors,
                                             float             point_px);
guint           mt_mesh_renderer_count      (MtMeshRenderer   *r);
void            mt_mesh_renderer_clear      (MtMeshRenderer   *r);
/* The opaque surfaces at w x h into the renderer's own picture (cleared to
 * depth 1 where there are none), a picture pixel pixel_scale screen pixels
 * wide (the blood's points keep their size on screen). The camera and
 * aspect must be the volume renderer's. */
void            mt_mesh_renderer_draw_opaque (MtMeshRenderer  *r,
                                              const MtCamera  *camera,
                                              int              w,
                                              int              h,
                                              double           pixel_scale);
GLuint          mt_mesh_renderer_get_color_texture (MtMeshRenderer *r);
GLuint          mt_mesh_renderer_get_depth_texture (MtMeshRenderer *r);
gboolean        mt_mesh_renderer_has_transparent (MtMeshRenderer *r);
/* The transparent surfaces at w x h (as the opaque ones were drawn), then
 * over framebuffer target (target_w x target_h), hidden where an opaque
 * surface is nearer, or where the volume became half opaque (volume_depth:
 * mt_volume_renderer_get_depth_texture's, 0: not known). */
void            mt_mesh_renderer_draw_transparent (MtMeshRenderer *r,
                                                   const MtCamera *camera,
                                                   int             w,
                                                   int             h,
                                                   GLuint          volume_depth,
                                                   GLuint          target,
                                                   int             target_w,
                                                   int             target_h);

/* The whole 3D picture into the bound framebuffer: opaque surfaces, the
 * volume (stopping at them), transparent surfaces over both. mesh may be
 * NULL. pixel_scale and step_scale as for mt_volume_renderer_render_scaled. */
typedef struct _MtVolumeRenderer MtVolumeRenderer;
void            mt_scene_render             (MtVolumeRenderer *volume,
                                             MtMeshRenderer   *mesh,
                                             const MtCamera   *camera,
                                             int               w,
                                             int               h,
                                             double            pixel_scale,
                                             double            step_scale);

G_END_DECLS
