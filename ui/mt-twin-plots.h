/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-twin.h"

G_BEGIN_DECLS

/* The twin's live traces up to the moment shown: the ECG strip, aortic and
 * left-ventricular pressure, left-ventricular volume (the last 5 s), the
 * pressure-volume loop of the last beat and the lungs' volume (the last
 * 15 s). Draws what the twin kept; never changes it. */
GtkWidget *mt_twin_plots_new  (void);
/* twin (not owned; NULL draws nothing) at its moment t. */
void       mt_twin_plots_show (GtkWidget *plots,
                               MtTwin    *twin,
                               double     t);

G_END_DECLS
