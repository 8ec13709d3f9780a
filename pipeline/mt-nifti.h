/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_NIFTI_ERROR (mt_nifti_error_quark ())
typedef enum
{
  MT_NIFTI_ERROR_IO,
  MT_NIFTI_ERROR_FORMAT,
  MT_NIFTI_ERROR_UNSUPPORTED,
} MtNiftiError;
GQuark mt_nifti_error_quark (void);

typedef enum
{
  MT_NIFTI_UINT8,
  MT_NIFTI_INT16,
  MT_NIFTI_FLOAT32,
} MtNiftiType;

/* NIfTI-1 single file (.nii, or gzip-compressed .nii.gz by the name). The
 * volume's LPS geometry becomes an RAS sform and, when the axes are
 * orthogonal, the same qform. */
gboolean  mt_nifti_write (const MtVolume *volume,
                          MtNiftiType     type,
                          const char     *path,
                          GError        **error);
/* The same, with the rows (j axis) stored in reverse, as dcm2niix stores
 * DICOM images: the file's affine then equals dcm2niix's for the series. */
gboolean  mt_nifti_write_rows_reversed (const MtVolume *volume,
                                        MtNiftiType     type,
                                        const char     *path,
                                        GError        **error);
/* A displacement field on grid's geometry (its values unused): vectors
 * holds x, y, z (LPS mm) for every voxel; written as NIfTI's displacement
 * vectors (intent 1006, five dimensions, three components, in RAS as
 * ITK and 3D Slicer read them). */
gboolean  mt_nifti_write_displacement (const MtVolume *grid,
                                       const float    *vectors,
                                       const char     *path,
                                       GError        **error);
MtVolume *mt_nifti_read  (const char     *path,
                          GError        **error);

G_END_DECLS
