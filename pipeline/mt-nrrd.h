/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-nifti.h"
#include "mt-types.h"

G_BEGIN_DECLS

#define MT_NRRD_ERROR (mt_nrrd_error_quark ())
typedef enum
{
  MT_NRRD_ERROR_IO,
  MT_NRRD_ERROR_FORMAT,
  MT_NRRD_ERROR_UNSUPPORTED,
} MtNrrdError;
GQuark mt_nrrd_error_quark (void);

/* NRRD with the data attached, gzip-encoded, in LPS space as 3D Slicer and
 * ITK write it; the reader also takes raw encoding, big endian and RAS space. */
gboolean  mt_nrrd_write (const MtVolume *volume,
                         MtNiftiType     type,
                         const char     *path,
                         GError        **error);
MtVolume *mt_nrrd_read  (const char     *path,
                         GError        **error);

/* Any volume file MedTwin reads (.nii, .nii.gz, .nrrd, .nhdr is refused),
 * else a DICOM folder or file. */
MtVolume *mt_volume_read_any  (const char     *path,
                               GError        **error);
/* Whether every value is a whole number that int16 holds (CT in HU). */
gboolean  mt_volume_is_int16  (const MtVolume *volume);
/* .nii, .nii.gz or .nrrd by the name; whole numbers in int16 range are
 * written as int16 (uint8 for labels), anything else as float. */
gboolean  mt_volume_write_any (const MtVolume *volume,
                               gboolean        labels,
                               const char     *path,
                               GError        **error);

G_END_DECLS
