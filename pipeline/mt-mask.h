/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

/* Binary masks on a volume's grid: one byte a voxel, 1 inside, 0 outside,
 * in the volume's voxel order. Connectivity is 6 (faces) throughout, as in
 * ITK's default; distances are in millimetres, so a radius means the same on
 * any spacing. */

/* Voxels whose value lies in [low, high]. */
guint8  *mt_mask_threshold       (const MtVolume  *volume,
                                  double           low,
                                  double           high);
gsize    mt_mask_count           (const guint8    *mask,
                                  gsize            n);
/* Connected threshold: the voxels in [low, high] reached from the seeds
 * (voxel indices) through such voxels. Written into out (cleared first);
 * returns how many. */
gsize    mt_mask_region_grow     (const MtVolume  *volume,
                                  const int       *seeds,
                                  int              n_seeds,
                                  double           low,
                                  double           high,
                                  guint8          *out);
/* Confidence connected: grows from the seed through values within
 * multiplier standard deviations of the mean, the mean and deviation taken
 * first around the seed and then, `iterations` times, over what has grown
 * (as ITK's ConfidenceConnectedImageFilter does). Returns how many. */
gsize    mt_mask_confidence_grow (const MtVolume  *volume,
                                  const int        seed[3],
                                  double           multiplier,
                                  int              iterations,
                                  guint8          *out);
/* Labels every connected piece 1, 2, ... by falling size; sizes[k] is the
 * size of piece k + 1. Returns the number of pieces. */
guint    mt_mask_components      (const guint8    *mask,
                                  const int        dims[3],
                                  guint32         *labels,
                                  GArray          *sizes);
/* Only the largest piece stays. */
void     mt_mask_keep_largest    (guint8          *mask,
                                  const int        dims[3]);
/* Splits a piece that two bodies make, joined by a neck: erodes it by 2,
 * 4, ... up to max_radius_mm until it falls into two parts, the smaller at
 * least min_fraction of the piece, and gives every voxel of the mask to the
 * nearer part: labels 1 (the larger part) and 2, 0 outside. Returns 2, or 1
 * (all voxels labelled 1) when no erosion splits it. */
guint    mt_mask_split           (const guint8    *mask,
                                  const MtVolume  *grid,
                                  double           max_radius_mm,
                                  double           min_fraction,
                                  guint32         *labels);
/* Only the pieces that hold a voxel of seeds stay (a reconstruction of the
 * seeds within the mask); returns how many voxels stay. */
gsize    mt_mask_keep_touching   (guint8          *mask,
                                  const guint8    *seeds,
                                  const int        dims[3]);
/* Pieces smaller than min_voxels go; returns how many voxels went. */
gsize    mt_mask_remove_islands  (guint8          *mask,
                                  const int        dims[3],
                                  gsize            min_voxels);
/* Background that cannot reach the grid's border becomes inside. */
void     mt_mask_fill_holes      (guint8          *mask,
                                  const int        dims[3]);
/* The same on every slice across axis (2: axial), which also closes
 * cavities open only along that axis (lungs at the top of a scan). */
void     mt_mask_fill_holes_slices (guint8        *mask,
                                    const int      dims[3],
                                    int            axis);
/* The same, filling only holes of at most max_hole voxels in a slice
 * (0: any): vessels in a lung, not the dome of the liver it surrounds. */
void     mt_mask_fill_small_holes_slices (guint8   *mask,
                                          const int dims[3],
                                          int       axis,
                                          gsize     max_hole);
/* The squared distance in mm from every voxel to the nearest voxel of the
 * mask (0 inside it; about 1e20 when the mask is empty). */
float   *mt_mask_distance        (const guint8    *mask,
                                  const MtVolume  *grid);
/* Morphology with a ball of radius_mm (the grid's spacing and direction
 * taken into account through the spacing; exact Euclidean distances). */
void     mt_mask_dilate          (guint8          *mask,
                                  const MtVolume  *grid,
                                  double           radius_mm);
void     mt_mask_erode           (guint8          *mask,
                                  const MtVolume  *grid,
                                  double           radius_mm);
void     mt_mask_open            (guint8          *mask,
                                  const MtVolume  *grid,
                                  double           radius_mm);
void     mt_mask_close           (guint8          *mask,
                                  const MtVolume  *grid,
                                  double           radius_mm);
/* 2 |A and B| / (|A| + |B|); 1 for two empty masks. */
double   mt_mask_dice            (const guint8    *a,
                                  const guint8    *b,
                                  gsize            n);

G_END_DECLS
