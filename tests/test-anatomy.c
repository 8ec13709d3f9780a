/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo patient's anatomy graph from its ground truth: the organs, where
 * they lie, their volumes, which touch, the inputs each takes; a scan
 * refused as a label map. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-anatomy.h"
#include "mt-centreline.h"
#include "mt-phantom.h"
#include "mt-volume.h"

static void
test_demo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GHashTable) names = mt_phantom_label_names ();
  g_autoptr (MtAnatomy) a = mt_anatomy_from_labels (p->labels, names, &error);
  g_assert_no_error (error);
  const char *expected[] = { "heart", "lung_left", "lung_right", "airway", "aorta", "liver", "kidney_left",
                             "kidney_right", "skeleton" };
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (mt_anatomy_find (a, expected[i]), >=, 0);
  /* The heart touches both lungs, the aorta leaves it; the kidneys lie far
   * from it. */
  g_assert_true (mt_anatomy_touch (a, "heart", "lung_left"));
  g_assert_true (mt_anatomy_touch (a, "heart", "lung_right"));
  g_assert_true (mt_anatomy_touch (a, "aorta", "heart"));
  g_assert_true (mt_anatomy_touch (a, "airway", "lung_left"));
  g_assert_false (mt_anatomy_touch (a, "heart", "kidney_left"));
  g_assert_false (mt_anatomy_touch (a, "lung_left", "lung_right"));
  const MtAnatomyNode *heart = &g_array_index (a->nodes, MtAnatomyNode, mt_anatomy_find (a, "heart"));
  const MtAnatomyNode *liver = &g_array_index (a->nodes, MtAnatomyNode, mt_anatomy_find (a, "liver"));
  /* Heart to the patient's left (+x in LPS), liver to the right and below. */
  g_assert_cmpfloat (heart->centroid[0], >, 0);
  g_assert_cmpfloat (liver->centroid[0], <, 0);
  g_assert_cmpfloat (liver->centroid[2], <, heart->centroid[2]);
  /* Volumes are the voxels' own. */
  gsize voxels = 0, n = mt_volume_n_voxels (p->labels);
  for (gsize i = 0; i < n; i++)
    voxels += lroundf (p->labels->data[i]) == MT_LABEL_HEART;
  double ml = voxels * p->labels->spacing[0] * p->labels->spacing[1] * p->labels->spacing[2] / 1000;
  g_assert_cmpfloat (fabs (heart->volume_ml - ml), <, 1e-6);
  g_assert_cmpint (heart->kind, ==, MT_ORGAN_HEART);
  g_assert_cmpuint (heart->n_ports, ==, 3);
  g_assert_cmpstr (heart->ports[0].name, ==, "heart_rate");
  g_assert_cmpstr (heart->ports[2].name, ==, "ecg");
  g_assert_true (heart->ports[2].signal);
  g_test_message ("demo: %u organs, %u contacts; heart %.1f mL at (%.1f, %.1f, %.1f) mm", a->nodes->len,
                  a->edges->len, heart->volume_ml, heart->centroid[0], heart->centroid[1], heart->centroid[2]);
  /* The JSON names the same contacts. */
  g_autoptr (JsonNode) json = mt_anatomy_to_json (a);
  JsonArray *nodes = json_object_get_array_member (json_node_get_object (json), "nodes");
  g_assert_cmpuint (json_array_get_length (nodes), ==, a->nodes->len);
  /* A scan is no label map: refused, saying what to do. */
  g_assert_null (mt_anatomy_from_labels (p->ct, NULL, &error));
  g_assert_nonnull (strstr (error->message, "segment"));
}

/* The demo aorta's centreline against the tube the phantom painted (ten
 * points, radius 15 mm at the root to 10 mm). Judged on the descending
 * aorta (behind the heart, z from -90 to 60 mm): the phantom paints the arch's branch
 * vessels over the top of the arch, which thins it there, and the scan
 * cuts the tube's lower end. */
static void
test_aorta_centreline (void)
{
  static const double line[][3] = {
    { 5, -28, 50 }, { 0, -30, 90 }, { 6, -15, 110 }, { 18, 8, 112 }, { 22, 25, 98 },
    { 22, 30, 70 }, { 22, 32, 20 }, { 18, 36, -40 }, { 10, 40, -100 }, { 5, 42, -155 },
  };
  static const double radius[] = { 15, 15, 14, 13, 12.5, 12, 12, 11.5, 11, 10 };
  const int n = G_N_ELEMENTS (radius);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GPtrArray) branches = mt_centreline_from_labels (p->labels, MT_LABEL_AORTA, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_no_error (error);
  g_assert_cmpuint (branches->len, >=, 1);
  const MtCentrelineBranch *main_branch = branches->pdata[0];
  double off_sum = 0, off_max = 0, r_err = 0;
  guint points = 0;
  for (guint i = 0; i < main_branch->points->len / 3; i++)
    {
      const double *q = &g_array_index (main_branch->points, double, 3 * i);
      if (q[2] < -90 || q[2] > 60 || q[1] < 20)   /* behind the heart: the descending aorta */
        continue;
      points++;
      double best = INFINITY, best_r = 0;
      for (int s = 0; s + 1 < n; s++)
        {
          double d[3], w[3], dd = 0, dw = 0;
          for (int a = 0; a < 3; a++)
            {
              d[a] = line[s + 1][a] - line[s][a];
              w[a] = q[a] - line[s][a];
              dd += d[a] * d[a];
              dw += d[a] * w[a];
            }
          double t = CLAMP (dw / dd, 0, 1), dist = 0;
          for (int a = 0; a < 3; a++)
            dist += (w[a] - t * d[a]) * (w[a] - t * d[a]);
          dist = sqrt (dist);
          if (dist < best)
            {
              best = dist;
              best_r = radius[s] + t * (radius[s + 1] - radius[s]);
            }
        }
      off_sum += best;
      off_max = MAX (off_max, best);
      r_err += fabs (g_array_index (main_branch->radii, double, i) - best_r);
    }
  double true_length = 0;
  for (int s = 0; s + 1 < n; s++)
    true_length += sqrt ((line[s + 1][0] - line[s][0]) * (line[s + 1][0] - line[s][0])
                         + (line[s + 1][1] - line[s][1]) * (line[s + 1][1] - line[s][1])
                         + (line[s + 1][2] - line[s][2]) * (line[s + 1][2] - line[s][2]));
  double length = mt_centreline_length (main_branch);
  g_test_message ("aorta centreline in %.0f ms: %u branches; the main one %.1f mm long (the painted axis %.1f mm); "
                  "descending aorta: %u points %.2f mm from the true axis on average (largest %.2f), radius off by "
                  "%.2f mm on average", ms, branches->len, length, true_length, points, off_sum / points, off_max,
                  r_err / points);
  /* Root to end: the whole tube, within a radius of each end. */
  g_assert_cmpfloat (fabs (length - true_length), <, 30);
  g_assert_cmpuint (points, >, 40);
  /* Voxels of 1.4 x 1.4 x 3 mm: within a slice's thickness of the axis,
   * the radius within 3 mm. */
  g_assert_cmpfloat (off_sum / points, <, 2.5);
  g_assert_cmpfloat (off_max, <, 4);
  g_assert_cmpfloat (r_err / points, <, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/anatomy/demo", test_demo);
  g_test_add_func ("/pipeline/anatomy/aorta-centreline", test_aorta_centreline);
  return g_test_run ();
}
