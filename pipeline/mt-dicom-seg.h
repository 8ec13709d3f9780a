/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-segmentation.h"
#include "mt-types.h"

G_BEGIN_DECLS

/* DICOM Segmentation objects (binary SEG, as 3D Slicer, OHIF and
 * highdicom read them) through DCMTK's dcmseg. Errors are MT_DICOM_ERROR. */

/* Writes the segments as one SEG file: a frame for every segment and slice
 * that holds any of it, each segment with its name (Segment Label), its
 * free-text label (Segment Description), a SNOMED CT category and type and
 * its colour (CIELab). Patient, study and frame of reference come from the
 * DICOM series under source_path, the one the segmentation's grid was read
 * from; each frame references the source image at its position. */
gboolean        mt_dicom_seg_write (MtSegmentation *seg,
                                    const char     *source_path,
                                    const char     *out_path,
                                    GError        **error);
/* Reads a SEG file onto the grid of the scan it segments: its frames must
 * lie on that grid's slices, in its orientation and spacing. Where segments
 * overlap, the later one wins. */
MtSegmentation *mt_dicom_seg_read  (const char     *path,
                                    const MtVolume *grid,
                                    GError        **error);

G_END_DECLS
