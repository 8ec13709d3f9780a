/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-draw"

#include "config.h"

#include <math.h>

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

/* Strokes the current path dark and wide, then in colour, so a line reads
 * on bone and on air. */
static void
stroke_outlined (cairo_t *cr, const GdkRGBA *color, gboolean dashed)
{
  const double dash[] = { 6, 4 };
  cairo_set_dash (cr, dash, dashed ? 2 : 0, 0);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
  cairo_set_line_width (cr, 3.5);
  cairo_stroke_preserve (cr);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
}

void
mt_snapshot_measurement (GtkSnapshot       *snapshot,
                         GtkWidget         *widget,
                         MtMeasurementKind  kind,
                         const double      *xy,
                         int                n_points,
                         gboolean           closed,
                         const char        *label,
                         const GdkRGBA     *color)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  if (n_points < 1 || w <= 0 || h <= 0)
    return;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  /* Where the label goes: above a region, above a distance's middle,
   * beside an angle's vertex. */
  double lx, ly;
  gboolean above = TRUE;
  if (kind == MT_MEASUREMENT_ELLIPSE && n_points >= 2)
    {
      /* Centre and a corner of the box. */
      double rx = fabs (xy[2] - xy[0]), ry = fabs (xy[3] - xy[1]);
      if (rx > 0.5 && ry > 0.5)
        {
          cairo_save (cr);
          cairo_translate (cr, xy[0], xy[1]);
          cairo_scale (cr, rx, ry);
          cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
          cairo_restore (cr);
          stroke_outlined (cr, color, !closed);
        }
      lx = xy[0];
      ly = xy[1] - ry;
    }
  else
    {
      cairo_move_to (cr, xy[0], xy[1]);
      for (int i = 1; i < n_points; i++)
        cairo_line_to (cr, xy[2 * i], xy[2 * i + 1]);
      if (closed && kind == MT_MEASUREMENT_POLYGON)
        cairo_close_path (cr);
      stroke_outlined (cr, color, !closed);
      /* Small squares at the points. */
      for (int i = 0; i < n_points; i++)
        {
          cairo_rectangle (cr, xy[2 * i] - 2.5, xy[2 * i + 1] - 2.5, 5, 5);
          stroke_outlined (cr, color, FALSE);
        }
      double top = xy[1], sx = 0;
      for (int i = 0; i < n_points; i++)
        {
          top = MIN (top, xy[2 * i + 1]);
          sx += xy[2 * i];
        }
      lx = sx / n_points;
      ly = top;
      if (kind == MT_MEASUREMENT_DISTANCE && n_points == 2)
        ly = (xy[1] + xy[3]) / 2;
      if (kind == MT_MEASUREMENT_ANGLE && n_points >= 2)
        {
          lx = xy[2] + 10;
          ly = xy[3] + 4;
          above = FALSE;
        }
    }
  cairo_destroy (cr);
  if (label == NULL || *label == '\0')
    return;
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, label);
  int tw, th;
  pango_layout_get_pixel_size (layout, &tw, &th);
  /* Kept inside the view. */
  double tx = above ? lx - tw / 2.0 : lx, ty = above ? ly - th - 6 : ly;
  tx = CLAMP (tx, 2, MAX (2, w - tw - 2));
  ty = CLAMP (ty, 2, MAX (2, h - th - 2));
  mt_snapshot_outlined_text (snapshot, layout, tx, ty, color);
  g_object_unref (layout);
}
