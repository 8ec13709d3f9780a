/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_SERIES_ERROR (mt_series_error_quark ())
typedef enum
{
  MT_SERIES_ERROR_NO_IMAGES,
  MT_SERIES_ERROR_GEOMETRY,
  MT_SERIES_ERROR_CANCELLED,
  MT_SERIES_ERROR_TOO_LARGE,
} MtSeriesError;
GQuark mt_series_error_quark (void);

/* One stack of images that make one volume: the same series, matrix size and
 * orientation, sorted along the slice normal. */
struct _MtSeries
{
  char      *series_uid;
  char      *description;
  char      *modality;
  GPtrArray *slices;        /* MtDicomSlice*, sorted by position along the normal */
  double     normal[3];
  guint      n_skipped;     /* files in the scan that were not usable images */
};

/* What a header scan met besides images. */
typedef struct
{
  guint n_files;          /* files looked at */
  guint n_skipped;        /* of them, not usable DICOM images */
  char *first_problem;    /* why the first of those was skipped */
} MtScanReport;

void       mt_scan_report_clear   (MtScanReport       *report);
/* The headers (parsing stops before the pixel data) of every usable DICOM
 * image under the given paths (folders are walked recursively), read on all
 * cores; the rest is counted in the report. Fails only when a path does not
 * exist or the scan was cancelled. */
GPtrArray *mt_series_read_headers (const char * const *paths,
                                   MtProgress         *progress,
                                   GCancellable       *cancellable,
                                   MtScanReport       *report,
                                   GError            **error);
/* Groups headers into stacks (MtSeries*), largest first; takes the headers
 * out of the array. */
GPtrArray *mt_series_group        (GPtrArray          *headers);
/* Reads the headers of every file under the given paths (folders are walked
 * recursively) and returns the stacks found, largest first (MtSeries*).
 * Files that are not DICOM images are skipped; if none is left the error
 * names the first failure. */
GPtrArray *mt_series_scan         (const char * const *paths,
                                   MtProgress         *progress,
                                   GCancellable       *cancellable,
                                   GError            **error);
/* Decodes a stack into a volume on its patient geometry. */
MtVolume  *mt_series_load         (MtSeries           *series,
                                   MtProgress         *progress,
                                   GCancellable       *cancellable,
                                   GError            **error);
/* TRUE for a single-volume file (NIfTI or NRRD, by its name). */
gboolean   mt_series_is_volume_file (const char        *path);
/* Scan + load of the largest stack among the files under these paths; a
 * single .nii, .nii.gz, .nrrd or .nhdr file is read as what it is. */
MtVolume  *mt_series_read_volume_paths (const char * const *paths,
                                        MtProgress         *progress,
                                        GCancellable       *cancellable,
                                        GError            **error);
/* Scan + load of the largest stack under path. */
MtVolume  *mt_series_read_volume  (const char         *path,
                                   MtProgress         *progress,
                                   GCancellable       *cancellable,
                                   GError            **error);
void       mt_series_free         (MtSeries           *series);
/* Bytes a volume may take: MEDTWIN_MEMORY_BUDGET_MB when set, otherwise half
 * of the physical memory. */
guint64    mt_series_memory_budget (void);
/* Bytes loading this stack will need at most, from its headers alone. */
guint64    mt_series_memory_needed (const MtSeries   *series);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtSeries, mt_series_free)

G_END_DECLS
