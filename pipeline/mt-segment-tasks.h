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
 * 180 HU and up within 8 mm of it and what it encloses in 3D and in each
 * slice, its edge against other tissue half-way between their values. */
gboolean mt_segment_skeleton     (const MtVolume     *ct,
                                  const guint8       *body,
                                  guint8            **skeleton,
                                  GCancellable       *cancellable,
                                  GError            **error);
/* What the organ tasks share: the masks found so far on the CT's grid (NULL
 * when not found yet) and the values measured on the way. */
typedef struct
{
  guint8 *body;          /* inside the skin */
  guint8 *lung_left, *lung_right;
  guint8 *lungs;         /* both lungs and the airways */
  guint8 *bone;          /* bone with the marrow it rings, 2 mm wider */
  guint8 *aorta_chain;   /* the descending aorta's round sections */
  double  aorta_hu;      /* their mean */
  guint8 *kidneys;
  guint8 *liver;
  double  liver_hu;
  guint8 *heart;
} MtOrganContext;

/* Bone (400 HU and up) inside the body with the marrow it encloses in a
 * slice, widened by 2 mm over its blurred rim. */
guint8  *mt_segment_bone_core         (const MtVolume *ct,
                                       const guint8   *body);
/* The descending aorta: the longest stack of round sections of contrast
 * blood (150 HU and up) from slice to slice; sets aorta_chain, aorta_hu. */
gboolean mt_segment_aorta_descending  (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       GError        **error);
/* The enhancing kidneys: bright cortex (140 HU and up) beside the spine
 * and behind the body's centre, closed over medulla and sinus. */
gboolean mt_segment_kidneys           (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **left,
                                       guint8        **right,
                                       GError        **error);
/* The liver: tissue within -35..+60 HU of the value found 20 mm under the
 * right lung's base, opened by 4 mm, the piece under that lung. */
gboolean mt_segment_liver             (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **liver,
                                       GError        **error);
/* The heart: the thickest mass of tissue and blood between the lungs, with
 * its epicardial fat. */
gboolean mt_segment_heart             (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **heart,
                                       GError        **error);
/* The whole aorta: the descending stack, and the arch and ascending aorta
 * grown from its top through blood nearly as bright, stopping at the heart. */
gboolean mt_segment_aorta             (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **aorta,
                                       GError        **error);
/* Fluid collections: 5 mL or more whose local mean lies in -5..20 HU,
 * outside the organs found and the spinal canal. */
gboolean mt_segment_fluid             (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **fluid,
                                       GError        **error);
/* Lung-nodule candidates: solid (above -400 HU) compact lumps in the lungs
 * that a 2.5 mm opening leaves and no longer than a ball of their depth. */
gboolean mt_segment_nodules           (const MtVolume *ct,
                                       MtOrganContext *ctx,
                                       guint8        **nodule,
                                       GError        **error);

/* The task names this version can run, in order ("body", "couch", "lungs",
 * "airway", "skeleton", "liver", "kidneys", "heart", "aorta", "fluid",
 * "nodule"). */
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
