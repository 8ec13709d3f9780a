/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Text over an image, with a dark outline so it reads on black and on
 * bright bone alike; (x, y) is the layout's top-left corner. */
void mt_snapshot_outlined_text (GtkSnapshot   *snapshot,
                                PangoLayout   *layout,
                                double         x,
                                double         y,
                                const GdkRGBA *color);

G_END_DECLS
