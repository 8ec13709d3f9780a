/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-reslice.h"
#include "mt-types.h"

G_BEGIN_DECLS

/* Measurements on the slice views, in patient millimetres. Points come as
 * continuous slice coordinates (u, v in pixels, 0..width from the left edge
 * of the image) so a click between voxel centres keeps its precision. */

void     mt_slice_point_to_patient (const MtVolume      *volume,
                                    const MtSliceLayout *layout,
                                    int                  slice,
                                    double               u,
                                    double               v,
                                    double               lps[3]);
double   mt_measure_distance       (const double         a[3],
                                    const double         b[3]);
/* The angle at vertex between the rays to a and b, in degrees. */
double   mt_measure_angle          (const double         a[3],
                                    const double         vertex[3],
                                    const double         b[3]);

/* A region's figures (see MtMeasurement). */
typedef struct
{
  double mean, sd, min, max;
  double area_mm2;      /* of the shape itself, not of the voxels counted */
  gsize  n_voxels;
} MtRoiStats;

/* A scale bar for a view drawn at px_per_mm: the longest 1, 2 or 5 x 10^k mm
 * that fits in max_px. Returns the length in mm and its length in pixels in
 * *px, or 0 when not even a micrometre-scale bar fits (or the scale is not
 * known). */
double   mt_scale_bar_length       (double               px_per_mm,
                                    double               max_px,
                                    double              *px);

G_END_DECLS
