/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-measure.h"
#include "mt-reslice.h"
#include "mt-types.h"

G_BEGIN_DECLS

#define MT_MEASUREMENT_ERROR (mt_measurement_error_quark ())
typedef enum
{
  MT_MEASUREMENT_ERROR_PARSE,     /* a stored or given list is not what it should be */
  MT_MEASUREMENT_ERROR_EMPTY,     /* a region holds no voxel of the scan */
  MT_MEASUREMENT_ERROR_IO,
} MtMeasurementError;
GQuark mt_measurement_error_quark (void);

typedef enum
{
  MT_MEASUREMENT_DISTANCE,   /* 2 points */
  MT_MEASUREMENT_ANGLE,      /* 3 points: one end, the vertex, the other end */
  MT_MEASUREMENT_ELLIPSE,    /* 2 points: centre and a corner of its box */
  MT_MEASUREMENT_POLYGON,    /* 3 or more points */
  MT_MEASUREMENT_N_KINDS,
} MtMeasurementKind;

/* One measurement drawn on a plane of a scan. Points are patient
 * coordinates (LPS, mm), so it stays put whatever the view's zoom, and is
 * found again when the study is opened again. */
typedef struct
{
  MtMeasurementKind kind;
  MtViewAxis        view;         /* the view it was drawn in */
  MtObliquePlane    plane;        /* and its plane (right, down: its axes) */
  int               n_points;
  double           *points;       /* 3 * n_points */
  /* From mt_measurement_update: mm, degrees, or mm2 for regions. */
  double            value;
  gboolean          has_stats;
  MtRoiStats        stats;
} MtMeasurement;

MtMeasurement *mt_measurement_new         (MtMeasurementKind     kind,
                                           MtViewAxis            view,
                                           const MtObliquePlane *plane,
                                           const double         *points,
                                           int                   n_points);
MtMeasurement *mt_measurement_copy        (const MtMeasurement  *m);
void           mt_measurement_free        (MtMeasurement        *m);
/* Computes the value and, for regions, the statistics of the stored voxel
 * values inside (voxel centres on a standard plane; the nearest voxels of a
 * grid as fine as the finest spacing on an oblique one). FALSE with a
 * message if a region holds no voxel of the scan. */
gboolean       mt_measurement_update      (MtMeasurement        *m,
                                           const MtVolume       *volume,
                                           GError              **error);
/* "42.3 mm", "88.5°", "Area 120.4 mm² · mean 52.1 · SD 8.0 · min 20 · max 80",
 * in the user's language. */
char          *mt_measurement_describe    (const MtMeasurement  *m);
/* The kind as a JSON and command-line name ("distance", ...) and back. */
const char    *mt_measurement_kind_name   (MtMeasurementKind     kind);
gboolean       mt_measurement_kind_lookup (const char           *name,
                                           MtMeasurementKind    *kind);
/* TRUE if the measurement lies on the plane: parallel, and its points within
 * tolerance_mm of it. */
gboolean       mt_measurement_on_plane    (const MtMeasurement  *m,
                                           const MtObliquePlane *plane,
                                           double                tolerance_mm);

/* A list (GPtrArray of MtMeasurement) as JSON, and back. Parsing checks
 * every field and says which measurement is wrong. */
char          *mt_measurements_to_json    (GPtrArray            *list);
GPtrArray     *mt_measurements_from_json  (const char           *json,
                                           gssize                length,
                                           GError              **error);
GPtrArray     *mt_measurements_new_list   (void);

/* The measurements kept with a study (key: its series UID, or the file it
 * came from), in $MEDTWIN_MEASUREMENTS or the user data folder; an empty
 * $MEDTWIN_MEASUREMENTS keeps nothing. Saving replaces the file atomically.
 * A stored file that cannot be read is moved aside (never overwritten) and
 * the error says where it went. */
char          *mt_measurements_path       (const char           *key);
/* A scan's key: its series UID, or "file:" and the file it came from. */
char          *mt_measurements_study_key  (const MtVolume       *volume,
                                           const char           *path);
GPtrArray     *mt_measurements_load       (const char           *key,
                                           GError              **error);
gboolean       mt_measurements_save       (const char           *key,
                                           GPtrArray            *list,
                                           GError              **error);

G_END_DECLS
