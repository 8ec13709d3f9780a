/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo patient's anatomy graph from its ground truth: the organs, where
 * they lie, their volumes, which touch, the inputs each takes; a scan
 * refused as a label map. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-anatomy.h"
#include "mt-phantom.h"
#include "mt-volume.h"

static void
test_demo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) p = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GHashTable) names = g_hash_table_new (NULL, NULL);
  for (int l = 1; l < MT_LABEL_COUNT; l++)
    g_hash_table_insert (names, GINT_TO_POINTER (l), (gpointer) mt_label_name (l));
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/anatomy/demo", test_demo);
  return g_test_run ();
}
