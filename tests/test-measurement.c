/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Measurements: distances and angles, region statistics on standard and
 * oblique planes against values computed independently, the JSON they are
 * kept in, and what happens to a broken stored file. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "mt-file-utils.h"
#include "mt-measurement.h"
#include "mt-series.h"
#include "mt-test-ramp.h"
#include "mt-test-data.h"
#include "mt-volume.h"

static void
voxel (const MtVolume *v, double i, double j, double k, double p[3])
{
  double ijk[3] = { i, j, k };
  mt_volume_index_to_patient (v, ijk, p);
}

static void
test_distance_angle (void)
{
  g_autoptr (MtVolume) v = mt_test_ramp_volume ();
  MtObliquePlane plane;
  const double c[3] = { 0, 0, 40 };
  mt_oblique_plane_init (&plane, MT_VIEW_AXIAL, c, 2, 0);
  const double d[6] = { 0, 0, 40, 30, 40, 40 };
  MtMeasurement *m = mt_measurement_new (MT_MEASUREMENT_DISTANCE, MT_VIEW_AXIAL, &plane, d, 2);
  g_assert_true (mt_measurement_update (m, v, NULL));
  g_assert_cmpfloat_with_epsilon (m->value, 50, 1e-12);
  g_autofree char *text = mt_measurement_describe (m);
  g_assert_cmpstr (text, ==, "50.0 mm");
  mt_measurement_free (m);
  const double a[9] = { 10, 0, 40, 0, 0, 40, 5, 5 * sqrt (3), 40 };
  m = mt_measurement_new (MT_MEASUREMENT_ANGLE, MT_VIEW_AXIAL, &plane, a, 3);
  g_assert_true (mt_measurement_update (m, v, NULL));
  g_assert_cmpfloat_with_epsilon (m->value, 60, 1e-9);
  mt_measurement_free (m);
}

/* A rectangle whose corners sit half a voxel outside voxel centres
 * (i 10..19, j 5..14) on axial slice 12 holds exactly those 100 voxels. */
static void
test_polygon_standard (void)
{
  g_autoptr (MtVolume) v = mt_test_ramp_volume ();
  double c[3], pts[12];
  voxel (v, 15, 10, 12, c);
  MtObliquePlane plane;
  mt_oblique_plane_init (&plane, MT_VIEW_AXIAL, c, 2, 0);
  voxel (v, 9.5, 4.5, 12, pts);
  voxel (v, 19.5, 4.5, 12, pts + 3);
  voxel (v, 19.5, 14.5, 12, pts + 6);
  voxel (v, 9.5, 14.5, 12, pts + 9);
  MtMeasurement *m = mt_measurement_new (MT_MEASUREMENT_POLYGON, MT_VIEW_AXIAL, &plane, pts, 4);
  g_assert_true (mt_measurement_update (m, v, NULL));
  /* The same statistics straight from the voxels. */
  double sum = 0, sum2 = 0, lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  for (int j = 5; j <= 14; j++)
    for (int i = 10; i <= 19; i++)
      {
        double x = mt_volume_get (v, i, j, 12);
        sum += x;
        sum2 += x * x;
        lo = MIN (lo, x);
        hi = MAX (hi, x);
      }
  double mean = sum / 100, sd = sqrt ((sum2 - sum * sum / 100) / 99);
  g_test_message ("rectangle: %zu voxels, area %.2f mm2, mean %.3f (expected %.3f), sd %.4f (%.4f)",
                  m->stats.n_voxels, m->value, m->stats.mean, mean, m->stats.sd, sd);
  g_assert_cmpuint (m->stats.n_voxels, ==, 100);
  g_assert_cmpfloat_with_epsilon (m->value, 10 * 1.5 * 10 * 1.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (m->stats.mean, mean, 1e-4);
  g_assert_cmpfloat_with_epsilon (m->stats.sd, sd, 1e-4);
  g_assert_cmpfloat (m->stats.min, ==, lo);
  g_assert_cmpfloat (m->stats.max, ==, hi);
  mt_measurement_free (m);

  /* Outside the scan: no voxels, a message, no numbers. */
  double far[12];
  for (int i = 0; i < 12; i++)
    far[i] = pts[i] + (i % 3 == 0 ? 500 : 0);
  m = mt_measurement_new (MT_MEASUREMENT_POLYGON, MT_VIEW_AXIAL, &plane, far, 4);
  g_autoptr (GError) error = NULL;
  g_assert_false (mt_measurement_update (m, v, &error));
  g_assert_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_EMPTY);
  g_assert_false (m->has_stats);
  mt_measurement_free (m);
}

/* On a coronal plane turned 30 degrees about S the ramp is still linear, so
 * a centred ellipse averages to the value at its centre. */
static void
test_ellipse_oblique (void)
{
  g_autoptr (MtVolume) v = mt_test_ramp_volume ();
  double c[3];
  voxel (v, 19.5, 17.5, 14.5, c);
  MtObliquePlane plane;
  mt_oblique_plane_init (&plane, MT_VIEW_CORONAL, c, 2, 30);
  double pts[6];
  memcpy (pts, c, sizeof c);
  for (int i = 0; i < 3; i++)
    pts[3 + i] = c[i] + 12 * plane.right[i] + 8 * plane.down[i];
  MtMeasurement *m = mt_measurement_new (MT_MEASUREMENT_ELLIPSE, MT_VIEW_CORONAL, &plane, pts, 2);
  g_assert_true (mt_measurement_update (m, v, NULL));
  g_test_message ("oblique ellipse: %zu samples, area %.2f mm2, mean %.3f (centre %.3f)", m->stats.n_voxels,
                  m->value, m->stats.mean, mt_test_ramp (c));
  g_assert_cmpfloat_with_epsilon (m->value, G_PI * 12 * 8, 1e-9);
  /* Nearest voxels of a grid 1.25 mm (the finest spacing) across and
   * 2.5 mm (the slices) down: the mean within a voxel's worth. */
  g_assert_cmpfloat_with_epsilon (m->stats.mean, mt_test_ramp (c), 1.0);
  g_assert_cmpfloat_with_epsilon ((double) m->stats.n_voxels, G_PI * 12 * 8 / (1.25 * 2.5), 6);
  mt_measurement_free (m);
}

/* The thorax CT: a 4 mm circle on the axial slice at S 355.91 around the
 * point (22.56, 118.38) at the aorta's wall. pydicom, taking every pixel
 * whose centre lies within 4 mm, finds 45 pixels, mean 240.67, SD 62.91
 * (n - 1), min 55, max 295. */
static void
test_real_ct (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  const double c[3] = { 22.56, 118.38, 355.91 };
  MtObliquePlane plane;
  mt_oblique_plane_init (&plane, MT_VIEW_AXIAL, c, 2, 0);
  const double pts[6] = { 22.56, 118.38, 355.91, 26.56, 122.38, 355.91 };
  MtMeasurement *m = mt_measurement_new (MT_MEASUREMENT_ELLIPSE, MT_VIEW_AXIAL, &plane, pts, 2);
  g_assert_true (mt_measurement_update (m, v, &error));
  g_autofree char *text = mt_measurement_describe (m);
  g_test_message ("aorta circle: %zu voxels; %s", m->stats.n_voxels, text);
  g_assert_cmpuint (m->stats.n_voxels, ==, 45);
  g_assert_cmpfloat_with_epsilon (m->stats.mean, 240.667, 0.01);
  g_assert_cmpfloat_with_epsilon (m->stats.sd, 62.909, 0.01);
  g_assert_cmpfloat (m->stats.min, ==, 55);
  g_assert_cmpfloat (m->stats.max, ==, 295);
  g_assert_cmpfloat_with_epsilon (m->value, G_PI * 16, 1e-9);
  mt_measurement_free (m);
}

static void
test_json (void)
{
  g_autoptr (MtVolume) v = mt_test_ramp_volume ();
  g_autoptr (GPtrArray) list = mt_measurements_new_list ();
  MtObliquePlane plane;
  const double c[3] = { 1, 2, 40 };
  mt_oblique_plane_init (&plane, MT_VIEW_CORONAL, c, 2, 30);
  const double d[6] = { 1, 2, 40, 11, 2, 40 };
  g_ptr_array_add (list, mt_measurement_new (MT_MEASUREMENT_DISTANCE, MT_VIEW_CORONAL, &plane, d, 2));
  const double e[6] = { 1, 2, 40, 5, 2, 44 };
  g_ptr_array_add (list, mt_measurement_new (MT_MEASUREMENT_ELLIPSE, MT_VIEW_CORONAL, &plane, e, 2));
  for (guint i = 0; i < list->len; i++)
    mt_measurement_update (list->pdata[i], v, NULL);
  g_autofree char *json = mt_measurements_to_json (list);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) back = mt_measurements_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  MtMeasurement *b = back->pdata[1];
  g_assert_cmpint (b->kind, ==, MT_MEASUREMENT_ELLIPSE);
  g_assert_cmpint (b->view, ==, MT_VIEW_CORONAL);
  g_assert_cmpmem (b->points, sizeof e, e, sizeof e);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat_with_epsilon (b->plane.right[i], plane.right[i], 1e-12);
  g_assert_true (mt_measurement_update (b, v, NULL));
  g_assert_cmpfloat_with_epsilon (b->stats.mean, ((MtMeasurement *) list->pdata[1])->stats.mean, 1e-9);

  /* Broken lists say what is wrong, and where. */
  const struct { const char *json, *says; } bad[] = {
    { "{", "Not JSON" },
    { "{\"other\": []}", "measurements" },
    { "{\"measurements\": [{\"kind\": \"volume\"}]}", "Measurement 1" },
    { "{\"measurements\": [{\"kind\": \"distance\", \"view\": \"axial\", \"plane_center\": [0,0,0],"
      " \"plane_right\": [1,0,0], \"plane_down\": [1,0,0], \"points\": [[0,0,0],[1,1,1]]}]}", "plane" },
    { "{\"measurements\": [{\"kind\": \"angle\", \"view\": \"axial\", \"plane_center\": [0,0,0],"
      " \"plane_right\": [1,0,0], \"plane_down\": [0,1,0], \"points\": [[0,0,0],[1,1,1]]}]}", "needs 3 points" },
    { "{\"measurements\": [{\"kind\": \"distance\", \"view\": \"axial\", \"plane_center\": [0,0,0],"
      " \"plane_right\": [1,0,0], \"plane_down\": [0,1,0], \"points\": [[0,0,0],[1e300,1,1]]}]}", "point 2" },
    { "{\"measurements\": [{\"kind\": \"distance\", \"view\": \"axial\", \"plane_center\": [0,0,0],"
      " \"plane_right\": [1,0,0], \"plane_down\": [0,1,0], \"points\": [[0,0,0],[\"a\",1,1]]}]}", "point 2" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_error (&error);
      GPtrArray *none = mt_measurements_from_json (bad[i].json, -1, &error);
      g_assert_null (none);
      g_assert_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE);
      g_test_message ("bad list %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, bad[i].says));
    }
}

/* Kept per study; a broken file is moved aside, never overwritten. */
static void
test_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-measure-XXXXXX", &error);
  g_setenv ("MEDTWIN_MEASUREMENTS", dir, TRUE);
  const char *key = "1.2.840.113619.2.55.3.1234";
  g_autoptr (GPtrArray) none = mt_measurements_load (key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  g_autoptr (GPtrArray) list = mt_measurements_new_list ();
  MtObliquePlane plane;
  const double c[3] = { 0, 0, 0 }, d[6] = { 0, 0, 0, 3, 4, 0 };
  mt_oblique_plane_init (&plane, MT_VIEW_AXIAL, c, 2, 0);
  g_ptr_array_add (list, mt_measurement_new (MT_MEASUREMENT_DISTANCE, MT_VIEW_AXIAL, &plane, d, 2));
  g_assert_true (mt_measurements_save (key, list, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) again = mt_measurements_load (key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 1);
  /* Another study has its own list. */
  g_autoptr (GPtrArray) other = mt_measurements_load ("another-series", &error);
  g_assert_cmpuint (other->len, ==, 0);

  g_autofree char *path = mt_measurements_path (key);
  g_assert_true (g_file_set_contents (path, "{\"measurements\": [tru", -1, NULL));
  GPtrArray *broken = mt_measurements_load (key, &error);
  g_assert_null (broken);
  g_assert_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, ".broken-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* The broken file is still there, byte for byte. */
  g_autoptr (GDir) d2 = g_dir_open (dir, 0, NULL);
  const char *name;
  int kept = 0;
  while ((name = g_dir_read_name (d2)) != NULL)
    if (strstr (name, ".broken-") != NULL)
      {
        g_autofree char *full = g_build_filename (dir, name, NULL);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (full, &text, NULL, NULL));
        g_assert_cmpstr (text, ==, "{\"measurements\": [tru");
        kept++;
      }
  g_assert_cmpint (kept, ==, 1);
  /* An empty MEDTWIN_MEASUREMENTS keeps nothing. */
  g_setenv ("MEDTWIN_MEASUREMENTS", "", TRUE);
  g_assert_null (mt_measurements_path (key));
  g_assert_true (mt_measurements_save (key, list, NULL));
  mt_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/measurement/distance-angle", test_distance_angle);
  g_test_add_func ("/pipeline/measurement/polygon", test_polygon_standard);
  g_test_add_func ("/pipeline/measurement/ellipse-oblique", test_ellipse_oblique);
  g_test_add_func ("/pipeline/measurement/real-ct", test_real_ct);
  g_test_add_func ("/pipeline/measurement/json", test_json);
  g_test_add_func ("/pipeline/measurement/store", test_store);
  return g_test_run ();
}
