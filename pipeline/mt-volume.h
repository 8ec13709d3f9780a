/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_VOLUME_ERROR (mt_volume_error_quark ())
typedef enum
{
  MT_VOLUME_ERROR_SIZE,
  MT_VOLUME_ERROR_MEMORY,
} MtVolumeError;
GQuark mt_volume_error_quark (void);

/* A scalar volume on a regular grid in patient coordinates (DICOM LPS, mm).
 * Voxel (i,j,k) sits at origin + direction * (i*spacing[0], j*spacing[1], k*spacing[2]),
 * where direction is a row-major 3x3 matrix whose columns are the i, j and k axes
 * (the ITK convention). Values are float: HU for CT after rescale. */
struct _MtVolume
{
  gatomicrefcount ref;
  int             dims[3];
  double          spacing[3];
  double          origin[3];
  double          direction[9];
  float          *data;
  /* Colour images only: 8-bit RGB of every voxel, interleaved, beside the
   * luminance in data (which every scalar algorithm uses). NULL otherwise. */
  guint8         *rgb;

  /* Descriptive metadata, any of which may be NULL. */
  char           *modality;
  char           *patient_name;
  char           *patient_id;
  char           *study_uid;
  char           *series_uid;
  char           *series_description;
  char           *frame_of_reference_uid;
  char           *study_date;       /* YYYYMMDD, as DICOM writes it */
  /* Known from the headers: every value is a whole number within
   * [value_min, value_max] (DICOM with integral rescale). FALSE: unknown. */
  gboolean        integer_values;
  double          value_min;
  double          value_max;
  /* MONOCHROME1: higher values are shown darker (CR and DX often). */
  gboolean        invert_display;
  /* Display defaults from the file (0 width means none). */
  double          window_center;
  double          window_width;
  /* Human-readable warnings about how the volume was assembled. */
  GPtrArray      *warnings;
};

MtVolume *mt_volume_new              (int             nx,
                                      int             ny,
                                      int             nz,
                                      GError        **error);
MtVolume *mt_volume_ref              (MtVolume       *volume);
void      mt_volume_unref            (MtVolume       *volume);
gsize     mt_volume_n_voxels         (const MtVolume *volume);
void      mt_volume_copy_geometry    (MtVolume       *dest,
                                      const MtVolume *src);
void      mt_volume_index_to_patient (const MtVolume *volume,
                                      const double    ijk[3],
                                      double          lps[3]);
void      mt_volume_patient_to_index (const MtVolume *volume,
                                      const double    lps[3],
                                      double          ijk[3]);
/* The scan's extent in patient mm, x0, x1, y0, y1, z0, z1: the box around
 * its voxel centres. */
void      mt_volume_patient_bounds   (const MtVolume *volume,
                                      double          box[6]);
void      mt_volume_get_range        (const MtVolume *volume,
                                      float          *min,
                                      float          *max);
float     mt_volume_get              (const MtVolume *volume,
                                      int             i,
                                      int             j,
                                      int             k);
float     mt_volume_sample_nearest   (const MtVolume *volume,
                                      const double    lps[3],
                                      float           outside);
/* The same voxels in the same patient positions, stored with one axis
 * reversed. */
MtVolume *mt_volume_flip             (const MtVolume *volume,
                                      int             axis,
                                      GError        **error);
float     mt_volume_sample_linear    (const MtVolume *volume,
                                      const double    lps[3],
                                      float           outside);
/* A window from the histogram: the 0.5th to 99.5th percentile of the values
 * (of a sample of the voxels), so a few bright outliers do not grey the
 * image out; for MR, whose values have no fixed scale. */
void      mt_volume_auto_window      (const MtVolume *volume,
                                      double         *center,
                                      double         *width);
/* Two percentiles (0..1) of the values, from at most max_samples evenly
 * spaced voxels. */
void      mt_volume_percentiles      (const MtVolume *volume,
                                      gsize           max_samples,
                                      double          p_low,
                                      double          p_high,
                                      double         *low,
                                      double         *high);
void      mt_volume_add_warning      (MtVolume       *volume,
                                      const char     *format,
                                      ...) G_GNUC_PRINTF (2, 3);
int       mt_volume_axis_for_patient (const MtVolume *volume,
                                      int             patient_axis,
                                      int            *sign);

static inline gsize
mt_volume_offset (const MtVolume *v, int i, int j, int k)
{
  return ((gsize) k * (gsize) v->dims[1] + (gsize) j) * (gsize) v->dims[0] + (gsize) i;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtVolume, mt_volume_unref)

G_END_DECLS
