/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-anatomy.h"
#include "mt-twin.h"
#include "mt-viewer.h"

G_BEGIN_DECLS

/* The living twin beside the views: play, pause, speed and scrub; the
 * heart driven at a set rate or by an ECG file; contractility, resistance
 * and breathing; blood flow, pressure colours and moving outlines in the
 * slices; live traces and vitals; findings (decision support, not a
 * diagnosis); and the anatomy graph of the organs shown. It sets the
 * viewer's animation while it is open. */
#define MT_TYPE_TWIN_PANEL (mt_twin_panel_get_type ())
G_DECLARE_FINAL_TYPE (MtTwinPanel, mt_twin_panel, MT, TWIN_PANEL, GtkBox)

GtkWidget  *mt_twin_panel_new            (MtViewer    *viewer);
/* The organs' graph (takes it; NULL: none known). */
void        mt_twin_panel_set_anatomy    (MtTwinPanel *panel,
                                          MtAnatomy   *anatomy);
/* Shown (the twin animates the views) or put away (still again). */
void        mt_twin_panel_set_active     (MtTwinPanel *panel,
                                          gboolean     active);
void        mt_twin_panel_set_playing    (MtTwinPanel *panel,
                                          gboolean     playing);
gboolean    mt_twin_panel_get_playing    (MtTwinPanel *panel);
/* Moves the twin's clock on by seconds and shows the new moment. */
void        mt_twin_panel_advance        (MtTwinPanel *panel,
                                          double       seconds);
/* Shows the kept moment t (paused). */
void        mt_twin_panel_scrub          (MtTwinPanel *panel,
                                          double       t);
void        mt_twin_panel_set_heart_rate (MtTwinPanel *panel,
                                          double       bpm);
/* The heart beats at this record's R-peaks (WFDB, DICOM waveform, CSV). */
gboolean    mt_twin_panel_load_ecg       (MtTwinPanel *panel,
                                          const char  *path,
                                          GError     **error);
void        mt_twin_panel_set_flow       (MtTwinPanel *panel,
                                          gboolean     on);
void        mt_twin_panel_set_pressure_colors (MtTwinPanel *panel,
                                               gboolean     on);
MtTwin     *mt_twin_panel_get_twin       (MtTwinPanel *panel);
/* The moment shown. */
double      mt_twin_panel_get_time       (MtTwinPanel *panel);
const char *mt_twin_panel_get_vitals     (MtTwinPanel *panel);
const char *mt_twin_panel_get_findings   (MtTwinPanel *panel);
const char *mt_twin_panel_get_message    (MtTwinPanel *panel);

G_END_DECLS
