/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-viewer"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-animation.h"
#include "mt-measurement.h"
#include "mt-mesh.h"
#include "mt-segmentation.h"
#include "mt-transform.h"
#include "mt-viewer.h"
#include "mt-volume.h"

struct _MtViewer
{
  GObject        parent_instance;
  MtVolume      *volume;
  guint          serial;
  MtVolume      *second;
  guint          second_serial;
  MtVolume      *fused;           /* the second scan on the first's grid, aligned */
  guint          fused_serial;
  MtTransform   *fused_transform; /* first-scan patient mm to second-scan mm */
  MtFusionMode   fusion_mode;
  double         blend;
  double         fused_center, fused_width;
  int            cursor[3];
  double         center, width;
  MtRenderPreset preset;
  MtSlabMode     slab_mode;
  double         slab_mm;
  MtViewAxis     oblique_view;    /* the view whose crosshair lines are turned */
  double         oblique_degrees; /* counter-clockwise on that view's screen */
  MtTool         tool;
  GPtrArray     *surfaces;        /* of MtSurface, shown in 3D with the first scan */
  MtClip         clip;            /* the 3D view's cut along a view's plane */
  MtSegmentation *segmentation;   /* of the first scan; NULL: none yet */
  guint          segmentation_serial;
  guint16        active_segment;
  double         brush_mm;
  gboolean       brush_sphere;
  gboolean       clip_box_on;
  double         clip_box[6];
  gboolean       surfaces_on;
  MtTfPoint     *tf_points;       /* an edited transfer function; NULL: the preset's */
  int            n_tf_points;
  GPtrArray     *measurements;    /* of MtMeasurement, on the first scan */
  MtAnimation   *animation;       /* the living twin's motion of the surfaces; NULL: still */
  gboolean       contours;        /* the moving surfaces' outlines in the slice views */
  gboolean       playing;         /* the animation runs on by itself */
};

G_DEFINE_FINAL_TYPE (MtViewer, mt_viewer, G_TYPE_OBJECT)

enum
{
  VOLUME_CHANGED,
  CURSOR_CHANGED,
  WINDOW_CHANGED,
  PRESET_CHANGED,
  SECOND_CHANGED,
  OBLIQUE_CHANGED,
  TOOL_CHANGED,
  MEASUREMENTS_CHANGED,
  SURFACES_CHANGED,
  CLIP_CHANGED,
  SEGMENTATION_CHANGED,
  FUSION_CHANGED,
  ANIMATION_CHANGED,
  ANIMATION_MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
mt_viewer_finalize (GObject *object)
{
  MtViewer *self = MT_VIEWER (object);
  g_clear_pointer (&self->volume, mt_volume_unref);
  g_clear_pointer (&self->second, mt_volume_unref);
  g_clear_pointer (&self->fused, mt_volume_unref);
  g_clear_pointer (&self->fused_transform, mt_transform_free);
  g_clear_pointer (&self->measurements, g_ptr_array_unref);
  g_clear_pointer (&self->tf_points, g_free);
  g_clear_pointer (&self->surfaces, g_ptr_array_unref);
  g_clear_pointer (&self->segmentation, mt_segmentation_unref);
  g_clear_pointer (&self->animation, mt_animation_free);
  G_OBJECT_CLASS (mt_viewer_parent_class)->finalize (object);
}

static void
mt_viewer_class_init (MtViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = mt_viewer_finalize;
  for (int s = 0; s < N_SIGNALS; s++)
    {
      static const char *names[N_SIGNALS] = { "volume-changed", "cursor-changed", "window-changed",
                                              "preset-changed", "second-changed",
                                              "oblique-changed", "tool-changed", "measurements-changed",
                                              "surfaces-changed", "clip-changed",
                                              "segmentation-changed", "fusion-changed",
                                              "animation-changed", "animation-moved" };
      /* "measurements-changed" says whether the user changed them (TRUE) or
       * a scan or its stored list came in (FALSE). */
      if (s == MEASUREMENTS_CHANGED)
        signals[s] = g_signal_new (names[s], G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
      else
        signals[s] = g_signal_new (names[s], G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
    }
}

static void
mt_viewer_init (MtViewer *self)
{
  self->center = 40;
  self->width = 400;
  self->preset = MT_PRESET_CT_BONE;
  self->slab_mm = 10.0;
  self->measurements = mt_measurements_new_list ();
  self->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  self->surfaces_on = TRUE;
  self->brush_mm = 5.0;
}

MtViewer *
mt_viewer_new (void)
{
  return g_object_new (MT_TYPE_VIEWER, NULL);
}

MtVolume *
mt_viewer_get_volume (MtViewer *viewer)
{
  g_return_val_if_fail (MT_IS_VIEWER (viewer), NULL);
  return viewer->volume;
}

guint
mt_viewer_get_serial (MtViewer *viewer)
{
  return viewer->serial;
}

void
mt_viewer_set_volume (MtViewer *viewer,
                      MtVolume *volume)
{
  g_return_if_fail (MT_IS_VIEWER (viewer));
  g_clear_pointer (&viewer->volume, mt_volume_unref);
  viewer->volume = volume ? mt_volume_ref (volume) : NULL;
  viewer->serial++;
  /* A new first scan ends any comparison with the old one. */
  if (viewer->second != NULL)
    mt_viewer_set_second (viewer, NULL);
  viewer->oblique_view = MT_VIEW_AXIAL;
  viewer->oblique_degrees = 0;
  /* Measurements belong to a scan: the window loads the new one's. An
   * edited transfer function was made for the old scan's values. */
  g_ptr_array_set_size (viewer->measurements, 0);
  g_clear_pointer (&viewer->tf_points, g_free);
  g_ptr_array_set_size (viewer->surfaces, 0);
  /* A crop box belongs to the old scan's space; a cut follows the crosshair. */
  viewer->clip_box_on = FALSE;
  g_clear_pointer (&viewer->segmentation, mt_segmentation_unref);
  viewer->segmentation_serial++;
  if (volume)
    {
      for (int a = 0; a < 3; a++)
        viewer->cursor[a] = volume->dims[a] / 2;
      /* The file's own window for anything but CT; CT opens on soft tissue. */
      gboolean ct = g_strcmp0 (volume->modality, "CT") == 0;
      if (!ct && volume->window_width > 0)
        {
          viewer->center = volume->window_center;
          viewer->width = volume->window_width;
        }
      else if (!ct)
        mt_volume_auto_window (volume, &viewer->center, &viewer->width);
      else
        {
          viewer->center = 40;
          viewer->width = 400;
        }
    }
  g_signal_emit (viewer, signals[VOLUME_CHANGED], 0);
  g_signal_emit (viewer, signals[OBLIQUE_CHANGED], 0);
  g_signal_emit (viewer, signals[MEASUREMENTS_CHANGED], 0, FALSE);
  g_signal_emit (viewer, signals[SURFACES_CHANGED], 0);
  g_signal_emit (viewer, signals[CLIP_CHANGED], 0);
  g_signal_emit (viewer, signals[SEGMENTATION_CHANGED], 0);
  g_signal_emit (viewer, signals[WINDOW_CHANGED], 0);
  g_signal_emit (viewer, signals[CURSOR_CHANGED], 0);
}

void
mt_viewer_get_cursor (MtViewer *viewer,
                      int       ijk[3])
{
  for (int a = 0; a < 3; a++)
    ijk[a] = viewer->cursor[a];
}

void
mt_viewer_set_cursor (MtViewer  *viewer,
                      const int  ijk[3])
{
  if (viewer->volume == NULL)
    return;
  gboolean changed = FALSE;
  for (int a = 0; a < 3; a++)
    {
      int v = CLAMP (ijk[a], 0, viewer->volume->dims[a] - 1);
      changed |= v != viewer->cursor[a];
      viewer->cursor[a] = v;
    }
  if (changed)
    g_signal_emit (viewer, signals[CURSOR_CHANGED], 0);
}

void
mt_viewer_get_window (MtViewer *viewer,
                      double   *center,
                      double   *width)
{
  *center = viewer->center;
  *width = viewer->width;
}

void
mt_viewer_set_window (MtViewer *viewer,
                      double    center,
                      double    width)
{
  viewer->center = center;
  viewer->width = MAX (width, 1.0);
  g_signal_emit (viewer, signals[WINDOW_CHANGED], 0);
}

MtVolume *
mt_viewer_get_second (MtViewer *viewer)
{
  return viewer->second;
}

guint
mt_viewer_get_second_serial (MtViewer *viewer)
{
  return viewer->second_serial;
}

void
mt_viewer_set_second (MtViewer *viewer,
                      MtVolume *volume)
{
  g_clear_pointer (&viewer->second, mt_volume_unref);
  viewer->second = volume ? mt_volume_ref (volume) : NULL;
  viewer->second_serial++;
  /* An alignment belongs to the scan it was made for. */
  if (viewer->fused != NULL)
    mt_viewer_set_fused (viewer, NULL, NULL);
  g_signal_emit (viewer, signals[SECOND_CHANGED], 0);
  g_signal_emit (viewer, signals[CURSOR_CHANGED], 0);
}

void
mt_viewer_get_cursor_in (MtViewer       *viewer,
                         const MtVolume *volume,
                         int             ijk[3])
{
  if (volume == viewer->volume || viewer->volume == NULL)
    {
      mt_viewer_get_cursor (viewer, ijk);
      return;
    }
  double p[3], idx[3], c[3] = { viewer->cursor[0], viewer->cursor[1], viewer->cursor[2] };
  mt_volume_index_to_patient (viewer->volume, c, p);
  mt_volume_patient_to_index (volume, p, idx);
  for (int a = 0; a < 3; a++)
    ijk[a] = CLAMP ((int) lround (idx[a]), 0, volume->dims[a] - 1);
}

void
mt_viewer_set_cursor_from (MtViewer       *viewer,
                           const MtVolume *volume,
                           const int       ijk[3])
{
  if (volume == viewer->volume || viewer->volume == NULL)
    {
      mt_viewer_set_cursor (viewer, ijk);
      return;
    }
  double p[3], idx[3], c[3] = { ijk[0], ijk[1], ijk[2] };
  mt_volume_index_to_patient (volume, c, p);
  mt_volume_patient_to_index (viewer->volume, p, idx);
  int out[3];
  for (int a = 0; a < 3; a++)
    out[a] = (int) lround (idx[a]);
  mt_viewer_set_cursor (viewer, out);
}

void
mt_viewer_get_slab (MtViewer   *viewer,
                    MtSlabMode *mode,
                    double     *thickness_mm)
{
  *mode = viewer->slab_mode;
  *thickness_mm = viewer->slab_mm;
}

void
mt_viewer_set_slab (MtViewer  *viewer,
                    MtSlabMode mode,
                    double     thickness_mm)
{
  viewer->slab_mode = mode;
  viewer->slab_mm = MAX (thickness_mm, 0.0);
  /* The views redraw what they show, as for a new window. */
  g_signal_emit (viewer, signals[WINDOW_CHANGED], 0);
}

MtRenderPreset
mt_viewer_get_preset (MtViewer *viewer)
{
  return viewer->preset;
}

void
mt_viewer_set_preset (MtViewer      *viewer,
                      MtRenderPreset preset)
{
  viewer->preset = preset;
  g_clear_pointer (&viewer->tf_points, g_free);
  g_signal_emit (viewer, signals[PRESET_CHANGED], 0);
}

void
mt_viewer_get_oblique (MtViewer   *viewer,
                       MtViewAxis *view,
                       double     *degrees)
{
  *view = viewer->oblique_view;
  *degrees = viewer->oblique_degrees;
}

void
mt_viewer_set_oblique (MtViewer  *viewer,
                       MtViewAxis view,
                       double     degrees)
{
  g_return_if_fail (MT_IS_VIEWER (viewer));
  g_return_if_fail (view <= MT_VIEW_SAGITTAL);
  /* Kept in (-180, 180]; a line turned by 180 degrees is the same line, but
   * the screen-edge letters of the turned views are not. */
  degrees = fmod (degrees, 360.0);
  if (degrees > 180)
    degrees -= 360;
  else if (degrees <= -180)
    degrees += 360;
  if (fabs (degrees) < 1e-9)
    degrees = 0;
  if (view == viewer->oblique_view && degrees == viewer->oblique_degrees)
    return;
  viewer->oblique_view = view;
  viewer->oblique_degrees = degrees;
  g_signal_emit (viewer, signals[OBLIQUE_CHANGED], 0);
}

gboolean
mt_viewer_get_plane (MtViewer       *viewer,
                     const MtVolume *volume,
                     MtViewAxis      view,
                     MtObliquePlane *plane)
{
  int ijk[3];
  mt_viewer_get_cursor_in (viewer, volume, ijk);
  double c[3] = { ijk[0], ijk[1], ijk[2] }, lps[3];
  mt_volume_index_to_patient (volume, c, lps);
  gboolean turned = viewer->oblique_degrees != 0 && view != viewer->oblique_view;
  MtSliceLayout layout;
  mt_slice_layout_init (&layout, volume, view);
  mt_slice_layout_plane (&layout, volume, lps, plane);
  if (turned)
    {
      /* Lines turned counter-clockwise on the oblique view's screen turn
       * the other planes the other way about its normal (screen x, y, z =
       * right, down, into is right-handed, so positive turns clockwise). */
      MtObliquePlane o;
      double axis[3];
      mt_slice_layout_init (&layout, volume, viewer->oblique_view);
      mt_slice_layout_plane (&layout, volume, lps, &o);
      mt_oblique_plane_normal (&o, axis);
      mt_oblique_plane_turn (plane, axis, -viewer->oblique_degrees);
    }
  return turned;
}

MtTool
mt_viewer_get_tool (MtViewer *viewer)
{
  return viewer->tool;
}

void
mt_viewer_set_tool (MtViewer *viewer,
                    MtTool    tool)
{
  g_return_if_fail (tool < MT_TOOL_N);
  if (tool == viewer->tool)
    return;
  viewer->tool = tool;
  g_signal_emit (viewer, signals[TOOL_CHANGED], 0);
}

GPtrArray *
mt_viewer_get_measurements (MtViewer *viewer)
{
  return viewer->measurements;
}

void
mt_viewer_add_measurement (MtViewer      *viewer,
                           MtMeasurement *m)
{
  g_return_if_fail (viewer->volume != NULL);
  /* A region with no voxels keeps its area; its statistics say "none". */
  mt_measurement_update (m, viewer->volume, NULL);
  g_ptr_array_add (viewer->measurements, m);
  g_signal_emit (viewer, signals[MEASUREMENTS_CHANGED], 0, TRUE);
}

void
mt_viewer_remove_measurement (MtViewer *viewer,
                              guint     index)
{
  g_return_if_fail (index < viewer->measurements->len);
  g_ptr_array_remove_index (viewer->measurements, index);
  g_signal_emit (viewer, signals[MEASUREMENTS_CHANGED], 0, TRUE);
}

void
mt_viewer_clear_measurements (MtViewer *viewer)
{
  if (viewer->measurements->len == 0)
    return;
  g_ptr_array_set_size (viewer->measurements, 0);
  g_signal_emit (viewer, signals[MEASUREMENTS_CHANGED], 0, TRUE);
}

void
mt_viewer_set_measurements (MtViewer  *viewer,
                            GPtrArray *list)
{
  g_ptr_array_set_size (viewer->measurements, 0);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      MtMeasurement *m = mt_measurement_copy (list->pdata[i]);
      if (viewer->volume != NULL)
        mt_measurement_update (m, viewer->volume, NULL);
      g_ptr_array_add (viewer->measurements, m);
    }
  g_signal_emit (viewer, signals[MEASUREMENTS_CHANGED], 0, FALSE);
}

const MtTfPoint *
mt_viewer_get_transfer_points (MtViewer *viewer,
                               int      *n)
{
  *n = viewer->tf_points ? viewer->n_tf_points : 0;
  return viewer->tf_points;
}

void
mt_viewer_set_transfer_points (MtViewer        *viewer,
                               const MtTfPoint *points,
                               int              n)
{
  g_clear_pointer (&viewer->tf_points, g_free);
  if (points != NULL && n >= 2)
    {
      viewer->tf_points = g_memdup2 (points, sizeof (MtTfPoint) * n);
      viewer->n_tf_points = n;
    }
  g_signal_emit (viewer, signals[PRESET_CHANGED], 0);
}

MtAnimation *
mt_viewer_get_animation (MtViewer *viewer)
{
  return viewer->animation;
}

void
mt_viewer_set_animation (MtViewer    *viewer,
                         MtAnimation *animation)
{
  if (animation != viewer->animation)
    g_clear_pointer (&viewer->animation, mt_animation_free);
  viewer->animation = animation;
  g_signal_emit (viewer, signals[ANIMATION_CHANGED], 0);
}

void
mt_viewer_animation_moved (MtViewer *viewer)
{
  g_signal_emit (viewer, signals[ANIMATION_MOVED], 0);
}

gboolean
mt_viewer_get_animation_playing (MtViewer *viewer)
{
  return viewer->playing;
}

void
mt_viewer_set_animation_playing (MtViewer *viewer,
                                 gboolean  playing)
{
  viewer->playing = playing;
  g_signal_emit (viewer, signals[ANIMATION_MOVED], 0);
}

gboolean
mt_viewer_get_contours (MtViewer *viewer)
{
  return viewer->contours;
}

void
mt_viewer_set_contours (MtViewer *viewer,
                        gboolean  on)
{
  viewer->contours = on;
  g_signal_emit (viewer, signals[ANIMATION_MOVED], 0);
}

GPtrArray *
mt_viewer_get_surfaces (MtViewer *viewer)
{
  return viewer->surfaces;
}

void
mt_viewer_add_surface (MtViewer  *viewer,
                       MtSurface *surface)
{
  g_ptr_array_add (viewer->surfaces, surface);
  g_signal_emit (viewer, signals[SURFACES_CHANGED], 0);
}

void
mt_viewer_clear_surfaces (MtViewer *viewer)
{
  g_ptr_array_set_size (viewer->surfaces, 0);
  g_signal_emit (viewer, signals[SURFACES_CHANGED], 0);
}

gboolean
mt_viewer_get_surfaces_shown (MtViewer *viewer)
{
  return viewer->surfaces_on;
}

void
mt_viewer_set_surfaces_shown (MtViewer *viewer,
                              gboolean  shown)
{
  if (viewer->surfaces_on == shown)
    return;
  viewer->surfaces_on = shown;
  g_signal_emit (viewer, signals[SURFACES_CHANGED], 0);
}

MtClip
mt_viewer_get_clip (MtViewer *viewer)
{
  return viewer->clip;
}

void
mt_viewer_set_clip (MtViewer *viewer,
                    MtClip    clip)
{
  g_return_if_fail (clip < MT_CLIP_N);
  viewer->clip = clip;
  g_signal_emit (viewer, signals[CLIP_CHANGED], 0);
}

gboolean
mt_viewer_get_clip_plane (MtViewer *viewer,
                          double    plane[4])
{
  /* The plane of the view the cut follows, through the crosshair (turned
   * with it when oblique); its normal points into that view's screen, the
   * side a plain cut removes. */
  static const MtViewAxis view_of[MT_CLIP_N] = { 0, MT_VIEW_AXIAL, MT_VIEW_AXIAL, MT_VIEW_CORONAL, MT_VIEW_CORONAL,
                                                 MT_VIEW_SAGITTAL, MT_VIEW_SAGITTAL };
  static const double sign_of[MT_CLIP_N] = { 0, 1, -1, 1, -1, 1, -1 };
  for (int i = 0; i < 4; i++)
    plane[i] = 0;
  if (viewer->clip == MT_CLIP_NONE || viewer->volume == NULL)
    return FALSE;
  MtObliquePlane p;
  double n[3];
  mt_viewer_get_plane (viewer, viewer->volume, view_of[viewer->clip], &p);
  mt_oblique_plane_normal (&p, n);
  for (int i = 0; i < 3; i++)
    plane[i] = sign_of[viewer->clip] * n[i];
  plane[3] = -(plane[0] * p.center[0] + plane[1] * p.center[1] + plane[2] * p.center[2]);
  return TRUE;
}

gboolean
mt_viewer_get_clip_box (MtViewer *viewer,
                        double    box[6])
{
  memcpy (box, viewer->clip_box, sizeof viewer->clip_box);
  return viewer->clip_box_on;
}

void
mt_viewer_set_clip_box (MtViewer     *viewer,
                        const double *box)
{
  viewer->clip_box_on = box != NULL;
  if (box != NULL)
    for (int a = 0; a < 3; a++)
      {
        viewer->clip_box[2 * a] = MIN (box[2 * a], box[2 * a + 1]);
        viewer->clip_box[2 * a + 1] = MAX (box[2 * a], box[2 * a + 1]);
      }
  g_signal_emit (viewer, signals[CLIP_CHANGED], 0);
}

MtSegmentation *
mt_viewer_get_segmentation (MtViewer *viewer,
                            guint    *serial)
{
  if (serial != NULL)
    *serial = viewer->segmentation_serial;
  return viewer->segmentation;
}

void
mt_viewer_set_segmentation (MtViewer       *viewer,
                            MtSegmentation *segmentation)
{
  g_clear_pointer (&viewer->segmentation, mt_segmentation_unref);
  viewer->segmentation = segmentation ? mt_segmentation_ref (segmentation) : NULL;
  viewer->segmentation_serial++;
  g_signal_emit (viewer, signals[SEGMENTATION_CHANGED], 0);
}

void
mt_viewer_segmentation_edited (MtViewer *viewer)
{
  viewer->segmentation_serial++;
  g_signal_emit (viewer, signals[SEGMENTATION_CHANGED], 0);
}

guint16
mt_viewer_get_active_segment (MtViewer *viewer)
{
  if (viewer->volume == NULL)
    return 0;
  if (viewer->segmentation == NULL)
    {
      g_autoptr (MtSegmentation) seg = mt_segmentation_new (viewer->volume);
      mt_viewer_set_segmentation (viewer, seg);
    }
  for (guint i = 0; i < mt_segmentation_n_segments (viewer->segmentation); i++)
    if (mt_segmentation_get_segment (viewer->segmentation, i)->value == viewer->active_segment)
      return viewer->active_segment;
  const MtSegment *found = mt_segmentation_find (viewer->segmentation, "annotation");
  viewer->active_segment = found ? found->value
                                 : mt_segmentation_add_segment (viewer->segmentation, "annotation",
                                                                MT_SEGMENT_ANNOTATION,
                                                                (const guint8[3]) { 255, 90, 200 });
  return viewer->active_segment;
}

void
mt_viewer_set_active_segment (MtViewer *viewer,
                              guint16   value)
{
  viewer->active_segment = value;
}

gboolean
mt_viewer_get_brush_sphere (MtViewer *viewer)
{
  return viewer->brush_sphere;
}

void
mt_viewer_set_brush_sphere (MtViewer *viewer,
                            gboolean  sphere)
{
  viewer->brush_sphere = sphere;
}

double
mt_viewer_get_brush_radius (MtViewer *viewer)
{
  return viewer->brush_mm;
}

void
mt_viewer_set_brush_radius (MtViewer *viewer,
                            double    radius_mm)
{
  viewer->brush_mm = CLAMP (radius_mm, 0.5, 100.0);
}

void
mt_viewer_set_fused (MtViewer          *viewer,
                     MtVolume          *on_grid,
                     const MtTransform *transform)
{
  g_return_if_fail (MT_IS_VIEWER (viewer));
  g_clear_pointer (&viewer->fused, mt_volume_unref);
  g_clear_pointer (&viewer->fused_transform, mt_transform_free);
  viewer->fused = on_grid ? mt_volume_ref (on_grid) : NULL;
  if (transform != NULL)
    viewer->fused_transform = g_memdup2 (transform, sizeof *transform);
  viewer->fused_serial++;
  if (on_grid != NULL)
    {
      /* The second scan under its own window: its file's, or one from its
       * histogram. */
      if (on_grid->window_width > 0)
        {
          viewer->fused_center = on_grid->window_center;
          viewer->fused_width = on_grid->window_width;
        }
      else
        mt_volume_auto_window (on_grid, &viewer->fused_center, &viewer->fused_width);
      if (viewer->fusion_mode == MT_FUSION_OFF)
        {
          viewer->fusion_mode = MT_FUSION_BLEND;
          viewer->blend = 0.5;
        }
    }
  else
    viewer->fusion_mode = MT_FUSION_OFF;
  g_signal_emit (viewer, signals[FUSION_CHANGED], 0);
}

MtVolume *
mt_viewer_get_fused (MtViewer *viewer,
                     guint    *serial)
{
  if (serial != NULL)
    *serial = viewer->fused_serial;
  return viewer->fused;
}

const MtTransform *
mt_viewer_get_fused_transform (MtViewer *viewer)
{
  return viewer->fused_transform;
}

void
mt_viewer_set_fusion_mode (MtViewer     *viewer,
                           MtFusionMode  mode,
                           double        blend)
{
  g_return_if_fail (MT_IS_VIEWER (viewer));
  if (viewer->fused == NULL)
    mode = MT_FUSION_OFF;
  blend = CLAMP (blend, 0.0, 1.0);
  if (mode == viewer->fusion_mode && blend == viewer->blend)
    return;
  viewer->fusion_mode = mode;
  viewer->blend = blend;
  g_signal_emit (viewer, signals[FUSION_CHANGED], 0);
}

MtFusionMode
mt_viewer_get_fusion_mode (MtViewer *viewer,
                           double   *blend,
                           double   *center,
                           double   *width)
{
  if (blend != NULL)
    *blend = viewer->blend;
  if (center != NULL)
    *center = viewer->fused_center;
  if (width != NULL)
    *width = viewer->fused_width;
  return viewer->fusion_mode;
}
