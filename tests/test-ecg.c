/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ECG in: MIT-BIH record 100 read to the bit (its header's first values and
 * checksums), its QRS complexes found against the reference annotations;
 * the DICOM 12-lead ECG; the demo's CSV against its truth; damaged records
 * refused with what is wrong. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "mt-ecg.h"
#include "mt-file-utils.h"
#include "mt-phantom.h"
#include "mt-test-data.h"

static void
test_wfdb (void)
{
  g_autofree char *hea = mt_test_data_path ("ecg", "100.hea", NULL);
  if (hea == NULL)
    return;
  g_autofree char *record = g_strndup (hea, strlen (hea) - 4);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtEcg) ecg = mt_ecg_read (record, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ecg->sampling_rate_hz, ==, 360);
  g_assert_cmpuint (ecg->n_samples, ==, 650000);
  g_assert_cmpuint (ecg->n_leads, ==, 2);
  g_assert_cmpstr (ecg->lead_names[0], ==, "MLII");
  g_assert_cmpstr (ecg->lead_names[1], ==, "V5");
  /* The header's initial values (995, 1011) and 16-bit checksums of every
   * sample (-22131, 20052), in ADC units: gain 200 a mV, zero at 1024. */
  const int first[2] = { 995, 1011 }, checksum[2] = { -22131, 20052 };
  for (int l = 0; l < 2; l++)
    {
      const float *mv = ecg->mv + (gsize) l * ecg->n_samples;
      guint16 sum = 0;
      for (gsize i = 0; i < ecg->n_samples; i++)
        sum += (guint16) (gint16) lround (mv[i] * 200 + 1024);
      g_test_message ("%s: first sample %.3f mV, checksum %d", ecg->lead_names[l], mv[0], (gint16) sum);
      g_assert_cmpint (lround (mv[0] * 200 + 1024), ==, first[l]);
      g_assert_cmpint ((gint16) sum, ==, checksum[l]);
    }

  /* QRS detection scored beat by beat against the cardiologists'
   * annotations (EC57's 150 ms window): both at least 99%. */
  g_autofree char *atr = g_strconcat (record, ".atr", NULL);
  g_autoptr (GArray) beats = mt_ecg_read_beats (atr, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (beats->len, ==, 2273);
  gint64 t0 = g_get_monotonic_time ();
  mt_ecg_detect_qrs (ecg, 0);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  double se, ppv, se_tight, ppv_tight;
  mt_ecg_score (beats, ecg->r_peaks, ecg->sampling_rate_hz, 0.15, &se, &ppv);
  mt_ecg_score (beats, ecg->r_peaks, ecg->sampling_rate_hz, 0.02, &se_tight, &ppv_tight);
  double hr = mt_ecg_mean_heart_rate (ecg);
  g_test_message ("record 100, MLII: %u beats detected in %.0f ms for %u annotated; sensitivity %.2f%%, positive "
                  "predictivity %.2f%% (within 150 ms), %.2f%% and %.2f%% within 20 ms; %.2f beats a minute",
                  ecg->r_peaks->len, ms, beats->len, 100 * se, 100 * ppv, 100 * se_tight, 100 * ppv_tight, hr);
  g_assert_cmpfloat (se, >=, 0.99);
  g_assert_cmpfloat (ppv, >=, 0.99);
  /* 2,273 beats in 30 minutes 5.6 seconds: about 75.5 a minute. */
  g_assert_cmpfloat (fabs (hr - 75.5), <, 0.5);
}

static void
test_dicom_waveform (void)
{
  g_autofree char *path = mt_test_data_path ("ecg", "pydicom_waveform_ecg.dcm", NULL);
  if (path == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtEcg) ecg = mt_ecg_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ecg->sampling_rate_hz, ==, 1000);
  g_assert_cmpuint (ecg->n_samples, ==, 10000);
  g_assert_cmpuint (ecg->n_leads, ==, 12);
  g_assert_cmpstr (ecg->lead_names[0], ==, "Lead I (Einthoven)");
  g_assert_cmpstr (ecg->lead_names[11], ==, "Lead V6");
  /* Lead I starts at 80, 65, 50 units of 1.25 µV (as pydicom reads them). */
  g_assert_cmpfloat (fabs (ecg->mv[0] - 0.1), <, 1e-6);
  g_assert_cmpfloat (fabs (ecg->mv[1] - 0.08125), <, 1e-6);
  mt_ecg_detect_qrs (ecg, 0);
  double hr = mt_ecg_mean_heart_rate (ecg);
  g_test_message ("12-lead DICOM ECG, lead I: %u beats in 10 s, %.1f beats a minute", ecg->r_peaks->len, hr);
  /* A resting adult's rhythm, one beat a second or so: and as many beats
   * as the rate gives in ten seconds. */
  g_assert_cmpfloat (hr, >, 50);
  g_assert_cmpfloat (hr, <, 100);
  g_assert_cmpuint (ecg->r_peaks->len, >=, (guint) floor (hr / 6) - 1);
  g_assert_cmpuint (ecg->r_peaks->len, <=, (guint) ceil (hr / 6) + 1);
}

/* The demo's ECG as CSV: every R-peak of its truth found within 2 ms. */
static void
test_demo_csv (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-ecg-XXXXXX", &error);
  g_autoptr (MtEcg) truth = mt_ecg_synthesize (60.0, 500.0, 72.0, 1);
  g_autofree char *csv = g_build_filename (dir, "ecg.csv", NULL);
  g_assert_true (mt_ecg_write_csv (truth, csv, &error));
  g_autoptr (MtEcg) ecg = mt_ecg_read (csv, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (ecg->sampling_rate_hz - 500), <, 1e-6);
  g_assert_cmpuint (ecg->n_samples, ==, truth->n_samples);
  mt_ecg_detect_qrs (ecg, 0);
  double se, ppv;
  mt_ecg_score (truth->r_peaks, ecg->r_peaks, 500, 0.002, &se, &ppv);
  g_test_message ("demo ECG: %u beats for %u, %.1f and %.1f beats a minute; all within 2 ms: %.0f%%, %.0f%%",
                  ecg->r_peaks->len, truth->r_peaks->len, mt_ecg_mean_heart_rate (ecg),
                  mt_ecg_mean_heart_rate (truth), 100 * se, 100 * ppv);
  g_assert_cmpfloat (se, ==, 1);
  g_assert_cmpfloat (ppv, ==, 1);
  mt_remove_tree (dir);
}

static void
expect_refused (const char *path, const char *says)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtEcg) ecg = mt_ecg_read (path, &error);
  g_assert_null (ecg);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, says));
}

/* Damaged and foreign records: each refused, saying what is wrong. */
static void
test_bad (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-ecg-XXXXXX", &error);
  g_autofree char *hea = g_build_filename (dir, "cut.hea", NULL);
  g_autofree char *dat = g_build_filename (dir, "cut.dat", NULL);
  g_autofree char *record = g_build_filename (dir, "cut", NULL);
  g_assert_true (g_file_set_contents (hea, "cut 2 360 650000\ncut.dat 212 200 11 1024 995 -22131 0 MLII\n"
                                           "cut.dat 212 200 11 1024 1011 20052 0 V5\n", -1, NULL));
  g_assert_true (g_file_set_contents (dat, "\x01\x02\x03\x04\x05\x06", 6, NULL));
  expect_refused (record, "cut short");
  g_assert_true (g_file_set_contents (hea, "cut 2 360 650000\ncut.dat 310 200 11 1024 995 0 0 MLII\n", -1, NULL));
  expect_refused (record, "format 310");
  g_assert_true (g_file_set_contents (hea, "cut zero signals\n", -1, NULL));
  expect_refused (record, "line 1");
  g_autofree char *csv = g_build_filename (dir, "bad.csv", NULL);
  g_assert_true (g_file_set_contents (csv, "time_s,mV\n0,0.1\n0.002,zero\n", -1, NULL));
  expect_refused (csv, "line 3");
  g_assert_true (g_file_set_contents (csv, "time_s,mV\n0,0.1\n0.002,0.2\n0.010,0.3\n", -1, NULL));
  expect_refused (csv, "evenly");
  expect_refused ("/nonexistent/record", "no such file");
  g_autofree char *ct = mt_test_pydicom_path ("CT_small.dcm");
  if (ct != NULL)
    expect_refused (ct, "no waveform");
  g_autofree char *atr = g_build_filename (dir, "cut.atr", NULL);
  g_assert_true (g_file_set_contents (atr, "\x05", 1, NULL));
  g_assert_null (mt_ecg_read_beats (atr, &error));
  g_assert_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT);
  mt_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/ecg/wfdb", test_wfdb);
  g_test_add_func ("/pipeline/ecg/dicom-waveform", test_dicom_waveform);
  g_test_add_func ("/pipeline/ecg/demo-csv", test_demo_csv);
  g_test_add_func ("/pipeline/ecg/bad", test_bad);
  return g_test_run ();
}
