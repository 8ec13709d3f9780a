/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-measurement-list"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mt-list-panel.h"
#include "mt-measurement-list.h"
#include "mt-volume.h"

struct _MtMeasurementList
{
  GtkBox     parent_instance;
  MtViewer  *viewer;
  GtkWidget *list;
  GtkWidget *empty;
  GtkWidget *clear;
  GPtrArray *labels;      /* the rows' value labels, in order */
};

G_DEFINE_FINAL_TYPE (MtMeasurementList, mt_measurement_list, GTK_TYPE_BOX)

static const char *
kind_label (MtMeasurementKind kind)
{
  static const char *labels[MT_MEASUREMENT_N_KINDS] = { N_("Distance"), N_("Angle"), N_("Ellipse"),
                                                        N_("Polygon") };
  return _(labels[kind]);
}

static const char *
view_label (MtViewAxis view)
{
  static const char *labels[3] = { N_("axial"), N_("coronal"), N_("sagittal") };
  return _(labels[view]);
}

static void
on_delete (GtkButton *button, MtMeasurementList *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index"));
  if (index < mt_viewer_get_measurements (self->viewer)->len)
    mt_viewer_remove_measurement (self->viewer, index);
}

/* A row clicked: the crosshair goes to the measurement's first point (an
 * ellipse's centre), so every view shows it. */
static void
on_row_activated (GtkListBox *box, GtkListBoxRow *row, MtMeasurementList *self)
{
  GPtrArray *list = mt_viewer_get_measurements (self->viewer);
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  guint index = (guint) gtk_list_box_row_get_index (row);
  if (v == NULL || index >= list->len)
    return;
  const MtMeasurement *m = list->pdata[index];
  double idx[3];
  int ijk[3];
  mt_volume_patient_to_index (v, m->points, idx);
  for (int a = 0; a < 3; a++)
    ijk[a] = (int) lround (idx[a]);
  mt_viewer_set_cursor (self->viewer, ijk);
}

static void
rebuild (MtMeasurementList *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  g_ptr_array_set_size (self->labels, 0);
  GPtrArray *list = mt_viewer_get_measurements (self->viewer);
  for (guint i = 0; i < list->len; i++)
    {
      const MtMeasurement *m = list->pdata[i];
      g_autofree char *value = mt_measurement_describe (m);
      g_autofree char *text = g_strdup_printf ("%u. %s (%s): %s", i + 1, kind_label (m->kind), view_label (m->view),
                                               value);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
      gtk_widget_set_hexpand (label, TRUE);
      GtkWidget *del = gtk_button_new_from_icon_name ("edit-delete-symbolic");
      gtk_widget_add_css_class (del, "flat");
      gtk_widget_set_tooltip_text (del, _("Delete this measurement"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (del), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Delete"), -1);
      g_object_set_data (G_OBJECT (del), "index", GUINT_TO_POINTER (i));
      g_signal_connect (del, "clicked", G_CALLBACK (on_delete), self);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), del);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
      g_ptr_array_add (self->labels, label);
    }
  gtk_widget_set_visible (self->empty, list->len == 0);
  gtk_widget_set_sensitive (self->clear, list->len > 0);
}

static void
on_clear (GtkButton *button, MtMeasurementList *self)
{
  mt_viewer_clear_measurements (self->viewer);
}

static void
mt_measurement_list_dispose (GObject *object)
{
  MtMeasurementList *self = MT_MEASUREMENT_LIST (object);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  G_OBJECT_CLASS (mt_measurement_list_parent_class)->dispose (object);
}

static void
mt_measurement_list_class_init (MtMeasurementListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_measurement_list_dispose;
}

static void
mt_measurement_list_init (MtMeasurementList *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->labels = g_ptr_array_new ();
  self->list = mt_list_panel_add (GTK_BOX (self),
                                  _("No measurements yet. Choose a tool (Ctrl+D distance, Ctrl+G angle, "
                                    "Ctrl+E ellipse, Ctrl+P polygon) and draw on a slice view."), 40, 420, 420,
                                  &self->empty);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (self->list), TRUE);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  self->clear = gtk_button_new_with_mnemonic (_("Delete _all"));
  gtk_widget_set_halign (self->clear, GTK_ALIGN_END);
  g_signal_connect (self->clear, "clicked", G_CALLBACK (on_clear), self);
  gtk_box_append (GTK_BOX (self), self->clear);
}

GtkWidget *
mt_measurement_list_new (MtViewer *viewer)
{
  MtMeasurementList *self = g_object_new (MT_TYPE_MEASUREMENT_LIST, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "measurements-changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  rebuild (self);
  return GTK_WIDGET (self);
}

const char *
mt_measurement_list_get_row_text (MtMeasurementList *self,
                                  guint              i)
{
  return i < self->labels->len ? gtk_label_get_text (GTK_LABEL (self->labels->pdata[i])) : NULL;
}
