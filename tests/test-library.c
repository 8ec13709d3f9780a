/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "mt-file-utils.h"
#include "mt-library.h"
#include "mt-progress.h"
#include "mt-series.h"
#include "mt-volume.h"
#include "mt-test-data.h"

static char *tmp_dir;

static char *
db_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static gint64
count (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

static void
assert_intact (const char *path)
{
  sqlite3 *db = NULL;
  /* Read-write: after a killed import the write-ahead log must be rolled
   * into the database first (what the library does on opening), which a
   * read-only connection refuses with SQLITE_READONLY now and then. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "ok");
  sqlite3_finalize (st);
  sqlite3_close (db);
}

/* All of ../shared/data: every series found, the broken files counted and
 * the rest imported; a second import adds nothing. */
static void
test_import_twice (void)
{
  g_autofree char *data = mt_test_data_path (NULL, NULL);
  if (data == NULL)
    return;
  g_autofree char *path = db_path ("twice.db");
  g_autoptr (GError) error = NULL;
  g_autoptr (MtLibrary) lib = mt_library_open (path, &error);
  g_assert_no_error (error);
  struct stat sb;
  g_assert_cmpint (g_stat (path, &sb), ==, 0);
  g_assert_cmpint (sb.st_mode & 0777, ==, 0600);

  const char *paths[] = { data, NULL };
  MtImportStats st;
  g_assert_true (mt_library_import (lib, paths, &st, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%u files, %u images, %u skipped, %u series, %u studies, %u patients", st.files,
                  st.instances_added, st.skipped, st.series_added, st.studies_added, st.patients_added);
  /* 134 thorax + 28 head + 70 decubitus + 9 codecs + 2 enhanced + 11 KiTS, and
   * of the 5 broken files the 2 that still parse as images with a size. */
  g_assert_cmpuint (st.instances_added, ==, 134 + 28 + 70 + 9 + 2 + 11 + 2);
  g_assert_cmpuint (st.instances_added + st.skipped, ==, st.files);
  gint64 series = count (path, "SELECT COUNT(*) FROM series");
  g_assert_cmpint (series, ==, st.series_added);

  MtImportStats again;
  g_assert_true (mt_library_import (lib, paths, &again, NULL, NULL, &error));
  g_assert_cmpuint (again.instances_added, ==, 0);
  g_assert_cmpuint (again.instances_known, ==, st.instances_added);
  g_assert_cmpuint (again.series_added, ==, 0);
  g_assert_cmpint (count (path, "SELECT COUNT(*) FROM instances"), ==, st.instances_added);

  /* The decubitus pair: one patient, two studies (supine and prone). */
  g_autoptr (GPtrArray) mr = mt_library_search (lib, "stc_test t1_fl2d_sag", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mr->len, ==, 2);
  g_assert_cmpint (count (path, "SELECT COUNT(DISTINCT st.patient) FROM studies st JOIN series se ON se.study = st.id "
                                "WHERE se.description = 't1_fl2d_sag'"), ==, 1);

  /* Search, case-insensitive, every word; then open what was found. */
  g_autoptr (GPtrArray) hits = mt_library_search (lib, "pancreas ct", &error);
  g_assert_cmpuint (hits->len, ==, 1);
  MtLibraryEntry *e = hits->pdata[0];
  g_assert_cmpint (e->n_instances, ==, 134);
  g_assert_cmpstr (e->modality, ==, "CT");
  g_assert_cmpstr (e->study_date, ==, "20120706");
  g_assert_nonnull (e->thumbnail);
  g_assert_cmpint (e->thumbnail_width, ==, 64);
  g_autoptr (GPtrArray) files = mt_library_series_files (lib, e->series_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 134 + 1);
  g_autoptr (GPtrArray) stacks = mt_series_scan ((const char * const *) files->pdata, NULL, NULL, &error);
  g_autoptr (MtVolume) v = mt_series_load (stacks->pdata[0], NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v->dims[2], ==, 134);
  g_autoptr (GPtrArray) none = mt_library_search (lib, "pancreas mr", &error);
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (GPtrArray) everything = mt_library_search (lib, NULL, &error);
  g_assert_cmpuint (everything->len, ==, series);
  assert_intact (path);
}

static void
cancel_after_first (double fraction, const char *message, gpointer cancellable)
{
  /* Past the header scan, the first batch is in: stop. */
  if (fraction > 0.16)
    g_cancellable_cancel (cancellable);
}

/* A cancelled import keeps what it committed, the database stays whole, and
 * importing again completes it. */
static void
test_cancel_and_resume (void)
{
  g_autofree char *data = mt_test_data_path (NULL, NULL);
  if (data == NULL)
    return;
  g_autofree char *path = db_path ("cancel.db");
  g_autoptr (GError) error = NULL;
  g_autoptr (MtLibrary) lib = mt_library_open (path, &error);
  const char *paths[] = { data, NULL };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (MtProgress) progress = mt_progress_new (cancel_after_first, cancellable, NULL);
  MtImportStats st;
  g_assert_false (mt_library_import (lib, paths, &st, progress, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  gint64 partial = count (path, "SELECT COUNT(*) FROM instances");
  g_assert_cmpint (partial, >, 0);
  g_assert_cmpint (partial, <, 256);
  assert_intact (path);
  g_assert_true (mt_library_import (lib, paths, &st, NULL, NULL, &error));
  g_assert_cmpint (count (path, "SELECT COUNT(*) FROM instances"), ==, 256);
  g_assert_cmpuint (st.instances_known, ==, (guint) partial);
}

/* medtwin-cli import killed with SIGKILL midway: the database passes
 * integrity_check and a second import completes it. */
static void
test_killed (void)
{
  g_autofree char *data = mt_test_data_path (NULL, NULL);
  if (data == NULL)
    return;
  g_autofree char *path = db_path ("killed.db");
  const char *pydicom = PYDICOM_DIR;
  for (int delay_ms = 40; delay_ms <= 160; delay_ms += 60)
    {
      const char *argv[] = { MEDTWIN_CLI, "import", "-q", "--library", path, data, pydicom, NULL };
      GPid pid;
      g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                    | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, NULL));
      g_usleep (delay_ms * 1000);
      kill (pid, SIGKILL);
      int status;
      waitpid (pid, &status, 0);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        assert_intact (path);
    }
  const char *argv[] = { MEDTWIN_CLI, "import", "-q", "--library", path, data, NULL };
  int status;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  assert_intact (path);
  g_assert_cmpint (count (path, "SELECT COUNT(*) FROM instances WHERE path NOT LIKE '%pydicom%'"), ==, 256);
}

static void
test_bad_library (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = db_path ("not-a-db.db");
  g_assert_true (g_file_set_contents (path, "this is not an SQLite database, it is text that is long enough", -1, NULL));
  g_autoptr (MtLibrary) lib = mt_library_open (path, &error);
  g_assert_null (lib);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not-a-db.db"));
  /* Nothing of the file was lost. */
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "this is not"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("medtwin-library-XXXXXX", NULL);
  g_test_add_func ("/pipeline/library/import-twice", test_import_twice);
  g_test_add_func ("/pipeline/library/cancel-and-resume", test_cancel_and_resume);
  g_test_add_func ("/pipeline/library/killed", test_killed);
  g_test_add_func ("/pipeline/library/bad-library", test_bad_library);
  int ret = g_test_run ();
  mt_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
