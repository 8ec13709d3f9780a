/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Render tests without a window: an EGL surfaceless context renders into an
 * offscreen framebuffer and the pixels are compared with the volume. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mt-animation.h"
#include "mt-camera.h"
#include "mt-measure.h"
#include "mt-measurement.h"
#include "mt-mesh-renderer.h"
#include "mt-offscreen.h"
#include "mt-phantom.h"
#include "mt-reslice.h"
#include "mt-series.h"
#include "mt-test-data.h"
#include "mt-test-ramp.h"
#include "mt-slice-renderer.h"
#include "mt-volume-renderer.h"
#include "mt-volume.h"

static MtOffscreen *gl;
static MtPhantom *phantom;
static const int SIZE = 256;

static void
save_if_asked (const char *name, const guint8 *rgba, int w, int h)
{
  /* MEDTWIN_TEST_OUTPUT=dir keeps the images for a person to look at. */
  const char *dir = g_getenv ("MEDTWIN_TEST_OUTPUT");
  if (dir == NULL)
    return;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  mt_png_write_rgba (path, rgba, w, h, NULL);
}

static guint8 *render_slice_full (const MtVolume *v, MtViewAxis axis, int slice, double center,
                                  double width, gboolean linear, gboolean inverted, int *out_w, int *out_h);

static guint8 *
render_slice (const MtVolume *v, MtViewAxis axis, int slice, double center, double width,
              gboolean linear, int *out_w, int *out_h)
{
  return render_slice_full (v, axis, slice, center, width, linear, FALSE, out_w, out_h);
}

static guint8 *
render_slice_full (const MtVolume *v, MtViewAxis axis, int slice, double center, double width,
                   gboolean linear, gboolean inverted, int *out_w, int *out_h)
{
  g_autoptr (GError) error = NULL;
  MtSliceRenderer *r = mt_slice_renderer_new (&error);
  g_assert_no_error (error);
  MtSliceLayout l;
  mt_slice_layout_init (&l, v, axis);
  g_autofree float *values = mt_slice_extract (v, &l, slice);
  mt_slice_renderer_set_slice (r, values, l.width, l.height, l.pixel_w, l.pixel_h);
  mt_slice_renderer_set_window (r, center, width);
  mt_slice_renderer_set_linear (r, linear);
  mt_slice_renderer_set_inverted (r, inverted);
  mt_offscreen_resize (gl, SIZE, SIZE);
  mt_slice_renderer_render (r, SIZE, SIZE);
  mt_slice_renderer_free (r);
  *out_w = SIZE;
  *out_h = SIZE;
  return mt_offscreen_read_rgba (gl);
}

/* MONOCHROME1: every pixel the complement of the normal rendering. */
static void
test_slice_inverted (void)
{
  int w, h;
  g_autofree guint8 *normal = render_slice_full (phantom->ct, MT_VIEW_AXIAL, 50, 40, 400, FALSE, FALSE, &w, &h);
  g_autofree guint8 *inverted = render_slice_full (phantom->ct, MT_VIEW_AXIAL, 50, 40, 400, FALSE, TRUE, &w, &h);
  for (gsize i = 0; i < (gsize) w * h; i++)
    g_assert_cmpint (abs (normal[4 * i] + inverted[4 * i] - 255), <=, 1);
}

/* Nearest sampling at one screen pixel per voxel shows exactly the volume's
 * slice under the window: every pixel, within one grey level of rounding. */
static void
test_slice_equals_window (void)
{
  const MtVolume *v = phantom->ct;
  g_assert_cmpint (v->dims[0], ==, SIZE);
  g_assert_cmpint (v->dims[1], ==, SIZE);
  const int k = 60;
  const double center = 40, width = 400;
  int w, h;
  g_autofree guint8 *px = render_slice (v, MT_VIEW_AXIAL, k, center, width, FALSE, &w, &h);
  save_if_asked ("slice-axial.png", px, w, h);
  int worst = 0;
  for (int y = 0; y < SIZE; y++)
    for (int x = 0; x < SIZE; x++)
      {
        /* Axial: screen right is patient left (+i), screen down posterior (+j). */
        float value = mt_volume_get (v, x, y, k);
        double g = CLAMP ((value - (center - width / 2)) / width, 0.0, 1.0) * 255.0;
        int expected = (int) lround (g);
        const guint8 *p = px + ((gsize) y * SIZE + x) * 4;
        worst = MAX (worst, abs (p[0] - expected));
        g_assert_cmpint (p[0], ==, p[1]);
        g_assert_cmpint (p[0], ==, p[2]);
      }
  g_assert_cmpint (worst, <=, 1);
}

/* A colour slice is shown exactly, whatever the window. */
static void
test_slice_rgb (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_volume_new (SIZE, SIZE, 1, &error);
  v->rgb = g_malloc ((gsize) SIZE * SIZE * 3);
  for (int j = 0; j < SIZE; j++)
    for (int i = 0; i < SIZE; i++)
      {
        guint8 *p = v->rgb + ((gsize) j * SIZE + i) * 3;
        p[0] = (guint8) i;
        p[1] = (guint8) j;
        p[2] = (guint8) (i ^ j);
      }
  g_autoptr (GError) e2 = NULL;
  MtSliceRenderer *r = mt_slice_renderer_new (&e2);
  MtSliceLayout l;
  mt_slice_layout_init (&l, v, MT_VIEW_AXIAL);
  g_autofree guint8 *rgb = mt_slice_extract_rgb (v, &l, 0);
  mt_slice_renderer_set_rgb_slice (r, rgb, l.width, l.height, l.pixel_w, l.pixel_h);
  mt_slice_renderer_set_window (r, 40, 400);
  mt_offscreen_resize (gl, SIZE, SIZE);
  mt_slice_renderer_render (r, SIZE, SIZE);
  mt_slice_renderer_free (r);
  g_autofree guint8 *px = mt_offscreen_read_rgba (gl);
  for (int j = 0; j < SIZE; j++)
    for (int i = 0; i < SIZE; i++)
      {
        const guint8 *p = px + ((gsize) j * SIZE + i) * 4;
        g_assert_cmpint (p[0], ==, i);
        g_assert_cmpint (p[1], ==, j);
        g_assert_cmpint (p[2], ==, (i ^ j) & 0xff);
      }
}

/* A volume with one bright block towards patient left, posterior and superior. */
static MtVolume *
marker_volume (void)
{
  g_autoptr (GError) error = NULL;
  MtVolume *v = mt_volume_new (64, 64, 64, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < mt_volume_n_voxels (v); i++)
    v->data[i] = -1000;
  for (int k = 44; k < 56; k++)
    for (int j = 44; j < 56; j++)
      for (int i = 44; i < 56; i++)
        v->data[mt_volume_offset (v, i, j, k)] = 1000;
  return v;
}

/* Which quadrant of the image holds the bright pixels: +1 right/bottom, -1 left/top. */
static void
bright_side (const guint8 *px, int w, int h, int *horizontal, int *vertical)
{
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (px[((gsize) y * w + x) * 4] > 128)
        {
          sx += x;
          sy += y;
          n++;
        }
  g_assert_cmpfloat (n, >, 10);
  *horizontal = sx / n > w / 2.0 ? 1 : -1;
  *vertical = sy / n > h / 2.0 ? 1 : -1;
}

static void
test_slice_orientation (void)
{
  g_autoptr (MtVolume) v = marker_volume ();
  struct { MtViewAxis axis; int slice; int right; int down; } cases[] = {
    { MT_VIEW_AXIAL, 50, +1, +1 },     /* left on screen right, posterior down */
    { MT_VIEW_CORONAL, 50, +1, -1 },   /* left on screen right, superior up */
    { MT_VIEW_SAGITTAL, 50, +1, -1 },  /* posterior on screen right, superior up */
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int w, h, hs, vs;
      g_autofree guint8 *px = render_slice (v, cases[c].axis, cases[c].slice, 0, 100, FALSE, &w, &h);
      g_autofree char *name = g_strdup_printf ("orientation-%u.png", c);
      save_if_asked (name, px, w, h);
      bright_side (px, w, h, &hs, &vs);
      g_assert_cmpint (hs, ==, cases[c].right);
      g_assert_cmpint (vs, ==, cases[c].down);
    }

  /* A volume stored the other way round (rows running anterior, slices
   * running inferior) still shows patient left on screen right. */
  g_autoptr (MtVolume) flipped = marker_volume ();
  flipped->direction[4] = -1;     /* j runs towards anterior */
  flipped->direction[8] = -1;     /* k runs towards inferior */
  int w, h, hs, vs;
  g_autofree guint8 *px = render_slice (flipped, MT_VIEW_CORONAL, 50, 0, 100, FALSE, &w, &h);
  bright_side (px, w, h, &hs, &vs);
  g_assert_cmpint (hs, ==, +1);
  g_assert_cmpint (vs, ==, +1);     /* the block is inferior now: lower half */
}

static guint8 *
render_3d (const MtVolume *v, MtRenderPreset preset, const MtCamera *camera, int w, int h)
{
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *r = mt_volume_renderer_new (&error);
  g_assert_no_error (error);
  g_assert_true (mt_volume_renderer_set_volume (r, v, &error));
  g_assert_no_error (error);
  mt_volume_renderer_set_preset (r, preset);
  mt_offscreen_resize (gl, w, h);
  mt_volume_renderer_render (r, camera, w, h, MT_QUALITY_FULL);
  mt_volume_renderer_free (r);
  return mt_offscreen_read_rgba (gl);
}

static void
test_raycast_left_right (void)
{
  g_autoptr (MtVolume) v = marker_volume ();
  MtCamera camera;
  mt_camera_init_for_volume (&camera, v);
  int hs, vs;
  /* From the front, patient left is on screen right, the head up. */
  g_autofree guint8 *front = render_3d (v, MT_PRESET_CT_BONE, &camera, SIZE, SIZE);
  bright_side (front, SIZE, SIZE, &hs, &vs);
  g_assert_cmpint (hs, ==, +1);
  g_assert_cmpint (vs, ==, -1);
  /* From behind, it is on screen left. */
  mt_camera_set_preset (&camera, MT_CAMERA_POSTERIOR);
  g_autofree guint8 *back = render_3d (v, MT_PRESET_CT_BONE, &camera, SIZE, SIZE);
  bright_side (back, SIZE, SIZE, &hs, &vs);
  g_assert_cmpint (hs, ==, -1);
  g_assert_cmpint (vs, ==, -1);
}

static double
luminance (const guint8 *p)
{
  return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* The bone preset from the front, against the ground truth: pixels whose line
 * of sight crosses the skeleton are bright, those that cross only soft tissue
 * stay dark, and those that cross nothing are exactly the background. A
 * narrow field of view keeps the projection close to parallel, so each pixel
 * can be matched with one column of the label map. */
/* The phantom's CT with the couch removed, as couch segmentation would: its
 * shells are bright in a bone preset and lie behind every column of the body. */
static MtVolume *
phantom_without_couch (void)
{
  const MtVolume *labels = phantom->labels;
  g_autoptr (GError) error = NULL;
  MtVolume *ct = mt_volume_new (labels->dims[0], labels->dims[1], labels->dims[2], &error);
  g_assert_no_error (error);
  mt_volume_copy_geometry (ct, phantom->ct);
  for (gsize i = 0; i < mt_volume_n_voxels (ct); i++)
    ct->data[i] = labels->data[i] == MT_LABEL_COUCH ? -1000.0f : phantom->ct->data[i];
  return ct;
}

static void
test_raycast_phantom_bone (void)
{
  const MtVolume *labels = phantom->labels;
  g_autoptr (MtVolume) ct = phantom_without_couch ();

  const int W = 320, H = 320;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  camera.fov = 2.0;
  g_autofree guint8 *px = render_3d (ct, MT_PRESET_CT_BONE, &camera, W, H);
  save_if_asked ("raycast-bone.png", px, W, H);

  float bg[3];
  mt_volume_renderer_background (bg);
  double bone_sum = 0, soft_sum = 0, contrast_sum = 0, contrast_mirror_sum = 0;
  int bone_n = 0, soft_n = 0, air_n = 0, contrast_n = 0;
  for (int k = 0; k < labels->dims[2]; k++)
    for (int i = 0; i < labels->dims[0]; i++)
      {
        gboolean bone = FALSE, tissue = FALSE, contrast = FALSE, bright = FALSE;
        for (int j = 0; j < labels->dims[1]; j++)
          {
            gsize off = mt_volume_offset (labels, i, j, k);
            int l = (int) labels->data[off];
            bone |= l == MT_LABEL_SKELETON;
            tissue |= l != MT_LABEL_NONE && l != MT_LABEL_COUCH;
            contrast |= l == MT_LABEL_AORTA || l == MT_LABEL_HEART;
            /* Enhancing kidneys, veins and branches are bright in a bone
             * preset too: "soft" columns hold nothing above 150 HU. */
            bright |= ct->data[off] > 150;
          }
        double p[3], x, y;
        mt_volume_index_to_patient (ct, (double[3]) { i, 0, k }, p);
        p[1] = camera.target[1];
        mt_camera_project (&camera, W, H, p, &x, &y);
        int xi = (int) x, yi = (int) y;
        if (xi < 1 || yi < 1 || xi >= W - 1 || yi >= H - 1)
          continue;
        const guint8 *pix = px + ((gsize) yi * W + xi) * 4;
        if (!tissue)
          {
            for (int c = 0; c < 3; c++)
              g_assert_cmpint (abs (pix[c] - (int) lround (bg[c] * 255)), <=, 1);
            air_n++;
          }
        else if (bone)
          {
            bone_sum += luminance (pix);
            bone_n++;
          }
        else if (contrast)
          {
            /* The same column in a mirrored image: patient right of the midline. */
            const guint8 *mirror = px + ((gsize) yi * W + (W - 1 - xi)) * 4;
            contrast_sum += luminance (pix);
            contrast_mirror_sum += luminance (mirror);
            contrast_n++;
          }
        else if (!bright)
          {
            soft_sum += luminance (pix);
            soft_n++;
          }
      }
  double bone_mean = bone_sum / bone_n, soft_mean = soft_sum / soft_n;
  double contrast_mean = contrast_sum / contrast_n, mirror_mean = contrast_mirror_sum / contrast_n;
  g_test_message ("bone %.1f (%d columns), soft tissue %.1f (%d), air %d, heart and aorta %.1f (%d), "
                  "their mirror image %.1f", bone_mean, bone_n, soft_mean, soft_n, air_n,
                  contrast_mean, contrast_n, mirror_mean);
  g_assert_cmpint (bone_n, >, 1000);
  g_assert_cmpint (soft_n, >, 300);
  g_assert_cmpint (air_n, >, 1000);
  g_assert_cmpint (contrast_n, >, 100);
  g_assert_cmpfloat (bone_mean, >, 60);
  g_assert_cmpfloat (bone_mean, >, 3 * soft_mean);
  /* Not mirrored: the heart and aorta sit left of the midline, and the image
   * shows them where they are, not where a mirror would put them. */
  g_assert_cmpfloat (contrast_mean, >, mirror_mean + 10);
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* An orthographic MIP from the front against the CPU's: for every column of
 * the volume, the brightest voxel along y under the same window. The volume
 * is the phantom's anatomy without noise (each structure one value: label
 * x 100), since rays sample between voxel centres, where noise peaks are
 * smoothed away; edges may differ by interpolation, the rest must agree. */
static void
test_mip_against_cpu (void)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (MtVolume) ct = mt_volume_new (phantom->labels->dims[0], phantom->labels->dims[1],
                                           phantom->labels->dims[2], &err);
  mt_volume_copy_geometry (ct, phantom->labels);
  for (gsize v = 0; v < mt_volume_n_voxels (ct); v++)
    ct->data[v] = phantom->labels->data[v] * 100.0f;
  const double center = 650, width = 1300;
  const int W = 360, H = 300;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  camera.orthographic = TRUE;
  camera.zoom = 1.2;
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *r = mt_volume_renderer_new (&error);
  g_assert_true (mt_volume_renderer_set_volume (r, ct, &error));
  mt_volume_renderer_set_preset (r, MT_PRESET_MIP);
  mt_volume_renderer_set_window (r, center, width);
  mt_offscreen_resize (gl, W, H);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  mt_volume_renderer_free (r);
  g_autofree guint8 *px = mt_offscreen_read_rgba (gl);
  save_if_asked ("mip.png", px, W, H);

  g_autoptr (GArray) diffs = g_array_new (FALSE, FALSE, sizeof (int));
  for (int k = 1; k < ct->dims[2] - 1; k++)
    for (int i = 1; i < ct->dims[0] - 1; i++)
      {
        float peak = -1e9f;
        for (int j = 0; j < ct->dims[1]; j++)
          peak = MAX (peak, mt_volume_get (ct, i, j, k));
        int expected = (int) lround (CLAMP ((peak - (center - width / 2)) / width, 0.0, 1.0) * 255);
        double p[3], x, y;
        mt_volume_index_to_patient (ct, (double[3]) { i, 0, k }, p);
        p[1] = camera.target[1];
        mt_camera_project (&camera, W, H, p, &x, &y);
        int xi = (int) x, yi = (int) y;
        if (xi < 0 || yi < 0 || xi >= W || yi >= H)
          continue;
        int d = abs (px[((gsize) yi * W + xi) * 4] - expected);
        g_array_append_val (diffs, d);
      }
  g_array_sort (diffs, compare_int);
  int median = g_array_index (diffs, int, diffs->len / 2);
  int p90 = g_array_index (diffs, int, diffs->len * 9 / 10);
  g_test_message ("MIP against the CPU over %u columns: median %d, 90th percentile %d grey levels",
                  diffs->len, median, p90);
  g_assert_cmpuint (diffs->len, >, 20000);
  g_assert_cmpint (median, <=, 1);
  g_assert_cmpint (p90, <=, 3);
}

/* The clip plane x > 0 (the patient's left) removes exactly that half-space:
 * with rays parallel to the plane, every pixel left of it is unchanged and
 * every pixel right of it is background. */
static void
test_clip_plane (void)
{
  const MtVolume *ct = phantom->ct;
  const int W = 320, H = 240;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  camera.orthographic = TRUE;
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *r = mt_volume_renderer_new (&error);
  g_assert_true (mt_volume_renderer_set_volume (r, ct, &error));
  mt_volume_renderer_set_preset (r, MT_PRESET_CT_SOFT_TISSUE);
  mt_offscreen_resize (gl, W, H);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *whole = mt_offscreen_read_rgba (gl);
  const double plane[4] = { 1, 0, 0, 0 };
  mt_volume_renderer_set_clip_plane (r, plane);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *clipped = mt_offscreen_read_rgba (gl);
  mt_volume_renderer_free (r);
  save_if_asked ("clip-plane.png", clipped, W, H);

  /* Where x = 0 falls on the screen, and how many pixels a millimetre is. */
  double x0, y0, x1, y1;
  double p0[3] = { 0, camera.target[1], camera.target[2] }, p1[3] = { 100, camera.target[1], camera.target[2] };
  mt_camera_project (&camera, W, H, p0, &x0, &y0);
  mt_camera_project (&camera, W, H, p1, &x1, &y1);
  double per_mm = (x1 - x0) / 100;
  g_assert_cmpfloat (per_mm, >, 0);    /* from the front, patient left is screen right */
  float bg[3];
  mt_volume_renderer_background (bg);
  int kept = 0, removed = 0, kept_visible = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double mm = (x + 0.5 - x0) / per_mm;
        const guint8 *a = whole + ((gsize) y * W + x) * 4, *b = clipped + ((gsize) y * W + x) * 4;
        if (mm < -2)
          {
            for (int c = 0; c < 3; c++)
              g_assert_cmpint (a[c], ==, b[c]);
            kept++;
            kept_visible += abs (a[0] - (int) lround (bg[0] * 255)) > 10;
          }
        else if (mm > 2)
          {
            for (int c = 0; c < 3; c++)
              g_assert_cmpint (abs (b[c] - (int) lround (bg[c] * 255)), <=, 1);
            removed++;
          }
      }
  g_test_message ("clip plane: %d pixels kept unchanged (%d showing tissue), %d cleared", kept, kept_visible, removed);
  g_assert_cmpint (kept_visible, >, 5000);
  g_assert_cmpint (removed, >, 20000);
}

/* Clicks on a rendered slice, mapped back to patient space: the distance
 * between two known points of the phantom (the nodule's centre and the
 * centre of a vertebral body, both on the slice z = 84 mm) within 0.5 mm,
 * and the pixels clicked show those structures. */
static void
test_measure_distance (void)
{
  const MtVolume *ct = phantom->ct;
  const int N = 1024, slice = 78;                  /* z = -150 + 78 * 3 = 84 */
  const double truth[2][3] = { { -88, -25, 84 }, { 0, 62, 84 } };
  g_autoptr (GError) error = NULL;
  MtSliceRenderer *r = mt_slice_renderer_new (&error);
  MtSliceLayout l;
  mt_slice_layout_init (&l, ct, MT_VIEW_AXIAL);
  g_autofree float *values = mt_slice_extract (ct, &l, slice);
  mt_slice_renderer_set_slice (r, values, l.width, l.height, l.pixel_w, l.pixel_h);
  mt_slice_renderer_set_window (r, 40, 400);
  mt_offscreen_resize (gl, N, N);
  mt_slice_renderer_render (r, N, N);
  g_autofree guint8 *px = mt_offscreen_read_rgba (gl);

  /* The renderer's own map from the screen to the slice, inverted. */
  double u0, v0, u1, v1;
  mt_slice_renderer_viewport_to_slice (r, N, N, 0, 0, &u0, &v0);
  mt_slice_renderer_viewport_to_slice (r, N, N, N, N, &u1, &v1);
  double clicked[2][3];
  int grey[2];
  for (int p = 0; p < 2; p++)
    {
      double ijk[3], u, v;
      mt_volume_patient_to_index (ct, truth[p], ijk);
      g_assert_cmpfloat (fabs (ijk[2] - slice), <, 1e-9);
      /* The pixel a user would click: the one under the point. */
      int x = (int) floor ((ijk[0] + 0.5 - u0) / (u1 - u0) * N);
      int y = (int) floor ((ijk[1] + 0.5 - v0) / (v1 - v0) * N);
      g_assert_true (mt_slice_renderer_viewport_to_slice (r, N, N, x + 0.5, y + 0.5, &u, &v));
      mt_slice_point_to_patient (ct, &l, slice, u, v, clicked[p]);
      grey[p] = px[((gsize) y * N + x) * 4];
    }
  mt_slice_renderer_free (r);
  double measured = mt_measure_distance (clicked[0], clicked[1]);
  double expected = mt_measure_distance (truth[0], truth[1]);
  g_test_message ("distance nodule to vertebra: %.3f mm measured, %.3f mm true; greys %d, %d",
                  measured, expected, grey[0], grey[1]);
  g_assert_cmpfloat (fabs (measured - expected), <, 0.5);
  /* A solid nodule (~38 HU) in the soft-tissue window, and bone (white). */
  g_assert_cmpint (grey[0], >, 80);
  g_assert_cmpint (grey[0], <, 180);
  g_assert_cmpint (grey[1], >, 200);

  /* An ellipse in the liver (95 HU, noise ~12 HU) on the slice z = -60,
   * 14 x 10 pixels in radius around a voxel centre. */
  double c_ijk[3], c[3];
  mt_volume_patient_to_index (ct, (double[3]) { -55, 0, -60 }, c_ijk);
  for (int a = 0; a < 3; a++)
    c_ijk[a] = lround (c_ijk[a]);
  mt_volume_index_to_patient (ct, c_ijk, c);
  MtObliquePlane axial;
  mt_slice_layout_plane (&l, ct, c, &axial);
  double pts[6];
  for (int a = 0; a < 3; a++)
    {
      pts[a] = c[a];
      pts[3 + a] = c[a] + 14 * l.pixel_w * axial.right[a] + 10 * l.pixel_h * axial.down[a];
    }
  MtMeasurement *m = mt_measurement_new (MT_MEASUREMENT_ELLIPSE, MT_VIEW_AXIAL, &axial, pts, 2);
  g_assert_true (mt_measurement_update (m, ct, NULL));
  const MtRoiStats st = m->stats;
  mt_measurement_free (m);
  g_test_message ("liver ROI: mean %.1f, sd %.1f, min %.0f, max %.0f, %.1f mm2, %zu voxels",
                  st.mean, st.sd, st.min, st.max, st.area_mm2, st.n_voxels);
  g_assert_cmpfloat (fabs (st.mean - 95), <, 5);
  g_assert_cmpfloat (st.sd, >, 3);
  g_assert_cmpfloat (st.sd, <, 25);
  g_assert_cmpfloat_with_epsilon (st.area_mm2, G_PI * 14 * 10 * l.pixel_w * l.pixel_h, 1e-6);
  g_assert_cmpfloat (fabs (st.n_voxels * l.pixel_w * l.pixel_h - st.area_mm2) / st.area_mm2, <, 0.05);

  /* A right angle. */
  g_assert_cmpfloat_with_epsilon (mt_measure_angle ((double[3]) { 10, 0, 0 }, (double[3]) { 0, 0, 0 },
                                                    (double[3]) { 0, 10, 0 }), 90.0, 1e-9);
}

/* Mean luminance of an anterior render over the columns of the label map
 * that cross `want` (and none of `avoid`), and over columns of body alone. */
static void
columns_luminance (const guint8 *px, int W, int H, const MtCamera *camera, const MtVolume *labels,
                   const MtVolume *ct, guint want, guint avoid, double *target, double *soft)
{
  double t_sum = 0, s_sum = 0;
  int t_n = 0, s_n = 0;
  for (int k = 0; k < labels->dims[2]; k++)
    for (int i = 0; i < labels->dims[0]; i++)
      {
        guint seen = 0;
        gboolean bright = FALSE;
        for (int j = 0; j < labels->dims[1]; j++)
          {
            gsize off = mt_volume_offset (labels, i, j, k);
            seen |= 1u << (int) labels->data[off];
            bright |= ct->data[off] > 150;
          }
        double p[3], x, y;
        mt_volume_index_to_patient (ct, (double[3]) { i, 0, k }, p);
        p[1] = camera->target[1];
        mt_camera_project (camera, W, H, p, &x, &y);
        if (x < 1 || y < 1 || x >= W - 1 || y >= H - 1)
          continue;
        double l = luminance (px + ((gsize) (int) y * W + (int) x) * 4);
        if ((seen & want) && !(seen & avoid))
          {
            t_sum += l;
            t_n++;
          }
        else if ((seen & (1u << MT_LABEL_BODY)) && !(seen & ~((1u << MT_LABEL_BODY) | 1u | (1u << MT_LABEL_COUCH))) && !bright)
          {
            s_sum += l;
            s_n++;
          }
      }
  g_assert_cmpint (t_n, >, 200);
  g_assert_cmpint (s_n, >, 200);
  *target = t_sum / t_n;
  *soft = s_sum / s_n;
}

/* The angiography preset brings out contrast-filled heart and aorta over
 * soft tissue; the lung preset the lungs. The couch is masked, as couch
 * removal would, since its foam has the lung's values. */
static void
test_angio_and_lung (void)
{
  const MtVolume *labels = phantom->labels;
  g_autoptr (MtVolume) ct = phantom_without_couch ();
  const int W = 320, H = 320;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  camera.fov = 2.0;
  /* A band preset also catches every air-tissue edge in partial volume (the
   * skin, bowel gas), so the lung's margin over soft tissue is smaller. */
  struct { MtRenderPreset preset; guint want, avoid; const char *name; double ratio; } cases[] = {
    { MT_PRESET_CT_ANGIO, (1u << MT_LABEL_AORTA) | (1u << MT_LABEL_HEART), 1u << MT_LABEL_SKELETON, "angio", 2.0 },
    { MT_PRESET_CT_LUNG, (1u << MT_LABEL_LUNG_LEFT) | (1u << MT_LABEL_LUNG_RIGHT), 0, "lung", 1.3 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree guint8 *px = render_3d (ct, cases[c].preset, &camera, W, H);
      g_autofree char *name = g_strdup_printf ("preset-%s.png", cases[c].name);
      save_if_asked (name, px, W, H);
      double target, soft;
      columns_luminance (px, W, H, &camera, labels, ct, cases[c].want, cases[c].avoid, &target, &soft);
      g_test_message ("%s: target columns %.1f, soft tissue columns %.1f", cases[c].name, target, soft);
      g_assert_cmpfloat (target, >, cases[c].ratio * soft);
    }
}

/* The 3D view's edge letters for the six camera presets. */
static void
test_camera_letters (void)
{
  static const struct { MtCameraPreset preset; const char *letters[4]; } cases[] = {
    { MT_CAMERA_ANTERIOR, { "L", "R", "S", "I" } },
    { MT_CAMERA_POSTERIOR, { "R", "L", "S", "I" } },
    { MT_CAMERA_LEFT, { "P", "A", "S", "I" } },
    { MT_CAMERA_RIGHT, { "A", "P", "S", "I" } },
    { MT_CAMERA_SUPERIOR, { "R", "L", "A", "P" } },   /* from above: like looking down at a head */
    { MT_CAMERA_INFERIOR, { "L", "R", "A", "P" } },   /* from the feet: like an axial slice */
  };
  MtCamera camera;
  mt_camera_init_for_volume (&camera, phantom->ct);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      mt_camera_set_preset (&camera, cases[c].preset);
      const char *letters[4];
      mt_camera_orientation_letters (&camera, letters);
      for (int e = 0; e < 4; e++)
        g_assert_cmpstr (letters[e], ==, cases[c].letters[e]);
    }

  /* The orientation marker's axes. From the front: the patient's left
   * points to the screen's right, the head up, posterior away. */
  static const double L[3] = { 1, 0, 0 }, P[3] = { 0, 1, 0 }, S[3] = { 0, 0, 1 };
  double l[3], p[3], s[3];
  mt_camera_set_preset (&camera, MT_CAMERA_ANTERIOR);
  mt_camera_screen_direction (&camera, L, l);
  mt_camera_screen_direction (&camera, P, p);
  mt_camera_screen_direction (&camera, S, s);
  static const double l_front[3] = { 1, 0, 0 }, p_front[3] = { 0, 0, -1 }, s_front[3] = { 0, -1, 0 };
  for (int k = 0; k < 3; k++)
    {
      g_assert_cmpfloat_with_epsilon (l[k], l_front[k], 1e-5);
      g_assert_cmpfloat_with_epsilon (p[k], p_front[k], 1e-5);
      g_assert_cmpfloat_with_epsilon (s[k], s_front[k], 1e-5);
    }
  /* From the left side: posterior to the right, the left towards us. */
  mt_camera_set_preset (&camera, MT_CAMERA_LEFT);
  mt_camera_screen_direction (&camera, P, p);
  mt_camera_screen_direction (&camera, L, l);
  g_assert_cmpfloat_with_epsilon (p[0], 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (l[2], 1, 1e-5);
  /* Turned 30 degrees and tilted 20: still unit vectors, still at right angles. */
  camera.azimuth = 30;
  camera.elevation = 20;
  mt_camera_screen_direction (&camera, L, l);
  mt_camera_screen_direction (&camera, P, p);
  mt_camera_screen_direction (&camera, S, s);
  g_assert_cmpfloat_with_epsilon (l[0] * l[0] + l[1] * l[1] + l[2] * l[2], 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (l[0] * p[0] + l[1] * p[1] + l[2] * p[2], 0, 1e-5);
  g_assert_cmpfloat_with_epsilon (p[0] * s[0] + p[1] * s[1] + p[2] * s[2], 0, 1e-5);
  g_assert_cmpfloat_with_epsilon (l[0], cos (G_PI / 6), 1e-5);
}

/* The slice views' scale bar: a round length (1, 2 or 5 x 10^k mm) that
 * fills between 40% and 100% of the room it is given. */
static void
test_scale_bar (void)
{
  double px;
  /* 2 px/mm with 200 px of room: exactly 100 mm fits. */
  g_assert_cmpfloat (mt_scale_bar_length (2.0, 200, &px), ==, 100);
  g_assert_cmpfloat_with_epsilon (px, 200, 1e-9);
  /* A 512 x 0.7 mm CT in a 400 px view: 1.116 px/mm, 100 px of room. */
  g_assert_cmpfloat (mt_scale_bar_length (400 / (512 * 0.7), 100, &px), ==, 50);
  g_assert_cmpfloat_with_epsilon (px, 55.80, 0.01);
  /* Zoomed far in: 40 px/mm, room for 2.5 mm. */
  g_assert_cmpfloat (mt_scale_bar_length (40, 100, &px), ==, 2);
  g_assert_cmpfloat_with_epsilon (px, 80, 1e-9);
  /* Zoomed out: 0.5 px/mm, room for 360 mm. */
  g_assert_cmpfloat (mt_scale_bar_length (0.5, 180, &px), ==, 200);
  g_assert_cmpfloat_with_epsilon (px, 100, 1e-9);
  /* No scale yet, or nonsense: no bar. */
  g_assert_cmpfloat (mt_scale_bar_length (0, 100, &px), ==, 0);
  g_assert_cmpfloat (px, ==, 0);
  g_assert_cmpfloat (mt_scale_bar_length (NAN, 100, &px), ==, 0);
  g_assert_cmpfloat (mt_scale_bar_length (1, -5, &px), ==, 0);
  /* Over every zoom from 0.05 to 200 px/mm. */
  for (double s = 0.05; s < 200; s *= 1.037)
    {
      double mm = mt_scale_bar_length (s, 150, &px);
      g_assert_cmpfloat (px, <=, 150 * (1 + 1e-9));
      g_assert_cmpfloat (px, >=, 150 / 2.5 * (1 - 1e-9));
      double mantissa = mm / pow (10.0, floor (log10 (mm) + 1e-9));
      g_assert_true (fabs (mantissa - 1) < 1e-6 || fabs (mantissa - 2) < 1e-6 || fabs (mantissa - 5) < 1e-6);
    }
}

/* The MR preset on a real T1 head: the scan's own scale decides, so the
 * same head stored with values three times larger (another scanner's
 * scaling) renders the same picture; the head is drawn, centred from the
 * front, and its nose lands where geometry says from the patient's left. */
static void
test_mr_preset (void)
{
  g_autofree char *dir = mt_test_data_path ("mr-decubitus", "HFS", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (MtVolume) scaled = mt_volume_new (v->dims[0], v->dims[1], v->dims[2], &error);
  g_assert_no_error (error);
  mt_volume_copy_geometry (scaled, v);
  for (gsize i = 0; i < mt_volume_n_voxels (scaled); i++)
    scaled->data[i] = v->data[i] * 3;

  const int N = 200;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, v);
  g_autofree guint8 *front = render_3d (v, MT_PRESET_MR, &camera, N, N);
  g_autofree guint8 *front3 = render_3d (scaled, MT_PRESET_MR, &camera, N, N);
  int differ = 0, drawn = 0;
  double sum_x = 0;
  for (int i = 0; i < N * N; i++)
    {
      int d = 0;
      for (int c = 0; c < 3; c++)
        d = MAX (d, abs (front[4 * i + c] - front3[4 * i + c]));
      differ += d > 2;
      /* Background is near black; skin is light. */
      if (luminance (front + 4 * i) > 60)
        {
          drawn++;
          sum_x += i % N;
        }
    }
  g_test_message ("MR front: %d of %d pixels drawn, centred at x %.1f; %d differ at 3x scale", drawn, N * N,
                  sum_x / MAX (drawn, 1), differ);
  g_assert_cmpint (differ, <=, N * N / 1000);
  /* The first view frames the whole head: nothing drawn on the top or
   * bottom row (the chin used to be cut off). */
  int edge = 0;
  for (int x = 0; x < N; x++)
    edge += (luminance (front + 4 * x) > 60) + (luminance (front + 4 * ((N - 1) * N + x)) > 60);
  g_test_message ("MR front: %d pixels drawn on the top and bottom rows", edge);
  g_assert_cmpint (edge, ==, 0);
  g_assert_cmpint (drawn, >, N * N / 5);
  g_assert_cmpfloat (fabs (sum_x / drawn - N / 2.0), <, N * 0.05);

  /* From the left, the face is on the screen's left: the most anterior
   * tissue voxel of the scan (the nose's tip) projects onto the leftmost
   * drawn column. */
  double p1, p995, best_y = G_MAXDOUBLE, tip[3] = { 0 };
  mt_volume_percentiles (v, 1 << 16, 0.01, 0.995, &p1, &p995);
  const double tissue = p1 + 0.3 * (p995 - p1);
  for (int k = 0; k < v->dims[2]; k++)
    for (int j = 0; j < v->dims[1]; j++)
      for (int i = 0; i < v->dims[0]; i++)
        if (v->data[mt_volume_offset (v, i, j, k)] > tissue)
          {
            double ijk[3] = { i, j, k }, lps[3];
            mt_volume_index_to_patient (v, ijk, lps);
            if (lps[1] < best_y)
              {
                best_y = lps[1];
                memcpy (tip, lps, sizeof tip);
              }
          }
  mt_camera_set_preset (&camera, MT_CAMERA_LEFT);
  g_autofree guint8 *side = render_3d (v, MT_PRESET_MR, &camera, N, N);
  int leftmost = N, rightmost = -1;
  for (int i = 0; i < N * N; i++)
    if (luminance (side + 4 * i) > 60)
      {
        leftmost = MIN (leftmost, i % N);
        rightmost = MAX (rightmost, i % N);
      }
  double tip_x, tip_y;
  mt_camera_project (&camera, N, N, tip, &tip_x, &tip_y);
  g_test_message ("MR from the left: head from column %d to %d; nose tip (%.1f, %.1f, %.1f) mm at column %.1f",
                  leftmost, rightmost, tip[0], tip[1], tip[2], tip_x);
  g_assert_cmpfloat (fabs (tip_x - leftmost), <, 4);
  g_assert_cmpfloat (rightmost - tip_x, >, N / 2.0);
}

/* Oblique reformatting. On a volume whose values are a linear function of
 * the patient position (which trilinear sampling reproduces exactly) every
 * pixel of a turned plane holds the value of the point geometry says; and
 * the phantom's nodule, cut by a steeply tilted plane through its centre,
 * is at the image centre with lung beside it. */
static void
test_oblique (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_test_ramp_volume ();
  double centre[3], ijk_c[3] = { 19.5, 17.5, 14.5 };
  mt_volume_index_to_patient (v, ijk_c, centre);
  MtObliquePlane plane;
  mt_oblique_plane_init (&plane, MT_VIEW_CORONAL, centre, 2, 30);
  /* Coronal turned 30 degrees about S: right is L turned towards P... */
  g_assert_cmpfloat_with_epsilon (plane.right[0], cos (G_PI / 6), 1e-12);
  g_assert_cmpfloat_with_epsilon (plane.right[1], sin (G_PI / 6), 1e-12);
  g_assert_cmpfloat_with_epsilon (plane.down[2], -1, 1e-12);
  const int W = 24, H = 20;
  g_autofree float *img = mt_oblique_extract (v, &plane, 1.0, W, H, -9999);
  double worst = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double p[3];
        mt_oblique_point (&plane, 1.0, W, H, x + 0.5, y + 0.5, p);
        worst = MAX (worst, fabs (img[y * W + x] - mt_test_ramp (p)));
      }
  g_test_message ("oblique ramp: worst error %.2g", worst);
  g_assert_cmpfloat (worst, <, 1e-3);
  /* Beyond the volume: the outside value. */
  g_autofree float *far = mt_oblique_extract (v, &plane, 10.0, 20, 20, -9999);
  g_assert_cmpfloat (far[0], ==, -9999);

  /* Thick oblique slabs over the ramp: it rises along the normal by
   * ramp(n) per mm, so a 6 mm MIP reads 3 mm of that above the plane, a MinIP
   * 3 mm below, and the mean the plane itself. */
  double n[3];
  mt_oblique_plane_normal (&plane, n);
  double rise = fabs (mt_test_ramp (n));
  g_assert_cmpfloat (rise, >, 0.5);
  g_autofree float *mip = mt_oblique_extract_slab (v, &plane, 1.0, W, H, -9999, MT_SLAB_MIP, 6.0);
  g_autofree float *minip = mt_oblique_extract_slab (v, &plane, 1.0, W, H, -9999, MT_SLAB_MINIP, 6.0);
  g_autofree float *mean = mt_oblique_extract_slab (v, &plane, 1.0, W, H, -9999, MT_SLAB_MEAN, 6.0);
  int mid = (H / 2) * W + W / 2;
  g_assert_cmpfloat_with_epsilon (mip[mid] - img[mid], 3 * rise, 1e-3);
  g_assert_cmpfloat_with_epsilon (img[mid] - minip[mid], 3 * rise, 1e-3);
  g_assert_cmpfloat_with_epsilon (mean[mid], img[mid], 1e-3);

  /* Image position to patient and back. */
  double back_u, back_v, pt[3];
  mt_oblique_point (&plane, 0.7, W, H, 3.25, 17.5, pt);
  mt_oblique_plane_project (&plane, 0.7, W, H, pt, &back_u, &back_v);
  g_assert_cmpfloat_with_epsilon (back_u, 3.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (back_v, 17.5, 1e-9);

  /* Fitted to the volume, the image holds every corner of its box, and the
   * plane still runs through the same point. */
  MtObliquePlane fitted = plane;
  int fw, fh;
  mt_oblique_plane_fit (&fitted, v, 1.0, &fw, &fh);
  g_assert_cmpfloat_with_epsilon ((fitted.center[0] - centre[0]) * n[0] + (fitted.center[1] - centre[1]) * n[1]
                                    + (fitted.center[2] - centre[2]) * n[2], 0, 1e-9);
  for (int c = 0; c < 8; c++)
    {
      double corner[3], cp[3], cu, cv;
      for (int a = 0; a < 3; a++)
        corner[a] = (c >> a) & 1 ? v->dims[a] - 0.5 : -0.5;
      mt_volume_index_to_patient (v, corner, cp);
      mt_oblique_plane_project (&fitted, 1.0, fw, fh, cp, &cu, &cv);
      g_assert_cmpfloat (cu, >=, -1e-9);
      g_assert_cmpfloat (cu, <=, fw + 1e-9);
      g_assert_cmpfloat (cv, >=, -1e-9);
      g_assert_cmpfloat (cv, <=, fh + 1e-9);
    }

  /* Edge letters, strongest direction first. */
  char letters[4];
  mt_direction_letters ((double[3]) { 0.866, -0.5, 0 }, letters);
  g_assert_cmpstr (letters, ==, "LA");
  mt_direction_letters ((double[3]) { 0, 0, -1 }, letters);
  g_assert_cmpstr (letters, ==, "I");
  mt_direction_letters ((double[3]) { -0.1, 0.6, 0.79 }, letters);
  g_assert_cmpstr (letters, ==, "SP");

  /* A standard view's plane follows the volume's own axes: for a scan
   * stored with its rows running right to left, screen-right is still L. */
  MtSliceLayout layout;
  g_autoptr (MtVolume) flipped = mt_volume_new (4, 4, 4, &error);
  flipped->direction[0] = -1;
  mt_slice_layout_init (&layout, flipped, MT_VIEW_AXIAL);
  mt_slice_layout_plane (&layout, flipped, centre, &fitted);
  g_assert_cmpfloat (fitted.right[0], ==, 1);
  g_assert_cmpfloat (fitted.down[1], ==, 1);

  /* The nodule (centre L -88, P -25, S 85; radius 6 mm) on an axial plane
   * tilted 60 degrees about L. */
  const double nodule[3] = { -88, -25, 85 };
  mt_oblique_plane_init (&plane, MT_VIEW_AXIAL, nodule, 0, 60);
  const int N = 64;
  g_autofree float *cut = mt_oblique_extract (phantom->ct, &plane, 0.5, N, N, -1024);
  float middle = cut[(N / 2) * N + N / 2];
  /* 12 mm to the screen's right (patient left along L): lung. */
  float beside = cut[(N / 2) * N + N / 2 + 24];
  double lps[3];
  mt_oblique_point (&plane, 0.5, N, N, N / 2.0, N / 2.0 + 10, lps);
  g_test_message ("nodule on a 60-degree oblique: %.0f HU at its centre, %.0f HU 12 mm beside; "
                  "5 mm down the image is (%.1f, %.1f, %.1f) mm", middle, beside, lps[0], lps[1], lps[2]);
  g_assert_cmpfloat (middle, >, -100);
  g_assert_cmpfloat (beside, <, -600);
  /* Down the image runs along P turned towards S by 60 degrees. */
  g_assert_cmpfloat_with_epsilon (lps[1], -25 + 5 * cos (G_PI / 3), 1e-9);
  g_assert_cmpfloat_with_epsilon (lps[2], 85 + 5 * sin (G_PI / 3), 1e-9);
}

/* While the mouse drags: the GPU's frame time comes back through timer
 * queries without waiting, and the picture's size follows it to the target. */
static void
test_adaptive_drag (void)
{
  /* Twice the target at scale 4: the ideal scale is 4 * sqrt (2) = 5.66;
   * the step goes half-way in ratio, sqrt (4 * 5.66) = 4.76. */
  g_assert_cmpfloat_with_epsilon (mt_adapt_pixel_scale (4, 80, 40), sqrt (4 * 4 * sqrt (2)), 1e-9);
  /* A fast GL: back towards full size, never below it, never above 8. */
  g_assert_cmpfloat (mt_adapt_pixel_scale (2, 5, 40), <, 2);
  g_assert_cmpfloat (mt_adapt_pixel_scale (1, 1, 40), ==, 1);
  g_assert_cmpfloat (mt_adapt_pixel_scale (8, 1000, 40), ==, 8);
  /* No measurement yet: no change. */
  g_assert_cmpfloat (mt_adapt_pixel_scale (3, -1, 40), ==, 3);
  g_assert_cmpfloat (mt_drag_step_scale (4), ==, 2.5);
  g_assert_cmpfloat (mt_drag_step_scale (1), ==, 1);

  const MtVolume *ct = phantom->ct;
  const int W = 320, H = 240;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *r = mt_volume_renderer_new (&error);
  g_assert_true (mt_volume_renderer_set_volume (r, ct, &error));
  mt_volume_renderer_set_preset (r, MT_PRESET_CT_BONE);
  mt_offscreen_resize (gl, W, H);
  double scale = -2;
  g_assert_cmpfloat (mt_volume_renderer_get_gpu_ms (r, &scale), <, 0);
  /* A few frames at scale 3; the times come back once the GPU is done. */
  double ms = -1;
  for (int f = 0; f < 4 && ms <= 0; f++)
    {
      mt_volume_renderer_render_scaled (r, &camera, W, H, 3, mt_drag_step_scale (3));
      mt_offscreen_finish (gl);
      ms = mt_volume_renderer_get_gpu_ms (r, &scale);
    }
  g_test_message ("GPU time of a scale-3 frame at %dx%d: %.2f ms", W, H, ms);
  g_assert_cmpfloat (ms, >, 0);
  g_assert_cmpfloat (scale, ==, 3);
  /* The reduced picture is stretched over the whole viewport: the body
   * shows at the centre, air at the corner. */
  g_autofree guint8 *img = mt_offscreen_read_rgba (gl);
  float bg[3];
  mt_volume_renderer_background (bg);
  const guint8 *corner = img, *middle = img + ((gsize) (H / 2) * W + W / 2) * 4;
  g_assert_cmpint (abs (corner[0] - (int) lround (bg[0] * 255)), <=, 1);
  g_assert_cmpint (abs (middle[0] - (int) lround (bg[0] * 255)), >, 20);
  mt_volume_renderer_free (r);
}

static int
count_not_background (const guint8 *img, int n)
{
  float bg[3];
  mt_volume_renderer_background (bg);
  int count = 0;
  for (int i = 0; i < n; i++)
    count += abs (img[4 * i] - (int) lround (bg[0] * 255)) > 2 || abs (img[4 * i + 2] - (int) lround (bg[2] * 255)) > 2;
  return count;
}

/* Edited transfer functions: the preset's own points draw the preset's
 * picture exactly; no opacity anywhere draws nothing; opaque soft tissue
 * draws the whole body, more than bone alone. */
static void
test_custom_transfer (void)
{
  const MtVolume *ct = phantom->ct;
  const int W = 240, H = 180;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *r = mt_volume_renderer_new (&error);
  g_assert_true (mt_volume_renderer_set_volume (r, ct, &error));
  mt_offscreen_resize (gl, W, H);
  mt_volume_renderer_set_preset (r, MT_PRESET_CT_BONE);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *preset = mt_offscreen_read_rgba (gl);
  int n;
  g_autofree MtTfPoint *pts = mt_transfer_function_preset_points (MT_PRESET_CT_BONE, 0, 1, &n);
  mt_volume_renderer_set_transfer_points (r, pts, n);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *same = mt_offscreen_read_rgba (gl);
  int differ = 0;
  for (int i = 0; i < W * H * 4; i++)
    differ += abs (preset[i] - same[i]) > 1;
  g_test_message ("bone preset vs its own points edited: %d bytes differ", differ);
  g_assert_cmpint (differ, ==, 0);

  const MtTfPoint clear[2] = { { -1024, 1, 1, 1, 0 }, { 3071, 1, 1, 1, 0 } };
  mt_volume_renderer_set_transfer_points (r, clear, 2);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *none = mt_offscreen_read_rgba (gl);
  g_assert_cmpint (count_not_background (none, W * H), ==, 0);

  const MtTfPoint soft[3] = { { -300, 0.8f, 0.6f, 0.5f, 0 }, { -200, 0.8f, 0.6f, 0.5f, 1 }, { 3071, 1, 1, 1, 1 } };
  mt_volume_renderer_set_transfer_points (r, soft, 3);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *body = mt_offscreen_read_rgba (gl);
  int bone_px = count_not_background (preset, W * H), body_px = count_not_background (body, W * H);
  g_test_message ("pixels drawn: bone %d, opaque soft tissue %d", bone_px, body_px);
  g_assert_cmpint (body_px, >, bone_px + W * H / 20);
  /* NULL: the preset again. */
  mt_volume_renderer_set_transfer_points (r, NULL, 0);
  mt_volume_renderer_render (r, &camera, W, H, MT_QUALITY_FULL);
  g_autofree guint8 *back = mt_offscreen_read_rgba (gl);
  g_assert_cmpmem (back, W * H * 4, preset, W * H * 4);
  mt_volume_renderer_free (r);
}

/* A square facing the camera (normal along -y, towards the front) at
 * patient y, spanning x and z by +-half mm around the volume's centre. */
static MtMesh *
square_at (const MtVolume *v, double y, double half)
{
  double c[3], ijk[3] = { (v->dims[0] - 1) / 2.0, (v->dims[1] - 1) / 2.0, (v->dims[2] - 1) / 2.0 };
  mt_volume_index_to_patient (v, ijk, c);
  MtMesh *m = mt_mesh_new (4, 2);
  const float corners[4][2] = { { -1, -1 }, { 1, -1 }, { 1, 1 }, { -1, 1 } };
  for (int i = 0; i < 4; i++)
    {
      m->vertices[3 * i] = (float) (c[0] + corners[i][0] * half);
      m->vertices[3 * i + 1] = (float) y;
      m->vertices[3 * i + 2] = (float) (c[2] + corners[i][1] * half);
    }
  const guint32 tris[6] = { 0, 1, 2, 0, 2, 3 };
  memcpy (m->triangles, tris, sizeof tris);
  mt_mesh_compute_normals (m);
  return m;
}

static guint8 *
render_scene_scaled (MtVolumeRenderer *vr, MtMeshRenderer *mr, const MtCamera *camera, int w, int h, double scale)
{
  mt_scene_render (vr, mr, camera, w, h, scale, 1);
  return mt_offscreen_read_rgba (gl);
}

static guint8 *
render_scene (MtVolumeRenderer *vr, MtMeshRenderer *mr, const MtCamera *camera, int w, int h)
{
  return render_scene_scaled (vr, mr, camera, w, h, 1);
}

/* Surfaces with the volume: an opaque square in front hides it, one behind
 * shows only where the volume is clear; transparent squares blend the same
 * whichever is drawn first, and hide behind an opaque one. */
static void
test_surfaces (void)
{
  const MtVolume *ct = phantom->ct;
  const int W = 160, H = 120, N = W * H;
  MtCamera camera;
  mt_camera_init_for_volume (&camera, ct);
  g_autoptr (GError) error = NULL;
  MtVolumeRenderer *vr = mt_volume_renderer_new (&error);
  g_assert_true (mt_volume_renderer_set_volume (vr, ct, &error));
  mt_volume_renderer_set_preset (vr, MT_PRESET_CT_BONE);
  MtMeshRenderer *mr = mt_mesh_renderer_new (&error);
  g_assert_no_error (error);
  mt_offscreen_resize (gl, W, H);
  g_autofree guint8 *alone = render_scene (vr, NULL, &camera, W, H);

  double lo[3], hi[3], ijk0[3] = { 0, 0, 0 }, ijk1[3] = { ct->dims[0] - 1, ct->dims[1] - 1, ct->dims[2] - 1 };
  mt_volume_index_to_patient (ct, ijk0, lo);
  mt_volume_index_to_patient (ct, ijk1, hi);
  const float green[4] = { 0.1f, 0.8f, 0.2f, 1 }, red[4] = { 0.9f, 0.1f, 0.1f, 0.5f }, blue[4] = { 0.1f, 0.2f, 0.9f, 0.5f };
  g_autoptr (MtMesh) front = square_at (ct, MIN (lo[1], hi[1]) - 20, 2000);
  g_autoptr (MtMesh) back = square_at (ct, MAX (lo[1], hi[1]) + 20, 2000);
  g_autoptr (MtMesh) front2 = square_at (ct, MIN (lo[1], hi[1]) - 40, 2000);

  /* In front: the square everywhere, one colour. */
  mt_mesh_renderer_add (mr, front, green);
  g_autofree guint8 *hidden = render_scene (vr, mr, &camera, W, H);
  int green_px = 0;
  for (int i = 0; i < N; i++)
    green_px += hidden[4 * i + 1] > 150 && hidden[4 * i] < 120 && hidden[4 * i + 2] < 120;
  g_test_message ("opaque square in front: %d of %d pixels green", green_px, N);
  g_assert_cmpint (green_px, ==, N);
  g_autofree guint8 *hidden_coarse = render_scene_scaled (vr, mr, &camera, W, H, 4);
  int green_coarse = 0;
  for (int i = 0; i < N; i++)
    green_coarse += hidden_coarse[4 * i + 1] > 150 && hidden_coarse[4 * i] < 120 && hidden_coarse[4 * i + 2] < 120;
  g_assert_cmpint (green_coarse, ==, N);

  /* Behind: the bone in front of it as before, the square where the volume
   * is clear. */
  mt_mesh_renderer_clear (mr);
  mt_mesh_renderer_add (mr, back, green);
  g_autofree guint8 *behind = render_scene (vr, mr, &camera, W, H);
  float bg[3];
  mt_volume_renderer_background (bg);
  int clear = 0, clear_green = 0, bone = 0, bone_same = 0;
  for (int i = 0; i < N; i++)
    {
      const guint8 *a = alone + 4 * i, *b = behind + 4 * i;
      gboolean is_bg = abs (a[0] - (int) lround (bg[0] * 255)) <= 1 && abs (a[2] - (int) lround (bg[2] * 255)) <= 1;
      if (is_bg)
        {
          clear++;
          clear_green += b[1] > 150 && b[0] < 120;
        }
      else if (a[0] > 200)
        {
          bone++;
          bone_same += abs (a[0] - b[0]) <= 12;
        }
    }
  g_test_message ("square behind: %d/%d clear pixels green, %d/%d bright bone pixels unchanged", clear_green, clear,
                  bone_same, bone);
  g_assert_cmpint (clear, >, N / 10);
  g_assert_cmpint (clear_green, ==, clear);
  g_assert_cmpint (bone, >, 100);
  g_assert_cmpint (bone_same, >=, bone * 95 / 100);

  /* Two transparent squares in front, drawn in either order: the same. */
  mt_mesh_renderer_clear (mr);
  mt_mesh_renderer_add (mr, front, red);
  mt_mesh_renderer_add (mr, front2, blue);
  g_autofree guint8 *ab = render_scene (vr, mr, &camera, W, H);
  mt_mesh_renderer_clear (mr);
  mt_mesh_renderer_add (mr, front2, blue);
  mt_mesh_renderer_add (mr, front, red);
  g_autofree guint8 *ba = render_scene (vr, mr, &camera, W, H);
  int worst = 0;
  for (int i = 0; i < 4 * N; i++)
    worst = MAX (worst, abs (ab[i] - ba[i]));
  const guint8 *mid = ab + 4 * (H / 2 * W + W / 2), *corner = ab;
  g_test_message ("transparent red and blue, both orders: worst difference %d; corner %d,%d,%d", worst, corner[0],
                  corner[1], corner[2]);
  g_assert_cmpint (worst, <=, 1);
  /* Both layers show over the background, and the volume shows through. */
  g_assert_cmpint (corner[0], >, 40);
  g_assert_cmpint (corner[2], >, 40);
  g_assert_cmpint (abs (mid[0] - corner[0]) + abs (mid[1] - corner[1]) + abs (mid[2] - corner[2]), >, 0);
  /* As while the view is dragged or the twin plays: a quarter of the
   * pixels each way for the volume and the surfaces alike, the same
   * picture in coarser blocks (the layers resolved over the whole view). */
  g_autofree guint8 *coarse = render_scene_scaled (vr, mr, &camera, W, H, 4);
  const guint8 *coarse_corner = coarse;
  double mean_diff = 0;
  for (int i = 0; i < N; i++)
    for (int c = 0; c < 3; c++)
      mean_diff += abs (coarse[4 * i + c] - ba[4 * i + c]) / (3.0 * N);
  g_test_message ("the same at a quarter of the pixels: corner %d,%d,%d, mean difference %.1f levels", coarse_corner[0],
                  coarse_corner[1], coarse_corner[2], mean_diff);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (abs (coarse_corner[c] - corner[c]), <=, 2);
  g_assert_cmpfloat (mean_diff, <, 8);

  /* A transparent square behind the whole body: hidden where the bone is
   * opaque in front of it, showing where the volume is clear. */
  mt_mesh_renderer_clear (mr);
  mt_mesh_renderer_add (mr, back, red);
  g_autofree guint8 *tinted = render_scene (vr, mr, &camera, W, H);
  int bone_kept = 0, clear_red = 0;
  bone = clear = 0;
  for (int i = 0; i < N; i++)
    {
      const guint8 *a = alone + 4 * i, *b = tinted + 4 * i;
      gboolean is_bg = abs (a[0] - (int) lround (bg[0] * 255)) <= 1 && abs (a[2] - (int) lround (bg[2] * 255)) <= 1;
      if (is_bg)
        {
          clear++;
          clear_red += b[0] > a[0] + 40;
        }
      else if (a[0] > 200)
        {
          bone++;
          bone_kept += abs (a[0] - b[0]) <= 12 && abs (a[1] - b[1]) <= 12;
        }
    }
  g_test_message ("see-through square behind: %d/%d bright bone pixels unchanged, %d/%d clear pixels red", bone_kept,
                  bone, clear_red, clear);
  g_assert_cmpint (bone_kept, >=, bone * 95 / 100);
  g_assert_cmpint (clear_red, ==, clear);

  /* Behind an opaque square, a transparent one is hidden. */
  mt_mesh_renderer_clear (mr);
  mt_mesh_renderer_add (mr, front2, green);
  mt_mesh_renderer_add (mr, front, red);
  g_autofree guint8 *covered = render_scene (vr, mr, &camera, W, H);
  g_assert_cmpmem (covered, 4 * N, hidden, 4 * N);
  save_if_asked ("surfaces-oit.png", ab, W, H);
  mt_mesh_renderer_free (mr);
  mt_volume_renderer_free (vr);
}

/* The moments of one beat of a settled twin: its R wave (end-diastole) and
 * the smallest ventricular volume (end-systole). */
static void
one_beat (MtTwin *twin, MtTwinSample *ed, MtTwinSample *es)
{
  mt_twin_advance (twin, 3);
  g_autoptr (GArray) h = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  mt_twin_history (twin, 0, 3, h);
  guint start = 0, end = 0;
  for (guint i = 1; i < h->len && end == 0; i++)
    if (g_array_index (h, MtTwinSample, i).beat_phase < g_array_index (h, MtTwinSample, i - 1).beat_phase - 0.5)
      {
        if (start == 0)
          start = i;
        else
          end = i;
      }
  g_assert_cmpuint (end, >, start);
  *ed = g_array_index (h, MtTwinSample, start);
  *es = *ed;
  for (guint i = start; i < end; i++)
    {
      const MtTwinSample *s = &g_array_index (h, MtTwinSample, i);
      if (s->v_lv + s->v_rv < es->v_lv + es->v_rv)
        *es = *s;
    }
}

static guint8 *
render_surfaces_only (MtMeshRenderer *mr, const MtCamera *camera, int w, int h)
{
  mt_mesh_renderer_draw_opaque (mr, camera, w, h, 1);
  guint8 *px = g_malloc ((gsize) w * h * 4);
  glBindTexture (GL_TEXTURE_2D, mt_mesh_renderer_get_color_texture (mr));
  glGetTexImage (GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, px);
  return px;
}

static int
covered (const guint8 *px, int n)
{
  int c = 0;
  for (int i = 0; i < n; i++)
    c += px[4 * i + 3] > 0;
  return c;
}

/* The demo heart beating: posed at end-diastole and end-systole by the
 * model, its enclosed volume changes by the model's ratio (the blood both
 * ventricles ejected), and its silhouette, seen down its long axis, by the
 * square of its narrowing, as drawn by the vertex shader. */
static void
test_animation_heart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) mesh = mt_mesh_from_segment (phantom->labels, MT_LABEL_HEART, &error);
  g_assert_no_error (error);
  const float red[4] = { 0.8f, 0.2f, 0.2f, 1 };
  g_autoptr (MtSurface) heart = mt_surface_new (mesh, "heart", red);
  MtPhysioParams params;
  mt_physio_params_default (&params);
  g_autoptr (MtTwin) twin = mt_twin_new (&params);
  MtTwinSample ed, es;
  one_beat (twin, &ed, &es);
  g_autoptr (MtAnimation) anim = mt_animation_new (&heart, 1, NULL);
  g_assert_cmpint (mt_animation_get_heart (anim), ==, 0);
  double v0 = fabs (mt_mesh_volume (mesh)) / 1000;
  double model_ratio = (v0 - (ed.ed_ml - es.v_lv - es.v_rv)) / v0;

  double ratios[2], volumes[2];
  int pixels[2];
  const MtTwinSample *moments[2] = { &ed, &es };
  const int W = 256, H = 256;
  MtMeshRenderer *mr = mt_mesh_renderer_new (&error);
  g_assert_no_error (error);
  mt_mesh_renderer_add (mr, mesh, red);
  MtCamera camera;
  mt_camera_init_for_volume (&camera, phantom->labels);
  camera.orthographic = TRUE;
  mt_offscreen_resize (gl, W, H);
  for (int k = 0; k < 2; k++)
    {
      mt_animation_pose (anim, moments[k]);
      ratios[k] = mt_animation_get_heart_ratio (anim);
      /* The same motion on the CPU (as the slice views' outlines take
       * it): the enclosed volume. */
      g_autoptr (MtMesh) moved = mt_mesh_copy (mesh);
      memcpy (moved->vertices, mt_animation_get_moved (anim, 0), 3 * sizeof (float) * mesh->n_vertices);
      volumes[k] = fabs (mt_mesh_volume (moved)) / 1000;
    }
  /* The long axis, to look down: where the end-systolic motion shrinks
   * least. */
  const MtMeshMotion *m = mt_animation_get_motion (anim, 0);
  double best = 0, axis[3] = { 0, 0, 1 };
  for (int it = 0; it < 20000; it++)
    {
      double th = acos (1 - 2 * (it + 0.5) / 20000), ph = G_PI * (1 + sqrt (5)) * it;
      double d[3] = { sin (th) * cos (ph), sin (th) * sin (ph), cos (th) }, q[3];
      for (int r = 0; r < 3; r++)
        q[r] = m->model[r] * d[0] + m->model[4 + r] * d[1] + m->model[8 + r] * d[2];
      double len = sqrt (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
      if (len > best)
        best = len, memcpy (axis, d, sizeof axis);
    }
  double along = pow (ratios[1], 0.2), across = sqrt (ratios[1] / along);
  g_assert_cmpfloat (fabs (best - along), <, 2e-3);
  camera.elevation = asin (axis[2]) * 180 / G_PI;
  camera.azimuth = atan2 (axis[0], -axis[1]) * 180 / G_PI;
  for (int k = 0; k < 2; k++)
    {
      mt_animation_pose (anim, moments[k]);
      g_assert_true (mt_mesh_renderer_animate (mr, anim, k == 0, 4));
      g_autofree guint8 *px = render_surfaces_only (mr, &camera, W, H);
      pixels[k] = covered (px, W * H);
      save_if_asked (k == 0 ? "heart-diastole.png" : "heart-systole.png", px, W, H);
    }
  double silhouette = (double) pixels[1] / pixels[0];
  g_test_message ("heart %.1f mL; ejected %.1f mL (both ventricles, ED %.1f, ES %.1f); model ratio %.4f, posed %.4f; "
                  "mesh volume %.1f -> %.1f mL (ratio %.4f); silhouette %d -> %d px (ratio %.4f, predicted %.4f)",
                  v0, ed.ed_ml - es.v_lv - es.v_rv, ed.ed_ml, es.v_lv + es.v_rv, model_ratio, ratios[1], volumes[0],
                  volumes[1], volumes[1] / volumes[0], pixels[0], pixels[1], silhouette, across * across);
  g_assert_cmpfloat (fabs (ratios[0] - 1), <, 0.01);
  g_assert_cmpfloat (fabs (ratios[1] - model_ratio), <, 1e-6);
  /* About 150 mL ejected from a 580 mL heart. */
  g_assert_cmpfloat (model_ratio, >, 0.6);
  g_assert_cmpfloat (model_ratio, <, 0.85);
  g_assert_cmpfloat (fabs (volumes[0] / v0 - ratios[0]), <, 0.002);
  g_assert_cmpfloat (fabs (volumes[1] / v0 - model_ratio), <, 0.002);
  g_assert_cmpint (pixels[0], >, 3000);
  g_assert_cmpfloat (fabs (silhouette - across * across), <, 0.015);
  mt_mesh_renderer_free (mr);
}

/* The aorta widens with pressure about its centreline, blood runs along it
 * away from the heart at the aortic flow, and the lungs fill downwards,
 * taking the liver with them. */
static void
test_animation_flow_breath (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) names = mt_phantom_label_names ();
  g_autoptr (MtAnatomy) anatomy = mt_anatomy_from_labels (phantom->labels, names, &error);
  g_assert_no_error (error);
  const int labels[] = { MT_LABEL_HEART, MT_LABEL_AORTA, MT_LABEL_LUNG_LEFT, MT_LABEL_LUNG_RIGHT, MT_LABEL_LIVER };
  MtSurface *surfaces[G_N_ELEMENTS (labels)];
  const float grey[4] = { 0.7f, 0.7f, 0.7f, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autoptr (MtMesh) m = mt_mesh_from_segment (phantom->labels, labels[i], &error);
      g_assert_no_error (error);
      surfaces[i] = mt_surface_new (m, mt_label_name (labels[i]), grey);
    }
  g_autoptr (MtAnimation) anim = mt_animation_new (surfaces, G_N_ELEMENTS (labels), anatomy);
  g_assert_nonnull (mt_animation_get_anchors (anim, 1));
  g_assert_null (mt_animation_get_anchors (anim, 0));
  MtPhysioParams params;
  mt_physio_params_default (&params);
  g_autoptr (MtTwin) twin = mt_twin_new (&params);
  MtTwinSample ed, es;
  one_beat (twin, &ed, &es);

  /* Pressure: narrower at end-diastole (lowest pressure) than at the
   * systolic peak. */
  mt_animation_pose (anim, &ed);
  double radial_low = mt_animation_get_motion (anim, 1)->radial;
  g_autoptr (GArray) h = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  mt_twin_history (twin, 0, 3, h);
  MtTwinSample peak = ed;
  for (guint i = 0; i < h->len; i++)
    if (g_array_index (h, MtTwinSample, i).p_ao > peak.p_ao)
      peak = g_array_index (h, MtTwinSample, i);
  mt_animation_pose (anim, &peak);
  double radial_high = mt_animation_get_motion (anim, 1)->radial;
  double expect_high = sqrt (1 + 4e-3 * (peak.p_ao - 93)), expect_low = sqrt (1 + 4e-3 * (ed.p_ao - 93));
  g_test_message ("aorta: %.0f mmHg radius x%.4f, %.0f mmHg x%.4f", ed.p_ao, radial_low, peak.p_ao, radial_high);
  g_assert_cmpfloat (fabs (radial_high - expect_high), <, 1e-5);
  g_assert_cmpfloat (fabs (radial_low - expect_low), <, 1e-5);
  g_assert_cmpfloat (radial_high, >, 1.02);
  g_assert_cmpfloat (radial_low, <, 1.0);
  /* Pressure colours: the heart redder at the systolic peak than at
   * end-diastole; with the blood shown, the aorta's wall see-through. */
  mt_animation_set_pressure_colors (anim, TRUE);
  mt_animation_set_flow_shown (anim, TRUE);
  mt_animation_pose (anim, &ed);
  float heart_ed[4], aorta_alpha = mt_animation_get_motion (anim, 1)->rgba[3];
  memcpy (heart_ed, mt_animation_get_motion (anim, 0)->rgba, sizeof heart_ed);
  mt_animation_pose (anim, &peak);
  const float *heart_peak = mt_animation_get_motion (anim, 0)->rgba;
  g_test_message ("heart colour at %.0f mmHg: %.2f,%.2f,%.2f; at %.0f mmHg: %.2f,%.2f,%.2f; aorta alpha %.2f", ed.p_lv,
                  heart_ed[0], heart_ed[1], heart_ed[2], peak.p_lv, heart_peak[0], heart_peak[1], heart_peak[2],
                  aorta_alpha);
  g_assert_cmpfloat (heart_peak[0] - heart_peak[2], >, heart_ed[0] - heart_ed[2] + 0.5);
  g_assert_cmpfloat (aorta_alpha, <=, 0.35f);
  mt_animation_set_pressure_colors (anim, FALSE);
  mt_animation_pose (anim, &ed);
  g_assert_cmpmem (mt_animation_get_motion (anim, 0)->rgba, 3 * sizeof (float), grey, 3 * sizeof (float));

  /* Blood: one step at the systolic flow moves each particle on by the
   * flow over the root's area; in diastole (no flow) they stay. */
  guint n;
  double speed;
  mt_animation_flow (anim, &peak, 0);
  const float *xyz = mt_animation_get_particles (anim, &n, &speed);
  g_assert_cmpuint (n, >, 30);
  g_autofree float *before = g_memdup2 (xyz, 3 * sizeof (float) * n);
  mt_animation_flow (anim, &peak, 0.005);
  xyz = mt_animation_get_particles (anim, &n, &speed);
  double moved = 0;
  for (guint i = 0; i < n; i++)
    moved += sqrt (pow (xyz[3 * i] - before[3 * i], 2) + pow (xyz[3 * i + 1] - before[3 * i + 1], 2)
                   + pow (xyz[3 * i + 2] - before[3 * i + 2], 2));
  moved /= n;
  g_test_message ("blood at %.0f mL/s: %.0f mm/s, particles moved %.2f mm in 5 ms", peak.q_av, speed, moved);
  g_assert_cmpfloat (speed, >, 300);
  g_assert_cmpfloat (speed, <, 2500);
  /* Wrapping at a path's end takes a few a long way back: the median. */
  g_assert_cmpfloat (moved, >, 0.5 * speed * 0.005);
  MtTwinSample still = ed;
  still.q_av = 0;
  mt_animation_flow (anim, &still, 0.1);
  g_assert_cmpfloat (fabs (mt_animation_get_particles (anim, &n, &speed)[0] - xyz[0]), <, 1e-6);

  /* Breath: half a litre in lowers the lungs' base and the liver alike. */
  MtTwinSample in = ed, out = ed;
  in.lung_mean_l = out.lung_mean_l = 0.25f;
  in.lung_l = 0.5f;
  out.lung_l = 0.0f;
  mt_animation_pose (anim, &in);
  float liver_in = mt_animation_get_motion (anim, 4)->model[14];
  const MtMeshMotion *lung = mt_animation_get_motion (anim, 2);
  double det_in = lung->model[0] * lung->model[5] * lung->model[10];
  mt_animation_pose (anim, &out);
  float liver_out = mt_animation_get_motion (anim, 4)->model[14];
  lung = mt_animation_get_motion (anim, 2);
  double det_out = lung->model[0] * lung->model[5] * lung->model[10];
  double lungs_ml = (fabs (mt_mesh_volume (surfaces[2]->mesh)) + fabs (mt_mesh_volume (surfaces[3]->mesh))) / 1000;
  g_test_message ("breath: lungs %.0f mL, volume x%.4f in, x%.4f out; liver %.1f mm in, %.1f mm out", lungs_ml,
                  det_in, det_out, liver_in, liver_out);
  g_assert_cmpfloat (fabs (det_in - (1 + 250 / lungs_ml)), <, 1e-4);
  g_assert_cmpfloat (fabs (det_out - (1 - 250 / lungs_ml)), <, 1e-4);
  g_assert_cmpfloat (liver_in, <, -5);
  g_assert_cmpfloat (liver_out, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    mt_surface_free (surfaces[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  gl = mt_offscreen_new (512, 512, &error);
  if (gl == NULL)
    {
      /* Only when no OpenGL can be had at all. */
      printf ("no OpenGL: %s\n", error->message);
      return 77;
    }
  g_test_message ("renderer: %s", mt_offscreen_renderer (gl));
  phantom = mt_phantom_generate (3, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/render/slice/equals-window", test_slice_equals_window);
  g_test_add_func ("/render/slice/orientation", test_slice_orientation);
  g_test_add_func ("/render/slice/inverted", test_slice_inverted);
  g_test_add_func ("/render/slice/rgb", test_slice_rgb);
  g_test_add_func ("/render/raycast/left-right", test_raycast_left_right);
  g_test_add_func ("/render/raycast/phantom-bone", test_raycast_phantom_bone);
  g_test_add_func ("/render/raycast/mip-against-cpu", test_mip_against_cpu);
  g_test_add_func ("/render/raycast/clip-plane", test_clip_plane);
  g_test_add_func ("/render/slice/measure", test_measure_distance);
  g_test_add_func ("/render/camera/letters", test_camera_letters);
  g_test_add_func ("/render/slice/scale-bar", test_scale_bar);
  g_test_add_func ("/render/slice/oblique", test_oblique);
  g_test_add_func ("/render/raycast/mr-preset", test_mr_preset);
  g_test_add_func ("/render/raycast/angio-and-lung", test_angio_and_lung);
  g_test_add_func ("/render/raycast/adaptive-drag", test_adaptive_drag);
  g_test_add_func ("/render/raycast/custom-transfer", test_custom_transfer);
  g_test_add_func ("/render/raycast/surfaces", test_surfaces);
  g_test_add_func ("/render/animation/heart", test_animation_heart);
  g_test_add_func ("/render/animation/flow-breath", test_animation_flow_breath);
  int ret = g_test_run ();
  mt_phantom_free (phantom);
  mt_offscreen_free (gl);
  return ret;
}
