/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-offscreen"

#include "config.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <gio/gio.h>
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "mt-offscreen.h"

G_DEFINE_QUARK (mt-offscreen-error-quark, mt_offscreen_error)

struct _MtOffscreen
{
  EGLDisplay display;
  EGLContext context;
  GLuint     fbo, color, depth;
  int        width, height;
  char      *renderer;
};

static EGLDisplay
open_display (void)
{
  if (!epoxy_has_egl_extension (EGL_NO_DISPLAY, "EGL_EXT_platform_base"))
    return eglGetDisplay (EGL_DEFAULT_DISPLAY);

  /* Mesa's surfaceless platform needs no display server at all. */
  if (epoxy_has_egl_extension (EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless"))
    {
      EGLDisplay d = eglGetPlatformDisplayEXT (EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
      if (d != EGL_NO_DISPLAY && eglInitialize (d, NULL, NULL))
        return d;
    }
  /* A headless GPU (NVIDIA, for instance) offers itself as an EGL device. */
  if (epoxy_has_egl_extension (EGL_NO_DISPLAY, "EGL_EXT_device_enumeration"))
    {
      EGLDeviceEXT devices[8];
      EGLint n = 0;
      if (eglQueryDevicesEXT (8, devices, &n) && n > 0)
        {
          EGLDisplay d = eglGetPlatformDisplayEXT (EGL_PLATFORM_DEVICE_EXT, devices[0], NULL);
          if (d != EGL_NO_DISPLAY && eglInitialize (d, NULL, NULL))
            return d;
        }
    }
  EGLDisplay d = eglGetDisplay (EGL_DEFAULT_DISPLAY);
  if (d != EGL_NO_DISPLAY && eglInitialize (d, NULL, NULL))
    return d;
  return EGL_NO_DISPLAY;
}

MtOffscreen *
mt_offscreen_new (int      width,
                  int      height,
                  GError **error)
{
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  EGLDisplay display = open_display ();
  if (display == EGL_NO_DISPLAY)
    {
      g_set_error (error, MT_OFFSCREEN_ERROR, MT_OFFSCREEN_ERROR_NO_GL,
                   "No EGL display: install Mesa (libegl-mesa0, libgl1-mesa-dri) or a GPU driver");
      return NULL;
    }
  if (!eglBindAPI (EGL_OPENGL_API))
    {
      g_set_error (error, MT_OFFSCREEN_ERROR, MT_OFFSCREEN_ERROR_NO_GL, "EGL offers no desktop OpenGL");
      eglTerminate (display);
      return NULL;
    }
  EGLConfig config = NULL;
  EGLint n = 0;
  const EGLint config_attribs[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE };
  if (!eglChooseConfig (display, config_attribs, &config, 1, &n) || n == 0)
    config = NULL;   /* EGL_KHR_no_config_context */
  const EGLint ctx_attribs[] = {
    EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
    EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE,
  };
  EGLContext context = eglCreateContext (display, config, EGL_NO_CONTEXT, ctx_attribs);
  if (context == EGL_NO_CONTEXT || !eglMakeCurrent (display, EGL_NO_SURFACE, EGL_NO_SURFACE, context))
    {
      g_set_error (error, MT_OFFSCREEN_ERROR, MT_OFFSCREEN_ERROR_NO_GL,
                   "Cannot make an OpenGL 3.3 core context without a window (EGL error 0x%x)",
                   eglGetError ());
      if (context != EGL_NO_CONTEXT)
        eglDestroyContext (display, context);
      eglTerminate (display);
      return NULL;
    }

  MtOffscreen *o = g_new0 (MtOffscreen, 1);
  o->display = display;
  o->context = context;
  o->renderer = g_strdup ((const char *) glGetString (GL_RENDERER));
  glGenFramebuffers (1, &o->fbo);
  glGenRenderbuffers (1, &o->color);
  glGenRenderbuffers (1, &o->depth);
  mt_offscreen_resize (o, width, height);
  if (glCheckFramebufferStatus (GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    {
      g_set_error (error, MT_OFFSCREEN_ERROR, MT_OFFSCREEN_ERROR_NO_GL,
                   "The offscreen framebuffer (%d x %d) is not complete", width, height);
      mt_offscreen_free (o);
      return NULL;
    }
  glViewport (0, 0, width, height);
  return o;
}

void
mt_offscreen_free (MtOffscreen *o)
{
  if (o == NULL)
    return;
  eglMakeCurrent (o->display, EGL_NO_SURFACE, EGL_NO_SURFACE, o->context);
  glDeleteFramebuffers (1, &o->fbo);
  glDeleteRenderbuffers (1, &o->color);
  glDeleteRenderbuffers (1, &o->depth);
  eglMakeCurrent (o->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext (o->display, o->context);
  eglTerminate (o->display);
  g_free (o->renderer);
  g_free (o);
}

void
mt_offscreen_resize (MtOffscreen *o,
                     int          width,
                     int          height)
{
  o->width = width;
  o->height = height;
  glBindRenderbuffer (GL_RENDERBUFFER, o->color);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_RGBA8, width, height);
  glBindRenderbuffer (GL_RENDERBUFFER, o->depth);
  glRenderbufferStorage (GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, width, height);
  glBindFramebuffer (GL_FRAMEBUFFER, o->fbo);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, o->color);
  glFramebufferRenderbuffer (GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER, o->depth);
  glViewport (0, 0, width, height);
}

void
mt_offscreen_bind (MtOffscreen *o)
{
  glBindFramebuffer (GL_FRAMEBUFFER, o->fbo);
  glViewport (0, 0, o->width, o->height);
}

const char *
mt_offscreen_renderer (MtOffscreen *o)
{
  return o->renderer;
}

void
mt_offscreen_finish (MtOffscreen *o)
{
  glFinish ();
}

guint8 *
mt_offscreen_read_rgba (MtOffscreen *o)
{
  gsize row = (gsize) o->width * 4;
  guint8 *pixels = g_malloc (row * o->height);
  glBindFramebuffer (GL_READ_FRAMEBUFFER, o->fbo);
  glPixelStorei (GL_PACK_ALIGNMENT, 1);
  glReadPixels (0, 0, o->width, o->height, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  /* GL counts rows from the bottom; images from the top. */
  g_autofree guint8 *tmp = g_malloc (row);
  for (int y = 0; y < o->height / 2; y++)
    {
      guint8 *a = pixels + y * row, *b = pixels + (o->height - 1 - y) * row;
      memcpy (tmp, a, row);
      memcpy (a, b, row);
      memcpy (b, tmp, row);
    }
  return pixels;
}

gboolean
mt_png_write_rgba (const char   *path,
                   const guint8 *rgba,
                   int           width,
                   int           height,
                   GError      **error)
{
  FILE *f = fopen (path, "wb");
  if (f == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot create the file", path);
      return FALSE;
    }
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  if (png == NULL || info == NULL || setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      fclose (f);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: writing the PNG failed", path);
      return FALSE;
    }
  png_init_io (png, f);
  png_set_IHDR (png, info, (png_uint_32) width, (png_uint_32) height, 8, PNG_COLOR_TYPE_RGBA,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < height; y++)
    png_write_row (png, (png_const_bytep) (rgba + (gsize) y * width * 4));
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return fclose (f) == 0;
}
