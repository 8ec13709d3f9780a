/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-tf-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mt-tf-editor.h"
#include "mt-volume.h"

#define N_BINS 200
#define MARGIN 10.0
#define STRIP 12.0       /* the colour strip under the curve */
#define HIT 8.0          /* how near a click must be to take a point */

struct _MtTfEditor
{
  GtkWidget  parent_instance;
  MtViewer  *viewer;
  GArray    *points;      /* MtTfPoint, by rising value */
  double     low, high;   /* the histogram's values */
  double     p_low, p_high; /* the middle 99.8 % of the scan */
  double     bins[N_BINS];/* log counts, 0..1 */
  int        dragging;    /* the point being dragged, or -1 */
  gboolean   moved;
  gboolean   applying;    /* the viewer's change is our own */
};

G_DEFINE_FINAL_TYPE (MtTfEditor, mt_tf_editor, GTK_TYPE_WIDGET)

static MtTfPoint *
point (MtTfEditor *self, int i)
{
  return &g_array_index (self->points, MtTfPoint, i);
}

/* ---------------------------------------------------------- geometry */

static void
plot_rect (MtTfEditor *self, double *x0, double *y0, double *w, double *h)
{
  *x0 = MARGIN;
  *y0 = MARGIN;
  *w = MAX (1.0, gtk_widget_get_width (GTK_WIDGET (self)) - 2 * MARGIN);
  *h = MAX (1.0, gtk_widget_get_height (GTK_WIDGET (self)) - 2 * MARGIN - STRIP - 16);
}

static double
value_to_x (MtTfEditor *self, double value)
{
  double x0, y0, w, h;
  plot_rect (self, &x0, &y0, &w, &h);
  return x0 + CLAMP ((value - self->low) / (self->high - self->low), 0.0, 1.0) * w;
}

static double
opacity_to_y (MtTfEditor *self, double a)
{
  double x0, y0, w, h;
  plot_rect (self, &x0, &y0, &w, &h);
  return y0 + (1 - CLAMP (a, 0.0, 1.0)) * h;
}

static void
widget_to_point (MtTfEditor *self, double x, double y, double *value, double *opacity)
{
  double x0, y0, w, h;
  plot_rect (self, &x0, &y0, &w, &h);
  *value = self->low + CLAMP ((x - x0) / w, 0.0, 1.0) * (self->high - self->low);
  *opacity = CLAMP (1 - (y - y0) / h, 0.0, 1.0);
}

static int
hit_point (MtTfEditor *self, double x, double y)
{
  int best = -1;
  double best_d = HIT;
  for (guint i = 0; i < self->points->len; i++)
    {
      double d = hypot (x - value_to_x (self, point (self, i)->value), y - opacity_to_y (self, point (self, i)->a));
      if (d <= best_d)
        {
          best = (int) i;
          best_d = d;
        }
    }
  return best;
}

/* ------------------------------------------------------------- model */

static void
apply (MtTfEditor *self)
{
  self->applying = TRUE;
  mt_viewer_set_transfer_points (self->viewer, (MtTfPoint *) self->points->data, (int) self->points->len);
  self->applying = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The histogram over the middle 99.8 % of the values, widened to hold
 * every point but the two at the ends (often the table's own ends), counts
 * on a log scale so both the air peak and a small bone tail show. */
static void
fit_histogram (MtTfEditor *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  memset (self->bins, 0, sizeof self->bins);
  self->low = self->p_low;
  self->high = self->p_high;
  for (guint i = 1; i + 1 < self->points->len; i++)
    {
      self->low = MIN (self->low, point (self, i)->value);
      self->high = MAX (self->high, point (self, i)->value);
    }
  if (self->high <= self->low)
    self->high = self->low + 1;
  if (v == NULL)
    return;
  gsize n = mt_volume_n_voxels (v), stride = MAX (1, n / (1 << 18));
  double counts[N_BINS] = { 0 }, top = 0;
  for (gsize i = 0; i < n; i += stride)
    {
      double t = (v->data[i] - self->low) / (self->high - self->low);
      if (t >= 0 && t < 1)
        counts[(int) (t * N_BINS)] += 1;
    }
  for (int b = 0; b < N_BINS; b++)
    top = MAX (top, log1p (counts[b]));
  for (int b = 0; b < N_BINS; b++)
    self->bins[b] = top > 0 ? log1p (counts[b]) / top : 0;
}

/* The points the viewer shows: its edited ones, or its preset's. */
static void
load_points (MtTfEditor *self)
{
  int n;
  const MtTfPoint *edited = mt_viewer_get_transfer_points (self->viewer, &n);
  g_array_set_size (self->points, 0);
  if (edited != NULL)
    g_array_append_vals (self->points, edited, n);
  else
    {
      MtVolume *v = mt_viewer_get_volume (self->viewer);
      double p1 = 0, p995 = 1;
      if (v != NULL)
        mt_volume_percentiles (v, 1 << 16, 0.01, 0.995, &p1, &p995);
      g_autofree MtTfPoint *pts = mt_transfer_function_preset_points (mt_viewer_get_preset (self->viewer), p1,
                                                                      p995, &n);
      g_array_append_vals (self->points, pts, n);
    }
  fit_histogram (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_preset_changed (MtTfEditor *self)
{
  if (!self->applying)
    load_points (self);
}

static void
on_volume_changed (MtTfEditor *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  self->p_low = 0;
  self->p_high = 1;
  if (v != NULL)
    mt_volume_percentiles (v, 1 << 16, 0.001, 0.999, &self->p_low, &self->p_high);
  load_points (self);
}

const MtTfPoint *
mt_tf_editor_get_points (MtTfEditor *self,
                         int        *n)
{
  *n = (int) self->points->len;
  return (const MtTfPoint *) self->points->data;
}

void
mt_tf_editor_get_range (MtTfEditor *self,
                        double     *low,
                        double     *high)
{
  *low = self->low;
  *high = self->high;
}

static void
move_point (MtTfEditor *self, int i, double value, double opacity)
{
  g_return_if_fail (i >= 0 && i < (int) self->points->len);
  /* Between its neighbours, so the values stay in order. */
  double lo = i > 0 ? point (self, i - 1)->value : -1e9;
  double hi = i + 1 < (int) self->points->len ? point (self, i + 1)->value : 1e9;
  point (self, i)->value = (float) CLAMP (value, lo, hi);
  point (self, i)->a = (float) CLAMP (opacity, 0.0, 1.0);
}

void
mt_tf_editor_move_point (MtTfEditor *self,
                         int         index,
                         double      value,
                         double      opacity)
{
  move_point (self, index, value, opacity);
  apply (self);
}

static int
insert_point (MtTfEditor *self, double value, double opacity)
{
  guint i = 0;
  while (i < self->points->len && point (self, i)->value < value)
    i++;
  /* Its colour is the curve's colour there. */
  MtTfPoint p = { (float) value, 1, 1, 1, (float) CLAMP (opacity, 0.0, 1.0) };
  if (i > 0 && i < self->points->len)
    {
      const MtTfPoint *a = point (self, i - 1), *b = point (self, i);
      float t = b->value > a->value ? (float) ((value - a->value) / (b->value - a->value)) : 0;
      p.r = a->r + t * (b->r - a->r);
      p.g = a->g + t * (b->g - a->g);
      p.b = a->b + t * (b->b - a->b);
    }
  else if (self->points->len > 0)
    {
      const MtTfPoint *edge = point (self, i > 0 ? i - 1 : 0);
      p.r = edge->r, p.g = edge->g, p.b = edge->b;
    }
  g_array_insert_val (self->points, i, p);
  return (int) i;
}

int
mt_tf_editor_add_point (MtTfEditor *self,
                        double      value,
                        double      opacity)
{
  int i = insert_point (self, value, opacity);
  apply (self);
  return i;
}

gboolean
mt_tf_editor_remove_point (MtTfEditor *self,
                           int         index)
{
  /* A curve needs two points. */
  if (index < 0 || index >= (int) self->points->len || self->points->len <= 2)
    return FALSE;
  g_array_remove_index (self->points, index);
  apply (self);
  return TRUE;
}

void
mt_tf_editor_set_color (MtTfEditor    *self,
                        int            index,
                        const GdkRGBA *color)
{
  g_return_if_fail (index >= 0 && index < (int) self->points->len);
  point (self, index)->r = color->red;
  point (self, index)->g = color->green;
  point (self, index)->b = color->blue;
  apply (self);
}

void
mt_tf_editor_reset (MtTfEditor *self)
{
  self->applying = TRUE;
  mt_viewer_set_transfer_points (self->viewer, NULL, 0);
  self->applying = FALSE;
  load_points (self);
}

/* ------------------------------------------------------------ drawing */

static void
mt_tf_editor_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  MtTfEditor *self = MT_TF_EDITOR (widget);
  int W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  double x0, y0, w, h;
  plot_rect (self, &x0, &y0, &w, &h);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, W, H));
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  cairo_rectangle (cr, x0, y0, w, h);
  cairo_fill (cr);

  /* The histogram, grey, behind the curve. */
  cairo_set_source_rgba (cr, 0.55, 0.55, 0.6, 0.6);
  cairo_move_to (cr, x0, y0 + h);
  for (int b = 0; b < N_BINS; b++)
    {
      double bx = x0 + w * b / N_BINS, by = y0 + h * (1 - self->bins[b]);
      cairo_line_to (cr, bx, by);
      cairo_line_to (cr, x0 + w * (b + 1) / N_BINS, by);
    }
  cairo_line_to (cr, x0 + w, y0 + h);
  cairo_close_path (cr);
  cairo_fill (cr);

  /* The colour strip: each value's colour, as bright as it is opaque. */
  for (int px = 0; px < (int) w; px++)
    {
      double value = self->low + (self->high - self->low) * (px + 0.5) / w;
      guint i = 0;
      while (i + 1 < self->points->len && point (self, i + 1)->value < value)
        i++;
      const MtTfPoint *a = point (self, i), *b = point (self, MIN (i + 1, self->points->len - 1));
      double t = b->value > a->value ? CLAMP ((value - a->value) / (b->value - a->value), 0.0, 1.0) : 0.0;
      double alpha = a->a + t * (b->a - a->a), k = 0.3 + 0.7 * sqrt (alpha);
      cairo_set_source_rgb (cr, k * (a->r + t * (b->r - a->r)), k * (a->g + t * (b->g - a->g)),
                            k * (a->b + t * (b->b - a->b)));
      cairo_rectangle (cr, x0 + px, y0 + h + 4, 1, STRIP);
      cairo_fill (cr);
    }

  /* The opacity curve and its points, each in its own colour. */
  cairo_set_line_width (cr, 1.5);
  cairo_set_source_rgb (cr, 0.95, 0.95, 0.9);
  for (guint i = 0; i < self->points->len; i++)
    {
      double px = value_to_x (self, point (self, i)->value), py = opacity_to_y (self, point (self, i)->a);
      if (i == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
  cairo_stroke (cr);
  for (guint i = 0; i < self->points->len; i++)
    {
      const MtTfPoint *p = point (self, i);
      double px = value_to_x (self, p->value), py = opacity_to_y (self, p->a);
      cairo_arc (cr, px, py, (int) i == self->dragging ? 6 : 5, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, p->r, p->g, p->b);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);

  /* The ends of the value axis. */
  const GdkRGBA text = { 0.8, 0.8, 0.8, 1 };
  for (int e = 0; e < 2; e++)
    {
      g_autofree char *label = g_strdup_printf ("%.0f", e ? self->high : self->low);
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, label);
      int tw, th;
      pango_layout_get_pixel_size (layout, &tw, &th);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (e ? x0 + w - tw : x0, y0 + h + STRIP + 5));
      gtk_snapshot_append_layout (snapshot, layout, &text);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
    }
}

/* -------------------------------------------------------------- mouse */

static void
on_color_response (GtkDialog *dialog, int response, MtTfEditor *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "index"));
  if (response == GTK_RESPONSE_OK && index < (int) self->points->len)
    {
      GdkRGBA color;
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (dialog), &color);
      G_GNUC_END_IGNORE_DEPRECATIONS
      mt_tf_editor_set_color (self, index, &color);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
choose_color (MtTfEditor *self, int index)
{
  /* GtkColorChooserDialog: GTK 4.8 has no GtkColorDialog yet. */
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkWidget *dialog = gtk_color_chooser_dialog_new (_("Colour of the point"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  const MtTfPoint *p = point (self, index);
  gtk_color_chooser_set_use_alpha (GTK_COLOR_CHOOSER (dialog), FALSE);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (dialog), &(GdkRGBA) { p->r, p->g, p->b, 1 });
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "index", GINT_TO_POINTER (index));
  g_signal_connect (dialog, "response", G_CALLBACK (on_color_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, MtTfEditor *self)
{
  int button = (int) gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  int hit = hit_point (self, x, y);
  if (button == GDK_BUTTON_SECONDARY)
    {
      if (hit >= 0)
        mt_tf_editor_remove_point (self, hit);
      return;
    }
  if (n_press == 2 && hit >= 0)
    choose_color (self, hit);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, MtTfEditor *self)
{
  self->dragging = hit_point (self, x, y);
  self->moved = FALSE;
  if (self->dragging < 0)
    {
      /* A click beside the curve adds a point there. */
      double value, opacity;
      widget_to_point (self, x, y, &value, &opacity);
      self->dragging = insert_point (self, value, opacity);
      self->moved = TRUE;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, MtTfEditor *self)
{
  double x, y, value, opacity;
  if (self->dragging < 0 || (fabs (dx) + fabs (dy) < 2 && !self->moved))
    return;
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  widget_to_point (self, x + dx, y + dy, &value, &opacity);
  move_point (self, self->dragging, value, opacity);
  self->moved = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, MtTfEditor *self)
{
  /* The 3D view redraws once the change is done: a full frame can take a
   * large part of a second on a software GL. */
  if (self->dragging >= 0 && self->moved)
    apply (self);
  self->dragging = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------- object */

static void
mt_tf_editor_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                      int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 520 : 200;
}

static void
mt_tf_editor_dispose (GObject *object)
{
  MtTfEditor *self = MT_TF_EDITOR (object);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->points, g_array_unref);
  G_OBJECT_CLASS (mt_tf_editor_parent_class)->dispose (object);
}

static void
mt_tf_editor_class_init (MtTfEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_tf_editor_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = mt_tf_editor_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = mt_tf_editor_measure;
}

static void
mt_tf_editor_init (MtTfEditor *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (MtTfPoint));
  self->dragging = -1;
  self->low = self->p_low = 0;
  self->high = self->p_high = 1;
  GtkGesture *click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Drag a point to move it; click beside the curve to add one; right-click a point "
                                 "to remove it; double-click it to choose its colour"));
}

GtkWidget *
mt_tf_editor_new (MtViewer *viewer)
{
  MtTfEditor *self = g_object_new (MT_TYPE_TF_EDITOR, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "volume-changed", G_CALLBACK (on_volume_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "preset-changed", G_CALLBACK (on_preset_changed), self, G_CONNECT_SWAPPED);
  on_volume_changed (self);
  return GTK_WIDGET (self);
}
