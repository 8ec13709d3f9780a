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

typedef enum
{
  MT_METRIC_MEAN_SQUARES,     /* the same modality (CT to CT): Levenberg-Marquardt */
  MT_METRIC_MATTES_MI,        /* Mattes mutual information, any two modalities */
  MT_METRIC_NCC,              /* normalised cross-correlation */
} MtRegisterMetric;

typedef enum
{
  MT_REGISTER_INIT_MOMENTS,   /* the images' centres of mass laid on each other */
  MT_REGISTER_INIT_GEOMETRY,  /* the grids' geometric centres laid on each other */
  MT_REGISTER_INIT_PATIENT,   /* patient coordinates as they are (one frame of reference) */
} MtRegisterInit;

typedef struct
{
  MtRegisterMetric metric;
  MtRegisterInit   init;
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

/* The metric between fixed and moving taken through fixed_to_moving, as
 * a registration would see it at full resolution: the mean square, Mattes
 * mutual information (nats) or the correlation coefficient; NaN when the
 * images do not overlap. */
double       mt_register_measure  (const MtVolume          *fixed,
                                   const MtVolume          *moving,
                                   const MtTransform       *fixed_to_moving,
                                   MtRegisterMetric         metric,
                                   int                      samples);

/* The metric a registration of these two scans uses when not told: mean
 * squares for two CTs (the same Hounsfield scale), Mattes MI otherwise;
 * and the start: patient coordinates as they are when both share a
 * frame of reference, the centres of mass otherwise. */
MtRegisterMetric mt_register_default_metric (const MtVolume *fixed,
                                             const MtVolume *moving);
MtRegisterInit   mt_register_default_init   (const MtVolume *fixed,
                                             const MtVolume *moving);

G_END_DECLS
