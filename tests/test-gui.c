/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole application under a display: `medtwin --screenshot` on the real
 * thorax CT and on the demo patient, and every view of the PNG shows an image. */
#include "config.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "mt-test-data.h"

typedef struct
{
  int     width, height;
  guint8 *rgba;
} Image;

static gboolean
read_png (const char *path, Image *img)
{
  png_image pi = { 0 };
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file (&pi, path))
    return FALSE;
  pi.format = PNG_FORMAT_RGBA;
  img->width = (int) pi.width;
  img->height = (int) pi.height;
  img->rgba = g_malloc (PNG_IMAGE_SIZE (pi));
  return png_image_finish_read (&pi, NULL, img->rgba, 0, NULL) != 0;
}

/* Standard deviation and mean of luminance inside a rectangle. */
static void
stats (const Image *img, int x0, int y0, int x1, int y1, double *mean, double *sd)
{
  double s = 0, s2 = 0;
  long n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = img->rgba + ((gsize) y * img->width + x) * 4;
        double l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        s += l;
        s2 += l * l;
        n++;
      }
  *mean = s / n;
  *sd = sqrt (MAX (0.0, s2 / n - *mean * *mean));
}

static void
screenshot_of (const char *scan, const char *name)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display: run the suite through ./test.sh (it uses xvfb-run)");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("medtwin-gui-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, name, NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  const char *argv[] = { MEDTWIN_BIN, "--screenshot", png, scan, NULL };
  g_auto (GStrv) env = g_get_environ ();
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("medtwin: %s %s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  Image img = { 0 };
  g_assert_true (read_png (png, &img));
  g_assert_cmpint (img.width, >=, 800);
  g_assert_cmpint (img.height, >=, 600);
  /* Below the header bar the window is a 2x2 grid of views. Each quarter must
   * hold an image: many grey levels, not one flat colour. */
  int top = 60, mid_x = img.width / 2, mid_y = top + (img.height - top) / 2;
  const int quads[4][4] = {
    { 8, top, mid_x - 8, mid_y - 8 }, { mid_x + 8, top, img.width - 8, mid_y - 8 },
    { 8, mid_y + 8, mid_x - 8, img.height - 60 }, { mid_x + 8, mid_y + 8, img.width - 8, img.height - 60 },
  };
  const char *names[4] = { "axial", "sagittal", "coronal", "3D" };
  for (int q = 0; q < 4; q++)
    {
      double mean, sd;
      stats (&img, quads[q][0], quads[q][1], quads[q][2], quads[q][3], &mean, &sd);
      g_test_message ("%s %s view: mean %.1f, sd %.1f", name, names[q], mean, sd);
      g_assert_cmpfloat (sd, >, 15.0);
      g_assert_cmpfloat (mean, >, 5.0);
      g_assert_cmpfloat (mean, <, 200.0);
    }
  const char *keep = g_getenv ("MEDTWIN_TEST_OUTPUT");
  if (keep)
    {
      g_autofree char *dest = g_build_filename (keep, name, NULL);
      g_autofree char *cmd = g_strdup_printf ("cp '%s' '%s'", png, dest);
      g_assert_cmpint (system (cmd), ==, 0);
    }
  g_free (img.rgba);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

static void
test_thorax (void)
{
  g_autofree char *scan = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (scan)
    screenshot_of (scan, "gui-thorax.png");
}

static void
test_demo (void)
{
  /* An empty path means: the demo patient, generated into a fresh cache. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display: run the suite through ./test.sh (it uses xvfb-run)");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("medtwin-gui-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "demo.png", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  const char *argv[] = { MEDTWIN_BIN, "--screenshot", png, NULL };
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "XDG_CACHE_HOME", cache, TRUE);
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  Image img = { 0 };
  g_assert_true (read_png (png, &img));
  double mean, sd;
  stats (&img, 8, 60, img.width / 2 - 8, img.height / 2, &mean, &sd);
  g_assert_cmpfloat (sd, >, 15.0);
  /* The demo patient landed in the cache, complete. */
  g_autofree char *truth = g_build_filename (cache, "medtwin", "demo-patient", "truth", "ecg.json", NULL);
  g_assert_true (g_file_test (truth, G_FILE_TEST_EXISTS));
  g_free (img.rgba);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

static void
test_bad_path (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  /* A broken file: a clear message and a non-zero exit, never a crash. */
  g_autofree char *bad = mt_test_data_path ("bad", "GH626.dcm", NULL);
  if (bad == NULL)
    return;
  const char *argv[] = { MEDTWIN_BIN, "--screenshot", "/tmp/medtwin-never-written.png", bad, NULL };
  g_autofree char *err = NULL;
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "GH626.dcm"));
  g_assert_false (g_file_test ("/tmp/medtwin-never-written.png", G_FILE_TEST_EXISTS));
}

/* The patient library as a user first sees it: imported from the command
 * line, listed in the browser with thumbnails. */
static void
test_library_browser (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *data = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (data == NULL)
    return;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-gui-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autofree char *png = g_build_filename (dir, "library.png", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "MEDTWIN_LIBRARY", db, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  const char *import[] = { MEDTWIN_CLI, "import", "-q", data, NULL };
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) import, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  const char *argv[] = { MEDTWIN_BIN, "--library", "--screenshot", png, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  Image img = { 0 };
  g_assert_true (read_png (png, &img));
  /* The first row holds the thorax CT's thumbnail: a grey picture, not flat. */
  double mean, sd;
  stats (&img, 10, 80, 70, 140, &mean, &sd);
  g_test_message ("thumbnail cell: mean %.1f, sd %.1f", mean, sd);
  g_assert_cmpfloat (sd, >, 20.0);
  g_free (img.rgba);
  const char *keep = g_getenv ("MEDTWIN_TEST_OUTPUT");
  if (keep)
    {
      g_autofree char *cmd = g_strdup_printf ("cp '%s' '%s/library.png'", png, keep);
      g_assert_cmpint (system (cmd), ==, 0);
    }
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

/* Two scans side by side: the demo's baseline and follow-up, four panels
 * drawn, and the right-hand ones really show the other scan. */
static void
test_compare (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("medtwin-gui-XXXXXX", NULL);
  g_autofree char *demo = g_build_filename (dir, "demo", NULL);
  const char *gen[] = { MEDTWIN_CLI, "phantom", "-q", demo, NULL };
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) gen, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autofree char *a = g_build_filename (demo, "baseline", NULL);
  g_autofree char *b = g_build_filename (demo, "followup", NULL);
  g_autofree char *png = g_build_filename (dir, "compare.png", NULL);
  const char *argv[] = { MEDTWIN_BIN, "--screenshot", png, a, "--compare", b, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  Image img = { 0 };
  g_assert_true (read_png (png, &img));
  int top = 60, mid_x = img.width / 2, mid_y = top + (img.height - top) / 2;
  double mean, sd;
  const int quads[4][4] = {
    { 8, top, mid_x - 8, mid_y - 8 }, { mid_x + 8, top, img.width - 8, mid_y - 8 },
    { 8, mid_y + 8, mid_x - 8, img.height - 10 }, { mid_x + 8, mid_y + 8, img.width - 8, img.height - 10 },
  };
  for (int q = 0; q < 4; q++)
    {
      stats (&img, quads[q][0], quads[q][1], quads[q][2], quads[q][3], &mean, &sd);
      g_assert_cmpfloat (sd, >, 15.0);
    }
  /* Same table position, different scans: the moved patient shows other
   * anatomy in B. */
  double diff = 0;
  long n = 0;
  for (int y = top + 30; y < mid_y - 30; y++)
    for (int x = 30; x < mid_x - 30; x++)
      {
        const guint8 *pa = img.rgba + ((gsize) y * img.width + x) * 4;
        const guint8 *pb = img.rgba + ((gsize) y * img.width + x + mid_x) * 4;
        diff += abs (pa[0] - pb[0]);
        n++;
      }
  g_test_message ("axial A against B: mean difference %.1f grey levels", diff / n);
  g_assert_cmpfloat (diff / n, >, 5.0);
  g_free (img.rgba);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

/* How much the axial view's middle varies (standard deviation, grey
 * levels), in a screenshot of the two MR scans fused as a difference
 * image: anatomy that does not line up shows as structure; a flat grey
 * (whatever its level: each scan has its own window) is a match. */
static double
difference_off_grey (const char *dir, const char *name, const char *transform, gboolean align)
{
  g_autofree char *a = mt_test_data_path ("mr-decubitus", "HFS", NULL);
  g_autofree char *b = mt_test_data_path ("mr-decubitus", "HFP", NULL);
  g_autofree char *png = g_build_filename (dir, name, NULL);
  const char *argv[] = { MEDTWIN_BIN, "--screenshot", png, a, "--compare", b, "--fusion", "difference",
                         align ? "--align" : "--transform", align ? NULL : transform, NULL };
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                               &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  Image img = { 0 };
  g_assert_true (read_png (png, &img));
  /* The axial view fills the top-left quarter below the header; the head
   * sits in its middle. */
  int top = 60, w = img.width / 2, h = (img.height - top) / 2;
  double sum = 0, sum2 = 0;
  long n = 0;
  for (int y = top + h * 3 / 10; y < top + h * 7 / 10; y++)
    for (int x = w * 4 / 10; x < w * 6 / 10; x++)
      {
        const guint8 *p = img.rgba + ((gsize) y * img.width + x) * 4;
        /* Not the yellow crosshair lines. */
        if (abs (p[0] - p[2]) > 24)
          continue;
        double l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        sum += l;
        sum2 += l * l;
        n++;
      }
  g_free (img.rgba);
  const char *keep = g_getenv ("MEDTWIN_TEST_OUTPUT");
  if (keep)
    {
      g_autofree char *cmd = g_strdup_printf ("cp '%s' '%s/%s'", png, keep, name);
      g_assert_cmpint (system (cmd), ==, 0);
    }
  return sqrt (MAX (0.0, sum2 / n - (sum / n) * (sum / n)));
}

/* The real MR pair (the same head supine and prone): aligned from the
 * window, scan B is fused into scan A's views; as a difference image the
 * brain goes from a strong pattern (as the scans lie) to a near-flat grey; the
 * transform is kept with the two scans as an ITK file. */
static void
test_fusion (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *data = mt_test_data_path ("mr-decubitus", NULL);
  if (data == NULL)
    return;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-gui-XXXXXX", NULL);
  g_autofree char *kept = g_build_filename (dir, "transforms", NULL);
  g_setenv ("MEDTWIN_TRANSFORMS", kept, TRUE);
  g_autofree char *identity = g_build_filename (dir, "identity.tfm", NULL);
  g_assert_true (g_file_set_contents (identity,
                                      "#Insight Transform File V1.0\n#Transform 0\n"
                                      "Transform: AffineTransform_double_3_3\n"
                                      "Parameters: 1 0 0 0 1 0 0 0 1 0 0 0\nFixedParameters: 0 0 0\n", -1, NULL));
  double before = difference_off_grey (dir, "fusion-unaligned.png", identity, FALSE);
  double after = difference_off_grey (dir, "fusion-difference.png", NULL, TRUE);
  g_test_message ("difference image, axial view's middle: standard deviation %.1f grey levels as the scans lie, "
                  "%.1f aligned", before, after);
  g_assert_cmpfloat (before, >, 3 * after);
  g_assert_cmpfloat (after, <, 15.0);
  /* Kept: one ITK file, a rigid matrix (orthonormal rows). */
  g_autoptr (GDir) d = g_dir_open (kept, 0, NULL);
  g_assert_nonnull (d);
  const char *entry = g_dir_read_name (d);
  g_assert_nonnull (entry);
  g_assert_true (g_str_has_suffix (entry, ".tfm"));
  g_autofree char *tfm = g_build_filename (kept, entry, NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (tfm, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "#Insight Transform File V1.0"));
  g_assert_nonnull (strstr (text, "AffineTransform_double_3_3"));
  g_unsetenv ("MEDTWIN_TRANSFORMS");
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gui/screenshot/thorax", test_thorax);
  g_test_add_func ("/gui/screenshot/demo", test_demo);
  g_test_add_func ("/gui/screenshot/bad-path", test_bad_path);
  g_test_add_func ("/gui/screenshot/library", test_library_browser);
  g_test_add_func ("/gui/screenshot/compare", test_compare);
  g_test_add_func ("/gui/screenshot/fusion", test_fusion);
  return g_test_run ();
}
