/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-dicom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <new>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmimage/diregist.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include "mt-dicom.h"
#include "mt-j2k.h"

G_DEFINE_QUARK (mt-dicom-error-quark, mt_dicom_error)

/* Decoders are registered once, before any worker thread reads a file; DCMTK's
 * own logging is silenced because every failure reaches the user as a GError. */
void
mt_dicom_init (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      OFLog::configure (OFLogger::OFF_LOG_LEVEL);
      DcmRLEDecoderRegistration::registerCodecs ();
      DJDecoderRegistration::registerCodecs ();
      DJLSDecoderRegistration::registerCodecs ();
      g_once_init_leave (&once, 1);
    }
}

static char *
get_string (DcmItem *ds, const DcmTagKey &key)
{
  DcmElement *elem = NULL;
  if (ds->findAndGetElement (key, elem).bad () || elem == NULL)
    return NULL;
  char *s = NULL;
  if (elem->ident () == EVR_UN)
    {
      /* A value of unknown VR: DCMTK would show its bytes in hex; they are
       * the text itself. */
      Uint8 *bytes = NULL;
      if (elem->getUint8Array (bytes).good () && bytes && elem->getLength () > 0)
        s = g_strndup ((const char *) bytes, elem->getLength ());
    }
  else
    {
      OFString value;
      if (elem->getOFStringArray (value).good () && !value.empty ())
        s = g_strdup (value.c_str ());
    }
  if (s == NULL)
    return NULL;
  /* Text outside UTF-8 is most often Latin-1 (ISO_IR 100). */
  if (!g_utf8_validate (s, -1, NULL))
    {
      char *converted = g_convert (s, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
      g_free (s);
      s = converted ? converted : g_strdup ("?");
    }
  /* DICOM pads strings with spaces; the user never wants to see them. */
  g_strstrip (s);
  if (*s == '\0')
    g_clear_pointer (&s, g_free);
  return s;
}

static int
get_int (DcmItem *ds, const DcmTagKey &key, int fallback)
{
  Uint16 us;
  if (ds->findAndGetUint16 (key, us).good ())
    return us;
  Sint32 is;
  if (ds->findAndGetSint32 (key, is).good ())
    return is;
  return fallback;
}

static double
get_double (DcmItem *ds, const DcmTagKey &key, double fallback, unsigned long pos = 0)
{
  Float64 v;
  if (ds->findAndGetFloat64 (key, v, pos).good ())
    return v;
  return fallback;
}

static gboolean
get_doubles (DcmItem *ds, const DcmTagKey &key, double *out, unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    {
      Float64 v;
      if (ds->findAndGetFloat64 (key, v, i).bad ())
        return FALSE;
      out[i] = v;
    }
  return TRUE;
}

static gboolean
load (DcmFileFormat &ff, const char *path, gboolean stop_before_pixels, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_IO,
                   _ ("%s: no such file, or not a regular file"), path);
      return FALSE;
    }
  OFCondition cond = stop_before_pixels
    ? ff.loadFileUntilTag (path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                           ERM_autoDetect, DCM_PixelData)
    : ff.loadFile (path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (cond.bad ())
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_NOT_DICOM,
                   _ ("%s: not a readable DICOM file (%s). The file may be truncated or "
                   "damaged; copy it again from the source"),
                   path, cond.text ());
      return FALSE;
    }
  return TRUE;
}

/* A functional group macro (one item of `seq`), the frame's own or else the
 * shared one. */
static DcmItem *
group (DcmItem *frame, DcmItem *shared, const DcmTagKey &seq)
{
  DcmItem *item = NULL;
  if (frame && frame->findAndGetSequenceItem (seq, item, 0).good () && item)
    return item;
  if (shared && shared->findAndGetSequenceItem (seq, item, 0).good () && item)
    return item;
  return NULL;
}

/* Enhanced images keep geometry and rescale per frame, in functional groups
 * (PS3.3 C.7.6.16). Frames are told apart by their dimension index values
 * without the in-stack position: those that share the rest form one volume. */
static void
read_functional_groups (DcmDataset *ds, MtDicomSlice *s)
{
  DcmItem *first = NULL;
  if (ds->findAndGetSequenceItem (DCM_PerFrameFunctionalGroupsSequence, first, 0).bad () || !first)
    return;
  DcmItem *shared = NULL;
  ds->findAndGetSequenceItem (DCM_SharedFunctionalGroupsSequence, shared, 0);

  long in_stack = -1;
  for (unsigned long d = 0;; d++)
    {
      DcmItem *dim = NULL;
      if (ds->findAndGetSequenceItem (DCM_DimensionIndexSequence, dim, d).bad () || !dim)
        break;
      DcmElement *ptr = NULL;
      DcmTagKey key;
      if (dim->findAndGetElement (DCM_DimensionIndexPointer, ptr).good () && ptr
          && OFstatic_cast (DcmAttributeTag *, ptr)->getTagVal (key, 0).good ()
          && (key == DCM_InStackPositionNumber || key == DCM_ImagePositionPatient))
        in_stack = (long) d;
    }

  s->frame_info = g_new0 (MtDicomFrame, s->frames);
  s->n_frame_info = s->frames;
  for (int f = 0; f < s->frames; f++)
    {
      MtDicomFrame *fr = &s->frame_info[f];
      DcmItem *frame = NULL;
      ds->findAndGetSequenceItem (DCM_PerFrameFunctionalGroupsSequence, frame, (unsigned long) f);
      memcpy (fr->position, s->position, sizeof fr->position);
      memcpy (fr->orientation, s->orientation, sizeof fr->orientation);
      memcpy (fr->pixel_spacing, s->pixel_spacing, sizeof fr->pixel_spacing);
      fr->slice_thickness = s->slice_thickness;
      fr->rescale_slope = s->rescale_slope;
      fr->rescale_intercept = s->rescale_intercept;
      DcmItem *g;
      if ((g = group (frame, shared, DCM_PlanePositionSequence)) && get_doubles (g, DCM_ImagePositionPatient, fr->position, 3))
        s->has_position = TRUE;
      if ((g = group (frame, shared, DCM_PlaneOrientationSequence)) && get_doubles (g, DCM_ImageOrientationPatient, fr->orientation, 6))
        s->has_orientation = TRUE;
      if ((g = group (frame, shared, DCM_PixelMeasuresSequence)))
        {
          if (get_doubles (g, DCM_PixelSpacing, fr->pixel_spacing, 2))
            s->has_pixel_spacing = TRUE;
          fr->slice_thickness = get_double (g, DCM_SliceThickness, fr->slice_thickness);
        }
      if ((g = group (frame, shared, DCM_PixelValueTransformationSequence)))
        {
          fr->rescale_slope = get_double (g, DCM_RescaleSlope, 1.0);
          fr->rescale_intercept = get_double (g, DCM_RescaleIntercept, 0.0);
          if (fr->rescale_slope == 0.0)
            fr->rescale_slope = 1.0;
        }
      GString *key = g_string_new (NULL);
      if ((g = group (frame, NULL, DCM_FrameContentSequence)))
        for (unsigned long v = 0;; v++)
          {
            Uint32 value;
            if (g->findAndGetUint32 (DCM_DimensionIndexValues, value, v).bad ())
              break;
            if ((long) v != in_stack)
              g_string_append_printf (key, "%u.", value);
          }
      fr->volume_key = g_string_free (key, FALSE);
    }
  if (s->has_position)
    memcpy (s->position, s->frame_info[0].position, sizeof s->position);
  if (s->has_orientation)
    memcpy (s->orientation, s->frame_info[0].orientation, sizeof s->orientation);
  if (s->has_pixel_spacing)
    memcpy (s->pixel_spacing, s->frame_info[0].pixel_spacing, sizeof s->pixel_spacing);
}

/* DCMTK names SOP classes in keyword style ("TwelveLeadECGWaveformStorage");
 * people read "Twelve Lead ECG Waveform Storage". */
static char *
spaced_name (const char *keyword)
{
  if (keyword == NULL)
    return NULL;
  GString *s = g_string_new (NULL);
  for (const char *p = keyword; *p; p++)
    {
      gboolean upper = g_ascii_isupper (*p) || g_ascii_isdigit (*p);
      gboolean after_lower = p > keyword && g_ascii_islower (p[-1]);
      gboolean acronym_end = p > keyword && g_ascii_isupper (p[-1]) && g_ascii_islower (p[1]) && upper;
      if (upper && (after_lower || acronym_end))
        g_string_append_c (s, ' ');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static MtDicomSlice *
read_header_impl (const char *path, GError **error)
{
  DcmFileFormat ff;
  if (!load (ff, path, TRUE, error))
    return NULL;
  DcmDataset *ds = ff.getDataset ();
  DcmMetaInfo *meta = ff.getMetaInfo ();

  MtDicomSlice *s = g_new0 (MtDicomSlice, 1);
  s->path = g_strdup (path);
  s->sop_class_uid = get_string (ds, DCM_SOPClassUID);
  if (meta && s->sop_class_uid == NULL)
    s->sop_class_uid = get_string (meta, DCM_MediaStorageSOPClassUID);
  if (s->sop_class_uid)
    s->sop_class_name = spaced_name (dcmFindNameOfUID (s->sop_class_uid, NULL));
  s->sop_instance_uid = get_string (ds, DCM_SOPInstanceUID);
  s->study_uid = get_string (ds, DCM_StudyInstanceUID);
  s->series_uid = get_string (ds, DCM_SeriesInstanceUID);
  s->frame_of_reference_uid = get_string (ds, DCM_FrameOfReferenceUID);
  s->modality = get_string (ds, DCM_Modality);
  s->patient_name = get_string (ds, DCM_PatientName);
  s->patient_id = get_string (ds, DCM_PatientID);
  s->series_description = get_string (ds, DCM_SeriesDescription);
  s->photometric = get_string (ds, DCM_PhotometricInterpretation);
  s->patient_birth_date = get_string (ds, DCM_PatientBirthDate);
  s->patient_sex = get_string (ds, DCM_PatientSex);
  s->issuer_of_patient_id = get_string (ds, DCM_IssuerOfPatientID);
  s->study_date = get_string (ds, DCM_StudyDate);
  s->study_time = get_string (ds, DCM_StudyTime);
  s->study_description = get_string (ds, DCM_StudyDescription);
  s->accession_number = get_string (ds, DCM_AccessionNumber);
  s->institution = get_string (ds, DCM_InstitutionName);
  s->body_part = get_string (ds, DCM_BodyPartExamined);
  s->image_type = get_string (ds, DCM_ImageType);
  s->echo_number = get_int (ds, DCM_EchoNumbers, 0);
  if (meta)
    s->transfer_syntax = get_string (meta, DCM_TransferSyntaxUID);
  if (s->transfer_syntax == NULL)
    s->transfer_syntax = g_strdup (DcmXfer (ds->getOriginalXfer ()).getXferID ());
  s->series_number = get_int (ds, DCM_SeriesNumber, 0);
  s->instance_number = get_int (ds, DCM_InstanceNumber, 0);
  s->rows = get_int (ds, DCM_Rows, 0);
  s->columns = get_int (ds, DCM_Columns, 0);
  s->frames = get_int (ds, DCM_NumberOfFrames, 1);
  s->samples_per_pixel = get_int (ds, DCM_SamplesPerPixel, 1);
  s->bits_allocated = get_int (ds, DCM_BitsAllocated, 0);
  s->bits_stored = get_int (ds, DCM_BitsStored, s->bits_allocated);
  s->pixel_representation = get_int (ds, DCM_PixelRepresentation, 0);
  s->rescale_slope = get_double (ds, DCM_RescaleSlope, 1.0);
  s->rescale_intercept = get_double (ds, DCM_RescaleIntercept, 0.0);
  if (s->rescale_slope == 0.0)
    s->rescale_slope = 1.0;
  s->has_position = get_doubles (ds, DCM_ImagePositionPatient, s->position, 3);
  s->has_orientation = get_doubles (ds, DCM_ImageOrientationPatient, s->orientation, 6);
  s->has_pixel_spacing = get_doubles (ds, DCM_PixelSpacing, s->pixel_spacing, 2);
  s->slice_thickness = get_double (ds, DCM_SliceThickness, 0.0);
  s->spacing_between_slices = get_double (ds, DCM_SpacingBetweenSlices, 0.0);
  s->gantry_tilt = get_double (ds, DCM_GantryDetectorTilt, 0.0);
  s->window_center = get_double (ds, DCM_WindowCenter, 0.0);
  s->window_width = get_double (ds, DCM_WindowWidth, 0.0);
  s->frame_index = -1;
  s->file_frames = s->frames;
  if (s->frames > 1)
    read_functional_groups (ds, s);
  return s;
}

MtDicomSlice *
mt_dicom_read_header (const char *path,
                      GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  mt_dicom_init ();
  try
    {
      return read_header_impl (path, error);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: the header asks for more memory than there is; the file is damaged"), path);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT, _ ("%s: %s"), path, e.what ());
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: unexpected failure while reading the header"), path);
    }
  return NULL;
}

template <typename T>
static void
convert (const T *src, float *dest, gsize n, const MtDicomSlice *h)
{
  /* Only the stored bits carry the value: the rest may hold overlays or noise. */
  const int bits = h->bits_stored;
  const guint32 mask = bits >= 32 ? 0xffffffffu : ((1u << bits) - 1u);
  const guint32 sign = 1u << (bits - 1);
  const float slope = (float) h->rescale_slope;
  const float intercept = (float) h->rescale_intercept;
  /* Signed values extended from their top stored bit without a branch:
   * (u ^ sign) - sign, in unsigned arithmetic. */
  const guint32 flip = h->pixel_representation == 1 ? sign : 0;
  auto value = [=] (T raw) {
    guint32 u = (guint32) raw & mask;
    return (float) (gint32) ((u ^ flip) - flip) * slope + intercept;
  };
  gsize i = 0;
  /* Sixteen at a time: a loop of known length, which the compiler turns
   * into vector instructions. */
  for (; i + 16 <= n; i += 16)
    for (int q = 0; q < 16; q++)
      dest[i + q] = value (src[i + q]);
  for (; i < n; i++)
    dest[i] = value (src[i]);
}

/* A lossless predictor that decodes with the wrong arithmetic leaves a
 * signature no real image has: many neighbours more than half the stored range
 * apart. DCMTK reports no error for such streams, so look for it. */
static gboolean
wrapped_around (const float *v, const MtDicomSlice *h)
{
  const double half = (double) (1u << (h->bits_stored - 1)) * fabs (h->rescale_slope);
  gsize jumps = 0, pairs = 0;
  for (int f = 0; f < h->frames; f++)
    for (int r = 0; r < h->rows; r++)
      {
        const float *row = v + ((gsize) f * h->rows + r) * h->columns;
        for (int c = 1; c < h->columns; c++, pairs++)
          jumps += fabs ((double) row[c] - row[c - 1]) > half;
      }
  return pairs > 0 && jumps * 200 > pairs;
}

/* DCMTK has no JPEG 2000 decoder: hand each frame's fragments to OpenJPEG. */
static gboolean
read_j2k (DcmDataset *ds, DcmXfer &xfer, const MtDicomSlice *h, float *dest, GError **error)
{
  const char *path = h->path;
  DcmElement *elem = NULL;
  DcmPixelSequence *seq = NULL;
  if (ds->findAndGetElement (DCM_PixelData, elem).bad () || elem == NULL
      || OFstatic_cast (DcmPixelData *, elem)->getEncapsulatedRepresentation (xfer.getXfer (), NULL, seq).bad ()
      || seq == NULL || seq->card () < 2)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_MISSING,
                   _ ("%s: the compressed pixel data is missing or empty"), path);
      return FALSE;
    }
  /* Item 0 is the offset table; then either all fragments make one frame,
   * or there is one fragment per frame. */
  const unsigned long fragments = seq->card () - 1;
  if (h->frames > 1 && fragments != (unsigned long) h->frames)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                   _ ("%s: %lu JPEG 2000 fragments for %d frames cannot be matched up"),
                   path, fragments, h->frames);
      return FALSE;
    }
  const gsize plane = (gsize) h->rows * h->columns;
  g_autofree gint32 *values = g_new (gint32, plane);
  for (int f = 0; f < h->frames; f++)
    {
      GByteArray *bytes = g_byte_array_new ();
      unsigned long first = h->frames > 1 ? (unsigned long) f + 1 : 1;
      unsigned long last = h->frames > 1 ? (unsigned long) f + 1 : fragments;
      for (unsigned long i = first; i <= last; i++)
        {
          DcmPixelItem *item = NULL;
          Uint8 *frag = NULL;
          if (seq->getItem (item, i).good () && item != NULL && item->getUint8Array (frag).good () && frag)
            g_byte_array_append (bytes, frag, item->getLength ());
        }
      char *why = NULL;
      gboolean ok = mt_j2k_decode (bytes->data, bytes->len, h->columns, h->rows,
                                   h->pixel_representation == 1, values, &why);
      g_byte_array_unref (bytes);
      if (!ok)
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT, "%s: %s", path, why);
          g_free (why);
          return FALSE;
        }
      float *d = dest + f * plane;
      for (gsize i = 0; i < plane; i++)
        d[i] = (float) (values[i] * h->rescale_slope + h->rescale_intercept);
    }
  return TRUE;
}

static gboolean
read_pixels_impl (const MtDicomSlice *h, float *dest, gsize n_values, GError **error)
{
  const char *path = h->path;
  if (h->samples_per_pixel != 1)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                   _ ("%s: colour images (%d samples per pixel, %s) are not volumes; "
                   "MedTwin reads greyscale scans"),
                   path, h->samples_per_pixel, h->photometric ? h->photometric : "?");
      return FALSE;
    }
  if (h->bits_allocated != 8 && h->bits_allocated != 16)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                   _ ("%s: %d bits allocated per pixel is not supported (8 or 16 are)"),
                   path, h->bits_allocated);
      return FALSE;
    }
  if (h->bits_stored < 1 || h->bits_stored > h->bits_allocated)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: BitsStored (%d) does not fit in BitsAllocated (%d)"),
                   path, h->bits_stored, h->bits_allocated);
      return FALSE;
    }
  gsize expected = (gsize) h->rows * h->columns * h->frames;
  if (expected != n_values)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: image size changed while reading (%zu values, expected %zu)"),
                   path, expected, n_values);
      return FALSE;
    }

  DcmFileFormat ff;
  if (!load (ff, path, FALSE, error))
    return FALSE;
  DcmDataset *ds = ff.getDataset ();

  DcmXfer xfer (ds->getOriginalXfer ());
  if (xfer.getXfer () == EXS_JPEG2000LosslessOnly || xfer.getXfer () == EXS_JPEG2000)
    return read_j2k (ds, xfer, h, dest, error);
  if (xfer.isEncapsulated ())
    {
      OFCondition cond = ds->chooseRepresentation (EXS_LittleEndianExplicit, NULL);
      if (cond.bad () || !ds->canWriteXfer (EXS_LittleEndianExplicit))
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                       _ ("%s: cannot decode pixel data compressed as %s (%s)"),
                       path, xfer.getXferName (), cond.bad () ? cond.text () : "no decoder");
          return FALSE;
        }
    }

  DcmElement *elem = NULL;
  if (ds->findAndGetElement (DCM_PixelData, elem).bad () || elem == NULL)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_MISSING,
                   _ ("%s: the file has no pixel data"), path);
      return FALSE;
    }
  gsize bytes = (gsize) elem->getLength ();
  gsize need = expected * (h->bits_allocated / 8);
  if (bytes < need)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: pixel data holds %zu bytes but %d x %d x %d pixels of %d bits need %zu; "
                   "the file is truncated"),
                   path, bytes, h->columns, h->rows, h->frames, h->bits_allocated, need);
      return FALSE;
    }

  if (h->bits_allocated == 16)
    {
      Uint16 *p = NULL;
      if (elem->getUint16Array (p).bad () || p == NULL)
        goto unreadable;
      convert (p, dest, n_values, h);
      if ((xfer.getXfer () == EXS_JPEGProcess14SV1 || xfer.getXfer () == EXS_JPEGProcess14)
          && wrapped_around (dest, h))
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                       _ ("%s: the JPEG Lossless data decodes to wrapped-around values (neighbouring "
                       "pixels jump across the whole %d-bit range); the stream is corrupt or was "
                       "written by a faulty encoder. Export the image again uncompressed"),
                       path, h->bits_stored);
          return FALSE;
        }
    }
  else
    {
      Uint8 *p = NULL;
      if (elem->getUint8Array (p).bad () || p == NULL)
        goto unreadable;
      convert (p, dest, n_values, h);
    }
  return TRUE;

unreadable:
  g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
               _ ("%s: the pixel data cannot be read"), path);
  return FALSE;
}

gboolean
mt_dicom_read_pixels (const MtDicomSlice *header,
                      float              *dest,
                      gsize               n_values,
                      GError            **error)
{
  g_return_val_if_fail (header != NULL, FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);
  mt_dicom_init ();
  try
    {
      return read_pixels_impl (header, dest, n_values, error);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: decoding needs more memory than there is; the file is damaged"),
                   header->path);
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: unexpected failure while decoding the pixel data"), header->path);
    }
  return FALSE;
}

gboolean
mt_dicom_read_rgb (const MtDicomSlice *h,
                   guint8             *rgb,
                   gsize               n_pixels,
                   GError            **error)
{
  g_return_val_if_fail (h != NULL && rgb != NULL, FALSE);
  mt_dicom_init ();
  const gsize plane = (gsize) h->rows * h->columns;
  if (n_pixels != plane * h->frames)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _("%s: image size changed while reading (%zu values, expected %zu)"),
                   h->path, plane * h->frames, n_pixels);
      return FALSE;
    }
  try
    {
      /* DicomImage converts every colour model (YBR, palette, planar) and
       * decompresses with the registered codecs. */
      DicomImage image (h->path, CIF_UsePartialAccessToPixelData, 0, (unsigned long) h->frames);
      if (image.getStatus () != EIS_Normal || image.isMonochrome ())
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                       _("%s: the colour image cannot be decoded (%s)"), h->path,
                       image.getStatus () == EIS_Normal ? "not colour" : DicomImage::getString (image.getStatus ()));
          return FALSE;
        }
      if ((int) image.getWidth () != h->columns || (int) image.getHeight () != h->rows)
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                       _("%s: the colour image is %lu x %lu but the header says %d x %d"), h->path,
                       image.getWidth (), image.getHeight (), h->columns, h->rows);
          return FALSE;
        }
      for (int f = 0; f < h->frames; f++)
        {
          const void *out = image.getOutputData (8, (unsigned long) f, 0);
          if (out == NULL)
            {
              g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                           _("%s: frame %d of the colour image cannot be decoded"), h->path, f + 1);
              return FALSE;
            }
          memcpy (rgb + plane * 3 * f, out, plane * 3);
        }
      return TRUE;
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _("%s: unexpected failure while decoding the colour image"), h->path);
    }
  return FALSE;
}

void
mt_dicom_slice_free (MtDicomSlice *s)
{
  if (s == NULL)
    return;
  g_free (s->path);
  g_free (s->sop_class_uid);
  g_free (s->sop_class_name);
  g_free (s->sop_instance_uid);
  g_free (s->study_uid);
  g_free (s->series_uid);
  g_free (s->frame_of_reference_uid);
  g_free (s->modality);
  g_free (s->patient_name);
  g_free (s->patient_id);
  g_free (s->series_description);
  g_free (s->photometric);
  g_free (s->transfer_syntax);
  g_free (s->patient_birth_date);
  g_free (s->patient_sex);
  g_free (s->issuer_of_patient_id);
  g_free (s->study_date);
  g_free (s->study_time);
  g_free (s->study_description);
  g_free (s->accession_number);
  g_free (s->institution);
  g_free (s->body_part);
  g_free (s->image_type);
  for (int f = 0; f < s->n_frame_info; f++)
    g_free (s->frame_info[f].volume_key);
  g_free (s->frame_info);
  g_free (s->volume_key);
  g_free (s);
}

MtDicomSlice *
mt_dicom_slice_for_frame (const MtDicomSlice *file,
                          int                 frame)
{
  g_return_val_if_fail (frame >= 0 && frame < file->n_frame_info, NULL);
  const MtDicomFrame *fr = &file->frame_info[frame];
  MtDicomSlice *s = g_new (MtDicomSlice, 1);
  *s = *file;
  s->path = g_strdup (file->path);
  s->sop_class_uid = g_strdup (file->sop_class_uid);
  s->sop_class_name = g_strdup (file->sop_class_name);
  s->sop_instance_uid = g_strdup (file->sop_instance_uid);
  s->study_uid = g_strdup (file->study_uid);
  s->series_uid = g_strdup (file->series_uid);
  s->frame_of_reference_uid = g_strdup (file->frame_of_reference_uid);
  s->modality = g_strdup (file->modality);
  s->patient_name = g_strdup (file->patient_name);
  s->patient_id = g_strdup (file->patient_id);
  s->series_description = g_strdup (file->series_description);
  s->photometric = g_strdup (file->photometric);
  s->transfer_syntax = g_strdup (file->transfer_syntax);
  s->patient_birth_date = g_strdup (file->patient_birth_date);
  s->patient_sex = g_strdup (file->patient_sex);
  s->issuer_of_patient_id = g_strdup (file->issuer_of_patient_id);
  s->study_date = g_strdup (file->study_date);
  s->study_time = g_strdup (file->study_time);
  s->study_description = g_strdup (file->study_description);
  s->accession_number = g_strdup (file->accession_number);
  s->institution = g_strdup (file->institution);
  s->body_part = g_strdup (file->body_part);
  s->image_type = g_strdup (file->image_type);
  s->frame_info = NULL;
  s->n_frame_info = 0;
  s->frame_index = frame;
  s->frames = 1;
  s->file_frames = file->frames;
  memcpy (s->position, fr->position, sizeof s->position);
  memcpy (s->orientation, fr->orientation, sizeof s->orientation);
  memcpy (s->pixel_spacing, fr->pixel_spacing, sizeof s->pixel_spacing);
  s->slice_thickness = fr->slice_thickness;
  s->rescale_slope = fr->rescale_slope;
  s->rescale_intercept = fr->rescale_intercept;
  s->volume_key = g_strdup (fr->volume_key);
  return s;
}

/* Decimal strings (DS) hold at most 16 characters. */
static OFString
ds_string (const double *v, int n)
{
  OFString out;
  for (int i = 0; i < n; i++)
    {
      char buf[32];
      for (int prec = 10; prec >= 4; prec--)
        {
          g_snprintf (buf, sizeof buf, "%.*g", prec, v[i] == 0.0 ? 0.0 : v[i]);
          if (strlen (buf) <= 16)
            break;
        }
      if (i)
        out += "\\";
      out += buf;
    }
  return out;
}

static gboolean
write_ct_impl (const MtDicomCtSpec *s, const char *path, GError **error)
{
  DcmFileFormat ff;
  DcmDataset *ds = ff.getDataset ();
  char num[32];
  OFCondition c = EC_Normal;
#define PUT(tag, value) if (c.good () && (value) != NULL) c = ds->putAndInsertString (tag, value)
  PUT (DCM_SpecificCharacterSet, "ISO_IR 100");
  PUT (DCM_ImageType, s->image_type ? s->image_type : "ORIGINAL\\PRIMARY\\AXIAL");
  PUT (DCM_SOPClassUID, UID_CTImageStorage);
  PUT (DCM_SOPInstanceUID, s->sop_instance_uid);
  PUT (DCM_StudyDate, s->study_date);
  PUT (DCM_SeriesDate, s->study_date);
  PUT (DCM_ContentDate, s->study_date);
  PUT (DCM_StudyTime, s->study_time);
  PUT (DCM_SeriesTime, s->study_time);
  PUT (DCM_ContentTime, s->study_time);
  PUT (DCM_AccessionNumber, s->accession_number);
  PUT (DCM_Modality, "CT");
  PUT (DCM_Manufacturer, "MedTwin");
  PUT (DCM_InstitutionName, "MedTwin demo");
  PUT (DCM_ReferringPhysicianName, "");
  PUT (DCM_StudyDescription, s->study_description);
  PUT (DCM_SeriesDescription, s->series_description);
  PUT (DCM_ManufacturerModelName, "MedTwin phantom");
  PUT (DCM_PatientName, s->patient_name);
  PUT (DCM_PatientID, s->patient_id);
  PUT (DCM_PatientBirthDate, s->patient_birth_date);
  PUT (DCM_PatientSex, s->patient_sex);
  PUT (DCM_BodyPartExamined, "CHEST");
  PUT (DCM_SliceThickness, ds_string (&s->slice_thickness, 1).c_str ());
  PUT (DCM_KVP, "120");
  PUT (DCM_PatientPosition, "HFS");
  PUT (DCM_StudyInstanceUID, s->study_uid);
  PUT (DCM_SeriesInstanceUID, s->series_uid);
  PUT (DCM_StudyID, s->study_id);
  g_snprintf (num, sizeof num, "%d", s->series_number);
  PUT (DCM_SeriesNumber, num);
  PUT (DCM_AcquisitionNumber, "1");
  g_snprintf (num, sizeof num, "%d", s->instance_number);
  PUT (DCM_InstanceNumber, num);
  PUT (DCM_ImagePositionPatient, ds_string (s->position, 3).c_str ());
  PUT (DCM_ImageOrientationPatient, ds_string (s->orientation, 6).c_str ());
  PUT (DCM_FrameOfReferenceUID, s->frame_of_reference_uid);
  PUT (DCM_PositionReferenceIndicator, "");
  PUT (DCM_SliceLocation, ds_string (&s->position[2], 1).c_str ());
  PUT (DCM_PhotometricInterpretation, s->monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
  PUT (DCM_PixelSpacing, ds_string (s->pixel_spacing, 2).c_str ());
  PUT (DCM_WindowCenter, ds_string (&s->window_center, 1).c_str ());
  PUT (DCM_WindowWidth, ds_string (&s->window_width, 1).c_str ());
  PUT (DCM_RescaleIntercept, ds_string (&s->rescale_intercept, 1).c_str ());
  PUT (DCM_RescaleSlope, ds_string (&s->rescale_slope, 1).c_str ());
  PUT (DCM_RescaleType, "HU");
#undef PUT
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_SamplesPerPixel, 1);
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_Rows, (Uint16) s->rows);
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_Columns, (Uint16) s->columns);
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_BitsAllocated, 16);
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_BitsStored, (Uint16) s->bits_stored);
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_HighBit, (Uint16) (s->bits_stored - 1));
  if (c.good ()) c = ds->putAndInsertUint16 (DCM_PixelRepresentation, s->pixel_signed ? 1 : 0);
  if (c.good ())
    c = ds->putAndInsertUint16Array (DCM_PixelData, s->pixels, (unsigned long) s->rows * s->columns);
  if (c.good ())
    c = ff.saveFile (path, EXS_LittleEndianExplicit);
  if (c.bad ())
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE,
                   _ ("%s: cannot write the DICOM file (%s)"), path, c.text ());
      return FALSE;
    }
  return TRUE;
}

gboolean
mt_dicom_write_ct (const MtDicomCtSpec *spec,
                   const char          *path,
                   GError             **error)
{
  g_return_val_if_fail (spec != NULL && spec->pixels != NULL, FALSE);
  mt_dicom_init ();
  try
    {
      return write_ct_impl (spec, path, error);
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE,
                   _ ("%s: unexpected failure while writing"), path);
    }
  return FALSE;
}

static void
collect_records (DcmItem *parent, const char *base, GPtrArray *files)
{
  for (unsigned long r = 0;; r++)
    {
      DcmItem *record = NULL;
      if (parent->findAndGetSequenceItem (DCM_DirectoryRecordSequence, record, r).bad () || !record)
        break;
      OFString id;
      if (record->findAndGetOFStringArray (DCM_ReferencedFileID, id).good () && !id.empty ())
        {
          /* Components are separated by backslashes, always relative. */
          g_auto (GStrv) parts = g_strsplit (id.c_str (), "\\", -1);
          char *path = g_strdup (base);
          for (int i = 0; parts[i]; i++)
            {
              char *next = g_build_filename (path, g_strstrip (parts[i]), NULL);
              g_free (path);
              path = next;
            }
          g_ptr_array_add (files, path);
        }
    }
}

gboolean
mt_dicom_read_dicomdir (const char *path,
                        GPtrArray  *files,
                        GError    **error)
{
  mt_dicom_init ();
  try
    {
      DcmFileFormat ff;
      if (!load (ff, path, FALSE, error))
        return FALSE;
      g_autofree char *base = g_path_get_dirname (path);
      guint before = files->len;
      collect_records (ff.getDataset (), base, files);
      if (files->len == before)
        {
          g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_MISSING,
                       _("%s: the DICOMDIR lists no files"), path);
          return FALSE;
        }
      return TRUE;
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _("%s: unexpected failure while reading the DICOMDIR"), path);
    }
  return FALSE;
}

char *
mt_dicom_uid_from_seed (const char *seed)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) seed, -1);
  g_checksum_get_digest (sum, digest, &len);
  g_checksum_free (sum);

  /* 2.25.<128-bit integer>, the UUID-derived root (PS3.5 B.2). */
  unsigned __int128 v = 0;
  for (int i = 0; i < 16; i++)
    v = (v << 8) | digest[i];
  char dec[48];
  int n = 0;
  do
    {
      dec[n++] = (char) ('0' + (int) (v % 10));
      v /= 10;
    }
  while (v != 0);
  GString *uid = g_string_new ("2.25.");
  while (n > 0)
    g_string_append_c (uid, dec[--n]);
  return g_string_free (uid, FALSE);
}
