/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-library"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mt-dicom.h"
#include "mt-library.h"
#include "mt-progress.h"
#include "mt-series.h"

G_DEFINE_QUARK (mt-library-error-quark, mt_library_error)

struct _MtLibrary
{
  sqlite3 *db;
  char    *path;
};

/* Files are committed in batches: a cancelled or killed import keeps what
 * was committed and the database stays whole; importing again completes it. */
#define BATCH 100
#define THUMB 64

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS patients ("
  "  id INTEGER PRIMARY KEY,"
  "  match_key TEXT NOT NULL UNIQUE,"        /* issuer + PatientID, or name + birth date */
  "  patient_id TEXT, issuer TEXT, name TEXT, birth_date TEXT, sex TEXT);"
  "CREATE TABLE IF NOT EXISTS studies ("
  "  id INTEGER PRIMARY KEY,"
  "  patient INTEGER NOT NULL REFERENCES patients(id),"
  "  study_uid TEXT NOT NULL UNIQUE,"
  "  study_date TEXT, study_time TEXT, accession TEXT, description TEXT, institution TEXT);"
  "CREATE TABLE IF NOT EXISTS series ("
  "  id INTEGER PRIMARY KEY,"
  "  study INTEGER NOT NULL REFERENCES studies(id),"
  "  series_uid TEXT NOT NULL UNIQUE,"
  "  number INTEGER, modality TEXT, description TEXT, body_part TEXT,"
  "  thumbnail BLOB, thumbnail_width INTEGER, thumbnail_height INTEGER);"
  "CREATE TABLE IF NOT EXISTS instances ("
  "  id INTEGER PRIMARY KEY,"
  "  series INTEGER NOT NULL REFERENCES series(id),"
  "  sop_uid TEXT NOT NULL UNIQUE,"
  "  path TEXT NOT NULL, number INTEGER);"
  "CREATE INDEX IF NOT EXISTS instances_series ON instances(series);"
  "CREATE INDEX IF NOT EXISTS series_study ON series(study);"
  "CREATE INDEX IF NOT EXISTS studies_patient ON studies(patient);";

static gboolean
db_error (MtLibrary *lib, GError **error)
{
  /* SQLite's message names no patient: it is about the database. */
  g_set_error (error, MT_LIBRARY_ERROR, MT_LIBRARY_ERROR_DATABASE,
               _("The patient library %s cannot be updated (%s)"), lib->path, sqlite3_errmsg (lib->db));
  return FALSE;
}

static gboolean
exec (MtLibrary *lib, const char *sql, GError **error)
{
  if (sqlite3_exec (lib->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (lib, error);
  return TRUE;
}

char *
mt_library_default_path (void)
{
  const char *env = g_getenv ("MEDTWIN_LIBRARY");
  if (env != NULL && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "medtwin", "library.db", NULL);
}

MtLibrary *
mt_library_open (const char *path,
                 GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, MT_LIBRARY_ERROR, MT_LIBRARY_ERROR_OPEN,
                   _("Cannot create the folder %s for the patient library (%s)"), dir, g_strerror (e));
      return NULL;
    }
  /* Owner-only from the first byte: the library holds names and IDs. SQLite
   * gives its -wal and -shm files the same permissions. */
  int fd = open (path, O_RDWR | O_CREAT, 0600);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, MT_LIBRARY_ERROR, MT_LIBRARY_ERROR_OPEN,
                   _("Cannot open the patient library %s (%s)"), path, g_strerror (e));
      return NULL;
    }
  close (fd);

  MtLibrary *lib = g_new0 (MtLibrary, 1);
  lib->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &lib->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, MT_LIBRARY_ERROR, MT_LIBRARY_ERROR_OPEN,
                   _("Cannot open the patient library %s (%s)"), path,
                   lib->db ? sqlite3_errmsg (lib->db) : "out of memory");
      mt_library_close (lib);
      return NULL;
    }
  sqlite3_busy_timeout (lib->db, 5000);
  if (!exec (lib, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", error)
      || !exec (lib, schema, error))
    {
      g_prefix_error (error, "%s", "");
      mt_library_close (lib);
      return NULL;
    }
  return lib;
}

void
mt_library_close (MtLibrary *lib)
{
  if (lib == NULL)
    return;
  if (lib->db)
    sqlite3_close_v2 (lib->db);
  g_free (lib->path);
  g_free (lib);
}

static void
bind_text (sqlite3_stmt *st, int i, const char *value)
{
  if (value && *value)
    sqlite3_bind_text (st, i, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, i);
}

/* INSERT OR IGNORE, then the row's id whether it was new or known. */
static gint64
upsert (MtLibrary *lib, sqlite3_stmt *insert, sqlite3_stmt *select, const char *key, gboolean *added)
{
  int rc = sqlite3_step (insert);
  sqlite3_reset (insert);
  if (rc != SQLITE_DONE)
    return -1;
  *added = sqlite3_changes (lib->db) > 0;
  sqlite3_bind_text (select, 1, key, -1, SQLITE_TRANSIENT);
  gint64 id = -1;
  if (sqlite3_step (select) == SQLITE_ROW)
    id = sqlite3_column_int64 (select, 0);
  sqlite3_reset (select);
  return id;
}

typedef struct
{
  sqlite3_stmt *ins_patient, *sel_patient, *ins_study, *sel_study, *ins_series, *sel_series, *ins_instance,
               *set_thumb;
} Statements;

static void
finalize_all (Statements *s)
{
  sqlite3_stmt **all = (sqlite3_stmt **) s;
  for (gsize i = 0; i < sizeof *s / sizeof (sqlite3_stmt *); i++)
    sqlite3_finalize (all[i]);
}

static gboolean
prepare_all (MtLibrary *lib, Statements *s, GError **error)
{
  const char *sql[] = {
    "INSERT OR IGNORE INTO patients (match_key, patient_id, issuer, name, birth_date, sex) VALUES (?,?,?,?,?,?)",
    "SELECT id FROM patients WHERE match_key = ?",
    "INSERT OR IGNORE INTO studies (patient, study_uid, study_date, study_time, accession, description, institution) "
    "VALUES (?,?,?,?,?,?,?)",
    "SELECT id FROM studies WHERE study_uid = ?",
    "INSERT OR IGNORE INTO series (study, series_uid, number, modality, description, body_part) VALUES (?,?,?,?,?,?)",
    "SELECT id FROM series WHERE series_uid = ?",
    "INSERT OR IGNORE INTO instances (series, sop_uid, path, number) VALUES (?,?,?,?)",
    "UPDATE series SET thumbnail = ?, thumbnail_width = ?, thumbnail_height = ? WHERE id = ? AND thumbnail IS NULL",
  };
  sqlite3_stmt **all = (sqlite3_stmt **) s;
  memset (s, 0, sizeof *s);
  for (gsize i = 0; i < G_N_ELEMENTS (sql); i++)
    if (sqlite3_prepare_v2 (lib->db, sql[i], -1, &all[i], NULL) != SQLITE_OK)
      {
        db_error (lib, error);
        finalize_all (s);
        return FALSE;
      }
  return TRUE;
}

/* Patients are the same when issuer and PatientID agree; without an ID, when
 * name and birth date do. */
static char *
patient_key (const MtDicomSlice *h)
{
  if (h->patient_id && *h->patient_id)
    return g_strdup_printf ("id:%s|%s", h->issuer_of_patient_id ? h->issuer_of_patient_id : "", h->patient_id);
  return g_strdup_printf ("name:%s|%s", h->patient_name ? h->patient_name : "",
                          h->patient_birth_date ? h->patient_birth_date : "");
}

static int
compare_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

/* An image of a series, shrunk to fit THUMB x THUMB and windowed on its own
 * range (the middle frame of a multi-frame file). */
static gboolean
make_thumbnail (const MtDicomSlice *h, guint8 *out, int *tw, int *th)
{
  MtDicomSlice one = *h;
  one.frames = h->frame_index >= 0 ? h->file_frames : h->frames;
  gsize plane = (gsize) h->rows * h->columns, n = plane * one.frames;
  if (n == 0 || n > (gsize) 64 << 20)
    return FALSE;
  g_autofree float *values = g_try_malloc (n * sizeof (float));
  if (values == NULL)
    return FALSE;
  if (h->samples_per_pixel == 3)
    {
      /* Colour: its luminance. */
      g_autofree guint8 *rgb = g_try_malloc (n * 3);
      if (rgb == NULL || !mt_dicom_read_rgb (&one, rgb, n, NULL))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        values[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
    }
  else if (!mt_dicom_read_pixels (&one, values, n, NULL))
    return FALSE;
  const float *img = values + plane * (gsize) (one.frames / 2);
  double aspect = (double) h->columns / h->rows;
  *tw = aspect >= 1 ? THUMB : MAX (1, (int) lround (THUMB * aspect));
  *th = aspect >= 1 ? MAX (1, (int) lround (THUMB / aspect)) : THUMB;
  g_autofree float *small = g_new (float, *tw * *th);
  for (int y = 0; y < *th; y++)
    for (int x = 0; x < *tw; x++)
      small[y * *tw + x] = img[(gsize) (y * h->rows / *th) * h->columns + (gsize) (x * h->columns / *tw)];
  /* Windowed on the 1st to 99th percentile: contrast and metal do not
   * leave the rest of the picture black. */
  int m = *tw * *th;
  g_autofree float *sorted = g_memdup2 (small, sizeof (float) * m);
  qsort (sorted, m, sizeof (float), compare_float);
  float lo = sorted[m / 100], hi = sorted[m - 1 - m / 100];
  if (hi <= lo)
    hi = lo + 1;
  for (int i = 0; i < m; i++)
    out[i] = (guint8) CLAMP ((small[i] - lo) / (hi - lo) * 255.0f + 0.5f, 0.0f, 255.0f);
  return TRUE;
}

static char *
uid_or_path (const char *uid, const char *path)
{
  return uid && *uid ? g_strdup (uid) : g_strconcat ("path:", path, NULL);
}

gboolean
mt_library_import (MtLibrary          *lib,
                   const char * const *paths,
                   MtImportStats      *stats,
                   MtProgress         *progress,
                   GCancellable       *cancellable,
                   GError            **error)
{
  MtImportStats local = { 0 };
  if (stats == NULL)
    stats = &local;
  memset (stats, 0, sizeof *stats);

  MtScanReport report;
  g_autoptr (GPtrArray) headers = mt_series_read_headers (paths, progress, cancellable, &report, error);
  if (headers == NULL)
    return FALSE;
  stats->files = report.n_files;
  stats->skipped = report.n_skipped;
  mt_scan_report_clear (&report);

  Statements st;
  if (!prepare_all (lib, &st, error))
    return FALSE;
  mt_progress_set_stage (progress, 0.15, 0.95, N_("Adding to the patient library"));
  g_autoptr (GHashTable) new_series = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean ok = TRUE, in_tx = FALSE;
  for (guint i = 0; ok && i < headers->len; i++)
    {
      if (!in_tx)
        {
          if (!(ok = exec (lib, "BEGIN IMMEDIATE", error)))
            break;
          in_tx = TRUE;
        }
      const MtDicomSlice *h = headers->pdata[i];
      gboolean added = FALSE;
      g_autofree char *pkey = patient_key (h);
      sqlite3_bind_text (st.ins_patient, 1, pkey, -1, SQLITE_TRANSIENT);
      bind_text (st.ins_patient, 2, h->patient_id);
      bind_text (st.ins_patient, 3, h->issuer_of_patient_id);
      bind_text (st.ins_patient, 4, h->patient_name);
      bind_text (st.ins_patient, 5, h->patient_birth_date);
      bind_text (st.ins_patient, 6, h->patient_sex);
      gint64 patient = upsert (lib, st.ins_patient, st.sel_patient, pkey, &added);
      stats->patients_added += added;

      /* Files without the identifying UIDs still get a place of their own. */
      g_autofree char *study_uid = uid_or_path (h->study_uid, h->path);
      g_autofree char *series_uid = uid_or_path (h->series_uid, h->path);
      g_autofree char *sop_uid = uid_or_path (h->sop_instance_uid, h->path);

      sqlite3_bind_int64 (st.ins_study, 1, patient);
      sqlite3_bind_text (st.ins_study, 2, study_uid, -1, SQLITE_TRANSIENT);
      bind_text (st.ins_study, 3, h->study_date);
      bind_text (st.ins_study, 4, h->study_time);
      bind_text (st.ins_study, 5, h->accession_number);
      bind_text (st.ins_study, 6, h->study_description);
      bind_text (st.ins_study, 7, h->institution);
      gint64 study = upsert (lib, st.ins_study, st.sel_study, study_uid, &added);
      stats->studies_added += added;

      sqlite3_bind_int64 (st.ins_series, 1, study);
      sqlite3_bind_text (st.ins_series, 2, series_uid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (st.ins_series, 3, h->series_number);
      bind_text (st.ins_series, 4, h->modality);
      bind_text (st.ins_series, 5, h->series_description);
      bind_text (st.ins_series, 6, h->body_part);
      gint64 series = upsert (lib, st.ins_series, st.sel_series, series_uid, &added);
      stats->series_added += added;
      if (patient < 0 || study < 0 || series < 0)
        {
          ok = db_error (lib, error);
          break;
        }
      if (added)
        {
          gint64 *key = g_new (gint64, 1);
          *key = series;
          g_hash_table_insert (new_series, key, (gpointer) h);
        }

      sqlite3_bind_int64 (st.ins_instance, 1, series);
      sqlite3_bind_text (st.ins_instance, 2, sop_uid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (st.ins_instance, 3, h->path, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (st.ins_instance, 4, h->instance_number);
      int rc = sqlite3_step (st.ins_instance);
      sqlite3_reset (st.ins_instance);
      if (rc != SQLITE_DONE)
        {
          ok = db_error (lib, error);
          break;
        }
      if (sqlite3_changes (lib->db) > 0)
        stats->instances_added++;
      else
        stats->instances_known++;

      if ((i + 1) % BATCH == 0 || i + 1 == headers->len)
        {
          if (!(ok = exec (lib, "COMMIT", error)))
            break;
          in_tx = FALSE;
          mt_progress_update (progress, (double) (i + 1) / headers->len);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            ok = FALSE;
        }
    }
  if (in_tx)
    exec (lib, ok ? "COMMIT" : "ROLLBACK", NULL);

  /* A thumbnail for each new series, from one of its images. */
  if (ok)
    {
      mt_progress_set_stage (progress, 0.95, 1.0, N_("Making thumbnails"));
      GHashTableIter it;
      gpointer key, value;
      g_hash_table_iter_init (&it, new_series);
      exec (lib, "BEGIN", NULL);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          guint8 pixels[THUMB * THUMB];
          int tw, th;
          if (!make_thumbnail (value, pixels, &tw, &th))
            continue;
          sqlite3_bind_blob (st.set_thumb, 1, pixels, tw * th, SQLITE_TRANSIENT);
          sqlite3_bind_int (st.set_thumb, 2, tw);
          sqlite3_bind_int (st.set_thumb, 3, th);
          sqlite3_bind_int64 (st.set_thumb, 4, *(gint64 *) key);
          sqlite3_step (st.set_thumb);
          sqlite3_reset (st.set_thumb);
        }
      exec (lib, "COMMIT", NULL);
    }
  finalize_all (&st);
  return ok;
}

static char *
column_text (sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text (st, i);
  return t ? g_strdup ((const char *) t) : NULL;
}

GPtrArray *
mt_library_search (MtLibrary  *lib,
                   const char *query,
                   GError    **error)
{
  g_auto (GStrv) words = g_str_tokenize_and_fold (query ? query : "", NULL, NULL);
  GString *sql = g_string_new (
    "SELECT se.id, p.name, p.patient_id, p.birth_date, p.sex, st.study_uid, st.study_date, st.description, "
    "st.accession, st.institution, se.series_uid, se.number, se.modality, se.description, se.body_part, "
    "(SELECT COUNT(*) FROM instances i WHERE i.series = se.id), se.thumbnail, se.thumbnail_width, "
    "se.thumbnail_height "
    "FROM series se JOIN studies st ON se.study = st.id JOIN patients p ON st.patient = p.id WHERE 1");
  /* Every word must appear in one of the fields people search by. */
  for (guint w = 0; words[w]; w++)
    g_string_append (sql, " AND lower(coalesce(p.name,'') || ' ' || coalesce(p.patient_id,'') || ' ' || "
                          "coalesce(p.birth_date,'') || ' ' || coalesce(p.sex,'') || ' ' || "
                          "coalesce(st.study_date,'') || ' ' || coalesce(st.description,'') || ' ' || "
                          "coalesce(st.accession,'') || ' ' || coalesce(st.institution,'') || ' ' || "
                          "coalesce(se.modality,'') || ' ' || coalesce(se.description,'') || ' ' || "
                          "coalesce(se.body_part,'')) LIKE ?");
  g_string_append (sql, " ORDER BY st.study_date DESC, p.name, se.number");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (lib->db, sql->str, -1, &st, NULL) != SQLITE_OK)
    {
      g_string_free (sql, TRUE);
      db_error (lib, error);
      return NULL;
    }
  g_string_free (sql, TRUE);
  for (guint w = 0; words[w]; w++)
    {
      g_autofree char *like = g_strdup_printf ("%%%s%%", words[w]);
      sqlite3_bind_text (st, (int) w + 1, like, -1, SQLITE_TRANSIENT);
    }
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_library_entry_free);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      MtLibraryEntry *e = g_new0 (MtLibraryEntry, 1);
      e->series_id = sqlite3_column_int64 (st, 0);
      e->patient_name = column_text (st, 1);
      e->patient_id = column_text (st, 2);
      e->birth_date = column_text (st, 3);
      e->sex = column_text (st, 4);
      e->study_uid = column_text (st, 5);
      e->study_date = column_text (st, 6);
      e->study_description = column_text (st, 7);
      e->accession = column_text (st, 8);
      e->institution = column_text (st, 9);
      e->series_uid = column_text (st, 10);
      e->series_number = sqlite3_column_int (st, 11);
      e->modality = column_text (st, 12);
      e->series_description = column_text (st, 13);
      e->body_part = column_text (st, 14);
      e->n_instances = sqlite3_column_int (st, 15);
      if (sqlite3_column_type (st, 16) == SQLITE_BLOB)
        {
          e->thumbnail = g_bytes_new (sqlite3_column_blob (st, 16), (gsize) sqlite3_column_bytes (st, 16));
          e->thumbnail_width = sqlite3_column_int (st, 17);
          e->thumbnail_height = sqlite3_column_int (st, 18);
        }
      g_ptr_array_add (out, e);
    }
  sqlite3_finalize (st);
  return out;
}

GPtrArray *
mt_library_series_files (MtLibrary *lib,
                         gint64     series_id,
                         GError   **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (lib->db, "SELECT path FROM instances WHERE series = ? ORDER BY number, path", -1, &st,
                          NULL) != SQLITE_OK)
    {
      db_error (lib, error);
      return NULL;
    }
  sqlite3_bind_int64 (st, 1, series_id);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (out, column_text (st, 0));
  sqlite3_finalize (st);
  if (out->len == 0)
    {
      g_ptr_array_unref (out);
      g_set_error (error, MT_LIBRARY_ERROR, MT_LIBRARY_ERROR_NOT_FOUND,
                   _("Series %lld is not in the patient library"), (long long) series_id);
      return NULL;
    }
  g_ptr_array_add (out, NULL);
  return out;
}

void
mt_library_entry_free (MtLibraryEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->patient_name);
  g_free (e->patient_id);
  g_free (e->birth_date);
  g_free (e->sex);
  g_free (e->study_uid);
  g_free (e->study_date);
  g_free (e->study_description);
  g_free (e->accession);
  g_free (e->institution);
  g_free (e->series_uid);
  g_free (e->modality);
  g_free (e->series_description);
  g_free (e->body_part);
  g_clear_pointer (&e->thumbnail, g_bytes_unref);
  g_free (e);
}
