/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-viewer.h"

G_BEGIN_DECLS

/* The 3D view's transfer function over the scan's histogram: opacity points
 * on a curve, each with a colour. Drag a point to move it, click elsewhere to
 * add one, right-click to remove it, double-click to choose its colour. The
 * viewer gets the edited points when a change is done. */
#define MT_TYPE_TF_EDITOR (mt_tf_editor_get_type ())
G_DECLARE_FINAL_TYPE (MtTfEditor, mt_tf_editor, MT, TF_EDITOR, GtkWidget)

GtkWidget       *mt_tf_editor_new          (MtViewer   *viewer);
const MtTfPoint *mt_tf_editor_get_points   (MtTfEditor *self,
                                            int        *n);
/* The edits the mouse makes, for keyboards and tests; each gives the viewer
 * the new points. Values are kept in order: a point cannot pass its
 * neighbours. */
void             mt_tf_editor_move_point   (MtTfEditor *self,
                                            int         index,
                                            double      value,
                                            double      opacity);
int              mt_tf_editor_add_point    (MtTfEditor *self,
                                            double      value,
                                            double      opacity);
gboolean         mt_tf_editor_remove_point (MtTfEditor *self,
                                            int         index);
void             mt_tf_editor_set_color    (MtTfEditor    *self,
                                            int            index,
                                            const GdkRGBA *color);
/* Back to the preset's own points. */
void             mt_tf_editor_reset        (MtTfEditor *self);
/* The histogram's value range: the middle 99.8 % of the scan, widened to
 * hold the points between the two end ones. */
void             mt_tf_editor_get_range    (MtTfEditor *self,
                                            double     *low,
                                            double     *high);

G_END_DECLS
