/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-mesh-renderer"

#include "config.h"

#include <cglm/cglm.h>

#include "mt-animation.h"
#include "mt-mesh-renderer.h"
#include "mt-shader.h"
#include "mt-volume-renderer.h"

typedef struct
{
  GLuint  vao, vbo, ibo, anchor_vbo;
  GLsizei n_indices;
  guint   n_vertices;
  float   rgba[4];
  float   model[16];
  float   normal_matrix[9];
  float   radial;
} Surface;

struct _MtMeshRenderer
{
  GLuint  opaque_program, oit_program, composite_program;
  GLint   loc_vp[2], loc_color[2], loc_eye[2], loc_accum, loc_weight, loc_ratio;
  GLint   loc_model[2], loc_normal_matrix[2], loc_radial[2];
  GLint   loc_volume_depth, loc_has_volume_depth, loc_viewport;
  GArray *surfaces;
  /* Blood particles, drawn with the opaque surfaces. */
  GLuint  points_program, points_vao, points_vbo;
  GLint   loc_points_vp, loc_points_size, loc_points_color;
  guint   n_points;
  float   points_rgba[4], points_size;
  GLuint  empty_vao;
  /* The opaque picture: colour and depth. */
  GLuint  fbo, color_tex, depth_tex;
  /* The transparent layers: accumulation (and revealage) and weights. */
  GLuint  oit_fbo, accum_tex, weight_tex;
  int     w, h;
};

MtMeshRenderer *
mt_mesh_renderer_new (GError **error)
{
  const char *oit[] = { "OIT", NULL };
  GLuint opaque = mt_shader_program_new ("mesh.vert", "mesh.frag", NULL, error);
  if (opaque == 0)
    return NULL;
  GLuint transparent = mt_shader_program_new ("mesh.vert", "mesh.frag", oit, error);
  if (transparent == 0)
    {
      glDeleteProgram (opaque);
      return NULL;
    }
  GLuint composite = mt_shader_program_new ("fullscreen.vert", "oit-composite.frag", NULL, error);
  if (composite == 0)
    {
      glDeleteProgram (opaque);
      glDeleteProgram (transparent);
      return NULL;
    }
  GLuint points = mt_shader_program_new ("points.vert", "points.frag", NULL, error);
  if (points == 0)
    {
      glDeleteProgram (opaque);
      glDeleteProgram (transparent);
      glDeleteProgram (composite);
      return NULL;
    }
  MtMeshRenderer *r = g_new0 (MtMeshRenderer, 1);
  r->points_program = points;
  r->loc_points_vp = glGetUniformLocation (points, "u_view_proj");
  r->loc_points_size = glGetUniformLocation (points, "u_size");
  r->loc_points_color = glGetUniformLocation (points, "u_color");
  glGenVertexArrays (1, &r->points_vao);
  glGenBuffers (1, &r->points_vbo);
  r->opaque_program = opaque;
  r->oit_program = transparent;
  r->composite_program = composite;
  GLuint programs[2] = { opaque, transparent };
  for (int p = 0; p < 2; p++)
    {
      r->loc_vp[p] = glGetUniformLocation (programs[p], "u_view_proj");
      r->loc_color[p] = glGetUniformLocation (programs[p], "u_color");
      r->loc_eye[p] = glGetUniformLocation (programs[p], "u_eye");
      r->loc_model[p] = glGetUniformLocation (programs[p], "u_model");
      r->loc_normal_matrix[p] = glGetUniformLocation (programs[p], "u_normal_matrix");
      r->loc_radial[p] = glGetUniformLocation (programs[p], "u_radial");
    }
  r->loc_volume_depth = glGetUniformLocation (transparent, "u_volume_depth");
  r->loc_has_volume_depth = glGetUniformLocation (transparent, "u_has_volume_depth");
  r->loc_viewport = glGetUniformLocation (transparent, "u_viewport");
  r->loc_accum = glGetUniformLocation (composite, "u_accum");
  r->loc_weight = glGetUniformLocation (composite, "u_weight");
  r->loc_ratio = glGetUniformLocation (composite, "u_ratio");
  r->surfaces = g_array_new (FALSE, TRUE, sizeof (Surface));
  glGenVertexArrays (1, &r->empty_vao);
  return r;
}

static void
delete_targets (MtMeshRenderer *r)
{
  GLuint fbos[2] = { r->fbo, r->oit_fbo };
  GLuint texs[4] = { r->color_tex, r->depth_tex, r->accum_tex, r->weight_tex };
  glDeleteFramebuffers (2, fbos);
  glDeleteTextures (4, texs);
  r->fbo = r->oit_fbo = r->color_tex = r->depth_tex = r->accum_tex = r->weight_tex = 0;
  r->w = r->h = 0;
}

void
mt_mesh_renderer_clear (MtMeshRenderer *r)
{
  for (guint i = 0; i < r->surfaces->len; i++)
    {
      Surface *s = &g_array_index (r->surfaces, Surface, i);
      glDeleteVertexArrays (1, &s->vao);
      glDeleteBuffers (1, &s->vbo);
      glDeleteBuffers (1, &s->ibo);
      if (s->anchor_vbo != 0)
        glDeleteBuffers (1, &s->anchor_vbo);
    }
  g_array_set_size (r->surfaces, 0);
  r->n_points = 0;
}

void
mt_mesh_renderer_free (MtMeshRenderer *r)
{
  if (r == NULL)
    return;
  mt_mesh_renderer_clear (r);
  g_array_unref (r->surfaces);
  delete_targets (r);
  glDeleteVertexArrays (1, &r->empty_vao);
  glDeleteProgram (r->opaque_program);
  glDeleteProgram (r->oit_program);
  glDeleteProgram (r->composite_program);
  glDeleteProgram (r->points_program);
  glDeleteVertexArrays (1, &r->points_vao);
  glDeleteBuffers (1, &r->points_vbo);
  g_free (r);
}

guint
mt_mesh_renderer_add (MtMeshRenderer *r,
                      const MtMesh   *mesh,
                      const float     rgba[4])
{
  Surface s = { 0 };
  memcpy (s.rgba, rgba, sizeof s.rgba);
  const float still[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
  const float still3[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
  memcpy (s.model, still, sizeof s.model);
  memcpy (s.normal_matrix, still3, sizeof s.normal_matrix);
  s.radial = 1;
  s.n_vertices = mesh->n_vertices;
  /* Positions and normals interleaved. */
  g_autofree float *interleaved = g_new (float, 6 * (gsize) MAX (mesh->n_vertices, 1));
  for (guint v = 0; v < mesh->n_vertices; v++)
    {
      memcpy (interleaved + 6 * (gsize) v, mesh->vertices + 3 * (gsize) v, 3 * sizeof (float));
      memcpy (interleaved + 6 * (gsize) v + 3, mesh->normals + 3 * (gsize) v, 3 * sizeof (float));
    }
  glGenVertexArrays (1, &s.vao);
  glGenBuffers (1, &s.vbo);
  glGenBuffers (1, &s.ibo);
  glBindVertexArray (s.vao);
  glBindBuffer (GL_ARRAY_BUFFER, s.vbo);
  glBufferData (GL_ARRAY_BUFFER, (GLsizeiptr) (6 * sizeof (float) * mesh->n_vertices), interleaved, GL_STATIC_DRAW);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 3, GL_FLOAT, GL_FALSE, 6 * sizeof (float), NULL);
  glEnableVertexAttribArray (1);
  glVertexAttribPointer (1, 3, GL_FLOAT, GL_FALSE, 6 * sizeof (float), (void *) (3 * sizeof (float)));
  glBindBuffer (GL_ELEMENT_ARRAY_BUFFER, s.ibo);
  glBufferData (GL_ELEMENT_ARRAY_BUFFER, (GLsizeiptr) (3 * sizeof (guint32) * mesh->n_triangles), mesh->triangles,
                GL_STATIC_DRAW);
  glBindVertexArray (0);
  s.n_indices = (GLsizei) (3 * mesh->n_triangles);
  g_array_append_val (r->surfaces, s);
  return r->surfaces->len - 1;
}

void
mt_mesh_renderer_set_color (MtMeshRenderer *r,
                            guint           index,
                            const float     rgba[4])
{
  g_return_if_fail (index < r->surfaces->len);
  memcpy (g_array_index (r->surfaces, Surface, index).rgba, rgba, 4 * sizeof (float));
}

static void
mt_mesh_renderer_set_motion (MtMeshRenderer *r,
                             guint           index,
                             const float     model[16],
                             float           radial)
{
  g_return_if_fail (index < r->surfaces->len);
  Surface *s = &g_array_index (r->surfaces, Surface, index);
  memcpy (s->model, model, sizeof s->model);
  s->radial = radial;
  /* Normals go by the inverse transpose of the linear part. */
  mat4 m;
  mat3 linear, inv;
  memcpy (m, model, sizeof m);
  glm_mat4_pick3 (m, linear);
  glm_mat3_inv (linear, inv);
  glm_mat3_transpose (inv);
  memcpy (s->normal_matrix, inv, sizeof s->normal_matrix);
}

static gboolean
mt_mesh_renderer_set_anchors (MtMeshRenderer *r,
                              guint           index,
                              const float    *anchors,
                              guint           n_vertices)
{
  g_return_val_if_fail (index < r->surfaces->len, FALSE);
  Surface *s = &g_array_index (r->surfaces, Surface, index);
  if (n_vertices != s->n_vertices)
    return FALSE;
  glBindVertexArray (s->vao);
  if (anchors == NULL)
    {
      glDisableVertexAttribArray (2);
      if (s->anchor_vbo != 0)
        glDeleteBuffers (1, &s->anchor_vbo);
      s->anchor_vbo = 0;
    }
  else
    {
      if (s->anchor_vbo == 0)
        glGenBuffers (1, &s->anchor_vbo);
      glBindBuffer (GL_ARRAY_BUFFER, s->anchor_vbo);
      glBufferData (GL_ARRAY_BUFFER, (GLsizeiptr) (3 * sizeof (float) * n_vertices), anchors, GL_STATIC_DRAW);
      glEnableVertexAttribArray (2);
      glVertexAttribPointer (2, 3, GL_FLOAT, GL_FALSE, 0, NULL);
    }
  glBindVertexArray (0);
  return TRUE;
}

void
mt_mesh_renderer_set_points (MtMeshRenderer *r,
                             const float    *xyz,
                             guint           n,
                             const float     rgba[4],
                             float           size_px)
{
  r->n_points = n;
  if (n == 0)
    return;
  memcpy (r->points_rgba, rgba, sizeof r->points_rgba);
  r->points_size = size_px;
  glBindVertexArray (r->points_vao);
  glBindBuffer (GL_ARRAY_BUFFER, r->points_vbo);
  glBufferData (GL_ARRAY_BUFFER, (GLsizeiptr) (3 * sizeof (float) * n), xyz, GL_STREAM_DRAW);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 3, GL_FLOAT, GL_FALSE, 0, NULL);
  glBindVertexArray (0);
}

gboolean
mt_mesh_renderer_animate (MtMeshRenderer *r,
                          MtAnimation    *animation,
                          gboolean        anchors,
                          float           point_px)
{
  guint n = r->surfaces->len;
  if (mt_animation_get_n (animation) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const MtMeshMotion *m = mt_animation_get_motion (animation, i);
      if (anchors && !mt_mesh_renderer_set_anchors (r, i, mt_animation_get_anchors (animation, i),
                                                    mt_animation_get_mesh (animation, i)->n_vertices))
        return FALSE;
      mt_mesh_renderer_set_motion (r, i, m->model, m->radial);
      mt_mesh_renderer_set_color (r, i, m->rgba);
    }
  guint n_points;
  const float *xyz = mt_animation_get_particles (animation, &n_points, NULL);
  const float blood[4] = { 0.85f, 0.05f, 0.08f, 1 };
  mt_mesh_renderer_set_points (r, xyz, n_points, blood, point_px);
  return TRUE;
}

guint
mt_mesh_renderer_count (MtMeshRenderer *r)
{
  return r->surfaces->len;
}

static GLuint
make_texture (GLint internal, int w, int h, GLenum format, GLenum type)
{
  GLuint t;
  glGenTextures (1, &t);
  glBindTexture (GL_TEXTURE_2D, t);
  glTexImage2D (GL_TEXTURE_2D, 0, internal, w, h, 0, format, type, NULL);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return t;
}

static void
ensure_targets (MtMeshRenderer *r, int w, int h)
{
  if (r->fbo != 0 && r->w == w && r->h == h)
    return;
  delete_targets (r);
  r->w = w;
  r->h = h;
  r->color_tex = make_texture (GL_RGBA8, w, h, GL_RGBA, GL_UNSIGNED_BYTE);
  r->depth_tex = make_texture (GL_DEPTH_COMPONENT24, w, h, GL_DEPTH_COMPONENT, GL_UNSIGNED_INT);
  glGenFramebuffers (1, &r->fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, r->fbo);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, r->color_tex, 0);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_TEXTURE_2D, r->depth_tex, 0);
  r->accum_tex = make_texture (GL_RGBA16F, w, h, GL_RGBA, GL_FLOAT);
  r->weight_tex = make_texture (GL_RGBA16F, w, h, GL_RGBA, GL_FLOAT);
  glGenFramebuffers (1, &r->oit_fbo);
  glBindFramebuffer (GL_FRAMEBUFFER, r->oit_fbo);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, r->accum_tex, 0);
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT1, GL_TEXTURE_2D, r->weight_tex, 0);
  /* Tested against the opaque surfaces' depth, never written. */
  glFramebufferTexture2D (GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_TEXTURE_2D, r->depth_tex, 0);
}

static void
camera_uniforms (const MtCamera *camera, int w, int h, mat4 view_proj, vec3 eye)
{
  mat4 view, proj;
  mt_camera_matrices (camera, (double) w / h, view, proj);
  glm_mat4_mul (proj, view, view_proj);
  mt_camera_eye (camera, eye);
}

static void
draw_surfaces (MtMeshRenderer *r, int p, gboolean transparent, mat4 view_proj, vec3 eye)
{
  glUniformMatrix4fv (r->loc_vp[p], 1, GL_FALSE, (float *) view_proj);
  glUniform3fv (r->loc_eye[p], 1, eye);
  for (guint i = 0; i < r->surfaces->len; i++)
    {
      const Surface *s = &g_array_index (r->surfaces, Surface, i);
      gboolean is_transparent = s->rgba[3] < 0.999f;
      if (is_transparent != transparent || s->rgba[3] <= 0.0f)
        continue;
      glUniform4fv (r->loc_color[p], 1, s->rgba);
      glUniformMatrix4fv (r->loc_model[p], 1, GL_FALSE, s->model);
      glUniformMatrix3fv (r->loc_normal_matrix[p], 1, GL_FALSE, s->normal_matrix);
      glUniform1f (r->loc_radial[p], s->radial);
      glBindVertexArray (s->vao);
      /* Without anchors, the anchor is the origin and radial 1 keeps the
       * vertex where it is. */
      if (s->anchor_vbo == 0)
        glVertexAttrib3f (2, 0, 0, 0);
      glDrawElements (GL_TRIANGLES, s->n_indices, GL_UNSIGNED_INT, NULL);
    }
  glBindVertexArray (0);
}

void
mt_mesh_renderer_draw_opaque (MtMeshRenderer *r,
                              const MtCamera *camera,
                              int             w,
                              int             h,
                              double          pixel_scale)
{
  GLint previous = 0;
  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &previous);
  ensure_targets (r, w, h);
  glBindFramebuffer (GL_FRAMEBUFFER, r->fbo);
  glViewport (0, 0, w, h);
  glClearColor (0, 0, 0, 0);
  glClearDepth (1.0);
  glClear (GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  glEnable (GL_DEPTH_TEST);
  glDepthFunc (GL_LESS);
  glDepthMask (GL_TRUE);
  glDisable (GL_BLEND);
  glDisable (GL_CULL_FACE);
  mat4 view_proj;
  vec3 eye;
  camera_uniforms (camera, w, h, view_proj, eye);
  glUseProgram (r->opaque_program);
  draw_surfaces (r, 0, FALSE, view_proj, eye);
  if (r->n_points > 0)
    {
      glUseProgram (r->points_program);
      glEnable (GL_PROGRAM_POINT_SIZE);
      glUniformMatrix4fv (r->loc_points_vp, 1, GL_FALSE, (float *) view_proj);
      glUniform1f (r->loc_points_size, MAX (1.0f, r->points_size / (float) pixel_scale));
      glUniform4fv (r->loc_points_color, 1, r->points_rgba);
      glBindVertexArray (r->points_vao);
      glDrawArrays (GL_POINTS, 0, (GLsizei) r->n_points);
      glBindVertexArray (0);
      glDisable (GL_PROGRAM_POINT_SIZE);
    }
  glUseProgram (0);
  glDisable (GL_DEPTH_TEST);
  glBindFramebuffer (GL_FRAMEBUFFER, (GLuint) previous);
}

GLuint
mt_mesh_renderer_get_color_texture (MtMeshRenderer *r)
{
  return r->color_tex;
}

GLuint
mt_mesh_renderer_get_depth_texture (MtMeshRenderer *r)
{
  return r->depth_tex;
}

gboolean
mt_mesh_renderer_has_transparent (MtMeshRenderer *r)
{
  for (guint i = 0; i < r->surfaces->len; i++)
    {
      float a = g_array_index (r->surfaces, Surface, i).rgba[3];
      if (a > 0.0f && a < 0.999f)
        return TRUE;
    }
  return FALSE;
}

void
mt_mesh_renderer_draw_transparent (MtMeshRenderer *r,
                                   const MtCamera *camera,
                                   int             w,
                                   int             h,
                                   GLuint          volume_depth,
                                   GLuint          target,
                                   int             target_w,
                                   int             target_h)
{
  if (!mt_mesh_renderer_has_transparent (r))
    return;
  ensure_targets (r, w, h);
  /* The layers: colour sums and revealage, then weight sums. */
  glBindFramebuffer (GL_FRAMEBUFFER, r->oit_fbo);
  const GLenum buffers[2] = { GL_COLOR_ATTACHMENT0, GL_COLOR_ATTACHMENT1 };
  glDrawBuffers (2, buffers);
  glViewport (0, 0, w, h);
  const float accum_clear[4] = { 0, 0, 0, 1 }, weight_clear[4] = { 0, 0, 0, 1 };
  glClearBufferfv (GL_COLOR, 0, accum_clear);
  glClearBufferfv (GL_COLOR, 1, weight_clear);
  glEnable (GL_DEPTH_TEST);
  glDepthFunc (GL_LESS);
  glDepthMask (GL_FALSE);
  glEnable (GL_BLEND);
  /* Sums in rgb, the product of (1 - alpha) in a: one state for both. */
  glBlendFuncSeparate (GL_ONE, GL_ONE, GL_ZERO, GL_ONE_MINUS_SRC_ALPHA);
  mat4 view_proj;
  vec3 eye;
  camera_uniforms (camera, w, h, view_proj, eye);
  glUseProgram (r->oit_program);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, volume_depth);
  glUniform1i (r->loc_volume_depth, 0);
  glUniform1f (r->loc_has_volume_depth, volume_depth != 0 ? 1.0f : 0.0f);
  glUniform2f (r->loc_viewport, (float) w, (float) h);
  draw_surfaces (r, 1, TRUE, view_proj, eye);
  glDepthMask (GL_TRUE);
  glDisable (GL_DEPTH_TEST);

  /* Resolved over the target: mean colour where the layers cover it. */
  glBindFramebuffer (GL_FRAMEBUFFER, target);
  glViewport (0, 0, target_w, target_h);
  glBlendFunc (GL_ONE_MINUS_SRC_ALPHA, GL_SRC_ALPHA);
  glUseProgram (r->composite_program);
  glActiveTexture (GL_TEXTURE0);
  glBindTexture (GL_TEXTURE_2D, r->accum_tex);
  glUniform1i (r->loc_accum, 0);
  glActiveTexture (GL_TEXTURE1);
  glBindTexture (GL_TEXTURE_2D, r->weight_tex);
  glUniform1i (r->loc_weight, 1);
  glUniform2f (r->loc_ratio, (float) w / target_w, (float) h / target_h);
  glActiveTexture (GL_TEXTURE0);
  glBindVertexArray (r->empty_vao);
  glDrawArrays (GL_TRIANGLES, 0, 3);
  glBindVertexArray (0);
  glUseProgram (0);
  glDisable (GL_BLEND);
}

void
mt_scene_render (MtVolumeRenderer *volume,
                 MtMeshRenderer   *mesh,
                 const MtCamera   *camera,
                 int               w,
                 int               h,
                 double            pixel_scale,
                 double            step_scale)
{
  GLint target = 0;
  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &target);
  if (mesh == NULL || (mesh->surfaces->len == 0 && mesh->n_points == 0))
    {
      mt_volume_renderer_set_surfaces (volume, 0, 0);
      mt_volume_renderer_render_scaled (volume, camera, w, h, pixel_scale, step_scale);
      return;
    }
  /* The surfaces at the volume's pixel scale too: while the view is
   * dragged or the twin plays, fewer pixels for both. */
  int sw = MAX (1, (int) lround (w / MAX (pixel_scale, 1.0))), sh = MAX (1, (int) lround (h / MAX (pixel_scale, 1.0)));
  mt_mesh_renderer_draw_opaque (mesh, camera, sw, sh, MAX (pixel_scale, 1.0));
  mt_volume_renderer_set_surfaces (volume, mesh->color_tex, mesh->depth_tex);
  gboolean see_through = mt_mesh_renderer_has_transparent (mesh);
  mt_volume_renderer_set_depth_output (volume, see_through);
  mt_volume_renderer_render_scaled (volume, camera, w, h, pixel_scale, step_scale);
  int dw, dh;
  GLuint volume_depth = see_through ? mt_volume_renderer_get_depth_texture (volume, &dw, &dh) : 0;
  mt_mesh_renderer_draw_transparent (mesh, camera, sw, sh, volume_depth, (GLuint) target, w, h);
  mt_volume_renderer_set_depth_output (volume, FALSE);
}
