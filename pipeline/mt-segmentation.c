/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segmentation"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include <math.h>
#include <string.h>

#include "mt-mask.h"
#include "mt-mesh.h"
#include "mt-reslice.h"
#include "mt-segmentation.h"
#include "mt-volume.h"

/* Consecutive voxels an edit changed that held the same old value. */
typedef struct
{
  gsize   start;
  guint32 length;
  guint16 old;
} Run;

/* One edit: the value it wrote and what it overwrote. */
typedef struct
{
  guint16 value;
  GArray *runs;
} Edit;

struct _MtSegmentation
{
  gatomicrefcount ref;
  MtVolume       *grid;       /* the scan whose grid the labels share */
  gsize           n;
  guint8         *l8;         /* one of the two holds the labels */
  guint16        *l16;
  GPtrArray      *segments;
  GPtrArray      *undo;       /* of Edit, newest last */
  GPtrArray      *redo;
  GPtrArray      *notes;      /* of char *: what the tasks could not find */
};

static void
edit_free (Edit *e)
{
  g_array_unref (e->runs);
  g_free (e);
}

static void
segment_free (MtSegment *s)
{
  g_free (s->name);
  g_free (s->label);
  g_free (s);
}

MtSegmentation *
mt_segmentation_new (const MtVolume *reference)
{
  MtSegmentation *seg = g_new0 (MtSegmentation, 1);
  g_atomic_ref_count_init (&seg->ref);
  seg->grid = mt_volume_ref ((MtVolume *) reference);
  seg->n = mt_volume_n_voxels (reference);
  seg->l8 = g_new0 (guint8, seg->n);
  seg->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
  seg->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
  seg->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
  seg->notes = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  return seg;
}

MtSegmentation *
mt_segmentation_copy (MtSegmentation *seg)
{
  MtSegmentation *copy = mt_segmentation_new (seg->grid);
  if (seg->l16 != NULL)
    {
      g_clear_pointer (&copy->l8, g_free);
      copy->l16 = g_memdup2 (seg->l16, seg->n * sizeof (guint16));
    }
  else
    memcpy (copy->l8, seg->l8, seg->n);
  for (guint i = 0; i < seg->segments->len; i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      MtSegment *d = g_memdup2 (s, sizeof *s);
      d->name = g_strdup (s->name);
      d->label = g_strdup (s->label);
      g_ptr_array_add (copy->segments, d);
    }
  for (guint i = 0; i < seg->notes->len; i++)
    mt_segmentation_add_note (copy, seg->notes->pdata[i]);
  return copy;
}

GHashTable *
mt_segmentation_read_names (const char *path,
                            GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the label names should be a JSON object of name: value, as {\"liver\": 9}."), path);
      return NULL;
    }
  GHashTable *names = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  JsonObject *object = json_node_get_object (root);
  g_autoptr (GList) members = json_object_get_members (object);
  for (GList *m = members; m != NULL; m = m->next)
    {
      JsonNode *node = json_object_get_member (object, m->data);
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        {
          gint64 v = json_node_get_int (node);
          if (v > 0 && v < 65536)
            g_hash_table_insert (names, GUINT_TO_POINTER ((guint) v), g_strdup (m->data));
        }
    }
  return names;
}

/* What a label map's segment is and how it looks, from its name (the
 * first word found in it, in this order): the body, the skeleton and
 * tissues are the volume rendering's to show, a couch is a device, fluids,
 * lesions and MedTwin's own annotations (painted, grown) as named; organs
 * in the colours MedTwin's own segmentation gives them (and for the rest,
 * colours near those anatomy atlases use). */
static const struct
{
  const char       *word;
  MtSegmentCategory category;
  guint8            rgb[3];
} named_kinds[] = {
  { "annotation", MT_SEGMENT_ANNOTATION, { 0 } }, { "grown", MT_SEGMENT_ANNOTATION, { 0 } },
  { "body", MT_SEGMENT_TISSUE, { 222, 184, 160 } }, { "skin", MT_SEGMENT_TISSUE, { 222, 184, 160 } },
  { "skeleton", MT_SEGMENT_TISSUE, { 241, 214, 145 } }, { "bone", MT_SEGMENT_TISSUE, { 241, 214, 145 } },
  { "fat", MT_SEGMENT_TISSUE, { 230, 220, 70 } },   { "muscle", MT_SEGMENT_TISSUE, { 192, 104, 88 } },
  { "tissue", MT_SEGMENT_TISSUE, { 0 } },           { "couch", MT_SEGMENT_DEVICE, { 120, 120, 140 } },
  { "table", MT_SEGMENT_DEVICE, { 120, 120, 140 } }, { "fluid", MT_SEGMENT_FLUID, { 80, 200, 220 } },
  { "effusion", MT_SEGMENT_FLUID, { 80, 200, 220 } }, { "ascites", MT_SEGMENT_FLUID, { 80, 200, 220 } },
  { "nodule", MT_SEGMENT_LESION, { 255, 220, 0 } }, { "tumor", MT_SEGMENT_LESION, { 255, 220, 0 } },
  { "tumour", MT_SEGMENT_LESION, { 255, 220, 0 } }, { "lesion", MT_SEGMENT_LESION, { 255, 220, 0 } },
  { "mass", MT_SEGMENT_LESION, { 255, 220, 0 } },   { "metasta", MT_SEGMENT_LESION, { 255, 220, 0 } },
  { "lung_left", MT_SEGMENT_ORGAN, { 140, 190, 240 } }, { "lung_right", MT_SEGMENT_ORGAN, { 100, 160, 230 } },
  { "lung", MT_SEGMENT_ORGAN, { 120, 175, 235 } },  { "airway", MT_SEGMENT_ORGAN, { 200, 230, 255 } },
  { "trachea", MT_SEGMENT_ORGAN, { 200, 230, 255 } }, { "bronch", MT_SEGMENT_ORGAN, { 200, 230, 255 } },
  { "liver", MT_SEGMENT_ORGAN, { 221, 130, 101 } }, { "kidney", MT_SEGMENT_ORGAN, { 185, 102, 83 } },
  { "heart", MT_SEGMENT_ORGAN, { 206, 110, 84 } },  { "aorta", MT_SEGMENT_ORGAN, { 224, 97, 76 } },
  { "arter", MT_SEGMENT_ORGAN, { 216, 101, 79 } },  { "vena", MT_SEGMENT_ORGAN, { 0, 151, 206 } },
  { "vein", MT_SEGMENT_ORGAN, { 0, 151, 206 } },    { "spleen", MT_SEGMENT_ORGAN, { 157, 108, 162 } },
  { "pancreas", MT_SEGMENT_ORGAN, { 249, 180, 111 } }, { "stomach", MT_SEGMENT_ORGAN, { 216, 132, 105 } },
  { "gallbladder", MT_SEGMENT_ORGAN, { 139, 150, 98 } }, { "bladder", MT_SEGMENT_ORGAN, { 222, 154, 132 } },
  { "colon", MT_SEGMENT_ORGAN, { 204, 168, 143 } }, { "intestin", MT_SEGMENT_ORGAN, { 204, 168, 143 } },
  { "duoden", MT_SEGMENT_ORGAN, { 204, 168, 143 } }, { "esophag", MT_SEGMENT_ORGAN, { 211, 171, 143 } },
  { "brain", MT_SEGMENT_ORGAN, { 250, 250, 225 } }, { "rib", MT_SEGMENT_ORGAN, { 241, 214, 145 } },
  { "vertebra", MT_SEGMENT_ORGAN, { 241, 214, 145 } },
};

static int
named_kind (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  for (guint i = 0; i < G_N_ELEMENTS (named_kinds); i++)
    if (strstr (lower, named_kinds[i].word) != NULL)
      return (int) i;
  return -1;
}

/* Anything not in the table (an unnamed label among them) is an organ,
 * with its surface in 3D. */
MtSegmentCategory
mt_segment_category_from_name (const char *name)
{
  int k = named_kind (name);
  return k >= 0 ? named_kinds[k].category : MT_SEGMENT_ORGAN;
}

void
mt_segment_color_for_name (const char *name,
                           guint16     value,
                           guint8      rgb[3])
{
  int k = named_kind (name);
  if (k >= 0 && (named_kinds[k].rgb[0] | named_kinds[k].rgb[1] | named_kinds[k].rgb[2]) != 0)
    memcpy (rgb, named_kinds[k].rgb, 3);
  else
    mt_segment_default_color (value, rgb);
}

MtSegmentation *
mt_segmentation_from_labels (const MtVolume *reference,
                             const MtVolume *labels,
                             GHashTable     *names,
                             GError        **error)
{
  for (int a = 0; a < 3; a++)
    {
      gboolean same = labels->dims[a] == reference->dims[a]
                      && fabs (labels->spacing[a] - reference->spacing[a]) < 1e-3
                      && fabs (labels->origin[a] - reference->origin[a]) < 1e-2;
      for (int b = 0; b < 3; b++)
        same = same && fabs (labels->direction[3 * a + b] - reference->direction[3 * a + b]) < 1e-4;
      if (!same)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The label map is not on this scan's grid (%d x %d x %d voxels of %.4g x %.4g x %.4g mm "
                         "here): resample it onto the scan first."),
                       reference->dims[0], reference->dims[1], reference->dims[2], reference->spacing[0],
                       reference->spacing[1], reference->spacing[2]);
          return NULL;
        }
    }
  gsize n = mt_volume_n_voxels (reference);
  g_autofree guint8 *seen = g_new0 (guint8, 65536);
  for (gsize i = 0; i < n; i++)
    {
      float v = labels->data[i];
      if (v != 0 && (v < 0 || v > 65535 || v != floorf (v)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The label map holds %g, which is no label (whole numbers from 1 to 65535)."), v);
          return NULL;
        }
      seen[(guint) v] = 1;
    }
  MtSegmentation *seg = mt_segmentation_new (reference);
  g_autofree guint8 *mask = g_new (guint8, n);
  for (guint v = 1; v < 65536; v++)
    {
      if (!seen[v])
        continue;
      const char *known = names ? g_hash_table_lookup (names, GUINT_TO_POINTER (v)) : NULL;
      g_autofree char *name = known ? g_strdup (known) : g_strdup_printf ("label %u", v);
      guint8 rgb[3];
      mt_segment_color_for_name (name, (guint16) v, rgb);
      guint16 value = mt_segmentation_add_segment (seg, name, mt_segment_category_from_name (name), rgb);
      if (value == 0)
        continue;
      for (gsize i = 0; i < n; i++)
        mask[i] = labels->data[i] == (float) v;
      mt_segmentation_paint (seg, mask, value);
    }
  mt_segmentation_clear_history (seg);
  return seg;
}

MtSegmentation *
mt_segmentation_ref (MtSegmentation *seg)
{
  g_atomic_ref_count_inc (&seg->ref);
  return seg;
}

void
mt_segmentation_unref (MtSegmentation *seg)
{
  if (seg == NULL || !g_atomic_ref_count_dec (&seg->ref))
    return;
  mt_volume_unref (seg->grid);
  g_free (seg->l8);
  g_free (seg->l16);
  g_ptr_array_unref (seg->segments);
  g_ptr_array_unref (seg->undo);
  g_ptr_array_unref (seg->redo);
  g_ptr_array_unref (seg->notes);
  g_free (seg);
}

const MtVolume *
mt_segmentation_get_grid (MtSegmentation *seg)
{
  return seg->grid;
}

gsize
mt_segmentation_n_voxels (MtSegmentation *seg)
{
  return seg->n;
}

void
mt_segmentation_add_note (MtSegmentation *seg,
                          const char     *note)
{
  g_return_if_fail (note != NULL);
  g_ptr_array_add (seg->notes, g_strdup (note));
}

const char * const *
mt_segmentation_get_notes (MtSegmentation *seg)
{
  static const char *const none[] = { NULL };
  /* An empty array may not have allocated its terminator yet. */
  return seg->notes->pdata != NULL ? (const char * const *) seg->notes->pdata : none;
}

guint
mt_segmentation_bits (MtSegmentation *seg)
{
  return seg->l16 ? 16 : 8;
}

guint
mt_segmentation_n_segments (MtSegmentation *seg)
{
  return seg->segments->len;
}

const MtSegment *
mt_segmentation_get_segment (MtSegmentation *seg,
                             guint           index)
{
  g_return_val_if_fail (index < seg->segments->len, NULL);
  return seg->segments->pdata[index];
}

const MtSegment *
mt_segmentation_find (MtSegmentation *seg,
                      const char     *name)
{
  for (guint i = 0; i < seg->segments->len; i++)
    if (g_strcmp0 (((MtSegment *) seg->segments->pdata[i])->name, name) == 0)
      return seg->segments->pdata[i];
  return NULL;
}

static MtSegment *
by_value (MtSegmentation *seg, guint16 value)
{
  for (guint i = 0; i < seg->segments->len; i++)
    if (((MtSegment *) seg->segments->pdata[i])->value == value)
      return seg->segments->pdata[i];
  return NULL;
}

guint16
mt_segmentation_add_segment (MtSegmentation   *seg,
                             const char       *name,
                             MtSegmentCategory category,
                             const guint8     *color)
{
  g_return_val_if_fail (name != NULL && category < MT_SEGMENT_N_CATEGORIES, 0);
  if (mt_segmentation_find (seg, name) != NULL)
    return 0;
  guint16 value = 0;
  for (guint i = 0; i < seg->segments->len; i++)
    value = MAX (value, ((MtSegment *) seg->segments->pdata[i])->value);
  if (value == G_MAXUINT16)
    return 0;
  value++;
  /* The 256th segment needs 16 bits: widen once, keeping every voxel. */
  if (value > 255 && seg->l16 == NULL)
    {
      seg->l16 = g_new (guint16, seg->n);
      for (gsize i = 0; i < seg->n; i++)
        seg->l16[i] = seg->l8[i];
      g_clear_pointer (&seg->l8, g_free);
    }
  MtSegment *s = g_new0 (MtSegment, 1);
  s->value = value;
  s->name = g_strdup (name);
  s->category = category;
  if (color != NULL)
    memcpy (s->color, color, 3);
  else
    mt_segment_default_color (value, s->color);
  s->visible = TRUE;
  s->fill = 90;
  g_ptr_array_add (seg->segments, s);
  return value;
}

void
mt_segment_default_color (guint16 value,
                          guint8  rgb[3])
{
  /* Okabe and Ito's colours, told apart with any colour vision. */
  static const guint8 palette[][3] = { { 230, 159, 0 }, { 86, 180, 233 }, { 0, 158, 115 }, { 240, 228, 66 },
                                       { 0, 114, 178 }, { 213, 94, 0 },   { 204, 121, 167 }, { 150, 150, 150 } };
  memcpy (rgb, palette[(MAX (value, 1) - 1) % G_N_ELEMENTS (palette)], 3);
}

void
mt_segmentation_set_visible (MtSegmentation *seg,
                             guint16         value,
                             gboolean        visible)
{
  MtSegment *s = by_value (seg, value);
  if (s != NULL)
    s->visible = visible;
}

void
mt_segmentation_set_locked (MtSegmentation *seg,
                            guint16         value,
                            gboolean        locked)
{
  MtSegment *s = by_value (seg, value);
  if (s != NULL)
    s->locked = locked;
}

void
mt_segmentation_set_fill (MtSegmentation *seg,
                          guint16         value,
                          guint8          fill)
{
  MtSegment *s = by_value (seg, value);
  if (s != NULL)
    s->fill = fill;
}

void
mt_segmentation_set_label (MtSegmentation *seg,
                           guint16         value,
                           const char     *label)
{
  MtSegment *s = by_value (seg, value);
  if (s == NULL)
    return;
  g_free (s->label);
  s->label = g_strdup (label);
}

guint16
mt_segmentation_get (MtSegmentation *seg,
                     gsize           offset)
{
  return seg->l16 ? seg->l16[offset] : seg->l8[offset];
}

static inline void
put (MtSegmentation *seg, gsize i, guint16 v)
{
  if (seg->l16)
    seg->l16[i] = v;
  else
    seg->l8[i] = (guint8) v;
}

/* Writes value over the runs' voxels (redo) or their old values (undo). */
static void
apply_edit (MtSegmentation *seg, const Edit *e, gboolean forward)
{
  for (guint r = 0; r < e->runs->len; r++)
    {
      const Run *run = &g_array_index (e->runs, Run, r);
      for (gsize i = run->start; i < run->start + run->length; i++)
        put (seg, i, forward ? e->value : run->old);
    }
}

/* Which values painting `value` must leave alone, as a table by value
 * rather than a walk through the list for every voxel. */
static guint8 *
locked_table (MtSegmentation *seg, guint16 value)
{
  guint8 *locked = g_new0 (guint8, (gsize) G_MAXUINT16 + 1);
  for (guint i = 0; i < seg->segments->len; i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      locked[s->value] = s->locked && s->value != value;
    }
  return locked;
}

gsize
mt_segmentation_paint (MtSegmentation *seg,
                       const guint8   *mask,
                       guint16         value)
{
  g_autofree guint8 *locked = locked_table (seg, value);
  Edit *e = g_new0 (Edit, 1);
  e->value = value;
  e->runs = g_array_new (FALSE, FALSE, sizeof (Run));
  gsize changed = 0;
  Run run = { 0, 0, 0 };
  for (gsize i = 0; i < seg->n; i++)
    {
      guint16 old = mt_segmentation_get (seg, i);
      gboolean change = mask[i] && old != value && !locked[old];
      if (change)
        {
          if (run.length > 0 && run.start + run.length == i && run.old == old && run.length < G_MAXUINT32)
            run.length++;
          else
            {
              if (run.length > 0)
                g_array_append_val (e->runs, run);
              run = (Run) { i, 1, old };
            }
          put (seg, i, value);
          changed++;
        }
    }
  if (run.length > 0)
    g_array_append_val (e->runs, run);
  if (changed == 0)
    {
      edit_free (e);
      return 0;
    }
  g_ptr_array_add (seg->undo, e);
  g_ptr_array_set_size (seg->redo, 0);
  return changed;
}

static gsize
paint_ball (MtSegmentation *seg, const double center[3], double radius_mm, const MtObliquePlane *plane,
            guint16 value, gint only, gboolean continue_stroke)
{
  const MtVolume *g = seg->grid;
  double c[3], n[3] = { 0, 0, 0 }, half = 0;
  mt_volume_patient_to_index (g, center, c);
  if (plane != NULL)
    {
      mt_oblique_plane_normal (plane, n);
      /* A disc one voxel thick: the slice the brush is drawn on. */
      half = 0.5 * MIN (g->spacing[0], MIN (g->spacing[1], g->spacing[2]));
      for (int a = 0; a < 3; a++)
        half = MAX (half, 0.5 * fabs (n[0] * g->direction[a] + n[1] * g->direction[3 + a]
                                      + n[2] * g->direction[6 + a]) * g->spacing[a]);
    }
  int lo[3], hi[3];
  for (int a = 0; a < 3; a++)
    {
      int reach = (int) ceil (radius_mm / g->spacing[a]) + 1;
      lo[a] = MAX (0, (int) floor (c[a]) - reach);
      hi[a] = MIN (g->dims[a] - 1, (int) ceil (c[a]) + reach);
    }
  g_autofree guint8 *locked = locked_table (seg, value);
  /* One stroke, one undo step: the dabs of a drag go into the same edit. */
  Edit *e = NULL;
  gboolean appended = continue_stroke && seg->undo->len > 0
                      && ((Edit *) seg->undo->pdata[seg->undo->len - 1])->value == value;
  if (appended)
    e = seg->undo->pdata[seg->undo->len - 1];
  else
    {
      e = g_new0 (Edit, 1);
      e->value = value;
      e->runs = g_array_new (FALSE, FALSE, sizeof (Run));
    }
  gsize changed = 0;
  for (int k = lo[2]; k <= hi[2]; k++)
    for (int j = lo[1]; j <= hi[1]; j++)
      {
        Run run = { 0, 0, 0 };
        for (int i = lo[0]; i <= hi[0]; i++)
          {
            double ijk[3] = { i, j, k }, p[3], d2 = 0, along = 0;
            mt_volume_index_to_patient (g, ijk, p);
            for (int a = 0; a < 3; a++)
              {
                d2 += (p[a] - center[a]) * (p[a] - center[a]);
                along += (p[a] - center[a]) * n[a];
              }
            gsize o = mt_volume_offset (g, i, j, k);
            guint16 old = mt_segmentation_get (seg, o);
            gboolean change = d2 <= radius_mm * radius_mm && (plane == NULL || fabs (along) <= half) && old != value
                              && !locked[old] && (only < 0 || old == only);
            if (change)
              {
                if (run.length > 0 && run.start + run.length == o && run.old == old)
                  run.length++;
                else
                  {
                    if (run.length > 0)
                      g_array_append_val (e->runs, run);
                    run = (Run) { o, 1, old };
                  }
                put (seg, o, value);
                changed++;
              }
          }
        if (run.length > 0)
          g_array_append_val (e->runs, run);
      }
  if (!appended)
    {
      if (changed == 0)
        edit_free (e);
      else
        {
          g_ptr_array_add (seg->undo, e);
          g_ptr_array_set_size (seg->redo, 0);
        }
    }
  else if (changed > 0)
    g_ptr_array_set_size (seg->redo, 0);
  return changed;
}

gsize
mt_segmentation_paint_ball (MtSegmentation       *seg,
                            const double          center[3],
                            double                radius_mm,
                            const MtObliquePlane *plane,
                            guint16               value,
                            gboolean              continue_stroke)
{
  return paint_ball (seg, center, radius_mm, plane, value, -1, continue_stroke);
}

gsize
mt_segmentation_erase_ball (MtSegmentation       *seg,
                            const double          center[3],
                            double                radius_mm,
                            const MtObliquePlane *plane,
                            guint16               value,
                            gboolean              continue_stroke)
{
  return paint_ball (seg, center, radius_mm, plane, 0, value, continue_stroke);
}

gboolean
mt_segmentation_undo (MtSegmentation *seg)
{
  if (seg->undo->len == 0)
    return FALSE;
  Edit *e = g_ptr_array_steal_index (seg->undo, seg->undo->len - 1);
  apply_edit (seg, e, FALSE);
  g_ptr_array_add (seg->redo, e);
  return TRUE;
}

gboolean
mt_segmentation_redo (MtSegmentation *seg)
{
  if (seg->redo->len == 0)
    return FALSE;
  Edit *e = g_ptr_array_steal_index (seg->redo, seg->redo->len - 1);
  apply_edit (seg, e, TRUE);
  g_ptr_array_add (seg->undo, e);
  return TRUE;
}

void
mt_segmentation_clear_history (MtSegmentation *seg)
{
  g_ptr_array_set_size (seg->undo, 0);
  g_ptr_array_set_size (seg->redo, 0);
}

gsize
mt_segmentation_history_bytes (MtSegmentation *seg)
{
  gsize bytes = 0;
  GPtrArray *lists[2] = { seg->undo, seg->redo };
  for (int l = 0; l < 2; l++)
    for (guint i = 0; i < lists[l]->len; i++)
      bytes += sizeof (Edit) + ((Edit *) lists[l]->pdata[i])->runs->len * sizeof (Run);
  return bytes;
}

guint8 *
mt_segmentation_mask (MtSegmentation *seg,
                      guint16         value)
{
  guint8 *mask = g_new (guint8, seg->n);
  for (gsize i = 0; i < seg->n; i++)
    mask[i] = mt_segmentation_get (seg, i) == value;
  return mask;
}

gsize
mt_segmentation_count (MtSegmentation *seg,
                       guint16         value)
{
  gsize count = 0;
  for (gsize i = 0; i < seg->n; i++)
    count += mt_segmentation_get (seg, i) == value;
  return count;
}

MtVolume *
mt_segmentation_to_volume (MtSegmentation *seg)
{
  const MtVolume *g = seg->grid;
  MtVolume *v = mt_volume_new (g->dims[0], g->dims[1], g->dims[2], NULL);
  if (v == NULL)
    return NULL;
  mt_volume_copy_geometry (v, g);
  for (gsize i = 0; i < seg->n; i++)
    v->data[i] = mt_segmentation_get (seg, i);
  return v;
}

const char *
mt_segment_category_name (MtSegmentCategory category)
{
  static const char *names[MT_SEGMENT_N_CATEGORIES] = { "organ", "tissue", "fluid", "lesion", "device",
                                                         "annotation" };
  g_return_val_if_fail (category < MT_SEGMENT_N_CATEGORIES, NULL);
  return names[category];
}

guint16 *
mt_segmentation_extract_slice (MtSegmentation      *seg,
                               const MtSliceLayout *layout,
                               int                  slice)
{
  guint16 *out = g_new (guint16, (gsize) layout->width * layout->height);
  for (int v = 0; v < layout->height; v++)
    for (int u = 0; u < layout->width; u++)
      {
        int ijk[3];
        mt_slice_layout_voxel (layout, u, v, slice, ijk);
        out[(gsize) v * layout->width + u] = mt_segmentation_get (seg, mt_volume_offset (seg->grid, ijk[0], ijk[1],
                                                                                          ijk[2]));
      }
  return out;
}

guint16 *
mt_segmentation_extract_oblique (MtSegmentation       *seg,
                                 const MtObliquePlane *plane,
                                 double                pixel_mm,
                                 int                   width,
                                 int                   height)
{
  const MtVolume *g = seg->grid;
  guint16 *out = g_new0 (guint16, (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double p[3], idx[3];
        mt_oblique_point (plane, pixel_mm, width, height, x + 0.5, y + 0.5, p);
        mt_volume_patient_to_index (g, p, idx);
        int i = (int) lround (idx[0]), j = (int) lround (idx[1]), k = (int) lround (idx[2]);
        if (i >= 0 && j >= 0 && k >= 0 && i < g->dims[0] && j < g->dims[1] && k < g->dims[2])
          out[(gsize) y * width + x] = mt_segmentation_get (seg, mt_volume_offset (g, i, j, k));
      }
  return out;
}

guint8 *
mt_segmentation_colorize (MtSegmentation *seg,
                          const guint16  *labels,
                          int             width,
                          int             height)
{
  /* Colour and visibility by value, looked up once. */
  g_autofree guint8 *rgb = g_new0 (guint8, 3 * ((gsize) G_MAXUINT16 + 1));
  g_autofree guint8 *shown = g_new0 (guint8, (gsize) G_MAXUINT16 + 1);
  g_autofree guint8 *fill = g_new0 (guint8, (gsize) G_MAXUINT16 + 1);
  for (guint i = 0; i < seg->segments->len; i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      memcpy (rgb + 3 * s->value, s->color, 3);
      shown[s->value] = s->visible;
      fill[s->value] = s->fill;
    }
  guint8 *out = g_new0 (guint8, (gsize) width * height * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gsize o = (gsize) y * width + x;
        guint16 l = labels[o];
        if (l == 0 || !shown[l])
          continue;
        /* The outline: a pixel whose neighbour holds another label. */
        gboolean edge = (x > 0 && labels[o - 1] != l) || (x + 1 < width && labels[o + 1] != l)
                        || (y > 0 && labels[o - width] != l) || (y + 1 < height && labels[o + width] != l);
        memcpy (out + 4 * o, rgb + 3 * l, 3);
        out[4 * o + 3] = edge ? 230 : fill[l];
      }
  return out;
}

/* The longest distance between two voxels of the segment within one axial
 * slice (through their centres, plus one voxel: a diameter measured edge to
 * edge, as a radiologist's calipers do). Only border voxels can be ends. */
static double
longest_axial (MtSegmentation *seg, guint16 value)
{
  const MtVolume *g = seg->grid;
  const int nx = g->dims[0], ny = g->dims[1], nz = g->dims[2];
  double best = 0;
  gboolean any = FALSE;
  g_autoptr (GArray) pts = g_array_new (FALSE, FALSE, sizeof (double));
  for (int k = 0; k < nz; k++)
    {
      g_array_set_size (pts, 0);
      for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
          {
            gsize o = mt_volume_offset (g, i, j, k);
            if (mt_segmentation_get (seg, o) != value)
              continue;
            gboolean border = i == 0 || j == 0 || i == nx - 1 || j == ny - 1 || mt_segmentation_get (seg, o - 1) != value
                              || mt_segmentation_get (seg, o + 1) != value
                              || mt_segmentation_get (seg, o - nx) != value
                              || mt_segmentation_get (seg, o + nx) != value;
            if (!border)
              continue;
            double ijk[3] = { i, j, k }, p[3];
            mt_volume_index_to_patient (g, ijk, p);
            g_array_append_vals (pts, p, 3);
          }
      const double *q = (const double *) pts->data;
      guint n = pts->len / 3;
      for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++)
          {
            double d2 = 0;
            for (int c = 0; c < 3; c++)
              d2 += (q[3 * a + c] - q[3 * b + c]) * (q[3 * a + c] - q[3 * b + c]);
            best = MAX (best, d2);
          }
      any |= n > 0;
    }
  /* Centre to centre, plus a voxel's width: edge to edge. */
  return any ? sqrt (best) + MIN (g->spacing[0], g->spacing[1]) : 0;
}

GArray *
mt_segmentation_statistics (MtSegmentation *seg,
                            const MtVolume *scan)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (MtSegmentStats));
  g_autofree gint *index = g_new (gint, (gsize) G_MAXUINT16 + 1);
  for (gsize v = 0; v <= G_MAXUINT16; v++)
    index[v] = -1;
  for (guint i = 0; i < seg->segments->len; i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      MtSegmentStats st = { .value = s->value };
      for (int a = 0; a < 3; a++)
        {
          st.lo[a] = G_MAXDOUBLE;
          st.hi[a] = -G_MAXDOUBLE;
        }
      g_array_append_val (out, st);
      index[s->value] = (gint) i;
    }
  g_autofree double *sum = g_new0 (double, out->len), *sum2 = g_new0 (double, out->len);
  const MtVolume *g = seg->grid;
  const int nx = g->dims[0], ny = g->dims[1];
  for (gsize o = 0; o < seg->n; o++)
    {
      gint i = index[mt_segmentation_get (seg, o)];
      if (i < 0)
        continue;
      MtSegmentStats *st = &g_array_index (out, MtSegmentStats, i);
      double x = scan->data[o];
      st->voxels++;
      sum[i] += x;
      sum2[i] += x * x;
      double ijk[3] = { (double) (o % nx), (double) ((o / nx) % ny), (double) (o / ((gsize) nx * ny)) }, p[3];
      mt_volume_index_to_patient (g, ijk, p);
      for (int a = 0; a < 3; a++)
        {
          st->lo[a] = MIN (st->lo[a], p[a]);
          st->hi[a] = MAX (st->hi[a], p[a]);
        }
    }
  double voxel_ml = g->spacing[0] * g->spacing[1] * g->spacing[2] / 1000.0;
  for (guint i = 0; i < out->len; i++)
    {
      MtSegmentStats *st = &g_array_index (out, MtSegmentStats, i);
      const MtSegment *s = seg->segments->pdata[i];
      st->volume_ml = st->voxels * voxel_ml;
      if (st->voxels > 0)
        {
          st->mean = sum[i] / st->voxels;
          st->sd = st->voxels > 1 ? sqrt (MAX (0.0, (sum2[i] - sum[i] * sum[i] / st->voxels) / (st->voxels - 1))) : 0;
        }
      else
        for (int a = 0; a < 3; a++)
          st->lo[a] = st->hi[a] = 0;
      if (s->category == MT_SEGMENT_LESION && st->voxels > 0)
        st->longest_mm = longest_axial (seg, s->value);
    }
  return out;
}

char *
mt_segmentation_statistics_csv (MtSegmentation *seg,
                                const MtVolume *scan)
{
  g_autoptr (GArray) stats = mt_segmentation_statistics (seg, scan);
  GString *csv = g_string_new ("name,label,category,voxels,volume_mL,mean,sd,"
                               "min_x_mm,min_y_mm,min_z_mm,max_x_mm,max_y_mm,max_z_mm,longest_diameter_mm,text\n");
  for (guint i = 0; i < stats->len; i++)
    {
      const MtSegmentStats *st = &g_array_index (stats, MtSegmentStats, i);
      const MtSegment *s = seg->segments->pdata[i];
      char buf[16][G_ASCII_DTOSTR_BUF_SIZE];
      const double v[] = { st->volume_ml, st->mean, st->sd, st->lo[0], st->lo[1], st->lo[2],
                           st->hi[0], st->hi[1], st->hi[2], st->longest_mm };
      g_string_append_printf (csv, "%s,%u,%s,%zu", s->name, s->value, mt_segment_category_name (s->category),
                              st->voxels);
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        g_string_append_printf (csv, ",%s", g_ascii_formatd (buf[k], sizeof buf[k], "%.3f", v[k]));
      /* Free text goes in quotes, its own quotes doubled. */
      g_autofree char *text = s->label ? g_strdup (s->label) : g_strdup ("");
      g_auto (GStrv) parts = g_strsplit (text, "\"", -1);
      g_autofree char *escaped = g_strjoinv ("\"\"", parts);
      g_string_append_printf (csv, ",\"%s\"\n", escaped);
    }
  return g_string_free (csv, FALSE);
}

GPtrArray *
mt_segmentation_surfaces (MtSegmentation *seg,
                          GCancellable   *cancellable)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  g_autoptr (MtVolume) labels = mt_segmentation_to_volume (seg);
  if (labels == NULL)
    return out;
  const MtVolume *g = seg->grid;
  double voxel_ml = g->spacing[0] * g->spacing[1] * g->spacing[2] / 1000.0;
  for (guint i = 0; i < seg->segments->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      /* Organs, lesions and fluids; the body, the couch and tissues such as
       * bone are the volume rendering's to show. */
      if (!s->visible || (s->category != MT_SEGMENT_ORGAN && s->category != MT_SEGMENT_LESION
                          && s->category != MT_SEGMENT_FLUID))
        continue;
      g_autoptr (MtMesh) mesh = mt_mesh_from_segment (labels, s->value, NULL);
      if (mesh == NULL)
        continue;
      /* Large organs see-through, so what lies inside them shows. */
      double ml = mt_segmentation_count (seg, s->value) * voxel_ml;
      const float rgba[4] = { s->color[0] / 255.0f, s->color[1] / 255.0f, s->color[2] / 255.0f,
                              ml > 1000 ? 0.35f : 1.0f };
      g_ptr_array_add (out, mt_surface_new (mesh, s->name, rgba));
    }
  return out;
}

gsize
mt_segmentation_margin (MtSegmentation *seg,
                        guint16         value,
                        double          margin_mm)
{
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  if (margin_mm > 0)
    {
      /* Grown over whatever is not locked, as a safety margin should. */
      mt_mask_dilate (mask, seg->grid, margin_mm);
      return mt_segmentation_paint (seg, mask, value);
    }
  g_autofree guint8 *kept = g_memdup2 (mask, seg->n);
  mt_mask_erode (kept, seg->grid, -margin_mm);
  for (gsize i = 0; i < seg->n; i++)
    mask[i] = mask[i] && !kept[i];
  return mt_segmentation_paint (seg, mask, 0);
}
