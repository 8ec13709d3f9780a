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
  MT_RESAMPLE_CUBIC,           /* cubic B-spline (prefiltered: it passes through the voxels), as ITK's and elastix's */
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
/* The voxel index range inside a box in patient mm (x0, x1, y0, y1, z0,
 * z1), clamped to the grid; FALSE when the box does not meet the scan. */
gboolean     mt_box_to_index_range (const MtVolume    *volume,
                                    const double       box[6],
                                    int                lo[3],
                                    int                hi[3]);
/* The same voxels with the index axes permuted and flipped so that they
 * point as the code says (three letters: the first axis towards R or L,
 * and so on: "RAS", "LPS"), each to the nearest of the scan's axes. Exact:
 * no voxel is interpolated. */
MtVolume    *mt_reorient          (const MtVolume     *volume,
                                   const char         *code,
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
  int    finest_level;  /* stop after this pyramid level (0: the full grid) */
  /* Deformable only: the B-spline control points' spacing (mm) and how
   * strongly bending is held back (0: not at all; 1: a millimetre of
   * curvature weighs as much as the mismatch the level starts from). */
  double grid_mm;
  double regularisation;
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

/* A cubic B-spline displacement over the fixed image, as ITK's
 * BSplineTransform holds it: x goes to x + u(x), u a weighted sum of the
 * 4 x 4 x 4 control points around x; zero outside the grid. */
typedef struct
{
  int     size[3];       /* control points per axis */
  double  origin[3];     /* the first control point, patient LPS mm */
  double  spacing[3];    /* mm between control points */
  double  direction[9];  /* the grid's axes, the fixed image's */
  double *coefficients;  /* every point's x, then every y, then every z (mm) */
} MtBSpline;

/* A grid of control points every spacing_mm over the fixed image's extent
 * (voxel edge to voxel edge), all displacements zero. */
MtBSpline   *mt_bspline_new_for   (const MtVolume *fixed,
                                   double          spacing_mm);
void         mt_bspline_free      (MtBSpline      *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtBSpline, mt_bspline_free)
gsize        mt_bspline_n_points  (const MtBSpline *b);
/* u(x), patient mm; FALSE (and zero) outside the grid's valid region. */
gboolean     mt_bspline_displacement (const MtBSpline *b,
                                      const double     x[3],
                                      double           u[3]);

/* Deformable registration: the affine one first, then a B-spline free-form
 * deformation on top, by mean squares (the same modality) with a bending
 * penalty, L-BFGS over the pyramid. Fixed point x goes to
 * affine (x + u(x)) in the moving image, ITK's composite of the two.
 * Returns the B-spline and the affine in *affine. */
MtBSpline   *mt_register_deformable (const MtVolume          *fixed,
                                     const MtVolume          *moving,
                                     const MtRegisterOptions *options,
                                     MtTransform            **affine,
                                     double                  *final_metric,
                                     MtProgress              *progress,
                                     GCancellable            *cancellable,
                                     GError                 **error);
/* fixed point x to the moving image: affine (x + u(x)) (bspline may be NULL). */
void         mt_deformable_apply  (const MtTransform *affine,
                                   const MtBSpline   *bspline,
                                   const double       x[3],
                                   double             y[3]);
/* The pair as an ITK composite transform file: CompositeTransform_double_3_3
 * of the affine and the BSplineTransform_double_3_3 (ITK applies the last
 * first: the B-spline, then the affine), as ITK, 3D Slicer and ANTs read it. */
gboolean     mt_deformable_write_itk (const MtTransform *affine,
                                      const MtBSpline   *bspline,
                                      const char        *path,
                                      GError           **error);
/* An ITK text transform file: an affine one, a B-spline one, or a
 * composite of an affine and a B-spline (as mt_deformable_write_itk
 * writes). *bspline is NULL for an affine file; *affine the identity for a
 * B-spline alone. */
gboolean     mt_deformable_read_itk  (const char        *path,
                                      MtTransform      **affine,
                                      MtBSpline        **bspline,
                                      GError           **error);
/* The whole mapping as a displacement field on grid's voxels: y - x for
 * every voxel centre x, LPS mm, three floats per voxel. */
float       *mt_deformable_field  (const MtTransform *affine,
                                   const MtBSpline   *bspline,
                                   const MtVolume    *grid);
/* mt_resample through affine (x + u(x)). */
MtVolume    *mt_resample_deformable (const MtVolume    *moving,
                                     const MtVolume    *reference,
                                     const MtTransform *affine,
                                     const MtBSpline   *bspline,
                                     MtResampleMode     mode,
                                     float              outside,
                                     GError           **error);

typedef enum
{
  MT_LANDMARKS_RIGID,        /* rotation and shift */
  MT_LANDMARKS_SIMILARITY,   /* and one scale */
  MT_LANDMARKS_AFFINE,       /* any matrix (4 points or more, not in one plane) */
} MtLandmarkModel;

/* Landmark registration in closed form: n pairs of points (fixed[3 i..],
 * moving[3 i..], patient mm), the transform from fixed to moving
 * coordinates (ITK's convention) that fits them best in least squares:
 * Horn's quaternion method for rigid and similarity, linear least squares
 * for affine. */
MtTransform *mt_register_landmarks (const double     *fixed,
                                    const double     *moving,
                                    int               n,
                                    MtLandmarkModel   model,
                                    GError          **error);

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
 * squares for two CTs (the same Hounsfield scale; without a recorded
 * modality, two scans whose air sits near -1000), Mattes MI otherwise;
 * and the start: patient coordinates as they are when both share a
 * frame of reference, the centres of mass otherwise. */
MtRegisterMetric mt_register_default_metric (const MtVolume *fixed,
                                             const MtVolume *moving);
MtRegisterInit   mt_register_default_init   (const MtVolume *fixed,
                                             const MtVolume *moving);

G_END_DECLS
