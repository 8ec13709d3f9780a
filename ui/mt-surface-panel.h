/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-mesh.h"
#include "mt-viewer.h"

G_BEGIN_DECLS

/* The surfaces shown in 3D, with their facts (triangles, area, volume,
 * closed or not); refined (small pieces, holes, smoothing, decimation) and
 * cut by the 3D view's clip plane and box with the cuts capped, each in a
 * worker with its progress and Cancel; the distance between two of them;
 * saved as STL, OBJ or PLY in LPS or RAS. */
#define MT_TYPE_SURFACE_PANEL (mt_surface_panel_get_type ())
G_DECLARE_FINAL_TYPE (MtSurfacePanel, mt_surface_panel, MT, SURFACE_PANEL, GtkBox)

GtkWidget  *mt_surface_panel_new               (MtViewer       *viewer);
/* Replaces every surface by its refined copy when the worker is done; the
 * raw ones stay on screen until then. */
void        mt_surface_panel_refine            (MtSurfacePanel *self);
/* Cuts every surface as it was before any cut by the view's clip plane and
 * box, capped; with neither, says how to set one. */
void        mt_surface_panel_cut               (MtSurfacePanel *self);
/* The surfaces as they were before the cut. */
void        mt_surface_panel_uncut             (MtSurfacePanel *self);
/* The mean and largest distance between surfaces a and b, in a worker. */
void        mt_surface_panel_measure_distance  (MtSurfacePanel *self,
                                                guint           a,
                                                guint           b);
gboolean    mt_surface_panel_save              (MtSurfacePanel *self,
                                                const char     *path,
                                                MtMeshSpace     space,
                                                GError        **error);
/* The running refinement, cut or distance stops; the surfaces stay as
 * they were. */
void        mt_surface_panel_cancel            (MtSurfacePanel *self);
/* A worker (refining, cutting, facts, distance) is running. */
gboolean    mt_surface_panel_is_busy           (MtSurfacePanel *self);
/* Row i's text as shown (NULL past the end); the distance's line; the
 * last message (a failure, what was done). */
const char *mt_surface_panel_get_row_text      (MtSurfacePanel *self,
                                                guint           i);
const char *mt_surface_panel_get_distance_text (MtSurfacePanel *self);
const char *mt_surface_panel_get_message       (MtSurfacePanel *self);

G_END_DECLS
