/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-viewer.h"

G_BEGIN_DECLS

#define MT_TYPE_WINDOW (mt_window_get_type ())
G_DECLARE_FINAL_TYPE (MtWindow, mt_window, MT, WINDOW, GtkApplicationWindow)

MtWindow *mt_window_new        (GtkApplication *app);
/* Loads a DICOM folder or file in a worker thread; NULL opens the demo
 * patient, generating it first if the cache does not hold it yet. */
void      mt_window_open       (MtWindow       *self,
                                GFile          *file);
/* Loads the largest stack among these files (a series from the library). */
void      mt_window_open_paths (MtWindow           *self,
                                const char * const *paths);
/* Loads them as scan B, beside the open scan, for comparison. */
void      mt_window_compare_paths (MtWindow           *self,
                                   const char * const *paths);
MtViewer *mt_window_get_viewer (MtWindow       *self);
/* The patient library window of this window, created on first use. */
GtkWindow *mt_window_show_library (MtWindow    *self);
/* Saves what a window shows (every view as drawn) as a PNG. */
gboolean   mt_window_save_png       (GtkWidget  *window,
                                     const char *path,
                                     GError    **error);
/* The slice view of scan A for a plane (axial, coronal or sagittal). */
/* The segments' list, in its popover under the Segments button. */
GtkWidget *mt_window_get_segment_list (MtWindow *self);
GtkWidget *mt_window_get_surface_panel (MtWindow *self);
GtkWidget *mt_window_get_twin_panel    (MtWindow *self);
GtkWidget *mt_window_get_slice_view (MtWindow  *self,
                                     int        axis);
/* Presentation mode: the 3D view alone, full screen, large labels, turning. */
gboolean   mt_window_is_presenting  (MtWindow  *self);
gboolean   mt_window_annotations_visible (MtWindow *self);
/* The 3D view's camera azimuth (degrees). */
/* Remember the window's size (settings); done on close and on quit. */
void       mt_window_save_state     (MtWindow  *self);
/* The slice views' window preset ("soft-tissue", ...), or "custom". */
const char *mt_window_get_window_preset_name (MtWindow *self);
GtkWidget *mt_window_get_volume_view (MtWindow  *self);
double     mt_window_get_azimuth    (MtWindow  *self);
/* TRUE once every view has drawn the current volume. */
gboolean  mt_window_views_ready (MtWindow      *self);

/* The orientation letter at an edge (0 right, 1 left, 2 top, 3 bottom) of a
 * slice view (0 axial, 1 coronal, 2 sagittal), and its slice annotation. */
const char *mt_window_get_view_letter (MtWindow *self,
                                       int       view,
                                       int       edge);
const char *mt_window_get_slice_text  (MtWindow *self,
                                       int       view);
/* TRUE while a scan loads or segmentation runs. */
gboolean    mt_window_is_busy         (MtWindow *self);
/* The transfer-function editor (an MtTfEditor). */
GtkWidget  *mt_window_get_tf_editor   (MtWindow *self);
/* The measurements' list (an MtMeasurementList). */
GtkWidget  *mt_window_get_measurement_list (MtWindow *self);

G_END_DECLS
