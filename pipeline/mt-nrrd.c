/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-nrrd"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <zlib.h>

#include <glib/gi18n-lib.h>

#include "mt-nrrd.h"
#include "mt-series.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-nrrd-error-quark, mt_nrrd_error)

gboolean
mt_nrrd_write (const MtVolume *v,
               MtNiftiType     type,
               const char     *path,
               GError        **error)
{
  const char *type_name = type == MT_NIFTI_UINT8 ? "uint8" : type == MT_NIFTI_INT16 ? "int16" : "float";
  gsize elem = type == MT_NIFTI_UINT8 ? 1 : type == MT_NIFTI_INT16 ? 2 : 4;
  GString *h = g_string_new ("NRRD0004\n# Written by MedTwin\n");
  g_string_append_printf (h, "type: %s\ndimension: 3\nspace: left-posterior-superior\n", type_name);
  g_string_append_printf (h, "sizes: %d %d %d\nspace directions:", v->dims[0], v->dims[1], v->dims[2]);
  for (int c = 0; c < 3; c++)
    g_string_append_printf (h, " (%.17g,%.17g,%.17g)", v->direction[0 * 3 + c] * v->spacing[c],
                            v->direction[1 * 3 + c] * v->spacing[c], v->direction[2 * 3 + c] * v->spacing[c]);
  g_string_append_printf (h, "\nkinds: domain domain domain\nendian: little\nencoding: gzip\n"
                             "space origin: (%.17g,%.17g,%.17g)\n\n", v->origin[0], v->origin[1], v->origin[2]);

  FILE *f = fopen (path, "wb");
  if (f == NULL)
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_IO, _("%s: cannot create the file"), path);
      g_string_free (h, TRUE);
      return FALSE;
    }
  gboolean ok = fwrite (h->str, h->len, 1, f) == 1;
  g_string_free (h, TRUE);
  /* The gzip stream follows the blank line; zlib writes it to our FILE. */
  fflush (f);
  gzFile z = ok ? gzdopen (dup (fileno (f)), "ab6") : NULL;
  ok = ok && z != NULL;
  gsize plane = (gsize) v->dims[0] * v->dims[1];
  g_autofree guint8 *buf = g_malloc (plane * elem);
  for (int k = 0; ok && k < v->dims[2]; k++)
    {
      const float *src = v->data + plane * k;
      for (gsize i = 0; i < plane; i++)
        {
          float x = src[i];
          if (type == MT_NIFTI_UINT8)
            buf[i] = (guint8) (int) CLAMP (x + 0.5f, 0.0f, 255.0f);
          else if (type == MT_NIFTI_INT16)
            {
              gint16 s = (gint16) (int) CLAMP (x + copysignf (0.5f, x), -32768.0f, 32767.0f);
              memcpy (buf + 2 * i, &s, 2);
            }
          else
            memcpy (buf + 4 * i, &x, 4);
        }
      ok = gzwrite (z, buf, (unsigned) (plane * elem)) == (int) (plane * elem);
    }
  if (z != NULL)
    ok = gzclose (z) == Z_OK && ok;
  ok = fclose (f) == 0 && ok;
  if (!ok)
    g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_IO, _("%s: writing failed (disk full?)"), path);
  return ok;
}

static gboolean
parse_vector (const char *s, double out[3])
{
  return sscanf (s, " (%lf,%lf,%lf)", &out[0], &out[1], &out[2]) == 3
      || sscanf (s, " ( %lf , %lf , %lf )", &out[0], &out[1], &out[2]) == 3;
}

MtVolume *
mt_nrrd_read (const char *path,
              GError    **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_IO, _("%s: cannot open the file"), path);
      return NULL;
    }
  if (length < 8 || strncmp (contents, "NRRD000", 7) != 0)
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_FORMAT, _("%s: not a NRRD file (no NRRD000x magic)"), path);
      return NULL;
    }
  /* The header ends at the first empty line. */
  const char *end = strstr (contents, "\n\n");
  if (end == NULL)
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_FORMAT, _("%s: the NRRD header never ends"), path);
      return NULL;
    }
  g_autofree char *header = g_strndup (contents, end - contents);
  const guint8 *data = (const guint8 *) end + 2;
  gsize data_len = length - (gsize) (end + 2 - contents);

  int dims[3] = { 0, 0, 0 }, dimension = 0;
  double dirs[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, origin[3] = { 0, 0, 0 };
  gboolean ras = FALSE, gz = FALSE, big = FALSE, have_dirs = FALSE;
  gsize elem = 0;
  char kind = 0;   /* u unsigned, s signed, f float */
  g_auto (GStrv) lines = g_strsplit (header, "\n", -1);
  for (int l = 1; lines[l]; l++)
    {
      char *line = lines[l];
      if (line[0] == '#')
        continue;
      char *colon = strstr (line, ": ");
      if (colon == NULL)
        continue;
      *colon = '\0';
      const char *key = g_strstrip (line), *value = g_strstrip (colon + 2);
      if (g_str_equal (key, "type"))
        {
          static const struct { const char *name; gsize size; char kind; } types[] = {
            { "uchar", 1, 'u' }, { "unsigned char", 1, 'u' }, { "uint8", 1, 'u' }, { "uint8_t", 1, 'u' },
            { "signed char", 1, 's' }, { "int8", 1, 's' }, { "int8_t", 1, 's' },
            { "short", 2, 's' }, { "short int", 2, 's' }, { "signed short", 2, 's' }, { "int16", 2, 's' }, { "int16_t", 2, 's' },
            { "ushort", 2, 'u' }, { "unsigned short", 2, 'u' }, { "uint16", 2, 'u' }, { "uint16_t", 2, 'u' },
            { "int", 4, 's' }, { "signed int", 4, 's' }, { "int32", 4, 's' }, { "int32_t", 4, 's' },
            { "uint", 4, 'u' }, { "unsigned int", 4, 'u' }, { "uint32", 4, 'u' }, { "uint32_t", 4, 'u' },
            { "float", 4, 'f' }, { "double", 8, 'f' },
          };
          for (guint t = 0; t < G_N_ELEMENTS (types); t++)
            if (g_str_equal (value, types[t].name))
              {
                elem = types[t].size;
                kind = types[t].kind;
              }
        }
      else if (g_str_equal (key, "dimension"))
        dimension = atoi (value);
      else if (g_str_equal (key, "sizes"))
        sscanf (value, "%d %d %d", &dims[0], &dims[1], &dims[2]);
      else if (g_str_equal (key, "space"))
        ras = g_str_equal (value, "right-anterior-superior") || g_str_equal (value, "RAS");
      else if (g_str_equal (key, "space directions"))
        {
          g_auto (GStrv) vecs = g_strsplit (value, ")", -1);
          for (int c = 0; c < 3 && vecs[c]; c++)
            {
              g_autofree char *v = g_strconcat (vecs[c], ")", NULL);
              have_dirs = parse_vector (v, dirs[c]) && (c < 2 || have_dirs);
            }
        }
      else if (g_str_equal (key, "space origin"))
        parse_vector (value, origin);
      else if (g_str_equal (key, "endian"))
        big = g_str_equal (value, "big");
      else if (g_str_equal (key, "encoding"))
        {
          gz = g_str_equal (value, "gzip") || g_str_equal (value, "gz");
          if (!gz && !g_str_equal (value, "raw"))
            {
              g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_UNSUPPORTED,
                           _("%s: NRRD encoding “%s” is not supported (raw and gzip are)"), path, value);
              return NULL;
            }
        }
      else if (g_str_equal (key, "data file") || g_str_equal (key, "datafile"))
        {
          g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_UNSUPPORTED,
                       _("%s: detached NRRD data is not supported; save the volume as one .nrrd file"), path);
          return NULL;
        }
    }
  if (dimension != 3 || elem == 0 || dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0)
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_UNSUPPORTED,
                   _("%s: only 3-D scalar NRRD volumes of a known type can be read"), path);
      return NULL;
    }
  g_autoptr (MtVolume) v = mt_volume_new (dims[0], dims[1], dims[2], error);
  if (v == NULL)
    return NULL;
  gsize n = mt_volume_n_voxels (v), need = n * elem;
  g_autofree guint8 *raw = NULL;
  if (gz)
    {
      raw = g_try_malloc (need);
      z_stream zs = { 0 };
      zs.next_in = (Bytef *) data;
      zs.avail_in = (uInt) data_len;
      zs.next_out = raw;
      zs.avail_out = (uInt) need;
      gboolean ok = raw != NULL && inflateInit2 (&zs, 15 + 32) == Z_OK;
      int rc = ok ? inflate (&zs, Z_FINISH) : Z_DATA_ERROR;
      inflateEnd (&zs);
      if (!ok || (rc != Z_STREAM_END && zs.avail_out != 0) || zs.total_out != need)
        {
          g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_FORMAT,
                       _("%s: the compressed data holds fewer than the %zu voxels the header promises"), path, n);
          return NULL;
        }
      data = raw;
    }
  else if (data_len < need)
    {
      g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_FORMAT,
                   _("%s: the file ends before its %zu voxels; it is truncated"), path, n);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    {
      guint8 b[8];
      memcpy (b, data + i * elem, elem);
      if (big)
        for (gsize a = 0; a < elem / 2; a++)
          {
            guint8 t = b[a];
            b[a] = b[elem - 1 - a];
            b[elem - 1 - a] = t;
          }
      double x;
      if (kind == 'f')
        {
          if (elem == 4)
            {
              float f;
              memcpy (&f, b, 4);
              x = f;
            }
          else
            memcpy (&x, b, 8);
        }
      else if (elem == 1)
        x = kind == 's' ? (double) (gint8) b[0] : b[0];
      else if (elem == 2)
        {
          guint16 u;
          memcpy (&u, b, 2);
          x = kind == 's' ? (double) (gint16) u : u;
        }
      else
        {
          guint32 u;
          memcpy (&u, b, 4);
          x = kind == 's' ? (double) (gint32) u : u;
        }
      v->data[i] = (float) x;
    }
  /* Space directions are the axes times the spacing; RAS turns to LPS. */
  for (int c = 0; c < 3; c++)
    {
      double len = sqrt (dirs[c][0] * dirs[c][0] + dirs[c][1] * dirs[c][1] + dirs[c][2] * dirs[c][2]);
      if (len <= 0)
        len = 1;
      v->spacing[c] = len;
      for (int r = 0; r < 3; r++)
        v->direction[r * 3 + c] = (ras && r < 2 ? -1 : 1) * dirs[c][r] / len;
    }
  for (int r = 0; r < 3; r++)
    v->origin[r] = (ras && r < 2 ? -1 : 1) * origin[r];
  if (!have_dirs)
    mt_volume_add_warning (v, _("The NRRD file has no space directions; 1 mm voxels along the patient axes are assumed"));
  return g_steal_pointer (&v);
}

MtVolume *
mt_volume_read_any (const char *path,
                    GError    **error)
{
  if (g_str_has_suffix (path, ".nii") || g_str_has_suffix (path, ".nii.gz"))
    return mt_nifti_read (path, error);
  if (g_str_has_suffix (path, ".nrrd"))
    return mt_nrrd_read (path, error);
  return mt_series_read_volume (path, NULL, NULL, error);
}

gboolean
mt_volume_is_int16 (const MtVolume *v)
{
  if (v->integer_values && v->value_min >= G_MININT16 && v->value_max <= G_MAXINT16)
    return TRUE;
  gsize n = mt_volume_n_voxels (v), bad = 0;
  for (gsize i = 0; i < n; i++)
    {
      float x = CLAMP (v->data[i], -40000.0f, 40000.0f);
      bad += (float) (int) x != x || x < G_MININT16 || x > G_MAXINT16;
    }
  return bad == 0;
}

gboolean
mt_volume_write_any (const MtVolume *v,
                     gboolean        labels,
                     const char     *path,
                     GError        **error)
{
  MtNiftiType type = labels ? MT_NIFTI_UINT8 : mt_volume_is_int16 (v) ? MT_NIFTI_INT16 : MT_NIFTI_FLOAT32;
  if (g_str_has_suffix (path, ".nrrd"))
    return mt_nrrd_write (v, type, path, error);
  if (g_str_has_suffix (path, ".nii") || g_str_has_suffix (path, ".nii.gz"))
    return mt_nifti_write (v, type, path, error);
  g_set_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_UNSUPPORTED,
               _("%s: write volumes as .nii, .nii.gz or .nrrd"), path);
  return FALSE;
}
