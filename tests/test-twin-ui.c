/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The living twin as a new user meets it: the demo patient opened, the twin
 * shown, its heart beating to the demo's ECG; held at end-diastole and at
 * end-systole the heart on screen is smaller at the second by the model's
 * ratio; the heart rate changed; played in real time; a bad ECG refused. */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "mt-anatomy.h"
#include "mt-animation.h"
#include "mt-file-utils.h"
#include "mt-test-gui.h"
#include "mt-twin-panel.h"
#include "mt-window.h"

static gboolean finished;
static char *tmp_dir;

/* The window as a picture; the count of the heart's red pixels in it (the
 * 3D heart and its outlines). */
static int
red_pixels (MtWindow *win, const char *name)
{
  const char *shots = g_getenv ("MEDTWIN_TEST_SHOTS");
  g_autofree char *path = g_build_filename (shots ? shots : tmp_dir, name, NULL);
  mt_test_pump (40);
  g_assert_true (mt_window_save_png (GTK_WIDGET (win), path, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) t = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  int w = gdk_texture_get_width (t), h = gdk_texture_get_height (t), n = 0;
  g_autofree guint8 *px = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (t, px, (gsize) w * 4);
  for (int i = 0; i < w * h; i++)
    {
      /* Cairo's order: B, G, R, A. */
      const guint8 *p = px + 4 * (gsize) i;
      n += p[2] > 120 && p[1] < 60 && p[0] < 60;
    }
  return n;
}

/* Turns the main loop until done () or a minute has gone. */
static gboolean
wait_for (gboolean (*done) (MtWindow *), MtWindow *win)
{
  gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!done (win) && g_get_monotonic_time () < until)
    mt_test_pump (5);
  return done (win);
}

static gboolean
have_anatomy (MtWindow *win)
{
  return mt_twin_panel_get_anatomy (MT_TWIN_PANEL (mt_window_get_twin_panel (win))) != NULL;
}

/* The anatomy graph as the twin took it: the heart touches both lungs, the
 * aorta has a centreline, and the blood runs along it. */
static void
assert_anatomy (MtWindow *win, const char *what)
{
  g_assert_true (wait_for (have_anatomy, win));
  MtTwinPanel *panel = MT_TWIN_PANEL (mt_window_get_twin_panel (win));
  const MtAnatomy *a = mt_twin_panel_get_anatomy (panel);
  int aorta = mt_anatomy_find (a, "aorta");
  g_assert_cmpint (aorta, >=, 0);
  const MtAnatomyNode *node = &g_array_index (a->nodes, MtAnatomyNode, aorta);
  g_assert_nonnull (node->centreline);
  g_assert_true (mt_anatomy_touch (a, "heart", "lung_left"));
  g_assert_true (mt_anatomy_touch (a, "heart", "lung_right"));
  MtAnimation *anim = mt_viewer_get_animation (mt_window_get_viewer (win));
  g_assert_nonnull (anim);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-advance", "d", 0.1);
  guint particles;
  mt_animation_get_particles (anim, &particles, NULL);
  g_test_message ("%s: %u organs, %u contacts; the aorta's centreline %u branches; %u blood particles", what,
                  a->nodes->len, a->edges->len, node->centreline->len, particles);
  g_assert_cmpint (mt_animation_get_heart (anim), >=, 0);
  g_assert_cmpuint (particles, >, 30);
}

static MtVolume *first_scan;

static gboolean
new_scan (MtWindow *win)
{
  MtVolume *v = mt_viewer_get_volume (mt_window_get_viewer (win));
  return v != NULL && v != first_scan;
}

static gboolean
have_segments (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  return mt_viewer_get_segmentation (viewer, NULL) != NULL && mt_viewer_get_surfaces (viewer)->len > 0;
}

static void
run (MtWindow *win)
{
  MtTwinPanel *panel = MT_TWIN_PANEL (mt_window_get_twin_panel (win));
  MtViewer *viewer = mt_window_get_viewer (win);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-advance", "d", 3.0);
  MtTwin *twin = mt_twin_panel_get_twin (panel);
  MtAnimation *anim = mt_viewer_get_animation (viewer);
  g_assert_nonnull (anim);
  GPtrArray *shown = mt_viewer_get_surfaces (mt_window_get_viewer (win));
  for (guint i = 0; i < shown->len; i++)
    g_test_message ("surface %s", ((MtSurface *) shown->pdata[i])->name);
  g_test_message ("anim n %u", mt_animation_get_n (anim));
  g_assert_cmpint (mt_animation_get_heart (anim), >=, 0);
  /* The demo's own ECG drives it. */
  g_assert_nonnull (mt_twin_get_ecg (twin));
  g_assert_cmpfloat (fabs (mt_twin_get_time (twin) - 3.0), <, 1e-6);
  /* The demo's organs from its truth, worked out once the twin showed. */
  assert_anatomy (win, "the demo's truth");
  anim = mt_viewer_get_animation (viewer);

  /* The last whole beat: its R wave and its smallest volume. */
  g_autoptr (GArray) h = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  mt_twin_history (twin, 0, 3, h);
  int r0 = -1, r1 = -1;
  for (guint i = 1; i < h->len; i++)
    if (g_array_index (h, MtTwinSample, i).beat_phase < g_array_index (h, MtTwinSample, i - 1).beat_phase - 0.5)
      r0 = r1, r1 = (int) i;
  g_assert_cmpint (r0, >=, 0);
  MtTwinSample ed = g_array_index (h, MtTwinSample, r0), es = ed;
  for (int i = r0; i < r1; i++)
    if (g_array_index (h, MtTwinSample, i).v_lv + g_array_index (h, MtTwinSample, i).v_rv < es.v_lv + es.v_rv)
      es = g_array_index (h, MtTwinSample, i);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-scrub", "d", ed.t);
  double ratio_ed = mt_animation_get_heart_ratio (anim);
  int red_ed = red_pixels (win, "twin-diastole.png");
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-scrub", "d", es.t);
  double ratio_es = mt_animation_get_heart_ratio (anim);
  int red_es = red_pixels (win, "twin-systole.png");
  g_test_message ("end-diastole at %.3f s: heart x%.4f, %d red pixels; end-systole at %.3f s: x%.4f, %d red pixels "
                  "(x%.3f; the heart's outline x%.3f)", ed.t, ratio_ed, red_ed, es.t, ratio_es, red_es,
                  (double) red_es / red_ed, pow (ratio_es, 2.0 / 3));
  g_assert_cmpfloat (fabs (ratio_ed - 1), <, 0.01);
  g_assert_cmpfloat (ratio_es, <, 0.85);
  g_assert_cmpfloat (ratio_es, >, 0.6);
  g_assert_cmpint (red_ed, >, 2000);
  g_assert_cmpfloat ((double) red_es / red_ed, <, 0.95);
  g_assert_false (mt_twin_panel_get_playing (panel));

  /* Faster: set at 120 a minute, ten seconds on. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-heart-rate", "d", 120.0);
  g_assert_null (mt_twin_get_ecg (twin));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-advance", "d", 10.0);
  MtPhysioSummary v;
  g_assert_true (mt_twin_summarize (twin, 5, &v));
  g_test_message ("at 120: %s", mt_twin_panel_get_vitals (panel));
  g_assert_cmpfloat (fabs (v.heart_rate_bpm - 120), <, 1.5);
  g_assert_nonnull (strstr (mt_twin_panel_get_vitals (panel), "120"));
  g_test_message ("findings:\n%s", mt_twin_panel_get_findings (panel));
  g_assert_nonnull (strstr (mt_twin_panel_get_findings (panel), "▲ Heart rate"));
  g_assert_nonnull (strstr (mt_twin_panel_get_findings (panel), "Liver volume"));

  /* A slice view shows the slice it is on however it is redrawn: moved to
   * another slice, then redrawn for its outlines alone (put off and on),
   * the scan's picture stays the same to the pixel. */
  {
    GtkWidget *axial = mt_window_get_slice_view (win, MT_VIEW_AXIAL);
    g_autofree char *moved_png = g_build_filename (tmp_dir, "axial-moved.png", NULL);
    g_autofree char *again_png = g_build_filename (tmp_dir, "axial-again.png", NULL);
    mt_viewer_set_contours (viewer, FALSE);
    int ijk[3];
    mt_viewer_get_cursor (viewer, ijk);
    for (int step = 0; step < 3; step++)
      {
        ijk[2] += 7;
        mt_viewer_set_cursor (viewer, ijk);
        mt_test_pump (20);
        g_assert_true (mt_window_save_png (axial, moved_png, NULL));
        mt_viewer_set_contours (viewer, TRUE);
        mt_test_pump (20);
        mt_viewer_set_contours (viewer, FALSE);
        mt_test_pump (20);
        g_assert_true (mt_window_save_png (axial, again_png, NULL));
        g_autoptr (GdkTexture) a = gdk_texture_new_from_filename (moved_png, NULL);
        g_autoptr (GdkTexture) b = gdk_texture_new_from_filename (again_png, NULL);
        int w = gdk_texture_get_width (a), hh = gdk_texture_get_height (a);
        g_assert_cmpint (gdk_texture_get_width (b), ==, w);
        g_autofree guint8 *pa = g_malloc ((gsize) w * hh * 4), *pb = g_malloc ((gsize) w * hh * 4);
        gdk_texture_download (a, pa, (gsize) w * 4);
        gdk_texture_download (b, pb, (gsize) w * 4);
        gsize differ = 0;
        for (gsize i = 0; i < (gsize) w * hh * 4; i++)
          differ += pa[i] != pb[i];
        g_assert_cmpuint (differ, ==, 0);
      }
    g_test_message ("the axial view moved 3 times and redrawn for its outlines: the same picture each time");
    mt_viewer_set_contours (viewer, TRUE);
  }

  /* Played: the clock runs with real time. */
  double t0 = mt_twin_get_time (twin);
  gint64 wall0 = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-play", NULL);
  g_assert_true (mt_twin_panel_get_playing (panel));
  mt_test_pump (60);
  /* While it plays the 3D view draws fewer pixels (the slice views their
   * outlines only): the heart still shows, at whatever moment of its beat. */
  int red_playing = red_pixels (win, "twin-playing.png");
  g_test_message ("red pixels while playing: %d (end-diastole %d, end-systole %d)", red_playing, red_ed, red_es);
  g_assert_cmpint (red_playing, >=, red_es * 85 / 100);
  g_assert_cmpint (red_playing, <=, red_ed * 115 / 100);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-play", NULL);
  double played = mt_twin_get_time (twin) - t0, wall = (g_get_monotonic_time () - wall0) / 1e6;
  g_test_message ("played %.2f s of twin time in %.2f s", played, wall);
  g_assert_cmpfloat (played, >, 0.2);
  g_assert_cmpfloat (played, <=, wall + 0.05);

  /* A damaged ECG: said, and the heart goes on at its rate. */
  g_autofree char *bad = g_build_filename (tmp_dir, "bad.csv", NULL);
  g_assert_true (g_file_set_contents (bad, "time,mV\n0,abc\n", -1, NULL));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.twin-ecg", "s", bad);
  g_test_message ("bad ECG: %s", mt_twin_panel_get_message (panel));
  g_assert_cmpstr (mt_twin_panel_get_message (panel), !=, "");
  g_assert_null (mt_twin_get_ecg (twin));

  /* Another scan (the demo's CT opened as any scan): no organs until it
   * is segmented; then the graph of its own segments, found by MedTwin's
   * segmentation. */
  first_scan = mt_viewer_get_volume (viewer);
  g_autofree char *baseline = g_build_filename (tmp_dir, "medtwin", "demo-patient", "baseline", NULL);
  const char *paths[] = { baseline, NULL };
  mt_window_open_paths (win, paths);
  g_assert_true (wait_for (new_scan, win));
  g_assert_null (mt_twin_panel_get_anatomy (panel));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.segment", "s", "all");
  g_assert_true (wait_for (have_segments, win));
  assert_anatomy (win, "the scan's own segments");

  /* Put away: the surfaces are still again. */
  g_action_group_change_action_state (G_ACTION_GROUP (win), "twin", g_variant_new_boolean (FALSE));
  g_assert_null (mt_viewer_get_animation (viewer));
  finished = TRUE;
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
on_ready (MtWindow *win)
{
  static gboolean once;
  if (once)
    return;
  once = TRUE;
  run (win);
}

static void
on_activate (GtkApplication *app)
{
  MtWindow *win = mt_window_new (app);
  g_signal_connect (win, "views-ready", G_CALLBACK (on_ready), NULL);
  gtk_window_present (GTK_WINDOW (win));
  mt_window_open_paths (win, NULL);
}

static void
test_twin (void)
{
  if (!mt_test_have_display ())
    return;
  g_autoptr (GError) error = NULL;
  tmp_dir = g_dir_make_tmp ("medtwin-twin-XXXXXX", &error);
  g_assert_no_error (error);
  /* The demo patient generated into a cache of our own. */
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  mt_test_gui_keep_in (tmp_dir);
  GtkApplication *app = gtk_application_new ("org.medtwin.TestTwin", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), 0, NULL);
  g_object_unref (app);
  g_assert_true (finished);
  mt_remove_tree (tmp_dir);
}

int
main (int argc, char **argv)
{
  mt_test_gui_init (&argc, &argv);
  g_test_add_func ("/ui/twin/demo", test_twin);
  return g_test_run ();
}
