/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_LIBRARY_ERROR (mt_library_error_quark ())
typedef enum
{
  MT_LIBRARY_ERROR_OPEN,
  MT_LIBRARY_ERROR_DATABASE,
  MT_LIBRARY_ERROR_NOT_FOUND,
} MtLibraryError;
GQuark mt_library_error_quark (void);

/* The patient library: an SQLite index of patients, studies, series and
 * instances (files stay where they are). Use one from one thread at a time. */
typedef struct _MtLibrary MtLibrary;

typedef struct
{
  guint files;             /* files looked at */
  guint skipped;           /* not DICOM images */
  guint instances_added;
  guint instances_known;   /* already in the library: not stored twice */
  guint series_added;
  guint studies_added;
  guint patients_added;
} MtImportStats;

/* One series as the library knows it. */
typedef struct
{
  gint64  series_id;
  char   *patient_name;
  char   *patient_id;
  char   *birth_date;
  char   *sex;
  char   *study_uid;
  char   *study_date;
  char   *study_description;
  char   *accession;
  char   *institution;
  char   *series_uid;
  int     series_number;
  char   *modality;
  char   *series_description;
  char   *body_part;
  int     n_instances;
  /* A greyscale thumbnail of the middle image, row by row (may be NULL). */
  GBytes *thumbnail;
  int     thumbnail_width;
  int     thumbnail_height;
} MtLibraryEntry;

/* The library of this user: $MEDTWIN_LIBRARY, or library.db in the user data
 * folder. */
char       *mt_library_default_path  (void);
MtLibrary  *mt_library_open          (const char         *path,
                                      GError            **error);
void        mt_library_close         (MtLibrary          *library);
gboolean    mt_library_import        (MtLibrary          *library,
                                      const char * const *paths,
                                      MtImportStats      *stats,
                                      MtProgress         *progress,
                                      GCancellable       *cancellable,
                                      GError            **error);
/* Series whose patient, study or series fields contain every word of
 * query (case-insensitive); NULL or "" lists all. Newest study first. */
GPtrArray  *mt_library_search        (MtLibrary          *library,
                                      const char         *query,
                                      GError            **error);
/* The files of one series, for opening it. */
GPtrArray  *mt_library_series_files  (MtLibrary          *library,
                                      gint64              series_id,
                                      GError            **error);
void        mt_library_entry_free    (MtLibraryEntry     *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtLibrary, mt_library_close)

G_END_DECLS
