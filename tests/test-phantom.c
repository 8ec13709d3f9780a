/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mt-nifti.h"
#include "mt-file-utils.h"
#include "mt-phantom.h"
#include "mt-series.h"
#include "mt-transform.h"
#include "mt-volume.h"

static char *dir_a;   /* seed 7 */
static char *dir_b;   /* seed 7 again */

static void
generate (char **dir, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  *dir = g_dir_make_tmp ("medtwin-phantom-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (mt_phantom_write (*dir, seed, NULL, NULL, &error));
  g_assert_no_error (error);
}

static GPtrArray *
list_files (const char *root)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *subdirs[] = { "baseline", "followup", "truth", "." };
  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *d = g_build_filename (root, subdirs[s], NULL);
      g_autoptr (GDir) dir = g_dir_open (d, 0, NULL);
      g_assert_nonnull (dir);
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *p = g_build_filename (d, name, NULL);
          if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (out, g_build_filename (subdirs[s], name, NULL));
        }
    }
  return out;
}

static void
test_layout_and_determinism (void)
{
  g_autoptr (GPtrArray) files = list_files (dir_a);
  /* 100 slices each, two label maps, labels.json, the transform, the ECG truth and CSV. */
  g_assert_cmpuint (files->len, ==, 100 + 100 + 5 + 1);
  const char *must[] = { "truth/baseline-labels.nii.gz", "truth/followup-labels.nii.gz",
                         "truth/labels.json", "truth/followup-from-baseline.tfm",
                         "truth/ecg.json", "./ecg.csv" };
  for (guint i = 0; i < G_N_ELEMENTS (must); i++)
    {
      g_autofree char *p = g_build_filename (dir_a, must[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
  /* The same seed gives the same bytes, file by file. */
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *pa = g_build_filename (dir_a, files->pdata[i], NULL);
      g_autofree char *pb = g_build_filename (dir_b, files->pdata[i], NULL);
      g_autofree char *ca = NULL, *cb = NULL;
      gsize la, lb;
      g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
      g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
      g_assert_cmpuint (la, ==, lb);
      g_assert_true (memcmp (ca, cb, la) == 0);
    }
}

static void
test_dicom_rereads (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) ph = mt_phantom_generate (7, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *dir = g_build_filename (dir_a, "baseline", NULL);
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v->dims[0], ==, 256);
  g_assert_cmpint (v->dims[1], ==, 256);
  g_assert_cmpint (v->dims[2], ==, 100);
  g_assert_cmpstr (v->modality, ==, "CT");
  g_assert_cmpuint (v->warnings->len, ==, 0);
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpfloat_with_epsilon (v->origin[a], ph->ct->origin[a], 1e-4);
      g_assert_cmpfloat_with_epsilon (v->spacing[a], ph->ct->spacing[a], 1e-6);
    }
  /* Every voxel back exactly, in HU. */
  gsize n = mt_volume_n_voxels (v);
  for (gsize i = 0; i < n; i++)
    if (v->data[i] != ph->ct->data[i])
      g_error ("voxel %zu: %g from DICOM, %g generated", i, v->data[i], ph->ct->data[i]);
}

static void
test_dciodvfy (void)
{
  g_autofree char *tool = g_find_program_in_path ("dciodvfy");
  if (tool == NULL)
    {
      g_test_skip ("dciodvfy (Debian dicom3tools) is not installed");
      return;
    }
  g_autofree char *file = g_build_filename (dir_a, "baseline", "CT0050.dcm", NULL);
  const char *argv[] = { tool, "-new", file, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_autofree char *all = g_strconcat (out, err, NULL);
  g_test_message ("dciodvfy: %s", all);
  g_assert_true (strstr (all, "CTImage") != NULL);
  g_assert_null (strstr (all, "Error"));
}

static double
label_ml (const MtVolume *labels, MtLabel l)
{
  gsize n = mt_volume_n_voxels (labels), count = 0;
  for (gsize i = 0; i < n; i++)
    count += labels->data[i] == (float) l;
  return count * labels->spacing[0] * labels->spacing[1] * labels->spacing[2] / 1000.0;
}

static void
centroid (const MtVolume *labels, MtLabel l, double out[3])
{
  double sum[3] = { 0, 0, 0 };
  gsize count = 0;
  for (int k = 0; k < labels->dims[2]; k++)
    for (int j = 0; j < labels->dims[1]; j++)
      for (int i = 0; i < labels->dims[0]; i++)
        if (labels->data[mt_volume_offset (labels, i, j, k)] == (float) l)
          {
            double p[3];
            mt_volume_index_to_patient (labels, (double[3]) { i, j, k }, p);
            for (int a = 0; a < 3; a++)
              sum[a] += p[a];
            count++;
          }
  g_assert_cmpuint (count, >, 0);
  for (int a = 0; a < 3; a++)
    out[a] = sum[a] / count;
}

static void
test_truth_labels (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bpath = g_build_filename (dir_a, "truth", "baseline-labels.nii.gz", NULL);
  g_autofree char *fpath = g_build_filename (dir_a, "truth", "followup-labels.nii.gz", NULL);
  g_autoptr (MtVolume) base = mt_nifti_read (bpath, &error);
  g_assert_no_error (error);
  g_autoptr (MtVolume) follow = mt_nifti_read (fpath, &error);
  g_assert_no_error (error);

  /* The NIfTI affine brings back the scan's LPS grid. */
  g_autofree char *ct_dir = g_build_filename (dir_a, "baseline", NULL);
  g_autoptr (MtVolume) ct = mt_series_read_volume (ct_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpint (base->dims[a], ==, ct->dims[a]);
      g_assert_cmpfloat_with_epsilon (base->origin[a], ct->origin[a], 1e-3);
      g_assert_cmpfloat_with_epsilon (base->spacing[a], ct->spacing[a], 1e-5);
    }
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (base->direction[i], ct->direction[i], 1e-6);

  struct { MtLabel l; double lo, hi; } bands[] = {
    { MT_LABEL_LUNG_LEFT, 1000, 3000 }, { MT_LABEL_LUNG_RIGHT, 1000, 3000 },
    { MT_LABEL_HEART, 500, 1000 }, { MT_LABEL_LIVER, 1200, 2500 },
    { MT_LABEL_KIDNEY_LEFT, 100, 250 }, { MT_LABEL_KIDNEY_RIGHT, 100, 250 },
    { MT_LABEL_AORTA, 60, 250 }, { MT_LABEL_AIRWAY, 20, 150 },
    { MT_LABEL_SKELETON, 300, 1500 }, { MT_LABEL_FLUID, 20, 300 },
    { MT_LABEL_NODULE, 0.6, 1.3 }, { MT_LABEL_COUCH, 500, 10000 },
  };
  for (guint b = 0; b < G_N_ELEMENTS (bands); b++)
    {
      double ml = label_ml (base, bands[b].l);
      g_test_message ("%s: %.1f mL", mt_label_name (bands[b].l), ml);
      g_assert_cmpfloat (ml, >=, bands[b].lo);
      g_assert_cmpfloat (ml, <=, bands[b].hi);
    }
  /* The nodule grows from 6 to 7.5 mm radius: (7.5/6)^3 = 1.95 times the volume. */
  double growth = label_ml (follow, MT_LABEL_NODULE) / label_ml (base, MT_LABEL_NODULE);
  g_assert_cmpfloat (fabs (growth - 1.953), <, 0.15);

  /* The couch is its own segment, below (posterior to) the body, never touching it. */
  double couch[3], body[3];
  centroid (base, MT_LABEL_COUCH, couch);
  centroid (base, MT_LABEL_BODY, body);
  g_assert_cmpfloat (couch[1], >, body[1] + 80);

  /* Left is left: the left lung lies at larger x (LPS) than the right one. */
  double ll[3], lr[3];
  centroid (base, MT_LABEL_LUNG_LEFT, ll);
  centroid (base, MT_LABEL_LUNG_RIGHT, lr);
  g_assert_cmpfloat (ll[0], >, 40);
  g_assert_cmpfloat (lr[0], <, -40);

  /* The written transform carries baseline anatomy onto the follow-up. */
  g_autofree char *tfm = g_build_filename (dir_a, "truth", "followup-from-baseline.tfm", NULL);
  g_autoptr (MtTransform) t = mt_transform_read_itk (tfm, &error);
  g_assert_no_error (error);
  MtLabel organs[] = { MT_LABEL_HEART, MT_LABEL_LIVER, MT_LABEL_KIDNEY_LEFT, MT_LABEL_NODULE };
  for (guint o = 0; o < G_N_ELEMENTS (organs); o++)
    {
      double cb[3], cf[3], moved[3];
      centroid (base, organs[o], cb);
      centroid (follow, organs[o], cf);
      mt_transform_apply (t, cb, moved);
      double err = sqrt (pow (moved[0] - cf[0], 2) + pow (moved[1] - cf[1], 2) + pow (moved[2] - cf[2], 2));
      g_test_message ("%s centroid: %.2f mm from where the transform puts it", mt_label_name (organs[o]), err);
      g_assert_cmpfloat (err, <, organs[o] == MT_LABEL_NODULE ? 1.0 : 0.5);
    }

  /* And the CT: contrast blood in the aorta, air in the airway, bone in the spine. */
  double mean[MT_LABEL_COUNT] = { 0 };
  gsize count[MT_LABEL_COUNT] = { 0 };
  gsize n = mt_volume_n_voxels (ct);
  for (gsize i = 0; i < n; i++)
    {
      int l = (int) base->data[i];
      mean[l] += ct->data[i];
      count[l]++;
    }
  for (int l = 0; l < MT_LABEL_COUNT; l++)
    mean[l] /= MAX (count[l], 1u);
  g_assert_cmpfloat (mean[MT_LABEL_AORTA], >, 250);
  g_assert_cmpfloat (mean[MT_LABEL_LUNG_LEFT], <, -700);
  g_assert_cmpfloat (mean[MT_LABEL_LIVER], >, 60);
  g_assert_cmpfloat (mean[MT_LABEL_LIVER], <, 130);
  g_assert_cmpfloat (mean[MT_LABEL_FLUID], >, -20);
  g_assert_cmpfloat (mean[MT_LABEL_FLUID], <, 40);
  g_assert_cmpfloat (mean[MT_LABEL_SKELETON], >, 300);
  g_assert_cmpfloat (mean[MT_LABEL_NONE], <, -950);
}

static void
test_labels_json (void)
{
  g_autofree char *path = g_build_filename (dir_a, "truth", "labels.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *names[] = { "body", "couch", "lung_left", "lung_right", "airway", "heart", "aorta",
                          "skeleton", "liver", "kidney_left", "kidney_right", "nodule", "fluid" };
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpint (json_object_get_int_member (o, names[i]), ==, i + 1);
}

static void
test_ecg_truth (void)
{
  g_autofree char *path = g_build_filename (dir_a, "truth", "ecg.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpfloat (json_object_get_double_member (o, "sampling_rate_hz"), ==, 500.0);
  double hr = json_object_get_double_member (o, "heart_rate_bpm");
  g_assert_cmpfloat (fabs (hr - 72.0), <, 2.0);
  JsonArray *peaks = json_object_get_array_member (o, "r_peaks");
  /* 60 s at about 72/min: about 72 beats, each R-R between 0.6 and 1.1 s. */
  g_assert_cmpuint (json_array_get_length (peaks), >=, 68);
  g_assert_cmpuint (json_array_get_length (peaks), <=, 75);
  for (guint i = 1; i < json_array_get_length (peaks); i++)
    {
      double rr = (json_array_get_int_element (peaks, i) - json_array_get_int_element (peaks, i - 1)) / 500.0;
      g_assert_cmpfloat (rr, >, 0.6);
      g_assert_cmpfloat (rr, <, 1.1);
    }

  /* The CSV: the header the README promises, 30,000 samples, and at every
   * R-peak the largest value of its beat. */
  g_autofree char *csv_path = g_build_filename (dir_a, "ecg.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "time_s,mV\n"));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 30000 + 2);
  gsize first = (gsize) json_array_get_int_element (peaks, 5);
  double at_peak = g_ascii_strtod (strchr (lines[first + 1], ',') + 1, NULL);
  g_assert_cmpfloat (at_peak, >, 0.9);
  for (gsize i = first - 150; i < first + 150; i++)
    g_assert_cmpfloat (g_ascii_strtod (strchr (lines[i + 1], ',') + 1, NULL), <=, at_peak + 0.05);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  generate (&dir_a, 7);
  generate (&dir_b, 7);
  g_test_add_func ("/pipeline/phantom/layout-and-determinism", test_layout_and_determinism);
  g_test_add_func ("/pipeline/phantom/dicom-rereads", test_dicom_rereads);
  g_test_add_func ("/pipeline/phantom/dciodvfy", test_dciodvfy);
  g_test_add_func ("/pipeline/phantom/truth-labels", test_truth_labels);
  g_test_add_func ("/pipeline/phantom/labels-json", test_labels_json);
  g_test_add_func ("/pipeline/phantom/ecg-truth", test_ecg_truth);
  int ret = g_test_run ();
  mt_remove_tree (dir_a);
  mt_remove_tree (dir_b);
  return ret;
}
