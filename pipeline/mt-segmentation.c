/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segmentation"

#include "config.h"

#include <math.h>
#include <string.h>

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
  static const guint8 palette[][3] = { { 230, 159, 0 }, { 86, 180, 233 }, { 0, 158, 115 }, { 240, 228, 66 },
                                       { 0, 114, 178 }, { 213, 94, 0 },   { 204, 121, 167 }, { 150, 150, 150 } };
  MtSegment *s = g_new0 (MtSegment, 1);
  s->value = value;
  s->name = g_strdup (name);
  s->category = category;
  memcpy (s->color, color ? color : palette[(value - 1) % G_N_ELEMENTS (palette)], 3);
  s->visible = TRUE;
  s->fill = 90;
  g_ptr_array_add (seg->segments, s);
  return value;
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

gsize
mt_segmentation_paint (MtSegmentation *seg,
                       const guint8   *mask,
                       guint16         value)
{
  /* Locked values, looked up in a table rather than the list per voxel. */
  g_autofree guint8 *locked = g_new0 (guint8, (gsize) G_MAXUINT16 + 1);
  for (guint i = 0; i < seg->segments->len; i++)
    {
      const MtSegment *s = seg->segments->pdata[i];
      locked[s->value] = s->locked && s->value != value;
    }
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
