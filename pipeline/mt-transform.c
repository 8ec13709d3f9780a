/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-transform"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-transform.h"

G_DEFINE_QUARK (mt-transform-error-quark, mt_transform_error)

MtTransform *
mt_transform_new_identity (void)
{
  MtTransform *t = g_new0 (MtTransform, 1);
  t->matrix[0] = t->matrix[4] = t->matrix[8] = 1.0;
  return t;
}

static void
mul3 (const double a[9], const double b[9], double out[9])
{
  double r[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      r[i * 3 + j] = a[i * 3 + 0] * b[0 * 3 + j] + a[i * 3 + 1] * b[1 * 3 + j] + a[i * 3 + 2] * b[2 * 3 + j];
  memcpy (out, r, sizeof r);
}

MtTransform *
mt_transform_new_rigid (const double angles[3],
                        const double translation[3],
                        const double center[3])
{
  MtTransform *t = mt_transform_new_identity ();
  double cx = cos (angles[0]), sx = sin (angles[0]);
  double cy = cos (angles[1]), sy = sin (angles[1]);
  double cz = cos (angles[2]), sz = sin (angles[2]);
  double rx[9] = { 1, 0, 0, 0, cx, -sx, 0, sx, cx };
  double ry[9] = { cy, 0, sy, 0, 1, 0, -sy, 0, cy };
  double rz[9] = { cz, -sz, 0, sz, cz, 0, 0, 0, 1 };
  double tmp[9];
  mul3 (ry, rx, tmp);
  mul3 (rz, tmp, t->matrix);
  memcpy (t->translation, translation, sizeof t->translation);
  if (center)
    memcpy (t->center, center, sizeof t->center);
  return t;
}

void
mt_transform_apply (const MtTransform *t,
                    const double       in[3],
                    double             out[3])
{
  double d[3] = { in[0] - t->center[0], in[1] - t->center[1], in[2] - t->center[2] };
  double r[3];
  for (int i = 0; i < 3; i++)
    r[i] = t->matrix[i * 3 + 0] * d[0] + t->matrix[i * 3 + 1] * d[1] + t->matrix[i * 3 + 2] * d[2]
         + t->center[i] + t->translation[i];
  memcpy (out, r, sizeof r);
}

MtTransform *
mt_transform_invert (const MtTransform *t,
                     GError           **error)
{
  const double *m = t->matrix;
  double det = m[0] * (m[4] * m[8] - m[5] * m[7])
             - m[1] * (m[3] * m[8] - m[5] * m[6])
             + m[2] * (m[3] * m[7] - m[4] * m[6]);
  if (fabs (det) < 1e-12)
    {
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_SINGULAR,
                   _ ("The transform flattens space (determinant %g) and cannot be inverted"), det);
      return NULL;
    }
  MtTransform *inv = mt_transform_new_identity ();
  double *r = inv->matrix, id = 1.0 / det;
  r[0] = (m[4] * m[8] - m[5] * m[7]) * id;
  r[1] = (m[2] * m[7] - m[1] * m[8]) * id;
  r[2] = (m[1] * m[5] - m[2] * m[4]) * id;
  r[3] = (m[5] * m[6] - m[3] * m[8]) * id;
  r[4] = (m[0] * m[8] - m[2] * m[6]) * id;
  r[5] = (m[2] * m[3] - m[0] * m[5]) * id;
  r[6] = (m[3] * m[7] - m[4] * m[6]) * id;
  r[7] = (m[1] * m[6] - m[0] * m[7]) * id;
  r[8] = (m[0] * m[4] - m[1] * m[3]) * id;
  /* x = M^-1 (y - c - t) + c: same centre, translation -M^-1 t. */
  memcpy (inv->center, t->center, sizeof inv->center);
  for (int i = 0; i < 3; i++)
    inv->translation[i] = -(r[i * 3 + 0] * t->translation[0] + r[i * 3 + 1] * t->translation[1]
                            + r[i * 3 + 2] * t->translation[2]);
  return inv;
}

MtTransform *
mt_transform_compose (const MtTransform *first,
                      const MtTransform *then)
{
  /* then (first (x)): matrix B A, about first's centre c:
   * y = B (A (x - c) + c + t1 - c2) + c2 + t2. */
  MtTransform *out = mt_transform_new_identity ();
  const double *a = first->matrix, *b = then->matrix;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      out->matrix[3 * r + c] = b[3 * r] * a[c] + b[3 * r + 1] * a[3 + c] + b[3 * r + 2] * a[6 + c];
  memcpy (out->center, first->center, sizeof out->center);
  double at_center[3], y[3];
  mt_transform_apply (first, first->center, at_center);
  mt_transform_apply (then, at_center, y);
  for (int i = 0; i < 3; i++)
    out->translation[i] = y[i] - first->center[i];
  return out;
}

char *
mt_transform_store_path (const char *fixed_key,
                         const char *moving_key)
{
  g_return_val_if_fail (fixed_key != NULL && moving_key != NULL, NULL);
  const char *env = g_getenv ("MEDTWIN_TRANSFORMS");
  if (env != NULL && *env == '\0')
    return NULL;
  g_autofree char *dir = env ? g_strdup (env) : g_build_filename (g_get_user_data_dir (), "medtwin", "transforms", NULL);
  g_autofree char *both = g_strconcat (fixed_key, "\n", moving_key, NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, both, -1);
  g_autofree char *name = g_strconcat (digest, ".tfm", NULL);
  return g_build_filename (dir, name, NULL);
}

gboolean
mt_transform_write_itk (const MtTransform *t,
                        const char        *path,
                        GError           **error)
{
  /* ITK stores the offset form: y = M x + o, o = c + t - M c; with the centre
   * written as FixedParameters both forms read back the same. */
  GString *s = g_string_new ("#Insight Transform File V1.0\n#Transform 0\n"
                             "Transform: AffineTransform_double_3_3\nParameters:");
  for (int i = 0; i < 9; i++)
    g_string_append_printf (s, " %.17g", t->matrix[i]);
  for (int i = 0; i < 3; i++)
    g_string_append_printf (s, " %.17g", t->translation[i]);
  g_string_append (s, "\nFixedParameters:");
  for (int i = 0; i < 3; i++)
    g_string_append_printf (s, " %.17g", t->center[i]);
  g_string_append_c (s, '\n');
  gboolean ok = g_file_set_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

static int
parse_numbers (const char *line, double *out, int max)
{
  int n = 0;
  const char *p = line;
  while (n < max)
    {
      char *end;
      double v = g_ascii_strtod (p, &end);
      if (end == p)
        break;
      out[n++] = v;
      p = end;
    }
  return n;
}

MtTransform *
mt_transform_read_itk (const char *path,
                       GError    **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  if (!g_str_has_prefix (text, "#Insight Transform File V1.0"))
    {
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_PARSE,
                   _ ("%s: not an ITK text transform file (it must start with "
                   "'#Insight Transform File V1.0')"), path);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  double params[12], fixed[3] = { 0, 0, 0 };
  int n_params = -1;
  gboolean known = FALSE;
  for (int i = 0; lines[i]; i++)
    {
      const char *l = lines[i];
      if (g_str_has_prefix (l, "Transform:"))
        known = strstr (l, "AffineTransform_double_3_3") != NULL
             || strstr (l, "MatrixOffsetTransformBase_double_3_3") != NULL;
      else if (g_str_has_prefix (l, "Parameters:"))
        n_params = parse_numbers (l + strlen ("Parameters:"), params, 12);
      else if (g_str_has_prefix (l, "FixedParameters:"))
        parse_numbers (l + strlen ("FixedParameters:"), fixed, 3);
    }
  if (!known || n_params != 12)
    {
      g_set_error (error, MT_TRANSFORM_ERROR, MT_TRANSFORM_ERROR_PARSE,
                   _ ("%s: only 3-D affine transforms (AffineTransform_double_3_3 with 12 "
                   "parameters) can be read"), path);
      return NULL;
    }
  MtTransform *t = mt_transform_new_identity ();
  memcpy (t->matrix, params, sizeof t->matrix);
  memcpy (t->translation, params + 9, sizeof t->translation);
  memcpy (t->center, fixed, sizeof t->center);
  return t;
}

void
mt_transform_free (MtTransform *t)
{
  g_free (t);
}
