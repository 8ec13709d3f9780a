/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-browser"

#include "config.h"

#include <glib/gi18n.h>

#include "mt-browser.h"
#include "mt-library.h"
#include "mt-progress.h"

/* ------------------------------------------------------------------ items */

/* One series in the list: the library entry, and its thumbnail texture. */
#define MT_TYPE_LIBRARY_ITEM (mt_library_item_get_type ())
G_DECLARE_FINAL_TYPE (MtLibraryItem, mt_library_item, MT, LIBRARY_ITEM, GObject)

struct _MtLibraryItem
{
  GObject         parent_instance;
  MtLibraryEntry *entry;
  GdkTexture     *thumbnail;
};

G_DEFINE_FINAL_TYPE (MtLibraryItem, mt_library_item, G_TYPE_OBJECT)

static void
mt_library_item_finalize (GObject *object)
{
  MtLibraryItem *self = MT_LIBRARY_ITEM (object);
  g_clear_pointer (&self->entry, mt_library_entry_free);
  g_clear_object (&self->thumbnail);
  G_OBJECT_CLASS (mt_library_item_parent_class)->finalize (object);
}

static void
mt_library_item_class_init (MtLibraryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mt_library_item_finalize;
}

static void
mt_library_item_init (MtLibraryItem *self)
{
}

static MtLibraryItem *
mt_library_item_new (MtLibraryEntry *entry)
{
  MtLibraryItem *self = g_object_new (MT_TYPE_LIBRARY_ITEM, NULL);
  self->entry = entry;
  if (entry->thumbnail && entry->thumbnail_width > 0 && entry->thumbnail_height > 0)
    {
      /* Grey to RGB, for a texture every renderer takes. */
      gsize n = (gsize) entry->thumbnail_width * entry->thumbnail_height;
      const guint8 *grey = g_bytes_get_data (entry->thumbnail, NULL);
      guint8 *rgb = g_malloc (n * 3);
      for (gsize i = 0; i < n; i++)
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
      g_autoptr (GBytes) bytes = g_bytes_new_take (rgb, n * 3);
      self->thumbnail = gdk_memory_texture_new (entry->thumbnail_width, entry->thumbnail_height,
                                                GDK_MEMORY_R8G8B8, bytes, (gsize) entry->thumbnail_width * 3);
    }
  return self;
}

/* ------------------------------------------------------------------ columns */

typedef enum
{
  COL_THUMBNAIL,
  COL_PATIENT,
  COL_PATIENT_ID,
  COL_BIRTH_DATE,
  COL_STUDY_DATE,
  COL_MODALITY,
  COL_DESCRIPTION,
  COL_IMAGES,
  N_COLUMNS
} Column;

static const char *
column_text (const MtLibraryEntry *e, Column c)
{
  switch (c)
    {
    case COL_PATIENT: return e->patient_name;
    case COL_PATIENT_ID: return e->patient_id;
    case COL_BIRTH_DATE: return e->birth_date;
    case COL_STUDY_DATE: return e->study_date;
    case COL_MODALITY: return e->modality;
    case COL_DESCRIPTION: return e->series_description ? e->series_description : e->study_description;
    default: return NULL;
    }
}

static int
compare_items (gconstpointer a, gconstpointer b, gpointer column)
{
  const MtLibraryEntry *ea = MT_LIBRARY_ITEM ((gpointer) a)->entry;
  const MtLibraryEntry *eb = MT_LIBRARY_ITEM ((gpointer) b)->entry;
  Column c = GPOINTER_TO_INT (column);
  if (c == COL_IMAGES)
    return ea->n_instances < eb->n_instances ? GTK_ORDERING_SMALLER
         : ea->n_instances > eb->n_instances ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
  int r = g_utf8_collate (column_text (ea, c) ? column_text (ea, c) : "", column_text (eb, c) ? column_text (eb, c) : "");
  return r < 0 ? GTK_ORDERING_SMALLER : r > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer column)
{
  if (GPOINTER_TO_INT (column) == COL_THUMBNAIL)
    {
      GtkWidget *picture = gtk_picture_new ();
      gtk_widget_set_size_request (picture, 48, 48);
      gtk_list_item_set_child (item, picture);
      return;
    }
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (column) == COL_IMAGES ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static char *
pretty_date (const char *dicom)
{
  /* DICOM dates are YYYYMMDD; people read YYYY-MM-DD. */
  if (dicom && strlen (dicom) == 8)
    return g_strdup_printf ("%.4s-%.2s-%.2s", dicom, dicom + 4, dicom + 6);
  return g_strdup (dicom ? dicom : "");
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer column)
{
  MtLibraryItem *it = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  Column c = GPOINTER_TO_INT (column);
  if (c == COL_THUMBNAIL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (child), GDK_PAINTABLE (it->thumbnail));
      return;
    }
  g_autofree char *text = NULL;
  if (c == COL_IMAGES)
    text = g_strdup_printf ("%d", it->entry->n_instances);
  else if (c == COL_BIRTH_DATE || c == COL_STUDY_DATE)
    text = pretty_date (column_text (it->entry, c));
  else if (c == COL_PATIENT)
    {
      text = g_strdup (it->entry->patient_name ? it->entry->patient_name : "");
      g_strdelimit (text, "^", ' ');
    }
  else
    text = g_strdup (column_text (it->entry, c));
  gtk_label_set_text (GTK_LABEL (child), text ? text : "");
}

/* ------------------------------------------------------------------ browser */

struct _MtBrowser
{
  GtkWindow     parent_instance;
  MtWindow     *main_window;     /* weak */
  MtLibrary    *library;
  GListStore   *store;
  GtkWidget    *search;
  GtkWidget    *view;
  GtkWidget    *status;
  GtkWidget    *progress;
  GtkWidget    *progress_bar;   /* bar and cancel button */
  GCancellable *import_cancellable;
};

G_DEFINE_FINAL_TYPE (MtBrowser, mt_browser, GTK_TYPE_WINDOW)

enum { POPULATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
refresh (MtBrowser *self)
{
  g_list_store_remove_all (self->store);
  if (self->library == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = mt_library_search (self->library,
                                                  gtk_editable_get_text (GTK_EDITABLE (self->search)), &error);
  if (rows == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->status), error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr (MtLibraryItem) item = mt_library_item_new (rows->pdata[i]);
      rows->pdata[i] = NULL;
      g_list_store_append (self->store, item);
    }
  g_autofree char *text = g_strdup_printf (_("%u series"),
                                           rows->len);
  gtk_label_set_text (GTK_LABEL (self->status), text);
  g_signal_emit (self, signals[POPULATED], 0);
}

static void
open_item (MtBrowser *self, guint position, gboolean compare)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (self->view)));
  g_autoptr (MtLibraryItem) item = g_list_model_get_item (model, position);
  if (item == NULL || self->main_window == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = mt_library_series_files (self->library, item->entry->series_id, &error);
  if (files == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->status), error->message);
      return;
    }
  if (compare)
    mt_window_compare_paths (self->main_window, (const char * const *) files->pdata);
  else
    mt_window_open_paths (self->main_window, (const char * const *) files->pdata);
  gtk_window_present (GTK_WINDOW (self->main_window));
}

static void
on_activate (GtkColumnView *view, guint position, MtBrowser *self)
{
  open_item (self, position, FALSE);
}

static void
on_compare_clicked (GtkButton *button, MtBrowser *self)
{
  GtkSelectionModel *model = gtk_column_view_get_model (GTK_COLUMN_VIEW (self->view));
  guint position = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (model));
  if (position != GTK_INVALID_LIST_POSITION)
    open_item (self, position, TRUE);
}

/* Import runs in a worker with its own connection: SQLite in WAL mode lets
 * the browser keep reading meanwhile. */
static void
import_thread (GTask *task, gpointer source, gpointer path, GCancellable *cancellable)
{
  MtProgress *progress = g_object_get_data (G_OBJECT (task), "progress");
  g_autofree char *db = mt_library_default_path ();
  GError *error = NULL;
  g_autoptr (MtLibrary) lib = mt_library_open (db, &error);
  MtImportStats *st = g_new0 (MtImportStats, 1);
  const char *paths[] = { path, NULL };
  if (lib == NULL || !mt_library_import (lib, paths, st, progress, cancellable, &error))
    {
      g_free (st);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, st, g_free);
}

static void
import_done (GObject *source, GAsyncResult *result, gpointer data)
{
  MtBrowser *self = MT_BROWSER (source);
  g_autoptr (GError) error = NULL;
  g_autofree MtImportStats *st = g_task_propagate_pointer (G_TASK (result), &error);
  gtk_widget_set_visible (self->progress_bar, FALSE);
  g_clear_object (&self->import_cancellable);
  refresh (self);
  if (st == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (GTK_LABEL (self->status), error->message);
      return;
    }
  g_autofree char *text = g_strdup_printf (_("Imported %u images (%u already there, %u files were not DICOM images)"),
                                           st->instances_added, st->instances_known, st->skipped);
  gtk_label_set_text (GTK_LABEL (self->status), text);
}

static void
on_import_progress (double fraction, const char *message, gpointer user_data)
{
  MtBrowser *self = user_data;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), fraction);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), message ? _(message) : NULL);
}

void
mt_browser_import (MtBrowser  *self,
                   const char *path)
{
  if (self->import_cancellable)
    return;
  self->import_cancellable = g_cancellable_new ();
  g_autoptr (GTask) task = g_task_new (self, self->import_cancellable, import_done, NULL);
  g_task_set_task_data (task, g_strdup (path), g_free);
  MtProgress *progress = mt_progress_new (on_import_progress, self, g_main_context_default ());
  g_object_set_data_full (G_OBJECT (task), "progress", progress, (GDestroyNotify) mt_progress_unref);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_widget_set_visible (self->progress_bar, TRUE);
  g_task_run_in_thread (task, import_thread);
}

static void
on_cancel_import (GtkButton *button, MtBrowser *self)
{
  /* What was committed stays; importing again adds the rest. */
  if (self->import_cancellable)
    g_cancellable_cancel (self->import_cancellable);
}

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, MtBrowser *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        mt_browser_import (self, path);
    }
  g_object_unref (dialog);
}

static void
on_import_clicked (GtkButton *button, MtBrowser *self)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Import a folder of DICOM files"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Import"), _("_Cancel"));
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
add_column (MtBrowser *self, const char *title, Column c, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (c));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (c));
  GtkColumnViewColumn *col = gtk_column_view_column_new (title, factory);
  if (c != COL_THUMBNAIL)
    {
      GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_items, GINT_TO_POINTER (c), NULL));
      gtk_column_view_column_set_sorter (col, sorter);
      g_object_unref (sorter);
      gtk_column_view_column_set_resizable (col, TRUE);
    }
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (self->view), col);
  g_object_unref (col);
}

static void
mt_browser_dispose (GObject *object)
{
  MtBrowser *self = MT_BROWSER (object);
  if (self->import_cancellable)
    g_cancellable_cancel (self->import_cancellable);
  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->library, mt_library_close);
  if (self->main_window)
    g_object_remove_weak_pointer (G_OBJECT (self->main_window), (gpointer *) &self->main_window);
  self->main_window = NULL;
  G_OBJECT_CLASS (mt_browser_parent_class)->dispose (object);
}

static void
mt_browser_class_init (MtBrowserClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mt_browser_dispose;
  signals[POPULATED] = g_signal_new ("populated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mt_browser_init (MtBrowser *self)
{
  gtk_window_set_title (GTK_WINDOW (self), _("Patient library"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 640);

  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *import = gtk_button_new_with_mnemonic (_("_Import…"));
  gtk_widget_set_tooltip_text (import, _("Add a folder, CD or USB stick of DICOM files to the library"));
  g_signal_connect (import, "clicked", G_CALLBACK (on_import_clicked), self);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), import);
  GtkWidget *compare = gtk_button_new_with_mnemonic (_("_Compare"));
  gtk_widget_set_tooltip_text (compare, _("Open the selected series beside the open scan, for comparison"));
  g_signal_connect (compare, "clicked", G_CALLBACK (on_compare_clicked), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), compare);
  self->search = gtk_search_entry_new ();
  gtk_widget_set_size_request (self->search, 320, -1);
  g_object_set (self->search, "placeholder-text", _("Search name, ID, date, modality, description…"), NULL);
  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (refresh), self);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), self->search);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);

  self->store = g_list_store_new (MT_TYPE_LIBRARY_ITEM);
  self->view = gtk_column_view_new (NULL);
  GtkSortListModel *sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                                      g_object_ref (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->view))));
  GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->view), GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (self->view), TRUE);
  add_column (self, "", COL_THUMBNAIL, FALSE);
  add_column (self, _("Patient"), COL_PATIENT, TRUE);
  add_column (self, _("Patient ID"), COL_PATIENT_ID, FALSE);
  add_column (self, _("Born"), COL_BIRTH_DATE, FALSE);
  add_column (self, _("Study date"), COL_STUDY_DATE, FALSE);
  add_column (self, _("Modality"), COL_MODALITY, FALSE);
  add_column (self, _("Description"), COL_DESCRIPTION, TRUE);
  add_column (self, _("Images"), COL_IMAGES, FALSE);
  g_signal_connect (self->view, "activate", G_CALLBACK (on_activate), self);

  GtkWidget *scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->view);
  gtk_widget_set_vexpand (scroller, TRUE);

  self->status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_widget_set_margin_start (self->status, 8);
  gtk_widget_set_margin_end (self->status, 8);
  gtk_widget_set_margin_top (self->status, 4);
  gtk_widget_set_margin_bottom (self->status, 4);
  gtk_label_set_ellipsize (GTK_LABEL (self->status), PANGO_ELLIPSIZE_END);
  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_hexpand (self->progress, TRUE);
  gtk_widget_set_valign (self->progress, GTK_ALIGN_CENTER);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect (cancel, "clicked", G_CALLBACK (on_cancel_import), self);
  self->progress_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (self->progress_bar, 6);
  gtk_widget_set_margin_end (self->progress_bar, 6);
  gtk_box_append (GTK_BOX (self->progress_bar), self->progress);
  gtk_box_append (GTK_BOX (self->progress_bar), cancel);
  gtk_widget_set_visible (self->progress_bar, FALSE);

  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_box_append (GTK_BOX (box), self->progress_bar);
  gtk_box_append (GTK_BOX (box), self->status);
  gtk_window_set_child (GTK_WINDOW (self), box);
}

MtBrowser *
mt_browser_new (MtWindow *main_window)
{
  MtBrowser *self = g_object_new (MT_TYPE_BROWSER, "transient-for", main_window, NULL);
  self->main_window = main_window;
  g_object_add_weak_pointer (G_OBJECT (main_window), (gpointer *) &self->main_window);
  g_autofree char *db = mt_library_default_path ();
  g_autoptr (GError) error = NULL;
  self->library = mt_library_open (db, &error);
  if (self->library == NULL)
    gtk_label_set_text (GTK_LABEL (self->status), error->message);
  refresh (self);
  return self;
}

guint
mt_browser_n_series (MtBrowser *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->store));
}
