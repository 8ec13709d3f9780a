/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-slice-view"

#include "config.h"

#include <epoxy/gl.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "mt-draw.h"
#include "mt-measure.h"
#include "mt-slice-renderer.h"
#include "mt-mask.h"
#include "mt-slice-view.h"
#include "mt-volume.h"

struct _MtSliceView
{
  GtkGLArea        parent_instance;
  MtViewer        *viewer;
  MtViewAxis       axis;
  gboolean         second;     /* shows the viewer's second scan */
  MtSliceRenderer *renderer;
  MtSliceLayout    layout;
  gboolean         has_layout;
  int              uploaded_slice;
  guint            uploaded_serial;
  MtSlabMode       uploaded_slab;
  int              uploaded_half;
  gboolean         uploaded_turned;
  guint            fused_serial;            /* fused scan uploaded; 0: none */
  gboolean         fused_stale;             /* the slice moved since */
  guint            overlay_serial;          /* segmentation shown; 0: none */
  double           overlay_key[5];          /* and the plane it was cut on */
  double           uploaded_plane[5];       /* normal, offset, slab mm */
  float            outside;                 /* the scan's lowest value */
  guint            outside_serial;
  gboolean         rotating;                /* Ctrl+drag turns the crosshair lines */
  gboolean         measuring;               /* the primary button draws a measurement */
  gboolean         painting;                /* or paints with the brush or the eraser */
  gboolean         boxing;                  /* or draws the crop box, from (box_x0, box_y0) */
  double           box_x0, box_y0, box_x1, box_y1;
  double           brush_x, brush_y;        /* the pointer, for the brush's circle */
  gboolean         brush_shown;
  GArray          *draft;                   /* its points so far: LPS, 3 doubles each */
  double           hover[3];                /* and where the pointer is */
  gboolean         has_hover;
  double           rotate_from, rotate_start_degrees;
  guint            drawn_serial;
  double           drag_center, drag_width;
  gboolean         dragged;
  double           zoom, pan_x, pan_y;      /* pan in mm */
  double           pan_start_x, pan_start_y;
  gboolean         scale_bar_on;
  double           bar_mm, bar_px;          /* as last drawn; 0 if none */
};

G_DEFINE_FINAL_TYPE (MtSliceView, mt_slice_view, GTK_TYPE_GL_AREA)

enum { DRAWN, POINTER, N_SIGNALS };
static guint signals[N_SIGNALS];

static MtVolume *
shown_volume (MtSliceView *self)
{
  return self->second ? mt_viewer_get_second (self->viewer) : mt_viewer_get_volume (self->viewer);
}

static guint
shown_serial (MtSliceView *self)
{
  return self->second ? mt_viewer_get_second_serial (self->viewer) : mt_viewer_get_serial (self->viewer);
}

static void
shown_cursor (MtSliceView *self, int ijk[3])
{
  mt_viewer_get_cursor_in (self->viewer, shown_volume (self), ijk);
}

static int
current_slice (MtSliceView *self)
{
  int ijk[3];
  shown_cursor (self, ijk);
  return ijk[self->layout.axis_normal];
}

/* What this view shows: the standard plane through the crosshair, or an
 * oblique one when the lines of another view are turned. An oblique image
 * has square pixels as fine as the scan's finest in-plane spacing. */
typedef struct
{
  MtObliquePlane plane;
  gboolean       turned;
  double         pixel_mm;
  int            width, height;
} ViewPlane;

static gboolean
view_plane (MtSliceView *self, ViewPlane *vp)
{
  MtVolume *v = shown_volume (self);
  if (v == NULL || !self->has_layout)
    return FALSE;
  vp->turned = mt_viewer_get_plane (self->viewer, v, self->axis, &vp->plane);
  vp->pixel_mm = MIN (self->layout.pixel_w, self->layout.pixel_h);
  vp->width = self->layout.width;
  vp->height = self->layout.height;
  if (vp->turned)
    mt_oblique_plane_fit (&vp->plane, v, vp->pixel_mm, &vp->width, &vp->height);
  return TRUE;
}

/* The slice pixel under a point of the view, back in the volume. */
static void
slice_point_to_patient (MtSliceView *self, const ViewPlane *vp, double u, double v, double lps[3])
{
  if (vp->turned)
    mt_oblique_point (&vp->plane, vp->pixel_mm, vp->width, vp->height, u, v, lps);
  else
    mt_slice_point_to_patient (shown_volume (self), &self->layout, current_slice (self), u, v, lps);
}

static void
patient_to_voxel (const MtVolume *v, const double lps[3], int ijk[3])
{
  double idx[3];
  mt_volume_patient_to_index (v, lps, idx);
  for (int a = 0; a < 3; a++)
    ijk[a] = CLAMP ((int) lround (idx[a]), 0, v->dims[a] - 1);
}

/* Patient point to widget point, through the plane shown. */
static gboolean
patient_to_widget (MtSliceView *self, const ViewPlane *vp, const double lps[3], double *x, double *y)
{
  double u, v;
  if (self->renderer == NULL)
    return FALSE;
  if (vp->turned)
    mt_oblique_plane_project (&vp->plane, vp->pixel_mm, vp->width, vp->height, lps, &u, &v);
  else
    {
      /* The plane's centre is the crosshair voxel's centre. */
      double cu, cv;
      mt_slice_view_get_crosshair (self, &cu, &cv);
      const double *c = vp->plane.center, *r = vp->plane.right, *d = vp->plane.down;
      double off[3] = { lps[0] - c[0], lps[1] - c[1], lps[2] - c[2] };
      u = cu + (off[0] * r[0] + off[1] * r[1] + off[2] * r[2]) / self->layout.pixel_w;
      v = cv + (off[0] * d[0] + off[1] * d[1] + off[2] * d[2]) / self->layout.pixel_h;
    }
  mt_slice_renderer_slice_to_viewport (self->renderer, gtk_widget_get_width (GTK_WIDGET (self)),
                                       gtk_widget_get_height (GTK_WIDGET (self)), u, v, x, y);
  return TRUE;
}

/* Widget point to the patient point on the plane shown, wherever it falls
 * (a measurement may start beside the image). */
static gboolean
widget_to_patient (MtSliceView *self, const ViewPlane *vp, double x, double y, double lps[3])
{
  double u, v;
  if (self->renderer == NULL)
    return FALSE;
  mt_slice_renderer_viewport_to_slice (self->renderer, gtk_widget_get_width (GTK_WIDGET (self)),
                                       gtk_widget_get_height (GTK_WIDGET (self)), x, y, &u, &v);
  slice_point_to_patient (self, vp, u, v, lps);
  return TRUE;
}

static void
on_volume_changed (MtSliceView *self)
{
  MtVolume *v = shown_volume (self);
  self->has_layout = v != NULL;
  if (v)
    mt_slice_layout_init (&self->layout, v, self->axis);
  self->uploaded_serial = 0;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
on_redraw (MtSliceView *self)
{
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
mt_slice_view_realize (GtkWidget *widget)
{
  MtSliceView *self = MT_SLICE_VIEW (widget);
  GTK_WIDGET_CLASS (mt_slice_view_parent_class)->realize (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return;
  g_autoptr (GError) error = NULL;
  self->renderer = mt_slice_renderer_new (&error);
  if (self->renderer == NULL)
    gtk_gl_area_set_error (GTK_GL_AREA (self), error);
  self->uploaded_serial = 0;
  self->overlay_serial = 0;
}

static void
mt_slice_view_unrealize (GtkWidget *widget)
{
  MtSliceView *self = MT_SLICE_VIEW (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  g_clear_pointer (&self->renderer, mt_slice_renderer_free);
  GTK_WIDGET_CLASS (mt_slice_view_parent_class)->unrealize (widget);
}

/* The segments over the slice shown, cut again only when the plane or the
 * segmentation changes. The second scan shows none. */
static void
update_overlay (MtSliceView *self, const ViewPlane *vp, int slice, const double key[5])
{
  guint serial = 0;
  MtSegmentation *seg = self->second ? NULL : mt_viewer_get_segmentation (self->viewer, &serial);
  double plane_key[5] = { key[0], key[1], key[2], key[3], vp->turned ? 1 : slice };
  if (seg == NULL)
    {
      if (self->overlay_serial != 0)
        mt_slice_renderer_set_overlay (self->renderer, NULL, 0, 0);
      self->overlay_serial = 0;
      return;
    }
  if (serial == self->overlay_serial && memcmp (plane_key, self->overlay_key, sizeof plane_key) == 0)
    return;
  g_autofree guint16 *labels = NULL;
  int w = vp->width, h = vp->height;
  if (vp->turned)
    labels = mt_segmentation_extract_oblique (seg, &vp->plane, vp->pixel_mm, w, h);
  else
    labels = mt_segmentation_extract_slice (seg, &self->layout, slice);
  g_autofree guint8 *rgba = mt_segmentation_colorize (seg, labels, w, h);
  mt_slice_renderer_set_overlay (self->renderer, rgba, w, h);
  self->overlay_serial = serial;
  memcpy (self->overlay_key, plane_key, sizeof plane_key);
}

/* The aligned second scan's slice on the same pixels as the first's, when
 * the first scan's view shows the two fused. */
static void
update_fusion (MtSliceView *self, const ViewPlane *vp, int slice, int half, MtSlabMode slab, double slab_mm)
{
  guint serial = 0;
  MtVolume *fused = self->second ? NULL : mt_viewer_get_fused (self->viewer, &serial);
  double blend, center, width;
  MtFusionMode mode = mt_viewer_get_fusion_mode (self->viewer, &blend, &center, &width);
  if (fused == NULL || mode == MT_FUSION_OFF)
    {
      mt_slice_renderer_set_fusion (self->renderer, MT_FUSION_OFF, 0, 0, 0, 1);
      return;
    }
  if (self->fused_serial != serial || self->fused_stale)
    {
      g_autofree float *values = NULL;
      float outside;
      mt_volume_get_range (fused, &outside, NULL);
      if (vp->turned)
        values = mt_oblique_extract_slab (fused, &vp->plane, vp->pixel_mm, vp->width, vp->height, outside, slab,
                                          slab_mm);
      else
        values = mt_slice_extract_slab (fused, &self->layout, slice, half, slab);
      mt_slice_renderer_set_fusion_slice (self->renderer, values, vp->turned ? vp->width : self->layout.width,
                                          vp->turned ? vp->height : self->layout.height);
      self->fused_serial = serial;
      self->fused_stale = FALSE;
    }
  /* Two CTs share the Hounsfield scale: the second follows the window. */
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v->modality && fused->modality && g_str_equal (v->modality, "CT") && g_str_equal (fused->modality, "CT"))
    mt_viewer_get_window (self->viewer, &center, &width);
  mt_slice_renderer_set_fusion (self->renderer, mode, blend, 20.0, center, width);
}

static gboolean
mt_slice_view_render (GtkGLArea    *area,
                      GdkGLContext *context)
{
  MtSliceView *self = MT_SLICE_VIEW (area);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));
  int w = gtk_widget_get_width (GTK_WIDGET (area)) * scale;
  int h = gtk_widget_get_height (GTK_WIDGET (area)) * scale;
  if (self->renderer == NULL)
    return FALSE;
  MtVolume *v = shown_volume (self);
  guint serial = shown_serial (self);
  if (v != NULL && self->has_layout)
    {
      ViewPlane vp;
      view_plane (self, &vp);
      int slice = current_slice (self);
      MtSlabMode slab;
      double slab_mm;
      mt_viewer_get_slab (self->viewer, &slab, &slab_mm);
      /* Half the slab on each side, in this view's slices. */
      double step = v->spacing[self->layout.axis_normal];
      int half = slab == MT_SLAB_NONE ? 0 : (int) floor (slab_mm / step / 2 + 0.5);
      double normal[3];
      mt_oblique_plane_normal (&vp.plane, normal);
      double key[5] = { normal[0], normal[1], normal[2],
                        normal[0] * vp.plane.center[0] + normal[1] * vp.plane.center[1]
                          + normal[2] * vp.plane.center[2],
                        slab == MT_SLAB_NONE ? 0 : slab_mm };
      if (vp.turned)
        {
          if (self->outside_serial != serial)
            {
              mt_volume_get_range (v, &self->outside, NULL);
              self->outside_serial = serial;
            }
          if (self->uploaded_serial != serial || !self->uploaded_turned || self->uploaded_slab != slab
              || memcmp (key, self->uploaded_plane, sizeof key) != 0)
            {
              g_autofree float *values = mt_oblique_extract_slab (v, &vp.plane, vp.pixel_mm, vp.width, vp.height,
                                                                  self->outside, slab, slab_mm);
              mt_slice_renderer_set_slice (self->renderer, values, vp.width, vp.height, vp.pixel_mm, vp.pixel_mm);
              memcpy (self->uploaded_plane, key, sizeof key);
              self->uploaded_slab = slab;
              self->uploaded_serial = serial;
              self->uploaded_turned = TRUE;
              self->fused_stale = TRUE;
            }
        }
      else if (self->uploaded_serial != serial || self->uploaded_turned || self->uploaded_slice != slice
               || self->uploaded_slab != slab || self->uploaded_half != half)
        {
          self->uploaded_slab = slab;
          self->uploaded_half = half;
          self->uploaded_turned = FALSE;
          if (v->rgb != NULL)
            {
              g_autofree guint8 *rgb = mt_slice_extract_rgb (v, &self->layout, slice);
              mt_slice_renderer_set_rgb_slice (self->renderer, rgb, self->layout.width, self->layout.height,
                                               self->layout.pixel_w, self->layout.pixel_h);
            }
          else
            {
              g_autofree float *values = mt_slice_extract_slab (v, &self->layout, slice, half, slab);
              mt_slice_renderer_set_slice (self->renderer, values, self->layout.width, self->layout.height,
                                           self->layout.pixel_w, self->layout.pixel_h);
            }
          self->uploaded_serial = serial;
          self->uploaded_slice = slice;
          self->fused_stale = TRUE;
        }
      update_fusion (self, &vp, slice, half, slab, slab_mm);
      update_overlay (self, &vp, slice, key);
      double center, width;
      mt_viewer_get_window (self->viewer, &center, &width);
      mt_slice_renderer_set_window (self->renderer, center, width);
      mt_slice_renderer_set_linear (self->renderer, TRUE);
      mt_slice_renderer_set_inverted (self->renderer, v->invert_display);
      double cu, cv;
      mt_slice_view_get_crosshair (self, &cu, &cv);
      mt_slice_renderer_set_crosshair (self->renderer, TRUE, cu, cv);
      double dirs[4];
      mt_slice_view_get_crosshair_axes (self, dirs);
      mt_slice_renderer_set_crosshair_axes (self->renderer, dirs);
    }
  mt_slice_renderer_set_zoom_pan (self->renderer, self->zoom, self->pan_x, self->pan_y);
  mt_slice_renderer_render (self->renderer, w, h);
  if (v != NULL && self->drawn_serial != serial)
    {
      self->drawn_serial = serial;
      g_signal_emit (self, signals[DRAWN], 0);
    }
  return TRUE;
}

/* The scale bar, centred above the bottom orientation letter: a round
 * length that fills at most a quarter of the view, with end ticks, drawn
 * dark-edged so it reads on bone and on air. */
static void
append_rect (GtkSnapshot *snapshot, const GdkRGBA *color, double x, double y, double w, double h)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static void snapshot_measurements (MtSliceView *self, GtkSnapshot *snapshot);
static void snapshot_crop_box (MtSliceView *self, GtkSnapshot *snapshot);
static void snapshot_contours (MtSliceView *self, GtkSnapshot *snapshot);

static gboolean
is_brush (MtTool tool)
{
  return tool == MT_TOOL_BRUSH || tool == MT_TOOL_ERASER;
}

static void mt_slice_view_grow (MtSliceView *self, const double p[3], MtSegmentation *seg, guint16 value);

static void
mt_slice_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  MtSliceView *self = MT_SLICE_VIEW (widget);
  GTK_WIDGET_CLASS (mt_slice_view_parent_class)->snapshot (widget, snapshot);
  snapshot_measurements (self, snapshot);
  snapshot_crop_box (self, snapshot);
  snapshot_contours (self, snapshot);
  if (self->brush_shown && is_brush (mt_viewer_get_tool (self->viewer)) && !self->second)
    {
      /* The brush's reach, as it will paint. */
      double r = mt_viewer_get_brush_radius (self->viewer) * mt_slice_view_get_pixels_per_mm (self);
      const GdkRGBA ring = { 1, 1, 1, 0.9 };
      double xy[4] = { self->brush_x, self->brush_y, self->brush_x + r, self->brush_y + r };
      mt_snapshot_measurement (snapshot, widget, MT_MEASUREMENT_ELLIPSE, xy, 2, TRUE, NULL, &ring);
    }
  self->bar_mm = self->bar_px = 0;
  if (!self->scale_bar_on || self->renderer == NULL || shown_volume (self) == NULL)
    return;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double per_mm = mt_slice_view_get_pixels_per_mm (self);
  double px;
  double mm = mt_scale_bar_length (per_mm, w / 4.0, &px);
  if (mm <= 0 || px < 12 || h < 80)
    return;
  self->bar_mm = mm;
  self->bar_px = px;

  const GdkRGBA light = { 0.94, 0.94, 0.91, 1 }, dark = { 0, 0, 0, 0.75 };
  double x0 = floor ((w - px) / 2), y = h - 34, tick = 6;
  append_rect (snapshot, &dark, x0 - 1, y - 1, px + 2, 4);
  append_rect (snapshot, &dark, x0 - 1, y - tick - 1, 4, tick + 4);
  append_rect (snapshot, &dark, x0 + px - 2, y - tick - 1, 4, tick + 4);
  append_rect (snapshot, &light, x0, y, px, 2);
  append_rect (snapshot, &light, x0, y - tick, 2, tick + 2);
  append_rect (snapshot, &light, x0 + px - 1, y - tick, 2, tick + 2);

  g_autofree char *text = g_strdup_printf (_("%g mm"), mm);   /* 100 mm, 0.5 mm */
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int tw, th;
  pango_layout_get_pixel_size (layout, &tw, &th);
  mt_snapshot_outlined_text (snapshot, layout, (w - tw) / 2.0, y - tick - th, &light);
  g_object_unref (layout);
}

/* ------------------------------------------------------- measuring tools */

static MtMeasurementKind
tool_kind (MtTool tool)
{
  return (MtMeasurementKind) (tool - MT_TOOL_DISTANCE);
}

static void
clear_draft (MtSliceView *self)
{
  if (self->draft->len == 0 && !self->has_hover)
    return;
  g_array_set_size (self->draft, 0);
  self->has_hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The draft's points, and the pointer's as the last one while it moves. */
static int
draft_points (MtSliceView *self, double **points)
{
  int done = (int) self->draft->len / 3, n = done + (self->has_hover ? 1 : 0);
  *points = g_new (double, 3 * MAX (n, 1));
  memcpy (*points, self->draft->data, sizeof (double) * self->draft->len);
  if (self->has_hover)
    memcpy (*points + 3 * done, self->hover, sizeof self->hover);
  return n;
}

static void
finish_measurement (MtSliceView *self, const ViewPlane *vp, const double *points, int n)
{
  MtMeasurement *m = mt_measurement_new (tool_kind (mt_viewer_get_tool (self->viewer)), self->axis, &vp->plane,
                                         points, n);
  clear_draft (self);
  mt_viewer_add_measurement (self->viewer, m);
}

static gboolean
can_measure (MtSliceView *self)
{
  MtTool tool = mt_viewer_get_tool (self->viewer);
  return !self->second && self->renderer != NULL && shown_volume (self) != NULL && tool >= MT_TOOL_DISTANCE
         && tool <= MT_TOOL_POLYGON;
}

/* One dab of the brush (or the eraser) at a widget point: a disc on the
 * plane shown; the dabs of one drag make one undo step. */
void
mt_slice_view_paint (MtSliceView *self,
                     double       x,
                     double       y,
                     gboolean     continue_stroke)
{
  ViewPlane vp;
  MtTool tool = mt_viewer_get_tool (self->viewer);
  if (self->second || self->renderer == NULL || !(is_brush (tool) || tool == MT_TOOL_GROW) || !view_plane (self, &vp))
    return;
  /* Both work on the active segment: the eraser takes only its voxels. */
  guint16 value = mt_viewer_get_active_segment (self->viewer);
  MtSegmentation *seg = mt_viewer_get_segmentation (self->viewer, NULL);
  if (seg == NULL || value == 0)
    return;
  double p[3], r = mt_viewer_get_brush_radius (self->viewer);
  widget_to_patient (self, &vp, x, y, p);
  if (tool == MT_TOOL_GROW)
    {
      if (!continue_stroke)
        mt_slice_view_grow (self, p, seg, value);
      return;
    }
  /* A disc on the slice, or a ball through the slices around it. */
  const MtObliquePlane *plane = mt_viewer_get_brush_sphere (self->viewer) ? NULL : &vp.plane;
  gsize changed = tool == MT_TOOL_ERASER ? mt_segmentation_erase_ball (seg, p, r, plane, value, continue_stroke)
                                         : mt_segmentation_paint_ball (seg, p, r, plane, value, continue_stroke);
  if (changed > 0)
    mt_viewer_segmentation_edited (self->viewer);
}

/* The grow tool: the region of like values connected to the voxel clicked
 * (confidence connected: the range from the mean and SD about the seed,
 * then of what grew), painted into the active segment, one undo step. */
static void
mt_slice_view_grow (MtSliceView *self, const double p[3], MtSegmentation *seg, guint16 value)
{
  MtVolume *v = shown_volume (self);
  double idx[3];
  mt_volume_patient_to_index (v, p, idx);
  int seed[3];
  for (int a = 0; a < 3; a++)
    {
      seed[a] = (int) lround (idx[a]);
      if (seed[a] < 0 || seed[a] >= v->dims[a])
        return;
    }
  g_autofree guint8 *grown = g_new (guint8, mt_volume_n_voxels (v));
  if (mt_mask_confidence_grow (v, seed, 2.5, 4, grown) > 0 && mt_segmentation_paint (seg, grown, value) > 0)
    mt_viewer_segmentation_edited (self->viewer);
}

/* Scrolled to another plane half-way through a polygon: start again. */
static void
on_cursor_for_draft (MtSliceView *self)
{
  ViewPlane vp;
  if (self->draft->len == 0 || !view_plane (self, &vp))
    return;
  double n[3];
  const double *p = (const double *) self->draft->data;
  mt_oblique_plane_normal (&vp.plane, n);
  double off = 0;
  for (int i = 0; i < 3; i++)
    off += (p[i] - vp.plane.center[i]) * n[i];
  if (fabs (off) > 1e-3)
    clear_draft (self);
}

void
mt_slice_view_tool_click (MtSliceView *self,
                          double       x,
                          double       y)
{
  ViewPlane vp;
  MtTool tool = mt_viewer_get_tool (self->viewer);
  if (!can_measure (self) || !view_plane (self, &vp) || (tool != MT_TOOL_ANGLE && tool != MT_TOOL_POLYGON))
    return;
  double p[3];
  widget_to_patient (self, &vp, x, y, p);
  /* A polygon closes with a click on its first point. */
  if (tool == MT_TOOL_POLYGON && self->draft->len >= 3 * 3)
    {
      double fx, fy;
      patient_to_widget (self, &vp, (double *) self->draft->data, &fx, &fy);
      if (hypot (x - fx, y - fy) <= 8)
        {
          g_autofree double *points = g_memdup2 (self->draft->data, sizeof (double) * self->draft->len);
          finish_measurement (self, &vp, points, (int) self->draft->len / 3);
          return;
        }
    }
  g_array_append_vals (self->draft, p, 3);
  memcpy (self->hover, p, sizeof p);
  self->has_hover = TRUE;
  if (tool == MT_TOOL_ANGLE && self->draft->len == 9)
    {
      g_autofree double *points = g_memdup2 (self->draft->data, sizeof (double) * 9);
      finish_measurement (self, &vp, points, 3);
      return;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
mt_slice_view_tool_drag (MtSliceView *self,
                         double       x0,
                         double       y0,
                         double       x1,
                         double       y1)
{
  ViewPlane vp;
  MtTool tool = mt_viewer_get_tool (self->viewer);
  if (!can_measure (self) || !view_plane (self, &vp) || (tool != MT_TOOL_DISTANCE && tool != MT_TOOL_ELLIPSE))
    return;
  double points[6];
  widget_to_patient (self, &vp, x0, y0, points);
  widget_to_patient (self, &vp, x1, y1, points + 3);
  /* An ellipse is dragged corner to corner; it is kept as centre and corner. */
  if (tool == MT_TOOL_ELLIPSE)
    for (int i = 0; i < 3; i++)
      points[i] = (points[i] + points[3 + i]) / 2;
  finish_measurement (self, &vp, points, 2);
}

/* The patient axis (0 x, 1 y, 2 z) closest to this view's normal. */
static int
normal_axis (const ViewPlane *vp)
{
  double n[3];
  mt_oblique_plane_normal (&vp->plane, n);
  int best = 0;
  for (int a = 1; a < 3; a++)
    if (fabs (n[a]) > fabs (n[best]))
      best = a;
  return best;
}

void
mt_slice_view_crop_drag (MtSliceView *self,
                         double       x0,
                         double       y0,
                         double       x1,
                         double       y1)
{
  ViewPlane vp;
  MtVolume *v = shown_volume (self);
  if (self->second || v == NULL || !view_plane (self, &vp))
    return;
  double p[3], q[3], box[6];
  widget_to_patient (self, &vp, x0, y0, p);
  widget_to_patient (self, &vp, x1, y1, q);
  /* The two sides in this plane from the drag; the third as it was (the
   * whole scan when there was no box yet). */
  if (!mt_viewer_get_clip_box (self->viewer, box))
    mt_volume_patient_bounds (v, box);
  int n = normal_axis (&vp);
  for (int a = 0; a < 3; a++)
    if (a != n)
      {
        box[2 * a] = MIN (p[a], q[a]);
        box[2 * a + 1] = MAX (p[a], q[a]);
      }
  mt_viewer_set_clip_box (self->viewer, box);
}

/* The crop box where it cuts this view's plane (a rectangle when the plane
 * passes through it), and the one being drawn. */
static void
snapshot_crop_box (MtSliceView *self, GtkSnapshot *snapshot)
{
  const GdkRGBA color = { 1.0, 0.82, 0.25, 0.95 };
  if (self->boxing && self->dragged)
    {
      double xy[8] = { self->box_x0, self->box_y0, self->box_x1, self->box_y0,
                       self->box_x1, self->box_y1, self->box_x0, self->box_y1 };
      mt_snapshot_measurement (snapshot, GTK_WIDGET (self), MT_MEASUREMENT_POLYGON, xy, 4, FALSE, NULL, &color);
    }
  double box[6];
  ViewPlane vp;
  MtVolume *v = shown_volume (self);
  if (self->second || v == NULL || !mt_viewer_get_clip_box (self->viewer, box) || !view_plane (self, &vp)
      || (self->boxing && self->dragged))
    return;
  int n = normal_axis (&vp), a = (n + 1) % 3, b = (n + 2) % 3;
  double c = vp.plane.center[n];
  if (c < box[2 * n] - 1e-6 || c > box[2 * n + 1] + 1e-6)
    return;
  double xy[8];
  const int corners[4][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 } };
  for (int k = 0; k < 4; k++)
    {
      double p[3];
      p[n] = c;
      p[a] = box[2 * a + corners[k][0]];
      p[b] = box[2 * b + corners[k][1]];
      if (!mt_slice_view_patient_to_widget (self, p, &xy[2 * k], &xy[2 * k + 1]))
        return;
    }
  mt_snapshot_measurement (snapshot, GTK_WIDGET (self), MT_MEASUREMENT_POLYGON, xy, 4, TRUE, NULL, &color);
}

/* The living twin's moving surfaces where they cut this view's plane now:
 * the beating heart's and the breathing lungs' outlines over the scan. */
static void
snapshot_contours (MtSliceView *self, GtkSnapshot *snapshot)
{
  MtAnimation *anim = mt_viewer_get_animation (self->viewer);
  GPtrArray *surfaces = mt_viewer_get_surfaces (self->viewer);
  ViewPlane vp;
  if (anim == NULL || self->second || !mt_viewer_get_contours (self->viewer)
      || mt_animation_get_n (anim) != surfaces->len || !view_plane (self, &vp))
    return;
  const double *r = vp.plane.right, *d = vp.plane.down, *c = vp.plane.center;
  double n[3] = { r[1] * d[2] - r[2] * d[1], r[2] * d[0] - r[0] * d[2], r[0] * d[1] - r[1] * d[0] };
  double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (len < 1e-9)
    return;
  for (int k = 0; k < 3; k++)
    n[k] /= len;
  double off = -(n[0] * c[0] + n[1] * c[1] + n[2] * c[2]);
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = 0; i < surfaces->len; i++)
    {
      /* Posed once for the three views. */
      const float *moved = mt_animation_get_moved (anim, i);
      const MtMesh *mesh = mt_animation_get_mesh (anim, i);
      if (moved == NULL || mesh->n_vertices == 0)
        continue;
      g_autofree float *dist = g_new (float, mesh->n_vertices);
      for (guint v = 0; v < mesh->n_vertices; v++)
        {
          const float *q = moved + 3 * (gsize) v;
          dist[v] = (float) (n[0] * q[0] + n[1] * q[1] + n[2] * q[2] + off);
        }
      for (guint t = 0; t < mesh->n_triangles; t++)
        {
          const guint32 *tri = mesh->triangles + 3 * (gsize) t;
          double xy[4];
          int found = 0;
          for (int e = 0; e < 3 && found < 2; e++)
            {
              guint32 a = tri[e], b = tri[(e + 1) % 3];
              if ((dist[a] < 0) == (dist[b] < 0))
                continue;
              double f = dist[a] / (dist[a] - dist[b]), p[3];
              for (int k = 0; k < 3; k++)
                p[k] = moved[3 * (gsize) a + k] + f * (moved[3 * (gsize) b + k] - moved[3 * (gsize) a + k]);
              patient_to_widget (self, &vp, p, &xy[2 * found], &xy[2 * found + 1]);
              found++;
            }
          if (found == 2)
            {
              cairo_move_to (cr, xy[0], xy[1]);
              cairo_line_to (cr, xy[2], xy[3]);
            }
        }
      const float *rgba = mt_animation_get_motion (anim, i)->rgba;
      cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], 0.95);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

void
mt_slice_view_set_zoom (MtSliceView *self,
                        double       zoom)
{
  self->zoom = CLAMP (zoom, 0.25, 32.0);
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

gboolean
mt_slice_view_patient_to_widget (MtSliceView  *self,
                                 const double  lps[3],
                                 double       *x,
                                 double       *y)
{
  ViewPlane vp;
  return view_plane (self, &vp) && patient_to_widget (self, &vp, lps, x, y);
}

/* A region's label on two lines: its area, then its values. */
static char *
view_label (const MtMeasurement *m)
{
  char *text = mt_measurement_describe (m);
  char *dot = m->kind == MT_MEASUREMENT_ELLIPSE || m->kind == MT_MEASUREMENT_POLYGON ? strstr (text, " · ") : NULL;
  if (dot == NULL)
    return text;
  *dot = '\0';
  char *two = g_strconcat (text, "\n", dot + strlen (" · "), NULL);
  g_free (text);
  return two;
}

/* The measurements on the plane shown, and the one being drawn. */
static void
snapshot_measurements (MtSliceView *self, GtkSnapshot *snapshot)
{
  ViewPlane vp;
  MtVolume *v = shown_volume (self);
  if (self->second || self->renderer == NULL || !view_plane (self, &vp))
    return;
  /* On this plane: within half a slice of it. */
  double tolerance = (vp.turned ? vp.pixel_mm : v->spacing[self->layout.axis_normal]) / 2;
  const GdkRGBA done = { 0.37, 0.89, 0.76, 1 }, drawing = { 1, 1, 1, 1 };
  GPtrArray *list = mt_viewer_get_measurements (self->viewer);
  for (guint i = 0; i < list->len; i++)
    {
      const MtMeasurement *m = list->pdata[i];
      if (!mt_measurement_on_plane (m, &vp.plane, tolerance))
        continue;
      g_autofree double *xy = g_new (double, 2 * m->n_points);
      for (int k = 0; k < m->n_points; k++)
        patient_to_widget (self, &vp, m->points + 3 * k, &xy[2 * k], &xy[2 * k + 1]);
      g_autofree char *label = view_label (m);
      mt_snapshot_measurement (snapshot, GTK_WIDGET (self), m->kind, xy, m->n_points, TRUE, label, &done);
    }
  if (self->draft->len == 0 || mt_viewer_get_tool (self->viewer) == MT_TOOL_CROSSHAIR)
    return;
  g_autofree double *points = NULL;
  int n = draft_points (self, &points);
  MtMeasurementKind kind = tool_kind (mt_viewer_get_tool (self->viewer));
  g_autofree double *xy = g_new (double, 2 * n);
  for (int k = 0; k < n; k++)
    patient_to_widget (self, &vp, points + 3 * k, &xy[2 * k], &xy[2 * k + 1]);
  /* The value so far, as the pointer moves. */
  g_autofree char *label = NULL;
  int need = kind == MT_MEASUREMENT_DISTANCE || kind == MT_MEASUREMENT_ELLIPSE ? 2 : 3;
  if (n >= need && (kind != MT_MEASUREMENT_ANGLE || n == 3))
    {
      double *pts = points;
      if (kind == MT_MEASUREMENT_ELLIPSE)
        for (int i = 0; i < 3; i++)
          pts[i] = (pts[i] + pts[3 + i]) / 2;
      MtMeasurement *m = mt_measurement_new (kind, self->axis, &vp.plane, pts, n);
      mt_measurement_update (m, v, NULL);
      label = view_label (m);
      mt_measurement_free (m);
      if (kind == MT_MEASUREMENT_ELLIPSE)
        patient_to_widget (self, &vp, pts, &xy[0], &xy[1]);
    }
  mt_snapshot_measurement (snapshot, GTK_WIDGET (self), kind, xy, n, FALSE, label, &drawing);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           MtSliceView              *self)
{
  if (!self->has_layout)
    return FALSE;
  /* Ctrl+scroll zooms; plain scroll steps through the slices. */
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  if (mods & GDK_CONTROL_MASK)
    {
      self->zoom = CLAMP (self->zoom * (dy < 0 ? 1.2 : 1 / 1.2), 0.25, 32.0);
      gtk_gl_area_queue_render (GTK_GL_AREA (self));
      return TRUE;
    }
  mt_slice_view_step (self, dy > 0 ? -1 : dy < 0 ? 1 : 0);
  return TRUE;
}

static void
apply_level_drag (MtSliceView *self, double dx, double dy)
{
  /* Right widens the window, up brightens (lowers the level), as in most
   * PACS viewers; the rate follows the current width so both fine and coarse
   * adjustments are quick. */
  double rate = MAX (self->drag_width, 20.0) / 200.0;
  mt_viewer_set_window (self->viewer, self->drag_center + dy * rate, MAX (1.0, self->drag_width + dx * 2 * rate));
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               MtSliceView    *self)
{
  mt_viewer_get_window (self->viewer, &self->drag_center, &self->drag_width);
  self->dragged = FALSE;
  /* Ctrl+drag turns this view's crosshair lines about the crosshair point. */
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  self->rotating = (mods & GDK_CONTROL_MASK) != 0 && self->renderer != NULL && !self->second;
  self->measuring = !self->rotating && can_measure (self);
  MtTool pressed_tool = mt_viewer_get_tool (self->viewer);
  self->painting = !self->rotating && !self->second && (is_brush (pressed_tool) || pressed_tool == MT_TOOL_GROW);
  if (self->painting)
    {
      mt_slice_view_paint (self, x, y, FALSE);
      return;
    }
  self->boxing = !self->rotating && !self->second && pressed_tool == MT_TOOL_CROP && shown_volume (self) != NULL;
  if (self->boxing)
    {
      self->box_x0 = self->box_x1 = x;
      self->box_y0 = self->box_y1 = y;
      return;
    }
  MtTool tool = mt_viewer_get_tool (self->viewer);
  ViewPlane vp;
  if (self->measuring && (tool == MT_TOOL_DISTANCE || tool == MT_TOOL_ELLIPSE) && view_plane (self, &vp))
    {
      double p[3];
      widget_to_patient (self, &vp, x, y, p);
      g_array_set_size (self->draft, 0);
      g_array_append_vals (self->draft, p, 3);
      memcpy (self->hover, p, sizeof p);
      self->has_hover = TRUE;
    }
  if (self->rotating)
    {
      double cx, cy;
      MtViewAxis view;
      double degrees;
      mt_viewer_get_oblique (self->viewer, &view, &degrees);
      self->rotate_start_degrees = view == self->axis ? degrees : 0;
      mt_slice_view_get_crosshair_point (self, &cx, &cy);
      self->rotate_from = atan2 (-(y - cy), x - cx);
    }
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                MtSliceView    *self)
{
  if (!self->dragged && fabs (dx) + fabs (dy) < 4)
    return;
  self->dragged = TRUE;
  if (self->painting)
    {
      double x0, y0;
      gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
      mt_slice_view_paint (self, x0 + dx, y0 + dy, TRUE);
      self->brush_x = x0 + dx;
      self->brush_y = y0 + dy;
      return;
    }
  if (self->boxing)
    {
      self->box_x1 = self->box_x0 + dx;
      self->box_y1 = self->box_y0 + dy;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (self->measuring)
    {
      ViewPlane vp;
      double x0, y0;
      gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
      if (self->draft->len > 0 && view_plane (self, &vp))
        {
          widget_to_patient (self, &vp, x0 + dx, y0 + dy, self->hover);
          self->has_hover = TRUE;
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      return;
    }
  if (self->rotating)
    {
      double x0, y0, cx, cy;
      gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
      mt_slice_view_get_crosshair_point (self, &cx, &cy);
      /* Screen y runs down: counter-clockwise is a growing angle of -y. */
      double now = atan2 (-(y0 + dy - cy), x0 + dx - cx);
      mt_viewer_set_oblique (self->viewer, self->axis,
                             self->rotate_start_degrees + (now - self->rotate_from) * 180 / G_PI);
      return;
    }
  apply_level_drag (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             MtSliceView    *self)
{
  if (self->painting)
    {
      self->painting = FALSE;
      return;
    }
  if (self->boxing)
    {
      self->boxing = FALSE;
      if (self->dragged)
        mt_slice_view_crop_drag (self, self->box_x0, self->box_y0, self->box_x0 + dx, self->box_y0 + dy);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (self->measuring)
    {
      double x0, y0;
      gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
      MtTool tool = mt_viewer_get_tool (self->viewer);
      if (tool == MT_TOOL_DISTANCE || tool == MT_TOOL_ELLIPSE)
        {
          if (self->dragged)
            mt_slice_view_tool_drag (self, x0, y0, x0 + dx, y0 + dy);
          else
            clear_draft (self);
        }
      else if (!self->dragged)
        mt_slice_view_tool_click (self, x0, y0);
      return;
    }
  if (self->dragged || !self->has_layout || self->renderer == NULL)
    return;
  /* A click, not a drag: move the crosshair there in every view. */
  double x0, y0, u, v;
  gtk_gesture_drag_get_start_point (gesture, &x0, &y0);
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  if (!mt_slice_renderer_viewport_to_slice (self->renderer, w, h, x0, y0, &u, &v))
    return;
  ViewPlane vp;
  double lps[3];
  int ijk[3];
  view_plane (self, &vp);
  if (vp.turned)
    {
      slice_point_to_patient (self, &vp, u, v, lps);
      patient_to_voxel (shown_volume (self), lps, ijk);
    }
  else
    mt_slice_layout_voxel (&self->layout, (int) u, (int) v, current_slice (self), ijk);
  mt_viewer_set_cursor_from (self->viewer, shown_volume (self), ijk);
}

gboolean
mt_slice_view_probe (MtSliceView *self,
                     double       x,
                     double       y,
                     double       lps[3],
                     float       *value)
{
  MtVolume *v = shown_volume (self);
  double u, vv;
  ViewPlane vp;
  if (v == NULL || self->renderer == NULL || !view_plane (self, &vp)
      || !mt_slice_renderer_viewport_to_slice (self->renderer, gtk_widget_get_width (GTK_WIDGET (self)),
                                               gtk_widget_get_height (GTK_WIDGET (self)), x, y, &u, &vv))
    return FALSE;
  int ijk[3];
  slice_point_to_patient (self, &vp, u, vv, lps);
  if (vp.turned)
    {
      /* An oblique image reaches past the scan in its corners. */
      double idx[3];
      mt_volume_patient_to_index (v, lps, idx);
      for (int a = 0; a < 3; a++)
        if (idx[a] < -0.5 || idx[a] > v->dims[a] - 0.5)
          return FALSE;
      patient_to_voxel (v, lps, ijk);
    }
  else
    mt_slice_layout_voxel (&self->layout, (int) u, (int) vv, current_slice (self), ijk);
  /* The stored voxel's value, never an interpolated one: radiologists read
   * HU off it. */
  *value = v->data[mt_volume_offset (v, ijk[0], ijk[1], ijk[2])];
  return TRUE;
}

/* The value and patient position under the pointer, for the panel's corner. */
static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           MtSliceView              *self)
{
  double lps[3];
  float value;
  MtTool tool = mt_viewer_get_tool (self->viewer);
  if (is_brush (tool))
    {
      self->brush_x = x;
      self->brush_y = y;
      self->brush_shown = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  ViewPlane vp;
  if (self->draft->len > 0 && (tool == MT_TOOL_ANGLE || tool == MT_TOOL_POLYGON) && view_plane (self, &vp))
    {
      widget_to_patient (self, &vp, x, y, self->hover);
      self->has_hover = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (!mt_slice_view_probe (self, x, y, lps, &value))
    g_signal_emit (self, signals[POINTER], 0, FALSE, 0.0, 0.0, 0.0, 0.0);
  else
    g_signal_emit (self, signals[POINTER], 0, TRUE, lps[0], lps[1], lps[2], (double) value);
}

static void
on_leave (GtkEventControllerMotion *controller,
          MtSliceView              *self)
{
  if (self->brush_shown)
    {
      self->brush_shown = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_signal_emit (self, signals[POINTER], 0, FALSE, 0.0, 0.0, 0.0, 0.0);
}

/* The right button always sets window and level, whatever the tool. */
static void
on_level_begin (GtkGestureDrag *gesture, double x, double y, MtSliceView *self)
{
  mt_viewer_get_window (self->viewer, &self->drag_center, &self->drag_width);
}

static void
on_level_update (GtkGestureDrag *gesture, double dx, double dy, MtSliceView *self)
{
  apply_level_drag (self, dx, dy);
}

static void
on_pan_begin (GtkGestureDrag *gesture, double x, double y, MtSliceView *self)
{
  self->pan_start_x = self->pan_x;
  self->pan_start_y = self->pan_y;
}

static void
on_pan_update (GtkGestureDrag *gesture, double dx, double dy, MtSliceView *self)
{
  double per_mm = mt_slice_view_get_pixels_per_mm (self);
  if (per_mm <= 0)
    return;
  self->pan_x = self->pan_start_x + dx / per_mm;
  self->pan_y = self->pan_start_y + dy / per_mm;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
mt_slice_view_dispose (GObject *object)
{
  MtSliceView *self = MT_SLICE_VIEW (object);
  g_clear_object (&self->viewer);
  g_clear_pointer (&self->draft, g_array_unref);
  G_OBJECT_CLASS (mt_slice_view_parent_class)->dispose (object);
}

static void
mt_slice_view_class_init (MtSliceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);
  object_class->dispose = mt_slice_view_dispose;
  widget_class->realize = mt_slice_view_realize;
  widget_class->unrealize = mt_slice_view_unrealize;
  widget_class->snapshot = mt_slice_view_snapshot;
  area_class->render = mt_slice_view_render;
  signals[DRAWN] = g_signal_new ("drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* inside, x, y, z (patient mm), value under the pointer */
  signals[POINTER] = g_signal_new ("pointer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 5, G_TYPE_BOOLEAN, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE,
                                   G_TYPE_DOUBLE);
}

static void
mt_slice_view_init (MtSliceView *self)
{
  gtk_gl_area_set_required_version (GTK_GL_AREA (self), 3, 3);
  gtk_gl_area_set_has_depth_buffer (GTK_GL_AREA (self), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 160, 160);

  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkGesture *level = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (level), GDK_BUTTON_SECONDARY);
  g_signal_connect (level, "drag-begin", G_CALLBACK (on_level_begin), self);
  g_signal_connect (level, "drag-update", G_CALLBACK (on_level_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (level));

  /* Middle button pans. */
  GtkGesture *pan = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (pan), GDK_BUTTON_MIDDLE);
  g_signal_connect (pan, "drag-begin", G_CALLBACK (on_pan_begin), self);
  g_signal_connect (pan, "drag-update", G_CALLBACK (on_pan_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pan));
  self->zoom = 1.0;
  self->scale_bar_on = TRUE;
  self->draft = g_array_new (FALSE, FALSE, sizeof (double));
}

void
mt_slice_view_set_scale_bar (MtSliceView *self,
                             gboolean     visible)
{
  self->scale_bar_on = visible;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
mt_slice_view_get_scale_bar (MtSliceView *self,
                             double      *px)
{
  if (px != NULL)
    *px = self->bar_px;
  return self->bar_mm;
}

double
mt_slice_view_get_pixels_per_mm (MtSliceView *self)
{
  if (self->renderer == NULL)
    return 0;
  return mt_slice_renderer_pixels_per_mm (self->renderer, gtk_widget_get_width (GTK_WIDGET (self)),
                                          gtk_widget_get_height (GTK_WIDGET (self)));
}

GtkWidget *
mt_slice_view_new (MtViewer  *viewer,
                   MtViewAxis axis)
{
  return mt_slice_view_new_full (viewer, axis, FALSE);
}

GtkWidget *
mt_slice_view_new_full (MtViewer  *viewer,
                        MtViewAxis axis,
                        gboolean   second)
{
  MtSliceView *self = g_object_new (MT_TYPE_SLICE_VIEW, NULL);
  self->viewer = g_object_ref (viewer);
  self->axis = axis;
  self->second = second;
  g_signal_connect_object (viewer, second ? "second-changed" : "volume-changed", G_CALLBACK (on_volume_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "cursor-changed", G_CALLBACK (on_redraw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "window-changed", G_CALLBACK (on_redraw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "oblique-changed", G_CALLBACK (on_redraw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "segmentation-changed", G_CALLBACK (on_redraw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "fusion-changed", G_CALLBACK (on_redraw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "clip-changed", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "animation-changed", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "animation-moved", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "oblique-changed", G_CALLBACK (clear_draft), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "tool-changed", G_CALLBACK (clear_draft), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "cursor-changed", G_CALLBACK (on_cursor_for_draft), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "measurements-changed", G_CALLBACK (gtk_widget_queue_draw), self,
                           G_CONNECT_SWAPPED);
  on_volume_changed (self);
  return GTK_WIDGET (self);
}

MtViewAxis
mt_slice_view_get_axis (MtSliceView *self)
{
  return self->axis;
}

guint
mt_slice_view_get_drawn_serial (MtSliceView *self)
{
  return self->drawn_serial;
}

void
mt_slice_view_get_slice (MtSliceView *self,
                         int         *slice,
                         int         *n_slices)
{
  *slice = self->has_layout ? current_slice (self) + 1 : 0;
  *n_slices = self->has_layout ? self->layout.n_slices : 0;
}

gboolean
mt_slice_view_is_oblique (MtSliceView *self)
{
  ViewPlane vp;
  return view_plane (self, &vp) && vp.turned;
}

gboolean
mt_slice_view_get_crosshair (MtSliceView *self,
                             double      *u,
                             double      *v)
{
  ViewPlane vp;
  *u = *v = 0;
  if (!view_plane (self, &vp))
    return FALSE;
  if (vp.turned)
    {
      /* The plane runs through the crosshair point: it projects exactly. */
      int ijk[3];
      double c[3], lps[3];
      shown_cursor (self, ijk);
      for (int a = 0; a < 3; a++)
        c[a] = ijk[a];
      mt_volume_index_to_patient (shown_volume (self), c, lps);
      mt_oblique_plane_project (&vp.plane, vp.pixel_mm, vp.width, vp.height, lps, u, v);
      return TRUE;
    }
  int ijk[3], pu, pv, slice;
  shown_cursor (self, ijk);
  mt_slice_layout_pixel (&self->layout, ijk, &pu, &pv, &slice);
  *u = pu + 0.5;
  *v = pv + 0.5;
  return TRUE;
}

void
mt_slice_view_get_crosshair_axes (MtSliceView *self,
                                  double       dirs[4])
{
  /* Each line is where another view's plane cuts this one. */
  const double straight[4] = { 1, 0, 0, 1 };
  memcpy (dirs, straight, sizeof straight);
  ViewPlane vp;
  if (!view_plane (self, &vp))
    return;
  double n[3];
  mt_oblique_plane_normal (&vp.plane, n);
  int l = 0;
  for (MtViewAxis o = MT_VIEW_AXIAL; o <= MT_VIEW_SAGITTAL; o++)
    {
      if (o == self->axis)
        continue;
      MtObliquePlane other;
      double m[3];
      mt_viewer_get_plane (self->viewer, shown_volume (self), o, &other);
      mt_oblique_plane_normal (&other, m);
      double d[3] = { n[1] * m[2] - n[2] * m[1], n[2] * m[0] - n[0] * m[2], n[0] * m[1] - n[1] * m[0] };
      double x = d[0] * vp.plane.right[0] + d[1] * vp.plane.right[1] + d[2] * vp.plane.right[2];
      double y = d[0] * vp.plane.down[0] + d[1] * vp.plane.down[1] + d[2] * vp.plane.down[2];
      double len = hypot (x, y);
      if (len < 1e-9)
        {
          l++;
          continue;
        }
      /* The first line runs rightwards, the second downwards. */
      double sgn = (l == 0 ? x : y) < 0 ? -1 : 1;
      dirs[2 * l] = sgn * x / len;
      dirs[2 * l + 1] = sgn * y / len;
      l++;
    }
}

void
mt_slice_view_get_orientation_letters (MtSliceView *self,
                                       char         letters[4][4])
{
  ViewPlane vp;
  if (!view_plane (self, &vp))
    {
      const char *fixed[4];
      mt_view_orientation_letters (self->axis, fixed);
      for (int e = 0; e < 4; e++)
        g_strlcpy (letters[e], fixed[e], 4);
      return;
    }
  /* Right, left, top and bottom edges. */
  double dirs[4][3];
  for (int i = 0; i < 3; i++)
    {
      dirs[0][i] = vp.plane.right[i];
      dirs[1][i] = -vp.plane.right[i];
      dirs[2][i] = -vp.plane.down[i];
      dirs[3][i] = vp.plane.down[i];
    }
  for (int e = 0; e < 4; e++)
    mt_direction_letters (dirs[e], letters[e]);
}

void
mt_slice_view_get_crosshair_point (MtSliceView *self,
                                   double      *x,
                                   double      *y)
{
  double u, v;
  mt_slice_view_get_crosshair (self, &u, &v);
  if (self->renderer == NULL)
    {
      *x = *y = 0;
      return;
    }
  mt_slice_renderer_slice_to_viewport (self->renderer, gtk_widget_get_width (GTK_WIDGET (self)),
                                       gtk_widget_get_height (GTK_WIDGET (self)), u, v, x, y);
}

void
mt_slice_view_step (MtSliceView *self,
                    int          steps)
{
  ViewPlane vp;
  if (!view_plane (self, &vp))
    return;
  MtVolume *v = shown_volume (self);
  int ijk[3];
  shown_cursor (self, ijk);
  if (vp.turned)
    {
      /* Along the oblique normal, one voxel along its steepest axis per
       * step, so that every step lands on a new plane. */
      double n[3], p[3], a[3], b[3], c[3] = { ijk[0], ijk[1], ijk[2] };
      mt_oblique_plane_normal (&vp.plane, n);
      mt_volume_index_to_patient (v, c, p);
      mt_volume_patient_to_index (v, p, a);
      for (int i = 0; i < 3; i++)
        p[i] += n[i];
      mt_volume_patient_to_index (v, p, b);
      double d[3] = { b[0] - a[0], b[1] - a[1], b[2] - a[2] };
      double most = MAX (fabs (d[0]), MAX (fabs (d[1]), fabs (d[2])));
      /* Positive steps come towards the viewer, as in the standard views
       * (the normal points away). */
      for (int i = 0; i < 3; i++)
        ijk[i] = CLAMP ((int) lround (c[i] - steps * d[i] / most), 0, v->dims[i] - 1);
    }
  else
    ijk[self->layout.axis_normal] = CLAMP (ijk[self->layout.axis_normal] + steps, 0, self->layout.n_slices - 1);
  mt_viewer_set_cursor_from (self->viewer, v, ijk);
}
