/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-reslice.h"
#include "mt-viewer.h"

G_BEGIN_DECLS

/* One 2-D view (axial, coronal or sagittal) of the viewer's volume: scroll
 * for slices, drag for window/level, click to move the crosshair. */
#define MT_TYPE_SLICE_VIEW (mt_slice_view_get_type ())
G_DECLARE_FINAL_TYPE (MtSliceView, mt_slice_view, MT, SLICE_VIEW, GtkGLArea)

GtkWidget *mt_slice_view_new              (MtViewer    *viewer,
                                           MtViewAxis   axis);
/* The same view of the viewer's second scan. */
GtkWidget *mt_slice_view_new_full         (MtViewer    *viewer,
                                           MtViewAxis   axis,
                                           gboolean     second);
MtViewAxis mt_slice_view_get_axis         (MtSliceView *self);
/* The serial of the volume last drawn (0: none yet). */
guint      mt_slice_view_get_drawn_serial (MtSliceView *self);
/* Slice number (1-based) and count along this view's normal. */
void       mt_slice_view_get_slice        (MtSliceView *self,
                                           int         *slice,
                                           int         *n_slices);
/* The scale bar (on by default; off with the other annotations). */
void       mt_slice_view_set_scale_bar    (MtSliceView *self,
                                           gboolean     visible);
/* Its length as last drawn, in mm (0: none drawn), and in pixels in *px. */
double     mt_slice_view_get_scale_bar    (MtSliceView *self,
                                           double      *px);
/* Widget pixels per millimetre at the current size and zoom (0 before the
 * view is realized). */
double     mt_slice_view_get_pixels_per_mm (MtSliceView *self);

/* The patient point and the stored voxel value under widget point (x, y);
 * FALSE outside the scan. */
gboolean   mt_slice_view_probe            (MtSliceView *self,
                                           double       x,
                                           double       y,
                                           double       lps[3],
                                           float       *value);
/* Widget point of the crosshair. */
void       mt_slice_view_get_crosshair_point (MtSliceView *self,
                                              double      *x,
                                              double      *y);
/* Moves the crosshair through this view's planes, as scrolling does
 * (positive: towards the viewer; along the normal for an oblique plane). */
void       mt_slice_view_step             (MtSliceView *self,
                                           int          steps);
/* The measuring tools, as the mouse drives them: a click (angle, polygon;
 * a click on a polygon's first point closes it) and a drag (distance,
 * ellipse corner to corner), in widget points. */
void       mt_slice_view_tool_click       (MtSliceView *self,
                                           double       x,
                                           double       y);
void       mt_slice_view_tool_drag        (MtSliceView *self,
                                           double       x0,
                                           double       y0,
                                           double       x1,
                                           double       y1);
/* A dab of the brush or the eraser at a widget point (the tools' drag). */
void       mt_slice_view_paint            (MtSliceView *self,
                                           double       x,
                                           double       y,
                                           gboolean     continue_stroke);
/* The crop tool's drag, corner to corner in widget points: the crop box's
 * two sides in this view's plane (the third kept, or the whole scan's). */
void       mt_slice_view_crop_drag        (MtSliceView *self,
                                           double       x0,
                                           double       y0,
                                           double       x1,
                                           double       y1);
/* Where a patient point falls in the widget, through the plane shown. */
gboolean   mt_slice_view_patient_to_widget (MtSliceView  *self,
                                            const double  lps[3],
                                            double       *x,
                                            double       *y);
void       mt_slice_view_set_zoom         (MtSliceView *self,
                                           double       zoom);
/* TRUE while the view shows an oblique plane (another view's lines turned). */
gboolean   mt_slice_view_is_oblique       (MtSliceView *self);
/* Where the crosshair is drawn, in the shown image's pixels. */
gboolean   mt_slice_view_get_crosshair    (MtSliceView *self,
                                           double      *u,
                                           double      *v);
/* The two crosshair lines' unit directions on the screen (x right, y down):
 * where the other two views' planes cut this one. */
void       mt_slice_view_get_crosshair_axes (MtSliceView *self,
                                             double       dirs[4]);
/* The patient directions at the right, left, top and bottom edges. */
void       mt_slice_view_get_orientation_letters (MtSliceView *self,
                                                  char         letters[4][4]);

G_END_DECLS
