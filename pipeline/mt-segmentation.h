/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-reslice.h"
#include "mt-types.h"

G_BEGIN_DECLS

typedef enum
{
  MT_SEGMENT_ORGAN,
  MT_SEGMENT_TISSUE,
  MT_SEGMENT_FLUID,
  MT_SEGMENT_LESION,
  MT_SEGMENT_DEVICE,       /* the couch, implants, catheters */
  MT_SEGMENT_ANNOTATION,
  MT_SEGMENT_N_CATEGORIES,
} MtSegmentCategory;

/* One row of the segment table. value is what its voxels hold (1..65535). */
typedef struct
{
  guint16           value;
  char             *name;       /* "lung_left": for files and scripts */
  char             *label;      /* free text for people: TUMOR, NORMAL, BONE MARROW */
  MtSegmentCategory category;
  guint8            color[3];
  gboolean          visible;
  gboolean          locked;     /* painting leaves its voxels alone */
  guint8            fill;       /* opacity of its fill over slices (0: outline only) */
} MtSegment;

/* Segments of one scan: a label volume on its grid, one value per voxel
 * (8 bits while there are at most 255 segments, then 16), and the table
 * that names the values. Edits are undone from compact records of what
 * they changed (runs of voxels with their old value), never full copies. */
typedef struct _MtSegmentation MtSegmentation;

MtSegmentation  *mt_segmentation_new          (const MtVolume        *reference);
/* A copy of the labels and the segment table, without undo history: for a
 * worker to save while the user goes on painting. */
MtSegmentation  *mt_segmentation_copy         (MtSegmentation        *seg);
/* The names of a label map's values from a JSON object of name: value
 * (the demo's truth/labels.json); value to name. */
GHashTable      *mt_segmentation_read_names   (const char            *path,
                                               GError               **error);
/* A label map (NIfTI, say) on the reference's grid as a segmentation: a
 * segment per value found, named from names (value to name, may be NULL)
 * or "label N", its category from its name (mt_segment_category_from_name).
 * The map must have the grid's dimensions, spacing, origin and direction
 * (to 0.01 mm); NULL with an error otherwise. */
MtSegmentation  *mt_segmentation_from_labels  (const MtVolume        *reference,
                                               const MtVolume        *labels,
                                               GHashTable            *names,
                                               GError               **error);
MtSegmentation  *mt_segmentation_ref          (MtSegmentation        *seg);
void             mt_segmentation_unref        (MtSegmentation        *seg);
/* The scan the labels lie on (its grid: dimensions, spacing, origin,
 * direction). */
const MtVolume  *mt_segmentation_get_grid     (MtSegmentation        *seg);
gsize            mt_segmentation_n_voxels     (MtSegmentation        *seg);
/* Notes for the user on what a task could not find (NULL-terminated). */
void             mt_segmentation_add_note     (MtSegmentation        *seg,
                                               const char            *note);
const char * const *mt_segmentation_get_notes (MtSegmentation        *seg);
guint            mt_segmentation_bits         (MtSegmentation        *seg);

guint            mt_segmentation_n_segments   (MtSegmentation        *seg);
const MtSegment *mt_segmentation_get_segment  (MtSegmentation        *seg,
                                               guint                  index);
const MtSegment *mt_segmentation_find         (MtSegmentation        *seg,
                                               const char            *name);
/* The colour a segment of this value gets when none is given. */
void             mt_segment_default_color     (guint16                value,
                                               guint8                 rgb[3]);
/* A new segment; color NULL picks one from a palette. Returns its value,
 * 0 if a segment of that name exists or there is no value left. */
guint16          mt_segmentation_add_segment  (MtSegmentation        *seg,
                                               const char            *name,
                                               MtSegmentCategory      category,
                                               const guint8          *color);
/* Hidden segments are left out of the overlays and the surfaces. */
void             mt_segmentation_set_visible  (MtSegmentation        *seg,
                                               guint16                value,
                                               gboolean               visible);
void             mt_segmentation_set_locked   (MtSegmentation        *seg,
                                               guint16                value,
                                               gboolean               locked);
/* How opaque its fill is over the slices (0: the outline alone, for a
 * segment as large as the body). */
void             mt_segmentation_set_fill     (MtSegmentation        *seg,
                                               guint16                value,
                                               guint8                 fill);
void             mt_segmentation_set_label    (MtSegmentation        *seg,
                                               guint16                value,
                                               const char            *label);

guint16          mt_segmentation_get          (MtSegmentation        *seg,
                                               gsize                  offset);
/* Every voxel where mask is not 0 gets value (0 erases), except voxels of
 * locked segments; one undo step. Returns how many voxels changed. */
gsize            mt_segmentation_paint        (MtSegmentation        *seg,
                                               const guint8          *mask,
                                               guint16                value);
/* The brush: the voxels within radius_mm of
 * center (patient mm), a ball, or with a plane a disc one voxel thick in it.
 * Locked segments stay. With continue_stroke, the change joins the last
 * undo step if it wrote the same value (one drag, one undo). Returns how
 * many voxels changed. */
gsize            mt_segmentation_paint_ball   (MtSegmentation        *seg,
                                               const double           center[3],
                                               double                 radius_mm,
                                               const MtObliquePlane  *plane,
                                               guint16                value,
                                               gboolean               continue_stroke);
/* The eraser: the same, taking only the voxels of segment value back to 0. */
gsize            mt_segmentation_erase_ball   (MtSegmentation        *seg,
                                               const double           center[3],
                                               double                 radius_mm,
                                               const MtObliquePlane  *plane,
                                               guint16                value,
                                               gboolean               continue_stroke);
/* Grows the segment by margin_mm (over unlocked voxels), or shrinks it
 * (margin_mm < 0), with a ball in millimetres; one undo step. Returns how
 * many voxels changed. */
gsize            mt_segmentation_margin       (MtSegmentation        *seg,
                                               guint16                value,
                                               double                 margin_mm);
/* Whole-segment edits, each one undo step over unlocked voxels; each
 * returns how many voxels changed. In a label map a voxel holds one
 * segment, so of the logical operations between two segments only the
 * union is not trivial: merge moves every voxel of `from` into `into`. */
gsize            mt_segmentation_merge        (MtSegmentation        *seg,
                                               guint16                into,
                                               guint16                from);
/* Intersects the segment with a value range of the scan (HU on CT): its
 * voxels outside [low, high] are cleared. */
gsize            mt_segmentation_keep_range   (MtSegmentation        *seg,
                                               guint16                value,
                                               const MtVolume        *scan,
                                               double                 low,
                                               double                 high);
/* Clears the segment's pieces smaller than min_ml; with min_ml <= 0 keeps
 * only its largest piece. */
gsize            mt_segmentation_islands      (MtSegmentation        *seg,
                                               guint16                value,
                                               double                 min_ml);
/* Opening (an erosion then a dilation: thin bridges and spurs go) or
 * closing (a dilation then an erosion: gaps and notches fill) of the
 * segment by a ball of radius_mm. */
gsize            mt_segmentation_open_close   (MtSegmentation        *seg,
                                               guint16                value,
                                               double                 radius_mm,
                                               gboolean               close);
/* What the segment encloses in 3D becomes it. */
gsize            mt_segmentation_fill_holes   (MtSegmentation        *seg,
                                               guint16                value);
/* Fills the unlabelled voxels between painted slices across axis (2:
 * axial): each missing slice takes the shape that morphs between the two
 * painted around it (the sign of their distance maps, weighted by
 * nearness), as slice-by-slice outlining tools do. */
gsize            mt_segmentation_interpolate  (MtSegmentation        *seg,
                                               guint16                value,
                                               int                    axis);
/* Scissors through the whole depth of a 3D view: clears the voxels of the
 * segment (0: of every unlocked segment) whose centre the row-major 4x4
 * to_screen (patient mm to clip space) puts inside the polygon (screen
 * x, y in [-1, 1], n_points pairs), or outside it when inside is FALSE. */
gsize            mt_segmentation_scissors     (MtSegmentation        *seg,
                                               guint16                value,
                                               const double           to_screen[16],
                                               const double          *polygon,
                                               int                    n_points,
                                               gboolean               inside);
/* Threshold presets for CT, in HU (inclusive): air, lung, fat,
 * soft-tissue, fluid, blood, contrast-blood, bone, metal. */
typedef struct
{
  const char *name;
  const char *label;     /* for people, translatable (N_) */
  double      low, high;
} MtThresholdPreset;

const MtThresholdPreset *mt_threshold_presets       (guint                 *n);
const MtThresholdPreset *mt_threshold_preset_lookup (const char            *name);
/* Paints the scan's voxels within [low, high] into the segment (over
 * unlocked voxels; within `inside` only when it is not NULL), one undo
 * step. Returns how many voxels changed. */
gsize            mt_segmentation_threshold    (MtSegmentation        *seg,
                                               guint16                value,
                                               const MtVolume        *scan,
                                               double                 low,
                                               double                 high,
                                               const guint8          *inside);
/* The voxels of one segment as a mask (1 inside). */
guint8          *mt_segmentation_mask         (MtSegmentation        *seg,
                                               guint16                value);
gsize            mt_segmentation_count        (MtSegmentation        *seg,
                                               guint16                value);
gboolean         mt_segmentation_undo         (MtSegmentation        *seg);
gboolean         mt_segmentation_redo         (MtSegmentation        *seg);
/* Bytes the undo and redo records hold. */
gsize            mt_segmentation_history_bytes (MtSegmentation       *seg);
/* Forgets every undo and redo step (after reading a file, say). */
void             mt_segmentation_clear_history (MtSegmentation       *seg);
/* The labels as a float volume on the grid (for NIfTI and the like). */
MtVolume        *mt_segmentation_to_volume    (MtSegmentation        *seg);

/* The labels of a standard view's slice (row 0 at the top), and the
 * nearest labels on an oblique plane's grid. */
guint16         *mt_segmentation_extract_slice   (MtSegmentation       *seg,
                                                  const MtSliceLayout  *layout,
                                                  int                   slice);
guint16         *mt_segmentation_extract_oblique (MtSegmentation       *seg,
                                                  const MtObliquePlane *plane,
                                                  double                pixel_mm,
                                                  int                   width,
                                                  int                   height);
/* RGBA over them: each segment's colour, its fill and a strong outline;
 * hidden segments and 0 clear. */
guint8          *mt_segmentation_colorize        (MtSegmentation       *seg,
                                                  const guint16        *labels,
                                                  int                   width,
                                                  int                   height);
/* One segment's figures on the scan it lies on. */
typedef struct
{
  guint16 value;
  gsize   voxels;
  double  volume_ml;
  double  mean, sd;         /* of the scan's values (HU for CT) */
  double  lo[3], hi[3];     /* bounding box, patient mm (LPS), voxel centres */
  double  longest_mm;       /* longest diameter in one axial slice (RECIST);
                             * lesions only, else 0 */
} MtSegmentStats;

/* The figures of every segment (GArray of MtSegmentStats, in table order). */
GArray          *mt_segmentation_statistics      (MtSegmentation       *seg,
                                                  const MtVolume       *scan);
/* The same as CSV, a header line first. */
char            *mt_segmentation_statistics_csv  (MtSegmentation       *seg,
                                                  const MtVolume       *scan);
/* Surfaces (GPtrArray of MtSurface) of the visible organs, lesions and
 * fluids, in their colours; those over a litre see-through. */
GPtrArray       *mt_segmentation_surfaces        (MtSegmentation       *seg,
                                                  GCancellable         *cancellable);
const char      *mt_segment_category_name     (MtSegmentCategory      category);
/* A segment's kind and colour from its name (liver: an organ, brown; body:
 * tissue; nodule: a lesion, yellow...); a name not known is an organ in
 * the colour of its value. */
MtSegmentCategory mt_segment_category_from_name (const char            *name);
void             mt_segment_color_for_name    (const char            *name,
                                               guint16                value,
                                               guint8                 rgb[3]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtSegmentation, mt_segmentation_unref)

G_END_DECLS
