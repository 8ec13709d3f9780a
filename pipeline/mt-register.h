/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_REGISTER_ERROR (mt_register_error_quark ())
typedef enum
{
  MT_REGISTER_ERROR_INPUT,     /* an empty or flat image, nothing to align */
  MT_REGISTER_ERROR_DIVERGED,  /* the images drifted apart */
} MtRegisterError;
GQuark mt_register_error_quark (void);

typedef enum
{
  MT_RESAMPLE_LINEAR,
  MT_RESAMPLE_NEAREST,         /* label maps */
} MtResampleMode;

/* The moving scan on the reference's grid: every reference voxel's centre
 * taken through fixed_to_moving (patient LPS mm, ITK's convention) and
 * sampled there, `outside` where it falls off the moving scan. */
MtVolume    *mt_resample          (const MtVolume     *moving,
                                   const MtVolume     *reference,
                                   const MtTransform  *fixed_to_moving,
                                   MtResampleMode      mode,
                                   float               outside,
                                   GError            **error);

/* The voxels within lo..hi (voxel indices, inclusive, clamped to the
 * grid) as a volume of their own, in the same place in the patient. */
MtVolume    *mt_crop              (const MtVolume     *volume,
                                   const int           lo[3],
                                   const int           hi[3],
                                   GError            **error);
/* The smallest box (voxel indices) that holds every voxel of the mask,
 * grown by margin_mm each way and clamped; FALSE for an empty mask. */
gboolean     mt_mask_box          (const MtVolume     *grid,
                                   const guint8       *mask,
                                   double              margin_mm,
                                   int                 lo[3],
                                   int                 hi[3]);
/* The volume resampled (trilinear, or nearest for label maps) onto a grid
 * of cubic voxels of spacing_mm over the same extent and directions. */
MtVolume    *mt_resample_isotropic (const MtVolume    *volume,
                                    double             spacing_mm,
                                    MtResampleMode     mode,
                                    GError           **error);

typedef struct
{
  int    levels;        /* pyramid levels, coarsest first (each halves the grid) */
  int    samples;       /* fixed-image points the metric visits per level */
  double min_step_mm;   /* the optimiser stops below this step */
  int    max_iterations;
} MtRegisterOptions;

void         mt_register_options_init (MtRegisterOptions *options);

/* Rigid registration (rotation and translation, 6 degrees of freedom) of
 * moving onto fixed by mean squares of intensity (the same modality, CT to
 * CT): a pyramid, started from the images' centres of mass, a regular-step
 * gradient descent at each level. Returns the transform from fixed-image
 * patient coordinates to moving-image ones (ITK's convention, as
 * transformix and 3D Slicer read it); *final_metric (may be NULL) gets the
 * mean square at the finest level. */
MtTransform *mt_register_rigid    (const MtVolume          *fixed,
                                   const MtVolume          *moving,
                                   const MtRegisterOptions *options,
                                   double                  *final_metric,
                                   MtProgress              *progress,
                                   GCancellable            *cancellable,
                                   GError                 **error);

/* Affine registration (12 degrees of freedom: rotation, scaling, shear and
 * shift), the rigid result refined the same way. */
MtTransform *mt_register_affine   (const MtVolume          *fixed,
                                   const MtVolume          *moving,
                                   const MtRegisterOptions *options,
                                   double                  *final_metric,
                                   MtProgress              *progress,
                                   GCancellable            *cancellable,
                                   GError                 **error);

G_END_DECLS
