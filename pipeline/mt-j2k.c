/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-j2k"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openjpeg.h>
#include <string.h>

#include "mt-j2k.h"

typedef struct
{
  const guint8 *data;
  gsize         length;
  gsize         pos;
} Memory;

static OPJ_SIZE_T
mem_read (void *buffer, OPJ_SIZE_T n, void *user)
{
  Memory *m = user;
  if (m->pos >= m->length)
    return (OPJ_SIZE_T) -1;
  OPJ_SIZE_T k = MIN (n, m->length - m->pos);
  memcpy (buffer, m->data + m->pos, k);
  m->pos += k;
  return k;
}

static OPJ_OFF_T
mem_skip (OPJ_OFF_T n, void *user)
{
  Memory *m = user;
  if (n < 0)
    {
      if ((gsize) -n > m->pos)
        return -1;
      m->pos -= (gsize) -n;
      return n;
    }
  OPJ_OFF_T k = (OPJ_OFF_T) MIN ((gsize) n, m->length - m->pos);
  m->pos += (gsize) k;
  return k;
}

static OPJ_BOOL
mem_seek (OPJ_OFF_T n, void *user)
{
  Memory *m = user;
  if (n < 0 || (gsize) n > m->length)
    return OPJ_FALSE;
  m->pos = (gsize) n;
  return OPJ_TRUE;
}

static void
on_message (const char *msg, void *user)
{
  /* Keep the first error: it becomes part of the user's message. */
  char **first = user;
  if (*first == NULL)
    *first = g_strstrip (g_strdup (msg));
}

static void
quiet (const char *msg, void *user)
{
}

gboolean
mt_j2k_decode (const guint8 *data,
               gsize         length,
               int           width,
               int           height,
               gboolean      header_signed,
               gint32       *out,
               char        **why)
{
  static const guint8 jp2_magic[] = { 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20 };
  gboolean jp2 = length >= sizeof jp2_magic && memcmp (data, jp2_magic, sizeof jp2_magic) == 0;
  opj_codec_t *codec = opj_create_decompress (jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_image_t *image = NULL;
  char *first_error = NULL;
  gboolean ok = FALSE;
  opj_set_error_handler (codec, on_message, &first_error);
  opj_set_warning_handler (codec, quiet, NULL);
  opj_set_info_handler (codec, quiet, NULL);

  opj_dparameters_t params;
  opj_set_default_decoder_parameters (&params);
  Memory mem = { data, length, 0 };
  opj_stream_t *stream = opj_stream_create (64 * 1024, OPJ_TRUE);
  opj_stream_set_user_data (stream, &mem, NULL);
  opj_stream_set_user_data_length (stream, length);
  opj_stream_set_read_function (stream, mem_read);
  opj_stream_set_skip_function (stream, mem_skip);
  opj_stream_set_seek_function (stream, mem_seek);

  if (!opj_setup_decoder (codec, &params) || !opj_read_header (stream, codec, &image))
    {
      *why = g_strdup_printf (_("the JPEG 2000 header cannot be read (%s)"),
                              first_error ? first_error : _("no detail"));
      goto out;
    }
  if (image->numcomps != 1)
    {
      *why = g_strdup_printf (_("the JPEG 2000 stream has %u components; a greyscale image has 1"),
                              image->numcomps);
      goto out;
    }
  const opj_image_comp_t *c0 = &image->comps[0];
  if ((int) (image->x1 - image->x0) != width || (int) (image->y1 - image->y0) != height)
    {
      *why = g_strdup_printf (_("the JPEG 2000 image is %u x %u but the header says %d x %d"),
                              image->x1 - image->x0, image->y1 - image->y0, width, height);
      goto out;
    }
  if ((c0->sgnd != 0) != (header_signed != FALSE))
    {
      *why = g_strdup_printf (_("the JPEG 2000 stream holds %s values but the header says %s "
                                "(PixelRepresentation); the values cannot be trusted either way"),
                              c0->sgnd ? _("signed") : _("unsigned"),
                              header_signed ? _("signed") : _("unsigned"));
      goto out;
    }
  if (!opj_decode (codec, stream, image) || !opj_end_decompress (codec, stream))
    {
      *why = g_strdup_printf (_("the JPEG 2000 data cannot be decoded (%s)"),
                              first_error ? first_error : _("no detail"));
      goto out;
    }
  c0 = &image->comps[0];
  if (c0->data == NULL || (int) c0->w != width || (int) c0->h != height)
    {
      *why = g_strdup (_("the JPEG 2000 decoder returned no image of the expected size"));
      goto out;
    }
  memcpy (out, c0->data, (gsize) width * height * sizeof (gint32));
  ok = TRUE;

out:
  g_free (first_error);
  if (image)
    opj_image_destroy (image);
  opj_stream_destroy (stream);
  opj_destroy_codec (codec);
  return ok;
}
