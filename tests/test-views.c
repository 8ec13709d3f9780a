/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window under a display, driven through its actions as shortcuts and
 * menus drive it: slice steps, window presets, crosshair moves; the views
 * must stay linked. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "mt-file-utils.h"
#include "mt-measurement-list.h"
#include "mt-measurement.h"
#include "mt-segment-list.h"
#include "mt-tf-editor.h"
#include "mt-volume-renderer.h"
#include "mt-mesh.h"
#include "mt-nifti.h"
#include "mt-phantom.h"
#include "mt-slice-view.h"
#include "mt-surface-panel.h"
#include "mt-test-gui.h"
#include "mt-viewer.h"
#include "mt-volume.h"
#include "mt-window.h"

static char *demo_dir;
static gint64 present_started;
static gboolean check_spin (gpointer data);
static int step;
static gboolean finished;

static void
assert_slices (MtWindow *win, int axial, int coronal, int sagittal)
{
  int s, n;
  mt_slice_view_get_slice (MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_AXIAL)), &s, &n);
  g_assert_cmpint (s, ==, axial);
  g_assert_cmpint (n, ==, 100);
  mt_slice_view_get_slice (MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_CORONAL)), &s, &n);
  g_assert_cmpint (s, ==, coronal);
  mt_slice_view_get_slice (MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_SAGITTAL)), &s, &n);
  g_assert_cmpint (s, ==, sagittal);
}

static int
count_shortcuts (GtkWidget *w)
{
  int n = GTK_IS_SHORTCUTS_SHORTCUT (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    n += count_shortcuts (c);
  return n;
}

/* The picture's pixel under a point of a widget inside the window. */
static void
pixel_at (const guint8 *pixels, int width, int height, GtkWidget *window, GtkWidget *widget, double x, double y,
          guint8 out[4])
{
  graphene_point_t p;
  g_assert_true (gtk_widget_compute_point (widget, window, &GRAPHENE_POINT_INIT (x, y), &p));
  int px = (int) p.x, py = (int) p.y;
  g_assert_true (px >= 0 && px < width && py >= 0 && py < height);
  memcpy (out, pixels + ((gsize) py * width + px) * 4, 4);
}


/* A click lands on a pixel: the pixel's centre. */
static void
click_point (MtSliceView *view, const double lps[3], double *x, double *y)
{
  g_assert_true (mt_slice_view_patient_to_widget (view, lps, x, y));
  *x = floor (*x) + 0.5;
  *y = floor (*y) + 0.5;
}

static void
offset (const double a[3], double dx, double dy, double dz, double out[3])
{
  out[0] = a[0] + dx;
  out[1] = a[1] + dy;
  out[2] = a[2] + dz;
}

/* The measuring tools on the axial view through the phantom's nodule, as
 * the mouse drives them, at zoom 2 (2.3 px/mm). */
static void
measure (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  MtVolume *volume = mt_viewer_get_volume (viewer);
  MtSliceView *axial = MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_AXIAL));
  GPtrArray *list = mt_viewer_get_measurements (viewer);
  const double nodule[3] = { -88, -25, 85 };
  double idx[3], centre[3], p[3], q[3], r[3], x0, y0, x1, y1, x2, y2;
  mt_volume_patient_to_index (volume, nodule, idx);
  int ijk[3] = { (int) lround (idx[0]), (int) lround (idx[1]), (int) lround (idx[2]) };
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", ijk[0], ijk[1], ijk[2]);
  double c[3] = { ijk[0], ijk[1], ijk[2] };
  mt_volume_index_to_patient (volume, c, centre);
  mt_slice_view_set_zoom (axial, 2.0);
  mt_test_pump (20);
  g_assert_cmpuint (list->len, ==, 0);

  /* Ctrl+D: distance, dragged from the nodule to 50 mm left of it. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "distance");
  g_assert_cmpint (mt_viewer_get_tool (viewer), ==, MT_TOOL_DISTANCE);
  offset (centre, 50, 0, 0, p);
  click_point (axial, centre, &x0, &y0);
  click_point (axial, p, &x1, &y1);
  g_assert_cmpfloat (x1, >, x0 + 100);   /* patient left is screen right */
  mt_slice_view_tool_drag (axial, x0, y0, x1, y1);
  g_assert_cmpuint (list->len, ==, 1);
  MtMeasurement *m = list->pdata[0];
  g_test_message ("distance: %.3f mm for 50 mm", m->value);
  g_assert_cmpfloat_with_epsilon (m->value, 50, 0.5);
  g_assert_cmpfloat_with_epsilon (m->points[2], centre[2], 1e-9);   /* on the slice */

  /* Ctrl+G: angle, three clicks: 20 mm left, the nodule, 20 mm anterior. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "angle");
  offset (centre, 20, 0, 0, p);
  offset (centre, 0, -20, 0, q);
  click_point (axial, p, &x0, &y0);
  click_point (axial, centre, &x1, &y1);
  click_point (axial, q, &x2, &y2);
  mt_slice_view_tool_click (axial, x0, y0);
  mt_slice_view_tool_click (axial, x1, y1);
  g_assert_cmpuint (list->len, ==, 1);
  mt_slice_view_tool_click (axial, x2, y2);
  g_assert_cmpuint (list->len, ==, 2);
  m = list->pdata[1];
  g_test_message ("angle: %.2f degrees for 90", m->value);
  g_assert_cmpfloat_with_epsilon (m->value, 90, 1.5);

  /* Ctrl+E: ellipse over the nodule, corner to corner (6 mm radius): the
   * nodule inside, lung around it. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "ellipse");
  offset (centre, -6, -6, 0, p);
  offset (centre, 6, 6, 0, q);
  click_point (axial, p, &x0, &y0);
  click_point (axial, q, &x1, &y1);
  mt_slice_view_tool_drag (axial, x0, y0, x1, y1);
  g_assert_cmpuint (list->len, ==, 3);
  m = list->pdata[2];
  g_autofree char *ellipse_text = mt_measurement_describe (m);
  g_test_message ("ellipse: %s, %zu voxels", ellipse_text, m->stats.n_voxels);
  g_assert_true (m->has_stats);
  g_assert_cmpfloat_with_epsilon (m->value, G_PI * 36, G_PI * 36 * 0.06);
  g_assert_cmpfloat (m->stats.max, >, -100);
  g_assert_cmpfloat (m->stats.min, <, -400);

  /* Ctrl+P: a 20 mm square polygon; a click on its first corner closes it. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "polygon");
  const double corners[4][2] = { { -10, -10 }, { 10, -10 }, { 10, 10 }, { -10, 10 } };
  double first_x = 0, first_y = 0;
  for (int k = 0; k < 4; k++)
    {
      offset (centre, corners[k][0], corners[k][1], 0, r);
      click_point (axial, r, &x0, &y0);
      if (k == 0)
        first_x = x0, first_y = y0;
      mt_slice_view_tool_click (axial, x0, y0);
    }
  g_assert_cmpuint (list->len, ==, 3);
  mt_slice_view_tool_click (axial, first_x + 2, first_y - 1);
  g_assert_cmpuint (list->len, ==, 4);
  m = list->pdata[3];
  g_test_message ("polygon: %d corners, %.1f mm2 for 400, mean %.1f over %zu voxels", m->n_points, m->value,
                  m->stats.mean, m->stats.n_voxels);
  g_assert_cmpint (m->n_points, ==, 4);
  g_assert_cmpfloat_with_epsilon (m->value, 400, 20);

  /* Listed with their values, and kept with the study at once. */
  MtMeasurementList *rows = MT_MEASUREMENT_LIST (mt_window_get_measurement_list (win));
  const char *row = mt_measurement_list_get_row_text (rows, 0);
  g_test_message ("first row: %s", row);
  g_assert_nonnull (strstr (row, "Distance"));
  g_assert_nonnull (strstr (row, " mm"));
  g_assert_null (mt_measurement_list_get_row_text (rows, 4));
  g_autofree char *key = mt_measurements_study_key (volume, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) kept = mt_measurements_load (key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kept->len, ==, 4);

  /* Delete: the newest goes, on disk too. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.delete-measurement", "i", -1);
  g_assert_cmpuint (list->len, ==, 3);
  g_autoptr (GPtrArray) after_delete = mt_measurements_load (key, &error);
  g_assert_cmpuint (after_delete->len, ==, 3);

  /* Ctrl+P again while the polygon tool is on: back to the crosshair. */
  g_assert_cmpint (mt_viewer_get_tool (viewer), ==, MT_TOOL_POLYGON);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "polygon");
  g_assert_cmpint (mt_viewer_get_tool (viewer), ==, MT_TOOL_CROSSHAIR);
  mt_test_pump (20);
  const char *shots = g_getenv ("MEDTWIN_TEST_SHOTS");
  if (shots != NULL)
    {
      g_autofree char *png = g_build_filename (shots, "measure.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
      /* The list, as its popover shows it. */
      GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (rows), GTK_TYPE_POPOVER);
      gtk_popover_popup (GTK_POPOVER (popover));
      mt_test_pump (30);
      g_autofree char *list_png = g_build_filename (shots, "measurements.png", NULL);
      g_assert_true (mt_window_save_png (popover, list_png, NULL));
      gtk_popover_popdown (GTK_POPOVER (popover));
    }
  mt_slice_view_set_zoom (axial, 1.0);
}

/* The transfer-function editor: the preset's points to start with, edits
 * that keep the values in order and reach the viewer, and the 3D view
 * showing nothing once every opacity is zero. */
static void
edit_transfer (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  MtTfEditor *ed = MT_TF_EDITOR (mt_window_get_tf_editor (win));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.render-preset", "s", "bone");
  int n, m;
  const MtTfPoint *pts = mt_tf_editor_get_points (ed, &n);
  g_autofree MtTfPoint *bone = mt_transfer_function_preset_points (MT_PRESET_CT_BONE, 0, 1, &m);
  g_assert_cmpint (n, ==, m);
  g_assert_cmpmem (pts, n * sizeof *pts, bone, m * sizeof *bone);
  g_assert_null (mt_viewer_get_transfer_points (viewer, &m));
  double low, high;
  mt_tf_editor_get_range (ed, &low, &high);
  g_test_message ("histogram over %.0f .. %.0f HU", low, high);
  g_assert_cmpfloat (low, <, -900);
  g_assert_cmpfloat (high, >, 200);

  /* Point 1 (140 HU) dragged far right stops at its neighbour (220 HU). */
  mt_tf_editor_move_point (ed, 1, 5000, 0.5);
  pts = mt_tf_editor_get_points (ed, &n);
  g_assert_cmpfloat (pts[1].value, ==, 220);
  g_assert_cmpfloat (pts[1].a, ==, 0.5f);
  const MtTfPoint *sent = mt_viewer_get_transfer_points (viewer, &m);
  g_assert_cmpint (m, ==, n);
  g_assert_cmpmem (sent, m * sizeof *sent, pts, n * sizeof *pts);
  /* A new point at 100 HU goes second, coloured as the curve is there. */
  g_assert_cmpint (mt_tf_editor_add_point (ed, 100, 0.3), ==, 1);
  pts = mt_tf_editor_get_points (ed, &n);
  g_assert_cmpint (n, ==, 7);
  g_assert_cmpfloat (pts[1].value, ==, 100);
  g_assert_cmpfloat (pts[1].r, >=, MIN (pts[0].r, pts[2].r));
  g_assert_cmpfloat (pts[1].r, <=, MAX (pts[0].r, pts[2].r));
  /* Removing goes down to two points, not below. */
  while (mt_tf_editor_remove_point (ed, 1))
    ;
  pts = mt_tf_editor_get_points (ed, &n);
  g_assert_cmpint (n, ==, 2);
  mt_tf_editor_move_point (ed, 0, pts[0].value, 0);
  mt_tf_editor_move_point (ed, 1, pts[1].value, 0);
  /* Nothing is opaque: the 3D view shows only its background. */
  mt_test_pump (150);
  const char *keep = g_getenv ("MEDTWIN_TEST_SHOTS");
  g_autofree char *png = g_build_filename (keep ? keep : demo_dir, "tf.png", NULL);
  g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
  g_autoptr (GdkTexture) shot = gdk_texture_new_from_filename (png, NULL);
  int w = gdk_texture_get_width (shot), h = gdk_texture_get_height (shot);
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (shot, pixels, (gsize) w * 4);
  GtkWidget *view3d = mt_window_get_volume_view (win);
  float bg[3];
  mt_volume_renderer_background (bg);
  guint8 centre[4];
  pixel_at (pixels, w, h, GTK_WIDGET (win), view3d, gtk_widget_get_width (view3d) / 2.0,
            gtk_widget_get_height (view3d) / 2.0, centre);
  g_test_message ("3D centre with no opacity: %d,%d,%d", centre[2], centre[1], centre[0]);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (abs (centre[2 - c] - (int) lround (bg[c] * 255)), <=, 2);
  if (keep != NULL)
    {
      mt_tf_editor_reset (ed);
      GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (ed), GTK_TYPE_POPOVER);
      gtk_widget_activate_action (GTK_WIDGET (win), "win.edit-transfer-function", NULL);
      mt_test_pump (30);
      g_autofree char *tf_png = g_build_filename (keep, "tf-editor.png", NULL);
      g_assert_true (mt_window_save_png (popover, tf_png, NULL));
      gtk_popover_popdown (GTK_POPOVER (popover));
    }
  /* A preset chosen: its own points again. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.render-preset", "s", "soft-tissue");
  g_assert_null (mt_viewer_get_transfer_points (viewer, &m));
  g_autofree MtTfPoint *soft = mt_transfer_function_preset_points (MT_PRESET_CT_SOFT_TISSUE, 0, 1, &m);
  pts = mt_tf_editor_get_points (ed, &n);
  g_assert_cmpint (n, ==, m);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.render-preset", "s", "bone");
}

/* An STL file opened on the window (as a drop does) joins the scan on
 * screen as a surface; Ctrl+U hides and shows the surfaces; a broken file
 * says so and changes nothing. */
static void
drop_surface (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  g_autoptr (GError) error = NULL;
  g_autofree char *labels_path = g_build_filename (demo_dir, "truth", "baseline-labels.nii.gz", NULL);
  g_autoptr (MtVolume) labels = mt_nifti_read (labels_path, &error);
  g_assert_no_error (error);
  g_autoptr (MtMesh) heart = mt_mesh_from_labels (labels, MT_LABEL_HEART, &error);
  g_autofree char *stl = g_build_filename (demo_dir, "heart.stl", NULL);
  g_assert_true (mt_mesh_write (heart, NULL, NULL, stl, &error));
  g_assert_cmpuint (mt_viewer_get_surfaces (viewer)->len, ==, 0);
  const char *paths[] = { stl, NULL };
  mt_window_open_paths (win, paths);
  GPtrArray *surfaces = mt_viewer_get_surfaces (viewer);
  g_assert_cmpuint (surfaces->len, ==, 1);
  MtSurface *s = surfaces->pdata[0];
  g_assert_cmpstr (s->name, ==, "heart.stl");
  g_assert_cmpuint (s->mesh->n_triangles, ==, heart->n_triangles);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.surfaces", NULL);
  g_assert_false (mt_viewer_get_surfaces_shown (viewer));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.surfaces", NULL);
  g_assert_true (mt_viewer_get_surfaces_shown (viewer));
  g_autofree char *broken = g_build_filename (demo_dir, "broken.stl", NULL);
  g_assert_true (g_file_set_contents (broken, "solid but not really", -1, NULL));
  const char *bad[] = { broken, NULL };
  mt_window_open_paths (win, bad);
  g_assert_cmpuint (mt_viewer_get_surfaces (viewer)->len, ==, 1);
  g_assert_cmpuint (mt_viewer_get_serial (viewer), >, 0);
  mt_test_pump (60);
}


/* Waits for the surface panel's workers and for every row's facts. */
static void
wait_surfaces (MtSurfacePanel *panel)
{
  for (int t = 0; t < 6000; t++)
    {
      gboolean pending = mt_surface_panel_is_busy (panel);
      const char *row;
      for (guint i = 0; (row = mt_surface_panel_get_row_text (panel, i)) != NULL; i++)
        pending |= g_str_has_suffix (row, "…");
      if (!pending)
        return;
      mt_test_pump (1);
    }
  g_assert_not_reached ();
}

/* The dropped heart in the Surfaces panel: its facts; refined in a worker
 * while the raw one stays on screen; cut to a box around its centre with
 * the cuts capped (closed), whole again; the distance between the refined
 * and the raw heart; both saved as OBJ in RAS. */
static void
surfaces (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  MtSurfacePanel *panel = MT_SURFACE_PANEL (mt_window_get_surface_panel (win));
  GPtrArray *shown = mt_viewer_get_surfaces (viewer);
  g_assert_cmpuint (shown->len, ==, 1);
  g_autoptr (MtMesh) raw = mt_mesh_ref (((MtSurface *) shown->pdata[0])->mesh);
  wait_surfaces (panel);
  g_autofree char *facts = g_strdup_printf ("heart.stl: %u triangles, %.0f mm², %.1f mL, closed", raw->n_triangles,
                                            mt_mesh_area (raw), mt_mesh_volume (raw) / 1000);
  g_test_message ("surface row: %s", mt_surface_panel_get_row_text (panel, 0));
  g_assert_cmpstr (mt_surface_panel_get_row_text (panel, 0), ==, facts);

  /* Cancelled at once: the same surface, and said so. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.refine-surfaces", NULL);
  mt_surface_panel_cancel (panel);
  wait_surfaces (panel);
  g_assert_true (((MtSurface *) shown->pdata[0])->mesh == raw);
  g_assert_nonnull (strstr (mt_surface_panel_get_message (panel), "Cancelled"));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.refine-surfaces", NULL);
  g_assert_true (mt_surface_panel_is_busy (panel));
  g_assert_true (((MtSurface *) shown->pdata[0])->mesh == raw);   /* raw on screen meanwhile */
  wait_surfaces (panel);
  const MtMesh *refined = ((MtSurface *) shown->pdata[0])->mesh;
  g_test_message ("refined: %s (%s)", mt_surface_panel_get_row_text (panel, 0), mt_surface_panel_get_message (panel));
  g_assert_true (refined != raw);
  g_assert_cmpuint (refined->n_triangles, <=, raw->n_triangles / 2 + 2);
  g_assert_cmpfloat (fabs (mt_mesh_volume (refined) / mt_mesh_volume (raw) - 1), <, 0.02);
  g_assert_cmpuint (mt_mesh_open_edges (refined), ==, 0);
  guint refined_triangles = refined->n_triangles;
  double refined_ml = mt_mesh_volume (refined) / 1000;

  /* A 50 mm box about the heart's centre: six cuts, capped. */
  double lo[3], hi[3];
  mt_mesh_bounds (refined, lo, hi);
  double box[6];
  for (int k = 0; k < 3; k++)
    {
      box[2 * k] = (lo[k] + hi[k]) / 2 - 25;
      box[2 * k + 1] = (lo[k] + hi[k]) / 2 + 25;
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, box, 6, sizeof (double)));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.cut-surfaces", NULL);
  wait_surfaces (panel);
  const MtMesh *cut = ((MtSurface *) shown->pdata[0])->mesh;
  double blo[3], bhi[3];
  mt_mesh_bounds (cut, blo, bhi);
  g_test_message ("cut to a 50 mm box: %s", mt_surface_panel_get_row_text (panel, 0));
  g_assert_cmpuint (mt_mesh_open_edges (cut), ==, 0);
  g_assert_nonnull (strstr (mt_surface_panel_get_row_text (panel, 0), "closed"));
  for (int k = 0; k < 3; k++)
    {
      g_assert_cmpfloat (blo[k], >=, box[2 * k] - 1e-3);
      g_assert_cmpfloat (bhi[k], <=, box[2 * k + 1] + 1e-3);
    }
  /* No more than the box holds (125 mL), a good part of the heart. */
  g_assert_cmpfloat (mt_mesh_volume (cut) / 1000, <=, 125.0 + 1e-3);
  g_assert_cmpfloat (mt_mesh_volume (cut) / 1000, >, 0.1 * refined_ml);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "surfaces-cut.png", NULL);
      gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                                  g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, NULL, 0, sizeof (double)));
      mt_test_pump (100);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.uncut-surfaces", NULL);
  g_assert_cmpuint (((MtSurface *) shown->pdata[0])->mesh->n_triangles, ==, refined_triangles);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, NULL, 0, sizeof (double)));
  /* Nothing to cut by: said, nothing changes. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.cut-surfaces", NULL);
  g_assert_false (mt_surface_panel_is_busy (panel));
  g_assert_nonnull (strstr (mt_surface_panel_get_message (panel), "Ctrl+K"));

  /* The raw heart beside the refined one: how far refining moved it. */
  g_autofree char *stl = g_build_filename (demo_dir, "heart.stl", NULL);
  const char *paths[] = { stl, NULL };
  mt_window_open_paths (win, paths);
  g_assert_cmpuint (shown->len, ==, 2);
  wait_surfaces (panel);
  mt_surface_panel_measure_distance (panel, 0, 1);
  wait_surfaces (panel);
  const char *distance = mt_surface_panel_get_distance_text (panel);
  g_test_message ("%s", distance);
  double mean_ref, max_ref;
  mt_mesh_distance (((MtSurface *) shown->pdata[0])->mesh, raw, &mean_ref, &max_ref);
  g_autofree char *want = g_strdup_printf ("heart.stl to heart.stl: mean %.3f mm, largest (Hausdorff) %.3f mm",
                                           mean_ref, max_ref);
  g_assert_cmpstr (distance, ==, want);
  g_assert_cmpfloat (mean_ref, >, 0.05);
  g_assert_cmpfloat (mean_ref, <, 1.0);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (panel), GTK_TYPE_POPOVER);
      gtk_popover_popup (GTK_POPOVER (popover));
      mt_test_pump (60);
      g_autofree char *png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "surfaces-panel.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (panel), png, NULL));
      gtk_popover_popdown (GTK_POPOVER (popover));
    }

  g_autofree char *obj = g_build_filename (demo_dir, "hearts.obj", NULL);
  g_autofree char *obj_ras = g_strconcat (obj, ":RAS", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.save-surfaces", "s", obj_ras);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtMesh) back = mt_mesh_read (obj, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_triangles, ==, refined_triangles + raw->n_triangles);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (obj, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "SPACE=RAS"));
  /* Back to the one dropped heart for the steps that follow. */
  mt_viewer_clear_surfaces (viewer);
  mt_window_open_paths (win, paths);
}

/* Pixels of the 3D view, in a band of its rows, that are not background. */
static int
drawn_in_rows (MtWindow *win, double from, double to)
{
  g_autofree char *png = g_build_filename (demo_dir, "clip.png", NULL);
  g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
  g_autoptr (GdkTexture) shot = gdk_texture_new_from_filename (png, NULL);
  int w = gdk_texture_get_width (shot), h = gdk_texture_get_height (shot);
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (shot, pixels, (gsize) w * 4);
  GtkWidget *view = mt_window_get_volume_view (win);
  int vw = gtk_widget_get_width (view), vh = gtk_widget_get_height (view), count = 0;
  float bg[3];
  mt_volume_renderer_background (bg);
  /* Clear of the corners' letters and marker. */
  for (int y = (int) (vh * from); y < (int) (vh * to); y += 2)
    for (int x = 60; x < vw - 60; x += 2)
      {
        guint8 q[4];
        pixel_at (pixels, w, h, GTK_WIDGET (win), view, x, y, q);
        count += abs (q[2] - (int) lround (bg[0] * 255)) > 6 || abs (q[0] - (int) lround (bg[2] * 255)) > 6;
      }
  return count;
}

/* The crop tool: a drag in the axial view sets the crop box's right-left and
 * front-back sides (head-foot stays the whole scan), drawn in amber; then
 * the scan is cropped to it: fewer voxels, the same values in the same
 * places. */
static void pixel_of_view_point (MtWindow *win, MtSliceView *view, const double lps[3], guint8 out[4]);

static void
crop_scan (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  g_autoptr (MtVolume) v = mt_volume_ref (mt_viewer_get_volume (viewer));
  MtSliceView *axial = MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_AXIAL));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, NULL, 0, sizeof (double)));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "crop");
  g_assert_cmpint (mt_viewer_get_tool (viewer), ==, MT_TOOL_CROP);
  int ijk[3] = { v->dims[0] / 2, v->dims[1] / 2, v->dims[2] / 2 };
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", ijk[0], ijk[1], ijk[2]);
  mt_slice_view_set_zoom (axial, 1.0);
  mt_test_pump (20);
  double c[3], idx[3] = { ijk[0], ijk[1], ijk[2] }, p[3], q[3], x0, y0, x1, y1;
  mt_volume_index_to_patient (v, idx, c);
  offset (c, -40, -30, 0, p);
  offset (c, 50, 20, 0, q);
  click_point (axial, p, &x0, &y0);
  click_point (axial, q, &x1, &y1);
  mt_slice_view_crop_drag (axial, x0, y0, x1, y1);
  double box[6];
  g_assert_true (mt_viewer_get_clip_box (viewer, box));
  g_test_message ("crop box: x %.1f..%.1f, y %.1f..%.1f, z %.1f..%.1f mm", box[0], box[1], box[2], box[3], box[4],
                  box[5]);
  const double want[4] = { MIN (p[0], q[0]), MAX (p[0], q[0]), MIN (p[1], q[1]), MAX (p[1], q[1]) };
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (fabs (box[i] - want[i]), <, 1.5);   /* within a pixel at this zoom */
  double first[3] = { 0, 0, 0 }, last[3] = { 0, 0, v->dims[2] - 1 }, z0[3], z1[3];
  mt_volume_index_to_patient (v, first, z0);
  mt_volume_index_to_patient (v, last, z1);
  g_assert_cmpfloat (fabs (box[4] - MIN (z0[2], z1[2])), <, 1e-6);
  g_assert_cmpfloat (fabs (box[5] - MAX (z0[2], z1[2])), <, 1e-6);
  /* Drawn where it is: amber on the box's left edge, half-way down it. */
  mt_test_pump (40);
  double ex, ey;
  const double edge[3] = { box[0], (box[2] + box[3]) / 2, c[2] };
  g_assert_true (mt_slice_view_patient_to_widget (axial, edge, &ex, &ey));
  guint8 amber[4] = { 0 };
  for (int d = -1; d <= 1; d++)
    {
      guint8 px[4];
      const double at[3] = { edge[0] + d * 0.7, edge[1], edge[2] };
      pixel_of_view_point (win, axial, at, px);
      if (px[2] - px[0] > amber[2] - amber[0])
        memcpy (amber, px, 4);
    }
  g_test_message ("crop box edge pixel %d,%d,%d", amber[2], amber[1], amber[0]);
  g_assert_cmpint (amber[2], >, 180);
  g_assert_cmpint (amber[0], <, 140);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "crop-box.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crop-scan", "s", "box");
  for (int t = 0; t < 1000 && mt_viewer_get_volume (viewer) == v; t++)
    mt_test_pump (1);
  MtVolume *cropped = mt_viewer_get_volume (viewer);
  g_assert_true (cropped != v);
  g_test_message ("cropped: %d x %d x %d voxels of %d x %d x %d", cropped->dims[0], cropped->dims[1], cropped->dims[2],
                  v->dims[0], v->dims[1], v->dims[2]);
  g_assert_cmpint (abs (cropped->dims[0] - (int) lround (90 / v->spacing[0])), <=, 2);
  g_assert_cmpint (abs (cropped->dims[1] - (int) lround (50 / v->spacing[1])), <=, 2);
  g_assert_cmpint (cropped->dims[2], ==, v->dims[2]);
  g_assert_cmpfloat (mt_volume_sample_linear (cropped, c, -5000), ==, mt_volume_sample_linear (v, c, -5000));
  g_assert_false (mt_viewer_get_clip_box (viewer, box));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "crosshair");
}

/* Clipping the 3D view: a cut along the axial plane through the crosshair
 * takes away everything above it; a crop box keeps only what is inside. */
static void
clip_3d (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  MtVolume *v = mt_viewer_get_volume (viewer);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.surfaces", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", v->dims[0] / 2, v->dims[1] / 2,
                              v->dims[2] / 2);
  mt_test_pump (120);
  int top_before = drawn_in_rows (win, 0.05, 0.4);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip", "s", "superior");
  g_assert_cmpint (mt_viewer_get_clip (viewer), ==, MT_CLIP_SUPERIOR);
  double plane[4];
  g_assert_true (mt_viewer_get_clip_plane (viewer, plane));
  g_assert_cmpfloat (plane[2], >, 0.99);   /* removes +S, above the crosshair */
  mt_test_pump (120);
  int top_after = drawn_in_rows (win, 0.05, 0.4), bottom_after = drawn_in_rows (win, 0.6, 0.95);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *cut_png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "clip-superior.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), cut_png, NULL));
    }
  g_test_message ("3D view, upper rows drawn: %d before the cut, %d after; lower rows after: %d", top_before,
                  top_after, bottom_after);
  g_assert_cmpint (top_before, >, 500);
  g_assert_cmpint (top_after, <, top_before / 20);
  g_assert_cmpint (bottom_after, >, 500);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip", "s", "none");
  g_assert_false (mt_viewer_get_clip_plane (viewer, plane));
  /* A 20 mm box around the crosshair: almost nothing drawn. */
  double c[3], ijk[3] = { v->dims[0] / 2, v->dims[1] / 2, v->dims[2] / 2 };
  mt_volume_index_to_patient (v, ijk, c);
  double box[6] = { c[0] - 10, c[0] + 10, c[1] - 10, c[1] + 10, c[2] - 10, c[2] + 10 };
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, box, 6, sizeof (double)));
  double got[6];
  g_assert_true (mt_viewer_get_clip_box (viewer, got));
  mt_test_pump (120);
  int boxed = drawn_in_rows (win, 0.05, 0.95);
  g_test_message ("cropped to a 20 mm box: %d pixels drawn", boxed);
  g_assert_cmpint (boxed, <, top_before / 4);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.clip-box", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, NULL, 0, sizeof (double)));
  g_assert_false (mt_viewer_get_clip_box (viewer, got));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.surfaces", NULL);
}

static void
pixel_of_view_point (MtWindow *win, MtSliceView *view, const double lps[3], guint8 out[4])
{
  g_autofree char *png = g_build_filename (demo_dir, "overlay.png", NULL);
  g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
  g_autoptr (GdkTexture) shot = gdk_texture_new_from_filename (png, NULL);
  int w = gdk_texture_get_width (shot), h = gdk_texture_get_height (shot);
  g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (shot, pixels, (gsize) w * 4);
  double x, y;
  g_assert_true (mt_slice_view_patient_to_widget (view, lps, &x, &y));
  pixel_at (pixels, w, h, GTK_WIDGET (win), GTK_WIDGET (view), x, y, out);
}

/* Ctrl+Shift+G: the automatic segments, computed in a worker thread, shown
 * over the slice views: a point of the right lung takes its blue. */
static void
segment (MtWindow *win)
{
  MtViewer *viewer = mt_window_get_viewer (win);
  MtSliceView *axial = MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_AXIAL));
  MtVolume *v = mt_viewer_get_volume (viewer);
  const double lung[3] = { -80, 5, 85 };
  double idx[3];
  mt_volume_patient_to_index (v, lung, idx);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", (int) lround (idx[0]),
                              (int) lround (idx[1]), (int) lround (idx[2]));
  mt_test_pump (40);
  /* Off the crosshair lines, which run through the lung point. */
  const double probe[3] = { lung[0] - 6, lung[1] + 6, lung[2] };
  guint8 before[4], after[4];
  pixel_of_view_point (win, axial, probe, before);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.segment", "s", "body,couch,lungs");
  g_assert_true (mt_window_is_busy (win));
  for (int t = 0; t < 3000 && mt_window_is_busy (win); t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  MtSegmentation *seg = mt_viewer_get_segmentation (viewer, NULL);
  g_assert_nonnull (seg);
  g_assert_cmpuint (mt_segmentation_n_segments (seg), ==, 4);
  g_assert_nonnull (mt_segmentation_find (seg, "lung_right"));
  /* And in 3D: the lungs as see-through surfaces (over a litre each). */
  GPtrArray *surfaces = mt_viewer_get_surfaces (viewer);
  g_assert_cmpuint (surfaces->len, ==, 2);
  g_assert_cmpstr (((MtSurface *) surfaces->pdata[0])->name, ==, "lung_left");
  g_assert_cmpfloat (((MtSurface *) surfaces->pdata[1])->rgba[3], <, 1);
  mt_test_pump (30);
  pixel_of_view_point (win, axial, probe, after);
  g_test_message ("right lung pixel before the segments %d,%d,%d; after %d,%d,%d", before[2], before[1], before[0],
                  after[2], after[1], after[0]);
  /* Blue-grey lung on a lung window, then tinted blue (B, G, R bytes). */
  g_assert_cmpint ((int) after[0] - after[2], >, (int) before[0] - before[2] + 20);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "segments.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), png, NULL));
    }

  /* The Segments list: a row per segment with its volume. */
  GtkWidget *list = mt_window_get_segment_list (win);
  gtk_popover_popup (GTK_POPOVER (gtk_widget_get_ancestor (list, GTK_TYPE_POPOVER)));
  mt_test_pump (20);
  const char *row = mt_segment_list_get_row_text (MT_SEGMENT_LIST (list), 3);
  g_test_message ("segment list row 4: %s", row);
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (row, "lung_right") && strstr (row, " mL") != NULL);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "segment-list.png", NULL);
      g_assert_true (mt_window_save_png (list, png, NULL));
    }
  gtk_popover_popdown (GTK_POPOVER (gtk_widget_get_ancestor (list, GTK_TYPE_POPOVER)));
  mt_test_pump (5);

  /* Ctrl+B: the brush paints an "annotation" segment, a 5 mm disc on the
   * axial slice, dragged into one stroke; Ctrl+Z takes the stroke back,
   * Ctrl+Shift+Z gives it again; the eraser clears it and leaves the
   * lung under it. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "brush");
  double x, y;
  g_assert_true (mt_slice_view_patient_to_widget (axial, probe, &x, &y));
  mt_slice_view_paint (axial, x, y, FALSE);
  mt_slice_view_paint (axial, x + 10, y, TRUE);
  const MtSegment *note = mt_segmentation_find (seg, "annotation");
  g_assert_nonnull (note);
  gsize painted = mt_segmentation_count (seg, note->value);
  g_test_message ("brush stroke: %zu voxels", painted);
  /* Two 5 mm discs on 1.41 mm pixels overlapping: between one and two
   * discs' worth (about 40 each). */
  g_assert_cmpuint (painted, >, 40);
  g_assert_cmpuint (painted, <, 80);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.undo", NULL);
  g_assert_cmpuint (mt_segmentation_count (seg, note->value), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.redo", NULL);
  g_assert_cmpuint (mt_segmentation_count (seg, note->value), ==, painted);
  gsize lung_voxels = mt_segmentation_count (seg, mt_segmentation_find (seg, "lung_right")->value);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "eraser");
  mt_slice_view_paint (axial, x, y, FALSE);
  mt_slice_view_paint (axial, x + 10, y, TRUE);
  g_assert_cmpuint (mt_segmentation_count (seg, note->value), ==, 0);
  g_assert_cmpuint (mt_segmentation_count (seg, mt_segmentation_find (seg, "lung_right")->value), ==, lung_voxels);
  /* A 3 mm margin around a dab: more voxels; Ctrl+Z: the dab again. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "brush");
  mt_slice_view_paint (axial, x, y, FALSE);
  gsize dab = mt_segmentation_count (seg, note->value);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.segment-margin", "d", 3.0);
  gsize grown = mt_segmentation_count (seg, note->value);
  g_test_message ("a dab of %zu voxels with a 3 mm margin: %zu", dab, grown);
  g_assert_cmpuint (grown, >, dab * 2);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.undo", NULL);
  g_assert_cmpuint (mt_segmentation_count (seg, note->value), ==, dab);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "crosshair");

  /* Ctrl+Shift+E saves them as a DICOM SEG of the demo's own slices;
   * Ctrl+Shift+O reads it back in their place, voxel for voxel. */
  g_autofree char *dir = g_dir_make_tmp ("medtwin-views-seg-XXXXXX", NULL);
  g_autofree char *dcm = g_build_filename (dir, "segments.dcm", NULL);
  gsize lungs = mt_segmentation_count (seg, mt_segmentation_find (seg, "lung_right")->value);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.save-segments", "s", dcm);
  for (int t = 0; t < 3000 && !g_file_test (dcm, G_FILE_TEST_EXISTS); t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_true (g_file_test (dcm, G_FILE_TEST_EXISTS));
  mt_test_pump (10);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.open-segments", "s", dcm);
  for (int t = 0; t < 3000 && mt_viewer_get_segmentation (viewer, NULL) == seg; t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  MtSegmentation *back = mt_viewer_get_segmentation (viewer, NULL);
  g_assert_true (back != seg);
  g_assert_cmpuint (mt_segmentation_n_segments (back), ==, 5);
  g_assert_cmpuint (mt_segmentation_count (back, mt_segmentation_find (back, "annotation")->value), ==, dab);
  g_assert_cmpuint (mt_segmentation_count (back, mt_segmentation_find (back, "lung_right")->value), ==, lungs);
  mt_remove_tree (dir);

  /* The scissors in 3D: a lasso over the whole view cuts every unlocked
   * segment through; the locked left lung stays; Ctrl+Z brings all back. */
  guint16 left = mt_segmentation_find (back, "lung_left")->value;
  guint16 right = mt_segmentation_find (back, "lung_right")->value;
  gsize left_n = mt_segmentation_count (back, left);
  mt_segmentation_set_locked (back, left, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "scissors");
  const double everywhere[8] = { -1, -1, 1, -1, 1, 1, -1, 1 };
  gtk_widget_activate_action (GTK_WIDGET (win), "win.cut-3d", "@ad",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, everywhere, 8, sizeof (double)));
  g_assert_cmpuint (mt_segmentation_count (back, right), ==, 0);
  g_assert_cmpuint (mt_segmentation_count (back, left), ==, left_n);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.undo", NULL);
  g_assert_cmpuint (mt_segmentation_count (back, right), ==, lungs);

  /* Ctrl+Alt+B: the brush as a 5 mm ball, through the slices above and
   * below (4/3 pi 5^3 = 524 mm3, 88 voxels of 5.9 mm3). */
  guint16 note_value = mt_segmentation_find (back, "annotation")->value;
  mt_viewer_set_active_segment (viewer, note_value);
  gsize note_before = mt_segmentation_count (back, note_value);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.brush-sphere", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "brush");
  const double elsewhere[3] = { -60, 30, 85 };
  g_assert_true (mt_slice_view_patient_to_widget (axial, elsewhere, &x, &y));
  mt_slice_view_paint (axial, x, y, FALSE);
  gsize ball = mt_segmentation_count (back, note_value) - note_before;
  g_test_message ("a 5 mm ball brush: %zu voxels", ball);
  g_assert_cmpuint (ball, >, 70);
  g_assert_cmpuint (ball, <, 110);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.brush-sphere", NULL);

  /* Ctrl+Shift+R: a click on the nodule grows its solid core (about 38 HU,
   * a range of 2.5 SD), and no further: not its rim blurred into the lung
   * (the whole nodule to the half-way edge is 149 voxels), not the lung. */
  const double nodule[3] = { -88, -25, 85 };
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "grow");
  g_assert_true (mt_slice_view_patient_to_widget (axial, nodule, &x, &y));
  gsize before_grow = mt_segmentation_count (back, note_value);
  mt_slice_view_paint (axial, x, y, FALSE);
  gsize grown_nodule = mt_segmentation_count (back, note_value) - before_grow;
  g_test_message ("grown from a click on the nodule: %zu voxels", grown_nodule);
  g_assert_cmpuint (grown_nodule, >, 60);
  g_assert_cmpuint (grown_nodule, <, 149);
  /* The threshold presets: no metal in the demo; its bone (300 HU and up)
   * painted into the chosen segment, one undo step. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.segment-threshold", "s", "metal");
  g_assert_cmpuint (mt_segmentation_count (back, note_value), ==, before_grow + grown_nodule);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.segment-threshold", "s", "bone");
  gsize boned = mt_segmentation_count (back, note_value) - before_grow - grown_nodule;
  g_test_message ("bone threshold: %zu voxels", boned);
  g_assert_cmpuint (boned, >, 80000);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.undo", NULL);
  g_assert_cmpuint (mt_segmentation_count (back, note_value), ==, before_grow + grown_nodule);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.tool", "s", "crosshair");
  mt_test_pump (20);

  /* A NIfTI label map opens as segments too, named by the labels.json
   * beside it: the demo's own truth. */
  g_autofree char *truth = g_build_filename (demo_dir, "truth", "baseline-labels.nii.gz", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.open-segments", "s", truth);
  for (int t = 0; t < 3000 && mt_viewer_get_segmentation (viewer, NULL) == back; t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  MtSegmentation *truth_seg = mt_viewer_get_segmentation (viewer, NULL);
  g_assert_true (truth_seg != back);
  g_assert_cmpuint (mt_segmentation_n_segments (truth_seg), ==, MT_LABEL_COUNT - 1);
  g_assert_nonnull (mt_segmentation_find (truth_seg, "liver"));
  g_assert_cmpuint (mt_segmentation_count (truth_seg, mt_segmentation_find (truth_seg, "nodule")->value), >, 100);
  mt_test_pump (20);
}

static gboolean
drive (gpointer data)
{
  MtWindow *win = data;
  MtViewer *viewer = mt_window_get_viewer (win);
  int ijk[3];
  double c, w;
  /* Opened at the centre: 256 x 256 x 100, so voxel (128, 128, 50). */
  mt_viewer_get_cursor (viewer, ijk);
  g_assert_cmpint (ijk[0], ==, 128);
  g_assert_cmpint (ijk[1], ==, 128);
  g_assert_cmpint (ijk[2], ==, 50);
  assert_slices (win, 51, 129, 129);

  /* Page Up x5: five slices towards the head; only the axial plane moves. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.slice-step", "i", 5);
  mt_viewer_get_cursor (viewer, ijk);
  g_assert_cmpint (ijk[2], ==, 55);
  assert_slices (win, 56, 129, 129);
  /* Down past the first slice: it stops there. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.slice-step", "i", -500);
  assert_slices (win, 1, 129, 129);

  /* Ctrl+2: the lung window, in the viewer and in the drop-down. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.window-preset", "s", "lung");
  mt_viewer_get_window (viewer, &c, &w);
  g_assert_cmpfloat (c, ==, -600);
  g_assert_cmpfloat (w, ==, 1500);
  g_assert_cmpstr (mt_window_get_window_preset_name (win), ==, "lung");
  /* Any other window (a drag): the drop-down no longer claims a preset. */
  mt_viewer_set_window (viewer, 123, 456);
  g_assert_cmpstr (mt_window_get_window_preset_name (win), ==, "custom");
  gtk_widget_activate_action (GTK_WIDGET (win), "win.window-preset", "s", "lung");
  g_assert_cmpstr (mt_window_get_window_preset_name (win), ==, "lung");

  /* The crosshair set at a point moves all three planes. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", 10, 20, 30);
  assert_slices (win, 31, 21, 11);
  /* Out of the volume: clamped to its edge. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", 999, -5, 42);
  assert_slices (win, 43, 1, 256);

  /* Oblique reformatting: the axial view's lines turned 30 degrees
   * counter-clockwise through the phantom's nodule (L -88, P -25, S 85). */
  MtVolume *volume = mt_viewer_get_volume (viewer);
  const double nodule[3] = { -88, -25, 85 };
  double idx[3];
  mt_volume_patient_to_index (volume, nodule, idx);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.crosshair", "(iii)", (int) lround (idx[0]), (int) lround (idx[1]),
                              (int) lround (idx[2]));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.oblique", "(sd)", "axial", 30.0);
  mt_test_pump (30);
  MtSliceView *views[3];
  for (int i = 0; i < 3; i++)
    views[i] = MT_SLICE_VIEW (mt_window_get_slice_view (win, (MtViewAxis) i));
  g_assert_false (mt_slice_view_is_oblique (views[MT_VIEW_AXIAL]));
  g_assert_true (mt_slice_view_is_oblique (views[MT_VIEW_CORONAL]));
  g_assert_true (mt_slice_view_is_oblique (views[MT_VIEW_SAGITTAL]));
  /* On the axial screen (y down) the lines run up-right and down-right. */
  double dirs[4];
  const double s30 = 0.5, c30 = sqrt (3) / 2;
  mt_slice_view_get_crosshair_axes (views[MT_VIEW_AXIAL], dirs);
  g_test_message ("axial lines (%.4f, %.4f) and (%.4f, %.4f)", dirs[0], dirs[1], dirs[2], dirs[3]);
  g_assert_cmpfloat_with_epsilon (dirs[0], c30, 1e-9);
  g_assert_cmpfloat_with_epsilon (dirs[1], -s30, 1e-9);
  g_assert_cmpfloat_with_epsilon (dirs[2], s30, 1e-9);
  g_assert_cmpfloat_with_epsilon (dirs[3], c30, 1e-9);
  /* The oblique views cut each other and the axial plane square. */
  mt_slice_view_get_crosshair_axes (views[MT_VIEW_CORONAL], dirs);
  g_assert_cmpfloat_with_epsilon (dirs[0], 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (dirs[3], 1, 1e-9);
  /* Their edges say where they point: the coronal's right edge is mostly
   * left, partly anterior; the sagittal's mostly posterior, partly left. */
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_CORONAL, 0), ==, "LA");
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_CORONAL, 1), ==, "RP");
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_CORONAL, 2), ==, "S");
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_SAGITTAL, 0), ==, "PL");
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_AXIAL, 0), ==, "L");
  g_assert_cmpstr (mt_window_get_slice_text (win, MT_VIEW_CORONAL), ==, "Oblique 30°");
  /* Under the oblique coronal's crosshair: the nodule; 12 mm to the right
   * along the turned plane: lung, at the point geometry says. */
  double cx, cy, at[3], beside[3];
  float value, lung;
  mt_slice_view_get_crosshair_point (views[MT_VIEW_CORONAL], &cx, &cy);
  double per_mm_coronal = mt_slice_view_get_pixels_per_mm (views[MT_VIEW_CORONAL]);
  g_assert_true (mt_slice_view_probe (views[MT_VIEW_CORONAL], cx, cy, at, &value));
  g_assert_true (mt_slice_view_probe (views[MT_VIEW_CORONAL], cx + 12 * per_mm_coronal, cy, beside, &lung));
  g_test_message ("oblique coronal: %.0f HU at (%.1f, %.1f, %.1f), %.0f HU at (%.1f, %.1f, %.1f)", value, at[0],
                  at[1], at[2], lung, beside[0], beside[1], beside[2]);
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat (fabs (at[a] - nodule[a]), <, volume->spacing[a]);
  g_assert_cmpfloat (value, >, -100);
  g_assert_cmpfloat (lung, <, -600);
  g_assert_cmpfloat_with_epsilon (beside[0] - at[0], 12 * c30, 0.5);
  g_assert_cmpfloat_with_epsilon (beside[1] - at[1], -12 * s30, 0.5);
  g_assert_cmpfloat_with_epsilon (beside[2] - at[2], 0, 1e-6);
  /* Scrolling the oblique coronal moves the crosshair along its normal,
   * towards the viewer (anterior, turned 30 degrees towards the right), by
   * about one voxel, and hardly within the plane. */
  int before[3], after[3];
  double pb[3], pa[3], nb[3], normal[3];
  MtObliquePlane coronal_plane;
  mt_viewer_get_plane (viewer, volume, MT_VIEW_CORONAL, &coronal_plane);
  mt_oblique_plane_normal (&coronal_plane, normal);
  mt_viewer_get_cursor (viewer, before);
  mt_slice_view_step (views[MT_VIEW_CORONAL], 1);
  mt_viewer_get_cursor (viewer, after);
  for (int a = 0; a < 3; a++)
    {
      nb[a] = before[a];
      pa[a] = after[a];
    }
  mt_volume_index_to_patient (volume, nb, pb);
  mt_volume_index_to_patient (volume, pa, nb);
  double along = 0, moved = 0;
  for (int a = 0; a < 3; a++)
    {
      along += (nb[a] - pb[a]) * normal[a];
      moved += (nb[a] - pb[a]) * (nb[a] - pb[a]);
    }
  double across = sqrt (MAX (0, moved - along * along));
  g_test_message ("one step on the oblique coronal: %.2f mm along its normal, %.2f mm within it", along, across);
  g_assert_cmpfloat (along, <, -0.5);
  g_assert_cmpfloat (along, >, -2 * volume->spacing[1]);
  g_assert_cmpfloat (across, <, volume->spacing[0]);
  mt_slice_view_step (views[MT_VIEW_CORONAL], -1);

  /* The turn goes on from where it is. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.rotate-crosshair", "d", 5.0);
  MtViewAxis oblique_view;
  double degrees;
  mt_viewer_get_oblique (viewer, &oblique_view, &degrees);
  g_assert_cmpint (oblique_view, ==, MT_VIEW_AXIAL);
  g_assert_cmpfloat (degrees, ==, 35.0);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.rotate-crosshair", "d", -5.0);
  mt_test_pump (10);

  /* Ctrl+? shows every shortcut. */
  GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (win));
  g_assert_nonnull (help);
  g_assert_cmpint (count_shortcuts (GTK_WIDGET (help)), >=, 15);
  /* Shown, it is a real window with room for them (MEDTWIN_TEST_SHOTS keeps
   * a picture of it to look at). */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.show-help-overlay", NULL);
  for (int t = 0; t < 50; t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (help)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (help)), >=, 400);
  const char *shots = g_getenv ("MEDTWIN_TEST_SHOTS");
  if (shots != NULL)
    {
      g_autofree char *help_png = g_build_filename (shots, "help-overlay.png", NULL);
      g_autoptr (GError) help_error = NULL;
      g_assert_true (mt_window_save_png (GTK_WIDGET (help), help_png, &help_error));
    }
  gtk_window_close (GTK_WINDOW (help));

  /* Each slice view shows a scale bar: a round length whose drawn pixels
   * match the view's scale, in at most a quarter of its width. */
  MtSliceView *axial_view = MT_SLICE_VIEW (mt_window_get_slice_view (win, MT_VIEW_AXIAL));
  double bar_px, bar_mm = mt_slice_view_get_scale_bar (axial_view, &bar_px);
  double per_mm = mt_slice_view_get_pixels_per_mm (axial_view);
  int view_w = gtk_widget_get_width (GTK_WIDGET (axial_view));
  g_test_message ("axial view %d px wide, %.3f px/mm: scale bar %.0f mm, %.1f px", view_w, per_mm, bar_mm, bar_px);
  g_assert_cmpfloat (bar_mm, >, 0);
  g_assert_cmpfloat_with_epsilon (bar_px, bar_mm * per_mm, 1e-6);
  g_assert_cmpfloat (bar_px, <=, view_w / 4.0 + 1e-6);
  g_assert_cmpfloat (bar_px, >=, view_w / 10.0);

  /* Ctrl+H hides the corner annotations and the scale bars for teaching,
   * and shows them again. */
  g_assert_true (mt_window_annotations_visible (win));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.annotations", NULL);
  g_assert_false (mt_window_annotations_visible (win));
  for (int t = 0; t < 20; t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpfloat (mt_slice_view_get_scale_bar (axial_view, NULL), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.annotations", NULL);
  g_assert_true (mt_window_annotations_visible (win));

  /* A 10 mm MIP slab in the slice views. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.slab", "(sd)", "mip", 10.0);
  MtSlabMode slab;
  double slab_mm;
  mt_viewer_get_slab (viewer, &slab, &slab_mm);
  g_assert_cmpint (slab, ==, MT_SLAB_MIP);
  g_assert_cmpfloat (slab_mm, ==, 10.0);

  /* A screenshot from the window's action: written at the next frame. */
  const char *keep = g_getenv ("MEDTWIN_TEST_SHOTS");
  g_autofree char *png = g_build_filename (keep ? keep : demo_dir, "shot.png", NULL);
  g_remove (png);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.save-screenshot", "s", png);
  for (int t = 0; t < 500 && !g_file_test (png, G_FILE_TEST_EXISTS); t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_autoptr (GError) shot_error = NULL;
  g_autoptr (GdkTexture) shot = gdk_texture_new_from_filename (png, &shot_error);
  g_assert_no_error (shot_error);
  g_assert_cmpint (gdk_texture_get_width (shot), ==, gtk_widget_get_width (GTK_WIDGET (win)));

  /* In that picture: the orientation marker in the 3D view's corner, seen
   * from the front, has the patient's left (red) pointing right and the head
   * (blue) pointing up; the axial view's scale bar is drawn light. */
  int shot_w = gdk_texture_get_width (shot), shot_h = gdk_texture_get_height (shot);
  g_autofree guint8 *pixels = g_malloc ((gsize) shot_w * shot_h * 4);
  gdk_texture_download (shot, pixels, (gsize) shot_w * 4);
  GtkWidget *volume_view = mt_window_get_volume_view (win);
  graphene_point_t marker;
  g_assert_true (gtk_widget_compute_point (volume_view, GTK_WIDGET (win),
                                           &GRAPHENE_POINT_INIT (52, gtk_widget_get_height (volume_view) - 52),
                                           &marker));
  /* Centroids of the red and the blue pixels around it (B, G, R, A bytes). */
  double red[3] = { 0 }, blue[3] = { 0 };
  for (int y = MAX (0, (int) marker.y - 60); y < MIN (shot_h, (int) marker.y + 60); y++)
    for (int x = MAX (0, (int) marker.x - 60); x < MIN (shot_w, (int) marker.x + 60); x++)
      {
        const guint8 *q = pixels + ((gsize) y * shot_w + x) * 4;
        double *sum = q[2] > 180 && q[1] < 110 && q[0] < 110 ? red : q[0] > 200 && q[2] < 150 ? blue : NULL;
        if (sum != NULL)
          {
            sum[0] += x;
            sum[1] += y;
            sum[2] += 1;
          }
      }
  g_test_message ("marker at (%.0f, %.0f): %.0f red pixels around (%.1f, %.1f), %.0f blue around (%.1f, %.1f)",
                  marker.x, marker.y, red[2], red[0] / MAX (red[2], 1), red[1] / MAX (red[2], 1), blue[2],
                  blue[0] / MAX (blue[2], 1), blue[1] / MAX (blue[2], 1));
  g_assert_cmpfloat (red[2], >, 40);
  g_assert_cmpfloat (blue[2], >, 40);
  g_assert_cmpfloat (red[0] / red[2], >, blue[0] / blue[2] + 10);   /* L to the right */
  g_assert_cmpfloat (blue[1] / blue[2], <, red[1] / red[2] - 10);   /* S above */
  guint8 bar_px_rgba[4];
  int axial_w = gtk_widget_get_width (GTK_WIDGET (axial_view)), axial_h = gtk_widget_get_height (GTK_WIDGET (axial_view));
  pixel_at (pixels, shot_w, shot_h, GTK_WIDGET (win), GTK_WIDGET (axial_view),
            floor ((axial_w - bar_px) / 2) + bar_px * 0.3, axial_h - 33, bar_px_rgba);
  g_test_message ("scale bar pixel %d,%d,%d", bar_px_rgba[2], bar_px_rgba[1], bar_px_rgba[0]);
  for (int k = 0; k < 3; k++)
    g_assert_cmpint (bar_px_rgba[k], >, 200);

  /* The axial view's turned line is drawn where it should be: 40 px up-right
   * of the crosshair along 30 degrees. */
  double ax, ay;
  guint8 line_rgba[4] = { 0 };
  mt_slice_view_get_crosshair_point (axial_view, &ax, &ay);
  /* The line is one pixel wide: the most amber pixel within one of that point
   * (red high, blue low). */
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++)
      {
        guint8 q[4];
        pixel_at (pixels, shot_w, shot_h, GTK_WIDGET (win), GTK_WIDGET (axial_view), ax + 40 * c30 + dx,
                  ay - 40 * s30 + dy, q);
        if (q[2] - q[0] > line_rgba[2] - line_rgba[0])
          memcpy (line_rgba, q, 4);
      }
  g_test_message ("crosshair at (%.1f, %.1f); turned line pixel %d,%d,%d", ax, ay, line_rgba[2], line_rgba[1], line_rgba[0]);
  g_assert_cmpint (line_rgba[2], >, 180);
  g_assert_cmpint (line_rgba[0], <, 120);
  /* Perpendicular to the line, 6 px off it: no amber. */
  guint8 off_line[4];
  pixel_at (pixels, shot_w, shot_h, GTK_WIDGET (win), GTK_WIDGET (axial_view), ax + 40 * c30 + 6 * s30,
            ay - 40 * s30 + 6 * c30, off_line);
  g_assert_cmpint (off_line[2] - off_line[0], <, 40);
  /* Ctrl+R: the standard planes again. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.oblique", "(sd)", "axial", 0.0);
  g_assert_false (mt_slice_view_is_oblique (views[MT_VIEW_CORONAL]));
  g_assert_cmpstr (mt_window_get_view_letter (win, MT_VIEW_CORONAL, 0), ==, "L");

  /* One view alone, with its labels: the 3D panel's own size. */
  g_autofree char *view_png = g_build_filename (keep ? keep : demo_dir, "view-3d.png", NULL);
  g_remove (view_png);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.save-view-screenshot", "(ss)", "3d", view_png);
  for (int t = 0; t < 500 && !g_file_test (view_png, G_FILE_TEST_EXISTS); t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_autoptr (GdkTexture) view_shot = gdk_texture_new_from_filename (view_png, &shot_error);
  g_assert_no_error (shot_error);
  GtkWidget *panel = gtk_widget_get_parent (mt_window_get_volume_view (win));
  g_assert_cmpint (gdk_texture_get_width (view_shot), ==, gtk_widget_get_width (panel));
  g_assert_cmpint (gdk_texture_get_height (view_shot), ==, gtk_widget_get_height (panel));

  measure (win);
  edit_transfer (win);
  drop_surface (win);
  surfaces (win);
  clip_3d (win);
  segment (win);
  crop_scan (win);

  /* F5: presentation, the 3D view alone and turning; F5 again: back. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.present", NULL);
  g_assert_true (mt_window_is_presenting (win));
  GtkWidget *axial = mt_window_get_slice_view (win, MT_VIEW_AXIAL);
  g_assert_false (gtk_widget_is_visible (axial));
  present_started = g_get_monotonic_time ();
  g_timeout_add (1500, check_spin, win);
  return G_SOURCE_REMOVE;
}

static int window_width;

static gboolean
check_spin (gpointer data)
{
  MtWindow *win = data;
  MtViewer *viewer = mt_window_get_viewer (win);
  /* 20 degrees a second: about 30 degrees by now, whatever the frame rate. */
  double azimuth = mt_window_get_azimuth (win);
  g_test_message ("turned %.1f degrees in %.1f s", azimuth, (g_get_monotonic_time () - present_started) / 1e6);
  g_assert_cmpfloat (azimuth, >, 5.0);
  if (g_getenv ("MEDTWIN_TEST_SHOTS") != NULL)
    {
      g_autofree char *present_png = g_build_filename (g_getenv ("MEDTWIN_TEST_SHOTS"), "present.png", NULL);
      g_assert_true (mt_window_save_png (GTK_WIDGET (win), present_png, NULL));
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.present", NULL);
  g_assert_false (mt_window_is_presenting (win));
  g_assert_true (gtk_widget_is_visible (mt_window_get_slice_view (win, MT_VIEW_AXIAL)));

  /* The 3D preset follows its action too. */
  gtk_widget_activate_action (GTK_WIDGET (win), "win.render-preset", "s", "mip");
  g_assert_cmpint (mt_viewer_get_preset (viewer), ==, MT_PRESET_MIP);

  /* Remembered: a new window starts with the MIP preset and the 10 mm MIP
   * slab chosen above. */
  MtWindow *again = mt_window_new (GTK_APPLICATION (g_application_get_default ()));
  MtSlabMode again_slab;
  double again_mm;
  mt_viewer_get_slab (mt_window_get_viewer (again), &again_slab, &again_mm);
  g_assert_cmpint (mt_viewer_get_preset (mt_window_get_viewer (again)), ==, MT_PRESET_MIP);
  g_assert_cmpint (again_slab, ==, MT_SLAB_MIP);
  g_assert_cmpfloat (again_mm, ==, 10.0);
  gtk_window_destroy (GTK_WINDOW (again));
  window_width = gtk_widget_get_width (GTK_WIDGET (win));
  mt_window_save_state (win);   /* what medtwin does on quit */
  finished = TRUE;
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
on_ready (MtWindow *win)
{
  if (step++ == 0)
    g_idle_add (drive, win);
}

static void
on_activate (GtkApplication *app)
{
  MtWindow *win = mt_window_new (app);
  g_signal_connect (win, "views-ready", G_CALLBACK (on_ready), NULL);
  gtk_window_present (GTK_WINDOW (win));
  g_autofree char *baseline = g_build_filename (demo_dir, "baseline", NULL);
  const char *paths[] = { baseline, NULL };
  mt_window_open_paths (win, paths);
}

static void
test_linked_views (void)
{
  if (!mt_test_have_display ())
    return;
  g_autoptr (GError) error = NULL;
  demo_dir = g_dir_make_tmp ("medtwin-views-XXXXXX", &error);
  g_assert_true (mt_phantom_write (demo_dir, 1, NULL, NULL, &error));
  mt_test_gui_keep_in (demo_dir);
  g_autofree char *settings_path = g_build_filename (demo_dir, "settings.ini", NULL);
  GtkApplication *app = gtk_application_new ("org.medtwin.TestViews", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), 0, NULL);
  g_object_unref (app);
  g_assert_true (finished);
  /* On disk, in the key file, for the next start. */
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_file (kf, settings_path, G_KEY_FILE_NONE, &error));
  g_autofree char *preset = g_key_file_get_value (kf, "medtwin", "render-preset", NULL);
  g_autofree char *slab = g_key_file_get_value (kf, "medtwin", "slab-mode", NULL);
  g_autofree char *window = g_key_file_get_value (kf, "medtwin", "window-preset", NULL);
  g_test_message ("remembered: 3D %s, slab %s, window %s, width %d", preset, slab, window,
                  g_key_file_get_integer (kf, "medtwin", "window-width", NULL));
  g_assert_cmpstr (preset, ==, "'mip'");
  g_assert_cmpstr (slab, ==, "'mip'");
  g_assert_cmpstr (window, ==, "'lung'");
  g_assert_cmpint (g_key_file_get_integer (kf, "medtwin", "window-width", NULL), ==, window_width);
  mt_remove_tree (demo_dir);
}

int
main (int argc, char **argv)
{
  mt_test_gui_init (&argc, &argv);
  g_test_add_func ("/ui/views/linked", test_linked_views);
  return g_test_run ();
}
