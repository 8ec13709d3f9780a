/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-dicom"

#include "config.h"

/* DCMTK's osconfig.h defines its own PACKAGE_VERSION. */
static const char medtwin_version[] = PACKAGE_VERSION;

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <new>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/iodmacro.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>

#include "mt-dicom-seg.h"
#include "mt-dicom.h"
#include "mt-series.h"
#include "mt-volume.h"

/* ------------------------------------------------------------ codes */

/* Segmentation property categories (DICOM CID 7150), by MedTwin category. */
static const struct
{
  MtSegmentCategory category;
  const char       *code, *meaning;
} categories[] = {
  { MT_SEGMENT_ORGAN, "91723000", "Anatomical Structure" },
  { MT_SEGMENT_TISSUE, "85756007", "Tissue" },
  { MT_SEGMENT_FLUID, "91720002", "Body Substance" },
  { MT_SEGMENT_LESION, "49755003", "Morphologically Altered Structure" },
  { MT_SEGMENT_DEVICE, "260787004", "Physical object" },
  { MT_SEGMENT_ANNOTATION, "272737002", "Spatial and Relational Concept" },
};

/* Property types (SNOMED CT) of the segments the automatic tasks make. */
static const struct
{
  const char *name, *code, *meaning;
} types[] = {
  { "body", "38266002", "Entire body" },
  { "couch", "49062001", "Device" },
  { "lung_left", "44029006", "Left lung" },
  { "lung_right", "3341006", "Right lung" },
  { "airway", "89187006", "Airway structure" },
  { "heart", "80891009", "Heart" },
  { "aorta", "15825003", "Aorta" },
  { "skeleton", "272673000", "Bone structure" },
  { "liver", "10200004", "Liver" },
  { "kidney_left", "18639004", "Left kidney" },
  { "kidney_right", "9846003", "Right kidney" },
  { "nodule", "27925004", "Nodule" },
  { "fluid", "32457005", "Body fluid" },
};

/* sRGB to CIELab under the D50 white of DICOM's profile connection space,
 * scaled to 16 bits as the Recommended Display CIELab Value is. */
static double
srgb_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
srgb_gamma (double c)
{
  c = c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1 / 2.4) - 0.055;
  return CLAMP (c, 0.0, 1.0);
}

static const double white[3] = { 0.96422, 1.0, 0.82521 };

static double
lab_f (double t)
{
  return t > 216.0 / 24389 ? cbrt (t) : (24389.0 / 27 * t + 16) / 116;
}

static double
lab_finv (double f)
{
  return f * f * f > 216.0 / 24389 ? f * f * f : (116 * f - 16) * 27 / 24389.0;
}

static void
rgb_to_dicom_lab (const guint8 rgb[3], Uint16 lab[3])
{
  double r = srgb_linear (rgb[0] / 255.0), g = srgb_linear (rgb[1] / 255.0), b = srgb_linear (rgb[2] / 255.0);
  double xyz[3] = { 0.4360747 * r + 0.3850649 * g + 0.1430804 * b, 0.2225045 * r + 0.7168786 * g + 0.0606169 * b,
                    0.0139322 * r + 0.0971045 * g + 0.7141733 * b };
  double f[3];
  for (int a = 0; a < 3; a++)
    f[a] = lab_f (xyz[a] / white[a]);
  double L = 116 * f[1] - 16, A = 500 * (f[0] - f[1]), B = 200 * (f[1] - f[2]);
  lab[0] = (Uint16) lround (CLAMP (L, 0.0, 100.0) * 65535 / 100);
  lab[1] = (Uint16) lround (CLAMP (A + 128, 0.0, 255.0) * 65535 / 255);
  lab[2] = (Uint16) lround (CLAMP (B + 128, 0.0, 255.0) * 65535 / 255);
}

static void
dicom_lab_to_rgb (const Uint16 lab[3], guint8 rgb[3])
{
  double L = lab[0] * 100.0 / 65535, A = lab[1] * 255.0 / 65535 - 128, B = lab[2] * 255.0 / 65535 - 128;
  double fy = (L + 16) / 116, fx = fy + A / 500, fz = fy - B / 200;
  double x = lab_finv (fx) * white[0], y = lab_finv (fy) * white[1], z = lab_finv (fz) * white[2];
  double lin[3] = { 3.1338561 * x - 1.6168667 * y - 0.4906146 * z, -0.9787684 * x + 1.9161415 * y + 0.0334540 * z,
                    0.0719453 * x - 0.2289914 * y + 1.4052427 * z };
  for (int a = 0; a < 3; a++)
    rgb[a] = (guint8) lround (srgb_gamma (lin[a]) * 255);
}

static OFString
format_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* DS holds 16 characters. */
  g_ascii_formatd (buf, sizeof buf, "%.10g", v);
  return OFString (buf);
}

static gboolean
check (OFCondition cond, const char *what, GError **error)
{
  if (cond.good ())
    return TRUE;
  g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE, _ ("Cannot write the DICOM SEG (%s): %s"), what,
               cond.text ());
  return FALSE;
}

/* ------------------------------------------------------------ writing */

/* The source image under each slice of the grid, by position along its
 * normal (NULL where none lies within a tenth of a slice). The slices
 * belong to the series in *scan, which the caller keeps. */
static GPtrArray *
source_slices (const MtVolume *grid, const char *source_path, GPtrArray **scan, GError **error)
{
  const char *paths[] = { source_path, NULL };
  *scan = mt_series_scan (paths, NULL, NULL, error);
  if (*scan == NULL)
    return NULL;
  MtSeries *series = NULL;
  for (guint s = 0; s < (*scan)->len && series == NULL; s++)
    {
      MtSeries *candidate = (MtSeries *) (*scan)->pdata[s];
      if (grid->series_uid == NULL || g_strcmp0 (candidate->series_uid, grid->series_uid) == 0)
        series = candidate;
    }
  if (series == NULL)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_MISSING,
                   _ ("%s holds no DICOM images of series %s, which this segmentation was made on."), source_path,
                   grid->series_uid);
      return NULL;
    }
  GPtrArray *under = g_ptr_array_new ();
  g_ptr_array_set_size (under, grid->dims[2]);
  const double n[3] = { grid->direction[2], grid->direction[5], grid->direction[8] };
  for (guint i = 0; i < series->slices->len; i++)
    {
      const MtDicomSlice *sl = (const MtDicomSlice *) series->slices->pdata[i];
      double d = 0;
      for (int a = 0; a < 3; a++)
        d += (sl->position[a] - grid->origin[a]) * n[a];
      double k = d / grid->spacing[2];
      long kk = lround (k);
      if (kk >= 0 && kk < grid->dims[2] && fabs (k - kk) < 0.1 && sl->frames <= 1)
        under->pdata[kk] = (gpointer) sl;
    }
  return under;
}

static gboolean
write_impl (MtSegmentation *seg, const char *source_path, const char *out_path, GError **error)
{
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  const int nx = grid->dims[0], ny = grid->dims[1], nz = grid->dims[2];
  if (nx > 65535 || ny > 65535)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED,
                   _ ("A DICOM SEG frame holds at most 65535 rows and columns; this grid is %d x %d."), nx, ny);
      return FALSE;
    }
  g_autoptr (GPtrArray) scan = NULL;
  g_autoptr (GPtrArray) under = source_slices (grid, source_path, &scan, error);
  if (under == NULL)
    return FALSE;
  const MtDicomSlice *first = NULL;
  for (int k = 0; k < nz && first == NULL; k++)
    first = (const MtDicomSlice *) under->pdata[k];
  if (first == NULL)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_MISSING,
                   _ ("No image of %s lies on this segmentation's slices: was the scan resampled? A DICOM SEG must "
                      "reference the images it segments; save a NIfTI label map instead."),
                   source_path);
      return FALSE;
    }

  IODGeneralEquipmentModule::EquipmentInfo equipment ("MedTwin", "MedTwin", "1", medtwin_version);
  ContentIdentificationMacro content ("1", "MEDTWIN_SEG", "Segments made with MedTwin", "");
  DcmSegmentation *raw = NULL;
  if (!check (DcmSegmentation::createBinarySegmentation (raw, (Uint16) ny, (Uint16) nx, equipment, content),
              "create", error))
    return FALSE;
  OFunique_ptr<DcmSegmentation> doc (raw);
  if (!check (doc->importFromSourceImage (first->path), first->path, error))
    return FALSE;
  doc->getSeries ().setSeriesDescription ("MedTwin segments");
  doc->getSeries ().setSeriesNumber ("1001");

  /* Shared by every frame: orientation and spacing of the grid. */
  FGPlaneOrientationPatient orientation;
  const double *d = grid->direction;
  orientation.setImageOrientationPatient (format_double (d[0]), format_double (d[3]), format_double (d[6]),
                                          format_double (d[1]), format_double (d[4]), format_double (d[7]));
  FGPixelMeasures measures;
  measures.setPixelSpacing ((format_double (grid->spacing[1]) + "\\" + format_double (grid->spacing[0])).c_str ());
  measures.setSliceThickness (format_double (grid->spacing[2]));
  measures.setSpacingBetweenSlices (format_double (grid->spacing[2]));
  if (!check (doc->addForAllFrames (orientation), "orientation", error)
      || !check (doc->addForAllFrames (measures), "spacing", error))
    return FALSE;

  const guint n_segments = mt_segmentation_n_segments (seg);
  for (guint s = 0; s < n_segments; s++)
    {
      const MtSegment *sg = mt_segmentation_get_segment (seg, s);
      const char *cat_code = categories[0].code, *cat_meaning = categories[0].meaning;
      for (guint c = 0; c < G_N_ELEMENTS (categories); c++)
        if (categories[c].category == sg->category)
          {
            cat_code = categories[c].code;
            cat_meaning = categories[c].meaning;
          }
      /* A segment the tasks do not make is typed by its category. */
      const char *type_code = cat_code, *type_meaning = cat_meaning;
      for (guint t = 0; t < G_N_ELEMENTS (types); t++)
        if (g_strcmp0 (types[t].name, sg->name) == 0)
          {
            type_code = types[t].code;
            type_meaning = types[t].meaning;
          }
      DcmSegment *segment = NULL;
      if (!check (DcmSegment::create (segment, sg->name, CodeSequenceMacro (cat_code, "SCT", cat_meaning),
                                      CodeSequenceMacro (type_code, "SCT", type_meaning),
                                      DcmSegTypes::SAT_SEMIAUTOMATIC, "MedTwin"),
                  sg->name, error))
        return FALSE;
      if (sg->label != NULL && sg->label[0] != '\0')
        segment->setSegmentDescription (sg->label, OFFalse);
      Uint16 lab[3];
      rgb_to_dicom_lab (sg->color, lab);
      segment->setRecommendedDisplayCIELabValue (lab[0], lab[1], lab[2]);
      Uint16 number = 0;
      if (!check (doc->addSegment (segment, number), sg->name, error))
        {
          delete segment;
          return FALSE;
        }
    }

  /* Frames: each segment's slices that hold any of it. */
  const gsize plane = (gsize) nx * ny;
  OFunique_ptr<Uint8[]> frame (new Uint8[plane]);
  CodeSequenceMacro derivation ("113076", "DCM", "Segmentation");
  CodeSequenceMacro purpose ("121322", "DCM", "Source image for image processing operation");
  for (guint s = 0; s < n_segments; s++)
    {
      guint16 value = mt_segmentation_get_segment (seg, s)->value;
      for (int k = 0; k < nz; k++)
        {
          gboolean any = FALSE;
          for (gsize o = 0; o < plane; o++)
            {
              frame[o] = mt_segmentation_get (seg, (gsize) k * plane + o) == value;
              any |= frame[o];
            }
          if (!any)
            continue;
          double ijk[3] = { 0, 0, (double) k }, p[3];
          mt_volume_index_to_patient (grid, ijk, p);
          FGPlanePosPatient position;
          position.setImagePositionPatient (format_double (p[0]), format_double (p[1]), format_double (p[2]));
          FGFrameContent content_fg;
          content_fg.setDimensionIndexValues ((Uint32) (s + 1), 0);
          content_fg.setDimensionIndexValues ((Uint32) (k + 1), 1);
          OFVector<FGBase *> groups;
          groups.push_back (&position);
          groups.push_back (&content_fg);
          OFunique_ptr<FGDerivationImage> source;
          const MtDicomSlice *sl = (const MtDicomSlice *) under->pdata[k];
          if (sl != NULL && sl->sop_class_uid != NULL && sl->sop_instance_uid != NULL)
            {
              ImageSOPInstanceReferenceMacro ref;
              ref.setReferencedSOPClassUID (sl->sop_class_uid);
              ref.setReferencedSOPInstanceUID (sl->sop_instance_uid);
              OFVector<ImageSOPInstanceReferenceMacro> refs;
              refs.push_back (ref);
              source.reset (FGDerivationImage::createMinimal (refs, "Segmentation", derivation, purpose));
              if (source)
                groups.push_back (source.get ());
            }
          if (!check (doc->addFrame (frame.get (), (Uint16) (s + 1), groups), "frame", error))
            return FALSE;
        }
    }
  /* The source images once more, by series, as viewers look them up. */
  IODReferences refs;
  for (int k = 0; k < nz; k++)
    {
      const MtDicomSlice *sl = (const MtDicomSlice *) under->pdata[k];
      if (sl != NULL && sl->sop_class_uid != NULL && sl->sop_instance_uid != NULL)
        refs.add (new IODImageReference (sl->patient_id ? sl->patient_id : "", sl->study_uid ? sl->study_uid : "",
                                         sl->series_uid ? sl->series_uid : "", sl->sop_instance_uid,
                                         sl->sop_class_uid));
    }
  doc->getCommonInstanceReference ().addReferences (refs, first->study_uid ? first->study_uid : "");
  IODMultiframeDimensionModule &dims = doc->getDimensions ();
  char *org_uid = mt_dicom_uid_from_seed (out_path);
  dims.addDimensionIndex (DCM_ReferencedSegmentNumber, org_uid, DCM_SegmentIdentificationSequence, "Segment");
  dims.addDimensionIndex (DCM_ImagePositionPatient, org_uid, DCM_PlanePositionSequence, "Position");
  g_free (org_uid);

  g_autofree char *tmp = g_strconcat (out_path, ".part", NULL);
  OFCondition cond = doc->saveFile (tmp, EXS_LittleEndianExplicit);
  if (cond.bad ())
    {
      g_unlink (tmp);
      return check (cond, out_path, error);
    }
  /* Never half a file under the name asked for. */
  if (g_rename (tmp, out_path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE, _ ("Cannot write %s: %s"), out_path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
mt_dicom_seg_write (MtSegmentation *seg,
                    const char     *source_path,
                    const char     *out_path,
                    GError        **error)
{
  g_return_val_if_fail (seg != NULL && source_path != NULL && out_path != NULL, FALSE);
  mt_dicom_init ();
  try
    {
      return write_impl (seg, source_path, out_path, error);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE, _ ("Not enough memory to write %s"), out_path);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE, _ ("%s: %s"), out_path, e.what ());
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_WRITE, _ ("%s: unexpected failure while writing"),
                   out_path);
    }
  return FALSE;
}

/* ------------------------------------------------------------ reading */

static MtSegmentation *
read_fail (GError **error, const char *path, const char *why)
{
  g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED, _ ("%s cannot be read onto this scan: %s"), path,
               why);
  return NULL;
}

static MtSegmentation *
read_impl (const char *path, const MtVolume *grid, GError **error)
{
  DcmFileFormat file;
  OFCondition cond = file.loadFile (path);
  Uint16 rows = 0, cols = 0;
  DcmDataset *dataset = file.getDataset ();
  DcmSegmentation *raw = NULL;
  if (cond.good ())
    {
      dataset->findAndGetUint16 (DCM_Rows, rows);
      dataset->findAndGetUint16 (DCM_Columns, cols);
      cond = DcmSegmentation::loadDataset (*dataset, raw);
    }
  if (cond.bad () || raw == NULL)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_NOT_DICOM,
                   _ ("%s is not a DICOM Segmentation that can be read (%s)."), path, cond.text ());
      return NULL;
    }
  OFunique_ptr<DcmSegmentation> doc (raw);
  if (doc->getSegmentationType () != DcmSegTypes::ST_BINARY)
    return read_fail (error, path, _ ("it is a fractional segmentation; only binary ones are read."));
  OFString for_uid;
  doc->getFrameOfReference ().getFrameOfReferenceUID (for_uid);
  if (grid->frame_of_reference_uid != NULL && !for_uid.empty () && for_uid != grid->frame_of_reference_uid)
    return read_fail (error, path, _ ("it belongs to another frame of reference (another scan or patient)."));
  if (rows != grid->dims[1] || cols != grid->dims[0])
    return read_fail (error, path, _ ("its frames are not the size of this scan's slices."));

  FGInterface &fg = doc->getFunctionalGroups ();
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (grid);
  const size_t n_segments = doc->getNumberOfSegments ();
  g_autofree guint16 *value = g_new0 (guint16, n_segments + 1);
  for (size_t s = 1; s <= n_segments; s++)
    {
      DcmSegment *segment = doc->getSegment (s);
      if (segment == NULL)
        continue;
      OFString label, description;
      segment->getSegmentLabel (label);
      segment->getSegmentDescription (description);
      OFString cat;
      segment->getSegmentedPropertyCategoryCode ().getCodeValue (cat);
      MtSegmentCategory category = MT_SEGMENT_ANNOTATION;
      for (guint c = 0; c < G_N_ELEMENTS (categories); c++)
        if (cat == categories[c].code)
          category = categories[c].category;
      Uint16 lab[3] = { 0, 0, 0 };
      guint8 rgb[3] = { 200, 200, 200 };
      if (segment->getRecommendedDisplayCIELabValue (lab[0], lab[1], lab[2]).good ())
        dicom_lab_to_rgb (lab, rgb);
      g_autofree char *name = g_strdup (label.empty () ? "segment" : label.c_str ());
      value[s] = mt_segmentation_add_segment (seg, name, category, rgb);
      if (!description.empty ())
        mt_segmentation_set_label (seg, value[s], description.c_str ());
      /* The whole body by its outline, as the task shows it: a fill that
       * large would veil the scan. */
      if (g_str_equal (name, "body"))
        mt_segmentation_set_fill (seg, value[s], 0);
    }

  /* Frames onto the grid's slices. */
  FGPlaneOrientationPatient *orient
      = OFstatic_cast (FGPlaneOrientationPatient *, fg.get (0, DcmFGTypes::EFG_PLANEORIENTPATIENT));
  if (orient != NULL)
    {
      Float64 o[6];
      orient->getImageOrientationPatient (o[0], o[1], o[2], o[3], o[4], o[5]);
      const double *d = grid->direction;
      const double want[6] = { d[0], d[3], d[6], d[1], d[4], d[7] };
      for (int a = 0; a < 6; a++)
        if (fabs (o[a] - want[a]) > 1e-3)
          return read_fail (error, path, _ ("its slices are turned against this scan's."));
    }
  const gsize plane = (gsize) cols * rows;
  const size_t n_frames = doc->getNumberOfFrames ();
  g_autofree guint8 *mask = g_new (guint8, mt_segmentation_n_voxels (seg));
  for (size_t s = 1; s <= n_segments; s++)
    {
      memset (mask, 0, mt_segmentation_n_voxels (seg));
      gboolean any = FALSE;
      for (size_t f = 0; f < n_frames; f++)
        {
          FGSegmentation *which = OFstatic_cast (FGSegmentation *, fg.get (f, DcmFGTypes::EFG_SEGMENTATION));
          Uint16 number = 0;
          if (which == NULL || which->getReferencedSegmentNumber (number).bad () || number != s)
            continue;
          FGPlanePosPatient *pos = OFstatic_cast (FGPlanePosPatient *, fg.get (f, DcmFGTypes::EFG_PLANEPOSPATIENT));
          Float64 p[3];
          if (pos == NULL || pos->getImagePositionPatient (p[0], p[1], p[2]).bad ())
            return read_fail (error, path, _ ("a frame has no position."));
          double lps[3] = { p[0], p[1], p[2] }, ijk[3];
          mt_volume_patient_to_index (grid, lps, ijk);
          long k = lround (ijk[2]);
          if (fabs (ijk[0]) > 0.05 || fabs (ijk[1]) > 0.05 || fabs (ijk[2] - k) > 0.05 || k < 0
              || k >= grid->dims[2])
            return read_fail (error, path, _ ("a frame lies off this scan's slices."));
          const DcmIODTypes::Frame *packed = doc->getFrame (f);
          if (packed == NULL)
            return read_fail (error, path, _ ("a frame has no pixel data."));
          OFunique_ptr<DcmIODTypes::Frame> bits (DcmSegUtils::unpackBinaryFrame (packed, rows, cols));
          if (!bits || bits->length < plane)
            return read_fail (error, path, _ ("a frame's pixel data is cut short."));
          for (gsize o = 0; o < plane; o++)
            if (bits->pixData[o])
              {
                mask[(gsize) k * plane + o] = 1;
                any = TRUE;
              }
        }
      if (any && value[s] != 0)
        {
          /* Reading is not an edit the user could undo. */
          mt_segmentation_paint (seg, mask, value[s]);
        }
    }
  mt_segmentation_clear_history (seg);
  return (MtSegmentation *) g_steal_pointer (&seg);
}

MtSegmentation *
mt_dicom_seg_read (const char     *path,
                   const MtVolume *grid,
                   GError        **error)
{
  g_return_val_if_fail (path != NULL && grid != NULL, NULL);
  mt_dicom_init ();
  try
    {
      return read_impl (path, grid, error);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT,
                   _ ("%s: the file asks for more memory than there is; it is damaged"), path);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT, _ ("%s: %s"), path, e.what ());
    }
  catch (...)
    {
      g_set_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_CORRUPT, _ ("%s: unexpected failure while reading"), path);
    }
  return NULL;
}
