/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MT_OFFSCREEN_ERROR (mt_offscreen_error_quark ())
typedef enum
{
  MT_OFFSCREEN_ERROR_NO_GL,
} MtOffscreenError;
GQuark mt_offscreen_error_quark (void);

/* An OpenGL 3.3 core context without any window (EGL: Mesa's surfaceless
 * platform, else a headless EGL device), drawing into an RGBA framebuffer. */
typedef struct _MtOffscreen MtOffscreen;

MtOffscreen *mt_offscreen_new        (int          width,
                                      int          height,
                                      GError     **error);
void         mt_offscreen_free       (MtOffscreen *o);
void         mt_offscreen_bind       (MtOffscreen *o);
/* Reallocates the framebuffer at a new size (contents are lost). */
void         mt_offscreen_resize     (MtOffscreen *o,
                                      int          width,
                                      int          height);
const char  *mt_offscreen_renderer   (MtOffscreen *o);
/* RGBA bytes, row 0 at the top; width*height*4. */
guint8      *mt_offscreen_read_rgba  (MtOffscreen *o);
void         mt_offscreen_finish     (MtOffscreen *o);

gboolean     mt_png_write_rgba       (const char   *path,
                                      const guint8 *rgba,
                                      int           width,
                                      int           height,
                                      GError      **error);

G_END_DECLS
