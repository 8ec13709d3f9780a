/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-twin-plots"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mt-twin-plots.h"

#define STRIP_S 5.0
#define BREATH_S 15.0

typedef struct
{
  MtTwin *twin;
  double  t;
  GArray *samples;     /* MtTwinSample, reused */
} Plots;

static void
plots_free (Plots *p)
{
  g_array_unref (p->samples);
  g_free (p);
}

/* A trace's box: title at the top left, the range at the right. */
static void
frame (cairo_t *cr, GtkWidget *widget, double x, double y, double w, double h, const char *title, double lo,
       double hi)
{
  cairo_set_source_rgb (cr, 0.13, 0.14, 0.16);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.08);
  cairo_set_line_width (cr, 1);
  for (int k = 1; k < 4; k++)
    {
      cairo_move_to (cr, x, y + h * k / 4.0 + 0.5);
      cairo_line_to (cr, x + w, y + h * k / 4.0 + 0.5);
    }
  cairo_stroke (cr);
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, title);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.75);
  cairo_move_to (cr, x + 4, y + 2);
  pango_cairo_show_layout (cr, layout);
  g_autofree char *range = g_strdup_printf ("%.4g … %.4g", lo, hi);
  pango_layout_set_text (layout, range, -1);
  int tw, th;
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_move_to (cr, x + w - tw - 4, y + 2);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

typedef double (*Field) (const MtTwinSample *s);
static double f_t (const MtTwinSample *s) { return s->t; }
static double f_ecg (const MtTwinSample *s) { return s->ecg_mv; }
static double f_pao (const MtTwinSample *s) { return s->p_ao; }
static double f_plv (const MtTwinSample *s) { return s->p_lv; }
static double f_vlv (const MtTwinSample *s) { return s->v_lv; }
static double f_lung (const MtTwinSample *s) { return s->lung_l; }

/* What a box shows along one way: a field over lo..hi. */
typedef struct
{
  Field  f;
  double lo, hi;
} Axis;

/* The samples from t0 on as a line in the box (x, y, w, h): a trace when
 * ax is time, a loop when it is another field. */
static void
curve (cairo_t *cr, GArray *s, double t0, Axis ax, Axis ay, double x, double y, double w, double h, double r,
       double g, double b)
{
  cairo_set_source_rgb (cr, r, g, b);
  cairo_set_line_width (cr, 1.5);
  gboolean first = TRUE;
  for (guint i = 0; i < s->len; i++)
    {
      const MtTwinSample *p = &g_array_index (s, MtTwinSample, i);
      if (p->t < t0)
        continue;
      double px = x + w * (ax.f (p) - ax.lo) / (ax.hi - ax.lo);
      double py = y + h - h * CLAMP ((ay.f (p) - ay.lo) / (ay.hi - ay.lo), -0.02, 1.02);
      if (first)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
      first = FALSE;
    }
  cairo_stroke (cr);
}

static void
range_of (GArray *s, double t0, Field f, double *lo, double *hi, double pad)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < s->len; i++)
    {
      const MtTwinSample *p = &g_array_index (s, MtTwinSample, i);
      if (p->t >= t0)
        *lo = MIN (*lo, f (p)), *hi = MAX (*hi, f (p));
    }
  if (!isfinite (*lo))
    *lo = 0, *hi = 1;
  double span = MAX (*hi - *lo, 1e-3);
  *lo -= pad * span;
  *hi += pad * span;
}

static void
draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  Plots *p = data;
  cairo_set_source_rgb (cr, 0.09, 0.1, 0.11);
  cairo_paint (cr);
  if (p->twin == NULL)
    return;
  GtkWidget *widget = GTK_WIDGET (area);
  mt_twin_history (p->twin, p->t - BREATH_S, p->t, p->samples);
  GArray *s = p->samples;
  const double t1 = p->t, t0 = t1 - STRIP_S;
  const double gap = 4, w = width;
  /* Rows: ECG, pressures, volume; below, the loop beside the breath. */
  double h_ecg = height * 0.2, h_p = height * 0.24, h_v = height * 0.18, h_bottom = height - h_ecg - h_p - h_v - 3 * gap;
  double y = 0;
  const Axis strip = { f_t, t0, t1 }, pressure = { f_plv, 0, 160 }, aortic = { f_pao, 0, 160 };
  Axis ecg = { f_ecg }, volume = { f_vlv }, loop_volume = { f_vlv }, lung = { f_lung };

  range_of (s, t0, f_ecg, &ecg.lo, &ecg.hi, 0.1);
  frame (cr, widget, 0, y, w, h_ecg, _("ECG (mV)"), ecg.lo, ecg.hi);
  curve (cr, s, t0, strip, ecg, 0, y, w, h_ecg, 0.3, 1.0, 0.4);
  y += h_ecg + gap;

  frame (cr, widget, 0, y, w, h_p, _("Pressure (mmHg): aortic, left ventricle"), 0, 160);
  curve (cr, s, t0, strip, pressure, 0, y, w, h_p, 1.0, 0.65, 0.2);
  curve (cr, s, t0, strip, aortic, 0, y, w, h_p, 1.0, 0.3, 0.3);
  y += h_p + gap;

  range_of (s, t0, f_vlv, &volume.lo, &volume.hi, 0.1);
  frame (cr, widget, 0, y, w, h_v, _("Left ventricle volume (mL)"), volume.lo, volume.hi);
  curve (cr, s, t0, strip, volume, 0, y, w, h_v, 0.4, 0.7, 1.0);
  y += h_v + gap;

  /* The pressure-volume loop of the last beat (60 / rate seconds). */
  double loop_w = MIN (h_bottom, w / 2 - gap / 2);
  double beat = 60.0 / MAX (20.0, s->len ? g_array_index (s, MtTwinSample, s->len - 1).heart_rate_bpm : 75.0);
  range_of (s, t1 - beat, f_vlv, &loop_volume.lo, &loop_volume.hi, 0.08);
  frame (cr, widget, 0, y, loop_w, h_bottom, _("PV loop"), 0, 160);
  curve (cr, s, t1 - beat, loop_volume, pressure, 0, y, loop_w, h_bottom, 1.0, 0.85, 0.3);

  double bx = loop_w + gap, bw = w - bx;
  const Axis breaths = { f_t, t1 - BREATH_S, t1 };
  range_of (s, t1 - BREATH_S, f_lung, &lung.lo, &lung.hi, 0.1);
  frame (cr, widget, bx, y, bw, h_bottom, _("Lung volume (L)"), lung.lo, lung.hi);
  curve (cr, s, t1 - BREATH_S, breaths, lung, bx, y, bw, h_bottom, 0.6, 0.9, 1.0);
}

GtkWidget *
mt_twin_plots_new (void)
{
  GtkWidget *area = gtk_drawing_area_new ();
  Plots *p = g_new0 (Plots, 1);
  p->samples = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 380);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 320);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw, p, (GDestroyNotify) plots_free);
  g_object_set_data (G_OBJECT (area), "mt-plots", p);
  return area;
}

void
mt_twin_plots_show (GtkWidget *plots,
                    MtTwin    *twin,
                    double     t)
{
  Plots *p = g_object_get_data (G_OBJECT (plots), "mt-plots");
  g_return_if_fail (p != NULL);
  p->twin = twin;
  p->t = t;
  gtk_widget_queue_draw (plots);
}
