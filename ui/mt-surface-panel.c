/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-surface-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "mt-list-panel.h"
#include "mt-progress.h"
#include "mt-surface-panel.h"

/* What a row says of a surface, worked out off the main thread (the open
 * edges of a large surface take a sort of its edges). */
typedef struct
{
  guint  triangles, open_edges;
  double area_mm2, volume_ml;
} Facts;

struct _MtSurfacePanel
{
  GtkBox        parent_instance;
  MtViewer     *viewer;
  GHashTable   *facts;        /* MtMesh (a reference held) -> Facts */
  GPtrArray    *uncut;        /* MtSurface: before the cut, or NULL */
  gboolean      replacing;    /* our own change of the viewer's surfaces */
  GCancellable *cancellable;  /* the running worker's */
  GtkWidget    *list, *empty;
  GPtrArray    *rows;         /* the rows' labels */
  GtkWidget    *smooth, *remesh, *decimate, *pieces, *holes;
  GtkWidget    *refine_button, *cut_button, *uncut_button, *save_button;
  GtkWidget    *first, *second, *measure_button, *distance;
  GtkWidget    *space;
  GtkWidget    *progress_box, *progress;
  GtkWidget    *message;
};

G_DEFINE_FINAL_TYPE (MtSurfacePanel, mt_surface_panel, GTK_TYPE_BOX)

static void
set_message (MtSurfacePanel *self, const char *text)
{
  mt_list_panel_show_message (self->message, text);
}

static void
update_sensitivity (MtSurfacePanel *self)
{
  gboolean any = mt_viewer_get_surfaces (self->viewer)->len > 0, idle = self->cancellable == NULL;
  gtk_widget_set_sensitive (self->refine_button, any && idle);
  gtk_widget_set_sensitive (self->cut_button, any && idle);
  gtk_widget_set_sensitive (self->uncut_button, self->uncut != NULL && idle);
  gtk_widget_set_sensitive (self->save_button, any);
  gtk_widget_set_sensitive (self->measure_button, any && idle);
  gtk_widget_set_visible (self->progress_box, !idle);
}

/* ------------------------------------------------------------- workers */

static void
on_progress (double fraction, const char *message, gpointer data)
{
  MtSurfacePanel *self = data;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), fraction);
  if (message != NULL)
    gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), _(message));
}

/* A worker on copies of the surfaces (refs of their meshes: never changed
 * in place, so the views may go on drawing them). */
typedef struct
{
  GPtrArray    *surfaces;     /* MtSurface */
  MtMeshRefine  how;
  double        planes[7 * 6];   /* up to seven planes: points, then normals */
  guint         n_planes;
  guint         a, b;
  double        mean, hausdorff;
  GArray       *facts;        /* Facts, per surface */
  MtProgress   *progress;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->surfaces, g_ptr_array_unref);
  g_clear_pointer (&job->facts, g_array_unref);
  g_clear_pointer (&job->progress, mt_progress_unref);
  g_free (job);
}

static GPtrArray *
copy_surfaces (GPtrArray *from)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  for (guint i = 0; i < from->len; i++)
    {
      const MtSurface *s = from->pdata[i];
      g_ptr_array_add (out, mt_surface_new (s->mesh, s->name, s->rgba));
    }
  return out;
}

static Job *
job_new (MtSurfacePanel *self, const char *text)
{
  Job *job = g_new0 (Job, 1);
  job->surfaces = copy_surfaces (mt_viewer_get_surfaces (self->viewer));
  self->cancellable = g_cancellable_new ();
  job->progress = mt_progress_new (on_progress, self, g_main_context_default ());
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), text);
  set_message (self, NULL);
  update_sensitivity (self);
  return job;
}

/* The worker's job (the task's: freed with it), the progress put away;
 * NULL if it failed (said) or was cancelled. */
static Job *
finish (MtSurfacePanel *self, GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (g_task_get_cancellable (G_TASK (result)) == self->cancellable)
    g_clear_object (&self->cancellable);
  update_sensitivity (self);
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_message (self, error->message);
  else if (!ok)
    set_message (self, _("Cancelled: the surfaces are as they were."));
  return ok ? g_task_get_task_data (G_TASK (result)) : NULL;
}

static void
run (MtSurfacePanel *self, Job *job, GCancellable *cancellable, GTaskThreadFunc thread, GAsyncReadyCallback done)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, thread);
}

/* The surfaces shown become the job's. */
static void
show (MtSurfacePanel *self, GPtrArray *surfaces)
{
  self->replacing = TRUE;
  mt_viewer_clear_surfaces (self->viewer);
  for (guint i = 0; i < surfaces->len; i++)
    {
      const MtSurface *s = surfaces->pdata[i];
      mt_viewer_add_surface (self->viewer, mt_surface_new (s->mesh, s->name, s->rgba));
    }
  self->replacing = FALSE;
}

/* --------------------------------------------------------------- facts */

static void
rebuild (MtSurfacePanel *self);

static void
facts_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  job->facts = g_array_sized_new (FALSE, FALSE, sizeof (Facts), job->surfaces->len);
  for (guint i = 0; i < job->surfaces->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      const MtMesh *m = ((MtSurface *) job->surfaces->pdata[i])->mesh;
      Facts f = { m->n_triangles, mt_mesh_open_edges (m), mt_mesh_area (m), mt_mesh_volume (m) / 1000 };
      g_array_append_val (job->facts, f);
    }
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

static void
facts_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtSurfacePanel *self = MT_SURFACE_PANEL (source);
  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  Job *job = g_task_get_task_data (G_TASK (result));
  for (guint i = 0; i < job->facts->len; i++)
    {
      MtMesh *m = ((MtSurface *) job->surfaces->pdata[i])->mesh;
      g_hash_table_replace (self->facts, mt_mesh_ref (m), g_memdup2 (&g_array_index (job->facts, Facts, i),
                                                                      sizeof (Facts)));
    }
  rebuild (self);
}

/* Facts for the surfaces that have none yet, in a worker of their own
 * (they never hold up refining or cutting). */
static void
compute_facts (MtSurfacePanel *self)
{
  GPtrArray *shown = mt_viewer_get_surfaces (self->viewer);
  Job *job = g_new0 (Job, 1);
  job->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  for (guint i = 0; i < shown->len; i++)
    {
      const MtSurface *s = shown->pdata[i];
      if (!g_hash_table_contains (self->facts, s->mesh))
        g_ptr_array_add (job->surfaces, mt_surface_new (s->mesh, s->name, s->rgba));
    }
  if (job->surfaces->len == 0)
    {
      job_free (job);
      return;
    }
  run (self, job, NULL, facts_thread, facts_done);
}

/* Facts of surfaces gone from the view (and from the cut's originals)
 * are forgotten. */
static void
prune_facts (MtSurfacePanel *self)
{
  g_autoptr (GHashTable) keep = g_hash_table_new (NULL, NULL);
  GPtrArray *lists[2] = { mt_viewer_get_surfaces (self->viewer), self->uncut };
  for (int l = 0; l < 2; l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      g_hash_table_add (keep, ((MtSurface *) lists[l]->pdata[i])->mesh);
  GHashTableIter it;
  gpointer mesh;
  g_hash_table_iter_init (&it, self->facts);
  while (g_hash_table_iter_next (&it, &mesh, NULL))
    if (!g_hash_table_contains (keep, mesh))
      g_hash_table_iter_remove (&it);
}

static void
rebuild (MtSurfacePanel *self)
{
  GtkWidget *child;
  prune_facts (self);
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  g_ptr_array_set_size (self->rows, 0);
  GPtrArray *shown = mt_viewer_get_surfaces (self->viewer);
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  gboolean missing = FALSE;
  for (guint i = 0; i < shown->len; i++)
    {
      const MtSurface *s = shown->pdata[i];
      const Facts *f = g_hash_table_lookup (self->facts, s->mesh);
      g_autofree char *text = NULL;
      if (f == NULL)
        {
          text = g_strdup_printf (_("%s: %u triangles…"), s->name, s->mesh->n_triangles);
          missing = TRUE;
        }
      else if (f->open_edges == 0)
        text = g_strdup_printf (_("%s: %u triangles, %.0f mm², %.1f mL, closed"), s->name, f->triangles, f->area_mm2,
                                f->volume_ml);
      else
        text = g_strdup_printf (_("%s: %u triangles, %.0f mm², open (%u edges on a rim)"), s->name, f->triangles,
                                f->area_mm2, f->open_edges);
      GtkWidget *label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 56);
      gtk_list_box_append (GTK_LIST_BOX (self->list), label);
      g_ptr_array_add (self->rows, label);
      gtk_string_list_append (names, s->name);
    }
  gtk_widget_set_visible (self->empty, shown->len == 0);
  guint a = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->first));
  guint b = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->second));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->first), G_LIST_MODEL (names));
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->second), G_LIST_MODEL (names));
  if (shown->len > 0)
    {
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->first), a < shown->len ? a : 0);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->second), b < shown->len ? b : MIN (1, shown->len - 1));
    }
  update_sensitivity (self);
  if (missing)
    compute_facts (self);
}

static void
on_surfaces_changed (MtSurfacePanel *self)
{
  if (self->replacing)
    return;
  /* Surfaces from elsewhere (a new segmentation, a file): the cut's
   * originals no longer belong to them. */
  g_clear_pointer (&self->uncut, g_ptr_array_unref);
  rebuild (self);
}

/* ------------------------------------------------------------ refining */

static void
refine_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  for (guint i = 0; i < job->surfaces->len; i++)
    {
      MtSurface *s = job->surfaces->pdata[i];
      g_autoptr (GError) error = NULL;
      MtMesh *refined = mt_mesh_refined (s->mesh, &job->how, NULL, job->progress, cancellable, &error);
      if (refined == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      mt_mesh_unref (s->mesh);
      s->mesh = refined;
    }
  g_task_return_boolean (task, TRUE);
}

static void
refine_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtSurfacePanel *self = MT_SURFACE_PANEL (source);
  Job *job = finish (self, result);
  if (job == NULL)
    return;
  guint before = 0, after = 0;
  GPtrArray *shown = mt_viewer_get_surfaces (self->viewer);
  for (guint i = 0; i < shown->len; i++)
    before += ((MtSurface *) shown->pdata[i])->mesh->n_triangles;
  for (guint i = 0; i < job->surfaces->len; i++)
    after += ((MtSurface *) job->surfaces->pdata[i])->mesh->n_triangles;
  show (self, job->surfaces);
  g_clear_pointer (&self->uncut, g_ptr_array_unref);
  rebuild (self);
  g_autofree char *text = g_strdup_printf (_("Refined: %u triangles, from %u."), after, before);
  set_message (self, text);
}

void
mt_surface_panel_refine (MtSurfacePanel *self)
{
  g_return_if_fail (MT_IS_SURFACE_PANEL (self));
  if (self->cancellable != NULL || mt_viewer_get_surfaces (self->viewer)->len == 0)
    return;
  /* Refining cut surfaces would smooth their caps' edges away: refine the
   * whole ones, then cut again. */
  if (self->uncut != NULL)
    {
      show (self, self->uncut);
      g_clear_pointer (&self->uncut, g_ptr_array_unref);
    }
  Job *job = job_new (self, _("Refining the surfaces…"));
  job->how.smooth_iterations = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->smooth));
  job->how.remesh_edge_mm = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->remesh));
  job->how.decimate = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->decimate)) / 100;
  job->how.remove_pieces = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->pieces)) / 100;
  job->how.fill_holes = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->holes));
  run (self, job, self->cancellable, refine_thread, refine_done);
}

/* ------------------------------------------------------------- cutting */

static void
cut_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  for (guint i = 0; i < job->surfaces->len; i++)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      MtSurface *s = job->surfaces->pdata[i];
      mt_progress_set_stage (job->progress, (double) i / job->surfaces->len, (i + 1.0) / job->surfaces->len,
                             N_("Cutting and capping"));
      MtMesh *cut = mt_mesh_copy (s->mesh);
      mt_mesh_clip (cut, job->n_planes, job->planes, job->planes + 3 * job->n_planes, TRUE);
      mt_mesh_unref (s->mesh);
      s->mesh = cut;
    }
  g_task_return_boolean (task, TRUE);
}

static void
cut_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtSurfacePanel *self = MT_SURFACE_PANEL (source);
  Job *job = finish (self, result);
  if (job == NULL)
    return;
  /* The originals kept, to cut again or go back to. */
  if (self->uncut == NULL)
    self->uncut = copy_surfaces (mt_viewer_get_surfaces (self->viewer));
  /* Pieces the cut left nothing of go. */
  for (guint i = job->surfaces->len; i-- > 0;)
    if (((MtSurface *) job->surfaces->pdata[i])->mesh->n_triangles == 0)
      g_ptr_array_remove_index (job->surfaces, i);
  show (self, job->surfaces);
  rebuild (self);
  set_message (self, _("Cut and capped: each cut is closed by a flat face, ready to print."));
}

void
mt_surface_panel_cut (MtSurfacePanel *self)
{
  g_return_if_fail (MT_IS_SURFACE_PANEL (self));
  if (self->cancellable != NULL || mt_viewer_get_surfaces (self->viewer)->len == 0)
    return;
  double plane[4], box[6];
  gboolean has_plane = mt_viewer_get_clip_plane (self->viewer, plane);
  gboolean has_box = mt_viewer_get_clip_box (self->viewer, box);
  if (!has_plane && !has_box)
    {
      set_message (self, _("Nothing to cut by: choose a cut or turn on the crop box in the 3D view's clipping "
                           "(Ctrl+K) first."));
      return;
    }
  Job *job = job_new (self, _("Cutting the surfaces…"));
  if (self->uncut != NULL)
    {
      /* Always from the whole surfaces, so a new box is a new cut. */
      g_ptr_array_unref (job->surfaces);
      job->surfaces = copy_surfaces (self->uncut);
    }
  double points[7 * 3], normals[7 * 3];
  guint n = 0;
  if (has_plane)
    {
      /* The view removes n.x + d > 0: keep the side -n points to. */
      double nn = plane[0] * plane[0] + plane[1] * plane[1] + plane[2] * plane[2];
      for (int k = 0; k < 3; k++)
        {
          points[3 * n + k] = -plane[3] * plane[k] / nn;
          normals[3 * n + k] = -plane[k];
        }
      n++;
    }
  if (has_box)
    for (int axis = 0; axis < 3; axis++)
      for (int side = 0; side < 2; side++)
        {
          for (int k = 0; k < 3; k++)
            {
              points[3 * n + k] = box[2 * k + side];
              normals[3 * n + k] = k == axis ? (side == 0 ? 1 : -1) : 0;
            }
          n++;
        }
  job->n_planes = n;
  memcpy (job->planes, points, 3 * n * sizeof (double));
  memcpy (job->planes + 3 * n, normals, 3 * n * sizeof (double));
  run (self, job, self->cancellable, cut_thread, cut_done);
}

void
mt_surface_panel_uncut (MtSurfacePanel *self)
{
  g_return_if_fail (MT_IS_SURFACE_PANEL (self));
  if (self->uncut == NULL || self->cancellable != NULL)
    return;
  show (self, self->uncut);
  g_clear_pointer (&self->uncut, g_ptr_array_unref);
  rebuild (self);
  set_message (self, NULL);
}

/* ------------------------------------------------------------ distance */

static void
distance_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  mt_mesh_distance (((MtSurface *) job->surfaces->pdata[job->a])->mesh,
                    ((MtSurface *) job->surfaces->pdata[job->b])->mesh, &job->mean, &job->hausdorff);
  g_task_return_boolean (task, TRUE);
}

static void
distance_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtSurfacePanel *self = MT_SURFACE_PANEL (source);
  Job *job = finish (self, result);
  if (job == NULL)
    return;
  const MtSurface *a = job->surfaces->pdata[job->a], *b = job->surfaces->pdata[job->b];
  g_autofree char *text = g_strdup_printf (_("%s to %s: mean %.3f mm, largest (Hausdorff) %.3f mm"), a->name,
                                           b->name, job->mean, job->hausdorff);
  gtk_label_set_text (GTK_LABEL (self->distance), text);
}

void
mt_surface_panel_measure_distance (MtSurfacePanel *self,
                                   guint           a,
                                   guint           b)
{
  g_return_if_fail (MT_IS_SURFACE_PANEL (self));
  guint n = mt_viewer_get_surfaces (self->viewer)->len;
  if (self->cancellable != NULL || a >= n || b >= n)
    return;
  Job *job = job_new (self, _("Measuring the distance between the surfaces…"));
  job->a = a;
  job->b = b;
  gtk_label_set_text (GTK_LABEL (self->distance), "");
  run (self, job, self->cancellable, distance_thread, distance_done);
}

static void
on_measure (GtkButton *button, MtSurfacePanel *self)
{
  mt_surface_panel_measure_distance (self, gtk_drop_down_get_selected (GTK_DROP_DOWN (self->first)),
                                     gtk_drop_down_get_selected (GTK_DROP_DOWN (self->second)));
}

/* --------------------------------------------------------------- saving */

gboolean
mt_surface_panel_save (MtSurfacePanel *self,
                       const char     *path,
                       MtMeshSpace     space,
                       GError        **error)
{
  g_return_val_if_fail (MT_IS_SURFACE_PANEL (self), FALSE);
  GPtrArray *shown = mt_viewer_get_surfaces (self->viewer);
  if (!mt_surfaces_write ((MtSurface **) shown->pdata, shown->len, space, path, error))
    return FALSE;
  g_autofree char *text = g_strdup_printf (_("%u surfaces saved to %s (%s)."), shown->len, path,
                                           space == MT_MESH_RAS ? "RAS" : "LPS");
  set_message (self, text);
  return TRUE;
}

static void
on_save_response (GtkNativeDialog *dialog, int response, MtSurfacePanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      MtMeshSpace space = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->space)) == 1 ? MT_MESH_RAS : MT_MESH_LPS;
      if (path != NULL && !mt_surface_panel_save (self, path, space, &error))
        set_message (self, error->message);
    }
  g_object_unref (dialog);
}

static void
on_save (GtkButton *button, MtSurfacePanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save the surfaces"),
                                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "surfaces.obj");
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ----------------------------------------------------------------- widget */

void
mt_surface_panel_cancel (MtSurfacePanel *self)
{
  g_return_if_fail (MT_IS_SURFACE_PANEL (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
mt_surface_panel_dispose (GObject *object)
{
  MtSurfacePanel *self = MT_SURFACE_PANEL (object);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->facts, g_hash_table_unref);
  g_clear_pointer (&self->uncut, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (mt_surface_panel_parent_class)->dispose (object);
}

static void
mt_surface_panel_class_init (MtSurfacePanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_surface_panel_dispose;
}

static GtkWidget *
spin (GtkWidget *grid, int row, const char *label, const char *tip, double lo, double hi, double step, double value)
{
  GtkWidget *l = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  GtkWidget *s = gtk_spin_button_new_with_range (lo, hi, step);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (s), value);
  gtk_widget_set_tooltip_text (s, tip);
  gtk_grid_attach (GTK_GRID (grid), l, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), s, 1, row, 1, 1);
  return s;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "heading");
  return l;
}

static void
mt_surface_panel_init (MtSurfacePanel *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->facts = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) mt_mesh_unref, g_free);
  self->rows = g_ptr_array_new ();

  self->list = mt_list_panel_add (GTK_BOX (self),
                                  _("No surfaces yet: segment the scan (Ctrl+Shift+G) or drop an STL, OBJ or PLY "
                                    "file on the window."), 48, 260, 440, &self->empty);

  gtk_box_append (GTK_BOX (self), heading (_("Refine")));
  GtkWidget *grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  self->smooth = spin (grid, 0, _("Smoothing (Taubin) iterations"),
                       _("Smooths the voxel staircase away without shrinking the surface"), 0, 500, 1, 10);
  self->remesh = spin (grid, 1, _("Remesh to edges of (mm; 0: off)"),
                       _("Isotropic remeshing: triangles close to equilateral, for simulation and printing"), 0, 50,
                       0.5, 0);
  /* xgettext:no-c-format */
  self->decimate = spin (grid, 2, _("Triangles removed (%)"),
                         _("Decimation by quadric error: the fewest triangles for the shape"), 0, 99, 5, 50);
  /* xgettext:no-c-format */
  self->pieces = spin (grid, 3, _("Remove pieces under (% of the largest)"),
                       _("Specks and noise: pieces with fewer triangles than this share of the largest piece"), 0,
                       100, 0.5, 1);
  self->holes = gtk_check_button_new_with_label (_("Fill holes"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->holes), TRUE);
  gtk_grid_attach (GTK_GRID (grid), self->holes, 0, 4, 2, 1);
  gtk_box_append (GTK_BOX (self), grid);
  self->refine_button = gtk_button_new_with_mnemonic (_("_Refine"));
  gtk_widget_set_tooltip_text (self->refine_button, _("Refine every surface; they stay as they are on screen until "
                                                      "the refined ones are ready"));
  g_signal_connect_swapped (self->refine_button, "clicked", G_CALLBACK (mt_surface_panel_refine), self);
  gtk_widget_set_halign (self->refine_button, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (self), self->refine_button);

  gtk_box_append (GTK_BOX (self), heading (_("Cut")));
  GtkWidget *cut_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->cut_button = gtk_button_new_with_mnemonic (_("C_ut to the 3D clipping"));
  gtk_widget_set_tooltip_text (self->cut_button, _("Cut the surfaces by the 3D view's cut plane and crop box, each "
                                                   "cut closed by a flat face"));
  g_signal_connect_swapped (self->cut_button, "clicked", G_CALLBACK (mt_surface_panel_cut), self);
  self->uncut_button = gtk_button_new_with_label (_("Whole again"));
  gtk_widget_set_tooltip_text (self->uncut_button, _("The surfaces as they were before the cut"));
  g_signal_connect_swapped (self->uncut_button, "clicked", G_CALLBACK (mt_surface_panel_uncut), self);
  gtk_box_append (GTK_BOX (cut_row), self->cut_button);
  gtk_box_append (GTK_BOX (cut_row), self->uncut_button);
  gtk_box_append (GTK_BOX (self), cut_row);

  gtk_box_append (GTK_BOX (self), heading (_("Distance between two surfaces")));
  GtkWidget *dist_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->first = gtk_drop_down_new (NULL, NULL);
  self->second = gtk_drop_down_new (NULL, NULL);
  self->measure_button = gtk_button_new_with_mnemonic (_("_Measure"));
  g_signal_connect (self->measure_button, "clicked", G_CALLBACK (on_measure), self);
  gtk_box_append (GTK_BOX (dist_row), self->first);
  gtk_box_append (GTK_BOX (dist_row), self->second);
  gtk_box_append (GTK_BOX (dist_row), self->measure_button);
  gtk_box_append (GTK_BOX (self), dist_row);
  self->distance = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->distance), 0);
  gtk_label_set_wrap (GTK_LABEL (self->distance), TRUE);
  gtk_box_append (GTK_BOX (self), self->distance);

  gtk_box_append (GTK_BOX (self), heading (_("Save")));
  GtkWidget *save_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *spaces[] = { _("LPS (DICOM)"), _("RAS (3D Slicer)"), NULL };
  self->space = gtk_drop_down_new_from_strings (spaces);
  gtk_widget_set_tooltip_text (self->space, _("The patient coordinates written in the file"));
  self->save_button = gtk_button_new_with_mnemonic (_("_Save as STL, OBJ or PLY…"));
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (on_save), self);
  gtk_box_append (GTK_BOX (save_row), self->space);
  gtk_box_append (GTK_BOX (save_row), self->save_button);
  gtk_box_append (GTK_BOX (self), save_row);

  self->progress_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_hexpand (self->progress, TRUE);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (mt_surface_panel_cancel), self);
  gtk_box_append (GTK_BOX (self->progress_box), self->progress);
  gtk_box_append (GTK_BOX (self->progress_box), cancel);
  gtk_box_append (GTK_BOX (self), self->progress_box);
  self->message = mt_list_panel_add_message (GTK_BOX (self), 56);
}

GtkWidget *
mt_surface_panel_new (MtViewer *viewer)
{
  MtSurfacePanel *self = g_object_new (MT_TYPE_SURFACE_PANEL, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "surfaces-changed", G_CALLBACK (on_surfaces_changed), self, G_CONNECT_SWAPPED);
  rebuild (self);
  return GTK_WIDGET (self);
}

gboolean
mt_surface_panel_is_busy (MtSurfacePanel *self)
{
  return self->cancellable != NULL;
}

const char *
mt_surface_panel_get_row_text (MtSurfacePanel *self,
                               guint           i)
{
  return i < self->rows->len ? gtk_label_get_text (GTK_LABEL (self->rows->pdata[i])) : NULL;
}

const char *
mt_surface_panel_get_distance_text (MtSurfacePanel *self)
{
  return gtk_label_get_text (GTK_LABEL (self->distance));
}

const char *
mt_surface_panel_get_message (MtSurfacePanel *self)
{
  return gtk_widget_get_visible (self->message) ? gtk_label_get_text (GTK_LABEL (self->message)) : NULL;
}
