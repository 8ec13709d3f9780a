/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-draw"

#include "config.h"

#include "mt-draw.h"

void
mt_snapshot_outlined_text (GtkSnapshot   *snapshot,
                           PangoLayout   *layout,
                           double         x,
                           double         y,
                           const GdkRGBA *color)
{
  const GdkRGBA outline = { 0, 0, 0, 0.9f };
  /* Four diagonal copies, then the text itself. */
  for (int k = 0; k < 5; k++)
    {
      gtk_snapshot_save (snapshot);
      double dx = k < 4 ? (k % 2 ? 1 : -1) : 0, dy = k < 4 ? (k / 2 ? 1 : -1) : 0;
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + dx, y + dy));
      gtk_snapshot_append_layout (snapshot, layout, k < 4 ? &outline : color);
      gtk_snapshot_restore (snapshot);
    }
}
