/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_TRANSFORM_ERROR (mt_transform_error_quark ())
typedef enum
{
  MT_TRANSFORM_ERROR_IO,
  MT_TRANSFORM_ERROR_PARSE,
  MT_TRANSFORM_ERROR_SINGULAR,
} MtTransformError;
GQuark mt_transform_error_quark (void);

/* y = matrix * (x - center) + center + translation, in patient LPS mm: the
 * parameterisation of ITK's MatrixOffsetTransformBase, so files round-trip. */
struct _MtTransform
{
  double matrix[9];      /* row-major */
  double translation[3];
  double center[3];
};

MtTransform *mt_transform_new_identity (void);
/* Rotation about x, then y, then z (radians), about `center`, then translation. */
MtTransform *mt_transform_new_rigid    (const double  angles[3],
                                        const double  translation[3],
                                        const double  center[3]);
MtTransform *mt_transform_invert       (const MtTransform *t,
                                        GError           **error);
/* then after first: x to then (first (x)). */
MtTransform *mt_transform_compose      (const MtTransform *first,
                                        const MtTransform *then);
/* Where the transform between two scans (each named by its study key:
 * series UID or file) is kept with the study: MEDTWIN_TRANSFORMS or the
 * user data folder; NULL when MEDTWIN_TRANSFORMS is empty (kept nowhere). */
char        *mt_transform_store_path   (const char        *fixed_key,
                                        const char        *moving_key);
void         mt_transform_apply        (const MtTransform *t,
                                        const double       in[3],
                                        double             out[3]);
gboolean     mt_transform_write_itk    (const MtTransform *t,
                                        const char        *path,
                                        GError           **error);
MtTransform *mt_transform_read_itk     (const char        *path,
                                        GError           **error);
void         mt_transform_free         (MtTransform       *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtTransform, mt_transform_free)

G_END_DECLS
