/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-anatomy.h"
#include "mt-volume.h"
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
/* The patient's organs as a label map and the names of its values (takes
 * them; NULL: the scan's own segments, when it has some). Their anatomy
 * graph is worked out off the main thread once the twin is shown. */
void        mt_twin_panel_set_labels     (MtTwinPanel *panel,
                                          MtVolume    *labels,
                                          GHashTable  *names);
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
MtTwin     *mt_twin_panel_get_twin       (MtTwinPanel *panel);
/* TRUE while the organs' graph is being worked out. */
gboolean    mt_twin_panel_is_busy        (MtTwinPanel *panel);
/* The organs' graph; NULL until it is worked out, or without organs. */
const MtAnatomy *mt_twin_panel_get_anatomy (MtTwinPanel *panel);
const char *mt_twin_panel_get_vitals     (MtTwinPanel *panel);
const char *mt_twin_panel_get_findings   (MtTwinPanel *panel);
const char *mt_twin_panel_get_message    (MtTwinPanel *panel);

G_END_DECLS
