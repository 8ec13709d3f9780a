/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-viewer.h"

G_BEGIN_DECLS

#define MT_TYPE_SEGMENT_LIST (mt_segment_list_get_type ())
G_DECLARE_FINAL_TYPE (MtSegmentList, mt_segment_list, MT, SEGMENT_LIST, GtkBox)

/* The segments of the scan shown: each with its colour, name, volume and
 * free-text label, shown or hidden, locked or not, and which one the brush
 * paints and the edit buttons act on (win.segment-edit). */
GtkWidget  *mt_segment_list_new          (MtViewer      *viewer);
/* The text of row i ("liver  1384 mL"), for tests; NULL past the end. */
const char *mt_segment_list_get_row_text (MtSegmentList *self,
                                          guint          i);

G_END_DECLS
