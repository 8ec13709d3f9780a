/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

/* The three standard planes, always shown the way radiologists read them:
 * axial from the feet (patient left on screen right, anterior up), coronal
 * from the front (left on the right, head up), sagittal from the patient's
 * left (anterior on the left, head up). */
typedef enum
{
  MT_VIEW_AXIAL,
  MT_VIEW_CORONAL,
  MT_VIEW_SAGITTAL,
} MtViewAxis;

/* How one view walks the volume: the volume axis and direction that runs
 * screen-right, screen-down, and through the slices. */
typedef struct
{
  int axis_right, axis_down, axis_normal;
  gboolean flip_right, flip_down;
  int width, height, n_slices;
  double pixel_w, pixel_h;         /* mm */
} MtSliceLayout;

void   mt_slice_layout_init   (MtSliceLayout      *layout,
                               const MtVolume     *volume,
                               MtViewAxis          view);
/* Volume index of screen pixel (u, v) on slice `slice`. */
void   mt_slice_layout_voxel  (const MtSliceLayout *layout,
                               int                  u,
                               int                  v,
                               int                  slice,
                               int                  ijk[3]);
/* The inverse: where voxel ijk falls on the screen (u, v) and which slice it is on. */
void   mt_slice_layout_pixel  (const MtSliceLayout *layout,
                               const int            ijk[3],
                               int                 *u,
                               int                 *v,
                               int                 *slice);
/* The slice's values, row 0 at the top of the screen; width*height floats. */
float *mt_slice_extract       (const MtVolume      *volume,
                               const MtSliceLayout *layout,
                               int                  slice);
typedef enum
{
  MT_SLAB_NONE,
  MT_SLAB_MIP,      /* brightest along the slab: vessels, nodules */
  MT_SLAB_MINIP,    /* darkest: airways */
  MT_SLAB_MEAN,     /* average: a thick slice with less noise */
} MtSlabMode;

/* A thick slab: `half` slices on either side of `slice` (clamped to the
 * volume) combined by mode; width*height floats, row 0 at the top. */
float  *mt_slice_extract_slab (const MtVolume      *volume,
                               const MtSliceLayout *layout,
                               int                  slice,
                               int                  half,
                               MtSlabMode           mode);
/* The same for a colour volume: width*height*3 bytes of RGB. */
guint8 *mt_slice_extract_rgb  (const MtVolume      *volume,
                               const MtSliceLayout *layout,
                               int                  slice);
/* An oblique plane: one of the standard views turned about a patient axis,
 * as when the crosshair lines are rotated in another view. right and down
 * are unit vectors in patient space (LPS), screen-right and screen-down. */
typedef struct
{
  double center[3];
  double right[3];
  double down[3];
} MtObliquePlane;

/* The standard view through center, turned by degrees about patient axis
 * rot_axis (0: L, 1: P, 2: S; positive: counter-clockwise looking from the
 * axis' positive end towards the patient). */
void   mt_oblique_plane_init  (MtObliquePlane      *plane,
                               MtViewAxis           view,
                               const double         center[3],
                               int                  rot_axis,
                               double               degrees);
/* Turns the plane about a unit patient-space axis through its centre
 * (right-handed: positive turns right towards down when the axis points
 * into the screen). */
void   mt_oblique_plane_turn  (MtObliquePlane      *plane,
                               const double         axis[3],
                               double               degrees);
/* The plane a standard view shows, through center, along the volume's own
 * axes. */
void   mt_slice_layout_plane  (const MtSliceLayout *layout,
                               const MtVolume      *volume,
                               const double         center[3],
                               MtObliquePlane      *plane);
/* The patient point of image position (u, v) in pixels (0..width from the
 * left edge; the plane's centre is the image centre). */
void   mt_oblique_point       (const MtObliquePlane *plane,
                               double               pixel_mm,
                               int                  width,
                               int                  height,
                               double               u,
                               double               v,
                               double               lps[3]);
/* The plane resampled (trilinear) on a width x height grid of pixel_mm
 * pixels, row 0 at the top; `outside` where it leaves the volume. */
float *mt_oblique_extract     (const MtVolume      *volume,
                               const MtObliquePlane *plane,
                               double               pixel_mm,
                               int                  width,
                               int                  height,
                               float                outside);
/* The same through a thick slab of thickness_mm centred on the plane. */
float *mt_oblique_extract_slab (const MtVolume      *volume,
                                const MtObliquePlane *plane,
                                double               pixel_mm,
                                int                  width,
                                int                  height,
                                float                outside,
                                MtSlabMode           mode,
                                double               thickness_mm);
/* The unit normal, pointing into the screen (right x down). */
void   mt_oblique_plane_normal (const MtObliquePlane *plane,
                                double               normal[3]);
/* Moves the plane's centre within the plane to the volume's centre and
 * gives the image size (pixel_mm pixels) that holds the volume's whole
 * cut, however the plane is turned. */
void   mt_oblique_plane_fit   (MtObliquePlane      *plane,
                               const MtVolume      *volume,
                               double               pixel_mm,
                               int                 *width,
                               int                 *height);
/* The inverse of mt_oblique_point: where a patient point falls in the image
 * (its distance from the plane is dropped). */
void   mt_oblique_plane_project (const MtObliquePlane *plane,
                                 double               pixel_mm,
                                 int                  width,
                                 int                  height,
                                 const double         lps[3],
                                 double              *u,
                                 double              *v);
/* Letters for a patient direction, strongest first: "L", "LA", "SPR". */
void   mt_direction_letters   (const double         dir[3],
                               char                 out[4]);
/* A view's name for command lines, files and actions ("axial", "coronal",
 * "sagittal") and back. */
const char *mt_view_axis_name   (MtViewAxis  view);
gboolean    mt_view_axis_lookup (const char *name,
                                 MtViewAxis *view);
/* Screen-edge letters (patient directions) for a view: right, left, top, bottom. */
void   mt_view_orientation_letters (MtViewAxis  view,
                                    const char *letters[4]);

G_END_DECLS
