/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A pure C view of one DICOM file, over a C++ shim on DCMTK (mt-dicom.cc). No
 * C++ exception and no DCMTK condition crosses this header: every failure comes
 * back as a GError naming the file and what is wrong with it. */

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_DICOM_ERROR (mt_dicom_error_quark ())
typedef enum
{
  MT_DICOM_ERROR_IO,
  MT_DICOM_ERROR_NOT_DICOM,
  MT_DICOM_ERROR_MISSING,
  MT_DICOM_ERROR_UNSUPPORTED,
  MT_DICOM_ERROR_CORRUPT,
  MT_DICOM_ERROR_WRITE,
} MtDicomError;
GQuark mt_dicom_error_quark (void);

/* Registers DCMTK's decoders and silences its logging; done by every
 * entry point, once. */
void   mt_dicom_init (void);

/* What an enhanced (multi-frame) image says of one of its frames. */
typedef struct
{
  double position[3];
  double orientation[6];
  double pixel_spacing[2];
  double slice_thickness;
  double rescale_slope;
  double rescale_intercept;
  char  *volume_key;       /* frames that make one volume share it */
} MtDicomFrame;

struct _MtDicomSlice
{
  char    *path;
  char    *sop_class_uid;
  char    *sop_class_name;      /* e.g. "CT Image Storage"; NULL if unknown */
  char    *sop_instance_uid;
  char    *study_uid;
  char    *series_uid;
  char    *frame_of_reference_uid;
  char    *modality;
  char    *patient_name;
  char    *patient_id;
  char    *series_description;
  char    *photometric;
  char    *transfer_syntax;
  /* What a patient library is searched by. */
  char    *patient_birth_date;
  char    *patient_sex;
  char    *issuer_of_patient_id;
  char    *study_date;
  char    *study_time;
  char    *study_description;
  char    *accession_number;
  char    *institution;
  char    *body_part;
  /* What tells mixed acquisitions under one series apart. */
  char    *image_type;
  int      echo_number;
  int      series_number;
  int      instance_number;
  int      rows;
  int      columns;
  int      frames;
  int      samples_per_pixel;
  int      bits_allocated;
  int      bits_stored;
  int      pixel_representation;
  double   rescale_slope;
  double   rescale_intercept;
  gboolean has_position;
  gboolean has_orientation;
  gboolean has_pixel_spacing;
  double   position[3];
  double   orientation[6];
  double   pixel_spacing[2];       /* row spacing, column spacing (mm), as stored */
  double   slice_thickness;
  double   spacing_between_slices;
  double   gantry_tilt;
  double   window_center;
  double   window_width;
  /* Enhanced multi-frame images: what each frame's functional groups say
   * (NULL otherwise). A slice made for one frame of such a file has
   * frame_index >= 0, frames 1 and file_frames the file's frame count. */
  MtDicomFrame *frame_info;
  int           n_frame_info;
  int           frame_index;
  int           file_frames;
  char         *volume_key;
};

/* Header only: parsing stops before the pixel data. */
MtDicomSlice *mt_dicom_read_header (const char         *path,
                                    GError            **error);
/* Decodes the pixel data of the file `header` was read from, applies the
 * stored-bits mask, sign and modality rescale, and writes rows*columns*frames
 * floats to dest. */
gboolean      mt_dicom_read_pixels (const MtDicomSlice *header,
                                    float              *dest,
                                    gsize               n_values,
                                    GError            **error);
/* Colour images (3 samples per pixel, any colour model, any supported
 * compression): 8-bit RGB of every frame, interleaved, rows*columns*frames*3
 * bytes to rgb. */
gboolean      mt_dicom_read_rgb    (const MtDicomSlice *header,
                                    guint8             *rgb,
                                    gsize               n_pixels,
                                    GError            **error);
void          mt_dicom_slice_free  (MtDicomSlice       *slice);
/* A slice standing for one frame of an enhanced image, with that frame's
 * geometry and rescale. */
MtDicomSlice *mt_dicom_slice_for_frame (const MtDicomSlice *file,
                                        int                 frame);

/* The files a DICOMDIR references (absolute paths, in its order); FALSE
 * with an error if it is not a readable DICOMDIR. */
gboolean      mt_dicom_read_dicomdir (const char         *path,
                                      GPtrArray          *files,
                                      GError            **error);

/* Everything a CT Image Storage file needs; pixels are stored values
 * (rows*columns, bits_stored significant bits). */
typedef struct
{
  const char    *patient_name;
  const char    *patient_id;
  const char    *patient_birth_date;
  const char    *patient_sex;
  const char    *study_uid;
  const char    *study_date;
  const char    *study_time;
  const char    *study_id;
  const char    *study_description;
  const char    *accession_number;
  const char    *series_uid;
  int            series_number;
  const char    *series_description;
  const char    *frame_of_reference_uid;
  const char    *sop_instance_uid;
  int            instance_number;
  int            rows;
  int            columns;
  double         pixel_spacing[2];
  double         position[3];
  double         orientation[6];
  double         slice_thickness;
  double         rescale_slope;
  double         rescale_intercept;
  double         window_center;
  double         window_width;
  int            bits_stored;
  gboolean       pixel_signed;     /* two's complement in bits_stored bits */
  gboolean       monochrome1;      /* higher values shown darker */
  const char    *image_type;       /* NULL: ORIGINAL\PRIMARY\AXIAL */
  const guint16 *pixels;
} MtDicomCtSpec;

gboolean      mt_dicom_write_ct    (const MtDicomCtSpec *spec,
                                    const char          *path,
                                    GError             **error);
/* A DICOM UID under the 2.25 (UUID-derived) root, made from a digest of `seed`,
 * so the same seed always gives the same UID. */
char         *mt_dicom_uid_from_seed (const char        *seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtDicomSlice, mt_dicom_slice_free)

G_END_DECLS
