/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-shader"

#include "config.h"

#include <gio/gio.h>

#include "mt-shader.h"
#include "mt-shader-resources.h"

G_DEFINE_QUARK (mt-shader-error-quark, mt_shader_error)

#define SHADER_PREFIX "/org/medtwin/MedTwin/shaders/"

static void
ensure_resources (void)
{
  /* Registered by hand: a static library would drop the resource's
   * constructor, since nothing else references it. */
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      g_resources_register (mt_shaders_get_resource ());
      g_once_init_leave (&once, 1);
    }
}

static GLuint
compile (GLenum       type,
         const char  *name,
         const char **defines,
         GError     **error)
{
  ensure_resources ();
  g_autofree char *path = g_strconcat (SHADER_PREFIX, name, NULL);
  g_autoptr (GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
  if (bytes == NULL)
    {
      g_set_error (error, MT_SHADER_ERROR, MT_SHADER_ERROR_MISSING,
                   "Shader %s is not in the resource bundle", name);
      return 0;
    }
  GString *pre = g_string_new ("#version 330 core\n");
  guint n_pre = 1;
  for (guint i = 0; defines && defines[i]; i++, n_pre++)
    g_string_append_printf (pre, "#define %s\n", defines[i]);
  /* Reset the line counter so messages point into the file itself. */
  g_string_append (pre, "#line 1\n");

  gsize len;
  const char *body = g_bytes_get_data (bytes, &len);
  const char *sources[2] = { pre->str, body };
  GLint lengths[2] = { (GLint) pre->len, (GLint) len };
  GLuint shader = glCreateShader (type);
  glShaderSource (shader, 2, sources, lengths);
  glCompileShader (shader);
  g_string_free (pre, TRUE);

  GLint ok = 0;
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      GLint log_len = 0;
      glGetShaderiv (shader, GL_INFO_LOG_LENGTH, &log_len);
      g_autofree char *log = g_malloc0 (MAX (log_len, 1) + 1);
      glGetShaderInfoLog (shader, log_len, NULL, log);
      g_set_error (error, MT_SHADER_ERROR, MT_SHADER_ERROR_COMPILE,
                   "%s does not compile:\n%s", name, log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

GLuint
mt_shader_program_new (const char  *vertex_name,
                       const char  *fragment_name,
                       const char **defines,
                       GError     **error)
{
  GLuint vs = compile (GL_VERTEX_SHADER, vertex_name, defines, error);
  if (vs == 0)
    return 0;
  GLuint fs = compile (GL_FRAGMENT_SHADER, fragment_name, defines, error);
  if (fs == 0)
    {
      glDeleteShader (vs);
      return 0;
    }
  GLuint program = glCreateProgram ();
  glAttachShader (program, vs);
  glAttachShader (program, fs);
  glLinkProgram (program);
  glDeleteShader (vs);
  glDeleteShader (fs);
  GLint ok = 0;
  glGetProgramiv (program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      GLint log_len = 0;
      glGetProgramiv (program, GL_INFO_LOG_LENGTH, &log_len);
      g_autofree char *log = g_malloc0 (MAX (log_len, 1) + 1);
      glGetProgramInfoLog (program, log_len, NULL, log);
      g_set_error (error, MT_SHADER_ERROR, MT_SHADER_ERROR_LINK,
                   "%s + %s do not link:\n%s", vertex_name, fragment_name, log);
      glDeleteProgram (program);
      return 0;
    }
  return program;
}
