/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Draws one 2-D slice (row 0 at the top) under a window, fitted to the
 * viewport with its true pixel aspect, with optional crosshair lines. Holds GL
 * names: create, use and free it with its context current. */
typedef struct _MtSliceRenderer MtSliceRenderer;

/* How a second image on the same pixels (another scan resampled onto
 * this one's grid) is shown with it. */
typedef enum
{
  MT_FUSION_OFF,
  MT_FUSION_BLEND,         /* the two mixed, the blend the second's share */
  MT_FUSION_CHECKERBOARD,  /* squares of one and the other */
  MT_FUSION_DIFFERENCE,    /* first minus second, mid-grey where equal */
} MtFusionMode;

MtSliceRenderer *mt_slice_renderer_new               (GError          **error);
void             mt_slice_renderer_free              (MtSliceRenderer  *r);
void             mt_slice_renderer_set_slice         (MtSliceRenderer  *r,
                                                      const float      *values,
                                                      int               width,
                                                      int               height,
                                                      double            pixel_w,
                                                      double            pixel_h);
/* A colour slice: shown as it is, the window does not apply. */
void             mt_slice_renderer_set_rgb_slice     (MtSliceRenderer  *r,
                                                      const guint8     *rgb,
                                                      int               width,
                                                      int               height,
                                                      double            pixel_w,
                                                      double            pixel_h);
/* Segment colours over the slice (RGBA, the slice's own width x height,
 * row 0 at the top); NULL takes them away. */
void             mt_slice_renderer_set_overlay       (MtSliceRenderer  *r,
                                                      const guint8     *rgba,
                                                      int               width,
                                                      int               height);
/* The second image's slice, the same size as the slice (NULL: none). */
void             mt_slice_renderer_set_fusion_slice  (MtSliceRenderer  *r,
                                                      const float      *values,
                                                      int               width,
                                                      int               height);
/* The mode, the second image's share in a blend (0..1), the checkerboard's
 * square in mm and the second image's own window. */
void             mt_slice_renderer_set_fusion        (MtSliceRenderer  *r,
                                                      MtFusionMode      mode,
                                                      double            blend,
                                                      double            checker_mm,
                                                      double            center,
                                                      double            width);
void             mt_slice_renderer_set_window        (MtSliceRenderer  *r,
                                                      double            center,
                                                      double            width);
void             mt_slice_renderer_set_linear        (MtSliceRenderer  *r,
                                                      gboolean          linear);
/* MONOCHROME1 images: higher values darker. */
void             mt_slice_renderer_set_inverted      (MtSliceRenderer  *r,
                                                      gboolean          inverted);
void             mt_slice_renderer_set_zoom_pan      (MtSliceRenderer  *r,
                                                      double            zoom,
                                                      double            pan_x,
                                                      double            pan_y);
void             mt_slice_renderer_set_crosshair     (MtSliceRenderer  *r,
                                                      gboolean          visible,
                                                      double            u,
                                                      double            v);
/* The crosshair lines' directions in screen millimetres (x right, y down),
 * for oblique planes; set_crosshair resets them to horizontal and vertical. */
void             mt_slice_renderer_set_crosshair_axes (MtSliceRenderer *r,
                                                      const double      dirs[4]);
void             mt_slice_renderer_render            (MtSliceRenderer  *r,
                                                      int               viewport_w,
                                                      int               viewport_h);
/* Viewport pixel (from top-left) to slice pixel coordinates (0..width). */
gboolean         mt_slice_renderer_viewport_to_slice (MtSliceRenderer  *r,
                                                      int               viewport_w,
                                                      int               viewport_h,
                                                      double            x,
                                                      double            y,
                                                      double           *u,
                                                      double           *v);
/* The inverse: slice pixel coordinates to viewport pixels. */
void             mt_slice_renderer_slice_to_viewport (MtSliceRenderer  *r,
                                                      int               viewport_w,
                                                      int               viewport_h,
                                                      double            u,
                                                      double            v,
                                                      double           *x,
                                                      double           *y);
/* How many viewport pixels one millimetre covers at the current fit and zoom. */
double           mt_slice_renderer_pixels_per_mm     (MtSliceRenderer  *r,
                                                      int               viewport_w,
                                                      int               viewport_h);

G_END_DECLS
