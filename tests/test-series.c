/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mt-dicom.h"
#include "mt-reslice.h"
#include "mt-file-utils.h"
#include "mt-series.h"
#include "mt-volume.h"
#include "mt-test-data.h"

static MtVolume *thorax;

static MtVolume *
load_thorax (void)
{
  if (thorax == NULL)
    {
      g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
      if (dir == NULL)
        return NULL;
      g_autoptr (GError) error = NULL;
      thorax = mt_series_read_volume (dir, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  return thorax;
}

static void
test_thorax_geometry (void)
{
  MtVolume *v = load_thorax ();
  if (v == NULL)
    return;
  g_assert_cmpint (v->dims[0], ==, 512);
  g_assert_cmpint (v->dims[1], ==, 512);
  g_assert_cmpint (v->dims[2], ==, 134);
  g_assert_cmpfloat_with_epsilon (v->spacing[0], 1.07421875, 1e-9);
  g_assert_cmpfloat_with_epsilon (v->spacing[1], 1.07421875, 1e-9);
  g_assert_cmpfloat_with_epsilon (v->spacing[2], 3.0, 1e-6);
  /* The lowest slice (z = 85.91) is the origin, whatever its file name. */
  g_assert_cmpfloat_with_epsilon (v->origin[0], -275.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->origin[1], -178.1, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->origin[2], 85.91, 1e-6);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon (v->direction[r * 3 + c], r == c ? 1.0 : 0.0, 1e-9);
  g_assert_cmpuint (v->warnings->len, ==, 0);
  g_assert_cmpstr (v->modality, ==, "CT");
  /* 12 bits stored, intercept -1000: whole numbers from -1000 to 3095. */
  g_assert_true (v->integer_values);
  g_assert_cmpfloat (v->value_min, ==, -1000.0);
  g_assert_cmpfloat (v->value_max, ==, 3095.0);
}

static void
test_thorax_hu (void)
{
  MtVolume *v = load_thorax ();
  if (v == NULL)
    return;
  float lo, hi;
  mt_volume_get_range (v, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1000.0f);     /* 12-bit unsigned, intercept -1000 */
  g_assert_cmpfloat (hi, ==, 1988.0f);

  /* Air in front of the patient, inside the field of view. */
  double sum = 0;
  for (int j = 55; j < 60; j++)
    for (int i = 250; i < 255; i++)
      sum += mt_volume_get (v, i, j, 67);
  g_assert_cmpfloat (fabs (sum / 25 + 1000.0), <, 30.0);

  /* The contrast-filled descending aorta, found by eye on slice z = 355.91
   * (file 1-044.dcm): 278 HU at its centre. */
  const double aorta[3] = { 22.56, 118.38, 355.91 };
  float hu = mt_volume_sample_nearest (v, aorta, -2000);
  g_assert_cmpfloat (hu, >, 150.0f);
  g_assert_cmpfloat (hu, ==, 278.0f);
  double ijk[3];
  mt_volume_patient_to_index (v, aorta, ijk);
  g_assert_cmpfloat_with_epsilon (ijk[0], 277.0, 0.01);
  g_assert_cmpfloat_with_epsilon (ijk[1], 276.0, 0.01);
  g_assert_cmpfloat_with_epsilon (ijk[2], 90.0, 1e-6);
}

static void
test_thorax_sorted_by_position (void)
{
  MtVolume *v = load_thorax ();
  if (v == NULL)
    return;
  /* 1-001.dcm is the top slice (z = 484.91): it must land at k = 133. */
  g_autofree char *path = mt_test_data_path ("ct-thorax-abdomen", "1-001.dcm", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtDicomSlice) h = mt_dicom_read_header (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (h->position[2], 484.91, 1e-6);
  gsize n = (gsize) h->rows * h->columns;
  g_autofree float *pixels = g_new (float, n);
  g_assert_true (mt_dicom_read_pixels (h, pixels, n, &error));
  g_assert_no_error (error);
  const float *slice = v->data + mt_volume_offset (v, 0, 0, 133);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (slice[i], ==, pixels[i]);
  double top[3];
  mt_volume_index_to_patient (v, (double[3]) { 0, 0, 133 }, top);
  g_assert_cmpfloat_with_epsilon (top[2], 484.91, 1e-6);
}

static void
test_pydicom_small (void)
{
  struct { const char *name; int nx, ny; float v00; float lo, hi; double spacing; } cases[] = {
    { "CT_small.dcm", 128, 128, -849.0f, -896.0f, 1167.0f, 0.661468 },  /* signed 16, rescaled */
    { "MR_small.dcm", 64, 64, 905.0f, 127.0f, 2145.0f, 0.3125 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = mt_test_pydicom_path (cases[c].name);
      if (path == NULL)
        return;
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v->dims[0], ==, cases[c].nx);
      g_assert_cmpint (v->dims[1], ==, cases[c].ny);
      g_assert_cmpint (v->dims[2], ==, 1);
      g_assert_cmpfloat_with_epsilon (v->spacing[0], cases[c].spacing, 1e-6);
      g_assert_cmpfloat (mt_volume_get (v, 0, 0, 0), ==, cases[c].v00);
      float lo, hi;
      mt_volume_get_range (v, &lo, &hi);
      g_assert_cmpfloat (lo, ==, cases[c].lo);
      g_assert_cmpfloat (hi, ==, cases[c].hi);
    }
}

/* 8-bit unsigned, deflated explicit VR, no geometry at all: the values come
 * through exactly and the user is told what was assumed. */
static void
test_pydicom_8bit_deflate (void)
{
  g_autofree char *path = mt_test_pydicom_path ("image_dfl.dcm");
  if (path == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v->dims[0], ==, 512);
  g_assert_cmpint (v->dims[1], ==, 512);
  /* Values read with pydicom: pixel_array[row, column]. */
  g_assert_cmpfloat (mt_volume_get (v, 0, 0, 0), ==, 213.0f);
  g_assert_cmpfloat (mt_volume_get (v, 256, 256, 0), ==, 65.0f);
  g_assert_cmpfloat (mt_volume_get (v, 300, 100, 0), ==, 70.0f);
  float lo, hi;
  mt_volume_get_range (v, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0f);
  g_assert_cmpfloat (hi, ==, 255.0f);
  g_assert_cmpuint (v->warnings->len, ==, 2);
  g_assert_nonnull (strstr (v->warnings->pdata[0], "ImageOrientationPatient"));
  g_assert_nonnull (strstr (v->warnings->pdata[1], "PixelSpacing"));
}

/* Stored bits are masked and sign-extended: 12-bit two's complement with
 * garbage in the four unused high bits, as overlays leave them. */
static void
test_12bit_signed (void)
{
  const int values[8] = { -2048, -1, 0, 2047, -1000, 5, 100, -7 };
  guint16 stored[8];
  for (int i = 0; i < 8; i++)
    stored[i] = (guint16) (((guint16) values[i] & 0x0fff) | (i % 2 ? 0xa000 : 0x5000));
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-dicom-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "signed12.dcm", NULL);
  MtDicomCtSpec spec = {
    .patient_name = "Test", .patient_id = "T1", .study_uid = "2.25.1", .series_uid = "2.25.2",
    .frame_of_reference_uid = "2.25.3", .sop_instance_uid = "2.25.4", .study_date = "20260101",
    .study_time = "000000", .rows = 2, .columns = 4, .pixel_spacing = { 0.5, 0.7 },
    .position = { 10, 20, 30 }, .orientation = { 1, 0, 0, 0, 1, 0 }, .slice_thickness = 2,
    .rescale_slope = 2.0, .rescale_intercept = -10.0, .window_center = 0, .window_width = 100,
    .bits_stored = 12, .pixel_signed = TRUE, .pixels = stored,
  };
  g_assert_true (mt_dicom_write_ct (&spec, path, &error));
  g_assert_no_error (error);
  g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (v->invert_display);
  g_assert_cmpint (v->dims[0], ==, 4);
  g_assert_cmpint (v->dims[1], ==, 2);
  /* Column spacing runs along i, row spacing along j. */
  g_assert_cmpfloat_with_epsilon (v->spacing[0], 0.7, 1e-9);
  g_assert_cmpfloat_with_epsilon (v->spacing[1], 0.5, 1e-9);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (v->data[i], ==, values[i] * 2.0f - 10.0f);
  /* MONOCHROME1: the same values, shown inverted. */
  spec.monochrome1 = TRUE;
  g_assert_true (mt_dicom_write_ct (&spec, path, &error));
  g_autoptr (MtVolume) m1 = mt_series_read_volume (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (m1->invert_display);
  g_assert_cmpfloat (m1->data[3], ==, 2047 * 2.0f - 10.0f);
  g_unlink (path);
  g_rmdir (dir);
}

static void
assert_same_voxels (const MtVolume *a, const MtVolume *b, const char *what)
{
  for (int d = 0; d < 3; d++)
    g_assert_cmpint (a->dims[d], ==, b->dims[d]);
  gsize n = mt_volume_n_voxels (a), differ = 0;
  for (gsize i = 0; i < n; i++)
    differ += a->data[i] != b->data[i];
  if (differ)
    g_error ("%s: %zu of %zu voxels differ", what, differ, n);
}

/* One MR image in nine transfer syntaxes (explicit and implicit little
 * endian, big endian, RLE, JPEG lossless twice, JPEG-LS twice, JPEG 2000):
 * every voxel identical. */
static void
test_codecs_identical (void)
{
  g_autofree char *first = mt_test_data_path ("codecs", "1.dcm", NULL);
  if (first == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) ref = mt_series_read_volume (first, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ref->dims[0], ==, 384);
  g_assert_cmpint (ref->dims[1], ==, 384);
  float lo, hi;
  mt_volume_get_range (ref, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 0.0f);
  g_assert_cmpfloat (hi, ==, 2362.0f);
  for (int i = 2; i <= 9; i++)
    {
      g_autofree char *name = g_strdup_printf ("%d.dcm", i);
      g_autofree char *path = mt_test_data_path ("codecs", name, NULL);
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_voxels (ref, v, name);
    }

  /* pydicom's MR_small in other syntaxes, JPEG 2000 among them. */
  g_autofree char *mr = mt_test_pydicom_path ("MR_small.dcm");
  if (mr == NULL)
    return;
  g_autoptr (MtVolume) mr_ref = mt_series_read_volume (mr, NULL, NULL, &error);
  g_assert_no_error (error);
  const char *variants[] = { "MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
                             "MR_small_expb.dcm", "MR_small_jpeg_ls_lossless.dcm",
                             "MR_small_jp2klossless.dcm" };
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *path = mt_test_pydicom_path (variants[i]);
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_voxels (mr_ref, v, variants[i]);
    }
}

static MtVolume *
load_stack (const char *path, guint index, guint *n_stacks)
{
  const char *paths[] = { path, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = mt_series_scan (paths, NULL, NULL, &error);
  g_assert_no_error (error);
  *n_stacks = all->len;
  g_assert_cmpuint (index, <, all->len);
  MtVolume *v = mt_series_load (all->pdata[index], NULL, NULL, &error);
  g_assert_no_error (error);
  return v;
}

/* Enhanced MR: geometry and rescale come from each frame's functional
 * groups; the Philips file interleaves a magnitude and a field map, which
 * become two volumes. Expected values read with pydicom. */
static void
test_enhanced (void)
{
  g_autofree char *philips = mt_test_data_path ("enhanced", "In_Philips_IM_0027_fMAP.dcm", NULL);
  if (philips == NULL)
    return;
  guint n = 0;
  g_autoptr (MtVolume) a = load_stack (philips, 0, &n);
  g_autoptr (MtVolume) b = load_stack (philips, 1, &n);
  g_assert_cmpuint (n, ==, 2);
  for (MtVolume *v = a; v; v = v == a ? b : NULL)
    {
      g_assert_cmpint (v->dims[0], ==, 64);
      g_assert_cmpint (v->dims[2], ==, 32);
      g_assert_cmpfloat_with_epsilon (v->spacing[2], 4.0, 1e-4);
      g_assert_cmpfloat_with_epsilon (v->origin[2], -38.35459, 1e-4);
      g_assert_cmpuint (v->warnings->len, ==, 0);
    }
  /* Which is which: the magnitude has no negative values. */
  float lo_a, hi_a;
  mt_volume_get_range (a, &lo_a, &hi_a);
  MtVolume *magnitude = lo_a >= 0 ? a : b, *fieldmap = lo_a >= 0 ? b : a;
  /* Frame 0 (z -38.35): magnitude, slope 1.2799; frame 63 (z 85.65) and
   * frame 40 (z -6.35): field map, slope 0.2442, intercept -500. */
  g_assert_cmpfloat (fabs (mt_volume_get (magnitude, 30, 20, 0) - 654.0051), <, 1e-3);
  g_assert_cmpfloat (fabs (mt_volume_get (fieldmap, 30, 20, 31) - 187.4237), <, 1e-3);
  g_assert_cmpfloat (fabs (mt_volume_get (fieldmap, 30, 20, 8) - (-4.7619)), <, 1e-3);
  double top[3];
  mt_volume_index_to_patient (fieldmap, (double[3]) { 0, 0, 31 }, top);
  g_assert_cmpfloat_with_epsilon (top[2], 85.64541, 1e-3);

  g_autofree char *siemens = mt_test_data_path ("enhanced", "In_Siemens_XA10_6_1.dcm", NULL);
  g_autoptr (MtVolume) s = load_stack (siemens, 0, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (s->dims[2], ==, 6);
  g_assert_cmpfloat_with_epsilon (s->spacing[0], 3.375, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->spacing[2], 2.4, 1e-3);
  g_assert_cmpfloat (mt_volume_get (s, 32, 32, 3), ==, 574.0f);
}

/* Colour secondary captures: exact RGB as pydicom decodes it (YBR 4:2:2
 * within rounding of the colour conversion), one image per frame. */
static void
test_colour (void)
{
  struct { const char *name; int frame, row, col; int rgb[3]; int tolerance; } cases[] = {
    { "SC_rgb_dcmtk_+eb+cr.dcm", 0, 5, 50, { 255, 0, 0 }, 0 },
    { "SC_rgb_dcmtk_+eb+cr.dcm", 0, 50, 5, { 129, 129, 255 }, 0 },
    { "SC_rgb_rle.dcm", 0, 50, 5, { 128, 128, 255 }, 0 },
    { "SC_rgb_rle_2frame.dcm", 1, 5, 50, { 0, 255, 255 }, 0 },
    { "SC_ybr_full_422_uncompressed.dcm", 0, 5, 50, { 254, 0, 0 }, 2 },
    { "SC_ybr_full_422_uncompressed.dcm", 0, 50, 5, { 125, 130, 255 }, 2 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = mt_test_pydicom_path (cases[c].name);
      if (path == NULL)
        return;
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (v->rgb);
      g_assert_cmpint (v->dims[0], ==, 100);
      const guint8 *p = v->rgb + mt_volume_offset (v, cases[c].col, cases[c].row, cases[c].frame) * 3;
      for (int k = 0; k < 3; k++)
        g_assert_cmpint (abs (p[k] - cases[c].rgb[k]), <=, cases[c].tolerance);
      float lum = mt_volume_get (v, cases[c].col, cases[c].row, cases[c].frame);
      g_assert_cmpfloat (fabs (lum - (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2])), <, 0.01);
    }
}

/* Magnitude and phase images at the same positions in one series are two
 * stacks, as dcm2niix makes them, not duplicates to drop. */
static void
test_mixed_acquisitions (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-mixed-XXXXXX", &error);
  guint16 pixels[4] = { 1, 2, 3, 4 };
  const char *types[2] = { "ORIGINAL\\PRIMARY\\M\\ND", "ORIGINAL\\PRIMARY\\P\\ND" };
  for (int t = 0; t < 2; t++)
    for (int z = 0; z < 3; z++)
      {
        g_autofree char *uid = g_strdup_printf ("2.25.%d%d", t + 1, z + 1);
        MtDicomCtSpec spec = {
          .patient_name = "Test", .patient_id = "T1", .study_uid = "2.25.1", .series_uid = "2.25.2",
          .frame_of_reference_uid = "2.25.3", .sop_instance_uid = uid, .study_date = "20260101",
          .study_time = "000000", .rows = 2, .columns = 2, .pixel_spacing = { 1, 1 },
          .position = { 0, 0, z * 2.0 }, .orientation = { 1, 0, 0, 0, 1, 0 }, .slice_thickness = 2,
          .rescale_slope = 1, .window_width = 100, .bits_stored = 12, .pixels = pixels,
          .image_type = types[t], .instance_number = t * 3 + z + 1,
        };
        g_autofree char *name = g_strdup_printf ("%d-%d.dcm", t, z);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_assert_true (mt_dicom_write_ct (&spec, path, &error));
      }
  const char *paths[] = { dir, NULL };
  g_autoptr (GPtrArray) stacks = mt_series_scan (paths, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stacks->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (MtVolume) v = mt_series_load (stacks->pdata[i], NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v->dims[2], ==, 3);
      g_assert_cmpuint (v->warnings->len, ==, 0);
    }
  mt_remove_tree (dir);
}

static void
test_bad_files (void)
{
  const char *bad[] = {
    "GH364.dcm", "GH626.dcm", "dwv-test_no-number-rows.dcm",
    "JPEGLossless_1s_1f_i_16_16_bad.dcm", "J2K_pixelrep_mismatch.dcm",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = mt_test_data_path ("bad", bad[i], NULL);
      if (path == NULL)
        return;
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      g_assert_null (v);
      g_assert_nonnull (error);
      /* The message names the file, so a user knows which one to replace. */
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_test_message ("%s -> %s", bad[i], error->message);
    }
  g_autofree char *truncated = mt_test_pydicom_path ("MR_truncated.dcm");
  if (truncated != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (truncated, NULL, NULL, &error);
      g_assert_null (v);
      g_assert_nonnull (strstr (error->message, "MR_truncated.dcm"));
    }
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Each raw file of a folder with its decoded pixels. */
typedef struct
{
  MtDicomSlice *h;
  float        *pixels;
} RawSlice;

static GArray *
read_raw_slices (const char *dir)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (RawSlice));
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_suffix (name, ".dcm"))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      RawSlice r = { mt_dicom_read_header (path, NULL), NULL };
      g_assert_nonnull (r.h);
      gsize n = (gsize) r.h->rows * r.h->columns;
      r.pixels = g_new (float, n);
      g_assert_true (mt_dicom_read_pixels (r.h, r.pixels, n, NULL));
      g_array_append_val (out, r);
    }
  return out;
}

static void
free_raw_slices (GArray *raw)
{
  for (guint i = 0; i < raw->len; i++)
    {
      mt_dicom_slice_free (g_array_index (raw, RawSlice, i).h);
      g_free (g_array_index (raw, RawSlice, i).pixels);
    }
  g_array_unref (raw);
}

static void
raw_position (const MtDicomSlice *h, int i, int j, double p[3])
{
  for (int a = 0; a < 3; a++)
    p[a] = h->position[a] + i * h->pixel_spacing[1] * h->orientation[a]
                          + j * h->pixel_spacing[0] * h->orientation[3 + a];
}

/* 11 slices, two at one position, gaps from 7.5 to 115 mm: one is left out,
 * the rest resampled onto a regular 7.5 mm grid, and every original slice
 * that falls on that grid comes back voxel for voxel at its own position. */
static void
test_duplicate_positions (void)
{
  g_autofree char *dir = mt_test_data_path ("bad", "dupe-positions", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (v->spacing[2], 7.5, 1e-6);
  g_assert_cmpint (v->dims[2], ==, 64);
  const char *expect[] = { "repeat the position", "uneven", "missing" };
  for (guint e = 0; e < G_N_ELEMENTS (expect); e++)
    {
      gboolean found = FALSE;
      for (guint w = 0; w < v->warnings->len; w++)
        found |= strstr (v->warnings->pdata[w], expect[e]) != NULL;
      g_assert_true (found);
    }

  GArray *raw = read_raw_slices (dir);
  int on_grid = 0;
  for (guint r = 0; r < raw->len; r++)
    {
      RawSlice *rs = &g_array_index (raw, RawSlice, r);
      gboolean duplicated = FALSE;
      for (guint q = 0; q < raw->len; q++)
        duplicated |= q != r && fabs (g_array_index (raw, RawSlice, q).h->position[2] - rs->h->position[2]) < 0.01;
      double m = (rs->h->position[2] - v->origin[2]) / v->spacing[2];
      if (duplicated || fabs (m - lround (m)) > 1e-6)
        continue;
      on_grid++;
      for (int j = 0; j < rs->h->rows; j += 7)
        for (int i = 0; i < rs->h->columns; i += 7)
          {
            double p[3], ijk[3];
            raw_position (rs->h, i, j, p);
            mt_volume_patient_to_index (v, p, ijk);
            g_assert_cmpfloat (fabs (ijk[0] - i) + fabs (ijk[1] - j), <, 1e-6);
            g_assert_cmpfloat (mt_volume_get (v, i, j, (int) lround (m)), ==, rs->pixels[j * rs->h->columns + i]);
          }
    }
  g_assert_cmpint (on_grid, >=, 3);
  free_raw_slices (raw);
}

/* Gantry tilt 18.5 degrees and steps of 4, 7 and 1.08 mm: resampled onto an
 * orthogonal 4 mm grid. Raw voxels are found again at their true patient
 * positions (in the 4 mm part, where only in-plane interpolation enters),
 * far closer than a stack that ignored the tilt would put them. */
static void
test_gantry_tilt (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-head-tilted", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v->dims[0], ==, 512);
  g_assert_cmpint (v->dims[2], ==, 37);
  g_assert_cmpfloat_with_epsilon (v->spacing[0], 0.4882812, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->spacing[2], 4.002, 0.001);
  /* Orthonormal: rows as acquired, the third axis the slice normal. */
  g_assert_cmpfloat_with_epsilon (v->direction[4], 0.9483237, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->direction[7], -0.3173047, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->direction[5], 0.3173047, 1e-6);
  g_assert_cmpfloat_with_epsilon (v->direction[8], 0.9483237, 1e-6);
  gboolean tilt = FALSE, uneven = FALSE;
  for (guint w = 0; w < v->warnings->len; w++)
    {
      tilt |= strstr (v->warnings->pdata[w], "gantry tilt of 18.5") != NULL;
      uneven |= strstr (v->warnings->pdata[w], "uneven") != NULL;
    }
  g_assert_true (tilt);
  g_assert_true (uneven);

  GArray *raw = read_raw_slices (dir);
  double n[3] = { v->direction[2], v->direction[5], v->direction[8] };
  double d0 = v->origin[0] * n[0] + v->origin[1] * n[1] + v->origin[2] * n[2];
  g_autoptr (GArray) err_true = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) err_naive = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint r = 0; r < raw->len; r++)
    {
      RawSlice *rs = &g_array_index (raw, RawSlice, r);
      double d = rs->h->position[0] * n[0] + rs->h->position[1] * n[1] + rs->h->position[2] * n[2];
      double m = (d - d0) / v->spacing[2];
      if (fabs (m - lround (m)) > 0.01 || m < 1)
        continue;
      for (int j = 96; j < 416; j += 8)
        for (int i = 96; i < 416; i += 8)
          {
            double p[3], naive[3];
            raw_position (rs->h, i, j, p);
            float value = rs->pixels[j * rs->h->columns + i];
            double e = fabs (mt_volume_sample_linear (v, p, -2000) - value);
            g_array_append_val (err_true, e);
            /* Where a stack that ignored the tilt would have put this voxel. */
            mt_volume_index_to_patient (v, (double[3]) { i, j, m }, naive);
            e = fabs (mt_volume_sample_linear (v, naive, -2000) - value);
            g_array_append_val (err_naive, e);
          }
    }
  free_raw_slices (raw);
  g_assert_cmpuint (err_true->len, >, 5000);
  /* Medians: bone edges, sampled twice through interpolation, make a long
   * tail that says nothing about where things are. */
  g_array_sort (err_true, compare_double);
  g_array_sort (err_naive, compare_double);
  double med_true = g_array_index (err_true, double, err_true->len / 2);
  double med_naive = g_array_index (err_naive, double, err_naive->len / 2);
  g_test_message ("median |HU| error at true positions %.2f, ignoring the tilt %.2f", med_true, med_naive);
  g_assert_cmpfloat (med_true, <, 3.0);
  g_assert_cmpfloat (med_true, <, 0.25 * med_naive);
}

/* The thorax CT needs about 281 MB at most: refused under a 100 MB budget
 * before anything is decoded, with the numbers and what to do. */
static void
test_memory_budget (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (dir == NULL)
    return;
  const char *paths[] = { dir, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = mt_series_scan (paths, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mt_series_memory_needed (all->pdata[0]), ==, 2ull * 512 * 512 * 134 * 4);
  g_setenv ("MEDTWIN_MEMORY_BUDGET_MB", "100", TRUE);
  g_assert_cmpuint (mt_series_memory_budget (), ==, 100ull << 20);
  g_autoptr (MtVolume) v = mt_series_load (all->pdata[0], NULL, NULL, &error);
  g_unsetenv ("MEDTWIN_MEMORY_BUDGET_MB");
  g_assert_null (v);
  g_assert_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "MEDTWIN_MEMORY_BUDGET_MB"));
  g_assert_nonnull (strstr (error->message, "512 x 512"));
  /* Without the limit, the default (half the memory) lets it through. */
  g_assert_cmpuint (mt_series_memory_budget (), >, 1ull << 30);
}

/* Every file among pydicom's test files: loads as a volume with finite
 * values, or fails with a message that names the file; never a crash. */
static void
test_pydicom_sweep (void)
{
  g_autofree char *dir = mt_test_pydicom_path (".");
  if (dir == NULL)
    return;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *subdirs[] = { "", "dicomdirtests", NULL };
  for (int s = 0; subdirs[s]; s++)
    {
      g_autofree char *d = g_build_filename (dir, subdirs[s], NULL);
      g_autoptr (GDir) gd = g_dir_open (d, 0, NULL);
      const char *name;
      while (gd && (name = g_dir_read_name (gd)) != NULL)
        {
          g_autofree char *p = g_build_filename (d, name, NULL);
          if (g_file_test (p, G_FILE_TEST_IS_REGULAR) && !g_str_has_suffix (name, ".gz"))
            g_ptr_array_add (files, g_steal_pointer (&p));
        }
    }
  int loaded = 0, refused = 0;
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (path, NULL, NULL, &error);
      if (v != NULL)
        {
          g_assert_no_error (error);
          for (gsize k = 0; k < mt_volume_n_voxels (v); k++)
            g_assert_true (isfinite (v->data[k]));
          loaded++;
          continue;
        }
      g_assert_nonnull (error);
      g_autofree char *base = g_path_get_basename (path);
      /* A DICOMDIR stands for its files, whose names the message carries. */
      if (!g_str_has_prefix (base, "DICOMDIR"))
        g_assert_nonnull (strstr (error->message, base));
      refused++;
    }
  g_test_message ("pydicom's test files: %d loaded, %d refused with a reason", loaded, refused);
  g_assert_cmpint (loaded, >=, 38);
}

/* The same head supine and prone: sagittal 2D slices, 4.8 mm apart along
 * -x, each position in its own frame of reference. Values read with pydicom
 * (slice 17 in position order). */
static void
test_decubitus (void)
{
  const char *positions[] = { "HFS", "HFP" };
  const float centre[] = { 484.0f, 814.0f };
  char *frames[2] = { NULL, NULL };
  for (int p = 0; p < 2; p++)
    {
      g_autofree char *dir = mt_test_data_path ("mr-decubitus", positions[p], NULL);
      if (dir == NULL)
        {
          g_free (frames[0]);
          return;
        }
      g_autoptr (GError) error = NULL;
      g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (v->dims[0], ==, 256);
      g_assert_cmpint (v->dims[1], ==, 256);
      g_assert_cmpint (v->dims[2], ==, 35);
      g_assert_cmpfloat_with_epsilon (v->spacing[0], 1.015625, 1e-9);
      g_assert_cmpfloat_with_epsilon (v->spacing[2], 4.8, 1e-3);
      const double dir_expected[9] = { 0, 0, -1, 1, 0, 0, 0, -1, 0 };
      for (int i = 0; i < 9; i++)
        g_assert_cmpfloat_with_epsilon (v->direction[i], dir_expected[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (v->origin[0], 81.6, 1e-4);
      g_assert_cmpfloat_with_epsilon (v->origin[1], -130.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (v->origin[2], 130.0, 1e-6);
      g_assert_cmpfloat (mt_volume_get (v, 128, 128, 17), ==, centre[p]);
      g_assert_cmpuint (v->warnings->len, ==, 0);
      frames[p] = g_strdup (v->frame_of_reference_uid);
    }
  g_assert_cmpstr (frames[0], !=, frames[1]);
  g_free (frames[0]);
  g_free (frames[1]);
}

/* The automatic window ignores the brightest and darkest half percent: a
 * ramp of 0..999 with a few huge outliers is windowed on the ramp. */
static void
test_auto_window (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_volume_new (100, 100, 10, &error);
  for (gsize i = 0; i < mt_volume_n_voxels (v); i++)
    v->data[i] = (float) (i % 1000);
  for (gsize i = 0; i < mt_volume_n_voxels (v); i += 997)
    v->data[i] = 50000.0f;
  double c, w;
  mt_volume_auto_window (v, &c, &w);
  g_assert_cmpfloat (fabs ((c - w / 2) - 5), <, 3);
  g_assert_cmpfloat (fabs ((c + w / 2) - 995), <, 3);

  /* The decubitus MR: a window inside its range, not the full range. */
  g_autofree char *dir = mt_test_data_path ("mr-decubitus", "HFS", NULL);
  if (dir == NULL)
    return;
  g_autoptr (MtVolume) mr = mt_series_read_volume (dir, NULL, NULL, &error);
  float lo, hi;
  mt_volume_get_range (mr, &lo, &hi);
  mt_volume_auto_window (mr, &c, &w);
  g_test_message ("MR auto window: centre %.0f, width %.0f (values %.0f..%.0f)", c, w, lo, hi);
  g_assert_cmpfloat (c + w / 2, <, hi);
  g_assert_cmpfloat (w, >, 0.2 * (hi - lo));
}

/* Thick slabs combine the slices around the current one, clamped at the
 * volume's ends. */
static void
test_slabs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_volume_new (8, 6, 10, &error);
  for (int k = 0; k < 10; k++)
    for (int j = 0; j < 6; j++)
      for (int i = 0; i < 8; i++)
        v->data[mt_volume_offset (v, i, j, k)] = (float) ((i * 7 + j * 3 + k * 11) % 13);
  MtSliceLayout l;
  mt_slice_layout_init (&l, v, MT_VIEW_AXIAL);
  g_autofree float *thin = mt_slice_extract (v, &l, 4);
  g_autofree float *same = mt_slice_extract_slab (v, &l, 4, 0, MT_SLAB_MIP);
  for (int i = 0; i < 48; i++)
    g_assert_cmpfloat (thin[i], ==, same[i]);
  const MtSlabMode modes[3] = { MT_SLAB_MIP, MT_SLAB_MINIP, MT_SLAB_MEAN };
  const int centres[2] = { 4, 0 };   /* the second is clamped at the first slice */
  for (int c = 0; c < 2; c++)
    for (int m = 0; m < 3; m++)
      {
        g_autofree float *slab = mt_slice_extract_slab (v, &l, centres[c], 2, modes[m]);
        for (int j = 0; j < 6; j++)
          for (int i = 0; i < 8; i++)
            {
              double hi = -1, lo = 1e9, sum = 0;
              int n = 0;
              for (int k = MAX (0, centres[c] - 2); k <= MIN (9, centres[c] + 2); k++, n++)
                {
                  double x = mt_volume_get (v, i, j, k);
                  hi = MAX (hi, x);
                  lo = MIN (lo, x);
                  sum += x;
                }
              double expected = modes[m] == MT_SLAB_MIP ? hi : modes[m] == MT_SLAB_MINIP ? lo : sum / n;
              g_assert_cmpfloat (fabs (slab[j * 8 + i] - expected), <, 1e-5);
            }
      }
}

static void
test_missing_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume ("/nonexistent/scan", NULL, NULL, &error);
  g_assert_null (v);
  g_assert_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_NO_IMAGES);
  g_assert_nonnull (strstr (error->message, "/nonexistent/scan"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/series/thorax-geometry", test_thorax_geometry);
  g_test_add_func ("/pipeline/series/thorax-hu", test_thorax_hu);
  g_test_add_func ("/pipeline/series/sorted-by-position", test_thorax_sorted_by_position);
  g_test_add_func ("/pipeline/series/pydicom-small", test_pydicom_small);
  g_test_add_func ("/pipeline/series/pydicom-8bit-deflate", test_pydicom_8bit_deflate);
  g_test_add_func ("/pipeline/series/12bit-signed", test_12bit_signed);
  g_test_add_func ("/pipeline/series/codecs-identical", test_codecs_identical);
  g_test_add_func ("/pipeline/series/enhanced", test_enhanced);
  g_test_add_func ("/pipeline/series/colour", test_colour);
  g_test_add_func ("/pipeline/series/mixed-acquisitions", test_mixed_acquisitions);
  g_test_add_func ("/pipeline/series/bad-files", test_bad_files);
  g_test_add_func ("/pipeline/series/duplicate-positions", test_duplicate_positions);
  g_test_add_func ("/pipeline/series/gantry-tilt", test_gantry_tilt);
  g_test_add_func ("/pipeline/series/memory-budget", test_memory_budget);
  g_test_add_func ("/pipeline/series/pydicom-sweep", test_pydicom_sweep);
  g_test_add_func ("/pipeline/series/decubitus", test_decubitus);
  g_test_add_func ("/pipeline/series/auto-window", test_auto_window);
  g_test_add_func ("/pipeline/series/slabs", test_slabs);
  g_test_add_func ("/pipeline/series/missing-path", test_missing_path);
  int ret = g_test_run ();
  g_clear_pointer (&thorax, mt_volume_unref);
  return ret;
}
