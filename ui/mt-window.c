/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mt-dicom-seg.h"
#include "mt-file-utils.h"
#include "mt-browser.h"
#include "mt-phantom.h"
#include "mt-progress.h"
#include "mt-register.h"
#include "mt-transform.h"
#include "mt-series.h"
#include "mt-slice-view.h"
#include "mt-mesh.h"
#include "mt-nifti.h"
#include "mt-measurement-list.h"
#include "mt-segment-list.h"
#include "mt-surface-panel.h"
#include "mt-twin-panel.h"
#include "mt-segment-tasks.h"
#include "mt-tf-editor.h"
#include "mt-volume-view.h"
#include "mt-volume.h"
#include "mt-window-level.h"
#include "mt-settings.h"
#include "mt-window.h"
#include "mt-ui-resources.h"

typedef struct
{
  GtkWidget *view;
  GtkWidget *slice_label;
  GtkWidget *window_label;
  GtkWidget *pointer_label;
  GtkWidget *letters[4];       /* right, left, top, bottom */
} Panel;

struct _MtWindow
{
  GtkApplicationWindow parent_instance;
  MtViewer     *viewer;
  Panel         panels[3];
  GtkWidget    *volume_view;
  GtkWidget    *volume_letters[4];
  GtkWidget    *title;
  GtkWidget    *subtitle;
  GtkWidget    *window_presets;
  GtkWidget    *slab;
  GtkWidget    *render_presets;
  GtkWidget    *progress_bar;    /* the box: bar and cancel button */
  GtkWidget    *progress;
  GtkWidget    *message;
  GCancellable *cancellable;
  GtkWindow    *browser;
  GtkWidget    *grid;
  GtkWidget    *frames[6];     /* axial, sagittal, coronal, 3D; axial and coronal of scan B */
  GtkWidget    *second_views[2];
  Panel         second_panels[2];
  GtkWidget    *end_compare;
  GtkWidget    *align_button;    /* align scan B onto A (compare mode) */
  GtkWidget    *fusion_bar;      /* fusion mode, blend and Save transform, once aligned */
  GtkWidget    *fusion_mode;
  GtkWidget    *fusion_blend;
  char         *second_key;      /* scan B's study key: its transform is kept under both */
  gboolean      single;
  gboolean      compare;
  gboolean      presenting;
  guint         ready_idle;
  GtkWidget    *patient_label;   /* patient, study and series, in the axial view */
  GPtrArray    *annotations;     /* every corner label that can be hidden */
  GSettings    *settings;        /* remembered layout and presets; NULL: none */
  char         *study_key;       /* where the scan's measurements are kept */
  char         *source_path;     /* what the scan was read from: a DICOM SEG references it */
  GtkWidget    *tools;
  GtkWidget    *measurements_button;
  GtkWidget    *measurement_list;
  GtkWidget    *segment_list;
  GtkWidget    *surface_panel;
  GtkWidget    *twin_panel, *twin_side;
  GtkWidget    *tf_button;
  GtkWidget    *clip_button;
  GtkWidget    *clip_choice;
  GtkWidget    *crop_switch;
  GtkWidget    *crop_scales[6];
  gboolean      syncing_clip;
  GtkWidget    *tf_editor;
};

G_DEFINE_FINAL_TYPE (MtWindow, mt_window, GTK_TYPE_APPLICATION_WINDOW)

enum { VIEWS_READY, LOAD_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ loading */

static char *
demo_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "medtwin", "demo-patient", NULL);
}

/* The demo patient is generated once into the cache; a half-written folder
 * never takes its place, since it is written aside and renamed. */
static char *
ensure_demo (MtProgress *progress, GCancellable *cancellable, GError **error)
{
  g_autofree char *dir = demo_dir ();
  g_autofree char *stamp = g_build_filename (dir, "truth", "ecg.json", NULL);
  g_autofree char *baseline = g_build_filename (dir, "baseline", NULL);
  if (g_file_test (stamp, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&baseline);

  g_autofree char *parent = g_path_get_dirname (dir);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   _("Cannot create the cache folder %s"), parent);
      return NULL;
    }
  g_autofree char *tmp_template = g_build_filename (parent, "demo-patient.tmp-XXXXXX", NULL);
  char *tmp = g_mkdtemp (tmp_template);
  if (tmp == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   _("Cannot create a folder in %s"), parent);
      return NULL;
    }
  if (!mt_phantom_write (tmp, 1, progress, cancellable, error))
    {
      mt_remove_tree (tmp);
      return NULL;
    }
  if (g_rename (tmp, dir) != 0)
    mt_remove_tree (tmp);   /* another instance was quicker: use its copy */
  return g_steal_pointer (&baseline);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char **paths = task_data;
  MtProgress *progress = g_object_get_data (G_OBJECT (task), "progress");
  GError *error = NULL;
  g_autofree char *demo = NULL;
  const char *demo_paths[2] = { NULL, NULL };
  if (paths == NULL || paths[0] == NULL)
    {
      mt_progress_set_stage (progress, 0.0, 0.6, N_("Generating the demo patient"));
      demo = ensure_demo (progress, cancellable, &error);
      if (demo == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      demo_paths[0] = demo;
      paths = (char **) demo_paths;
    }
  MtVolume *v = mt_series_read_volume_paths ((const char * const *) paths, progress, cancellable, &error);
  if (v != NULL && paths[0] != NULL)
    g_object_set_data_full (G_OBJECT (task), "source", g_strdup (paths[0]), g_free);
  if (v == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (demo != NULL)
    {
      /* The demo patient's organs, from its truth labels, to show in 3D. A
       * failure costs the surfaces only, never the scan. */
      mt_progress_set_stage (progress, 0.9, 1.0, N_("Building the organs' surfaces"));
      g_autofree char *root = g_path_get_dirname (demo);
      g_autofree char *labels_path = g_build_filename (root, "truth", "baseline-labels.nii.gz", NULL);
      g_autoptr (MtVolume) labels = mt_nifti_read (labels_path, NULL);
      GPtrArray *surfaces = labels ? mt_phantom_surfaces (labels, cancellable, NULL) : NULL;
      if (surfaces != NULL)
        g_object_set_data_full (G_OBJECT (task), "surfaces", surfaces, (GDestroyNotify) g_ptr_array_unref);
      /* Its organs and its ECG, for the living twin. */
      if (labels != NULL)
        g_object_set_data_full (G_OBJECT (task), "labels", mt_volume_ref (labels), (GDestroyNotify) mt_volume_unref);
      g_object_set_data_full (G_OBJECT (task), "ecg", g_build_filename (root, "ecg.csv", NULL), g_free);
    }
  g_task_return_pointer (task, v, (GDestroyNotify) mt_volume_unref);
}

static void
on_progress (double fraction, const char *message, gpointer user_data)
{
  MtWindow *self = user_data;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), fraction);
  if (message)
    gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), _(message));
}

static void
show_message (MtWindow *self, const char *text)
{
  gtk_label_set_text (GTK_LABEL (self->message), text);
  gtk_widget_set_visible (self->message, text != NULL && *text);
}

static void
update_title (MtWindow *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v == NULL)
    return;
  {
    g_autofree char *who = g_strdup (v->patient_name ? v->patient_name : "");
    g_strdelimit (who, "^", ' ');
    g_autofree char *corner = g_strdup_printf ("%s\n%s\n%s", who, v->patient_id ? v->patient_id : "",
                                               v->series_description ? v->series_description : "");
    gtk_label_set_text (GTK_LABEL (self->patient_label), g_strstrip (corner));
  }
  g_autofree char *name = g_strdup (v->patient_name ? v->patient_name : _("Anonymous"));
  g_strdelimit (name, "^", ' ');
  gtk_label_set_text (GTK_LABEL (self->title), name);
  g_autofree char *sub = g_strdup_printf ("%s · %d × %d × %d · %.3g × %.3g × %.3g mm",
                                          v->modality ? v->modality : "?", v->dims[0], v->dims[1],
                                          v->dims[2], v->spacing[0], v->spacing[1], v->spacing[2]);
  gtk_label_set_text (GTK_LABEL (self->subtitle), sub);
  gtk_window_set_title (GTK_WINDOW (self), name);
}

static const char *slab_mode_names[] = { "none", "mip", "minip", "mean" };

static void
save_slab (MtWindow *self)
{
  MtSlabMode mode;
  double mm;
  mt_viewer_get_slab (self->viewer, &mode, &mm);
  if (self->settings && (guint) mode < G_N_ELEMENTS (slab_mode_names))
    {
      g_settings_set_string (self->settings, "slab-mode", slab_mode_names[mode]);
      g_settings_set_double (self->settings, "slab-mm", CLAMP (mm, 0.1, 500));
    }
}

/* The 3D preset a CT opens with: the one last chosen (never MR, which the
 * scan chooses), else bone. */
static MtRenderPreset
remembered_render_preset (MtWindow *self)
{
  MtRenderPreset preset;
  g_autofree char *name = self->settings ? g_settings_get_string (self->settings, "render-preset") : NULL;
  if (name == NULL || !mt_render_preset_from_name (name, &preset) || preset == MT_PRESET_MR)
    return MT_PRESET_CT_BONE;
  return preset;
}

/* MR numbers are not HU: an MR opens on the MR preset, and a CT opened
 * after it goes back to bone. MIP suits both and stays. */
static void
follow_modality (MtWindow *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v == NULL)
    return;
  MtRenderPreset now = mt_viewer_get_preset (self->viewer);
  gboolean mr = g_strcmp0 (v->modality, "MR") == 0;
  if (mr && now != MT_PRESET_MR && now != MT_PRESET_MIP)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->render_presets), MT_PRESET_MR);
  else if (!mr && now == MT_PRESET_MR)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->render_presets), remembered_render_preset (self));
  /* A CT opens on the window last chosen. */
  MtWindowPreset wp;
  g_autofree char *window = self->settings ? g_settings_get_string (self->settings, "window-preset") : NULL;
  if (g_strcmp0 (v->modality, "CT") == 0 && window != NULL && mt_window_preset_lookup (window, &wp))
    {
      const MtWindowLevel *wl = mt_window_preset (wp);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->window_presets), wp);
      mt_viewer_set_window (self->viewer, wl->center, wl->width);
    }
}

/* The window drop-down names the preset in use, or "Custom window" once
 * the window is anything else, so it never claims a preset that is not
 * shown. */
static void
sync_window_dropdown (MtWindow *self)
{
  double center, width;
  mt_viewer_get_window (self->viewer, &center, &width);
  guint match = MT_WINDOW_COUNT;
  for (int i = 0; i < MT_WINDOW_COUNT; i++)
    if (fabs (mt_window_preset (i)->center - center) < 0.5 && fabs (mt_window_preset (i)->width - width) < 0.5)
      match = i;
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->window_presets)) != match)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->window_presets), match);
}

const char *
mt_window_get_window_preset_name (MtWindow *self)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->window_presets));
  return i < MT_WINDOW_COUNT ? mt_window_preset (i)->name : "custom";
}

/* What was remembered: window size, 3D preset, slabs, annotations. */
static void
restore_settings (MtWindow *self)
{
  if (self->settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), MAX (640, g_settings_get_int (self->settings, "window-width")),
                               MAX (480, g_settings_get_int (self->settings, "window-height")));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->render_presets), remembered_render_preset (self));
  g_autofree char *mode = g_settings_get_string (self->settings, "slab-mode");
  double mm = g_settings_get_double (self->settings, "slab-mm");
  for (guint m = 0; m < G_N_ELEMENTS (slab_mode_names); m++)
    if (g_str_equal (mode, slab_mode_names[m]))
      {
        mt_viewer_set_slab (self->viewer, (MtSlabMode) m, mm);
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->slab), m);
      }
  if (!g_settings_get_boolean (self->settings, "annotations"))
    g_action_group_change_action_state (G_ACTION_GROUP (self), "annotations", g_variant_new_boolean (FALSE));
}

void
mt_window_save_state (MtWindow *self)
{
  if (self->settings == NULL)
    return;
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (!maximized && !self->presenting && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    {
      g_settings_set_int (self->settings, "window-width", gtk_widget_get_width (GTK_WIDGET (self)));
      g_settings_set_int (self->settings, "window-height", gtk_widget_get_height (GTK_WIDGET (self)));
    }
  g_settings_sync ();
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MtWindow *self = MT_WINDOW (source);
  const gboolean second = GPOINTER_TO_INT (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = g_task_propagate_pointer (G_TASK (result), &error);
  /* A load cancelled by a newer one must not take the newer one's
   * progress bar and Cancel away. */
  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    {
      gtk_widget_set_visible (self->progress_bar, FALSE);
      g_clear_object (&self->cancellable);
    }
  if (v == NULL)
    {
      /* What was on screen stays: a failed load replaces nothing. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          show_message (self, error->message);
          g_signal_emit (self, signals[LOAD_FAILED], 0, error->message);
        }
      return;
    }
  if (v->warnings->len > 0)
    {
      g_autoptr (GString) s = g_string_new (NULL);
      for (guint i = 0; i < v->warnings->len; i++)
        g_string_append_printf (s, "%s%s", i ? "\n" : "", (char *) v->warnings->pdata[i]);
      show_message (self, s->str);
    }
  else
    show_message (self, NULL);
  if (second)
    {
      const char * const *paths = g_task_get_task_data (G_TASK (result));
      g_free (self->second_key);
      self->second_key = mt_measurements_study_key (v, paths ? paths[0] : NULL);
      mt_viewer_set_second (self->viewer, v);
    }
  else
    {
      const char * const *paths = g_task_get_task_data (G_TASK (result));
      g_free (self->study_key);
      self->study_key = mt_measurements_study_key (v, paths ? paths[0] : NULL);
      g_free (self->source_path);
      self->source_path = g_strdup (g_object_get_data (G_OBJECT (result), "source"));
      mt_viewer_set_volume (self->viewer, v);
      update_title (self);
      /* The twin learns the new patient's organs: the demo's from its truth,
       * any other's from its segments once there are some. */
      MtTwinPanel *twin = MT_TWIN_PANEL (self->twin_panel);
      MtVolume *labels = g_object_get_data (G_OBJECT (result), "labels");
      mt_twin_panel_set_labels (twin, labels, labels ? mt_phantom_label_names () : NULL);
      const char *ecg = g_object_get_data (G_OBJECT (result), "ecg");
      g_autoptr (GError) ecg_error = NULL;
      if (ecg != NULL)
        mt_twin_panel_load_ecg (twin, ecg, &ecg_error);
      else if (mt_twin_get_ecg (mt_twin_panel_get_twin (twin)) != NULL)
        mt_twin_panel_set_heart_rate (twin, 75);   /* not the last patient's ECG */
      GPtrArray *surfaces = g_object_get_data (G_OBJECT (result), "surfaces");
      for (guint i = 0; surfaces != NULL && i < surfaces->len; i++)
        {
          const MtSurface *s = surfaces->pdata[i];
          mt_viewer_add_surface (self->viewer, mt_surface_new (s->mesh, s->name, s->rgba));
        }
      /* The measurements kept with this scan come back. */
      g_autoptr (GError) kept_error = NULL;
      g_autoptr (GPtrArray) kept = mt_measurements_load (self->study_key, &kept_error);
      if (kept != NULL)
        mt_viewer_set_measurements (self->viewer, kept);
      else
        show_message (self, kept_error->message);
    }
}

/* Every change the user makes is kept at once: a crash loses nothing. */
static void
on_measurements_changed (MtWindow *self, gboolean by_user)
{
  GPtrArray *list = mt_viewer_get_measurements (self->viewer);
  g_autofree char *label = g_strdup_printf (_("Measurements (%u)"), list->len);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->measurements_button), label);
  if (!by_user || self->study_key == NULL)
    return;
  g_autoptr (GError) error = NULL;
  if (!mt_measurements_save (self->study_key, list, &error))
    show_message (self, error->message);
}

void
mt_window_open (MtWindow *self,
                GFile    *file)
{
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  const char *paths[] = { path, NULL };
  mt_window_open_paths (self, paths);
}

static void
start_load (MtWindow *self, const char * const *paths, gboolean second);

/* STL, OBJ and PLY files add surfaces to the scan on screen (an implant
 * design, a model from another tool), in the colour of bone. */
static gboolean
open_surfaces (MtWindow *self, const char * const *paths)
{
  for (int i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (paths[i], -1);
      if (!g_str_has_suffix (lower, ".stl") && !g_str_has_suffix (lower, ".obj") && !g_str_has_suffix (lower, ".ply"))
        return FALSE;
    }
  if (mt_viewer_get_volume (self->viewer) == NULL)
    {
      show_message (self, _("Open a scan first: surfaces are shown with it, in its patient coordinates."));
      return TRUE;
    }
  const float ivory[4] = { 0.93f, 0.88f, 0.78f, 1.0f };
  for (int i = 0; paths[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MtMesh) mesh = mt_mesh_read (paths[i], &error);
      if (mesh == NULL)
        {
          show_message (self, error->message);
          return TRUE;
        }
      g_autofree char *name = g_path_get_basename (paths[i]);
      mt_viewer_add_surface (self->viewer, mt_surface_new (mesh, name, ivory));
    }
  show_message (self, NULL);
  return TRUE;
}

void
mt_window_open_paths (MtWindow           *self,
                      const char * const *paths)
{
  if (paths != NULL && paths[0] != NULL && open_surfaces (self, paths))
    return;
  start_load (self, paths, FALSE);
}

void
mt_window_compare_paths (MtWindow           *self,
                         const char * const *paths)
{
  g_return_if_fail (MT_IS_WINDOW (self));
  if (mt_viewer_get_volume (self->viewer) == NULL)
    {
      start_load (self, paths, FALSE);
      return;
    }
  start_load (self, paths, TRUE);
}

static void
start_load (MtWindow           *self,
            const char * const *paths,
            gboolean            second)
{
  g_return_if_fail (MT_IS_WINDOW (self));
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_autoptr (GTask) task = g_task_new (self, self->cancellable, load_done, GINT_TO_POINTER (second));
  g_task_set_source_tag (task, mt_window_open);
  g_task_set_task_data (task, g_strdupv ((char **) paths), (GDestroyNotify) g_strfreev);
  MtProgress *progress = mt_progress_new (on_progress, self, g_main_context_default ());
  g_object_set_data_full (G_OBJECT (task), "progress", progress, (GDestroyNotify) mt_progress_unref);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), _("Opening…"));
  gtk_widget_set_visible (self->progress_bar, TRUE);
  g_task_run_in_thread (task, load_thread);
}

static void
on_cancel (GtkButton *button, MtWindow *self)
{
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, MtWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        mt_window_open (self, file);
    }
  g_object_unref (dialog);
}

static void
open_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Open a DICOM folder"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), _("_Cancel"));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

GtkWindow *
mt_window_show_library (MtWindow *self)
{
  if (self->browser == NULL)
    {
      self->browser = GTK_WINDOW (mt_browser_new (self));
      g_object_add_weak_pointer (G_OBJECT (self->browser), (gpointer *) &self->browser);
    }
  gtk_window_present (self->browser);
  return self->browser;
}

static void
library_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  mt_window_show_library (MT_WINDOW (user_data));
}

static void
demo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  mt_window_open (MT_WINDOW (user_data), NULL);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, MtWindow *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  mt_window_open (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* ------------------------------------------------------------------ views */

static void
update_annotations (MtWindow *self)
{
  double center, width;
  mt_viewer_get_window (self->viewer, &center, &width);
  g_autofree char *wl = g_strdup_printf (_("W %.0f  L %.0f"), width, center);
  for (int p = 0; p < 5; p++)
    {
      Panel *panel = p < 3 ? &self->panels[p] : &self->second_panels[p - 3];
      int slice, n;
      mt_slice_view_get_slice (MT_SLICE_VIEW (panel->view), &slice, &n);
      MtSlabMode slab;
      double slab_mm;
      mt_viewer_get_slab (self->viewer, &slab, &slab_mm);
      static const char *slab_labels[] = { NULL, N_("MIP"), N_("MinIP"), N_("Average") };
      MtViewAxis oblique_view;
      double degrees;
      mt_viewer_get_oblique (self->viewer, &oblique_view, &degrees);
      gboolean oblique = n && mt_slice_view_is_oblique (MT_SLICE_VIEW (panel->view));
      /* An oblique plane has no slice number: it says how far it is turned. */
      g_autofree char *where = oblique ? g_strdup_printf (_("Oblique %.0f°"), degrees)
                                       : g_strdup_printf (_("Slice %d / %d"), slice, n);
      g_autofree char *text = !n ? g_strdup ("")
                            : slab == MT_SLAB_NONE ? g_strdup (where)
                            : g_strdup_printf (_("%s · %s %.0f mm"), where, _(slab_labels[slab]), slab_mm);
      gtk_label_set_text (GTK_LABEL (panel->slice_label), text);
      gtk_label_set_text (GTK_LABEL (panel->window_label), wl);
    }
}

/* Oblique planes read "LA" or "SP" at their edges. */
static void
update_letters (MtWindow *self)
{
  for (int p = 0; p < 5; p++)
    {
      Panel *panel = p < 3 ? &self->panels[p] : &self->second_panels[p - 3];
      char letters[4][4];
      if (panel->view == NULL)
        continue;
      mt_slice_view_get_orientation_letters (MT_SLICE_VIEW (panel->view), letters);
      for (int e = 0; e < 4; e++)
        if (panel->letters[e] != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (panel->letters[e])), letters[e]) != 0)
          gtk_label_set_text (GTK_LABEL (panel->letters[e]), letters[e]);
    }
}

static Panel *
panel_of_axis (MtWindow *self, int axis)
{
  for (int p = 0; p < 3; p++)
    if ((int) mt_slice_view_get_axis (MT_SLICE_VIEW (self->panels[p].view)) == axis)
      return &self->panels[p];
  return NULL;
}

const char *
mt_window_get_view_letter (MtWindow *self,
                           int       view,
                           int       edge)
{
  g_return_val_if_fail (view >= 0 && view < 3 && edge >= 0 && edge < 4, NULL);
  return gtk_label_get_text (GTK_LABEL (panel_of_axis (self, view)->letters[edge]));
}

gboolean
mt_window_is_busy (MtWindow *self)
{
  return self->cancellable != NULL;
}

GtkWidget *
mt_window_get_tf_editor (MtWindow *self)
{
  return self->tf_editor;
}

GtkWidget *
mt_window_get_measurement_list (MtWindow *self)
{
  return self->measurement_list;
}

const char *
mt_window_get_slice_text (MtWindow *self,
                          int       view)
{
  g_return_val_if_fail (view >= 0 && view < 3, NULL);
  return gtk_label_get_text (GTK_LABEL (panel_of_axis (self, view)->slice_label));
}

gboolean
mt_window_views_ready (MtWindow *self)
{
  guint serial = mt_viewer_get_serial (self->viewer);
  if (mt_viewer_get_volume (self->viewer) == NULL)
    return FALSE;
  /* A single image shows in one large view; the hidden ones do not draw. */
  for (int p = 0; p < (self->single ? 1 : 3); p++)
    {
      if (self->compare && p == 1)
        continue;
      if (mt_slice_view_get_drawn_serial (MT_SLICE_VIEW (self->panels[p].view)) != serial)
        return FALSE;
    }
  if (self->compare)
    {
      guint second = mt_viewer_get_second_serial (self->viewer);
      for (int b = 0; b < 2; b++)
        if (mt_slice_view_get_drawn_serial (MT_SLICE_VIEW (self->second_views[b])) != second)
          return FALSE;
      return TRUE;
    }
  return self->single || mt_volume_view_get_drawn_serial (MT_VOLUME_VIEW (self->volume_view)) == serial;
}

/* One image (a radiograph, a photograph, a screen capture) fills the window;
 * a volume gets the four views. */
static void
update_layout (MtWindow *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  gboolean single = v != NULL && v->dims[2] == 1;
  if (single == self->single)
    return;
  self->single = single;
  g_object_ref (self->frames[0]);
  gtk_grid_remove (GTK_GRID (self->grid), self->frames[0]);
  gtk_grid_attach (GTK_GRID (self->grid), self->frames[0], 0, 0, single ? 2 : 1, single ? 2 : 1);
  g_object_unref (self->frames[0]);
  for (int f = 1; f < 4; f++)
    gtk_widget_set_visible (self->frames[f], !single);
}

/* With a second scan: A's axial and coronal on the left, B's on the right,
 * in place of the sagittal and 3D views. */
static void
update_compare (MtWindow *self)
{
  /* Fused, scan B is in scan A's three views: no need for its own. */
  gboolean compare = mt_viewer_get_second (self->viewer) != NULL
                     && mt_viewer_get_fusion_mode (self->viewer, NULL, NULL, NULL) == MT_FUSION_OFF;
  self->compare = compare;
  gtk_widget_set_visible (self->frames[1], !compare && !self->single);
  gtk_widget_set_visible (self->frames[3], !compare && !self->single);
  gtk_widget_set_visible (self->frames[4], compare);
  gtk_widget_set_visible (self->frames[5], compare);
  gtk_widget_set_visible (self->end_compare, mt_viewer_get_second (self->viewer) != NULL);
  gtk_widget_set_visible (self->align_button, mt_viewer_get_second (self->viewer) != NULL);
}

/* F5: for teaching, the 3D view alone, full screen, with large labels,
 * turning slowly; F5 or Escape again brings the four views back. */
static void
set_presenting (MtWindow *self, gboolean on)
{
  if (on == self->presenting)
    return;
  self->presenting = on;
  g_object_ref (self->frames[3]);
  gtk_grid_remove (GTK_GRID (self->grid), self->frames[3]);
  gtk_grid_attach (GTK_GRID (self->grid), self->frames[3], on ? 0 : 1, on ? 0 : 1, on ? 2 : 1, on ? 2 : 1);
  g_object_unref (self->frames[3]);
  for (int f = 0; f < 6; f++)
    if (f != 3)
      gtk_widget_set_visible (self->frames[f], on ? FALSE
                              : f < 3 ? !(self->single && f > 0) && !(self->compare && f == 1)
                                      : self->compare);
  gtk_widget_set_visible (self->frames[3], on || (!self->single && !self->compare));
  if (on)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "mt-presenting");
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "mt-presenting");
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
  mt_volume_view_set_spinning (MT_VOLUME_VIEW (self->volume_view), on);
}

static void
present_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  set_presenting (self, !self->presenting);
}

static void
leave_presentation_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  set_presenting (MT_WINDOW (user_data), FALSE);
}

double
mt_window_get_azimuth (MtWindow *self)
{
  return mt_volume_view_get_azimuth (MT_VOLUME_VIEW (self->volume_view));
}

gboolean
mt_window_is_presenting (MtWindow *self)
{
  return self->presenting && gtk_widget_get_visible (self->frames[3]) && !gtk_widget_get_visible (self->frames[0]);
}

/* Ctrl+H: corner annotations off and on, for teaching and clean screenshots;
 * orientation letters stay. */
static void
annotations_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  MtWindow *self = user_data;
  gboolean on = g_variant_get_boolean (state);
  for (guint i = 0; i < self->annotations->len; i++)
    gtk_widget_set_visible (self->annotations->pdata[i], on);
  for (int p = 0; p < 5; p++)
    {
      Panel *panel = p < 3 ? &self->panels[p] : &self->second_panels[p - 3];
      if (panel->view != NULL)
        mt_slice_view_set_scale_bar (MT_SLICE_VIEW (panel->view), on);
    }
  g_simple_action_set_state (action, state);
  if (self->settings)
    g_settings_set_boolean (self->settings, "annotations", on);
}

gboolean
mt_window_annotations_visible (MtWindow *self)
{
  return gtk_widget_get_visible (self->patient_label);
}

/* ------------------------------------------------------------ alignment */

/* A worker thread for the scan shown, with the progress bar and Cancel:
 * job goes to thread as the task's data. */
static void
start_worker (MtWindow *self, const char *text, gpointer job, GDestroyNotify free_job, GTaskThreadFunc thread,
              GAsyncReadyCallback done)
{
  self->cancellable = g_cancellable_new ();
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, done, NULL);
  g_task_set_task_data (task, job, free_job);
  MtProgress *progress = mt_progress_new (on_progress, self, g_main_context_default ());
  g_object_set_data_full (G_OBJECT (task), "progress", progress, (GDestroyNotify) mt_progress_unref);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), text);
  gtk_widget_set_visible (self->progress_bar, TRUE);
  g_task_run_in_thread (task, thread);
}

/* The volume a worker returned, the progress bar put away (unless a newer
 * task owns it); NULL, its error shown unless cancelled. */
static MtVolume *
finish_worker (MtWindow *self, GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  MtVolume *v = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    {
      gtk_widget_set_visible (self->progress_bar, FALSE);
      g_clear_object (&self->cancellable);
    }
  if (v == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (self, error->message);
  return v;
}

typedef struct
{
  MtVolume    *fixed, *moving;
  MtTransform *given;      /* a transform to apply as it is; NULL: register */
  MtTransform *found;
  double       before, after;
  MtRegisterMetric metric;
  gboolean     kept;       /* given is the transform kept with the two scans */
} AlignJob;

static void
align_job_free (AlignJob *job)
{
  mt_volume_unref (job->fixed);
  mt_volume_unref (job->moving);
  g_clear_pointer (&job->given, mt_transform_free);
  g_clear_pointer (&job->found, mt_transform_free);
  g_free (job);
}

static void
align_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AlignJob *job = data;
  MtProgress *progress = g_object_get_data (G_OBJECT (task), "progress");
  GError *error = NULL;
  if (job->given != NULL)
    job->found = g_memdup2 (job->given, sizeof *job->given);
  else
    {
      MtRegisterOptions options;
      mt_register_options_init (&options);
      options.metric = mt_register_default_metric (job->fixed, job->moving);
      options.init = mt_register_default_init (job->fixed, job->moving);
      job->metric = options.metric;
      g_autoptr (MtTransform) id = mt_transform_new_identity ();
      job->before = mt_register_measure (job->fixed, job->moving, id, options.metric, options.samples);
      job->found = mt_register_rigid (job->fixed, job->moving, &options, &job->after, progress, cancellable, &error);
      if (job->found == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  float outside;
  mt_volume_get_range (job->moving, &outside, NULL);
  MtVolume *on_grid = mt_resample (job->moving, job->fixed, job->found, MT_RESAMPLE_LINEAR, outside, &error);
  if (on_grid == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, on_grid, (GDestroyNotify) mt_volume_unref);
}

static void
align_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MtWindow *self = MT_WINDOW (source);
  AlignJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (MtVolume) on_grid = finish_worker (self, result);
  if (on_grid == NULL)
    return;
  /* Another scan opened meanwhile: this alignment is not for it. */
  if (job->fixed != mt_viewer_get_volume (self->viewer) || job->moving != mt_viewer_get_second (self->viewer))
    return;
  mt_viewer_set_fused (self->viewer, on_grid, job->found);
  /* Kept with the study: the next comparison of these two scans starts
   * aligned. */
  g_autofree char *path = self->study_key && self->second_key
                            ? mt_transform_store_path (self->study_key, self->second_key) : NULL;
  g_autoptr (GError) store_error = NULL;
  if (path != NULL && job->given == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0 || !mt_transform_write_itk (job->found, path, &store_error))
        g_debug ("transform not kept: %s", store_error ? store_error->message : dir);
    }
  if (job->kept)
    show_message (self, _("Scan B is shown on scan A through the alignment kept with these two scans."));
  else if (job->given != NULL)
    show_message (self, _("Scan B is shown on scan A through the transform given."));
  else
    {
      static const char *const names[] = { N_("mean square"), N_("mutual information"), N_("correlation") };
      g_autofree char *text = g_strdup_printf (_("Scan B aligned onto scan A (rigid): %s %.3g before, %.3g after. "
                                                 "Blend, checkerboard or difference: at the top of the window."),
                                               _(names[job->metric]), job->before, job->after);
      show_message (self, text);
    }
}

/* ("") registers scan B onto scan A (rigid, in a worker thread, with
 * progress and Cancel), or takes the transform kept with the two scans;
 * ("T.tfm") applies an ITK transform file as it is. */
static void
align_second_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtVolume *fixed = mt_viewer_get_volume (self->viewer), *moving = mt_viewer_get_second (self->viewer);
  if (fixed == NULL || moving == NULL)
    {
      show_message (self, _("Open a second scan beside this one first: Library, pick a series, Compare."));
      return;
    }
  if (self->cancellable != NULL)
    {
      show_message (self, _("Wait until the scan has opened (or cancel it) before aligning."));
      return;
    }
  const char *file = g_variant_get_string (param, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtTransform) given = NULL;
  if (*file != '\0')
    {
      given = mt_transform_read_itk (file, &error);
      if (given == NULL)
        {
          show_message (self, error->message);
          return;
        }
    }
  else if (self->study_key && self->second_key)
    {
      g_autofree char *kept = mt_transform_store_path (self->study_key, self->second_key);
      if (kept != NULL && g_file_test (kept, G_FILE_TEST_EXISTS))
        given = mt_transform_read_itk (kept, NULL);
    }
  gboolean from_store = given != NULL && *file == '\0';
  AlignJob *job = g_new0 (AlignJob, 1);
  job->fixed = mt_volume_ref (fixed);
  job->moving = mt_volume_ref (moving);
  job->given = g_steal_pointer (&given);
  job->kept = from_store;
  start_worker (self, _("Aligning scan B onto scan A…"), job, (GDestroyNotify) align_job_free, align_thread,
                align_done);
}

static const char *const fusion_names[] = { "off", "blend", "checkerboard", "difference" };

/* ("off"), ("blend"), ("checkerboard") or ("difference"). */
static void
fusion_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *name = g_variant_get_string (param, NULL);
  double blend;
  mt_viewer_get_fusion_mode (self->viewer, &blend, NULL, NULL);
  for (int m = 0; m < (int) G_N_ELEMENTS (fusion_names); m++)
    if (g_str_equal (name, fusion_names[m]))
      {
        mt_viewer_set_fusion_mode (self->viewer, (MtFusionMode) m, blend);
        return;
      }
  show_message (self, _("Unknown fusion: use off, blend, checkerboard or difference."));
}

/* (0.0 .. 1.0): scan B's share in the blend. */
static void
fusion_blend_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtFusionMode mode = mt_viewer_get_fusion_mode (self->viewer, NULL, NULL, NULL);
  mt_viewer_set_fusion_mode (self->viewer, mode, g_variant_get_double (param));
}

static void
on_fusion_mode_selected (GtkDropDown *drop, GParamSpec *pspec, MtWindow *self)
{
  guint m = gtk_drop_down_get_selected (drop);
  if (m < G_N_ELEMENTS (fusion_names))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.fusion", "s", fusion_names[m]);
}

static void
on_fusion_blend_moved (GtkRange *range, MtWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.fusion-blend", "d", gtk_range_get_value (range));
}

/* The fusion bar follows the viewer: shown once scan B is aligned. */
static void
on_fusion_changed (MtWindow *self)
{
  guint serial;
  gboolean fused = mt_viewer_get_fused (self->viewer, &serial) != NULL;
  double blend;
  MtFusionMode mode = mt_viewer_get_fusion_mode (self->viewer, &blend, NULL, NULL);
  gtk_widget_set_visible (self->fusion_bar, fused);
  update_compare (self);
  g_signal_handlers_block_by_func (self->fusion_mode, on_fusion_mode_selected, self);
  g_signal_handlers_block_by_func (self->fusion_blend, on_fusion_blend_moved, self);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->fusion_mode), mode);
  gtk_range_set_value (GTK_RANGE (self->fusion_blend), blend);
  gtk_widget_set_sensitive (self->fusion_blend, mode == MT_FUSION_BLEND);
  g_signal_handlers_unblock_by_func (self->fusion_mode, on_fusion_mode_selected, self);
  g_signal_handlers_unblock_by_func (self->fusion_blend, on_fusion_blend_moved, self);
}

static void
save_transform_to (MtWindow *self, const char *path)
{
  const MtTransform *t = mt_viewer_get_fused_transform (self->viewer);
  g_autoptr (GError) error = NULL;
  if (t == NULL)
    show_message (self, _("Align scan B onto scan A first: there is no transform to save yet."));
  else if (!mt_transform_write_itk (t, path, &error))
    show_message (self, error->message);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Transform saved to %s (ITK, scan A's patient mm to scan B's)."), path);
      show_message (self, text);
    }
}

static void
on_transform_chooser_response (GtkNativeDialog *dialog, int response, MtWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        save_transform_to (self, path);
    }
  g_object_unref (dialog);
}

/* ("OUT.tfm"), or ("") to choose where. */
static void
save_transform_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *path = g_variant_get_string (param, NULL);
  if (*path != '\0')
    {
      save_transform_to (self, path);
      return;
    }
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save the transform"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "B-to-A.tfm");
  g_signal_connect (chooser, "response", G_CALLBACK (on_transform_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
end_compare_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_viewer_set_second (self->viewer, NULL);
}

static gboolean
emit_views_ready (gpointer data)
{
  MtWindow *self = data;
  self->ready_idle = 0;
  if (mt_window_views_ready (self))
    g_signal_emit (self, signals[VIEWS_READY], 0);
  return G_SOURCE_REMOVE;
}

/* Views report from inside their render callbacks, in the middle of GTK's
 * frame: "views-ready" is emitted after it, so its handlers may change the
 * widget tree (present, compare, quit). */
static void
on_view_drawn (MtWindow *self)
{
  if (self->ready_idle == 0 && mt_window_views_ready (self))
    self->ready_idle = g_idle_add_full (G_PRIORITY_DEFAULT, emit_views_ready, g_object_ref (self), g_object_unref);
}

static void
on_pointer (GtkWidget *view, gboolean inside, double x, double y, double z, double value, GtkLabel *label)
{
  if (!inside)
    {
      gtk_label_set_text (label, "");
      return;
    }
  g_autofree char *text = g_strdup_printf (_("%.1f at (%.1f, %.1f, %.1f) mm"), value, x, y, z);
  gtk_label_set_text (label, text);
}

static GtkWidget *
corner_label (GtkAlign halign, GtkAlign valign, const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_widget_set_halign (label, halign);
  gtk_widget_set_valign (label, valign);
  gtk_widget_set_can_target (label, FALSE);
  gtk_widget_add_css_class (label, "mt-overlay");
  return label;
}

static GtkWidget *
make_panel (MtWindow *self, GtkWidget *view, const char *name, MtViewAxis axis, Panel *panel)
{
  GtkWidget *overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), view);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), corner_label (GTK_ALIGN_START, GTK_ALIGN_START, name));
  if (panel != NULL)
    {
      /* Right, left, top and bottom edges: the patient directions there. */
      const char *letters[4];
      const GtkAlign h[4] = { GTK_ALIGN_END, GTK_ALIGN_START, GTK_ALIGN_CENTER, GTK_ALIGN_CENTER };
      const GtkAlign v[4] = { GTK_ALIGN_CENTER, GTK_ALIGN_CENTER, GTK_ALIGN_START, GTK_ALIGN_END };
      mt_view_orientation_letters (axis, letters);
      for (int e = 0; e < 4; e++)
        {
          GtkWidget *l = corner_label (h[e], v[e], letters[e]);
          gtk_widget_add_css_class (l, "mt-orientation");
          gtk_overlay_add_overlay (GTK_OVERLAY (overlay), l);
          panel->letters[e] = l;
        }
      panel->view = view;
      panel->pointer_label = corner_label (GTK_ALIGN_END, GTK_ALIGN_START, "");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), panel->pointer_label);
      g_signal_connect (view, "pointer", G_CALLBACK (on_pointer), panel->pointer_label);
      panel->slice_label = corner_label (GTK_ALIGN_START, GTK_ALIGN_END, "");
      panel->window_label = corner_label (GTK_ALIGN_END, GTK_ALIGN_END, "");
      g_ptr_array_add (self->annotations, panel->slice_label);
      g_ptr_array_add (self->annotations, panel->window_label);
      g_ptr_array_add (self->annotations, panel->pointer_label);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), panel->slice_label);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), panel->window_label);
    }
  g_signal_connect_object (view, "drawn", G_CALLBACK (on_view_drawn), self, G_CONNECT_SWAPPED);
  GtkWidget *frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), overlay);
  return frame;
}

static void
update_volume_letters (MtWindow *self)
{
  const char *letters[4];
  mt_volume_view_get_orientation_letters (MT_VOLUME_VIEW (self->volume_view), letters);
  for (int e = 0; e < 4; e++)
    if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (self->volume_letters[e])), letters[e]) != 0)
      gtk_label_set_text (GTK_LABEL (self->volume_letters[e]), letters[e]);
}

static void
on_window_preset (GtkDropDown *dropdown, GParamSpec *pspec, MtWindow *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  if (i >= MT_WINDOW_COUNT)
    return;
  const MtWindowLevel *wl = mt_window_preset (i);
  mt_viewer_set_window (self->viewer, wl->center, wl->width);
  if (self->settings)
    g_settings_set_string (self->settings, "window-preset", wl->name);
}

static void
on_render_preset (GtkDropDown *dropdown, GParamSpec *pspec, MtWindow *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  if (i >= MT_PRESET_COUNT)
    return;
  mt_viewer_set_preset (self->viewer, i);
  /* MR is chosen by the scan, not by the user: a CT should not open on it. */
  if (self->settings && i != MT_PRESET_MR)
    g_settings_set_string (self->settings, "render-preset", mt_render_preset_name (i));
}

/* Actions for everything frequent: shortcuts, menus and tests drive the views
 * through them. */
static void
window_preset_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtWindowPreset preset;
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (g_str_equal (g_variant_get_string (param, NULL), "auto") && v != NULL)
    {
      double center, width;
      mt_volume_auto_window (v, &center, &width);
      mt_viewer_set_window (self->viewer, center, width);
      return;
    }
  if (!mt_window_preset_lookup (g_variant_get_string (param, NULL), &preset))
    return;
  /* The drop-down follows, and through it the viewer. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->window_presets), preset);
  const MtWindowLevel *wl = mt_window_preset (preset);
  mt_viewer_set_window (self->viewer, wl->center, wl->width);
}

static void
slab_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  /* "mip", "minip", "mean" or "none", with the thickness: ("mip", 10.0). */
  MtWindow *self = user_data;
  const char *mode;
  double mm;
  g_variant_get (param, "(&sd)", &mode, &mm);
  for (guint m = 0; m < G_N_ELEMENTS (slab_mode_names); m++)
    if (g_str_equal (mode, slab_mode_names[m]))
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->slab), m);
        mt_viewer_set_slab (self->viewer, (MtSlabMode) m, mm);
        save_slab (self);
      }
}

static void
on_slab (GtkDropDown *dropdown, GParamSpec *pspec, MtWindow *self)
{
  MtSlabMode mode;
  double mm;
  mt_viewer_get_slab (self->viewer, &mode, &mm);
  mt_viewer_set_slab (self->viewer, (MtSlabMode) gtk_drop_down_get_selected (dropdown), mm);
  save_slab (self);
}

static void
render_preset_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtRenderPreset preset;
  if (mt_render_preset_from_name (g_variant_get_string (param, NULL), &preset))
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->render_presets), preset);
}

static void
slice_step_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  /* Through the axial slices (towards the head for positive steps). */
  MtWindow *self = user_data;
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v == NULL)
    return;
  int sign, axis = mt_volume_axis_for_patient (v, 2, &sign);
  int ijk[3];
  mt_viewer_get_cursor (self->viewer, ijk);
  ijk[axis] += sign * g_variant_get_int32 (param);
  mt_viewer_set_cursor (self->viewer, ijk);
}

static void
crosshair_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  int ijk[3];
  g_variant_get (param, "(iii)", &ijk[0], &ijk[1], &ijk[2]);
  mt_viewer_set_cursor (self->viewer, ijk);
}

static void
camera_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  static const char *names[] = { "anterior", "posterior", "left", "right", "superior", "inferior" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (g_variant_get_string (param, NULL), names[i]))
      mt_volume_view_set_camera (MT_VOLUME_VIEW (self->volume_view), (MtCameraPreset) i);
}


/* ("axial", 30.0): that view's crosshair lines turned 30 degrees
 * counter-clockwise, the other two views oblique; 0 puts them back. */
static void
oblique_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *name;
  double degrees;
  MtViewAxis view;
  g_variant_get (param, "(&sd)", &name, &degrees);
  if (mt_view_axis_lookup (name, &view))
    mt_viewer_set_oblique (self->viewer, view, degrees);
}

/* Turns the lines of the view last turned (the axial one at first). */
static void
rotate_crosshair_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtViewAxis view;
  double degrees;
  mt_viewer_get_oblique (self->viewer, &view, &degrees);
  mt_viewer_set_oblique (self->viewer, view, degrees + g_variant_get_double (param));
}

static const char *tool_names[MT_TOOL_N] = { "crosshair", "distance", "angle", "ellipse", "polygon", "brush",
                                             "eraser", "scissors", "grow", "crop" };

static void
tool_state_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *name = g_variant_get_string (state, NULL);
  for (int t = 0; t < MT_TOOL_N; t++)
    if (g_str_equal (name, tool_names[t]))
      {
        g_simple_action_set_state (action, state);
        mt_viewer_set_tool (self->viewer, (MtTool) t);
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->tools), t);
      }
}

/* Ctrl+D, Ctrl+G, Ctrl+E, Ctrl+P choose a tool; the same keys again go back
 * to the crosshair. */
static void
tool_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_autoptr (GVariant) state = g_action_get_state (G_ACTION (action));
  const char *now = g_variant_get_string (state, NULL), *wanted = g_variant_get_string (param, NULL);
  gboolean again = g_str_equal (now, wanted) && !g_str_equal (wanted, "crosshair");
  g_action_change_state (G_ACTION (action), g_variant_new_string (again ? "crosshair" : wanted));
}

static void
on_tool (GtkDropDown *dropdown, GParamSpec *pspec, MtWindow *self)
{
  guint t = gtk_drop_down_get_selected (dropdown);
  if (t < MT_TOOL_N)
    g_action_group_change_action_state (G_ACTION_GROUP (self), "tool", g_variant_new_string (tool_names[t]));
}

/* Delete removes the newest measurement; the list deletes any. */
static void
delete_measurement_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  GPtrArray *list = mt_viewer_get_measurements (self->viewer);
  int index = g_variant_get_int32 (param);
  if (index < 0)
    index += (int) list->len;
  if (index >= 0 && index < (int) list->len)
    mt_viewer_remove_measurement (self->viewer, (guint) index);
}

/* ---------------------------------------------------------- segmenting */

static void
segment_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  MtVolume *ct = g_object_get_data (G_OBJECT (task), "volume");
  MtProgress *progress = g_object_get_data (G_OBJECT (task), "progress");
  g_auto (GStrv) names = g_strsplit (task_data, ",", -1);
  GError *error = NULL;
  MtSegmentation *seg = mt_segment_run (ct, (const char * const *) names, progress, cancellable, &error);
  if (seg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The organs' surfaces for the 3D view, built here too, off the main thread. */
  g_object_set_data_full (G_OBJECT (task), "surfaces", mt_segmentation_surfaces (seg, cancellable),
                          (GDestroyNotify) g_ptr_array_unref);
  g_task_return_pointer (task, seg, (GDestroyNotify) mt_segmentation_unref);
}

static void
segment_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MtWindow *self = MT_WINDOW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtSegmentation) seg = g_task_propagate_pointer (G_TASK (result), &error);
  /* A load started meanwhile owns the progress bar now. */
  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    {
      gtk_widget_set_visible (self->progress_bar, FALSE);
      g_clear_object (&self->cancellable);
    }
  /* A scan opened meanwhile has its own grid: these segments are not its. */
  if (seg != NULL && mt_segmentation_get_grid (seg) != mt_viewer_get_volume (self->viewer))
    return;
  if (seg == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message);
      return;
    }
  mt_viewer_set_segmentation (self->viewer, seg);
  /* The 3D view shows these organs in place of any shown before. */
  GPtrArray *surfaces = g_object_get_data (G_OBJECT (result), "surfaces");
  mt_viewer_clear_surfaces (self->viewer);
  for (guint i = 0; surfaces != NULL && i < surfaces->len; i++)
    {
      const MtSurface *s = surfaces->pdata[i];
      mt_viewer_add_surface (self->viewer, mt_surface_new (s->mesh, s->name, s->rgba));
    }
  /* Organs a task could not find are said so, not silently missing. */
  g_autofree char *notes = g_strjoinv ("\n", (char **) mt_segmentation_get_notes (seg));
  show_message (self, notes[0] != '\0' ? notes : NULL);
}

/* ------------------------------------------------ saving and opening segments */

typedef struct
{
  MtSegmentation *seg;      /* a copy, for saving; NULL when opening */
  MtVolume       *ct;
  char           *source;
  char           *path;
} SegmentFileJob;

static void
segment_file_job_free (SegmentFileJob *job)
{
  g_clear_pointer (&job->seg, mt_segmentation_unref);
  g_clear_pointer (&job->ct, mt_volume_unref);
  g_free (job->source);
  g_free (job->path);
  g_free (job);
}

static gboolean
is_label_map (const char *path)
{
  return g_str_has_suffix (path, ".nii") || g_str_has_suffix (path, ".nii.gz");
}

static void
save_segments_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SegmentFileJob *job = task_data;
  GError *error = NULL;
  gboolean ok;
  if (g_str_has_suffix (job->path, ".dcm"))
    ok = mt_dicom_seg_write (job->seg, job->source ? job->source : "", job->path, &error);
  else if (g_str_has_suffix (job->path, ".csv"))
    {
      g_autofree char *text = mt_segmentation_statistics_csv (job->seg, job->ct);
      ok = g_file_set_contents (job->path, text, -1, &error);
    }
  else
    {
      g_autoptr (MtVolume) labels = mt_segmentation_to_volume (job->seg);
      ok = labels != NULL
           && mt_nifti_write (labels, mt_segmentation_bits (job->seg) == 8 ? MT_NIFTI_UINT8 : MT_NIFTI_INT16,
                              job->path, &error);
      if (labels == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for the label map"));
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_segments_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MtWindow *self = MT_WINDOW (source);
  g_autoptr (GError) error = NULL;
  SegmentFileJob *job = g_task_get_task_data (G_TASK (result));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = g_strdup_printf (_("Segments saved to %s"), job->path);
      show_message (self, text);
    }
  else
    show_message (self, error->message);
}

/* PATH.dcm: a DICOM SEG that references the scan's own files; .nii or
 * .nii.gz: a label map on the scan's grid; .csv: the statistics. In a
 * worker, on a copy: painting goes on meanwhile. */
static void
save_segments (MtWindow *self, const char *path)
{
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  if (seg == NULL || mt_segmentation_n_segments (seg) == 0)
    {
      show_message (self, _("There are no segments to save: run the automatic segmentation (Ctrl+Shift+G) or "
                            "paint with the brush (Ctrl+B) first."));
      return;
    }
  if (!g_str_has_suffix (path, ".dcm") && !g_str_has_suffix (path, ".csv") && !is_label_map (path))
    {
      show_message (self, _("Save segments as .dcm (DICOM SEG), .nii.gz (a label map) or .csv (their statistics)."));
      return;
    }
  SegmentFileJob *job = g_new0 (SegmentFileJob, 1);
  job->seg = mt_segmentation_copy (seg);
  job->ct = mt_volume_ref (mt_viewer_get_volume (self->viewer));
  job->source = g_strdup (self->source_path);
  job->path = g_strdup (path);
  g_autoptr (GTask) task = g_task_new (self, NULL, save_segments_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) segment_file_job_free);
  show_message (self, _("Saving the segments…"));
  g_task_run_in_thread (task, save_segments_thread);
}

static void
open_segments_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SegmentFileJob *job = task_data;
  GError *error = NULL;
  MtSegmentation *seg = NULL;
  if (is_label_map (job->path))
    {
      /* A label map, named by a labels.json beside it when there is one
       * (as the demo's truth has). */
      g_autofree char *dir = g_path_get_dirname (job->path);
      g_autofree char *names_path = g_build_filename (dir, "labels.json", NULL);
      g_autoptr (GHashTable) names = g_file_test (names_path, G_FILE_TEST_EXISTS)
                                         ? mt_segmentation_read_names (names_path, NULL)
                                         : NULL;
      g_autoptr (MtVolume) map = mt_nifti_read (job->path, &error);
      if (map != NULL)
        seg = mt_segmentation_from_labels (job->ct, map, names, &error);
    }
  else
    seg = mt_dicom_seg_read (job->path, job->ct, &error);
  if (seg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "surfaces", mt_segmentation_surfaces (seg, cancellable),
                          (GDestroyNotify) g_ptr_array_unref);
  g_task_return_pointer (task, seg, (GDestroyNotify) mt_segmentation_unref);
}

/* A DICOM SEG or a NIfTI label map read onto the scan shown, in place of
 * its segments. */
static void
open_segments (MtWindow *self, const char *path)
{
  MtVolume *ct = mt_viewer_get_volume (self->viewer);
  if (ct == NULL)
    {
      show_message (self, _("Open the scan first: segments are read onto its grid."));
      return;
    }
  SegmentFileJob *job = g_new0 (SegmentFileJob, 1);
  job->ct = mt_volume_ref (ct);
  job->path = g_strdup (path);
  g_autoptr (GTask) task = g_task_new (self, NULL, segment_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) segment_file_job_free);
  g_task_run_in_thread (task, open_segments_thread);
}

static void
on_segments_chooser_response (GtkNativeDialog *dialog, int response, MtWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        {
          if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE)
            save_segments (self, path);
          else
            open_segments (self, path);
        }
    }
  g_object_unref (dialog);
}

static void
segments_chooser (MtWindow *self, gboolean save)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      save ? _("Save the segments") : _("Open segments (DICOM SEG or a NIfTI label map)"), GTK_WINDOW (self),
      save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN, save ? _("_Save") : _("_Open"),
      _("_Cancel"));
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "segments.dcm");
  g_signal_connect (chooser, "response", G_CALLBACK (on_segments_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* (""): asks where (Ctrl+Shift+E); ("PATH"): saves there. */
static void
save_segments_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  const char *path = g_variant_get_string (param, NULL);
  if (path[0] == '\0')
    segments_chooser (user_data, TRUE);
  else
    save_segments (user_data, path);
}

static void
open_segments_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  const char *path = g_variant_get_string (param, NULL);
  if (path[0] == '\0')
    segments_chooser (user_data, FALSE);
  else
    open_segments (user_data, path);
}

/* ------------------------------------------------------------ scissors */

static void
surfaces_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_pointer (task, mt_segmentation_surfaces (task_data, cancellable), (GDestroyNotify) g_ptr_array_unref);
}

static void
surfaces_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MtWindow *self = MT_WINDOW (source);
  g_autoptr (GPtrArray) surfaces = g_task_propagate_pointer (G_TASK (result), NULL);
  MtSegmentation *copy = g_task_get_task_data (G_TASK (result));
  /* Only for the scan still shown. */
  if (surfaces == NULL || mt_segmentation_get_grid (copy) != mt_viewer_get_volume (self->viewer))
    return;
  mt_viewer_clear_surfaces (self->viewer);
  for (guint i = 0; i < surfaces->len; i++)
    {
      const MtSurface *s = surfaces->pdata[i];
      mt_viewer_add_surface (self->viewer, mt_surface_new (s->mesh, s->name, s->rgba));
    }
}

/* The segments' surfaces built again off the main thread, from a copy. */
static void
rebuild_surfaces (MtWindow *self, MtSegmentation *seg)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, surfaces_done, NULL);
  g_task_set_task_data (task, mt_segmentation_copy (seg), (GDestroyNotify) mt_segmentation_unref);
  g_task_run_in_thread (task, surfaces_thread);
}

/* A closed lasso on the 3D view (screen x, y in [-1, 1]): every unlocked
 * segment loses what lies inside it, through the whole depth. */
static void
cut_segments (MtWindow *self, const double *polygon, int n_points)
{
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  if (seg == NULL || n_points < 3)
    {
      show_message (self, _("The scissors cut segments: run the automatic segmentation (Ctrl+Shift+G) first."));
      return;
    }
  double to_screen[16];
  mt_volume_view_get_to_screen (MT_VOLUME_VIEW (self->volume_view), to_screen);
  gsize cut = mt_segmentation_scissors (seg, 0, to_screen, polygon, n_points, TRUE);
  mt_viewer_segmentation_edited (self->viewer);
  g_autofree char *text = g_strdup_printf (_("The scissors cut %zu voxels out of the unlocked segments; Ctrl+Z "
                                             "undoes it."), cut);
  show_message (self, text);
  if (cut > 0)
    rebuild_surfaces (self, seg);
}

static void
on_cut (MtVolumeView *view, GArray *ndc, MtWindow *self)
{
  cut_segments (self, (const double *) ndc->data, (int) (ndc->len / 2));
}

/* ([x0, y0, x1, y1, ...]): the same from a script, in screen units. */
static void
cut_3d_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gsize n = 0;
  const double *xy = g_variant_get_fixed_array (param, &n, sizeof (double));
  cut_segments (user_data, xy, (int) (n / 2));
}

/* ("all") or ("body,couch,lungs"): the automatic tasks on the scan shown,
 * in a worker thread, with progress and Cancel. */
static void
segment_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v == NULL)
    return;
  if (self->cancellable != NULL)
    {
      show_message (self, _("Wait until the scan has opened (or cancel it) before segmenting."));
      return;
    }
  self->cancellable = g_cancellable_new ();
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, segment_done, NULL);
  g_task_set_task_data (task, g_strdup (g_variant_get_string (param, NULL)), g_free);
  g_object_set_data_full (G_OBJECT (task), "volume", mt_volume_ref (v), (GDestroyNotify) mt_volume_unref);
  MtProgress *progress = mt_progress_new (on_progress, self, g_main_context_default ());
  g_object_set_data_full (G_OBJECT (task), "progress", progress, (GDestroyNotify) mt_progress_unref);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), _("Segmenting…"));
  gtk_widget_set_visible (self->progress_bar, TRUE);
  g_task_run_in_thread (task, segment_thread);
}

/* ------------------------------------------------------------ surfaces */

static void
refine_surfaces_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_surface_panel_refine (MT_SURFACE_PANEL (self->surface_panel));
}

static void
cut_surfaces_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_surface_panel_cut (MT_SURFACE_PANEL (self->surface_panel));
}

static void
uncut_surfaces_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_surface_panel_uncut (MT_SURFACE_PANEL (self->surface_panel));
}

/* ("OUT.obj"): in LPS; ("OUT.obj:RAS"): in RAS. */
static void
save_surfaces_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  g_autofree char *path = g_strdup (g_variant_get_string (param, NULL));
  MtMeshSpace space = MT_MESH_LPS;
  if (g_str_has_suffix (path, ":RAS"))
    {
      space = MT_MESH_RAS;
      path[strlen (path) - 4] = '\0';
    }
  g_autoptr (GError) error = NULL;
  if (!mt_surface_panel_save (MT_SURFACE_PANEL (self->surface_panel), path, space, &error))
    show_message (self, error->message);
}

/* ------------------------------------------------------------ clipping */

static const char *clip_names[MT_CLIP_N] = { "none", "superior", "inferior", "posterior", "anterior", "right", "left" };

static void
clip_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  for (int c = 0; c < MT_CLIP_N; c++)
    if (g_str_equal (g_variant_get_string (param, NULL), clip_names[c]))
      {
        mt_viewer_set_clip (self->viewer, (MtClip) c);
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->clip_choice), c);
      }
}

/* [] shows everything; [x0, x1, y0, y1, z0, z1] (patient mm) crops. */
static void
clip_box_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  gsize n;
  const double *box = g_variant_get_fixed_array (param, &n, sizeof (double));
  mt_viewer_set_clip_box (self->viewer, n == 6 ? box : NULL);
}

static void
on_clip_choice (GtkDropDown *dropdown, GParamSpec *pspec, MtWindow *self)
{
  guint c = gtk_drop_down_get_selected (dropdown);
  if (c < MT_CLIP_N && c != mt_viewer_get_clip (self->viewer))
    mt_viewer_set_clip (self->viewer, (MtClip) c);
}

static void
on_crop_changed (MtWindow *self)
{
  if (self->syncing_clip)
    return;
  if (!gtk_switch_get_active (GTK_SWITCH (self->crop_switch)))
    {
      mt_viewer_set_clip_box (self->viewer, NULL);
      return;
    }
  double box[6];
  for (int i = 0; i < 6; i++)
    box[i] = gtk_range_get_value (GTK_RANGE (self->crop_scales[i]));
  mt_viewer_set_clip_box (self->viewer, box);
}

/* The controls follow the viewer: a new scan, an action from a key. */
static void
sync_clip_controls (MtWindow *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  double bounds[6] = { 0, 1, 0, 1, 0, 1 }, box[6];
  if (v != NULL)
    mt_volume_patient_bounds (v, bounds);
  gboolean on = mt_viewer_get_clip_box (self->viewer, box);
  self->syncing_clip = TRUE;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->clip_choice), mt_viewer_get_clip (self->viewer));
  gtk_switch_set_active (GTK_SWITCH (self->crop_switch), on);
  for (int i = 0; i < 6; i++)
    {
      gtk_range_set_range (GTK_RANGE (self->crop_scales[i]), bounds[2 * (i / 2)], bounds[2 * (i / 2) + 1]);
      gtk_range_set_value (GTK_RANGE (self->crop_scales[i]), on ? box[i] : bounds[i]);
      gtk_widget_set_sensitive (self->crop_scales[i], on);
    }
  self->syncing_clip = FALSE;
}

/* ----------------------------------------------------------- crop the scan */

typedef struct
{
  MtVolume *volume;
  gboolean  to_body;
  double    box[6];
} CropJob;

static void
crop_job_free (CropJob *job)
{
  mt_volume_unref (job->volume);
  g_free (job);
}

static void
crop_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  CropJob *job = data;
  GError *error = NULL;
  int lo[3], hi[3];
  if (job->to_body)
    {
      g_autofree guint8 *body = NULL, *couch = NULL;
      MtProgress *progress = g_object_get_data (G_OBJECT (task), "progress");
      if (!mt_segment_body_couch (job->volume, &body, &couch, progress, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      if (!mt_mask_box (job->volume, body, 5.0, lo, hi))
        {
          g_task_return_new_error (task, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT, "%s",
                                   _("No body found in this scan: nothing was cropped."));
          return;
        }
    }
  else if (!mt_box_to_index_range (job->volume, job->box, lo, hi))
    {
      g_task_return_new_error (task, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT, "%s",
                               _("The crop box does not meet the scan: nothing was cropped."));
      return;
    }
  MtVolume *cropped = mt_crop (job->volume, lo, hi, &error);
  if (cropped == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cropped, (GDestroyNotify) mt_volume_unref);
}

static void
crop_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MtWindow *self = MT_WINDOW (source);
  CropJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (MtVolume) cropped = finish_worker (self, result);
  if (cropped == NULL)
    return;
  if (job->volume != mt_viewer_get_volume (self->viewer))
    return;
  double before = mt_volume_n_voxels (job->volume), after = mt_volume_n_voxels (cropped);
  /* The same study, in the same place in the patient: its measurements
   * still hold and come back. */
  mt_viewer_set_volume (self->viewer, cropped);
  g_autoptr (GPtrArray) kept = self->study_key ? mt_measurements_load (self->study_key, NULL) : NULL;
  if (kept != NULL)
    mt_viewer_set_measurements (self->viewer, kept);
  g_autofree char *text = g_strdup_printf (_("Cropped to %d x %d x %d voxels (%.0f%% of them). Segments and "
                                             "surfaces belong to the whole scan and were put away."),
                                           cropped->dims[0], cropped->dims[1], cropped->dims[2], 100 * after / before);
  show_message (self, text);
}

/* ("box"): the scan cropped to the crop box; ("body"): to the body, with
 * 5 mm around it (a worker thread, with progress and Cancel). */
static void
crop_scan_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  const char *what = g_variant_get_string (param, NULL);
  if (v == NULL)
    return;
  if (self->cancellable != NULL)
    {
      show_message (self, _("Wait until the scan has opened (or cancel it) before cropping."));
      return;
    }
  CropJob *job = g_new0 (CropJob, 1);
  job->to_body = g_str_equal (what, "body");
  if (!job->to_body && !mt_viewer_get_clip_box (self->viewer, job->box))
    {
      g_free (job);
      show_message (self, _("There is no crop box yet: draw one in a slice view with the Crop box tool, or turn "
                            "\"Crop to a box\" on."));
      return;
    }
  job->volume = mt_volume_ref (v);
  start_worker (self, _("Cropping…"), job, (GDestroyNotify) crop_job_free, crop_thread, crop_done);
}

static void
save_scan_to (MtWindow *self, const char *path)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  g_autoptr (GError) error = NULL;
  if (v == NULL)
    return;
  if (!mt_nifti_write (v, MT_NIFTI_FLOAT32, path, &error))
    show_message (self, error->message);
  else
    {
      g_autofree char *text = g_strdup_printf (_("Scan saved to %s (%d x %d x %d voxels)."), path, v->dims[0],
                                               v->dims[1], v->dims[2]);
      show_message (self, text);
    }
}

static void
on_scan_chooser_response (GtkNativeDialog *dialog, int response, MtWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        save_scan_to (self, path);
    }
  g_object_unref (dialog);
}

/* ("OUT.nii.gz"), or ("") to choose where. */
static void
save_scan_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *path = g_variant_get_string (param, NULL);
  if (mt_viewer_get_volume (self->viewer) == NULL)
    return;
  if (*path != '\0')
    {
      save_scan_to (self, path);
      return;
    }
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save the scan"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "scan.nii.gz");
  g_signal_connect (chooser, "response", G_CALLBACK (on_scan_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static GtkWidget *
build_clip_popover (MtWindow *self)
{
  GtkWidget *button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "edit-cut-symbolic");
  gtk_widget_set_tooltip_text (button, _("Cut the 3D view along a slice plane, or crop it to a box (Ctrl+K)"));
  GtkWidget *grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  const char *choices[] = { _("No cut"), _("Cut away above the axial plane"), _("Cut away below the axial plane"),
                            _("Cut away behind the coronal plane"), _("Cut away in front of the coronal plane"),
                            _("Cut away the right of the sagittal plane"),
                            _("Cut away the left of the sagittal plane"), NULL };
  self->clip_choice = gtk_drop_down_new_from_strings (choices);
  gtk_widget_set_tooltip_text (self->clip_choice, _("The plane follows the crosshair, turned with it when oblique"));
  g_signal_connect (self->clip_choice, "notify::selected", G_CALLBACK (on_clip_choice), self);
  gtk_grid_attach (GTK_GRID (grid), self->clip_choice, 0, 0, 3, 1);
  GtkWidget *crop_label = gtk_label_new (_("Crop to a box"));
  gtk_label_set_xalign (GTK_LABEL (crop_label), 0);
  self->crop_switch = gtk_switch_new ();
  gtk_widget_set_halign (self->crop_switch, GTK_ALIGN_START);
  g_signal_connect_swapped (self->crop_switch, "notify::active", G_CALLBACK (on_crop_changed), self);
  gtk_grid_attach (GTK_GRID (grid), crop_label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), self->crop_switch, 1, 1, 2, 1);
  const char *axes[3] = { _("Right–left (mm)"), _("Anterior–posterior (mm)"), _("Inferior–superior (mm)") };
  for (int a = 0; a < 3; a++)
    {
      GtkWidget *label = gtk_label_new (axes[a]);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (grid), label, 0, 2 + a, 1, 1);
      for (int e = 0; e < 2; e++)
        {
          GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1);
          gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
          gtk_scale_set_digits (GTK_SCALE (scale), 0);
          gtk_widget_set_size_request (scale, 160, -1);
          g_signal_connect_swapped (scale, "value-changed", G_CALLBACK (on_crop_changed), self);
          gtk_grid_attach (GTK_GRID (grid), scale, 1 + e, 2 + a, 1, 1);
          self->crop_scales[2 * a + e] = scale;
        }
    }
  /* The scan itself made smaller: to the box (drawn with the crop tool or
   * set above) or to the body; then kept as NIfTI if wanted. */
  GtkWidget *hint = gtk_label_new (_("Draw the box in a slice view with the Crop box tool."));
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_grid_attach (GTK_GRID (grid), hint, 0, 5, 3, 1);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const struct { const char *label, *action, *tip; } buttons[] = {
    { N_("Crop the scan to the box"), "win.crop-scan('box')", N_("A new, smaller scan: the voxels inside the box") },
    { N_("Crop the scan to the body"), "win.crop-scan('body')",
      N_("The body found automatically, with 5 mm around it: no couch, no air") },
    { N_("Save the scan…"), "win.save-scan('')", N_("The scan shown, as NIfTI (for 3D Slicer, ITK, elastix)") },
  };
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *b = gtk_button_new_with_label (_(buttons[i].label));
      gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (b), buttons[i].action);
      gtk_widget_set_tooltip_text (b, _(buttons[i].tip));
      gtk_box_append (GTK_BOX (actions), b);
    }
  gtk_grid_attach (GTK_GRID (grid), actions, 0, 6, 3, 1);
  GtkWidget *popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  g_signal_connect_object (self->viewer, "clip-changed", G_CALLBACK (sync_clip_controls), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "volume-changed", G_CALLBACK (sync_clip_controls), self,
                           G_CONNECT_SWAPPED);
  return button;
}

/* Ctrl+Z and Ctrl+Shift+Z: the segmentation's last edit undone, redone. */
static void
undo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  if (seg != NULL && mt_segmentation_undo (seg))
    mt_viewer_segmentation_edited (self->viewer);
}

static void
redo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  if (seg != NULL && mt_segmentation_redo (seg))
    mt_viewer_segmentation_edited (self->viewer);
}

/* Grows (mm > 0) or shrinks the active segment by a margin: a safety
 * margin around a tumour for surgery. */
static void
segment_margin_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  guint16 value = seg ? mt_viewer_get_active_segment (self->viewer) : 0;
  if (value != 0 && mt_segmentation_margin (seg, value, g_variant_get_double (param)) > 0)
    mt_viewer_segmentation_edited (self->viewer);
}

/* ("interpolate"), ("fill-holes"), ("keep-largest"), ("keep-window"),
 * ("grow"), ("shrink"): an edit of the segment chosen in the list (the
 * brush's), one undo step. */
static void
segment_edit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *op = g_variant_get_string (param, NULL);
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  guint16 value = seg ? mt_viewer_get_active_segment (self->viewer) : 0;
  if (value == 0)
    return;
  gsize changed = 0;
  if (g_str_equal (op, "interpolate"))
    changed = mt_segmentation_interpolate (seg, value, 2);
  else if (g_str_equal (op, "fill-holes"))
    changed = mt_segmentation_fill_holes (seg, value);
  else if (g_str_equal (op, "keep-largest"))
    changed = mt_segmentation_islands (seg, value, 0);
  else if (g_str_equal (op, "keep-window"))
    {
      double center, width;
      mt_viewer_get_window (self->viewer, &center, &width);
      changed = mt_segmentation_keep_range (seg, value, mt_viewer_get_volume (self->viewer), center - width / 2,
                                            center + width / 2);
    }
  else if (g_str_equal (op, "grow") || g_str_equal (op, "shrink"))
    changed = mt_segmentation_margin (seg, value, g_str_equal (op, "grow") ? 2.0 : -2.0);
  else
    return;
  const MtSegment *sg = NULL;
  for (guint s = 0; s < mt_segmentation_n_segments (seg); s++)
    if (mt_segmentation_get_segment (seg, s)->value == value)
      sg = mt_segmentation_get_segment (seg, s);
  g_autofree char *text = g_strdup_printf (_("%s: %zu voxels changed; Ctrl+Z undoes it."), sg ? sg->name : "",
                                           changed);
  show_message (self, text);
  if (changed > 0)
    mt_viewer_segmentation_edited (self->viewer);
}

/* ("bone"): the voxels in a threshold preset's range, painted into the
 * segment chosen in the list, one undo step. */
static void
segment_threshold_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const MtThresholdPreset *preset = mt_threshold_preset_lookup (g_variant_get_string (param, NULL));
  MtVolume *ct = mt_viewer_get_volume (self->viewer);
  guint16 value = ct != NULL ? mt_viewer_get_active_segment (self->viewer) : 0;
  if (preset == NULL || value == 0)
    return;
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  gsize changed = mt_segmentation_threshold (seg, value, ct, preset->low, preset->high, NULL);
  g_autofree char *text = g_strdup_printf (_("%s: %zu voxels painted; Ctrl+Z undoes it."), _(preset->label), changed);
  show_message (self, text);
  if (changed > 0)
    mt_viewer_segmentation_edited (self->viewer);
}

static void
brush_sphere_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  MtWindow *self = user_data;
  g_simple_action_set_state (action, state);
  mt_viewer_set_brush_sphere (self->viewer, g_variant_get_boolean (state));
}

static void
brush_radius_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_viewer_set_brush_radius (self->viewer, g_variant_get_double (param));
}

static void
edit_clipping_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->clip_button));
}

static void
surfaces_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  MtWindow *self = user_data;
  g_simple_action_set_state (action, state);
  mt_viewer_set_surfaces_shown (self->viewer, g_variant_get_boolean (state));
}

/* The living twin beside the views: shown, it animates them. */
static void
twin_changed (GSimpleAction *action, GVariant *state, gpointer user_data)
{
  MtWindow *self = user_data;
  gboolean on = g_variant_get_boolean (state);
  g_simple_action_set_state (action, state);
  gtk_widget_set_visible (self->twin_side, on);
  mt_twin_panel_set_active (MT_TWIN_PANEL (self->twin_panel), on);
}

static void
show_twin (MtWindow *self)
{
  if (!gtk_widget_get_visible (self->twin_side))
    g_action_group_change_action_state (G_ACTION_GROUP (self), "twin", g_variant_new_boolean (TRUE));
}

static void
twin_play_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  show_twin (self);
  MtTwinPanel *panel = MT_TWIN_PANEL (self->twin_panel);
  mt_twin_panel_set_playing (panel, !mt_twin_panel_get_playing (panel));
}

static void
twin_advance_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  show_twin (self);
  mt_twin_panel_advance (MT_TWIN_PANEL (self->twin_panel), MAX (0, g_variant_get_double (param)));
}

static void
twin_scrub_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  show_twin (self);
  mt_twin_panel_scrub (MT_TWIN_PANEL (self->twin_panel), g_variant_get_double (param));
}

static void
twin_heart_rate_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  mt_twin_panel_set_heart_rate (MT_TWIN_PANEL (self->twin_panel), g_variant_get_double (param));
}

static void
twin_ecg_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  g_autoptr (GError) error = NULL;
  show_twin (self);
  mt_twin_panel_load_ecg (MT_TWIN_PANEL (self->twin_panel), g_variant_get_string (param, NULL), &error);
}

static void
edit_transfer_function_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  gtk_menu_button_popup (GTK_MENU_BUTTON (self->tf_button));
}

static void save_screenshot_activated (GSimpleAction *action, GVariant *param, gpointer user_data);
static void save_view_screenshot_activated (GSimpleAction *action, GVariant *param, gpointer user_data);

static const GActionEntry win_actions[] = {
  { "open", open_activated, NULL, NULL, NULL, { 0 } },
  { "open-demo", demo_activated, NULL, NULL, NULL, { 0 } },
  { "library", library_activated, NULL, NULL, NULL, { 0 } },
  { "end-compare", end_compare_activated, NULL, NULL, NULL, { 0 } },
  { "align-second", align_second_activated, "s", NULL, NULL, { 0 } },
  { "fusion", fusion_activated, "s", NULL, NULL, { 0 } },
  { "fusion-blend", fusion_blend_activated, "d", NULL, NULL, { 0 } },
  { "save-transform", save_transform_activated, "s", NULL, NULL, { 0 } },
  { "crop-scan", crop_scan_activated, "s", NULL, NULL, { 0 } },
  { "save-scan", save_scan_activated, "s", NULL, NULL, { 0 } },
  { "window-preset", window_preset_activated, "s", NULL, NULL, { 0 } },
  { "render-preset", render_preset_activated, "s", NULL, NULL, { 0 } },
  { "slice-step", slice_step_activated, "i", NULL, NULL, { 0 } },
  { "crosshair", crosshair_activated, "(iii)", NULL, NULL, { 0 } },
  { "oblique", oblique_activated, "(sd)", NULL, NULL, { 0 } },
  { "rotate-crosshair", rotate_crosshair_activated, "d", NULL, NULL, { 0 } },
  { "tool", tool_activated, "s", "'crosshair'", tool_state_changed, { 0 } },
  { "edit-transfer-function", edit_transfer_function_activated, NULL, NULL, NULL, { 0 } },
  { "surfaces", NULL, NULL, "true", surfaces_changed, { 0 } },
  { "clip", clip_activated, "s", NULL, NULL, { 0 } },
  { "segment", segment_activated, "s", NULL, NULL, { 0 } },
  { "save-segments", save_segments_activated, "s", NULL, NULL, { 0 } },
  { "open-segments", open_segments_activated, "s", NULL, NULL, { 0 } },
  { "cut-3d", cut_3d_activated, "ad", NULL, NULL, { 0 } },
  { "segment-edit", segment_edit_activated, "s", NULL, NULL, { 0 } },
  { "segment-threshold", segment_threshold_activated, "s", NULL, NULL, { 0 } },
  { "undo", undo_activated, NULL, NULL, NULL, { 0 } },
  { "redo", redo_activated, NULL, NULL, NULL, { 0 } },
  { "brush-radius", brush_radius_activated, "d", NULL, NULL, { 0 } },
  { "brush-sphere", NULL, NULL, "false", brush_sphere_changed, { 0 } },
  { "segment-margin", segment_margin_activated, "d", NULL, NULL, { 0 } },
  { "clip-box", clip_box_activated, "ad", NULL, NULL, { 0 } },
  { "refine-surfaces", refine_surfaces_activated, NULL, NULL, NULL, { 0 } },
  { "cut-surfaces", cut_surfaces_activated, NULL, NULL, NULL, { 0 } },
  { "uncut-surfaces", uncut_surfaces_activated, NULL, NULL, NULL, { 0 } },
  { "save-surfaces", save_surfaces_activated, "s", NULL, NULL, { 0 } },
  { "edit-clipping", edit_clipping_activated, NULL, NULL, NULL, { 0 } },
  { "delete-measurement", delete_measurement_activated, "i", NULL, NULL, { 0 } },
  { "camera", camera_activated, "s", NULL, NULL, { 0 } },
  { "slab", slab_activated, "(sd)", NULL, NULL, { 0 } },
  { "annotations", NULL, NULL, "true", annotations_changed, { 0 } },
  { "save-screenshot", save_screenshot_activated, "s", NULL, NULL, { 0 } },
  { "save-view-screenshot", save_view_screenshot_activated, "(ss)", NULL, NULL, { 0 } },
  { "present", present_activated, NULL, NULL, NULL, { 0 } },
  { "twin", NULL, NULL, "false", twin_changed, { 0 } },
  { "twin-play", twin_play_activated, NULL, NULL, NULL, { 0 } },
  { "twin-advance", twin_advance_activated, "d", NULL, NULL, { 0 } },
  { "twin-scrub", twin_scrub_activated, "d", NULL, NULL, { 0 } },
  { "twin-heart-rate", twin_heart_rate_activated, "d", NULL, NULL, { 0 } },
  { "twin-ecg", twin_ecg_activated, "s", NULL, NULL, { 0 } },
  { "leave-presentation", leave_presentation_activated, NULL, NULL, NULL, { 0 } },
};

static void
mt_window_dispose (GObject *object)
{
  MtWindow *self = MT_WINDOW (object);
  /* Closed or quit: remember the size for next time. */
  mt_window_save_state (self);
  g_clear_object (&self->settings);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->browser)
    gtk_window_destroy (self->browser);
  g_clear_handle_id (&self->ready_idle, g_source_remove);
  G_OBJECT_CLASS (mt_window_parent_class)->dispose (object);
}

static void
mt_window_finalize (GObject *object)
{
  MtWindow *self = MT_WINDOW (object);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->annotations, g_ptr_array_unref);
  g_clear_pointer (&self->study_key, g_free);
  g_clear_pointer (&self->second_key, g_free);
  g_clear_pointer (&self->source_path, g_free);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (mt_window_parent_class)->finalize (object);
}

static void
mt_window_class_init (MtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = mt_window_dispose;
  object_class->finalize = mt_window_finalize;
  signals[VIEWS_READY] = g_signal_new ("views-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LOAD_FAILED] = g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mt_window_init (MtWindow *self)
{
  self->viewer = mt_viewer_new ();
  self->annotations = g_ptr_array_new ();
  /* The shortcuts window (Ctrl+?). Registered by hand: a static library's
   * resource constructor is not linked in by itself. */
  static gsize registered = 0;
  if (g_once_init_enter (&registered))
    {
      g_resources_register (mt_ui_get_resource ());
      g_once_init_leave (&registered, 1);
    }
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/medtwin/MedTwin/ui/help-overlay.ui");
  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self),
                                           GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 900);
  gtk_window_set_title (GTK_WINDOW (self), "MedTwin");

  /* Header: open, then the presets. */
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  self->title = gtk_label_new ("MedTwin");
  gtk_widget_add_css_class (self->title, "title");
  self->subtitle = gtk_label_new (_("No scan open"));
  gtk_widget_add_css_class (self->subtitle, "subtitle");
  /* The title gives way first when the header runs out of room. */
  gtk_label_set_ellipsize (GTK_LABEL (self->title), PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (titles), self->title);
  gtk_box_append (GTK_BOX (titles), self->subtitle);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), titles);

  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "win.open");
  gtk_widget_set_tooltip_text (open, _("Open a DICOM folder (Ctrl+O)"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), open);
  GtkWidget *library = gtk_button_new_with_mnemonic (_("_Library"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (library), "win.library");
  gtk_widget_set_tooltip_text (library, _("Browse and import patients, studies and series (Ctrl+L)"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), library);
  self->end_compare = gtk_button_new_with_mnemonic (_("_End comparison"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->end_compare), "win.end-compare");
  gtk_widget_set_tooltip_text (self->end_compare, _("Close scan B and show the four views of scan A again"));
  gtk_widget_set_visible (self->end_compare, FALSE);
  GtkWidget *demo = gtk_button_new_with_mnemonic (_("_Demo patient"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (demo), "win.open-demo");
  gtk_widget_set_tooltip_text (demo, _("Open the built-in demo patient"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), demo);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->end_compare);
  self->align_button = gtk_button_new_with_mnemonic (_("_Align B to A"));
  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (self->align_button), "win.align-second('')");
  gtk_widget_set_tooltip_text (self->align_button, _("Register scan B onto scan A (rigid; mutual information across "
                                                     "modalities) and show them fused in scan A's views"));
  gtk_widget_set_visible (self->align_button, FALSE);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->align_button);
  const char *fusion_labels[] = { _("Not fused"), _("Blend"), _("Checkerboard"), _("Difference"), NULL };
  self->fusion_mode = gtk_drop_down_new_from_strings (fusion_labels);
  gtk_widget_set_tooltip_text (self->fusion_mode, _("How scan B, aligned, is shown in scan A's views"));
  g_signal_connect (self->fusion_mode, "notify::selected", G_CALLBACK (on_fusion_mode_selected), self);
  self->fusion_blend = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.05);
  gtk_widget_set_size_request (self->fusion_blend, 120, -1);
  gtk_widget_set_tooltip_text (self->fusion_blend, _("Blend: scan A alone at the left end, scan B alone at the right"));
  g_signal_connect (self->fusion_blend, "value-changed", G_CALLBACK (on_fusion_blend_moved), self);
  GtkWidget *save_tfm = gtk_button_new_from_icon_name ("document-save-symbolic");
  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (save_tfm), "win.save-transform('')");
  gtk_widget_set_tooltip_text (save_tfm, _("Save the transform as an ITK file (for 3D Slicer, ITK, elastix)"));
  self->fusion_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_box_append (GTK_BOX (self->fusion_bar), self->fusion_mode);
  gtk_box_append (GTK_BOX (self->fusion_bar), self->fusion_blend);
  gtk_box_append (GTK_BOX (self->fusion_bar), save_tfm);
  gtk_widget_set_visible (self->fusion_bar, FALSE);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->fusion_bar);
  const char *tool_labels[] = { _("Crosshair"), _("Distance"), _("Angle"), _("Ellipse"), _("Polygon"), _("Brush"),
                                _("Eraser"), _("Scissors (3D)"), _("Grow from a click"), _("Crop box"), NULL };
  self->tools = gtk_drop_down_new_from_strings (tool_labels);
  gtk_widget_set_tooltip_text (self->tools, _("What the left button does in the slice views; the right button "
                                              "always sets window and level"));
  g_signal_connect (self->tools, "notify::selected", G_CALLBACK (on_tool), self);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->tools);
  self->measurements_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->measurements_button), _("Measurements (0)"));
  gtk_widget_set_tooltip_text (self->measurements_button, _("The scan's measurements, kept with it"));
  GtkWidget *popover = gtk_popover_new ();
  self->measurement_list = mt_measurement_list_new (self->viewer);
  gtk_popover_set_child (GTK_POPOVER (popover), self->measurement_list);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->measurements_button), popover);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->measurements_button);
  GtkWidget *segments_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (segments_button), _("Segments"));
  gtk_widget_set_tooltip_text (segments_button, _("The segments: shown, locked, labelled; the one the brush paints"));
  GtkWidget *segments_popover = gtk_popover_new ();
  self->segment_list = mt_segment_list_new (self->viewer);
  gtk_popover_set_child (GTK_POPOVER (segments_popover), self->segment_list);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (segments_button), segments_popover);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), segments_button);
  GtkWidget *surfaces_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (surfaces_button), _("Surfaces"));
  gtk_widget_set_tooltip_text (surfaces_button, _("The 3D surfaces: their facts; refine, cut, measure and save them "
                                                  "(for 3D printing)"));
  GtkWidget *surfaces_popover = gtk_popover_new ();
  self->surface_panel = mt_surface_panel_new (self->viewer);
  gtk_popover_set_child (GTK_POPOVER (surfaces_popover), self->surface_panel);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (surfaces_button), surfaces_popover);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), surfaces_button);
  GtkWidget *twin_button = gtk_toggle_button_new_with_label (_("Twin"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (twin_button), "win.twin");
  gtk_widget_set_tooltip_text (twin_button, _("The living twin: the heart beating, the lungs breathing and the blood "
                                              "flowing, with live traces and findings (F6; F7 plays)"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), twin_button);

  const char *wl_names[MT_WINDOW_COUNT + 2] = { NULL };
  for (int i = 0; i < MT_WINDOW_COUNT; i++)
    wl_names[i] = _(mt_window_preset (i)->label);
  /* Any other window: dragged, automatic or the file's own. */
  wl_names[MT_WINDOW_COUNT] = _("Custom window");
  self->window_presets = gtk_drop_down_new_from_strings (wl_names);
  gtk_widget_set_tooltip_text (self->window_presets, _("Window for the slice views"));
  g_signal_connect (self->window_presets, "notify::selected", G_CALLBACK (on_window_preset), self);
  const char *rp_names[] = { _("3D: Bone"), _("3D: Soft tissue"), _("3D: MIP"), _("3D: Angiography"),
                             _("3D: Lung"), _("3D: MR"), NULL };
  self->render_presets = gtk_drop_down_new_from_strings (rp_names);
  gtk_widget_set_tooltip_text (self->render_presets, _("Preset for the 3D view"));
  g_signal_connect (self->render_presets, "notify::selected", G_CALLBACK (on_render_preset), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->render_presets);
  /* The transfer-function editor, in a popover under its button. */
  self->tf_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->tf_button), "document-edit-symbolic");
  gtk_widget_set_tooltip_text (self->tf_button, _("Edit the 3D view's colours and opacities (Ctrl+T)"));
  GtkWidget *tf_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->tf_editor = mt_tf_editor_new (self->viewer);
  GtkWidget *tf_hint = gtk_label_new (_("Opacity over the scan's histogram. Drag a point; click beside the curve "
                                        "to add one; right-click to remove it; double-click for its colour."));
  gtk_label_set_wrap (GTK_LABEL (tf_hint), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (tf_hint), 60);
  gtk_label_set_xalign (GTK_LABEL (tf_hint), 0);
  gtk_widget_add_css_class (tf_hint, "dim-label");
  GtkWidget *tf_reset = gtk_button_new_with_mnemonic (_("_Reset to the preset"));
  gtk_widget_set_halign (tf_reset, GTK_ALIGN_END);
  g_signal_connect_swapped (tf_reset, "clicked", G_CALLBACK (mt_tf_editor_reset), self->tf_editor);
  gtk_box_append (GTK_BOX (tf_box), self->tf_editor);
  gtk_box_append (GTK_BOX (tf_box), tf_hint);
  gtk_box_append (GTK_BOX (tf_box), tf_reset);
  GtkWidget *tf_popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (tf_popover), tf_box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->tf_button), tf_popover);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->tf_button);
  self->clip_button = build_clip_popover (self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->clip_button);
  const char *slab_names[] = { _("Thin slice"), _("MIP slab"), _("MinIP slab"), _("Average slab"), NULL };
  self->slab = gtk_drop_down_new_from_strings (slab_names);
  gtk_widget_set_tooltip_text (self->slab, _("Thick slabs in the slice views"));
  g_signal_connect (self->slab, "notify::selected", G_CALLBACK (on_slab), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->slab);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->window_presets);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);

  /* Views: axial and sagittal above, coronal and 3D below. */
  GtkWidget *grid = gtk_grid_new ();
  gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 2);
  gtk_widget_set_vexpand (grid, TRUE);
  const MtViewAxis axes[3] = { MT_VIEW_AXIAL, MT_VIEW_SAGITTAL, MT_VIEW_CORONAL };
  const char *names[3] = { _("Axial"), _("Sagittal"), _("Coronal") };
  const int cells[3][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 } };
  self->grid = grid;
  for (int p = 0; p < 3; p++)
    {
      GtkWidget *view = mt_slice_view_new (self->viewer, axes[p]);
      self->frames[p] = make_panel (self, view, names[p], axes[p], &self->panels[p]);
      gtk_grid_attach (GTK_GRID (grid), self->frames[p], cells[p][0], cells[p][1], 1, 1);
    }
  /* Who and what, under the axial view's pointer readout. */
  self->patient_label = corner_label (GTK_ALIGN_END, GTK_ALIGN_START, "");
  gtk_label_set_justify (GTK_LABEL (self->patient_label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_margin_top (self->patient_label, 28);
  gtk_overlay_add_overlay (GTK_OVERLAY (gtk_frame_get_child (GTK_FRAME (self->frames[0]))), self->patient_label);
  g_ptr_array_add (self->annotations, self->patient_label);
  self->volume_view = mt_volume_view_new (self->viewer);
  g_signal_connect_object (self->volume_view, "cut", G_CALLBACK (on_cut), self, 0);
  self->frames[3] = make_panel (self, self->volume_view, _("3D"), 0, NULL);
  /* Orientation letters for the 3D view, following the camera. */
  GtkWidget *overlay3d = gtk_frame_get_child (GTK_FRAME (self->frames[3]));
  const GtkAlign lh[4] = { GTK_ALIGN_END, GTK_ALIGN_START, GTK_ALIGN_CENTER, GTK_ALIGN_CENTER };
  const GtkAlign lv[4] = { GTK_ALIGN_CENTER, GTK_ALIGN_CENTER, GTK_ALIGN_START, GTK_ALIGN_END };
  for (int e = 0; e < 4; e++)
    {
      self->volume_letters[e] = corner_label (lh[e], lv[e], "");
      gtk_widget_add_css_class (self->volume_letters[e], "mt-orientation");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay3d), self->volume_letters[e]);
    }
  g_signal_connect_object (self->volume_view, "camera-changed", G_CALLBACK (update_volume_letters), self,
                           G_CONNECT_SWAPPED);
  gtk_grid_attach (GTK_GRID (grid), self->frames[3], 1, 1, 1, 1);
  /* Scan B, for comparison: hidden until there is one. */
  const MtViewAxis second_axes[2] = { MT_VIEW_AXIAL, MT_VIEW_CORONAL };
  const char *second_names[2] = { _("Axial, scan B"), _("Coronal, scan B") };
  for (int b = 0; b < 2; b++)
    {
      self->second_views[b] = mt_slice_view_new_full (self->viewer, second_axes[b], TRUE);
      self->frames[4 + b] = make_panel (self, self->second_views[b], second_names[b], second_axes[b],
                                        &self->second_panels[b]);
      gtk_grid_attach (GTK_GRID (grid), self->frames[4 + b], 1, b, 1, 1);
      gtk_widget_set_visible (self->frames[4 + b], FALSE);
    }

  /* Below: messages (warnings, errors) and the progress of a load. */
  self->message = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->message), 0);
  gtk_label_set_selectable (GTK_LABEL (self->message), TRUE);
  gtk_widget_add_css_class (self->message, "mt-message");
  gtk_widget_set_visible (self->message, FALSE);

  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_end (bar, 6);
  gtk_widget_set_margin_top (bar, 4);
  gtk_widget_set_margin_bottom (bar, 4);
  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_hexpand (self->progress, TRUE);
  gtk_widget_set_valign (self->progress, GTK_ALIGN_CENTER);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect (cancel, "clicked", G_CALLBACK (on_cancel), self);
  gtk_box_append (GTK_BOX (bar), self->progress);
  gtk_box_append (GTK_BOX (bar), cancel);
  self->progress_bar = bar;
  gtk_widget_set_visible (bar, FALSE);

  /* The living twin, on the right when asked for. */
  self->twin_panel = mt_twin_panel_new (self->viewer);
  self->twin_side = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->twin_side), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->twin_side), self->twin_panel);
  gtk_widget_set_size_request (self->twin_side, 400, -1);
  /* Its long lines wrap in the column rather than widen it. */
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->twin_side), FALSE);
  gtk_widget_set_hexpand (self->twin_side, FALSE);
  gtk_widget_set_visible (self->twin_side, FALSE);
  GtkWidget *middle = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_widget_set_hexpand (grid, TRUE);
  gtk_widget_set_vexpand (middle, TRUE);
  gtk_box_append (GTK_BOX (middle), grid);
  gtk_box_append (GTK_BOX (middle), self->twin_side);

  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), self->message);
  gtk_box_append (GTK_BOX (box), middle);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_window_set_child (GTK_WINDOW (self), box);

  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->viewer, "cursor-changed", G_CALLBACK (update_annotations), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "window-changed", G_CALLBACK (update_annotations), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "oblique-changed", G_CALLBACK (update_annotations), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "oblique-changed", G_CALLBACK (update_letters), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "measurements-changed", G_CALLBACK (on_measurements_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "window-changed", G_CALLBACK (sync_window_dropdown), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "volume-changed", G_CALLBACK (update_layout), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "second-changed", G_CALLBACK (update_compare), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "fusion-changed", G_CALLBACK (on_fusion_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "second-changed", G_CALLBACK (update_annotations), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "volume-changed", G_CALLBACK (update_annotations), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->viewer, "volume-changed", G_CALLBACK (follow_modality), self, G_CONNECT_SWAPPED);
  self->settings = mt_settings_new ();
  restore_settings (self);
}

MtWindow *
mt_window_new (GtkApplication *app)
{
  return g_object_new (MT_TYPE_WINDOW, "application", app, NULL);
}

gboolean
mt_window_save_png (GtkWidget  *window,
                    const char *path,
                    GError    **error)
{
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  /* Snapshot at the paintable's own size: a window's bounds take in its
   * client-side shadow, and any other size would scale the picture. The
   * window itself is then the rectangle at its origin. */
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
  graphene_rect_t bounds;
  if (!gtk_widget_compute_bounds (window, window, &bounds))
    graphene_rect_init (&bounds, 0, 0, width, height);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gdk_paintable_get_intrinsic_width (paintable),
                          gdk_paintable_get_intrinsic_height (paintable));
  g_autoptr (GskRenderNode) node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The window has nothing to show yet"));
      return FALSE;
    }
  graphene_rect_t nb;
  gsk_render_node_get_bounds (node, &nb);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (window));
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
                                                                &GRAPHENE_RECT_INIT (-bounds.origin.x, -bounds.origin.y,
                                                                                     width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s"), path);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char      *path;
  int        frames;
  GtkWidget *what;      /* one view's panel, or NULL for the whole window */
} PendingShot;

static void
pending_shot_free (gpointer data)
{
  PendingShot *p = data;
  g_free (p->path);
  g_clear_object (&p->what);
  g_free (p);
}

typedef struct
{
  MtWindow    *window;
  PendingShot *shot;
} ShotJob;

/* Between frames, as --screenshot does: inside the frame clock's phases a
 * view may be mid-resize. */
static gboolean
save_when_idle (gpointer data)
{
  ShotJob *job = data;
  MtWindow *self = job->window;
  PendingShot *p = job->shot;
  g_autoptr (GError) error = NULL;
  if (mt_window_save_png (p->what ? p->what : GTK_WIDGET (self), p->path, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Screenshot saved to %s"), p->path);
      show_message (self, text);
    }
  else
    show_message (self, error->message);
  g_object_unref (self);
  pending_shot_free (p);
  g_free (job);
  return G_SOURCE_REMOVE;
}

/* Changes made just before (labels, layout) are drawn only at the next
 * frame: save after it, never a half-laid-out window. */
static gboolean
save_on_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  PendingShot *p = data;
  if (p->frames++ < 1)
    return G_SOURCE_CONTINUE;
  ShotJob *job = g_new0 (ShotJob, 1);
  job->window = g_object_ref (MT_WINDOW (widget));
  job->shot = g_new0 (PendingShot, 1);
  job->shot->path = g_strdup (p->path);
  job->shot->what = p->what ? g_object_ref (p->what) : NULL;
  g_idle_add_full (G_PRIORITY_DEFAULT, save_when_idle, job, NULL);
  return G_SOURCE_REMOVE;
}

/* Ctrl+Shift+S: the window into the Pictures folder, named by date and
 * time; with a path, there. */
static void
queue_shot (MtWindow *self, const char *target, GtkWidget *what)
{
  PendingShot *p = g_new0 (PendingShot, 1);
  p->what = what ? g_object_ref (what) : NULL;
  if (target[0] != '\0')
    p->path = g_strdup (target);
  else
    {
      const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *name = g_date_time_format (now, "MedTwin %Y-%m-%d %H.%M.%S.png");
      p->path = g_build_filename (dir ? dir : g_get_home_dir (), name, NULL);
    }
  gtk_widget_add_tick_callback (GTK_WIDGET (self), save_on_frame, p, pending_shot_free);
}

static void
save_screenshot_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  queue_shot (user_data, g_variant_get_string (param, NULL), NULL);
}

/* ("3d", "") or ("axial", PATH): one view with its annotations, as shown.
 * Ctrl+Alt+S saves the 3D view, the picture a class wants. */
static void
save_view_screenshot_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  MtWindow *self = user_data;
  const char *view, *target;
  g_variant_get (param, "(&s&s)", &view, &target);
  GtkWidget *widget = NULL;
  MtViewAxis axis;
  if (g_str_equal (view, "3d"))
    widget = self->volume_view;
  else if (mt_view_axis_lookup (view, &axis))
    widget = mt_window_get_slice_view (self, axis);
  if (widget == NULL)
    return;
  /* The panel: the view and the labels over it. */
  queue_shot (self, target, gtk_widget_get_parent (widget));
}

GtkWidget *
mt_window_get_segment_list (MtWindow *self)
{
  return self->segment_list;
}

GtkWidget *
mt_window_get_twin_panel (MtWindow *self)
{
  return self->twin_panel;
}

GtkWidget *
mt_window_get_surface_panel (MtWindow *self)
{
  return self->surface_panel;
}

GtkWidget *
mt_window_get_volume_view (MtWindow *self)
{
  return self->volume_view;
}

GtkWidget *
mt_window_get_slice_view (MtWindow *self,
                          int       axis)
{
  Panel *panel = panel_of_axis (self, axis);
  return panel ? panel->view : NULL;
}

MtViewer *
mt_window_get_viewer (MtWindow *self)
{
  return self->viewer;
}
