/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-volume-renderer"

#include "config.h"

#include <epoxy/gl.h>
#include <math.h>
#include <string.h>

#include "mt-shader.h"
#include "mt-volume-renderer.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-volume-renderer-error-quark, mt_volume_renderer_error)

static const float background[3] = { 0.06f, 0.07f, 0.09f };

struct _MtVolumeRenderer
{
  GLuint         program;
  GLuint         vao;
  GLuint         volume_tex;
  GLuint         tf_tex;
  GLuint         occupancy_tex;
  GLuint         brick_max_tex;
  int            bricks[3];
  guint16       *brick_range;   /* per brick: min, max of the packed values, border included */
  float          tf_alpha_max;
  GLuint         fbo, fbo_color;
  int            fbo_w, fbo_h;
  GLuint         surface_color, surface_depth;  /* opaque surfaces; 0: none */
  gboolean       depth_output;  /* keep where rays became half opaque */
  GLuint         depth_out_tex;
  GLuint         timers[2];     /* GL_TIME_ELAPSED, used in turn */
  gboolean       timer_pending[2];
  int            timer_next;
  double         timer_scale[2];
  double         last_gpu_ms;   /* of the newest frame whose time has come back */
  double         last_gpu_scale;
  gboolean       timers_broken;  /* the driver's timer gives nonsense: time the CPU's wait */
  gboolean       has_volume;
  int            dims[3];
  double         spacing[3];
  double         origin[3];
  double         direction[9];
  float          value_scale, value_offset;
  MtRenderPreset preset;
  MtTfPoint     *custom;           /* edited points replacing the preset's; NULL: none */
  int            n_custom;
  double         p1, p995;          /* of the volume, for relative presets */
  double         tf_low, tf_high;   /* the values the table spans */
  double         mip_center, mip_width;
  float          clip_plane[4];
  gboolean       clip_box_on;
  float          clip_box[6];
  GLint          loc_inv_mvp, loc_tex_to_world, loc_normal_matrix, loc_texel, loc_value_map,
                 loc_tf_range, loc_step, loc_shading, loc_background, loc_volume, loc_transfer,
                 loc_occupancy, loc_brick_scale, loc_mip, loc_mip_window, loc_brick_max,
                 loc_surface_color, loc_surface_depth, loc_has_surface, loc_mvp,
                 loc_model, loc_clip_plane, loc_clip_lo, loc_clip_hi;
};

void
mt_volume_renderer_background (float rgb[3])
{
  memcpy (rgb, background, sizeof background);
}

MtVolumeRenderer *
mt_volume_renderer_new (GError **error)
{
  GLuint program = mt_shader_program_new ("fullscreen.vert", "raycast.frag", NULL, error);
  if (program == 0)
    return NULL;
  MtVolumeRenderer *r = g_new0 (MtVolumeRenderer, 1);
  r->program = program;
  r->tf_low = MT_TF_LOW;
  r->tf_high = MT_TF_HIGH;
#define LOC(field, name) r->field = glGetUniformLocation (program, name)
  LOC (loc_inv_mvp, "u_inv_mvp");
  LOC (loc_tex_to_world, "u_tex_to_world");
  LOC (loc_normal_matrix, "u_normal_matrix");
  LOC (loc_texel, "u_texel");
  LOC (loc_value_map, "u_value_map");
  LOC (loc_tf_range, "u_tf_range");
  LOC (loc_step, "u_step_mm");
  LOC (loc_surface_color, "u_surface_color");
  LOC (loc_mvp, "u_mvp");
  LOC (loc_surface_depth, "u_surface_depth");
  LOC (loc_has_surface, "u_has_surface");
  LOC (loc_shading, "u_shading");
  LOC (loc_background, "u_background");
  LOC (loc_volume, "u_volume");
  LOC (loc_transfer, "u_transfer");
  LOC (loc_occupancy, "u_occupancy");
  LOC (loc_brick_scale, "u_brick_scale");
  LOC (loc_mip, "u_mip");
  LOC (loc_mip_window, "u_mip_window");
  LOC (loc_brick_max, "u_brick_max");
  LOC (loc_model, "u_tex_to_world4");
  LOC (loc_clip_plane, "u_clip_plane");
  LOC (loc_clip_lo, "u_clip_lo");
  LOC (loc_clip_hi, "u_clip_hi");
#undef LOC
  glGenVertexArrays (1, &r->vao);
  glGenTextures (1, &r->volume_tex);
  glGenTextures (1, &r->tf_tex);
  glGenTextures (1, &r->occupancy_tex);
  glGenTextures (1, &r->brick_max_tex);
  glGenQueries (2, r->timers);
  r->last_gpu_ms = -1;
  r->mip_center = 200;
  r->mip_width = 700;
  mt_volume_renderer_set_preset (r, MT_PRESET_CT_BONE);
  return r;
}

void
mt_volume_renderer_free (MtVolumeRenderer *r)
{
  if (r == NULL)
    return;
  glDeleteProgram (r->program);
  glDeleteVertexArrays (1, &r->vao);
  glDeleteTextures (1, &r->volume_tex);
  glDeleteTextures (1, &r->tf_tex);
  glDeleteTextures (1, &r->occupancy_tex);
  glDeleteTextures (1, &r->brick_max_tex);
  glDeleteQueries (2, r->timers);
  if (r->depth_out_tex)
    glDeleteTextures (1, &r->depth_out_tex);
  g_free (r->brick_range);
  g_free (r->custom);
  if (r->fbo)
    {
      glDeleteFramebuffers (1, &r->fbo);
      glDeleteTextures (1, &r->fbo_color);
    }
  g_free (r);
}

/* Empty-space skipping: the volume is cut into bricks of BRICK^3 voxels; a
 * brick whose values all map to (nearly) zero opacity is skipped by the rays
 * in one leap. Small bricks keep the band of sampled air around a surface
 * thin, which matters most for rays that graze it (a body seen from its
 * feet): 4 voxels make the thorax's bone frame 2.5 times faster than 16,
 * for a tenth of a second more when a scan opens. Ranges include a one-voxel border, since trilinear samples and
 * gradients near a brick's faces read its neighbours. */
#define BRICK 4
#define VISIBLE_ALPHA 0.002f

static void
compute_brick_ranges (MtVolumeRenderer *r, const guint16 *v, const int d[3])
{
  for (int a = 0; a < 3; a++)
    r->bricks[a] = (d[a] + BRICK - 1) / BRICK;
  gsize n = (gsize) r->bricks[0] * r->bricks[1] * r->bricks[2];
  g_free (r->brick_range);
  r->brick_range = g_new (guint16, 2 * n);
  for (int bk = 0; bk < r->bricks[2]; bk++)
    for (int bj = 0; bj < r->bricks[1]; bj++)
      for (int bi = 0; bi < r->bricks[0]; bi++)
        {
          guint16 lo = G_MAXUINT16, hi = 0;
          int k0 = MAX (bk * BRICK - 1, 0), k1 = MIN ((bk + 1) * BRICK + 1, d[2]);
          int j0 = MAX (bj * BRICK - 1, 0), j1 = MIN ((bj + 1) * BRICK + 1, d[1]);
          int i0 = MAX (bi * BRICK - 1, 0), i1 = MIN ((bi + 1) * BRICK + 1, d[0]);
          for (int k = k0; k < k1; k++)
            for (int j = j0; j < j1; j++)
              {
                const guint16 *row = v + ((gsize) k * d[1] + j) * d[0];
                for (int i = i0; i < i1; i++)
                  {
                    lo = MIN (lo, row[i]);
                    hi = MAX (hi, row[i]);
                  }
              }
          gsize b = ((gsize) bk * r->bricks[1] + bj) * r->bricks[0] + bi;
          r->brick_range[2 * b] = lo;
          r->brick_range[2 * b + 1] = hi;
        }
  /* Each brick's maximum, for a MIP to leap over bricks that cannot raise
   * the peak it has already found. */
  g_autofree guint16 *max = g_new (guint16, n);
  for (gsize b = 0; b < n; b++)
    max[b] = r->brick_range[2 * b + 1];
  glBindTexture (GL_TEXTURE_3D, r->brick_max_tex);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 2);
  glTexImage3D (GL_TEXTURE_3D, 0, GL_R16, r->bricks[0], r->bricks[1], r->bricks[2], 0, GL_RED, GL_UNSIGNED_SHORT, max);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
}

/* Edited points always composite, even over the MIP preset. */
static gboolean
showing_mip (MtVolumeRenderer *r)
{
  return r->custom == NULL && mt_render_preset_is_mip (r->preset);
}

/* Each empty brick's Chebyshev distance, in bricks, to the nearest brick
 * that may show something (0: that brick itself; at most 255). A ray in a
 * brick at distance d crosses the empty cube of 2d - 1 bricks around it in
 * one leap. In: 0 for visible bricks, 255 for empty ones. Two chamfer passes
 * over the 26 neighbours give the exact Chebyshev distance. */
static void
brick_distances (guint8 *d, const int n[3])
{
  for (int pass = 0; pass < 2; pass++)
    {
      int dir = pass == 0 ? 1 : -1;
      for (int kk = 0; kk < n[2]; kk++)
        for (int jj = 0; jj < n[1]; jj++)
          for (int ii = 0; ii < n[0]; ii++)
            {
              int k = pass == 0 ? kk : n[2] - 1 - kk, j = pass == 0 ? jj : n[1] - 1 - jj;
              int i = pass == 0 ? ii : n[0] - 1 - ii;
              guint8 *here = d + ((gsize) k * n[1] + j) * n[0] + i;
              if (*here == 0)
                continue;
              /* The neighbours already visited in this pass' order. */
              for (int dk = -1; dk <= 0; dk++)
                for (int dj = -1; dj <= 1; dj++)
                  for (int di = -1; di <= 1; di++)
                    {
                      if (dk == 0 && (dj > 0 || (dj == 0 && di >= 0)))
                        continue;
                      int a = i + dir * di, bb = j + dir * dj, c = k + dir * dk;
                      if (a < 0 || bb < 0 || c < 0 || a >= n[0] || bb >= n[1] || c >= n[2])
                        continue;
                      guint8 other = d[((gsize) c * n[1] + bb) * n[0] + a];
                      if (other + 1 < *here)
                        *here = other + 1;
                    }
            }
    }
}

static void
update_occupancy_with (MtVolumeRenderer *r, const float *rgba)
{
  if (r->brick_range == NULL)
    return;
  /* prefix[i]: how many table entries below i are visible, so any value
   * range is tested in constant time. */
  g_autofree guint32 *prefix = g_new (guint32, MT_TF_SIZE + 1);
  prefix[0] = 0;
  /* A MIP needs only the bricks that reach above the window's low edge:
   * anything below shows black however it is mixed. */
  const double mip_low = r->mip_center - r->mip_width / 2;
  for (int i = 0; i < MT_TF_SIZE; i++)
    {
      double hu = r->tf_low + (r->tf_high - r->tf_low) * i / (MT_TF_SIZE - 1);
      gboolean visible = showing_mip (r) ? hu >= mip_low : rgba[4 * i + 3] > VISIBLE_ALPHA;
      prefix[i + 1] = prefix[i] + visible;
    }
  gsize n = (gsize) r->bricks[0] * r->bricks[1] * r->bricks[2];
  g_autofree guint8 *occ = g_new (guint8, n);
  const double per_unit = r->value_scale / 65535.0;
  for (gsize b = 0; b < n; b++)
    {
      double lo_v = r->value_offset + r->brick_range[2 * b] * per_unit;
      double hi_v = r->value_offset + r->brick_range[2 * b + 1] * per_unit;
      int lo = (int) floor ((lo_v - r->tf_low) / (r->tf_high - r->tf_low) * (MT_TF_SIZE - 1));
      int hi = (int) ceil ((hi_v - r->tf_low) / (r->tf_high - r->tf_low) * (MT_TF_SIZE - 1));
      lo = CLAMP (lo, 0, MT_TF_SIZE - 1);
      hi = CLAMP (hi, 0, MT_TF_SIZE - 1);
      occ[b] = prefix[hi + 1] - prefix[lo] > 0 ? 0 : 255;
    }
  brick_distances (occ, r->bricks);
  glBindTexture (GL_TEXTURE_3D, r->occupancy_tex);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 1);
  glTexImage3D (GL_TEXTURE_3D, 0, GL_R8, r->bricks[0], r->bricks[1], r->bricks[2], 0, GL_RED,
                GL_UNSIGNED_BYTE, occ);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
}

/* The table the rays read, from the preset or the edited points, and the
 * values it spans. */
static float *
build_table (MtVolumeRenderer *r)
{
  float *rgba = g_new (float, MT_TF_SIZE * 4);
  if (r->custom != NULL)
    {
      r->tf_low = r->custom[0].value;
      r->tf_high = MAX (r->custom[r->n_custom - 1].value, r->tf_low + 1);
      mt_transfer_function_fill_points (r->custom, r->n_custom, r->tf_low, r->tf_high, rgba);
      return rgba;
    }
  mt_transfer_function_range (r->preset, r->p1, r->p995, &r->tf_low, &r->tf_high);
  mt_transfer_function_fill (r->preset, rgba);
  return rgba;
}

static void
update_occupancy (MtVolumeRenderer *r)
{
  g_autofree float *rgba = build_table (r);
  update_occupancy_with (r, rgba);
}

gboolean
mt_volume_renderer_set_volume (MtVolumeRenderer *r,
                               const MtVolume   *v,
                               GError          **error)
{
  GLint max_size = 0;
  glGetIntegerv (GL_MAX_3D_TEXTURE_SIZE, &max_size);
  /* Larger than the GPU takes along some axis: average 2x2x2 blocks until it
   * fits, rather than fail. */
  int factor = 1;
  while (v->dims[0] / factor > max_size || v->dims[1] / factor > max_size || v->dims[2] / factor > max_size)
    factor *= 2;
  int d[3] = { MAX (1, v->dims[0] / factor), MAX (1, v->dims[1] / factor), MAX (1, v->dims[2] / factor) };

  float lo, hi;
  mt_volume_get_range (v, &lo, &hi);
  float range = MAX (hi - lo, 1e-6f);
  gsize n = (gsize) d[0] * d[1] * d[2];
  guint16 *packed = g_try_malloc (n * sizeof (guint16));
  if (packed == NULL)
    {
      g_set_error (error, MT_VOLUME_RENDERER_ERROR, MT_VOLUME_RENDERER_ERROR_MEMORY, "Not enough memory to upload the volume");
      return FALSE;
    }
  /* 16-bit normalised: exact for integer HU over a range of up to 65535. */
  float scale = 65535.0f / range;
  for (int k = 0; k < d[2]; k++)
    for (int j = 0; j < d[1]; j++)
      for (int i = 0; i < d[0]; i++)
        {
          float sum = 0;
          for (int c = 0; c < factor * factor * factor; c++)
            sum += v->data[mt_volume_offset (v, MIN (i * factor + c % factor, v->dims[0] - 1),
                                             MIN (j * factor + (c / factor) % factor, v->dims[1] - 1),
                                             MIN (k * factor + c / (factor * factor), v->dims[2] - 1))];
          float x = sum / (factor * factor * factor);
          packed[((gsize) k * d[1] + j) * d[0] + i] = (guint16) lrintf ((x - lo) * scale);
        }
  compute_brick_ranges (r, packed, d);
  /* The scan's own range, for presets on a relative scale (MR); 65,536
   * voxels give the percentiles to a fraction of a percent. */
  mt_volume_percentiles (v, 1 << 16, 0.01, 0.995, &r->p1, &r->p995);
  glBindTexture (GL_TEXTURE_3D, r->volume_tex);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 2);
  glTexImage3D (GL_TEXTURE_3D, 0, GL_R16, d[0], d[1], d[2], 0, GL_RED, GL_UNSIGNED_SHORT, packed);
  g_free (packed);
  GLenum err = glGetError ();
  if (err != GL_NO_ERROR)
    {
      g_set_error (error, MT_VOLUME_RENDERER_ERROR, MT_VOLUME_RENDERER_ERROR_DRIVER,
                   "The graphics driver refused a %d x %d x %d volume texture (GL error 0x%x)",
                   d[0], d[1], d[2], err);
      r->has_volume = FALSE;
      return FALSE;
    }
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_3D, GL_TEXTURE_WRAP_R, GL_CLAMP_TO_EDGE);

  memcpy (r->dims, d, sizeof r->dims);
  for (int a = 0; a < 3; a++)
    r->spacing[a] = v->spacing[a] * v->dims[a] / d[a];
  /* Block centres shift by half the block. */
  double shift[3] = { 0.5 * (factor - 1), 0.5 * (factor - 1), 0.5 * (factor - 1) };
  mt_volume_index_to_patient (v, shift, r->origin);
  memcpy (r->direction, v->direction, sizeof r->direction);
  r->value_scale = range;
  r->value_offset = lo;
  r->has_volume = TRUE;
  update_occupancy (r);
  return TRUE;
}

void
mt_volume_renderer_set_window (MtVolumeRenderer *r,
                               double            center,
                               double            width)
{
  if (center == r->mip_center && MAX (width, 1e-6) == r->mip_width)
    return;
  r->mip_center = center;
  r->mip_width = MAX (width, 1e-6);
  if (showing_mip (r))
    update_occupancy (r);
}

void
mt_volume_renderer_set_clip_plane (MtVolumeRenderer *r,
                                   const double      plane[4])
{
  for (int i = 0; i < 4; i++)
    r->clip_plane[i] = (float) plane[i];
}

void
mt_volume_renderer_set_clip_box (MtVolumeRenderer *r,
                                 const double     *box)
{
  r->clip_box_on = box != NULL;
  for (int i = 0; box && i < 6; i++)
    r->clip_box[i] = (float) box[i];
}

static void upload_table (MtVolumeRenderer *r);

void
mt_volume_renderer_set_preset (MtVolumeRenderer *r,
                               MtRenderPreset    preset)
{
  mt_volume_renderer_set_transfer (r, preset, NULL, 0);
}

void
mt_volume_renderer_set_transfer_points (MtVolumeRenderer *r,
                                        const MtTfPoint  *points,
                                        int               n)
{
  mt_volume_renderer_set_transfer (r, r->preset, points, n);
}

void
mt_volume_renderer_set_transfer (MtVolumeRenderer *r,
                                 MtRenderPreset    preset,
                                 const MtTfPoint  *points,
                                 int               n)
{
  r->preset = preset;
  g_clear_pointer (&r->custom, g_free);
  if (points != NULL && n >= 2)
    {
      r->custom = g_memdup2 (points, sizeof (MtTfPoint) * n);
      r->n_custom = n;
    }
  upload_table (r);
}

static void
upload_table (MtVolumeRenderer *r)
{
  g_autofree float *rgba = build_table (r);
  update_occupancy_with (r, rgba);
  glBindTexture (GL_TEXTURE_2D, r->tf_tex);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA32F, MT_TF_SIZE, 1, 0, GL_RGBA, GL_FLOAT, rgba);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

/* Texture coordinates [0,1]^3 to patient mm, as a column-major 4x4. */
static void
texture_to_world (MtVolumeRenderer *r, mat4 m)
{
  glm_mat4_identity (m);
  for (int c = 0; c < 3; c++)
    for (int row = 0; row < 3; row++)
      m[c][row] = (float) (r->direction[row * 3 + c] * r->spacing[c] * r->dims[c]);
  /* Texel centres: texture t maps to index t * dims - 0.5. */
  for (int row = 0; row < 3; row++)
    {
      double o = r->origin[row];
      for (int c = 0; c < 3; c++)
        o -= 0.5 * r->direction[row * 3 + c] * r->spacing[c];
      m[3][row] = (float) o;
    }
}

static void
ensure_fbo (MtVolumeRenderer *r, int w, int h)
{
  if (r->fbo && r->fbo_w == w && r->fbo_h == h)
    return;
  if (!r->fbo)
    {
      glGenFramebuffers (1, &r->fbo);
      glGenTextures (1, &r->fbo_color);
    }
  glBindTexture (GL_TEXTURE_2D, r->fbo_color);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  if (!r->depth_out_tex)
    glGenTextures (1, &r->depth_out_tex);
  glBindTexture (GL_TEXTURE_2D, r->depth_out_tex);
  glTexImage2D (GL_TEXTURE_2D, 0, GL_R32F, w, h, 0, GL_RED, GL_FLOAT, NULL);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindFramebuffer (GL_FRAMEBUFFER, r->fbo);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, r->fbo_color, 0);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT1, GL_TEXTURE_2D, r->depth_out_tex, 0);
  const GLenum buffers[2] = { GL_COLOR_ATTACHMENT0, GL_COLOR_ATTACHMENT1 };
  glDrawBuffers (2, buffers);
  r->fbo_w = w;
  r->fbo_h = h;
}

void
mt_volume_renderer_render (MtVolumeRenderer *r,
                           const MtCamera   *camera,
                           int               vw,
                           int               vh,
                           MtRenderQuality   quality)
{
  /* Interactive frames: a quarter of the pixels each way and 2.5 times the
   * step (about 20 frames a second on 2 llvmpipe cores at 800x600); the full
   * frame follows when the mouse stops. Turning by itself for a class, the
   * picture matters more than the frame rate: half the pixels each way. */
  if (quality == MT_QUALITY_INTERACTIVE)
    mt_volume_renderer_render_scaled (r, camera, vw, vh, 4, 2.5);
  else if (quality == MT_QUALITY_MOTION)
    mt_volume_renderer_render_scaled (r, camera, vw, vh, 2, 1.5);
  else
    mt_volume_renderer_render_scaled (r, camera, vw, vh, 1, 1);
}

/* The GPU's time for earlier frames, read without waiting: a query is
 * looked at only once the GL says its result is there. */
static void
collect_timers (MtVolumeRenderer *r)
{
  for (int q = 0; q < 2; q++)
    {
      GLint available = 0;
      if (!r->timer_pending[q])
        continue;
      glGetQueryObjectiv (r->timers[q], GL_QUERY_RESULT_AVAILABLE, &available);
      if (!available)
        continue;
      GLuint64 ns = 0;
      glGetQueryObjectui64v (r->timers[q], GL_QUERY_RESULT, &ns);
      r->timer_pending[q] = FALSE;
      /* Some drivers (Mesa's llvmpipe among them) answer with garbage. */
      if (ns == 0 || ns > G_GUINT64_CONSTANT (60000000000))
        {
          r->timers_broken = TRUE;
          continue;
        }
      r->last_gpu_ms = ns / 1e6;
      r->last_gpu_scale = r->timer_scale[q];
    }
}

double
mt_volume_renderer_get_gpu_ms (MtVolumeRenderer *r,
                               double           *pixel_scale)
{
  collect_timers (r);
  if (pixel_scale != NULL)
    *pixel_scale = r->last_gpu_scale;
  return r->last_gpu_ms;
}

double
mt_adapt_pixel_scale (double scale,
                      double frame_ms,
                      double target_ms)
{
  if (!(frame_ms > 0) || !(target_ms > 0))
    return scale;
  /* The time goes with the number of rays, the square of the scale; move
   * half-way (in ratio) to the scale that would have met the target, so one
   * odd frame does not make the picture jump. */
  double wanted = scale * sqrt (frame_ms / target_ms);
  double next = sqrt (scale * wanted);
  return CLAMP (next, 1.0, 8.0);
}

void
mt_volume_renderer_set_depth_output (MtVolumeRenderer *r,
                                     gboolean          on)
{
  r->depth_output = on;
}

GLuint
mt_volume_renderer_get_depth_texture (MtVolumeRenderer *r,
                                      int              *w,
                                      int              *h)
{
  *w = r->fbo_w;
  *h = r->fbo_h;
  return r->depth_output ? r->depth_out_tex : 0;
}

void
mt_volume_renderer_set_surfaces (MtVolumeRenderer *r,
                                 GLuint            color,
                                 GLuint            depth)
{
  r->surface_color = color;
  r->surface_depth = depth;
}

double
mt_drag_step_scale (double pixel_scale)
{
  return CLAMP (1.0 + 0.5 * (pixel_scale - 1.0), 1.0, 2.5);
}

void
mt_volume_renderer_render_scaled (MtVolumeRenderer *r,
                                  const MtCamera   *camera,
                                  int               vw,
                                  int               vh,
                                  double            pixel_scale,
                                  double            step_scale)
{
  GLint target_fbo = 0;
  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &target_fbo);
  glDisable (GL_DEPTH_TEST);
  glDisable (GL_BLEND);
  if (!r->has_volume)
    {
      glViewport (0, 0, vw, vh);
      glClearColor (background[0], background[1], background[2], 1);
      glClear (GL_COLOR_BUFFER_BIT);
      return;
    }

  pixel_scale = MAX (pixel_scale, 1.0);
  /* Through the renderer's own picture when it is smaller than the
   * viewport, or when the depth of the rays is wanted. */
  const gboolean reduced = pixel_scale > 1.0 || r->depth_output;
  int w = MAX (1, (int) lround (vw / pixel_scale)), h = MAX (1, (int) lround (vh / pixel_scale));
  if (reduced)
    {
      ensure_fbo (r, w, h);
      glBindFramebuffer (GL_FRAMEBUFFER, r->fbo);
    }
  glViewport (0, 0, w, h);

  mat4 view, proj, model, mvp, inv;
  mt_camera_matrices (camera, (double) vw / vh, view, proj);
  texture_to_world (r, model);
  glm_mat4_mul (proj, view, mvp);
  glm_mat4_mul (mvp, model, mvp);
  glm_mat4_inv (mvp, inv);
  mat3 tex_to_world, ds, normal;
  glm_mat4_pick3 (model, tex_to_world);
  /* Gradients are taken per voxel: world normals need (D S)^-T. */
  for (int c = 0; c < 3; c++)
    for (int row = 0; row < 3; row++)
      ds[c][row] = (float) (r->direction[row * 3 + c] * r->spacing[c]);
  glm_mat3_inv (ds, normal);
  glm_mat3_transpose (normal);

  double min_spacing = MIN (r->spacing[0], MIN (r->spacing[1], r->spacing[2]));
  float step = (float) (min_spacing * MAX (step_scale, 1.0));

  glUseProgram (r->program);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_3D, r->volume_tex);
  glUniform1i (r->loc_volume, 0);
  glActiveTexture (GL_TEXTURE1);
  glBindTexture (GL_TEXTURE_2D, r->tf_tex);
  glUniform1i (r->loc_transfer, 1);
  glActiveTexture (GL_TEXTURE2);
  glBindTexture (GL_TEXTURE_3D, r->occupancy_tex);
  glUniform1i (r->loc_occupancy, 2);
  glActiveTexture (GL_TEXTURE3);
  glBindTexture (GL_TEXTURE_3D, r->brick_max_tex);
  glUniform1i (r->loc_brick_max, 3);
  glUniform1f (r->loc_has_surface, r->surface_depth != 0 ? 1.0f : 0.0f);
  glActiveTexture (GL_TEXTURE4);
  glBindTexture (GL_TEXTURE_2D, r->surface_color);
  glUniform1i (r->loc_surface_color, 4);
  glActiveTexture (GL_TEXTURE5);
  glBindTexture (GL_TEXTURE_2D, r->surface_depth);
  glUniform1i (r->loc_surface_depth, 5);
  glActiveTexture (GL_TEXTURE0);
  glUniform3f (r->loc_brick_scale, (float) r->dims[0] / BRICK, (float) r->dims[1] / BRICK,
               (float) r->dims[2] / BRICK);
  glUniformMatrix4fv (r->loc_inv_mvp, 1, GL_FALSE, (float *) inv);
  glUniformMatrix4fv (r->loc_mvp, 1, GL_FALSE, (float *) mvp);
  glUniformMatrix3fv (r->loc_tex_to_world, 1, GL_FALSE, (float *) tex_to_world);
  glUniformMatrix3fv (r->loc_normal_matrix, 1, GL_FALSE, (float *) normal);
  glUniform3f (r->loc_texel, 1.0f / r->dims[0], 1.0f / r->dims[1], 1.0f / r->dims[2]);
  glUniform2f (r->loc_value_map, r->value_scale, r->value_offset);
  glUniform2f (r->loc_tf_range, (float) r->tf_low, (float) (1.0 / (r->tf_high - r->tf_low)));
  glUniform1f (r->loc_step, step);
  glUniform1f (r->loc_shading, r->custom != NULL || mt_render_preset_shaded (r->preset) ? 1.0f : 0.0f);
  glUniform1f (r->loc_mip, showing_mip (r) ? 1.0f : 0.0f);
  glUniformMatrix4fv (r->loc_model, 1, GL_FALSE, (float *) model);
  glUniform4fv (r->loc_clip_plane, 1, r->clip_plane);
  if (r->clip_box_on)
    {
      glUniform3f (r->loc_clip_lo, r->clip_box[0], r->clip_box[2], r->clip_box[4]);
      glUniform3f (r->loc_clip_hi, r->clip_box[1], r->clip_box[3], r->clip_box[5]);
    }
  else
    {
      glUniform3f (r->loc_clip_lo, -1e9f, -1e9f, -1e9f);
      glUniform3f (r->loc_clip_hi, 1e9f, 1e9f, 1e9f);
    }
  glUniform2f (r->loc_mip_window, (float) (r->mip_center - r->mip_width / 2), (float) (1.0 / r->mip_width));
  glUniform3fv (r->loc_background, 1, background);
  collect_timers (r);
  int q = r->timer_next;
  gboolean timed = !r->timer_pending[q] && !r->timers_broken;
  gint64 t0 = g_get_monotonic_time ();
  if (timed)
    glBeginQuery (GL_TIME_ELAPSED, r->timers[q]);
  glBindVertexArray (r->vao);
  glDrawArrays (GL_TRIANGLES, 0, 3);
  glBindVertexArray (0);
  if (timed)
    {
      glEndQuery (GL_TIME_ELAPSED);
      r->timer_pending[q] = TRUE;
      r->timer_scale[q] = pixel_scale;
      r->timer_next = 1 - q;
    }
  else if (r->timers_broken && reduced)
    {
      /* Only the reduced frames drawn while dragging wait for the GL; their
       * time sets the next one's size. */
      glFinish ();
      r->last_gpu_ms = (g_get_monotonic_time () - t0) / 1000.0;
      r->last_gpu_scale = pixel_scale;
    }
  glUseProgram (0);

  if (reduced)
    {
      glBindFramebuffer (GL_READ_FRAMEBUFFER, r->fbo);
      glBindFramebuffer (GL_DRAW_FRAMEBUFFER, (GLuint) target_fbo);
      glViewport (0, 0, vw, vh);
      glBlitFramebuffer (0, 0, w, h, 0, 0, vw, vh, GL_COLOR_BUFFER_BIT, GL_LINEAR);
      glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) target_fbo);
    }
}
