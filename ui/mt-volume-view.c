/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-volume-view"

#include "config.h"

#include <epoxy/gl.h>
#include <math.h>

#include "mt-draw.h"
#include "mt-volume-renderer.h"
#include "mt-mesh-renderer.h"
#include "mt-volume-view.h"
#include "mt-volume.h"

struct _MtVolumeView
{
  GtkGLArea         parent_instance;
  MtViewer         *viewer;
  MtVolumeRenderer *renderer;
  MtMeshRenderer   *meshes;
  gboolean          meshes_dirty;
  gboolean          anchors_dirty;  /* a new animation (or new surfaces): its anchors to upload */
  gboolean          pose_dirty;     /* the animation moved since the renderer took its pose */
  gboolean          animated;       /* motions were given to the renderer */
  MtCamera          camera;
  guint             uploaded_serial;
  guint             drawn_serial;
  gboolean          interacting;
  guint             spin_id;
  gint64            spin_last;
  double            drag_azimuth, drag_elevation;
  GArray           *lasso;         /* of double x, y (pixels) while the scissors draw; NULL otherwise */
  double            lasso_x, lasso_y;
  double            drag_scale;    /* pixels while dragging: 1 full, 4 a quarter each way */
};

G_DEFINE_FINAL_TYPE (MtVolumeView, mt_volume_view, GTK_TYPE_GL_AREA)

enum { DRAWN, CAMERA_CHANGED, CUT, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The camera moved: redraw, and tell whoever labels the view. Never from
 * inside the render callback, which runs mid-frame. */
static void
camera_moved (MtVolumeView *self)
{
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
  g_signal_emit (self, signals[CAMERA_CHANGED], 0);
}

static void
on_volume_changed (MtVolumeView *self)
{
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  if (v)
    mt_camera_init_for_volume (&self->camera, v);
  camera_moved (self);
}

static void
apply_preset (MtVolumeView *self)
{
  int n;
  const MtTfPoint *points = mt_viewer_get_transfer_points (self->viewer, &n);
  mt_volume_renderer_set_transfer (self->renderer, mt_viewer_get_preset (self->viewer), points, n);
}

static void
on_clip_moved (MtVolumeView *self)
{
  double box[6];
  if (mt_viewer_get_clip (self->viewer) != MT_CLIP_NONE || mt_viewer_get_clip_box (self->viewer, box))
    gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
on_surfaces_changed (MtVolumeView *self)
{
  self->meshes_dirty = TRUE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
on_animation_changed (MtVolumeView *self)
{
  self->anchors_dirty = TRUE;
  self->pose_dirty = TRUE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
on_animation_moved (MtVolumeView *self)
{
  self->pose_dirty = TRUE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
upload_surfaces (MtVolumeView *self)
{
  GPtrArray *surfaces = mt_viewer_get_surfaces (self->viewer);
  mt_mesh_renderer_clear (self->meshes);
  for (guint i = 0; mt_viewer_get_surfaces_shown (self->viewer) && i < surfaces->len; i++)
    {
      const MtSurface *s = surfaces->pdata[i];
      mt_mesh_renderer_add (self->meshes, s->mesh, s->rgba);
    }
  self->meshes_dirty = FALSE;
  self->anchors_dirty = TRUE;
  self->pose_dirty = TRUE;
}

/* The twin's pose of each surface, and its blood, into the renderer. */
static void
apply_animation (MtVolumeView *self)
{
  if (!self->pose_dirty)
    return;
  self->pose_dirty = FALSE;
  MtAnimation *anim = mt_viewer_get_animation (self->viewer);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  if (anim != NULL && mt_mesh_renderer_animate (self->meshes, anim, self->anchors_dirty, 5.0f * scale))
    {
      self->animated = TRUE;
      self->anchors_dirty = FALSE;
      return;
    }
  /* Still (again): the surfaces as they were, without motions. */
  if (self->animated)
    upload_surfaces (self);
  self->animated = FALSE;
  mt_mesh_renderer_set_points (self->meshes, NULL, 0, NULL, 0);
}

/* Only a MIP shows the slice views' window (applied when it renders);
 * dragging window/level must not rebuild the transfer function. */
static void
on_window_changed (MtVolumeView *self)
{
  int n;
  if (mt_render_preset_is_mip (mt_viewer_get_preset (self->viewer))
      && mt_viewer_get_transfer_points (self->viewer, &n) == NULL)
    gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
on_preset_changed (MtVolumeView *self)
{
  if (self->renderer)
    {
      gtk_gl_area_make_current (GTK_GL_AREA (self));
      apply_preset (self);
    }
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

static void
mt_volume_view_realize (GtkWidget *widget)
{
  MtVolumeView *self = MT_VOLUME_VIEW (widget);
  GTK_WIDGET_CLASS (mt_volume_view_parent_class)->realize (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  if (gtk_gl_area_get_error (GTK_GL_AREA (self)) != NULL)
    return;
  g_autoptr (GError) error = NULL;
  self->renderer = mt_volume_renderer_new (&error);
  if (self->renderer == NULL)
    {
      gtk_gl_area_set_error (GTK_GL_AREA (self), error);
      return;
    }
  apply_preset (self);
  self->uploaded_serial = 0;
  self->meshes = mt_mesh_renderer_new (&error);
  if (self->meshes == NULL)
    g_warning ("3D view: no surfaces: %s", error->message);
  self->meshes_dirty = TRUE;
}

static void
mt_volume_view_unrealize (GtkWidget *widget)
{
  MtVolumeView *self = MT_VOLUME_VIEW (widget);
  gtk_gl_area_make_current (GTK_GL_AREA (self));
  g_clear_pointer (&self->renderer, mt_volume_renderer_free);
  g_clear_pointer (&self->meshes, mt_mesh_renderer_free);
  GTK_WIDGET_CLASS (mt_volume_view_parent_class)->unrealize (widget);
}

static gboolean
mt_volume_view_render (GtkGLArea    *area,
                       GdkGLContext *context)
{
  MtVolumeView *self = MT_VOLUME_VIEW (area);
  if (self->renderer == NULL)
    return FALSE;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));
  int w = gtk_widget_get_width (GTK_WIDGET (area)) * scale;
  int h = gtk_widget_get_height (GTK_WIDGET (area)) * scale;
  MtVolume *v = mt_viewer_get_volume (self->viewer);
  guint serial = mt_viewer_get_serial (self->viewer);
  if (v != NULL && self->uploaded_serial != serial)
    {
      g_autoptr (GError) error = NULL;
      if (!mt_volume_renderer_set_volume (self->renderer, v, &error))
        g_warning ("3D view: %s", error->message);
      self->uploaded_serial = serial;
    }
  /* A MIP is shown through the slice views' window. */
  double center, width;
  mt_viewer_get_window (self->viewer, &center, &width);
  mt_volume_renderer_set_window (self->renderer, center, width);
  if (self->meshes != NULL && self->meshes_dirty)
    upload_surfaces (self);
  if (self->meshes != NULL)
    apply_animation (self);
  double plane[4], box[6];
  mt_viewer_get_clip_plane (self->viewer, plane);
  mt_volume_renderer_set_clip_plane (self->renderer, plane);
  mt_volume_renderer_set_clip_box (self->renderer, mt_viewer_get_clip_box (self->viewer, box) ? box : NULL);
  /* Dragged, or the twin playing: keep the frame rate. */
  if ((self->interacting || mt_viewer_get_animation_playing (self->viewer)) && self->spin_id == 0)
    {
      /* While the mouse drags, as many pixels as keep 25 frames a second on
       * this GL, measured frame by frame: a fast GPU drags at full size. */
      double measured_scale, ms = mt_volume_renderer_get_gpu_ms (self->renderer, &measured_scale);
      if (ms > 0 && measured_scale >= 1)
        self->drag_scale = mt_adapt_pixel_scale (measured_scale, ms, MT_DRAG_TARGET_MS);
      mt_scene_render (self->renderer, self->meshes, &self->camera, w, h, self->drag_scale,
                       mt_drag_step_scale (self->drag_scale));
    }
  else if (self->spin_id != 0)
    mt_scene_render (self->renderer, self->meshes, &self->camera, w, h, 2, 1.5);
  else
    mt_scene_render (self->renderer, self->meshes, &self->camera, w, h, 1, 1);
  if (v != NULL && !self->interacting && self->drawn_serial != serial)
    {
      self->drawn_serial = serial;
      g_signal_emit (self, signals[DRAWN], 0);
    }
  return TRUE;
}

static gboolean
scissors_on (MtVolumeView *self)
{
  return mt_viewer_get_tool (self->viewer) == MT_TOOL_SCISSORS && mt_viewer_get_volume (self->viewer) != NULL;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               MtVolumeView   *self)
{
  if (scissors_on (self))
    {
      /* The scissors draw a lasso instead of turning the view. */
      g_clear_pointer (&self->lasso, g_array_unref);
      self->lasso = g_array_new (FALSE, FALSE, sizeof (double));
      self->lasso_x = x;
      self->lasso_y = y;
      g_array_append_val (self->lasso, x);
      g_array_append_val (self->lasso, y);
      return;
    }
  self->drag_azimuth = self->camera.azimuth;
  self->drag_elevation = self->camera.elevation;
  self->interacting = TRUE;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                MtVolumeView   *self)
{
  if (self->lasso != NULL)
    {
      double x = self->lasso_x + dx, y = self->lasso_y + dy;
      g_array_append_val (self->lasso, x);
      g_array_append_val (self->lasso, y);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->camera.azimuth = self->drag_azimuth - dx * 0.5;
  self->camera.elevation = CLAMP (self->drag_elevation + dy * 0.5, -89.0, 89.0);
  camera_moved (self);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             MtVolumeView   *self)
{
  if (self->lasso != NULL)
    {
      g_autoptr (GArray) lasso = g_steal_pointer (&self->lasso);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      if (lasso->len < 6)
        return;
      /* To the screen's [-1, 1] square, y up, as clip space has it. */
      double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
      g_autoptr (GArray) ndc = g_array_sized_new (FALSE, FALSE, sizeof (double), lasso->len);
      for (guint i = 0; i + 1 < lasso->len; i += 2)
        {
          double x = 2 * g_array_index (lasso, double, i) / w - 1, y = 1 - 2 * g_array_index (lasso, double, i + 1) / h;
          g_array_append_val (ndc, x);
          g_array_append_val (ndc, y);
        }
      g_signal_emit (self, signals[CUT], 0, ndc);
      return;
    }
  self->interacting = FALSE;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
mt_volume_view_get_to_screen (MtVolumeView *self,
                              double        to_screen[16])
{
  int w = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1), h = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);
  mat4 view, proj, vp;
  mt_camera_matrices (&self->camera, (double) w / h, view, proj);
  glm_mat4_mul (proj, view, vp);
  /* cglm is column-major: vp[column][row]. */
  for (int r = 0; r < 4; r++)
    for (int col = 0; col < 4; col++)
      to_screen[4 * r + col] = vp[col][r];
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           MtVolumeView             *self)
{
  self->camera.zoom = CLAMP (self->camera.zoom * (dy > 0 ? 1 / 1.1 : 1.1), 0.2, 20.0);
  camera_moved (self);
  return TRUE;
}

static void
mt_volume_view_dispose (GObject *object)
{
  MtVolumeView *self = MT_VOLUME_VIEW (object);
  g_clear_pointer (&self->lasso, g_array_unref);
  g_clear_object (&self->viewer);
  G_OBJECT_CLASS (mt_volume_view_parent_class)->dispose (object);
}

/* The orientation marker in the bottom-left corner: the patient's left
 * (red), posterior (green) and superior (blue) axes as the camera sees
 * them, drawn far to near so the nearer axes cross over the farther. */
static void
mt_volume_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  MtVolumeView *self = MT_VOLUME_VIEW (widget);
  GTK_WIDGET_CLASS (mt_volume_view_parent_class)->snapshot (widget, snapshot);
  if (self->lasso != NULL && self->lasso->len >= 4)
    {
      /* The scissors' lasso, closed back to where it began. */
      cairo_t *cr = gtk_snapshot_append_cairo (
          snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget)));
      for (guint i = 0; i + 1 < self->lasso->len; i += 2)
        cairo_line_to (cr, g_array_index (self->lasso, double, i), g_array_index (self->lasso, double, i + 1));
      cairo_close_path (cr);
      cairo_set_source_rgba (cr, 1, 0.85, 0.2, 0.18);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 1, 0.85, 0.2);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }
  int h = gtk_widget_get_height (widget);
  if (mt_viewer_get_volume (self->viewer) == NULL || h < 120 || gtk_widget_get_width (widget) < 120)
    return;
  static const double axes[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
  static const char *names[3] = { "L", "P", "S" };
  static const GdkRGBA colors[3] = { { 0.93, 0.25, 0.22, 1 }, { 0.35, 0.80, 0.30, 1 }, { 0.35, 0.55, 1.0, 1 } };
  const GdkRGBA shadow = { 0, 0, 0, 0.8 };
  double screen[3][3];
  int order[3] = { 0, 1, 2 };
  for (int a = 0; a < 3; a++)
    mt_camera_screen_direction (&self->camera, axes[a], screen[a]);
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (screen[order[j]][2] < screen[order[i]][2])
        {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
  /* Twice the size in presentation mode, read from the back of a room. */
  GtkRoot *root = gtk_widget_get_root (widget);
  const double scale = root && gtk_widget_has_css_class (GTK_WIDGET (root), "mt-presenting") ? 2 : 1;
  const double length = 30 * scale, cx = 14 * scale + length + 8, cy = h - 14 * scale - length - 8;
  for (int i = 0; i < 3; i++)
    {
      int a = order[i];
      double dx = screen[a][0], dy = screen[a][1];
      double len = length * sqrt (dx * dx + dy * dy);
      float angle = (float) (atan2 (dy, dx) * 180 / G_PI);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (cx, cy));
      gtk_snapshot_rotate (snapshot, angle);
      gtk_snapshot_append_color (snapshot, &shadow,
                                 &GRAPHENE_RECT_INIT (-1.5 * scale, -2.5 * scale, len + 3 * scale, 5 * scale));
      gtk_snapshot_append_color (snapshot, &colors[a], &GRAPHENE_RECT_INIT (0, -1.5 * scale, len, 3 * scale));
      gtk_snapshot_restore (snapshot);

      PangoLayout *layout = gtk_widget_create_pango_layout (widget, names[a]);
      if (scale > 1)
        {
          PangoFontDescription *font = pango_font_description_copy (
            pango_context_get_font_description (pango_layout_get_context (layout)));
          pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * scale));
          pango_layout_set_font_description (layout, font);
          pango_font_description_free (font);
        }
      int tw, th;
      pango_layout_get_pixel_size (layout, &tw, &th);
      double tx = cx + (length + 9 * scale) * dx - tw / 2.0, ty = cy + (length + 9 * scale) * dy - th / 2.0;
      mt_snapshot_outlined_text (snapshot, layout, tx, ty, &colors[a]);
      g_object_unref (layout);
    }
}

static void
mt_volume_view_class_init (MtVolumeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);
  object_class->dispose = mt_volume_view_dispose;
  widget_class->realize = mt_volume_view_realize;
  widget_class->unrealize = mt_volume_view_unrealize;
  area_class->render = mt_volume_view_render;
  widget_class->snapshot = mt_volume_view_snapshot;
  /* The scissors' lasso, closed: a GArray of screen x, y pairs in [-1, 1]. */
  signals[CUT] = g_signal_new ("cut", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                               G_TYPE_NONE, 1, G_TYPE_ARRAY);
  signals[DRAWN] = g_signal_new ("drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CAMERA_CHANGED] = g_signal_new ("camera-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mt_volume_view_init (MtVolumeView *self)
{
  gtk_gl_area_set_required_version (GTK_GL_AREA (self), 3, 3);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self), 160, 160);
  self->camera.zoom = 1.0;
  self->drag_scale = 4.0;
  self->camera.fov = 30.0;
  self->camera.radius = 100.0;

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

GtkWidget *
mt_volume_view_new (MtViewer *viewer)
{
  MtVolumeView *self = g_object_new (MT_TYPE_VOLUME_VIEW, NULL);
  self->viewer = g_object_ref (viewer);
  g_signal_connect_object (viewer, "volume-changed", G_CALLBACK (on_volume_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "preset-changed", G_CALLBACK (on_preset_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "surfaces-changed", G_CALLBACK (on_surfaces_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "animation-changed", G_CALLBACK (on_animation_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "animation-moved", G_CALLBACK (on_animation_moved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "clip-changed", G_CALLBACK (gtk_gl_area_queue_render), self, G_CONNECT_SWAPPED);
  /* A cut follows the crosshair. */
  g_signal_connect_object (viewer, "cursor-changed", G_CALLBACK (on_clip_moved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "oblique-changed", G_CALLBACK (on_clip_moved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (viewer, "window-changed", G_CALLBACK (on_window_changed), self, G_CONNECT_SWAPPED);
  on_volume_changed (self);
  return GTK_WIDGET (self);
}

static gboolean
spin_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  MtVolumeView *self = MT_VOLUME_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  if (self->spin_last > 0)
    self->camera.azimuth += 20.0 * (now - self->spin_last) / 1e6;   /* 20 degrees a second */
  self->spin_last = now;
  camera_moved (self);
  return G_SOURCE_CONTINUE;
}

void
mt_volume_view_set_spinning (MtVolumeView *self,
                             gboolean      spinning)
{
  if (spinning == (self->spin_id != 0))
    return;
  if (spinning)
    {
      self->spin_last = 0;
      self->spin_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), spin_tick, NULL, NULL);
    }
  else
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->spin_id);
      self->spin_id = 0;
    }
  self->interacting = spinning;
  gtk_gl_area_queue_render (GTK_GL_AREA (self));
}

void
mt_volume_view_get_orientation_letters (MtVolumeView *self,
                                        const char   *letters[4])
{
  mt_camera_orientation_letters (&self->camera, letters);
}

double
mt_volume_view_get_azimuth (MtVolumeView *self)
{
  return self->camera.azimuth;
}

guint
mt_volume_view_get_drawn_serial (MtVolumeView *self)
{
  return self->drawn_serial;
}

void
mt_volume_view_set_camera (MtVolumeView  *self,
                           MtCameraPreset preset)
{
  mt_camera_set_preset (&self->camera, preset);
  camera_moved (self);
}

double
mt_volume_view_get_drag_scale (MtVolumeView *self)
{
  return self->drag_scale;
}
