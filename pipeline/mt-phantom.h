/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_PHANTOM_ERROR (mt_phantom_error_quark ())
typedef enum
{
  MT_PHANTOM_ERROR_IO,
} MtPhantomError;
GQuark mt_phantom_error_quark (void);

/* Label values of the ground truth; names as in truth/labels.json. */
typedef enum
{
  MT_LABEL_NONE = 0,
  MT_LABEL_BODY,
  MT_LABEL_COUCH,
  MT_LABEL_LUNG_LEFT,
  MT_LABEL_LUNG_RIGHT,
  MT_LABEL_AIRWAY,
  MT_LABEL_HEART,
  MT_LABEL_AORTA,
  MT_LABEL_SKELETON,
  MT_LABEL_LIVER,
  MT_LABEL_KIDNEY_LEFT,
  MT_LABEL_KIDNEY_RIGHT,
  MT_LABEL_NODULE,
  MT_LABEL_FLUID,
  MT_LABEL_COUNT,
} MtLabel;

const char *mt_label_name (MtLabel label);
/* Every label's value to its name (a new table; the names are static). */
GHashTable *mt_phantom_label_names (void);

/* One generated scan: CT in HU (as stored: whole numbers from -1024) and its
 * ground-truth labels on the same grid. */
struct _MtPhantom
{
  MtVolume *ct;
  MtVolume *labels;
};

/* The baseline scan, or the follow-up: the patient moved by the transform
 * mt_phantom_followup_transform() gives, and the nodule larger. */
MtPhantom   *mt_phantom_generate            (guint32       seed,
                                             gboolean      followup,
                                             MtProgress   *progress,
                                             GCancellable *cancellable,
                                             GError      **error);
/* Baseline patient coordinates to follow-up patient coordinates (LPS mm). */
MtTransform *mt_phantom_followup_transform  (void);
/* The whole demo patient on disk, in the layout of the README. */
gboolean     mt_phantom_write               (const char   *out_dir,
                                             guint32       seed,
                                             MtProgress   *progress,
                                             GCancellable *cancellable,
                                             GError      **error);
void         mt_phantom_free                (MtPhantom    *phantom);
/* The organs' surfaces from the truth labels (GPtrArray of MtSurface):
 * heart, aorta, nodule and kidneys opaque, liver and lungs see-through. */
GPtrArray   *mt_phantom_surfaces            (const MtVolume *labels,
                                             GCancellable   *cancellable,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtPhantom, mt_phantom_free)

G_END_DECLS
