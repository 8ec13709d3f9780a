/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-twin-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mt-animation.h"
#include "mt-findings.h"
#include "mt-list-panel.h"
#include "mt-twin-panel.h"
#include "mt-twin-plots.h"

static const double speeds[] = { 0.1, 0.25, 0.5, 1.0, 2.0 };

struct _MtTwinPanel
{
  GtkBox          parent_instance;
  MtViewer       *viewer;
  MtTwin         *twin;
  MtPhysioParams  base;         /* the resting parameters the sliders scale */
  MtVolume       *labels;       /* the organs given (the demo's truth), or NULL: the segments */
  GHashTable     *names;
  MtAnatomy      *anatomy;      /* their graph, once worked out */
  GCancellable   *anatomy_job;  /* while it is being worked out */
  guint           anatomy_wait; /* segments edited: worked out again once the edits pause */
  gboolean        active, playing;
  double          speed;
  double          shown_t;      /* the moment on screen */
  double          facts_t;      /* when vitals and findings were last worked out */
  gint64          last_frame_us;
  guint           tick_id;
  gboolean        updating;     /* our own change of a control */
  gboolean        flow, pressure_colors;
  char           *vitals, *findings;
  char           *ecg_name;     /* the record driving the heart, if one does */
  GtkWidget      *play, *speed_menu, *scrub, *clock;
  GtkWidget      *rate, *contractility, *resistance, *breaths, *source, *ecg_button;
  GtkWidget      *flow_check, *pressure_check, *contour_check;
  GtkWidget      *plots, *vitals_label, *findings_label, *anatomy_expander, *anatomy_label;
  GtkWidget      *message;
};

G_DEFINE_FINAL_TYPE (MtTwinPanel, mt_twin_panel, GTK_TYPE_BOX)

static void start_anatomy (MtTwinPanel *self);

static void
set_message (MtTwinPanel *self, const char *text)
{
  mt_list_panel_show_message (self->message, text);
}

/* ------------------------------------------------------------ the moment */

static void
update_facts (MtTwinPanel *self)
{
  MtPhysioSummary v;
  gboolean have = mt_twin_summarize (self->twin, 10, &v);
  g_free (self->vitals);
  if (have)
    self->vitals = g_strdup_printf (_("Heart rate %.0f /min · blood pressure %.0f/%.0f mmHg\n"
                                      "Stroke volume %.0f mL · ejection fraction %.0f%% · cardiac output %.1f L/min\n"
                                      "Breathing %.0f /min · tidal volume %.2f L"),
                                    v.heart_rate_bpm, v.systolic_mmHg, v.diastolic_mmHg, v.stroke_volume_ml,
                                    100 * v.ejection_fraction, v.cardiac_output_l_min, v.respiratory_rate_per_min,
                                    v.tidal_volume_l);
  else
    self->vitals = g_strdup (_("Vitals follow after two heartbeats."));
  gtk_label_set_text (GTK_LABEL (self->vitals_label), self->vitals);

  g_autoptr (GPtrArray) findings = mt_findings_compute (self->anatomy, have ? &v : NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) markup = g_string_new (NULL);
  for (guint i = 0; i < findings->len; i++)
    {
      const MtFinding *f = findings->pdata[i];
      g_autofree char *line = mt_finding_to_string (f);
      g_string_append_printf (text, "%s%s", i ? "\n" : "", line);
      g_autofree char *escaped = g_markup_escape_text (line, -1);
      if (f->status != MT_FINDING_NORMAL)
        g_string_append_printf (markup, "%s<span foreground=\"#e0a030\"><b>%s</b></span>", i ? "\n" : "", escaped);
      else
        g_string_append_printf (markup, "%s%s", i ? "\n" : "", escaped);
    }
  if (findings->len == 0)
    g_string_append (markup, _("Nothing to compare yet."));
  g_free (self->findings);
  self->findings = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_label_set_markup (GTK_LABEL (self->findings_label), markup->str);
  self->facts_t = self->shown_t;
}

/* Poses the views for the kept moment t; dt > 0 moves the blood on. */
static void
show_moment (MtTwinPanel *self, double t, double dt)
{
  self->shown_t = t;
  MtTwinSample s;
  mt_twin_sample_at (self->twin, t, &s);
  MtAnimation *anim = mt_viewer_get_animation (self->viewer);
  if (self->active && anim != NULL)
    {
      mt_animation_pose (anim, &s);
      if (dt > 0)
        mt_animation_flow (anim, &s, dt);
      mt_viewer_animation_moved (self->viewer);
    }
  mt_twin_plots_show (self->plots, self->twin, t);
  double from, to;
  mt_twin_get_span (self->twin, &from, &to);
  self->updating = TRUE;
  gtk_range_set_range (GTK_RANGE (self->scrub), from, MAX (to, from + 0.01));
  gtk_range_set_value (GTK_RANGE (self->scrub), t);
  self->updating = FALSE;
  g_autofree char *clock = g_strdup_printf (_("%.2f s · heart %.0f /min"), t, s.heart_rate_bpm);
  gtk_label_set_text (GTK_LABEL (self->clock), clock);
  if (fabs (t - self->facts_t) >= 1.0 || dt == 0)
    update_facts (self);
}

static void
build_animation (MtTwinPanel *self)
{
  GPtrArray *surfaces = mt_viewer_get_surfaces (self->viewer);
  MtAnimation *anim = mt_animation_new ((MtSurface * const *) surfaces->pdata, surfaces->len, self->anatomy);
  mt_animation_set_flow_shown (anim, self->flow);
  mt_animation_set_pressure_colors (anim, self->pressure_colors);
  mt_viewer_set_animation (self->viewer, anim);
  double from, to;
  mt_twin_get_span (self->twin, &from, &to);
  show_moment (self, self->playing ? to : self->shown_t, 0);
}

static void
on_surfaces_changed (MtTwinPanel *self)
{
  if (self->active)
    build_animation (self);
}

/* ------------------------------------------------------------- playing */

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  MtTwinPanel *self = MT_TWIN_PANEL (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  /* The twin keeps real time down to four frames a second (software GL
   * draws the demo at about five); a longer stall (a dialog, a busy
   * machine) is not played back all at once. */
  double dt = self->last_frame_us > 0 ? MIN ((now - self->last_frame_us) / 1e6, 0.25) : 0;
  self->last_frame_us = now;
  double step = dt * self->speed;
  mt_twin_advance (self->twin, step);
  show_moment (self, mt_twin_get_time (self->twin), step);
  return G_SOURCE_CONTINUE;
}

void
mt_twin_panel_set_playing (MtTwinPanel *self,
                           gboolean     playing)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self));
  if (playing && !self->active)
    mt_twin_panel_set_active (self, TRUE);
  self->playing = playing;
  mt_viewer_set_animation_playing (self->viewer, playing);
  if (playing && self->tick_id == 0)
    {
      self->last_frame_us = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
    }
  else if (!playing && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  self->updating = TRUE;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->play), playing);
  gtk_button_set_icon_name (GTK_BUTTON (self->play),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (self->play, playing ? _("Pause") : _("Play"));
  self->updating = FALSE;
}

gboolean
mt_twin_panel_get_playing (MtTwinPanel *self)
{
  return self->playing;
}

void
mt_twin_panel_set_active (MtTwinPanel *self,
                          gboolean     active)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self));
  if (active == self->active)
    return;
  self->active = active;
  if (active)
    {
      mt_viewer_set_contours (self->viewer, gtk_check_button_get_active (GTK_CHECK_BUTTON (self->contour_check)));
      build_animation (self);
      start_anatomy (self);
    }
  else
    {
      mt_twin_panel_set_playing (self, FALSE);
      mt_viewer_set_contours (self->viewer, FALSE);
      mt_viewer_set_animation (self->viewer, NULL);
    }
}

void
mt_twin_panel_advance (MtTwinPanel *self,
                       double       seconds)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self) && seconds >= 0);
  if (!self->active)
    mt_twin_panel_set_active (self, TRUE);
  /* In frames of 1/50 s, as playing would, so the blood moves alike. */
  double left = seconds;
  while (left > 1e-9)
    {
      double step = MIN (left, 0.02);
      mt_twin_advance (self->twin, step);
      MtAnimation *anim = mt_viewer_get_animation (self->viewer);
      if (anim != NULL)
        {
          MtTwinSample s;
          mt_twin_get_now (self->twin, &s);
          mt_animation_flow (anim, &s, step);
        }
      left -= step;
    }
  show_moment (self, mt_twin_get_time (self->twin), 0);
}

void
mt_twin_panel_scrub (MtTwinPanel *self,
                     double       t)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self));
  mt_twin_panel_set_playing (self, FALSE);
  if (!self->active)
    mt_twin_panel_set_active (self, TRUE);
  double from, to;
  mt_twin_get_span (self->twin, &from, &to);
  show_moment (self, CLAMP (t, from, to), 0);
}

/* -------------------------------------------------------------- sources */

static void
show_source (MtTwinPanel *self)
{
  const MtEcg *ecg = mt_twin_get_ecg (self->twin);
  g_autofree char *text = NULL;
  if (ecg != NULL)
    text = g_strdup_printf (_("Beating at the R-peaks of %s (%u beats, %.0f /min on average)"),
                            self->ecg_name, ecg->r_peaks->len,
                            mt_ecg_mean_heart_rate (ecg));
  else
    text = g_strdup_printf (_("Beating at a set rate of %.0f /min"),
                            mt_physio_get_params (mt_twin_get_physio (self->twin))->heart_rate_bpm);
  gtk_label_set_text (GTK_LABEL (self->source), text);
}

void
mt_twin_panel_set_heart_rate (MtTwinPanel *self,
                              double       bpm)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self));
  bpm = CLAMP (bpm, 20, 250);
  mt_twin_set_heart_rate (self->twin, bpm);
  self->updating = TRUE;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->rate), bpm);
  self->updating = FALSE;
  show_source (self);
}

gboolean
mt_twin_panel_load_ecg (MtTwinPanel *self,
                        const char  *path,
                        GError     **error)
{
  g_return_val_if_fail (MT_IS_TWIN_PANEL (self) && path != NULL, FALSE);
  /* A record is a few megabytes at most: read here, at once. */
  MtEcg *ecg = mt_ecg_read (path, error);
  if (ecg == NULL || !mt_twin_set_ecg (self->twin, ecg, error))
    {
      set_message (self, error && *error ? (*error)->message : NULL);
      return FALSE;
    }
  g_free (self->ecg_name);
  self->ecg_name = g_path_get_basename (path);
  set_message (self, NULL);
  show_source (self);
  return TRUE;
}

static void
on_ecg_chosen (GtkNativeDialog *dialog, int response, MtTwinPanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr (GError) error = NULL;
      if (path != NULL)
        mt_twin_panel_load_ecg (self, path, &error);
    }
  g_object_unref (dialog);
}

static void
on_ecg_clicked (MtTwinPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Drive the heart by an ECG"),
                                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("ECG records (WFDB .hea, DICOM, CSV)"));
  gtk_file_filter_add_pattern (filter, "*.hea");
  gtk_file_filter_add_pattern (filter, "*.dcm");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_ecg_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------- controls */

static void
on_play_toggled (MtTwinPanel *self)
{
  if (!self->updating)
    mt_twin_panel_set_playing (self, gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->play)));
}

static void
on_speed (MtTwinPanel *self)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->speed_menu));
  self->speed = speeds[MIN (i, G_N_ELEMENTS (speeds) - 1)];
}

static void
on_scrub (MtTwinPanel *self)
{
  if (!self->updating)
    mt_twin_panel_scrub (self, gtk_range_get_value (GTK_RANGE (self->scrub)));
}

static void
on_rate (MtTwinPanel *self)
{
  if (!self->updating)
    mt_twin_panel_set_heart_rate (self, gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->rate)));
}

/* Contractility, resistance and breathing rate, over the resting values. */
static void
on_params (MtTwinPanel *self)
{
  MtPhysioParams *p = mt_physio_get_params (mt_twin_get_physio (self->twin));
  double hr = p->heart_rate_bpm;
  *p = self->base;
  p->heart_rate_bpm = hr;
  p->respiratory_rate_per_min = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->breaths));
  mt_physio_params_scale (p, gtk_range_get_value (GTK_RANGE (self->contractility)),
                          gtk_range_get_value (GTK_RANGE (self->resistance)));
}

static void
on_toggles (MtTwinPanel *self)
{
  self->flow = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->flow_check));
  self->pressure_colors = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->pressure_check));
  MtAnimation *anim = mt_viewer_get_animation (self->viewer);
  if (anim != NULL)
    {
      mt_animation_set_flow_shown (anim, self->flow);
      mt_animation_set_pressure_colors (anim, self->pressure_colors);
    }
  mt_viewer_set_contours (self->viewer, gtk_check_button_get_active (GTK_CHECK_BUTTON (self->contour_check)));
  if (self->active)
    show_moment (self, self->shown_t, 0);
}



static void
show_anatomy (MtTwinPanel *self,
              MtAnatomy   *anatomy)
{
  g_clear_pointer (&self->anatomy, mt_anatomy_free);
  self->anatomy = anatomy;
  g_autoptr (GString) s = g_string_new (NULL);
  if (anatomy != NULL)
    {
      for (guint i = 0; i < anatomy->nodes->len; i++)
        {
          const MtAnatomyNode *n = &g_array_index (anatomy->nodes, MtAnatomyNode, i);
          g_autofree char *line = g_markup_printf_escaped ("%s<b>%s</b> (%s, %.0f mL)", i ? "\n" : "", n->name,
                                                           _(mt_organ_kind_name (n->kind)), n->volume_ml);
          g_string_append (s, line);
          g_autoptr (GString) touches = g_string_new (NULL);
          for (guint e = 0; e < anatomy->edges->len; e++)
            {
              const MtAnatomyEdge *edge = &g_array_index (anatomy->edges, MtAnatomyEdge, e);
              if (edge->a == i || edge->b == i)
                g_string_append_printf (touches, "%s%s", touches->len ? ", " : "",
                                        g_array_index (anatomy->nodes, MtAnatomyNode, edge->a == i ? edge->b : edge->a).name);
            }
          if (touches->len > 0)
            {
              g_autofree char *escaped = g_markup_escape_text (touches->str, -1);
              g_string_append_printf (s, "\n   %s %s", _("touches"), escaped);
            }
          if (n->n_ports > 0)
            {
              g_string_append_printf (s, "\n   %s ", _("inputs"));
              for (guint k = 0; k < n->n_ports; k++)
                g_string_append_printf (s, "%s%s%s", k ? ", " : "", n->ports[k].name, n->ports[k].signal ? " ∿" : "");
            }
          if (n->centreline != NULL && n->centreline->len > 0)
            {
              g_string_append (s, "\n   ");
              g_string_append_printf (s, _("centreline: %u branches"), n->centreline->len);
            }
        }
      g_autofree char *title = g_strdup_printf (_("Anatomy graph: %u organs, %u contacts"), anatomy->nodes->len,
                                                anatomy->edges->len);
      gtk_expander_set_label (GTK_EXPANDER (self->anatomy_expander), title);
    }
  else
    gtk_expander_set_label (GTK_EXPANDER (self->anatomy_expander), _("Anatomy graph: segment the scan first"));
  gtk_label_set_markup (GTK_LABEL (self->anatomy_label), s->str);
  if (self->active)
    build_animation (self);
}

/* The graph of the organs given, or of the scan's segments, off the main
 * thread (centrelines take a moment). */
typedef struct
{
  MtVolume       *labels;
  MtSegmentation *segments;
  GHashTable     *names;
} AnatomyJob;

static void
anatomy_job_free (AnatomyJob *job)
{
  g_clear_pointer (&job->labels, mt_volume_unref);
  g_clear_pointer (&job->segments, mt_segmentation_unref);
  g_clear_pointer (&job->names, g_hash_table_unref);
  g_free (job);
}

static void
anatomy_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AnatomyJob *job = data;
  g_autoptr (MtVolume) labels = job->labels ? mt_volume_ref (job->labels) : mt_segmentation_to_volume (job->segments);
  GError *error = NULL;
  MtAnatomy *anatomy = mt_anatomy_from_labels (labels, job->names, &error);
  if (anatomy == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, anatomy, (GDestroyNotify) mt_anatomy_free);
}

static void
anatomy_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtTwinPanel *self = MT_TWIN_PANEL (source);
  g_autoptr (GError) error = NULL;
  MtAnatomy *anatomy = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->anatomy_job);
  if (anatomy == NULL)
    set_message (self, error->message);
  show_anatomy (self, anatomy);
}

static void
start_anatomy (MtTwinPanel *self)
{
  MtSegmentation *segments = mt_viewer_get_segmentation (self->viewer, NULL);
  if (!self->active || self->anatomy != NULL || self->anatomy_job != NULL || (self->labels == NULL && segments == NULL))
    return;
  AnatomyJob *job = g_new0 (AnatomyJob, 1);
  if (self->labels != NULL)
    {
      job->labels = mt_volume_ref (self->labels);
      job->names = g_hash_table_ref (self->names);
    }
  else
    {
      /* A copy: the user may paint on while it is worked out. */
      job->segments = mt_segmentation_copy (segments);
      job->names = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < mt_segmentation_n_segments (segments); i++)
        {
          const MtSegment *sg = mt_segmentation_get_segment (job->segments, i);
          g_hash_table_insert (job->names, GINT_TO_POINTER ((int) sg->value), sg->name);
        }
    }
  self->anatomy_job = g_cancellable_new ();
  GTask *task = g_task_new (self, self->anatomy_job, anatomy_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) anatomy_job_free);
  g_task_run_in_thread (task, anatomy_thread);
  g_object_unref (task);
  gtk_expander_set_label (GTK_EXPANDER (self->anatomy_expander), _("Anatomy graph: working it out…"));
}

/* Another patient, or new segments: the graph is worked out again. */
static void
forget_anatomy (MtTwinPanel *self)
{
  if (self->anatomy_job != NULL)
    g_cancellable_cancel (self->anatomy_job);
  g_clear_object (&self->anatomy_job);
  show_anatomy (self, NULL);
  start_anatomy (self);
}

void
mt_twin_panel_set_labels (MtTwinPanel *self,
                          MtVolume    *labels,
                          GHashTable  *names)
{
  g_return_if_fail (MT_IS_TWIN_PANEL (self) && (labels == NULL) == (names == NULL));
  g_clear_pointer (&self->labels, mt_volume_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  self->labels = labels ? mt_volume_ref (labels) : NULL;
  self->names = names;
  forget_anatomy (self);
}

static gboolean
segments_settled (gpointer data)
{
  MtTwinPanel *self = data;
  self->anatomy_wait = 0;
  forget_anatomy (self);
  return G_SOURCE_REMOVE;
}

static void
on_segmentation_changed (MtTwinPanel *self)
{
  /* Given organs (the demo's truth) stand; a scan's own segments change,
   * stroke by stroke while painted: the graph follows half a second after
   * the last. */
  if (self->labels != NULL)
    return;
  g_clear_handle_id (&self->anatomy_wait, g_source_remove);
  self->anatomy_wait = g_timeout_add (500, segments_settled, self);
}

MtTwin *
mt_twin_panel_get_twin (MtTwinPanel *self)
{
  return self->twin;
}

gboolean
mt_twin_panel_is_busy (MtTwinPanel *self)
{
  return self->anatomy_job != NULL || self->anatomy_wait != 0;
}

const MtAnatomy *
mt_twin_panel_get_anatomy (MtTwinPanel *self)
{
  return self->anatomy;
}


const char *
mt_twin_panel_get_vitals (MtTwinPanel *self)
{
  return self->vitals;
}

const char *
mt_twin_panel_get_findings (MtTwinPanel *self)
{
  return self->findings;
}

const char *
mt_twin_panel_get_message (MtTwinPanel *self)
{
  return gtk_label_get_text (GTK_LABEL (self->message));
}

/* --------------------------------------------------------------- set-up */

static void
mt_twin_panel_dispose (GObject *object)
{
  MtTwinPanel *self = MT_TWIN_PANEL (object);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  if (self->anatomy_job != NULL)
    g_cancellable_cancel (self->anatomy_job);
  g_clear_object (&self->anatomy_job);
  g_clear_handle_id (&self->anatomy_wait, g_source_remove);
  g_clear_object (&self->viewer);
  G_OBJECT_CLASS (mt_twin_panel_parent_class)->dispose (object);
}

static void
mt_twin_panel_finalize (GObject *object)
{
  MtTwinPanel *self = MT_TWIN_PANEL (object);
  g_clear_pointer (&self->twin, mt_twin_free);
  g_clear_pointer (&self->anatomy, mt_anatomy_free);
  g_clear_pointer (&self->labels, mt_volume_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_free (self->vitals);
  g_free (self->findings);
  g_free (self->ecg_name);
  G_OBJECT_CLASS (mt_twin_panel_parent_class)->finalize (object);
}

static void
mt_twin_panel_class_init (MtTwinPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_twin_panel_dispose;
  G_OBJECT_CLASS (klass)->finalize = mt_twin_panel_finalize;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "heading");
  return l;
}

static GtkWidget *
labelled (const char *text, GtkWidget *control)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_set_size_request (l, 110, -1);
  gtk_widget_set_hexpand (control, TRUE);
  gtk_box_append (GTK_BOX (row), l);
  gtk_box_append (GTK_BOX (row), control);
  return row;
}

static GtkWidget *
multiplier (double lo, double hi)
{
  GtkWidget *s = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, lo, hi, 0.05);
  gtk_range_set_value (GTK_RANGE (s), 1.0);
  gtk_scale_set_digits (GTK_SCALE (s), 2);
  gtk_scale_set_draw_value (GTK_SCALE (s), TRUE);
  gtk_scale_add_mark (GTK_SCALE (s), 1.0, GTK_POS_BOTTOM, NULL);
  return s;
}

static GtkWidget *
wrapped_label (void)
{
  GtkWidget *l = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_selectable (GTK_LABEL (l), TRUE);
  return l;
}

static void
mt_twin_panel_init (MtTwinPanel *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 6);
  mt_physio_params_default (&self->base);
  self->twin = mt_twin_new (&self->base);
  self->speed = 1.0;

  gtk_box_append (GTK_BOX (self), heading (_("Living twin")));
  /* Play, speed, and the clock. */
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->play = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->play), "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (self->play, _("Play"));
  g_signal_connect_swapped (self->play, "toggled", G_CALLBACK (on_play_toggled), self);
  const char *speed_names[] = { "0.1×", "0.25×", "0.5×", "1×", "2×", NULL };
  self->speed_menu = gtk_drop_down_new_from_strings (speed_names);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->speed_menu), 3);
  gtk_widget_set_tooltip_text (self->speed_menu, _("Speed against real time"));
  g_signal_connect_swapped (self->speed_menu, "notify::selected", G_CALLBACK (on_speed), self);
  self->clock = gtk_label_new ("");
  gtk_widget_set_hexpand (self->clock, TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->clock), 1);
  gtk_box_append (GTK_BOX (row), self->play);
  gtk_box_append (GTK_BOX (row), self->speed_menu);
  gtk_box_append (GTK_BOX (row), self->clock);
  gtk_box_append (GTK_BOX (self), row);
  self->scrub = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.005);
  gtk_scale_set_draw_value (GTK_SCALE (self->scrub), FALSE);
  gtk_widget_set_tooltip_text (self->scrub, _("Back through the last 30 seconds (pauses)"));
  g_signal_connect_swapped (self->scrub, "value-changed", G_CALLBACK (on_scrub), self);
  gtk_box_append (GTK_BOX (self), self->scrub);

  /* What drives it. */
  self->source = wrapped_label ();
  gtk_box_append (GTK_BOX (self), self->source);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->rate = gtk_spin_button_new_with_range (20, 250, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->rate), self->base.heart_rate_bpm);
  g_signal_connect_swapped (self->rate, "value-changed", G_CALLBACK (on_rate), self);
  self->ecg_button = gtk_button_new_with_mnemonic (_("_ECG file…"));
  gtk_widget_set_tooltip_text (self->ecg_button, _("Beat at the R-peaks of a recorded ECG (WFDB, DICOM or CSV)"));
  g_signal_connect_swapped (self->ecg_button, "clicked", G_CALLBACK (on_ecg_clicked), self);
  gtk_box_append (GTK_BOX (row), labelled (_("Heart rate /min"), self->rate));
  gtk_box_append (GTK_BOX (row), self->ecg_button);
  gtk_box_append (GTK_BOX (self), row);
  self->contractility = multiplier (0.2, 2.0);
  self->resistance = multiplier (0.5, 2.5);
  self->breaths = gtk_spin_button_new_with_range (4, 40, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->breaths), self->base.respiratory_rate_per_min);
  g_signal_connect_swapped (self->contractility, "value-changed", G_CALLBACK (on_params), self);
  g_signal_connect_swapped (self->resistance, "value-changed", G_CALLBACK (on_params), self);
  g_signal_connect_swapped (self->breaths, "value-changed", G_CALLBACK (on_params), self);
  gtk_box_append (GTK_BOX (self), labelled (_("Contractility ×"), self->contractility));
  gtk_box_append (GTK_BOX (self), labelled (_("Resistance ×"), self->resistance));
  gtk_box_append (GTK_BOX (self), labelled (_("Breaths /min"), self->breaths));

  /* What the views show. */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->flow_check = gtk_check_button_new_with_label (_("Blood flow"));
  self->pressure_check = gtk_check_button_new_with_label (_("Pressure colours"));
  self->contour_check = gtk_check_button_new_with_label (_("Outlines in slices"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->flow_check), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->contour_check), TRUE);
  self->flow = TRUE;
  GtkWidget *toggles[3] = { self->flow_check, self->pressure_check, self->contour_check };
  for (int i = 0; i < 3; i++)
    {
      g_signal_connect_swapped (toggles[i], "toggled", G_CALLBACK (on_toggles), self);
      gtk_box_append (GTK_BOX (row), toggles[i]);
    }
  gtk_box_append (GTK_BOX (self), row);

  self->plots = mt_twin_plots_new ();
  gtk_box_append (GTK_BOX (self), self->plots);
  self->vitals_label = wrapped_label ();
  gtk_box_append (GTK_BOX (self), self->vitals_label);

  gtk_box_append (GTK_BOX (self), heading (_("Findings: decision support, not a diagnosis")));
  self->findings_label = wrapped_label ();
  gtk_box_append (GTK_BOX (self), self->findings_label);

  self->anatomy_expander = gtk_expander_new (NULL);
  self->anatomy_label = wrapped_label ();
  gtk_expander_set_child (GTK_EXPANDER (self->anatomy_expander), self->anatomy_label);
  gtk_box_append (GTK_BOX (self), self->anatomy_expander);

  self->message = mt_list_panel_add_message (GTK_BOX (self), 48);
  gtk_widget_add_css_class (self->message, "error");
}

GtkWidget *
mt_twin_panel_new (MtViewer *viewer)
{
  MtTwinPanel *self = g_object_new (MT_TYPE_TWIN_PANEL, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "surfaces-changed", G_CALLBACK (on_surfaces_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "segmentation-changed", G_CALLBACK (on_segmentation_changed), self,
                           G_CONNECT_SWAPPED);
  show_anatomy (self, NULL);
  show_source (self);
  show_moment (self, 0, 0);
  return GTK_WIDGET (self);
}
