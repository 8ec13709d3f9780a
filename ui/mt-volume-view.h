/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-camera.h"
#include "mt-viewer.h"

G_BEGIN_DECLS

/* The 3-D view: ray casting of the viewer's volume; drag to rotate, scroll
 * to zoom. While the mouse drags frames are coarse, then one full frame. */
#define MT_TYPE_VOLUME_VIEW (mt_volume_view_get_type ())
G_DECLARE_FINAL_TYPE (MtVolumeView, mt_volume_view, MT, VOLUME_VIEW, GtkGLArea)

GtkWidget *mt_volume_view_new              (MtViewer      *viewer);
guint      mt_volume_view_get_drawn_serial (MtVolumeView  *self);
void       mt_volume_view_set_camera       (MtVolumeView  *self,
                                            MtCameraPreset preset);
/* Turn slowly about the body axis (for teaching), at interactive quality. */
void       mt_volume_view_set_spinning     (MtVolumeView  *self,
                                            gboolean       spinning);
double     mt_volume_view_get_azimuth      (MtVolumeView  *self);
/* Patient directions at the right, left, top and bottom edges. */
void       mt_volume_view_get_orientation_letters (MtVolumeView *self,
                                                   const char   *letters[4]);

/* The pixel scale frames are drawn at while the mouse drags (1: full size),
 * as measured frame times have set it. */
double     mt_volume_view_get_drag_scale  (MtVolumeView *self);
/* Patient mm to clip space as the view shows it now (row-major 4x4). */
void       mt_volume_view_get_to_screen   (MtVolumeView *self,
                                           double        to_screen[16]);

G_END_DECLS
