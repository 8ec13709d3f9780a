/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-measurement.h"

G_BEGIN_DECLS

/* Text over an image, with a dark outline so it reads on black and on
 * bright bone alike; (x, y) is the layout's top-left corner. */
void mt_snapshot_outlined_text (GtkSnapshot   *snapshot,
                                PangoLayout   *layout,
                                double         x,
                                double         y,
                                const GdkRGBA *color);

/* A measurement at widget points xy (x, y pairs; an ellipse gives its centre
 * and a corner), with its label beside it; dashed while still being drawn
 * (closed FALSE). */
void mt_snapshot_measurement   (GtkSnapshot       *snapshot,
                                GtkWidget         *widget,
                                MtMeasurementKind  kind,
                                const double      *xy,
                                int                n_points,
                                gboolean           closed,
                                const char        *label,
                                const GdkRGBA     *color);

G_END_DECLS
