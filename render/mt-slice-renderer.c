/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-slice-renderer"

#include "config.h"

#include <epoxy/gl.h>
#include <math.h>
#include <string.h>

#include "mt-shader.h"
#include "mt-slice-renderer.h"

struct _MtSliceRenderer
{
  GLuint   program;
  GLuint   line_program;
  GLuint   vao;
  GLuint   line_vao;
  GLuint   line_vbo;
  GLuint   texture;
  GLuint   overlay_program, overlay_tex;
  GLint    loc_overlay_rect, loc_overlay;
  gboolean has_overlay;
  int      width, height;
  double   pixel_w, pixel_h;
  double   center, window;
  gboolean linear;
  gboolean inverted;
  gboolean rgb;
  double   zoom, pan_x, pan_y;
  gboolean crosshair;
  double   cross_u, cross_v;
  double   cross_dir[4];      /* two line directions, screen mm (x right, y down) */
  GLint    loc_rect, loc_low, loc_width, loc_invert, loc_slice, loc_color, loc_rgb;
  /* Fusion: a second image on the same pixels, its own window, a mode. */
  GLuint   fusion_tex;
  int      fusion_mode;
  gboolean has_fusion;
  double   fusion_center, fusion_window, fusion_blend, checker_mm;
  GLint    loc_fusion, loc_fusion_mode, loc_fusion_low, loc_fusion_width, loc_blend, loc_checker;
};

static void image_rect (MtSliceRenderer *r, int vw, int vh, double *x0, double *y0, double *x1, double *y1);

MtSliceRenderer *
mt_slice_renderer_new (GError **error)
{
  GLuint program = mt_shader_program_new ("slice.vert", "slice.frag", NULL, error);
  if (program == 0)
    return NULL;
  GLuint lines = mt_shader_program_new ("line.vert", "line.frag", NULL, error);
  if (lines == 0)
    {
      glDeleteProgram (program);
      return NULL;
    }
  GLuint overlay = mt_shader_program_new ("slice.vert", "overlay.frag", NULL, error);
  if (overlay == 0)
    {
      glDeleteProgram (program);
      glDeleteProgram (lines);
      return NULL;
    }
  MtSliceRenderer *r = g_new0 (MtSliceRenderer, 1);
  r->overlay_program = overlay;
  r->loc_overlay_rect = glGetUniformLocation (overlay, "u_rect");
  r->loc_overlay = glGetUniformLocation (overlay, "u_overlay");
  glGenTextures (1, &r->overlay_tex);
  r->program = program;
  r->line_program = lines;
  r->loc_rect = glGetUniformLocation (program, "u_rect");
  r->loc_low = glGetUniformLocation (program, "u_window_low");
  r->loc_width = glGetUniformLocation (program, "u_window_width");
  r->loc_invert = glGetUniformLocation (program, "u_invert");
  r->loc_slice = glGetUniformLocation (program, "u_slice");
  r->loc_rgb = glGetUniformLocation (program, "u_rgb");
  r->loc_color = glGetUniformLocation (lines, "u_color");
  r->loc_fusion = glGetUniformLocation (program, "u_fusion");
  r->loc_fusion_mode = glGetUniformLocation (program, "u_fusion_mode");
  r->loc_fusion_low = glGetUniformLocation (program, "u_fusion_low");
  r->loc_fusion_width = glGetUniformLocation (program, "u_fusion_width");
  r->loc_blend = glGetUniformLocation (program, "u_blend");
  r->loc_checker = glGetUniformLocation (program, "u_checker");
  glGenTextures (1, &r->fusion_tex);
  r->fusion_blend = 0.5;
  r->checker_mm = 20;
  glGenVertexArrays (1, &r->vao);
  glGenVertexArrays (1, &r->line_vao);
  glGenBuffers (1, &r->line_vbo);
  glBindVertexArray (r->line_vao);
  glBindBuffer (GL_ARRAY_BUFFER, r->line_vbo);
  glBufferData (GL_ARRAY_BUFFER, 8 * sizeof (float), NULL, GL_DYNAMIC_DRAW);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
  glBindVertexArray (0);
  glGenTextures (1, &r->texture);
  r->center = 40;
  r->window = 400;
  r->zoom = 1.0;
  return r;
}

void
mt_slice_renderer_free (MtSliceRenderer *r)
{
  if (r == NULL)
    return;
  glDeleteProgram (r->program);
  glDeleteProgram (r->line_program);
  glDeleteVertexArrays (1, &r->vao);
  glDeleteVertexArrays (1, &r->line_vao);
  glDeleteBuffers (1, &r->line_vbo);
  glDeleteTextures (1, &r->texture);
  glDeleteProgram (r->overlay_program);
  glDeleteTextures (1, &r->overlay_tex);
  glDeleteTextures (1, &r->fusion_tex);
  g_free (r);
}

static void
upload (MtSliceRenderer *r, GLint internal, GLenum format, GLenum type, const void *data, int alignment,
        int width, int height, double pixel_w, double pixel_h, gboolean rgb)
{
  r->width = width;
  r->height = height;
  r->pixel_w = pixel_w;
  r->pixel_h = pixel_h;
  r->rgb = rgb;
  glBindTexture (GL_TEXTURE_2D, r->texture);
  glPixelStorei (GL_UNPACK_ALIGNMENT, alignment);
  glTexImage2D (GL_TEXTURE_2D, 0, internal, width, height, 0, format, type, data);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void
mt_slice_renderer_set_fusion_slice (MtSliceRenderer *r,
                                    const float     *values,
                                    int              width,
                                    int              height)
{
  r->has_fusion = values != NULL;
  if (values == NULL)
    return;
  glBindTexture (GL_TEXTURE_2D, r->fusion_tex);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_R32F, width, height, 0, GL_RED, GL_FLOAT, values);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void
mt_slice_renderer_set_fusion (MtSliceRenderer *r,
                              MtFusionMode     mode,
                              double           blend,
                              double           checker_mm,
                              double           center,
                              double           width)
{
  r->fusion_mode = mode;
  r->fusion_blend = CLAMP (blend, 0.0, 1.0);
  r->checker_mm = checker_mm > 0 ? checker_mm : 20;
  r->fusion_center = center;
  r->fusion_window = width > 0 ? width : 1;
}

void
mt_slice_renderer_set_slice (MtSliceRenderer *r,
                             const float     *values,
                             int              width,
                             int              height,
                             double           pixel_w,
                             double           pixel_h)
{
  /* Full float: the window maps exact values, whatever their range. */
  upload (r, GL_R32F, GL_RED, GL_FLOAT, values, 4, width, height, pixel_w, pixel_h, FALSE);
}

void
mt_slice_renderer_set_rgb_slice (MtSliceRenderer *r,
                                 const guint8    *rgb,
                                 int              width,
                                 int              height,
                                 double           pixel_w,
                                 double           pixel_h)
{
  upload (r, GL_RGB8, GL_RGB, GL_UNSIGNED_BYTE, rgb, 1, width, height, pixel_w, pixel_h, TRUE);
}

void
mt_slice_renderer_set_overlay (MtSliceRenderer *r,
                               const guint8    *rgba,
                               int              width,
                               int              height)
{
  r->has_overlay = rgba != NULL;
  if (rgba == NULL)
    return;
  glBindTexture (GL_TEXTURE_2D, r->overlay_tex);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void
mt_slice_renderer_set_window (MtSliceRenderer *r,
                              double           center,
                              double           width)
{
  r->center = center;
  r->window = MAX (width, 1.0);
}

void
mt_slice_renderer_set_linear (MtSliceRenderer *r,
                              gboolean         linear)
{
  r->linear = linear;
}

void
mt_slice_renderer_set_inverted (MtSliceRenderer *r,
                                gboolean         inverted)
{
  r->inverted = inverted;
}

void
mt_slice_renderer_set_zoom_pan (MtSliceRenderer *r,
                                double           zoom,
                                double           pan_x,
                                double           pan_y)
{
  r->zoom = zoom;
  r->pan_x = pan_x;
  r->pan_y = pan_y;
}

void
mt_slice_renderer_set_crosshair (MtSliceRenderer *r,
                                 gboolean         visible,
                                 double           u,
                                 double           v)
{
  r->crosshair = visible;
  r->cross_u = u;
  r->cross_v = v;
  const double straight[4] = { 1, 0, 0, 1 };
  memcpy (r->cross_dir, straight, sizeof straight);
}

void
mt_slice_renderer_set_crosshair_axes (MtSliceRenderer *r,
                                      const double     dirs[4])
{
  memcpy (r->cross_dir, dirs, sizeof r->cross_dir);
}

void
mt_slice_renderer_slice_to_viewport (MtSliceRenderer *r,
                                     int              vw,
                                     int              vh,
                                     double           u,
                                     double           v,
                                     double          *x,
                                     double          *y)
{
  double x0, y0, x1, y1;
  if (r->width == 0)
    {
      *x = vw / 2.0;
      *y = vh / 2.0;
      return;
    }
  image_rect (r, vw, vh, &x0, &y0, &x1, &y1);
  *x = x0 + u / r->width * (x1 - x0);
  *y = y0 + v / r->height * (y1 - y0);
}

double
mt_slice_renderer_pixels_per_mm (MtSliceRenderer *r,
                                 int              vw,
                                 int              vh)
{
  if (r->width == 0)
    return 1.0;
  double w_mm = r->width * r->pixel_w, h_mm = r->height * r->pixel_h;
  return MIN (vw / w_mm, vh / h_mm) * r->zoom;
}

/* The image rectangle in viewport pixels (top-left origin). */
static void
image_rect (MtSliceRenderer *r, int vw, int vh, double *x0, double *y0, double *x1, double *y1)
{
  double s = mt_slice_renderer_pixels_per_mm (r, vw, vh);
  double w = r->width * r->pixel_w * s, h = r->height * r->pixel_h * s;
  *x0 = 0.5 * (vw - w) + r->pan_x * s;
  *y0 = 0.5 * (vh - h) + r->pan_y * s;
  *x1 = *x0 + w;
  *y1 = *y0 + h;
}

gboolean
mt_slice_renderer_viewport_to_slice (MtSliceRenderer *r,
                                     int              vw,
                                     int              vh,
                                     double           x,
                                     double           y,
                                     double          *u,
                                     double          *v)
{
  if (r->width == 0)
    return FALSE;
  double x0, y0, x1, y1;
  image_rect (r, vw, vh, &x0, &y0, &x1, &y1);
  *u = (x - x0) / (x1 - x0) * r->width;
  *v = (y - y0) / (y1 - y0) * r->height;
  return *u >= 0 && *v >= 0 && *u < r->width && *v < r->height;
}

void
mt_slice_renderer_render (MtSliceRenderer *r,
                          int              vw,
                          int              vh)
{
  glViewport (0, 0, vw, vh);
  glDisable (GL_DEPTH_TEST);
  glDisable (GL_BLEND);
  glClearColor (0, 0, 0, 1);
  glClear (GL_COLOR_BUFFER_BIT);
  if (r->width == 0)
    return;

  double x0, y0, x1, y1;
  image_rect (r, vw, vh, &x0, &y0, &x1, &y1);
  /* Viewport pixels (top-left) to NDC (bottom-left). */
  float rect[4] = { (float) (2 * x0 / vw - 1), (float) (1 - 2 * y1 / vh),
                    (float) (2 * x1 / vw - 1), (float) (1 - 2 * y0 / vh) };
  glUseProgram (r->program);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, r->texture);
  GLint filter = r->linear ? GL_LINEAR : GL_NEAREST;
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glUniform1i (r->loc_slice, 0);
  glUniform4fv (r->loc_rect, 1, rect);
  glUniform1f (r->loc_low, (float) (r->center - r->window / 2));
  glUniform1f (r->loc_width, (float) r->window);
  glUniform1f (r->loc_invert, r->inverted ? 1.0f : 0.0f);
  glUniform1f (r->loc_rgb, r->rgb ? 1.0f : 0.0f);
  int mode = r->has_fusion && !r->rgb ? r->fusion_mode : MT_FUSION_OFF;
  glUniform1i (r->loc_fusion_mode, mode);
  glActiveTexture (GL_TEXTURE1);
  glBindTexture (GL_TEXTURE_2D, r->fusion_tex);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glActiveTexture (GL_TEXTURE0);
  glUniform1i (r->loc_fusion, 1);
  glUniform1f (r->loc_fusion_low, (float) (r->fusion_center - r->fusion_window / 2));
  glUniform1f (r->loc_fusion_width, (float) r->fusion_window);
  glUniform1f (r->loc_blend, (float) r->fusion_blend);
  /* Checkerboard squares: how many fit across the image each way. */
  float checker[2] = { (float) (r->width * r->pixel_w / r->checker_mm), (float) (r->height * r->pixel_h / r->checker_mm) };
  glUniform2fv (r->loc_checker, 1, checker);
  glBindVertexArray (r->vao);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  if (r->has_overlay)
    {
      glEnable (GL_BLEND);
      glBlendFunc (GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
      glUseProgram (r->overlay_program);
      glBindTexture (GL_TEXTURE_2D, r->overlay_tex);
      glUniform1i (r->loc_overlay, 0);
      glUniform4fv (r->loc_overlay_rect, 1, rect);
      glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
      glDisable (GL_BLEND);
    }

  if (r->crosshair)
    {
      double cx = x0 + (r->cross_u / r->width) * (x1 - x0);
      double cy = y0 + (r->cross_v / r->height) * (y1 - y0);
      /* Each line runs through the crosshair point past both edges; the
       * screen has the same pixels per mm both ways. */
      float pts[8];
      double reach = vw + vh;
      for (int l = 0; l < 2; l++)
        {
          double dx = r->cross_dir[2 * l], dy = r->cross_dir[2 * l + 1], n = hypot (dx, dy);
          if (n == 0)
            dx = 1 - l, dy = l, n = 1;
          for (int e = 0; e < 2; e++)
            {
              double sgn = e ? 1 : -1;
              double px = cx + sgn * reach * dx / n, py = cy + sgn * reach * dy / n;
              pts[4 * l + 2 * e] = (float) (2 * px / vw - 1);
              pts[4 * l + 2 * e + 1] = (float) (1 - 2 * py / vh);
            }
        }
      glUseProgram (r->line_program);
      glUniform4f (r->loc_color, 0.95f, 0.75f, 0.15f, 1.0f);
      glBindVertexArray (r->line_vao);
      glBindBuffer (GL_ARRAY_BUFFER, r->line_vbo);
      glBufferSubData (GL_ARRAY_BUFFER, 0, sizeof pts, pts);
      glDrawArrays (GL_LINES, 0, 4);
    }
  glBindVertexArray (0);
  glUseProgram (0);
}
