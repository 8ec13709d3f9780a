/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Segmentation: the label volume and its undo records, the mask tools on
 * shapes whose answers are known, and the body and couch on the demo
 * patient (against its truth) and on the real thorax CT. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-dicom-seg.h"
#include "mt-dicom.h"
#include "mt-file-utils.h"
#include "mt-mask.h"
#include "mt-phantom.h"
#include "mt-segment-tasks.h"
#include "mt-segmentation.h"
#include "mt-series.h"
#include "mt-test-data.h"
#include "mt-volume.h"

static MtVolume *
grid (int n, double sx, double sy, double sz)
{
  MtVolume *v = mt_volume_new (n, n, n, NULL);
  v->spacing[0] = sx;
  v->spacing[1] = sy;
  v->spacing[2] = sz;
  return v;
}

/* Grid points within r mm of voxel c. */
static gsize
points_within (const MtVolume *v, const int c[3], double r)
{
  gsize count = 0;
  for (int k = 0; k < v->dims[2]; k++)
    for (int j = 0; j < v->dims[1]; j++)
      for (int i = 0; i < v->dims[0]; i++)
        {
          double dx = (i - c[0]) * v->spacing[0], dy = (j - c[1]) * v->spacing[1], dz = (k - c[2]) * v->spacing[2];
          count += dx * dx + dy * dy + dz * dz <= r * r * 1.0001;
        }
  return count;
}

static void
test_morphology (void)
{
  /* One voxel dilated by 5 mm on a 1 mm grid: the 515 grid points of the
   * ball; on 0.8 x 0.8 x 2 mm, its own count. */
  const double spacings[2][3] = { { 1, 1, 1 }, { 0.8, 0.8, 2 } };
  for (int s = 0; s < 2; s++)
    {
      g_autoptr (MtVolume) v = grid (31, spacings[s][0], spacings[s][1], spacings[s][2]);
      gsize n = mt_volume_n_voxels (v);
      g_autofree guint8 *m = g_new0 (guint8, n);
      const int c[3] = { 15, 15, 15 };
      m[mt_volume_offset (v, 15, 15, 15)] = 1;
      mt_mask_dilate (m, v, 5.0);
      gsize want = points_within (v, c, 5.0);
      g_test_message ("dilate a voxel by 5 mm on %.1f/%.1f/%.1f mm: %zu voxels (ball: %zu)", spacings[s][0],
                      spacings[s][1], spacings[s][2], mt_mask_count (m, n), want);
      g_assert_cmpuint (mt_mask_count (m, n), ==, want);
      if (s == 0)
        g_assert_cmpuint (want, ==, 515);
      /* An 8 mm ball eroded by 3 mm: exactly the voxels farther than 3 mm
       * from every voxel outside it, counted by brute force. */
      g_autoptr (MtVolume) w = grid (21, spacings[s][0], spacings[s][1], spacings[s][2]);
      gsize wn = mt_volume_n_voxels (w);
      g_autofree guint8 *b = g_new0 (guint8, wn), *e = NULL;
      for (gsize i = 0; i < wn; i++)
        {
          int x = (int) (i % 21), y = (int) ((i / 21) % 21), z = (int) (i / (21 * 21));
          double dx = (x - 10) * w->spacing[0], dy = (y - 10) * w->spacing[1], dz = (z - 10) * w->spacing[2];
          b[i] = dx * dx + dy * dy + dz * dz <= 64.0001;
        }
      e = g_memdup2 (b, wn);
      mt_mask_erode (e, w, 3.0);
      gsize differ = 0, kept = 0;
      for (gsize i = 0; i < wn; i++)
        {
          gboolean far = b[i];
          for (gsize j = 0; far && j < wn; j++)
            if (!b[j])
              {
                double dx = ((int) (i % 21) - (int) (j % 21)) * w->spacing[0];
                double dy = ((int) ((i / 21) % 21) - (int) ((j / 21) % 21)) * w->spacing[1];
                double dz = ((int) (i / 441) - (int) (j / 441)) * w->spacing[2];
                far = dx * dx + dy * dy + dz * dz > 9.0009;
              }
          differ += far != (e[i] != 0);
          kept += far;
        }
      g_test_message ("erode an 8 mm ball by 3 mm: %zu voxels stay, %zu differ from brute force", kept, differ);
      g_assert_cmpuint (kept, >, 0);
      g_assert_cmpuint (differ, ==, 0);
    }
}

static void
test_grow_components_holes (void)
{
  /* Two cubes of different values in a 20^3 grid, the larger hollow. */
  g_autoptr (MtVolume) v = grid (20, 1, 1, 1);
  gsize n = mt_volume_n_voxels (v);
  for (int k = 2; k < 12; k++)
    for (int j = 2; j < 12; j++)
      for (int i = 2; i < 12; i++)
        v->data[mt_volume_offset (v, i, j, k)] = 100;
  for (int k = 5; k < 9; k++)
    for (int j = 5; j < 9; j++)
      for (int i = 5; i < 9; i++)
        v->data[mt_volume_offset (v, i, j, k)] = 0;    /* the hole: 64 voxels */
  for (int k = 14; k < 17; k++)
    for (int j = 14; j < 17; j++)
      for (int i = 14; i < 17; i++)
        v->data[mt_volume_offset (v, i, j, k)] = 200;  /* 27 voxels */
  g_autofree guint8 *grown = g_new (guint8, n);
  const int seed[3] = { 3, 3, 3 };
  gsize got = mt_mask_region_grow (v, seed, 1, 50, 150, grown);
  g_assert_cmpuint (got, ==, 1000 - 64);
  /* Seeds outside the range grow nothing. */
  const int off[3] = { 0, 0, 0 };
  g_assert_cmpuint (mt_mask_region_grow (v, off, 1, 50, 150, grown), ==, 0);

  g_autofree guint8 *dense = mt_mask_threshold (v, 50, 1000);
  g_assert_cmpuint (mt_mask_count (dense, n), ==, 1000 - 64 + 27);
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_assert_cmpuint (mt_mask_components (dense, v->dims, labels, sizes), ==, 2);
  g_assert_cmpuint (g_array_index (sizes, gsize, 0), ==, 936);
  g_assert_cmpuint (g_array_index (sizes, gsize, 1), ==, 27);
  g_assert_cmpuint (labels[mt_volume_offset (v, 15, 15, 15)], ==, 2);
  g_autofree guint8 *islands = g_memdup2 (dense, n);
  g_assert_cmpuint (mt_mask_remove_islands (islands, v->dims, 100), ==, 27);
  mt_mask_keep_largest (dense, v->dims);
  g_assert_cmpmem (dense, n, islands, n);
  mt_mask_fill_holes (dense, v->dims);
  g_assert_cmpuint (mt_mask_count (dense, n), ==, 1000);
  g_assert_cmpfloat (mt_mask_dice (dense, islands, n), ==, 2.0 * 936 / (1000 + 936));

  /* Slice by slice, only the small holes: a 20 x 20 square with a 2 x 2
   * hole and a 6 x 6 one, on one slice. */
  const int flat[3] = { 20, 20, 1 };
  g_autofree guint8 *sq = g_new0 (guint8, 400);
  for (int y = 0; y < 20; y++)
    for (int x = 0; x < 20; x++)
      {
        gboolean small = x >= 3 && x < 5 && y >= 3 && y < 5, large = x >= 10 && x < 16 && y >= 10 && y < 16;
        sq[y * 20 + x] = !small && !large;
      }
  mt_mask_fill_small_holes_slices (sq, flat, 2, 10);
  g_assert_cmpuint (mt_mask_count (sq, 400), ==, 400 - 36);
  mt_mask_fill_holes_slices (sq, flat, 2);
  g_assert_cmpuint (mt_mask_count (sq, 400), ==, 400);
}

static void
test_segmentation_undo (void)
{
  g_autoptr (MtVolume) v = grid (40, 1, 1, 1);
  gsize n = mt_volume_n_voxels (v);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (v);
  guint16 a = mt_segmentation_add_segment (seg, "liver", MT_SEGMENT_ORGAN, NULL);
  guint16 b = mt_segmentation_add_segment (seg, "nodule", MT_SEGMENT_LESION, NULL);
  g_assert_cmpuint (a, ==, 1);
  g_assert_cmpuint (b, ==, 2);
  g_assert_cmpuint (mt_segmentation_add_segment (seg, "liver", MT_SEGMENT_ORGAN, NULL), ==, 0);
  mt_segmentation_set_label (seg, b, "TUMOR");
  g_assert_cmpstr (mt_segmentation_find (seg, "nodule")->label, ==, "TUMOR");
  g_autofree guint8 *half = g_new0 (guint8, n), *corner = g_new0 (guint8, n);
  for (gsize i = 0; i < n / 2; i++)
    half[i] = 1;
  for (int k = 0; k < 10; k++)
    for (int j = 0; j < 10; j++)
      for (int i = 0; i < 10; i++)
        corner[mt_volume_offset (v, i, j, k)] = 1;
  g_assert_cmpuint (mt_segmentation_paint (seg, half, a), ==, n / 2);
  /* A locked liver keeps its voxels. */
  mt_segmentation_set_locked (seg, a, TRUE);
  g_assert_cmpuint (mt_segmentation_paint (seg, corner, b), ==, 0);
  mt_segmentation_set_locked (seg, a, FALSE);
  g_assert_cmpuint (mt_segmentation_paint (seg, corner, b), ==, 1000);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, n / 2 - 1000);
  /* The records hold runs, not copies: far below one byte a voxel. */
  gsize bytes = mt_segmentation_history_bytes (seg);
  g_test_message ("history of two edits over %zu voxels: %zu bytes", n, bytes);
  g_assert_cmpuint (bytes, <, n / 10);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, n / 2);
  g_assert_cmpuint (mt_segmentation_count (seg, b), ==, 0);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, 0), ==, n);
  g_assert_false (mt_segmentation_undo (seg));
  g_assert_true (mt_segmentation_redo (seg));
  g_assert_true (mt_segmentation_redo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, b), ==, 1000);
  /* The 256th segment widens the labels to 16 bits, values kept. */
  g_assert_cmpuint (mt_segmentation_bits (seg), ==, 8);
  for (int s = 3; s <= 256; s++)
    {
      g_autofree char *name = g_strdup_printf ("s%d", s);
      g_assert_cmpuint (mt_segmentation_add_segment (seg, name, MT_SEGMENT_ANNOTATION, NULL), ==, s);
    }
  g_assert_cmpuint (mt_segmentation_bits (seg), ==, 16);
  g_assert_cmpuint (mt_segmentation_count (seg, b), ==, 1000);
  g_assert_cmpuint (mt_segmentation_paint (seg, corner, 256), ==, 1000);
  g_assert_cmpuint (mt_segmentation_get (seg, 0), ==, 256);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_get (seg, 0), ==, b);
}

static void
check_demo (gboolean followup)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, followup, NULL, NULL, &error);
  g_assert_no_error (error);
  const char *tasks[] = { "all", NULL };
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (MtSegmentation) seg = mt_segment_run (p->ct, tasks, NULL, NULL, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_no_error (error);
  gsize n = mt_volume_n_voxels (p->ct);
  /* The truth's body is everything inside the skin: every label but the
   * couch. */
  g_autofree guint8 *true_body = g_new (guint8, n), *true_couch = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      long l = lroundf (p->labels->data[i]);
      true_body[i] = l != MT_LABEL_NONE && l != MT_LABEL_COUCH;
      true_couch[i] = l == MT_LABEL_COUCH;
    }
  /* The whole body is every segment but the couch, as in the truth. */
  guint16 couch_value = mt_segmentation_find (seg, "couch")->value;
  g_autofree guint8 *couch = mt_segmentation_mask (seg, couch_value);
  g_autofree guint8 *body = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    body[i] = mt_segmentation_get (seg, i) != 0 && !couch[i];
  double db = mt_mask_dice (body, true_body, n), dc = mt_mask_dice (couch, true_couch, n);
  g_test_message ("demo %s: body Dice %.4f, couch Dice %.4f (%.0f ms)", followup ? "follow-up" : "baseline", db,
                  dc, ms);
  g_assert_cmpfloat (db, >=, 0.95);
  g_assert_cmpfloat (dc, >=, 0.95);
  /* Lungs, left and right, and the airways against the truth. */
  const struct { const char *name; MtLabel label; double least; } organs[] = {
    { "lung_left", MT_LABEL_LUNG_LEFT, 0.95 }, { "lung_right", MT_LABEL_LUNG_RIGHT, 0.95 },
    { "airway", MT_LABEL_AIRWAY, 0.0 },
    { "skeleton", MT_LABEL_SKELETON, 0.95 },
    { "liver", MT_LABEL_LIVER, 0.95 },
    { "kidney_left", MT_LABEL_KIDNEY_LEFT, 0.95 },
    { "kidney_right", MT_LABEL_KIDNEY_RIGHT, 0.95 },
    { "heart", MT_LABEL_HEART, 0.90 },
    { "aorta", MT_LABEL_AORTA, 0.90 },
    /* The effusion: found where the phantom put it, its edge against the
     * lung a little short. */
    { "fluid", MT_LABEL_FLUID, 0.78 },
  };
  for (guint o = 0; o < G_N_ELEMENTS (organs); o++)
    {
      g_autofree guint8 *truth = g_new (guint8, n);
      for (gsize i = 0; i < n; i++)
        truth[i] = lroundf (p->labels->data[i]) == organs[o].label;
      const MtSegment *sg = mt_segmentation_find (seg, organs[o].name);
      g_assert_nonnull (sg);
      g_autofree guint8 *mine = mt_segmentation_mask (seg, sg->value);
      double d = mt_mask_dice (mine, truth, n);
      g_test_message ("  %s Dice %.4f", organs[o].name, d);
      g_assert_cmpfloat (d, >=, organs[o].least);
    }
  /* Nothing called fluid that is not the effusion. */
  g_autofree guint8 *fluid = mt_segmentation_mask (seg, mt_segmentation_find (seg, "fluid")->value);
  gsize fluid_n = 0, fluid_true = 0;
  for (gsize i = 0; i < n; i++)
    if (fluid[i])
      {
        fluid_n++;
        fluid_true += lroundf (p->labels->data[i]) == MT_LABEL_FLUID;
      }
  g_assert_cmpfloat ((double) fluid_true / fluid_n, >=, 0.95);
  /* The nodule: the candidate on it has its volume within 5%. */
  g_autofree guint8 *nodule = mt_segmentation_mask (seg, mt_segmentation_find (seg, "nodule")->value);
  g_autofree guint32 *pieces = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint n_pieces = mt_mask_components (nodule, p->ct->dims, pieces, sizes);
  gsize truth_n = 0;
  guint on = 0;
  for (gsize i = 0; i < n; i++)
    if (lroundf (p->labels->data[i]) == MT_LABEL_NODULE)
      {
        truth_n++;
        if (pieces[i])
          on = pieces[i];
      }
  g_assert_cmpuint (on, >, 0);
  gsize found = g_array_index (sizes, gsize, on - 1);
  g_test_message ("  nodule %zu voxels, truth %zu (%+.1f%%); %u other candidates", found, truth_n,
                  100.0 * ((double) found / truth_n - 1), n_pieces - 1);
  g_assert_cmpfloat (fabs ((double) found / truth_n - 1), <=, 0.05);
}

static void
test_demo_body_couch (void)
{
  check_demo (FALSE);
  check_demo (TRUE);
}

/* The real thorax CT: the couch is its own segment, behind the body,
 * sharing no voxel with it. */
static void
test_real_body_couch (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) ct = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autofree guint8 *body = NULL, *couch = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_assert_true (mt_segment_body_couch (ct, &body, &couch, NULL, NULL, &error));
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  gsize n = mt_volume_n_voxels (ct), shared = 0, nb = 0, nc = 0;
  double yb = 0, yc = 0, voxel_ml = ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000;
  for (gsize i = 0; i < n; i++)
    {
      shared += body[i] && couch[i];
      if (body[i] || couch[i])
        {
          double ijk[3] = { (double) (i % ct->dims[0]), (double) ((i / ct->dims[0]) % ct->dims[1]), 0 }, lps[3];
          mt_volume_index_to_patient (ct, ijk, lps);
          if (body[i])
            yb += lps[1], nb++;
          else
            yc += lps[1], nc++;
        }
    }
  g_test_message ("thorax CT: body %.2f L, couch %.2f L, centres at P %.0f and %.0f mm, %zu shared (%.0f ms)",
                  nb * voxel_ml / 1000, nc * voxel_ml / 1000, yb / MAX (nb, 1), yc / MAX (nc, 1), shared, ms);
  g_assert_cmpuint (shared, ==, 0);
  g_assert_cmpfloat (nc * voxel_ml, >, 100);                   /* a couch, not crumbs */
  g_assert_cmpfloat (yc / nc, >, yb / nb + 50);                /* posterior to the body */
  g_assert_cmpfloat (nb * voxel_ml / 1000, >, 10);             /* an adult trunk */
  g_assert_cmpfloat (nb * voxel_ml / 1000, <, 60);

  /* The lungs: a physiological total, the left one on the left. */
  g_autofree guint8 *left = NULL, *right = NULL, *tree = NULL;
  g_assert_true (mt_segment_lungs (ct, body, &left, &right, &tree, NULL, &error));
  g_assert_no_error (error);
  double xl = 0, xr = 0;
  gsize cl = 0, cr = 0;
  for (gsize i = 0; i < n; i++)
    if (left[i] || right[i])
      {
        double ijk[3] = { (double) (i % ct->dims[0]), 0, 0 }, lps[3];
        mt_volume_index_to_patient (ct, ijk, lps);
        if (left[i])
          xl += lps[0], cl++;
        else
          xr += lps[0], cr++;
      }
  double total_l = (cl + cr) * voxel_ml / 1000;
  g_test_message ("thorax CT lungs: left %.2f L at x %.0f mm, right %.2f L at x %.0f mm, total %.2f L; airways %.0f mL",
                  cl * voxel_ml / 1000, xl / MAX (cl, 1), cr * voxel_ml / 1000, xr / MAX (cr, 1), total_l,
                  mt_mask_count (tree, n) * voxel_ml);
  g_assert_cmpfloat (total_l, >, 2.5);
  g_assert_cmpfloat (total_l, <, 8);
  g_assert_cmpfloat (xl / cl, >, xr / cr + 50);
  g_assert_cmpfloat (cl * voxel_ml, >, 800);
  g_assert_cmpfloat (cr * voxel_ml, >, 800);

  /* The skeleton of a trunk from the pelvis to the upper chest. Known
   * fault, reported rather than asserted: blood against the spine comes in,
   * and the descending aorta's point at (22.56, 118.38, 355.91) is taken. */
  g_autofree guint8 *bone = NULL;
  g_assert_true (mt_segment_skeleton (ct, body, &bone, NULL, &error));
  double bone_l = mt_mask_count (bone, n) * voxel_ml / 1000;
  const double aorta[3] = { 22.56, 118.38, 355.91 };
  double idx[3];
  mt_volume_patient_to_index (ct, aorta, idx);
  gsize at = mt_volume_offset (ct, (int) lround (idx[0]), (int) lround (idx[1]), (int) lround (idx[2]));
  g_test_message ("thorax CT skeleton: %.2f L; the descending aorta's point %s", bone_l,
                  bone[at] ? "taken as bone" : "left out");
  g_assert_cmpfloat (bone_l, >, 0.8);
  g_assert_cmpfloat (bone_l, <, 4);
}

/* The segment at a point in patient mm. */
static guint16
label_at (MtSegmentation *seg, const MtVolume *ct, const double lps[3])
{
  double idx[3];
  mt_volume_patient_to_index (ct, lps, idx);
  return mt_segmentation_get (seg, mt_volume_offset (ct, (int) lround (idx[0]), (int) lround (idx[1]),
                                                     (int) lround (idx[2])));
}

/* Every task on the real thorax CT: each organ of a plausible size, in its
 * place; the descending aorta's point is aorta, no longer bone. */
static void
test_real_organs (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) ct = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  const char *tasks[] = { "all", NULL };
  g_autoptr (MtSegmentation) seg = mt_segment_run (ct, tasks, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) stats = mt_segmentation_statistics (seg, ct);
  const struct { const char *name; double lo_ml, hi_ml; } organs[] = {
    { "liver", 1000, 2500 }, { "heart", 400, 1200 }, { "kidney_right", 100, 300 }, { "kidney_left", 100, 300 },
    { "aorta", 40, 400 },
    /* A renal cyst, the gallbladder and the stomach's fluid. */
    { "fluid", 150, 300 },
    /* No solid nodule in these lungs: candidates are reported only. */
    { "nodule", 0, G_MAXDOUBLE },
  };
  for (guint o = 0; o < G_N_ELEMENTS (organs); o++)
    {
      const MtSegment *sg = mt_segmentation_find (seg, organs[o].name);
      g_assert_nonnull (sg);
      const MtSegmentStats *st = NULL;
      for (guint s = 0; s < stats->len; s++)
        if (g_array_index (stats, MtSegmentStats, s).value == sg->value)
          st = &g_array_index (stats, MtSegmentStats, s);
      g_assert_nonnull (st);
      g_test_message ("thorax CT %s: %.0f mL, mean %.0f HU", organs[o].name, st->volume_ml, st->mean);
      g_assert_cmpfloat (st->volume_ml, >=, organs[o].lo_ml);
      g_assert_cmpfloat (st->volume_ml, <=, organs[o].hi_ml);
    }
  /* Contrast blood in the descending aorta; the gallbladder and the cyst on
   * the right kidney's upper pole, as looked at on the slices: fluid. */
  const double aorta[3] = { 22.56, 118.38, 355.91 };
  const double gallbladder[3] = { -81.64, 48.56, 316.91 }, cyst[3] = { -77.34, 147.39, 319.91 };
  g_assert_cmpuint (label_at (seg, ct, aorta), ==, mt_segmentation_find (seg, "aorta")->value);
  g_assert_cmpuint (label_at (seg, ct, gallbladder), ==, mt_segmentation_find (seg, "fluid")->value);
  g_assert_cmpuint (label_at (seg, ct, cyst), ==, mt_segmentation_find (seg, "fluid")->value);
  g_assert_true (mt_segmentation_get_notes (seg)[0] == NULL);
}

/* A ball of radius r mm about the grid's centre voxel, every slice or
 * every step-th. */
static guint8 *
ball_mask (const MtVolume *v, double r, int step)
{
  gsize n = mt_volume_n_voxels (v);
  guint8 *m = g_new0 (guint8, n);
  const int c = v->dims[0] / 2;
  for (int k = 0; k < v->dims[2]; k++)
    for (int j = 0; j < v->dims[1]; j++)
      for (int i = 0; i < v->dims[0]; i++)
        {
          double dx = (i - c) * v->spacing[0], dy = (j - c) * v->spacing[1], dz = (k - c) * v->spacing[2];
          if (dx * dx + dy * dy + dz * dz <= r * r && (k - c) % step == 0)
            m[mt_volume_offset (v, i, j, k)] = 1;
        }
  return m;
}

/* The whole-segment edits: interpolation between painted slices, union,
 * a HU range, islands, holes and scissors, each undone in one step. */
static void
test_edit (void)
{
  g_autoptr (MtVolume) v = grid (61, 1, 1, 1);
  gsize n = mt_volume_n_voxels (v);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (v);
  guint16 a = mt_segmentation_add_segment (seg, "a", MT_SEGMENT_LESION, NULL);
  guint16 b = mt_segmentation_add_segment (seg, "b", MT_SEGMENT_ORGAN, NULL);

  /* A ball of 20 mm outlined on every 6th slice, the rest filled in. */
  g_autofree guint8 *full = ball_mask (v, 20, 1), *sparse = ball_mask (v, 20, 6);
  mt_segmentation_paint (seg, sparse, a);
  gsize before = mt_segmentation_count (seg, a);
  g_assert_cmpuint (mt_segmentation_interpolate (seg, a, 2), >, 0);
  g_autofree guint8 *got = mt_segmentation_mask (seg, a);
  double dice = mt_mask_dice (got, full, n);
  g_test_message ("interpolation: %zu voxels on 7 slices to %zu, Dice %.4f against the whole ball", before,
                  mt_segmentation_count (seg, a), dice);
  g_assert_cmpfloat (dice, >=, 0.97);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, before);
  mt_segmentation_paint (seg, full, a);

  /* Union: b's voxels join a. */
  g_autofree guint8 *corner = g_new0 (guint8, n);
  for (int k = 0; k < 5; k++)
    for (int j = 0; j < 5; j++)
      for (int i = 0; i < 5; i++)
        corner[mt_volume_offset (v, i, j, k)] = 1;
  mt_segmentation_paint (seg, corner, b);
  gsize ball_n = mt_segmentation_count (seg, a);
  g_assert_cmpuint (mt_segmentation_merge (seg, a, b), ==, 125);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, ball_n + 125);
  g_assert_cmpuint (mt_segmentation_count (seg, b), ==, 0);
  /* Islands: the corner is the small one. */
  g_assert_cmpuint (mt_segmentation_islands (seg, a, 0), ==, 125);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, ball_n);

  /* A HU range: on a ramp along x, only x in [20, 40] stays. */
  for (gsize i = 0; i < n; i++)
    v->data[i] = (float) (i % 61);
  gsize outside_range = 0;
  for (gsize i = 0; i < n; i++)
    outside_range += full[i] && (i % 61 < 20 || i % 61 > 40);
  g_assert_cmpuint (mt_segmentation_keep_range (seg, a, v, 20, 40), ==, outside_range);
  g_assert_true (mt_segmentation_undo (seg));

  /* Holes: a hollow ball filled. */
  g_autofree guint8 *core = ball_mask (v, 12, 1);
  g_autofree guint8 *hole = g_memdup2 (core, n);
  mt_segmentation_paint (seg, core, 0);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, ball_n - mt_mask_count (core, n));
  g_assert_cmpuint (mt_segmentation_fill_holes (seg, a), ==, mt_mask_count (hole, n));
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, ball_n);

  /* Scissors looking down z (x, y to the screen, 1 mm = 1/30.5): a
   * square of 10 x 10 mm about the centre cut through every slice. */
  const double c = 30;
  const double to_screen[16] = { 1 / 30.5, 0, 0, -c / 30.5, 0, 1 / 30.5, 0, -c / 30.5, 0, 0, 0, 0, 0, 0, 0, 1 };
  const double square[8] = { -5.5 / 30.5, -5.5 / 30.5, 5.5 / 30.5, -5.5 / 30.5, 5.5 / 30.5, 5.5 / 30.5,
                             -5.5 / 30.5, 5.5 / 30.5 };
  gsize column = 0;
  for (gsize i = 0; i < n; i++)
    {
      int x = (int) (i % 61), y = (int) ((i / 61) % 61);
      column += full[i] && abs (x - 30) <= 5 && abs (y - 30) <= 5;
    }
  g_assert_cmpuint (mt_segmentation_scissors (seg, a, to_screen, square, 4, TRUE), ==, column);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, ball_n - column);
  g_assert_true (mt_segmentation_undo (seg));
  /* Keeping the inside instead. */
  g_assert_cmpuint (mt_segmentation_scissors (seg, 0, to_screen, square, 4, FALSE), ==, ball_n - column);
  g_assert_cmpuint (mt_segmentation_count (seg, a), ==, column);
}

/* A label map read back as segments, named from a labels.json; a map off
 * the grid or with a value that is no label is refused. */
static void
test_from_labels (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GHashTable) names = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint l = 1; l < MT_LABEL_COUNT; l++)
    g_hash_table_insert (names, GUINT_TO_POINTER (l), (gpointer) mt_label_name (l));
  g_autoptr (MtSegmentation) seg = mt_segmentation_from_labels (p->ct, p->labels, names, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mt_segmentation_n_segments (seg), ==, MT_LABEL_COUNT - 1);
  gsize n = mt_volume_n_voxels (p->ct), truth = 0;
  for (gsize i = 0; i < n; i++)
    truth += lroundf (p->labels->data[i]) == MT_LABEL_LIVER;
  g_assert_cmpuint (mt_segmentation_count (seg, mt_segmentation_find (seg, "liver")->value), ==, truth);
  /* Kinds from the names: organs get surfaces in 3D, the body and the
   * skeleton are left to the volume rendering. */
  g_assert_cmpint (mt_segmentation_find (seg, "liver")->category, ==, MT_SEGMENT_ORGAN);
  g_assert_cmpint (mt_segmentation_find (seg, "lung_left")->category, ==, MT_SEGMENT_ORGAN);
  g_assert_cmpint (mt_segmentation_find (seg, "body")->category, ==, MT_SEGMENT_TISSUE);
  g_assert_cmpint (mt_segmentation_find (seg, "skeleton")->category, ==, MT_SEGMENT_TISSUE);
  g_assert_cmpint (mt_segmentation_find (seg, "couch")->category, ==, MT_SEGMENT_DEVICE);
  g_assert_cmpint (mt_segmentation_find (seg, "nodule")->category, ==, MT_SEGMENT_LESION);
  g_assert_cmpint (mt_segmentation_find (seg, "fluid")->category, ==, MT_SEGMENT_FLUID);
  g_assert_cmpint (mt_segment_category_from_name ("label 7"), ==, MT_SEGMENT_ORGAN);
  /* Colours from the names too: the liver as MedTwin's own segmentation
   * paints it; a name not known in its value's colour. */
  const guint8 *liver_rgb = mt_segmentation_find (seg, "liver")->color;
  g_assert_cmpint (liver_rgb[0], ==, 221);
  g_assert_cmpint (liver_rgb[1], ==, 130);
  g_assert_cmpint (liver_rgb[2], ==, 101);
  guint8 rgb[3], by_value[3];
  mt_segment_color_for_name ("label 7", 7, rgb);
  mt_segment_default_color (7, by_value);
  g_assert_cmpmem (rgb, 3, by_value, 3);
  mt_segment_color_for_name ("Spleen", 20, rgb);
  g_assert_cmpint (rgb[0], ==, 157);
  g_assert_cmpint (mt_segment_category_from_name ("Pleural_Effusion"), ==, MT_SEGMENT_FLUID);
  g_autoptr (GPtrArray) shown = mt_segmentation_surfaces (seg, NULL);
  g_test_message ("a label map opened as segments: %u surfaces in 3D", shown->len);
  /* Both lungs, the airway, heart, aorta, liver, both kidneys, the nodule
   * and the fluid; not the body, skeleton or couch. */
  g_assert_cmpuint (shown->len, ==, 10);
  g_assert_cmpuint (mt_segmentation_history_bytes (seg), ==, 0);
  /* Off the grid: one millimetre along z. */
  g_autoptr (MtVolume) moved = mt_volume_ref (p->labels);
  moved->origin[2] += 1.0;
  g_assert_null (mt_segmentation_from_labels (p->ct, moved, NULL, &error));
  g_assert_nonnull (strstr (error->message, "grid"));
  g_clear_error (&error);
  moved->origin[2] -= 1.0;
  /* A value that is no label. */
  float kept = p->labels->data[0];
  p->labels->data[0] = 2.5f;
  g_assert_null (mt_segmentation_from_labels (p->ct, p->labels, NULL, &error));
  g_assert_nonnull (strstr (error->message, "2.5"));
  p->labels->data[0] = kept;
  g_clear_error (&error);
  /* A closing fills between the airways' branches, only ever adding; one
   * undo step. */
  guint16 airway = mt_segmentation_find (seg, "airway")->value;
  gsize tree = mt_segmentation_count (seg, airway);
  gsize added = mt_segmentation_open_close (seg, airway, 3.0, TRUE);
  g_assert_cmpuint (added, >, 0);
  g_assert_cmpuint (mt_segmentation_count (seg, airway), ==, tree + added);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, airway), ==, tree);
  /* An opening of 7 mm takes the 6 mm nodule away entirely. */
  guint16 nodule = mt_segmentation_find (seg, "nodule")->value;
  gsize before = mt_segmentation_count (seg, nodule);
  g_assert_cmpuint (mt_segmentation_open_close (seg, nodule, 7.0, FALSE), ==, before);
}

/* DICOM SEG out and back: the same voxels, names, free-text labels,
 * categories and colours; a clear refusal for another scan's grid. */
static void
test_dicom_seg (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("medtwin-seg-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (mt_phantom_write (dir, 3, NULL, NULL, &error));
  g_autofree char *baseline = g_build_filename (dir, "baseline", NULL);
  g_autofree char *followup = g_build_filename (dir, "followup", NULL);
  g_autoptr (MtVolume) ct = mt_series_read_volume (baseline, NULL, NULL, &error);
  g_assert_no_error (error);
  gsize n = mt_volume_n_voxels (ct);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (ct);
  g_autofree guint8 *dense = mt_mask_threshold (ct, -500, G_MAXDOUBLE);
  guint16 body = mt_segmentation_add_segment (seg, "body", MT_SEGMENT_TISSUE, (const guint8[3]) { 222, 184, 160 });
  mt_segmentation_paint (seg, dense, body);
  guint16 tumor = mt_segmentation_add_segment (seg, "lesion 1", MT_SEGMENT_LESION, (const guint8[3]) { 255, 128, 0 });
  mt_segmentation_set_label (seg, tumor, "TUMOR");
  const double centre[3] = { -88, -25, 85 };
  g_assert_cmpuint (mt_segmentation_paint_ball (seg, centre, 8.0, NULL, tumor, FALSE), >, 100);
  mt_segmentation_add_segment (seg, "empty", MT_SEGMENT_ANNOTATION, (const guint8[3]) { 10, 200, 30 });
  g_autofree char *out = g_build_filename (dir, "seg.dcm", NULL);
  g_assert_true (mt_dicom_seg_write (seg, baseline, out, &error));
  g_assert_no_error (error);

  g_autoptr (MtSegmentation) back = mt_dicom_seg_read (out, ct, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mt_segmentation_n_segments (back), ==, 3);
  gsize differ = 0;
  for (gsize i = 0; i < n; i++)
    differ += mt_segmentation_get (back, i) != mt_segmentation_get (seg, i);
  g_assert_cmpuint (differ, ==, 0);
  for (guint s = 0; s < 3; s++)
    {
      const MtSegment *a = mt_segmentation_get_segment (seg, s), *b = mt_segmentation_get_segment (back, s);
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->label, ==, b->label);
      g_assert_cmpint (a->category, ==, b->category);
      for (int c = 0; c < 3; c++)
        g_assert_cmpint (abs (a->color[c] - b->color[c]), <=, 1);
    }
  g_assert_cmpuint (mt_segmentation_history_bytes (back), ==, 0);

  /* The follow-up is another frame of reference: not silently misplaced. */
  g_autoptr (MtVolume) other = mt_series_read_volume (followup, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (MtSegmentation) wrong = mt_dicom_seg_read (out, other, &error);
  g_assert_null (wrong);
  g_assert_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_UNSUPPORTED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* A CT slice is no SEG. */
  g_autofree char *slice = g_build_filename (baseline, "CT0001.dcm", NULL);
  g_assert_null (mt_dicom_seg_read (slice, ct, &error));
  g_assert_error (error, MT_DICOM_ERROR, MT_DICOM_ERROR_NOT_DICOM);
  g_clear_error (&error);
  /* A folder that cannot take the file: an error, and no half file. */
  g_autofree char *bad = g_build_filename (dir, "no", "such", "seg.dcm", NULL);
  g_assert_false (mt_dicom_seg_write (seg, baseline, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* DCMTK and dciodvfy (dicom3tools) accept it. */
  g_autofree char *dump_out = NULL;
  int status = 0;
  const char *dump[] = { "dcmdump", out, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) dump, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &dump_out, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (dump_out, "SegmentationStorage"));
  g_autofree char *dciodvfy = g_find_program_in_path ("dciodvfy");
  if (dciodvfy != NULL)
    {
      g_autofree char *report = NULL;
      const char *verify[] = { dciodvfy, out, NULL };
      g_assert_true (g_spawn_sync (NULL, (char **) verify, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                                   &report, &status, &error));
      g_test_message ("dciodvfy: %s", report);
      g_assert_null (strstr (report, "Error"));
    }
  else
    g_test_message ("dciodvfy (dicom3tools) is not installed: SEG checked by DCMTK only");
  mt_remove_tree (dir);
}

/* Figures of a lesion whose answers are known: a ball of 10 mm radius. */
static void
test_statistics (void)
{
  g_autoptr (MtVolume) v = grid (41, 1, 1, 1);
  gsize n = mt_volume_n_voxels (v);
  g_autofree guint8 *ball = g_new0 (guint8, n);
  double sum = 0, sum2 = 0;
  gsize count = 0;
  for (gsize i = 0; i < n; i++)
    {
      int x = (int) (i % 41), y = (int) ((i / 41) % 41), z = (int) (i / (41 * 41));
      v->data[i] = (float) (x + 2 * y);      /* a ramp, for the mean and SD */
      double d2 = (x - 20.0) * (x - 20.0) + (y - 20.0) * (y - 20.0) + (z - 20.0) * (z - 20.0);
      ball[i] = d2 <= 100.0001;
      if (ball[i])
        {
          sum += v->data[i];
          sum2 += v->data[i] * v->data[i];
          count++;
        }
    }
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (v);
  guint16 value = mt_segmentation_add_segment (seg, "nodule", MT_SEGMENT_LESION, NULL);
  mt_segmentation_set_label (seg, value, "TUMOR, \"suspect\"");
  mt_segmentation_paint (seg, ball, value);
  g_autoptr (GArray) stats = mt_segmentation_statistics (seg, v);
  const MtSegmentStats *st = &g_array_index (stats, MtSegmentStats, 0);
  g_test_message ("ball lesion: %zu voxels, %.3f mL, mean %.2f, SD %.3f, longest %.1f mm", st->voxels, st->volume_ml,
                  st->mean, st->sd, st->longest_mm);
  g_assert_cmpuint (st->voxels, ==, count);
  g_assert_cmpfloat_with_epsilon (st->volume_ml, count / 1000.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (st->mean, sum / count, 1e-6);
  g_assert_cmpfloat_with_epsilon (st->sd, sqrt ((sum2 - sum * sum / count) / (count - 1)), 1e-6);
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpfloat (st->lo[a], ==, 10);
      g_assert_cmpfloat (st->hi[a], ==, 30);
    }
  /* RECIST: 20 mm between the outermost voxel centres, 21 edge to edge. */
  g_assert_cmpfloat_with_epsilon (st->longest_mm, 21, 1e-9);
  g_autofree char *csv = mt_segmentation_statistics_csv (seg, v);
  g_test_message ("%s", csv);
  g_assert_true (g_str_has_prefix (csv, "name,label,category,voxels,volume_mL,mean,sd,"));
  g_assert_nonnull (strstr (csv, "nodule,1,lesion,"));
  g_assert_nonnull (strstr (csv, ",21.000,\"TUMOR, \"\"suspect\"\"\"\n"));
}

/* The brush: a 5 mm ball is the 515 grid points of the ball; a disc on an
 * axial plane stays in its slice; a drag is one undo step; the eraser
 * takes voxels back to 0. */
static void
test_brush (void)
{
  g_autoptr (MtVolume) v = grid (31, 1, 1, 1);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (v);
  guint16 value = mt_segmentation_add_segment (seg, "annotation", MT_SEGMENT_ANNOTATION, NULL);
  double c[3], ijk[3] = { 15, 15, 15 };
  mt_volume_index_to_patient (v, ijk, c);
  g_assert_cmpuint (mt_segmentation_paint_ball (seg, c, 5.0, NULL, value, FALSE), ==, 515);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, 0);
  MtObliquePlane axial;
  mt_oblique_plane_init (&axial, MT_VIEW_AXIAL, c, 2, 0);
  gsize disc = mt_segmentation_paint_ball (seg, c, 5.0, &axial, value, FALSE);
  g_assert_cmpuint (disc, ==, 81);   /* grid points within 5 mm in one plane */
  /* Dragged along: two more dabs, the same undo step. */
  double c2[3] = { c[0] + 3, c[1], c[2] }, c3[3] = { c[0] + 6, c[1], c[2] };
  gsize more = mt_segmentation_paint_ball (seg, c2, 5.0, &axial, value, TRUE);
  more += mt_segmentation_paint_ball (seg, c3, 5.0, &axial, value, TRUE);
  g_assert_cmpuint (more, >, 0);
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, disc + more);
  for (gsize i = 0; i < mt_volume_n_voxels (v); i++)
    if (mt_segmentation_get (seg, i) == value)
      g_assert_cmpint ((int) (i / (31 * 31)), ==, 15);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, 0);
  g_assert_true (mt_segmentation_redo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, disc + more);
  /* The eraser takes the segment's voxels only. */
  guint16 other = mt_segmentation_add_segment (seg, "other", MT_SEGMENT_ANNOTATION, NULL);
  double c4[3] = { c[0] - 4, c[1], c[2] };
  gsize others = mt_segmentation_paint_ball (seg, c4, 2.0, &axial, other, FALSE);
  gsize left = mt_segmentation_count (seg, value);
  g_assert_cmpuint (mt_segmentation_erase_ball (seg, c2, 2.0, &axial, value, FALSE), ==, 13);
  g_assert_cmpuint (mt_segmentation_erase_ball (seg, c4, 2.0, &axial, value, FALSE), ==, 0);
  g_assert_cmpuint (mt_segmentation_count (seg, other), ==, others);
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, left - 13);
}

/* A 5 mm safety margin around a voxel is the 5 mm ball; shrinking it by
 * 2 mm keeps what erosion keeps; one undo step each. */
static void
test_margin (void)
{
  g_autoptr (MtVolume) v = grid (31, 1, 1, 1);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (v);
  guint16 value = mt_segmentation_add_segment (seg, "nodule", MT_SEGMENT_LESION, NULL);
  g_autofree guint8 *dot = g_new0 (guint8, mt_volume_n_voxels (v));
  dot[mt_volume_offset (v, 15, 15, 15)] = 1;
  mt_segmentation_paint (seg, dot, value);
  g_assert_cmpuint (mt_segmentation_margin (seg, value, 5.0), ==, 514);
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, 515);
  g_assert_cmpuint (mt_segmentation_margin (seg, value, -2.0), >, 0);
  gsize shrunk = mt_segmentation_count (seg, value);
  g_test_message ("5 mm ball shrunk by 2 mm: %zu voxels", shrunk);
  g_assert_cmpuint (shrunk, <, 515);
  /* What stays is exactly what erosion by 2 mm keeps of the ball. */
  g_autofree guint8 *ball = mt_segmentation_mask (seg, value);
  g_assert_true (mt_segmentation_undo (seg));
  g_assert_cmpuint (mt_segmentation_count (seg, value), ==, 515);
  g_autofree guint8 *expect = mt_segmentation_mask (seg, value);
  mt_mask_erode (expect, v, 2.0);
  g_assert_cmpmem (ball, mt_volume_n_voxels (v), expect, mt_volume_n_voxels (v));
}

/* Confidence connected on a noisy ball of 60 +- 10 in noise of 0 +- 10:
 * the ball and nothing else, without being told its range. */
static void
test_confidence (void)
{
  g_autoptr (MtVolume) v = grid (41, 1, 1, 1);
  gsize n = mt_volume_n_voxels (v);
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  g_autofree guint8 *truth = g_new0 (guint8, n), *out = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      int x = (int) (i % 41), y = (int) ((i / 41) % 41), z = (int) (i / (41 * 41));
      double d2 = (x - 20.0) * (x - 20.0) + (y - 20.0) * (y - 20.0) + (z - 20.0) * (z - 20.0);
      truth[i] = d2 <= 144.0001;
      /* Uniform noise of +-15: the two never overlap within 2.5 SD. */
      v->data[i] = (float) ((truth[i] ? 100 : 0) + g_rand_double_range (rng, -15, 15));
    }
  const int seed[3] = { 20, 20, 20 };
  gsize grown = mt_mask_confidence_grow (v, seed, 2.5, 4, out);
  double dice = mt_mask_dice (out, truth, n);
  g_test_message ("confidence connected: %zu voxels of %zu, Dice %.4f", grown, mt_mask_count (truth, n), dice);
  g_assert_cmpfloat (dice, ==, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/segment/morphology", test_morphology);
  g_test_add_func ("/pipeline/segment/grow-components-holes", test_grow_components_holes);
  g_test_add_func ("/pipeline/segment/undo", test_segmentation_undo);
  g_test_add_func ("/pipeline/segment/statistics", test_statistics);
  g_test_add_func ("/pipeline/segment/brush", test_brush);
  g_test_add_func ("/pipeline/segment/margin", test_margin);
  g_test_add_func ("/pipeline/segment/edit", test_edit);
  g_test_add_func ("/pipeline/segment/confidence", test_confidence);
  g_test_add_func ("/pipeline/segment/demo-body-couch", test_demo_body_couch);
  g_test_add_func ("/pipeline/segment/real-body-couch", test_real_body_couch);
  g_test_add_func ("/pipeline/segment/real-organs", test_real_organs);
  g_test_add_func ("/pipeline/segment/dicom-seg", test_dicom_seg);
  g_test_add_func ("/pipeline/segment/from-labels", test_from_labels);
  return g_test_run ();
}
