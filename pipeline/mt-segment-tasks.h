/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-segmentation.h"
#include "mt-types.h"

G_BEGIN_DECLS

#define MT_SEGMENT_ERROR (mt_segment_error_quark ())
typedef enum
{
  MT_SEGMENT_ERROR_TASK,       /* a task name that is not known or not available yet */
  MT_SEGMENT_ERROR_NOT_CT,     /* the automatic tasks need HU */
  MT_SEGMENT_ERROR_NOTHING,    /* no patient found in the scan */
} MtSegmentError;
GQuark mt_segment_error_quark (void);

/* The patient's body (everything inside the skin, lungs and bowel gas
 * included) and the couch under it, as masks on the CT's grid, sharing no
 * voxel. Air is below -500 HU; the body is the largest piece of what is
 * denser once a 5 mm opening has cut it from the couch and clothes, given
 * back its skin and filled slice by slice; the couch is what dense remains
 * behind the body, in pieces of at least 2 mL, closed over the foam its
 * shell encloses. */
gboolean mt_segment_body_couch   (const MtVolume     *ct,
                                  guint8            **body,
                                  guint8            **couch,
                                  MtProgress         *progress,
                                  GCancellable       *cancellable,
                                  GError            **error);
/* The lungs, left and right (air below -400 HU inside the body, without
 * the airways and their walls, the two largest pieces of 100 mL or more,
 * vessels and nodules filled in slice by slice), and the airways (pure air
 * grown from the trachea, found in the top slices near the midline). */
gboolean mt_segment_lungs        (const MtVolume     *ct,
                                  const guint8       *body,
                                  guint8            **lung_left,
                                  guint8            **lung_right,
                                  guint8            **airway,
                                  GCancellable       *cancellable,
                                  GError            **error);
/* The skeleton: dense bone (400 HU and up) inside the body, with what is
 * 180 HU and up within 8 mm of it and what it encloses in 3D. */
gboolean mt_segment_skeleton     (const MtVolume     *ct,
                                  const guint8       *body,
                                  guint8            **skeleton,
                                  GCancellable       *cancellable,
                                  GError            **error);
/* The task names this version can run, in order ("body", "couch", "lungs",
 * "airway", "skeleton"). */
const char * const *mt_segment_task_names (void);
/* Runs the named tasks ("all": every one available) into a new
 * segmentation of the CT, with segments named as in the foundation issue;
 * an unknown name is an error that lists the available ones. */
MtSegmentation *mt_segment_run   (const MtVolume     *ct,
                                  const char * const *tasks,
                                  MtProgress         *progress,
                                  GCancellable       *cancellable,
                                  GError            **error);

G_END_DECLS
