/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <epoxy/gl.h>
#include <glib.h>

G_BEGIN_DECLS

#define MT_SHADER_ERROR (mt_shader_error_quark ())
typedef enum
{
  MT_SHADER_ERROR_MISSING,
  MT_SHADER_ERROR_COMPILE,
  MT_SHADER_ERROR_LINK,
} MtShaderError;
GQuark mt_shader_error_quark (void);

/* Compiles and links a program from two files of the shader GResource, after
 * a "#version 330 core" preamble and `defines` (each "NAME VALUE" or "NAME").
 * Compiler messages come back with the line numbers of the file itself. */
GLuint mt_shader_program_new (const char  *vertex_name,
                              const char  *fragment_name,
                              const char **defines,
                              GError     **error);

G_END_DECLS
