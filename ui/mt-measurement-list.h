/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-viewer.h"

G_BEGIN_DECLS

/* The list of the scan's measurements: each with its value, a button that
 * deletes it, and a click that takes the crosshair to it. */
#define MT_TYPE_MEASUREMENT_LIST (mt_measurement_list_get_type ())
G_DECLARE_FINAL_TYPE (MtMeasurementList, mt_measurement_list, MT, MEASUREMENT_LIST, GtkBox)

GtkWidget *mt_measurement_list_new    (MtViewer          *viewer);
/* The text of row i, as shown (NULL past the end). */
const char *mt_measurement_list_get_row_text (MtMeasurementList *self,
                                              guint              i);

G_END_DECLS
