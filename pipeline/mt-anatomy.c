/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The twin's anatomy as a graph: a node an organ (its place, its size, the
 * inputs it takes), an edge between organs that touch. */
#define G_LOG_DOMAIN "mt-anatomy"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-anatomy.h"
#include "mt-centreline.h"
#include "mt-volume.h"

static const MtPort heart_ports[] = {
  { "heart_rate", "beats/min", FALSE },
  { "contractility", "x resting", FALSE },
  { "ecg", "mV", TRUE },
};
static const MtPort lung_ports[] = {
  { "respiratory_rate", "breaths/min", FALSE },
  { "tidal_volume", "L", FALSE },
};
static const MtPort airway_ports[] = {
  { "airflow", "L/s", TRUE },
};
static const MtPort vessel_ports[] = {
  { "pressure", "mmHg", TRUE },
  { "flow", "mL/s", TRUE },
};
static const MtPort perfused_ports[] = {
  { "perfusion", "mL/min", FALSE },
};

static MtOrganKind
kind_of (const char *name)
{
  static const struct { const char *prefix; MtOrganKind kind; } known[] = {
    { "heart", MT_ORGAN_HEART },   { "lung", MT_ORGAN_LUNG },         { "airway", MT_ORGAN_AIRWAY },
    { "trachea", MT_ORGAN_AIRWAY }, { "aorta", MT_ORGAN_VESSEL },     { "vena", MT_ORGAN_VESSEL },
    { "artery", MT_ORGAN_VESSEL }, { "vein", MT_ORGAN_VESSEL },       { "vessel", MT_ORGAN_VESSEL },
    { "liver", MT_ORGAN_LIVER },   { "kidney", MT_ORGAN_KIDNEY },     { "skeleton", MT_ORGAN_SKELETON },
    { "bone", MT_ORGAN_SKELETON },
  };
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_has_prefix (name, known[i].prefix))
      return known[i].kind;
  return MT_ORGAN_OTHER;
}

const char *
mt_organ_kind_name (MtOrganKind kind)
{
  static const char *names[] = { N_("heart"), N_("lung"), N_("airway"), N_("vessel"),
                                 N_("liver"), N_("kidney"), N_("skeleton"), N_("other") };
  g_return_val_if_fail (kind <= MT_ORGAN_OTHER, "other");
  return names[kind];
}

static void
set_ports (MtAnatomyNode *n)
{
  switch (n->kind)
    {
    case MT_ORGAN_HEART: n->ports = heart_ports, n->n_ports = G_N_ELEMENTS (heart_ports); break;
    case MT_ORGAN_LUNG: n->ports = lung_ports, n->n_ports = G_N_ELEMENTS (lung_ports); break;
    case MT_ORGAN_AIRWAY: n->ports = airway_ports, n->n_ports = G_N_ELEMENTS (airway_ports); break;
    case MT_ORGAN_VESSEL: n->ports = vessel_ports, n->n_ports = G_N_ELEMENTS (vessel_ports); break;
    case MT_ORGAN_LIVER:
    case MT_ORGAN_KIDNEY: n->ports = perfused_ports, n->n_ports = G_N_ELEMENTS (perfused_ports); break;
    default: n->ports = NULL, n->n_ports = 0; break;
    }
}

MtAnatomy *
mt_anatomy_from_labels (const MtVolume *labels,
                        GHashTable     *names,
                        GError        **error)
{
  g_return_val_if_fail (labels != NULL, NULL);
  const int nx = labels->dims[0], ny = labels->dims[1], nz = labels->dims[2];
  /* Per label: voxels and the sum of their indices; per pair of labels,
   * the faces they share along each axis. */
  g_autofree guint64 *count = g_new0 (guint64, 65536);
  g_autofree double *sum = g_new0 (double, 3 * 65536);
  g_autoptr (GHashTable) faces = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gboolean scan = FALSE;
  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      for (int i = 0; i < nx; i++)
        {
          gsize o = mt_volume_offset (labels, i, j, k);
          float f = labels->data[o];
          long v = lroundf (f);
          /* A label map holds whole numbers from 0 up; a CT has air at
           * -1000. */
          if (fabsf (f - (float) v) > 1e-3f || v < 0)
            scan = TRUE;
          if (v <= 0 || v > 65535)
            continue;
          count[v]++;
          sum[3 * v] += i, sum[3 * v + 1] += j, sum[3 * v + 2] += k;
          const int at[3] = { i, j, k }, dims[3] = { nx, ny, nz };
          const gsize step[3] = { 1, (gsize) nx, (gsize) nx * ny };
          for (int a = 0; a < 3; a++)
            {
              if (at[a] + 1 >= dims[a])
                continue;
              long w = lroundf (labels->data[o + step[a]]);
              if (w <= 0 || w == v || w > 65535)
                continue;
              gint64 key = (gint64) MIN (v, w) << 16 | MAX (v, w);
              double *area = g_hash_table_lookup (faces, &key);
              if (area == NULL)
                {
                  area = g_new0 (double, 3);
                  g_hash_table_insert (faces, g_memdup2 (&key, sizeof key), area);
                }
              area[a] += 1;
            }
        }
  if (scan)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("This is a scan, not a label map: its values are not whole numbers from 0 up. Segment it "
                     "first (medtwin-cli segment SCAN --out LABELS.nii.gz)."));
      return NULL;
    }
  MtAnatomy *anatomy = g_new0 (MtAnatomy, 1);
  anatomy->nodes = g_array_new (FALSE, TRUE, sizeof (MtAnatomyNode));
  anatomy->edges = g_array_new (FALSE, TRUE, sizeof (MtAnatomyEdge));
  g_autofree int *node_of = g_new (int, 65536);
  const double voxel_ml = labels->spacing[0] * labels->spacing[1] * labels->spacing[2] / 1000;
  for (int v = 1; v < 65536; v++)
    {
      node_of[v] = -1;
      if (count[v] == 0)
        continue;
      MtAnatomyNode node = { 0 };
      const char *known = names ? g_hash_table_lookup (names, GINT_TO_POINTER (v)) : NULL;
      node.name = known ? g_strdup (known) : g_strdup_printf ("label_%d", v);
      node.label = v;
      node.kind = kind_of (node.name);
      set_ports (&node);
      node.volume_ml = count[v] * voxel_ml;
      double ijk[3] = { sum[3 * v] / count[v], sum[3 * v + 1] / count[v], sum[3 * v + 2] / count[v] };
      mt_volume_index_to_patient (labels, ijk, node.centroid);
      /* Tubes get their centreline tree, with radii. */
      if (node.kind == MT_ORGAN_VESSEL || node.kind == MT_ORGAN_AIRWAY)
        node.centreline = mt_centreline_from_labels (labels, v, NULL);
      node_of[v] = (int) anatomy->nodes->len;
      g_array_append_val (anatomy->nodes, node);
    }
  if (anatomy->nodes->len == 0)
    {
      mt_anatomy_free (anatomy);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The label map holds no segment (every voxel is 0)."));
      return NULL;
    }
  const double face_mm2[3] = { labels->spacing[1] * labels->spacing[2], labels->spacing[0] * labels->spacing[2],
                               labels->spacing[0] * labels->spacing[1] };
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, faces);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      gint64 k = *(gint64 *) key;
      const double *area = value;
      MtAnatomyEdge e = { (guint) node_of[k >> 16], (guint) node_of[k & 0xffff], 0 };
      for (int a = 0; a < 3; a++)
        e.contact_mm2 += area[a] * face_mm2[a];
      g_array_append_val (anatomy->edges, e);
    }
  return anatomy;
}

int
mt_anatomy_find (const MtAnatomy *anatomy,
                 const char      *name)
{
  for (guint i = 0; i < anatomy->nodes->len; i++)
    if (g_strcmp0 (g_array_index (anatomy->nodes, MtAnatomyNode, i).name, name) == 0)
      return (int) i;
  return -1;
}

gboolean
mt_anatomy_touch (const MtAnatomy *anatomy,
                  const char      *a,
                  const char      *b)
{
  int ia = mt_anatomy_find (anatomy, a), ib = mt_anatomy_find (anatomy, b);
  for (guint i = 0; ia >= 0 && ib >= 0 && i < anatomy->edges->len; i++)
    {
      const MtAnatomyEdge *e = &g_array_index (anatomy->edges, MtAnatomyEdge, i);
      if (((int) e->a == ia && (int) e->b == ib) || ((int) e->a == ib && (int) e->b == ia))
        return TRUE;
    }
  return FALSE;
}

JsonNode *
mt_anatomy_to_json (const MtAnatomy *anatomy)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < anatomy->nodes->len; i++)
    {
      const MtAnatomyNode *node = &g_array_index (anatomy->nodes, MtAnatomyNode, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, node->name);
      json_builder_set_member_name (b, "label");
      json_builder_add_int_value (b, node->label);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, mt_organ_kind_name (node->kind));
      json_builder_set_member_name (b, "centroid_mm");
      json_builder_begin_array (b);
      for (int a = 0; a < 3; a++)
        json_builder_add_double_value (b, round (node->centroid[a] * 100) / 100);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "volume_mL");
      json_builder_add_double_value (b, node->volume_ml);
      json_builder_set_member_name (b, "touches");
      json_builder_begin_array (b);
      for (guint e = 0; e < anatomy->edges->len; e++)
        {
          const MtAnatomyEdge *edge = &g_array_index (anatomy->edges, MtAnatomyEdge, e);
          if (edge->a == i || edge->b == i)
            json_builder_add_string_value (b, g_array_index (anatomy->nodes, MtAnatomyNode,
                                                             edge->a == i ? edge->b : edge->a).name);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "ports");
      json_builder_begin_array (b);
      for (guint p = 0; p < node->n_ports; p++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, node->ports[p].name);
          json_builder_set_member_name (b, "unit");
          json_builder_add_string_value (b, node->ports[p].unit);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, node->ports[p].signal ? "signal" : "number");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (node->centreline != NULL)
        {
          double total = 0;
          for (guint c = 0; c < node->centreline->len; c++)
            total += mt_centreline_length (node->centreline->pdata[c]);
          json_builder_set_member_name (b, "centreline");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "length_mm");
          json_builder_add_double_value (b, round (total * 10) / 10);
          json_builder_set_member_name (b, "branches");
          json_builder_begin_array (b);
          for (guint c = 0; c < node->centreline->len; c++)
            {
              const MtCentrelineBranch *br = node->centreline->pdata[c];
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "parent");
              json_builder_add_int_value (b, br->parent);
              json_builder_set_member_name (b, "length_mm");
              json_builder_add_double_value (b, round (mt_centreline_length (br) * 10) / 10);
              json_builder_set_member_name (b, "points_mm");
              json_builder_begin_array (b);
              for (guint k = 0; k < br->points->len / 3; k++)
                {
                  json_builder_begin_array (b);
                  for (int a = 0; a < 3; a++)
                    json_builder_add_double_value (b, round (g_array_index (br->points, double, 3 * k + a) * 100) / 100);
                  json_builder_end_array (b);
                }
              json_builder_end_array (b);
              json_builder_set_member_name (b, "radii_mm");
              json_builder_begin_array (b);
              for (guint k = 0; k < br->radii->len; k++)
                json_builder_add_double_value (b, round (g_array_index (br->radii, double, k) * 100) / 100);
              json_builder_end_array (b);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "edges");
  json_builder_begin_array (b);
  for (guint e = 0; e < anatomy->edges->len; e++)
    {
      const MtAnatomyEdge *edge = &g_array_index (anatomy->edges, MtAnatomyEdge, e);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "a");
      json_builder_add_string_value (b, g_array_index (anatomy->nodes, MtAnatomyNode, edge->a).name);
      json_builder_set_member_name (b, "b");
      json_builder_add_string_value (b, g_array_index (anatomy->nodes, MtAnatomyNode, edge->b).name);
      json_builder_set_member_name (b, "contact_mm2");
      json_builder_add_double_value (b, round (edge->contact_mm2 * 10) / 10);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
mt_anatomy_free (MtAnatomy *anatomy)
{
  if (anatomy == NULL)
    return;
  for (guint i = 0; i < anatomy->nodes->len; i++)
    {
      MtAnatomyNode *n = &g_array_index (anatomy->nodes, MtAnatomyNode, i);
      g_free (n->name);
      g_clear_pointer (&n->centreline, g_ptr_array_unref);
    }
  g_array_unref (anatomy->nodes);
  g_array_unref (anatomy->edges);
  g_free (anatomy);
}
