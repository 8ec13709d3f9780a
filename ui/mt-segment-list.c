/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segment-list"

#include "config.h"

#include <glib/gi18n.h>

#include "mt-list-panel.h"
#include "mt-segment-list.h"
#include "mt-segmentation.h"
#include "mt-volume.h"

struct _MtSegmentList
{
  GtkBox          parent_instance;
  MtViewer       *viewer;
  GtkWidget      *list;
  GtkWidget      *empty;
  GtkWidget      *actions;
  GtkWidget      *presets;
  GPtrArray      *labels;      /* the rows' name and volume labels, in order */
  MtSegmentation *shown;       /* the segmentation the rows are of (not a reference) */
  guint           n_shown;
  gboolean        rebuilding;
};

G_DEFINE_FINAL_TYPE (MtSegmentList, mt_segment_list, GTK_TYPE_BOX)

static MtSegmentation *
segmentation (MtSegmentList *self)
{
  return mt_viewer_get_segmentation (self->viewer, NULL);
}

static guint16
row_value (GtkWidget *widget)
{
  return (guint16) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "value"));
}

static void
on_visible (GtkCheckButton *check, MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  if (seg == NULL || self->rebuilding)
    return;
  mt_segmentation_set_visible (seg, row_value (GTK_WIDGET (check)), gtk_check_button_get_active (check));
  mt_viewer_segmentation_edited (self->viewer);
}

static void
on_locked (GtkToggleButton *toggle, MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  if (seg == NULL || self->rebuilding)
    return;
  gboolean locked = gtk_toggle_button_get_active (toggle);
  mt_segmentation_set_locked (seg, row_value (GTK_WIDGET (toggle)), locked);
  gtk_button_set_icon_name (GTK_BUTTON (toggle), locked ? "changes-prevent-symbolic" : "changes-allow-symbolic");
}

static void
on_active (GtkCheckButton *check, MtSegmentList *self)
{
  if (!self->rebuilding && gtk_check_button_get_active (check))
    mt_viewer_set_active_segment (self->viewer, row_value (GTK_WIDGET (check)));
}

static void
on_label (GtkEntry *entry, MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  if (seg != NULL && !self->rebuilding)
    mt_segmentation_set_label (seg, row_value (GTK_WIDGET (entry)), gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_merge (GtkButton *button, MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  guint16 into = mt_viewer_get_active_segment (self->viewer), from = row_value (GTK_WIDGET (button));
  if (seg == NULL || into == from)
    return;
  mt_segmentation_merge (seg, into, from);
  mt_viewer_segmentation_edited (self->viewer);
}

/* Each row's volume, in one pass over the labels. */
static void
update_volumes (MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  if (seg == NULL || self->labels->len != mt_segmentation_n_segments (seg))
    return;
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  double voxel_ml = grid->spacing[0] * grid->spacing[1] * grid->spacing[2] / 1000.0;
  g_autofree gsize *count = g_new0 (gsize, 65536);
  gsize n = mt_segmentation_n_voxels (seg);
  for (gsize i = 0; i < n; i++)
    count[mt_segmentation_get (seg, i)]++;
  for (guint s = 0; s < self->labels->len; s++)
    {
      const MtSegment *sg = mt_segmentation_get_segment (seg, s);
      g_autofree char *text = g_strdup_printf (_("%s  %.1f mL"), sg->name, count[sg->value] * voxel_ml);
      gtk_label_set_text (GTK_LABEL (self->labels->pdata[s]), text);
    }
}

static void
rebuild (MtSegmentList *self)
{
  MtSegmentation *seg = segmentation (self);
  guint n = seg ? mt_segmentation_n_segments (seg) : 0;
  if (seg == self->shown && n == self->n_shown)
    {
      /* Only voxels changed: the volumes, when someone can see them. */
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        update_volumes (self);
      return;
    }
  self->shown = seg;
  self->n_shown = n;
  self->rebuilding = TRUE;
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  g_ptr_array_set_size (self->labels, 0);
  guint16 active = 0;
  for (guint s = 0; s < n; s++)
    if (mt_segmentation_get_segment (seg, s)->category == MT_SEGMENT_ANNOTATION)
      active = mt_segmentation_get_segment (seg, s)->value;
  GtkWidget *group = NULL;
  for (guint s = 0; s < n; s++)
    {
      const MtSegment *sg = mt_segmentation_get_segment (seg, s);
      gpointer value = GUINT_TO_POINTER (sg->value);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      GtkWidget *pick = gtk_check_button_new ();
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (pick), GTK_CHECK_BUTTON (group));
      else
        group = pick;
      gtk_widget_set_tooltip_text (pick, _("The segment the brush paints and the buttons below edit"));
      g_object_set_data (G_OBJECT (pick), "value", value);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (pick), sg->value == active);
      g_signal_connect (pick, "toggled", G_CALLBACK (on_active), self);

      GtkWidget *shown = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (shown), sg->visible);
      gtk_widget_set_tooltip_text (shown, _("Show this segment"));
      g_object_set_data (G_OBJECT (shown), "value", value);
      g_signal_connect (shown, "toggled", G_CALLBACK (on_visible), self);

      g_autofree char *swatch = g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">■</span>", sg->color[0],
                                                 sg->color[1], sg->color[2]);
      GtkWidget *colour = gtk_label_new (NULL);
      gtk_label_set_markup (GTK_LABEL (colour), swatch);

      GtkWidget *name = gtk_label_new (sg->name);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_widget_set_hexpand (name, TRUE);
      gtk_label_set_width_chars (GTK_LABEL (name), 22);

      GtkWidget *label = gtk_entry_new ();
      gtk_entry_set_placeholder_text (GTK_ENTRY (label), _("Label: TUMOR, NORMAL…"));
      gtk_editable_set_width_chars (GTK_EDITABLE (label), 14);
      gtk_editable_set_text (GTK_EDITABLE (label), sg->label ? sg->label : "");
      g_object_set_data (G_OBJECT (label), "value", value);
      g_signal_connect (label, "changed", G_CALLBACK (on_label), self);

      GtkWidget *lock = gtk_toggle_button_new ();
      gtk_button_set_icon_name (GTK_BUTTON (lock), sg->locked ? "changes-prevent-symbolic" : "changes-allow-symbolic");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lock), sg->locked);
      gtk_widget_add_css_class (lock, "flat");
      gtk_widget_set_tooltip_text (lock, _("Lock: brushes, scissors and edits leave this segment alone"));
      g_object_set_data (G_OBJECT (lock), "value", value);
      g_signal_connect (lock, "toggled", G_CALLBACK (on_locked), self);

      GtkWidget *merge = gtk_button_new_from_icon_name ("go-jump-symbolic");
      gtk_widget_add_css_class (merge, "flat");
      gtk_widget_set_tooltip_text (merge, _("Merge into the chosen segment (a union)"));
      g_object_set_data (G_OBJECT (merge), "value", value);
      g_signal_connect (merge, "clicked", G_CALLBACK (on_merge), self);

      gtk_box_append (GTK_BOX (row), pick);
      gtk_box_append (GTK_BOX (row), shown);
      gtk_box_append (GTK_BOX (row), colour);
      gtk_box_append (GTK_BOX (row), name);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), lock);
      gtk_box_append (GTK_BOX (row), merge);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
      g_ptr_array_add (self->labels, name);
    }
  if (active != 0)
    mt_viewer_set_active_segment (self->viewer, active);
  self->rebuilding = FALSE;
  gtk_widget_set_visible (self->empty, n == 0);
  gtk_widget_set_sensitive (self->actions, n > 0);
  update_volumes (self);
}

static void
on_map (GtkWidget *widget, MtSegmentList *self)
{
  update_volumes (self);
}

static void
on_threshold (GtkButton *button, MtSegmentList *self)
{
  guint n;
  const MtThresholdPreset *all = mt_threshold_presets (&n);
  guint p = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->presets));
  if (p < n)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.segment-threshold", "s", all[p].name);
}

static void
mt_segment_list_dispose (GObject *object)
{
  MtSegmentList *self = MT_SEGMENT_LIST (object);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  G_OBJECT_CLASS (mt_segment_list_parent_class)->dispose (object);
}

static void
mt_segment_list_class_init (MtSegmentListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_segment_list_dispose;
}

static GtkWidget *
action_button (const char *label, const char *tooltip, const char *op)
{
  GtkWidget *b = gtk_button_new_with_mnemonic (label);
  gtk_widget_set_tooltip_text (b, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (b), "win.segment-edit");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (b), "s", op);
  return b;
}

static void
mt_segment_list_init (MtSegmentList *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->labels = g_ptr_array_new ();
  self->list = mt_list_panel_add (GTK_BOX (self),
                                  _("No segments yet. Segment the scan (Ctrl+Shift+G), open a DICOM SEG "
                                    "(Ctrl+Shift+O) or paint with the brush (Ctrl+B)."), 40, 460, -1, &self->empty);
  self->actions = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->actions), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->actions), 3);
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("Fill between _slices"),
                                      _("Fill the axial slices between those painted, morphing one outline into "
                                        "the next"),
                                      "interpolate"));
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("Fill _holes"), _("What the segment encloses in 3D becomes it"),
                                      "fill-holes"));
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("Keep the _largest piece"), _("Remove every other island of the segment"),
                                      "keep-largest"));
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("Keep within the _window"),
                                      _("Keep only the voxels whose value lies in the slice views' window"),
                                      "keep-window"));
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("_Grow 2 mm"), _("A safety margin around the segment"), "grow"));
  gtk_flow_box_append (GTK_FLOW_BOX (self->actions),
                       action_button (_("S_hrink 2 mm"), _("Take 2 mm off the segment's surface"), "shrink"));
  gtk_box_append (GTK_BOX (self), self->actions);

  /* A threshold with the CT presets, painted into the chosen segment. */
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  guint n;
  const MtThresholdPreset *all = mt_threshold_presets (&n);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  for (guint p = 0; p < n; p++)
    g_ptr_array_add (labels, g_strdup_printf (_("%s (%g to %g HU)"), _(all[p].label), all[p].low, all[p].high));
  g_ptr_array_add (labels, NULL);
  self->presets = gtk_drop_down_new_from_strings ((const char * const *) labels->pdata);
  gtk_widget_set_hexpand (self->presets, TRUE);
  gtk_widget_set_tooltip_text (self->presets, _("A range of values, for the threshold"));
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Threshold"));
  gtk_widget_set_tooltip_text (apply, _("Paint the voxels in this range into the chosen segment"));
  g_signal_connect (apply, "clicked", G_CALLBACK (on_threshold), self);
  gtk_box_append (GTK_BOX (row), self->presets);
  gtk_box_append (GTK_BOX (row), apply);
  gtk_box_append (GTK_BOX (self), row);
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
}

GtkWidget *
mt_segment_list_new (MtViewer *viewer)
{
  MtSegmentList *self = g_object_new (MT_TYPE_SEGMENT_LIST, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "segmentation-changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  rebuild (self);
  return GTK_WIDGET (self);
}

const char *
mt_segment_list_get_row_text (MtSegmentList *self,
                              guint          i)
{
  return i < self->labels->len ? gtk_label_get_text (GTK_LABEL (self->labels->pdata[i])) : NULL;
}
