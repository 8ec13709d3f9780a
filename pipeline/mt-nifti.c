/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-nifti"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "mt-nifti.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-nifti-error-quark, mt_nifti_error)

/* The NIfTI-1 header, 348 bytes, as nifti1.h lays it out. */
typedef struct
{
  gint32  sizeof_hdr;
  char    data_type[10];
  char    db_name[18];
  gint32  extents;
  gint16  session_error;
  char    regular;
  char    dim_info;
  gint16  dim[8];
  float   intent_p1, intent_p2, intent_p3;
  gint16  intent_code;
  gint16  datatype;
  gint16  bitpix;
  gint16  slice_start;
  float   pixdim[8];
  float   vox_offset;
  float   scl_slope;
  float   scl_inter;
  gint16  slice_end;
  char    slice_code;
  char    xyzt_units;
  float   cal_max, cal_min;
  float   slice_duration;
  float   toffset;
  gint32  glmax, glmin;
  char    descrip[80];
  char    aux_file[24];
  gint16  qform_code, sform_code;
  float   quatern_b, quatern_c, quatern_d;
  float   qoffset_x, qoffset_y, qoffset_z;
  float   srow_x[4], srow_y[4], srow_z[4];
  char    intent_name[16];
  char    magic[4];
} NiftiHeader;

G_STATIC_ASSERT (sizeof (NiftiHeader) == 348);

enum { DT_UINT8 = 2, DT_INT16 = 4, DT_INT32 = 8, DT_FLOAT32 = 16, DT_FLOAT64 = 64, DT_INT8 = 256, DT_UINT16 = 512 };

static void
quaternion_from_rotation (const double r[9], double *qb, double *qc, double *qd)
{
  double a = r[0] + r[4] + r[8] + 1.0, b, c, d;
  if (a > 0.5)
    {
      a = 0.5 * sqrt (a);
      b = 0.25 * (r[7] - r[5]) / a;
      c = 0.25 * (r[2] - r[6]) / a;
      d = 0.25 * (r[3] - r[1]) / a;
    }
  else
    {
      double xd = 1.0 + r[0] - (r[4] + r[8]);
      double yd = 1.0 + r[4] - (r[0] + r[8]);
      double zd = 1.0 + r[8] - (r[0] + r[4]);
      if (xd > 1.0)
        {
          b = 0.5 * sqrt (xd);
          c = 0.25 * (r[1] + r[3]) / b;
          d = 0.25 * (r[2] + r[6]) / b;
          a = 0.25 * (r[7] - r[5]) / b;
        }
      else if (yd > 1.0)
        {
          c = 0.5 * sqrt (yd);
          b = 0.25 * (r[1] + r[3]) / c;
          d = 0.25 * (r[5] + r[7]) / c;
          a = 0.25 * (r[2] - r[6]) / c;
        }
      else
        {
          d = 0.5 * sqrt (zd);
          b = 0.25 * (r[2] + r[6]) / d;
          c = 0.25 * (r[5] + r[7]) / d;
          a = 0.25 * (r[3] - r[1]) / d;
        }
      if (a < 0.0)
        {
          b = -b;
          c = -c;
          d = -d;
        }
    }
  *qb = b;
  *qc = c;
  *qd = d;
}

static gboolean
is_orthonormal (const double m[9])
{
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      {
        double dot = m[a] * m[b] + m[3 + a] * m[3 + b] + m[6 + a] * m[6 + b];
        if (fabs (dot - (a == b ? 1.0 : 0.0)) > 1e-4)
          return FALSE;
      }
  return TRUE;
}

/* Round half away from zero by truncation: branch-free, so these loops
 * vectorise (lrintf does not). */
static inline float
round_half_away (float x)
{
  return x + copysignf (0.5f, x);
}

/* Rounded half away from zero and clamped to 16 bits, without branches. */
static inline gint16
to_int16 (float x)
{
  float r = round_half_away (x);
  r = r > (float) G_MAXINT16 ? (float) G_MAXINT16 : r;
  r = r < (float) G_MININT16 ? (float) G_MININT16 : r;
  return (gint16) (int) r;
}

static void
convert_row (const float *src, int n, MtNiftiType type, guint8 *dst)
{
  switch (type)
    {
    case MT_NIFTI_UINT8:
      for (int i = 0; i < n; i++)
        dst[i] = (guint8) (int) CLAMP (src[i] + 0.5f, 0.0f, 255.0f);
      break;
    case MT_NIFTI_INT16:
      {
        gint16 *d = (gint16 *) (gpointer) dst;
        int i = 0;
        /* Sixteen at a time: a loop of known length, which the compiler
         * turns into vector instructions. */
        for (; i + 16 <= n; i += 16)
          for (int q = 0; q < 16; q++)
            d[i + q] = to_int16 (src[i + q]);
        for (; i < n; i++)
          d[i] = to_int16 (src[i]);
      }
      break;
    case MT_NIFTI_FLOAT32:
      memcpy (dst, src, (gsize) n * sizeof (float));
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
write_nifti (const MtVolume *v,
             MtNiftiType     type,
             gboolean        rows_reversed,
             const float    *vectors,
             const char     *path,
             GError        **error)
{
  /* The geometry of the voxels in the order they are written. */
  double origin[3], direction[9];
  memcpy (direction, v->direction, sizeof direction);
  if (rows_reversed)
    {
      double last[3] = { 0, v->dims[1] - 1, 0 };
      mt_volume_index_to_patient (v, last, origin);
      for (int r = 0; r < 3; r++)
        direction[r * 3 + 1] = -direction[r * 3 + 1];
    }
  else
    memcpy (origin, v->origin, sizeof origin);

  NiftiHeader h;
  memset (&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  h.regular = 'r';
  h.dim[0] = 3;
  for (int a = 0; a < 3; a++)
    {
      if (v->dims[a] > G_MAXINT16)
        {
          g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_UNSUPPORTED,
                       _ ("%s: NIfTI-1 holds at most 32767 voxels per axis"), path);
          return FALSE;
        }
      h.dim[a + 1] = (gint16) v->dims[a];
      h.pixdim[a + 1] = (float) v->spacing[a];
    }
  h.dim[4] = h.dim[5] = h.dim[6] = h.dim[7] = 1;
  if (vectors != NULL)
    {
      /* A displacement field: x, y, z, one time point, three components. */
      h.dim[0] = 5;
      h.dim[5] = 3;
      h.intent_code = 1006;   /* NIFTI_INTENT_DISPVECT */
      g_strlcpy (h.intent_name, "Displacement", sizeof h.intent_name);
      type = MT_NIFTI_FLOAT32;
    }
  gsize elem = 0;
  switch (type)
    {
    case MT_NIFTI_UINT8:   h.datatype = DT_UINT8;   elem = 1; break;
    case MT_NIFTI_INT16:   h.datatype = DT_INT16;   elem = 2; break;
    case MT_NIFTI_FLOAT32: h.datatype = DT_FLOAT32; elem = 4; break;
    default: g_assert_not_reached ();
    }
  h.bitpix = (gint16) (elem * 8);
  h.vox_offset = 352;
  h.scl_slope = 1.0f;
  h.xyzt_units = 2 | 8; /* mm, s */
  g_strlcpy (h.descrip, "MedTwin", sizeof h.descrip);
  memcpy (h.magic, "n+1", 4);

  /* NIfTI's world is RAS: negate the L and P rows of the LPS geometry. */
  double rot[9];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      rot[r * 3 + c] = (r < 2 ? -1.0 : 1.0) * direction[r * 3 + c];
  double o[3] = { -origin[0], -origin[1], origin[2] };
  float *rows[3] = { h.srow_x, h.srow_y, h.srow_z };
  for (int r = 0; r < 3; r++)
    {
      for (int c = 0; c < 3; c++)
        rows[r][c] = (float) (rot[r * 3 + c] * v->spacing[c]);
      rows[r][3] = (float) o[r];
    }
  h.sform_code = 1; /* scanner anatomical */
  if (is_orthonormal (rot))
    {
      double det = rot[0] * (rot[4] * rot[8] - rot[5] * rot[7])
                 - rot[1] * (rot[3] * rot[8] - rot[5] * rot[6])
                 + rot[2] * (rot[3] * rot[7] - rot[4] * rot[6]);
      h.pixdim[0] = det < 0 ? -1.0f : 1.0f;
      if (det < 0)
        for (int r = 0; r < 3; r++)
          rot[r * 3 + 2] = -rot[r * 3 + 2];
      double qb, qc, qd;
      quaternion_from_rotation (rot, &qb, &qc, &qd);
      h.quatern_b = (float) qb;
      h.quatern_c = (float) qc;
      h.quatern_d = (float) qd;
      h.qoffset_x = (float) o[0];
      h.qoffset_y = (float) o[1];
      h.qoffset_z = (float) o[2];
      h.qform_code = 1;
    }
  else
    h.pixdim[0] = 1.0f;

  /* Slice by slice: no copy of the whole volume. Plain .nii goes through
   * stdio, which writes faster than zlib's transparent mode. */
  const int nx = v->dims[0], ny = v->dims[1], nz = v->dims[2];
  const gsize slice_bytes = (gsize) nx * ny * elem;
  g_autofree guint8 *buf = g_malloc (slice_bytes);
  const gboolean gz = g_str_has_suffix (path, ".gz");
  gzFile zf = NULL;
  FILE *f = NULL;
  if (gz)
    zf = gzopen (path, "wb6");
  else
    f = fopen (path, "wb");
  if (zf == NULL && f == NULL)
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_IO, _ ("%s: cannot create the file"), path);
      return FALSE;
    }
  const char ext[4] = { 0, 0, 0, 0 };
  gboolean ok = gz ? gzwrite (zf, &h, sizeof h) == sizeof h && gzwrite (zf, ext, 4) == 4
                   : fwrite (&h, sizeof h, 1, f) == 1 && fwrite (ext, 4, 1, f) == 1;
  /* Vectors: each component a whole volume after the other, in RAS as
   * NIfTI's world is (ITK turns them back into LPS on reading). */
  for (int c = 0; c < (vectors ? 3 : 1); c++)
    for (int k = 0; ok && k < nz; k++)
      {
        for (int j = 0; j < ny; j++)
          {
            int src_j = rows_reversed ? ny - 1 - j : j;
            if (vectors != NULL)
              {
                float *row = (float *) (buf + (gsize) j * nx * elem);
                const float *in = vectors + 3 * mt_volume_offset (v, 0, src_j, k);
                for (int i = 0; i < nx; i++)
                  row[i] = c < 2 ? -in[3 * i + c] : in[3 * i + c];
              }
            else
              convert_row (v->data + mt_volume_offset (v, 0, src_j, k), nx, type, buf + (gsize) j * nx * elem);
          }
        ok = gz ? gzwrite (zf, buf, (unsigned) slice_bytes) == (int) slice_bytes
                : fwrite (buf, slice_bytes, 1, f) == 1;
      }
  ok = (gz ? gzclose (zf) == Z_OK : fclose (f) == 0) && ok;
  if (!ok)
    g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_IO, _ ("%s: writing failed (disk full?)"), path);
  return ok;
}

gboolean
mt_nifti_write (const MtVolume *v,
                MtNiftiType     type,
                const char     *path,
                GError        **error)
{
  return write_nifti (v, type, FALSE, NULL, path, error);
}

gboolean
mt_nifti_write_displacement (const MtVolume *grid,
                             const float    *vectors,
                             const char     *path,
                             GError        **error)
{
  g_return_val_if_fail (vectors != NULL, FALSE);
  return write_nifti (grid, MT_NIFTI_FLOAT32, FALSE, vectors, path, error);
}

gboolean
mt_nifti_write_rows_reversed (const MtVolume *v,
                              MtNiftiType     type,
                              const char     *path,
                              GError        **error)
{
  return write_nifti (v, type, TRUE, NULL, path, error);
}

MtVolume *
mt_nifti_read (const char *path,
               GError    **error)
{
  gzFile f = gzopen (path, "rb");
  if (f == NULL)
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_IO, _ ("%s: cannot open the file"), path);
      return NULL;
    }
  NiftiHeader h;
  MtVolume *v = NULL;
  guint8 *buf = NULL;
  if (gzread (f, &h, sizeof h) != sizeof h || h.sizeof_hdr != 348
      || (memcmp (h.magic, "n+1", 4) != 0 && memcmp (h.magic, "ni1", 4) != 0))
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_FORMAT,
                   _ ("%s: not a NIfTI-1 file (no 348-byte header with magic n+1)"), path);
      goto out;
    }
  if (memcmp (h.magic, "n+1", 4) != 0)
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_UNSUPPORTED,
                   _ ("%s: two-file NIfTI (.hdr/.img) is not supported; use a .nii file"), path);
      goto out;
    }
  if (h.dim[0] < 3 || h.dim[1] <= 0 || h.dim[2] <= 0 || h.dim[3] <= 0)
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_FORMAT,
                   _ ("%s: the image has no 3-D size (dim %d %d %d %d)"), path,
                   h.dim[0], h.dim[1], h.dim[2], h.dim[3]);
      goto out;
    }
  gsize elem;
  switch (h.datatype)
    {
    case DT_UINT8: case DT_INT8: elem = 1; break;
    case DT_INT16: case DT_UINT16: elem = 2; break;
    case DT_INT32: case DT_FLOAT32: elem = 4; break;
    case DT_FLOAT64: elem = 8; break;
    default:
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_UNSUPPORTED,
                   _ ("%s: NIfTI data type %d is not supported"), path, h.datatype);
      goto out;
    }
  v = mt_volume_new (h.dim[1], h.dim[2], h.dim[3], error);
  if (v == NULL)
    goto out;
  gsize n = mt_volume_n_voxels (v);
  buf = g_try_malloc (n * elem);
  if (buf == NULL || gzseek (f, (z_off_t) h.vox_offset, SEEK_SET) < 0
      || gzread (f, buf, (unsigned) (n * elem)) != (int) (n * elem))
    {
      g_set_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_FORMAT,
                   _ ("%s: the file ends before its %zu voxels; it is truncated"), path, n);
      g_clear_pointer (&v, mt_volume_unref);
      goto out;
    }
  float slope = h.scl_slope != 0.0f && isfinite (h.scl_slope) ? h.scl_slope : 1.0f;
  float inter = isfinite (h.scl_inter) ? h.scl_inter : 0.0f;
  for (gsize i = 0; i < n; i++)
    {
      double x;
      switch (h.datatype)
        {
        case DT_UINT8:  x = buf[i]; break;
        case DT_INT8:   x = (gint8) buf[i]; break;
        case DT_INT16:  { gint16 s; memcpy (&s, buf + 2 * i, 2); x = s; } break;
        case DT_UINT16: { guint16 s; memcpy (&s, buf + 2 * i, 2); x = s; } break;
        case DT_INT32:  { gint32 s; memcpy (&s, buf + 4 * i, 4); x = s; } break;
        case DT_FLOAT32: { float s; memcpy (&s, buf + 4 * i, 4); x = s; } break;
        default: { double s; memcpy (&s, buf + 8 * i, 8); x = s; } break;
        }
      v->data[i] = (float) (x * slope + inter);
    }

  /* The sform when there is one, otherwise the qform; back from RAS to LPS. */
  double m[12];
  if (h.sform_code > 0)
    {
      const float *rows[3] = { h.srow_x, h.srow_y, h.srow_z };
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
          m[r * 4 + c] = rows[r][c];
    }
  else
    {
      double b = h.quatern_b, c = h.quatern_c, d = h.quatern_d;
      double a = sqrt (MAX (0.0, 1.0 - (b * b + c * c + d * d)));
      double R[9] = {
        a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
        2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
        2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b,
      };
      double qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
      double off[3] = { h.qoffset_x, h.qoffset_y, h.qoffset_z };
      for (int r = 0; r < 3; r++)
        {
          m[r * 4 + 0] = R[r * 3 + 0] * h.pixdim[1];
          m[r * 4 + 1] = R[r * 3 + 1] * h.pixdim[2];
          m[r * 4 + 2] = R[r * 3 + 2] * h.pixdim[3] * qfac;
          m[r * 4 + 3] = off[r];
        }
    }
  for (int c = 0; c < 3; c++)
    {
      double len = sqrt (m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
      if (len <= 0)
        len = 1.0;
      v->spacing[c] = len;
      for (int r = 0; r < 3; r++)
        v->direction[r * 3 + c] = (r < 2 ? -1.0 : 1.0) * m[r * 4 + c] / len;
    }
  v->origin[0] = -m[3];
  v->origin[1] = -m[7];
  v->origin[2] = m[11];

out:
  g_free (buf);
  gzclose (f);
  return v;
}
