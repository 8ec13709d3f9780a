/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-phantom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mt-dicom.h"
#include "mt-ecg.h"
#include "mt-nifti.h"
#include "mt-parallel.h"
#include "mt-mesh.h"
#include "mt-phantom.h"
#include "mt-progress.h"
#include "mt-transform.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-phantom-error-quark, mt_phantom_error)

/* The scan grid: a 360 mm field of view, 3 mm axial slices from the upper
 * abdomen (z = -150) to the thoracic inlet (z = +147). The anatomy is laid out
 * in the baseline's patient coordinates (LPS mm): x to the patient's left,
 * y posterior, z superior; the patient lies supine on the couch. */
#define NX 256
#define NY 256
#define NZ 100
#define PIXEL_MM 1.40625
#define SLICE_MM 3.0
static const double grid_origin[3] = { -180.0 + PIXEL_MM / 2, -165.0 + PIXEL_MM / 2, -150.0 };

static const char *label_names[MT_LABEL_COUNT] = {
  "background", "body", "couch", "lung_left", "lung_right", "airway", "heart", "aorta",
  "skeleton", "liver", "kidney_left", "kidney_right", "nodule", "fluid",
};

const char *
mt_label_name (MtLabel label)
{
  g_return_val_if_fail (label < MT_LABEL_COUNT, NULL);
  return label_names[label];
}

GHashTable *
mt_phantom_label_names (void)
{
  GHashTable *names = g_hash_table_new (NULL, NULL);
  for (int l = 1; l < MT_LABEL_COUNT; l++)
    g_hash_table_insert (names, GINT_TO_POINTER (l), (gpointer) label_names[l]);
  return names;
}

/* ------------------------------------------------------------------ anatomy */

typedef struct
{
  double abdomen_phase[4];
} Texture;

static double
body_a (double z)
{
  if (z > 110)
    return 165 - (z - 110) * 0.6;
  if (z < -40)
    return 165 + (z + 40) * 0.1;
  return 165;
}

static double
body_b (double z)
{
  return z < -40 ? 112 + (z + 40) * 0.04 : 112;
}

/* Depth below the skin (mm, negative outside), along the ray from the body
 * axis: the back is flatter (a 4-norm) than the front (an ellipse). */
static double
body_depth (const double p[3])
{
  double a = body_a (p[2]), b = body_b (p[2]);
  double yc = 115 - b;
  double dx = p[0] / a, dy = (p[1] - yc) / b;
  double rho = dy > 0 ? sqrt (sqrt (dx * dx * dx * dx + dy * dy * dy * dy)) : sqrt (dx * dx + dy * dy);
  double dist = sqrt (p[0] * p[0] + (p[1] - yc) * (p[1] - yc));
  if (rho < 1e-9)
    return MIN (a, b);
  return dist / rho - dist;
}

/* The diaphragm: two domes, the right one higher, as on a supine CT. */
static double
dome_z (double x, double y)
{
  double r = 5.0 - 0.005 * ((x + 70) * (x + 70) + (y + 5) * (y + 5));
  double l = -5.0 - 0.005 * ((x - 70) * (x - 70) + (y + 5) * (y + 5));
  return MAX (r, l);
}

static double
ellipsoid (const double p[3], const double c[3], const double r[3])
{
  double dx = (p[0] - c[0]) / r[0], dy = (p[1] - c[1]) / r[1], dz = (p[2] - c[2]) / r[2];
  return dx * dx + dy * dy + dz * dz;
}

static const double lung_c[2][3] = { { -78, 0, 50 }, { 78, 0, 45 } };
static const double lung_r[2][3] = { { 62, 80, 88 }, { 58, 78, 86 } };

/* side 0: right lung (patient right, x < 0); side 1: left lung. */
static gboolean
in_lung (const double p[3], int side)
{
  if (side == 0 ? p[0] > -18 : p[0] < 18)
    return FALSE;
  return ellipsoid (p, lung_c[side], lung_r[side]) < 1.0
      && p[2] > dome_z (p[0], p[1])
      && body_depth (p) > 28;
}

/* ------------------------------------------------------------------ canvas */

typedef struct _Shape Shape;
typedef void (*ShapeFunc) (const Shape *s, const double p[3], guint8 *label, float *hu);

struct _Shape
{
  ShapeFunc   func;
  double      lo[3], hi[3];   /* bounding box in anatomy coordinates */
  double      c[3], r[3];     /* centre and semi-axes, or capsule ends */
  double      a[3], b[3];
  double      ra, rb;
  double      rot[9];
  MtLabel     label;
  MtLabel     only;           /* paint only over this label (NONE: anywhere) */
  float       value;
  int         side;
  const Texture *texture;
};

typedef struct
{
  guint8      *label;
  float       *hu;
  MtTransform *to_anatomy;
  MtTransform *to_world;
} Canvas;

typedef struct
{
  Canvas      *canvas;
  const Shape *shape;
  int          lo[3], hi[3];
} PaintJob;

static void
paint_slice (gsize    idx,
             gpointer data)
{
  PaintJob *job = data;
  const Canvas *c = job->canvas;
  const MtTransform *t = c->to_anatomy;
  const int k = job->lo[2] + (int) idx;
  double step[3] = { t->matrix[0] * PIXEL_MM, t->matrix[3] * PIXEL_MM, t->matrix[6] * PIXEL_MM };
  for (int j = job->lo[1]; j <= job->hi[1]; j++)
    {
      double w[3] = { grid_origin[0] + job->lo[0] * PIXEL_MM, grid_origin[1] + j * PIXEL_MM,
                      grid_origin[2] + k * SLICE_MM };
      double p[3];
      mt_transform_apply (t, w, p);
      gsize off = ((gsize) k * NY + j) * NX + job->lo[0];
      for (int i = job->lo[0]; i <= job->hi[0]; i++, off++)
        {
          job->shape->func (job->shape, p, &c->label[off], &c->hu[off]);
          p[0] += step[0];
          p[1] += step[1];
          p[2] += step[2];
        }
    }
}

static void
paint (Canvas      *c,
       const Shape *s)
{
  PaintJob job = { c, s, { NX, NY, NZ }, { -1, -1, -1 } };
  const double spacing[3] = { PIXEL_MM, PIXEL_MM, SLICE_MM };
  for (int corner = 0; corner < 8; corner++)
    {
      double q[3] = { corner & 1 ? s->hi[0] : s->lo[0], corner & 2 ? s->hi[1] : s->lo[1],
                      corner & 4 ? s->hi[2] : s->lo[2] };
      double w[3];
      mt_transform_apply (c->to_world, q, w);
      for (int a = 0; a < 3; a++)
        {
          double idx = (w[a] - grid_origin[a]) / spacing[a];
          job.lo[a] = MIN (job.lo[a], (int) floor (idx) - 1);
          job.hi[a] = MAX (job.hi[a], (int) ceil (idx) + 1);
        }
    }
  const int dims[3] = { NX, NY, NZ };
  for (int a = 0; a < 3; a++)
    {
      job.lo[a] = MAX (job.lo[a], 0);
      job.hi[a] = MIN (job.hi[a], dims[a] - 1);
      if (job.lo[a] > job.hi[a])
        return;
    }
  gsize n_slices = (gsize) (job.hi[2] - job.lo[2] + 1);
  gsize n = n_slices * (job.hi[1] - job.lo[1] + 1) * (job.hi[0] - job.lo[0] + 1);
  if (n < 40000)
    for (gsize k = 0; k < n_slices; k++)
      paint_slice (k, &job);
  else
    mt_parallel_for (n_slices, paint_slice, &job);
}

static void
set_box (Shape *s, const double c[3], double rx, double ry, double rz)
{
  s->lo[0] = c[0] - rx; s->hi[0] = c[0] + rx;
  s->lo[1] = c[1] - ry; s->hi[1] = c[1] + ry;
  s->lo[2] = c[2] - rz; s->hi[2] = c[2] + rz;
}

/* ------------------------------------------------------------------ shapes */

static void
body_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  const double x = p[0], y = p[1], z = p[2];
  double depth = body_depth (p);
  if (depth <= 0)
    {
      /* The couch: a curved carbon-fibre shell around a foam core. */
      double top = 118.0 - 0.0008 * x * x;
      double d = y - top;
      if (fabs (x) < 176 && d >= 0 && d < 36)
        {
          *label = MT_LABEL_COUCH;
          *hu = d < 3 || d >= 33 ? 260.0f : -880.0f;
        }
      else
        {
          *label = MT_LABEL_NONE;
          *hu = -1000.0f;
        }
      return;
    }
  *label = MT_LABEL_BODY;
  double lateral = x / body_a (z);
  double fat = 12 + 10 * lateral * lateral + (z < 0 ? 6 : 0);
  if (depth < 2.0)
    *hu = 20;
  else if (depth < fat)
    *hu = -105;
  else if (depth < fat + 12)
    *hu = 50;
  else if (z > dome_z (x, y))
    *hu = depth < fat + 26 ? 40 : -85;
  else
    {
      /* Bowel loops, mesenteric fat and a little gas. */
      const double *ph = s->texture->abdomen_phase;
      /* Domain-warped waves curl into loops rather than stripes. */
      double u = 0.10 * x + 1.8 * sin (0.045 * y + ph[0]) + 0.9 * sin (0.05 * z + ph[3]);
      double v = 0.12 * y + 1.8 * sin (0.05 * x + ph[1]) + 0.9 * sin (0.04 * z + ph[0]);
      double w = 0.08 * z + 1.5 * sin (0.04 * x + ph[2]);
      double t = sin (u) * sin (v) + 0.6 * sin (v + w) * sin (u - w);
      *hu = t > 0.55 ? -95 : t < -1.2 ? -950 : 35;
    }
}

static void
ellipsoid_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  if (s->only != MT_LABEL_NONE && *label != s->only)
    return;
  if (ellipsoid (p, s->c, s->r) >= 1.0 || p[2] > dome_z (p[0], p[1]) - 4 || body_depth (p) < 20)
    return;
  *label = s->label;
  *hu = s->value;
}

static void
stomach_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  if (ellipsoid (p, s->c, s->r) >= 1.0 || p[2] > dome_z (p[0], p[1]) - 4)
    return;
  *label = MT_LABEL_BODY;
  /* Supine: the gas rises to the anterior wall. */
  *hu = p[1] < s->c[1] - 14 ? -990 : 25;
}

static void
kidney_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  double e = ellipsoid (p, s->c, s->r);
  if (e >= 1.0)
    return;
  *label = s->label;
  double medial = (s->c[0] > 0 ? s->c[0] - p[0] : p[0] - s->c[0]) / s->r[0];
  if (e > 0.62)
    *hu = 185;                          /* enhancing cortex */
  else if (medial > 0.35 && e < 0.35)
    *hu = -60;                          /* renal sinus fat */
  else
    *hu = 115;                          /* medulla */
}

static void
lung_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  if (!in_lung (p, s->side))
    return;
  *label = s->label;
  /* Dependent (posterior) lung is denser on a supine scan. */
  *hu = (float) (-875 + 0.45 * (p[1] + 80));
}

static void
heart_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  double d[3] = { p[0] - s->c[0], p[1] - s->c[1], p[2] - s->c[2] };
  double q[3];
  for (int r = 0; r < 3; r++)   /* into the heart's own frame: R^T d */
    q[r] = s->rot[0 * 3 + r] * d[0] + s->rot[1 * 3 + r] * d[1] + s->rot[2 * 3 + r] * d[2];
  static const double zero[3] = { 0, 0, 0 };
  if (ellipsoid (q, zero, s->r) >= 1.0)
    return;
  *label = MT_LABEL_HEART;
  static const double lv_c[3] = { 18, 5, -5 }, lv_r[3] = { 27, 17, 30 };
  static const double rv_c[3] = { -8, -24, -6 }, rv_r[3] = { 30, 11, 28 };
  static const double la_c[3] = { -2, 28, 24 }, la_r[3] = { 22, 15, 15 };
  static const double ra_c[3] = { -36, 6, 14 }, ra_r[3] = { 17, 19, 22 };
  if (ellipsoid (q, lv_c, lv_r) < 1.0 || ellipsoid (q, la_c, la_r) < 1.0)
    *hu = 330;                                     /* left heart, full contrast */
  else if (ellipsoid (q, rv_c, rv_r) < 1.0 || ellipsoid (q, ra_c, ra_r) < 1.0)
    *hu = 250;                                     /* right heart, mixing */
  else if (ellipsoid (q, zero, (double[3]) { s->r[0] - 3, s->r[1] - 3, s->r[2] - 3 }) >= 1.0)
    *hu = -70;                                     /* epicardial fat */
  else
    *hu = 95;                                      /* myocardium */
}

static double
capsule_distance (const Shape *s, const double p[3], double *radius)
{
  double ab[3], ap[3], len2 = 0, t = 0;
  for (int a = 0; a < 3; a++)
    {
      ab[a] = s->b[a] - s->a[a];
      ap[a] = p[a] - s->a[a];
      len2 += ab[a] * ab[a];
      t += ab[a] * ap[a];
    }
  t = len2 > 0 ? CLAMP (t / len2, 0.0, 1.0) : 0.0;
  double d2 = 0;
  for (int a = 0; a < 3; a++)
    {
      double e = ap[a] - t * ab[a];
      d2 += e * e;
    }
  *radius = s->ra + t * (s->rb - s->ra);
  return sqrt (d2);
}

/* A vessel segment: label and value anywhere, or only where `only` is. */
static void
vessel_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  double r, d = capsule_distance (s, p, &r);
  if (d >= r)
    return;
  if (s->only == MT_LABEL_NONE)
    *label = s->label;
  else if (*label != s->only && !(s->only == MT_LABEL_LUNG_LEFT && *label == MT_LABEL_LUNG_RIGHT))
    return;
  *hu = s->value;
}

static void
airway_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  double r, d = capsule_distance (s, p, &r);
  double wall = MAX (0.8, 0.22 * r);
  if (d < r)
    {
      *label = MT_LABEL_AIRWAY;
      *hu = -1000;
    }
  else if (d < r + wall && *label != MT_LABEL_AIRWAY)
    {
      /* A child's wall never closes its parent's lumen. */
      *label = MT_LABEL_AIRWAY;
      *hu = 45;
    }
}

static void
bone (guint8 *label, float *hu, gboolean cortex)
{
  *label = MT_LABEL_SKELETON;
  *hu = cortex ? 850 : 260;
}

static void
spine_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  const double x = p[0], y = p[1], z = p[2];
  double level = fmod (z + 1000.0, 30.0);   /* 24 mm vertebra, 6 mm disc */
  gboolean disc = level >= 24.0;
  double r_body = sqrt (x * x + (y - 62) * (y - 62));
  if (r_body < 18)
    {
      if (disc)
        {
          *label = MT_LABEL_BODY;
          *hu = 90;
        }
      else
        bone (label, hu, r_body > 16 || level < 1.5 || level > 22.5);
      return;
    }
  if (disc)
    return;
  double r_arch = sqrt (x * x + (y - 88) * (y - 88));
  gboolean arch = r_arch >= 8 && r_arch < 13 && y > 78;
  gboolean spinous = fabs (x) < 4 && y >= 98 && y < 114 && level > 4 && level < 20;
  gboolean transverse = fabs (x) < 30 && y > 81 && y < 89 && level > 7 && level < 17;
  if (arch || spinous || transverse)
    bone (label, hu, TRUE);
  else if (r_arch < 8)
    {
      *label = MT_LABEL_BODY;
      *hu = 15;                              /* spinal canal */
    }
}

/* A rib: a flattened tube along an ellipse inside the chest wall, from the
 * transverse process round to the front, falling as it goes. */
static void
rib_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  const double z0 = s->c[0], phi1 = s->c[1];
  const double phi0 = 0.32, drop = 95.0;
  double ar = body_a (z0) - 30, br = body_b (z0) - 24, yc = 115 - body_b (z0);
  double ex = fabs (p[0]) / ar, ey = (p[1] - yc) / br;
  double rho = sqrt (ex * ex + ey * ey);
  /* Off the rib's ring, before any angle: |radial| >= |rho - 1| min (ar, br),
   * and the rib is 3.6 mm thick. Most of its box is. */
  if (fabs (rho - 1.0) * MIN (ar, br) >= 3.6)
    return;
  double phi = atan2 (ex, ey);
  if (phi < phi0 || phi > phi1)
    return;
  double radial = (rho - 1.0) * sqrt (ar * ar * sin (phi) * sin (phi) + br * br * cos (phi) * cos (phi));
  double zc = z0 - drop * (phi - phi0) / (2.4 - phi0);
  double u = radial / 3.6, v = (p[2] - zc) / 6.0;
  double e = u * u + v * v;
  if (e < 1.0)
    bone (label, hu, e > 0.45);
}

static void
box_bone_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  /* Sternum: a plate just under the anterior chest wall. */
  double front = 115 - 2 * body_b (p[2]);
  double y0 = front + 14, half_w = p[2] > 105 ? 22 : 13;
  if (fabs (p[0]) < half_w && p[1] > y0 && p[1] < y0 + 11)
    bone (label, hu, p[1] < y0 + 1.5 || p[1] > y0 + 9.5 || fabs (p[0]) > half_w - 1.5);
}

static gboolean
in_triangle (double px, double py, const double t[6])
{
  double d1 = (px - t[2]) * (t[1] - t[3]) - (t[0] - t[2]) * (py - t[3]);
  double d2 = (px - t[4]) * (t[3] - t[5]) - (t[2] - t[4]) * (py - t[5]);
  double d3 = (px - t[0]) * (t[5] - t[1]) - (t[4] - t[0]) * (py - t[1]);
  gboolean neg = d1 < 0 || d2 < 0 || d3 < 0, pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

static void
scapula_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  /* A thin triangular blade on the back of the chest: superior angle,
   * inferior angle and the lateral (glenoid) angle, in |x| and z. */
  static const double blade[6] = { 58, 140, 72, 55, 128, 128 };
  double ax = fabs (p[0]);
  if (!in_triangle (ax, p[2], blade))
    return;
  double yc = 84 - 0.22 * (ax - 58);      /* wraps forward round the ribs */
  double half = ax > 110 && p[2] > 115 ? 6.0 : 2.5;   /* thick at the glenoid */
  if (fabs (p[1] - yc) < half && body_depth (p) > 6)
    bone (label, hu, fabs (p[1] - yc) > half - 1.2 || half < 3);
}

static void
diaphragm_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  if (*label != MT_LABEL_BODY)
    return;
  double d = dome_z (p[0], p[1]) - p[2];
  if (d > 0 && d < 4 && body_depth (p) > 26)
    *hu = 45;
}

static void
effusion_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  if (*label == MT_LABEL_LUNG_RIGHT && p[1] > 38 && p[2] < 20)
    {
      *label = MT_LABEL_FLUID;
      *hu = 12;
    }
}

static void
nodule_func (const Shape *s, const double p[3], guint8 *label, float *hu)
{
  double d[3] = { p[0] - s->c[0], p[1] - s->c[1], p[2] - s->c[2] };
  double r = sqrt (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  if (r >= s->ra * 1.1)
    return;
  /* A gently lobulated solid nodule. */
  double lob = r > 1e-6 ? 1.0 + 0.08 * (d[0] * d[1] - 0.5 * d[2] * d[2]) / (r * r) : 1.0;
  if (r < s->ra * lob)
    {
      *label = MT_LABEL_NODULE;
      *hu = 38;
    }
}

/* ------------------------------------------------------------------ trees */

typedef struct
{
  double a[3], b[3], ra, rb;
} Segment;

static void
rotate_about (const double v[3], const double axis[3], double angle, double out[3])
{
  double c = cos (angle), s = sin (angle);
  double dot = v[0] * axis[0] + v[1] * axis[1] + v[2] * axis[2];
  double cross[3] = { axis[1] * v[2] - axis[2] * v[1], axis[2] * v[0] - axis[0] * v[2],
                      axis[0] * v[1] - axis[1] * v[0] };
  for (int a = 0; a < 3; a++)
    out[a] = v[a] * c + cross[a] * s + axis[a] * dot * (1 - c);
}

static void
normalize (double v[3])
{
  double l = sqrt (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  for (int a = 0; a < 3; a++)
    v[a] /= l;
}

/* Dichotomous branching, each child ~0.78 the calibre of its parent (Murray's
 * law for two equal children), pruned where it would leave the lung. */
static void
grow (GArray *segs, GRand *rng, const double start[3], const double dir_in[3], double len,
      double radius, int gen, int side, int max_gen, double min_radius)
{
  double dir[3] = { dir_in[0], dir_in[1], dir_in[2] };
  normalize (dir);
  double end[3];
  for (int a = 0; a < 3; a++)
    end[a] = start[a] + dir[a] * len;
  if (!in_lung (end, side))
    {
      len *= 0.5;
      for (int a = 0; a < 3; a++)
        end[a] = start[a] + dir[a] * len;
      if (!in_lung (end, side))
        return;
    }
  Segment sg = { { start[0], start[1], start[2] }, { end[0], end[1], end[2] }, radius, radius * 0.92 };
  g_array_append_val (segs, sg);
  if (gen >= max_gen || radius * 0.78 < min_radius)
    return;
  double any[3] = { g_rand_double_range (rng, -1, 1), g_rand_double_range (rng, -1, 1),
                    g_rand_double_range (rng, -1, 1) };
  double axis[3] = { dir[1] * any[2] - dir[2] * any[1], dir[2] * any[0] - dir[0] * any[2],
                     dir[0] * any[1] - dir[1] * any[0] };
  normalize (axis);
  for (int child = 0; child < 2; child++)
    {
      double angle = (child ? 1 : -1) * g_rand_double_range (rng, 0.35, 0.65);
      double nd[3];
      rotate_about (dir, axis, angle, nd);
      grow (segs, rng, end, nd, len * g_rand_double_range (rng, 0.72, 0.86), radius * 0.78,
            gen + 1, side, max_gen, min_radius);
    }
}

static void
make_trees (guint32 seed, GArray *airway, GArray *vessels)
{
  g_autoptr (GRand) rng = g_rand_new_with_seed (seed ^ 0x5eed7ee5u);
  const Segment trunk[] = {
    { { 0, -20, 150 }, { 0, -5, 80 }, 9.0, 8.5 },     /* trachea */
    { { 0, -5, 80 }, { -40, 0, 62 }, 7.0, 6.5 },      /* right main bronchus */
    { { 0, -5, 80 }, { 45, 5, 58 }, 6.5, 6.0 },       /* left main bronchus */
  };
  for (guint i = 0; i < G_N_ELEMENTS (trunk); i++)
    g_array_append_val (airway, trunk[i]);
  /* Lobar directions: upper, (right) middle, lower. */
  const double right_dirs[3][3] = { { -0.45, -0.1, 0.9 }, { -0.6, -0.7, -0.35 }, { -0.45, 0.35, -0.8 } };
  const double left_dirs[2][3] = { { 0.45, -0.2, 0.85 }, { 0.45, 0.35, -0.8 } };
  for (int d = 0; d < 3; d++)
    grow (airway, rng, trunk[1].b, right_dirs[d], 28, 4.8, 1, 0, 6, 0.9);
  for (int d = 0; d < 2; d++)
    grow (airway, rng, trunk[2].b, left_dirs[d], 30, 5.0, 1, 1, 6, 0.9);

  /* Pulmonary arteries run beside the bronchi, from the hila. */
  const double hilum[2][3] = { { -36, 6, 60 }, { 40, 10, 56 } };
  for (int d = 0; d < 3; d++)
    grow (vessels, rng, hilum[0], right_dirs[d], 30, 5.5, 1, 0, 7, 0.7);
  for (int d = 0; d < 2; d++)
    grow (vessels, rng, hilum[1], left_dirs[d], 32, 5.5, 1, 1, 7, 0.7);
}

static void
paint_segments (Canvas *c, GArray *segs, ShapeFunc func, MtLabel label, MtLabel only, float value)
{
  for (guint i = 0; i < segs->len; i++)
    {
      const Segment *sg = &g_array_index (segs, Segment, i);
      Shape s = { 0 };
      s.func = func;
      s.label = label;
      s.only = only;
      s.value = value;
      memcpy (s.a, sg->a, sizeof s.a);
      memcpy (s.b, sg->b, sizeof s.b);
      s.ra = sg->ra;
      s.rb = sg->rb;
      double m = MAX (sg->ra, sg->rb) + 3;
      for (int a = 0; a < 3; a++)
        {
          s.lo[a] = MIN (sg->a[a], sg->b[a]) - m;
          s.hi[a] = MAX (sg->a[a], sg->b[a]) + m;
        }
      paint (c, &s);
    }
}

static void
paint_chain (Canvas *c, const double (*pts)[3], const double *radii, int n, MtLabel label,
             MtLabel only, float value)
{
  g_autoptr (GArray) segs = g_array_new (FALSE, FALSE, sizeof (Segment));
  for (int i = 0; i + 1 < n; i++)
    {
      Segment sg = { { pts[i][0], pts[i][1], pts[i][2] }, { pts[i + 1][0], pts[i + 1][1], pts[i + 1][2] },
                     radii[i], radii[i + 1] };
      g_array_append_val (segs, sg);
    }
  paint_segments (c, segs, vessel_func, label, only, value);
}

/* ------------------------------------------------------------------ scan */

static void
paint_anatomy (Canvas *c, guint32 seed, gboolean followup)
{
  Texture tex;
  g_autoptr (GRand) rng = g_rand_new_with_seed (seed);
  for (int i = 0; i < 4; i++)
    tex.abdomen_phase[i] = g_rand_double_range (rng, 0, 2 * G_PI);

  Shape s = { 0 };
  s.func = body_func;
  s.texture = &tex;
  set_box (&s, (double[3]) { 0, 0, 0 }, 1e4, 1e4, 1e4);
  paint (c, &s);

  /* Abdomen: spleen and stomach (body), liver, kidneys; then the diaphragm. */
  Shape spleen = { .func = ellipsoid_func, .c = { 82, 35, -30 }, .r = { 22, 38, 40 },
                   .label = MT_LABEL_BODY, .value = 105 };
  set_box (&spleen, spleen.c, 22, 38, 40);
  paint (c, &spleen);
  Shape stomach = { .func = stomach_func, .c = { 45, -35, -40 }, .r = { 40, 32, 36 } };
  set_box (&stomach, stomach.c, 40, 32, 36);
  paint (c, &stomach);
  Shape liver = { .func = ellipsoid_func, .c = { -55, 0, -50 }, .r = { 85, 80, 60 },
                  .label = MT_LABEL_LIVER, .value = 95 };
  set_box (&liver, liver.c, 85, 80, 60);
  paint (c, &liver);
  const double hv[4][3] = { { -22, 32, -8 }, { -70, -20, -40 }, { -45, -40, -30 }, { -10, -35, -32 } };
  for (int i = 1; i < 4; i++)
    {
      const double pts[2][3] = { { hv[0][0], hv[0][1], hv[0][2] }, { hv[i][0], hv[i][1], hv[i][2] } };
      paint_chain (c, pts, (double[]) { 6, 3 }, 2, MT_LABEL_LIVER, MT_LABEL_LIVER, 150);
    }
  Shape kl = { .func = kidney_func, .c = { 68, 55, -95 }, .r = { 28, 22, 50 }, .label = MT_LABEL_KIDNEY_LEFT };
  set_box (&kl, kl.c, 28, 22, 50);
  paint (c, &kl);
  Shape kr = { .func = kidney_func, .c = { -68, 58, -105 }, .r = { 28, 22, 50 }, .label = MT_LABEL_KIDNEY_RIGHT };
  set_box (&kr, kr.c, 28, 22, 50);
  paint (c, &kr);
  const double ivc[3][3] = { { -22, 40, -155 }, { -22, 32, -20 }, { -26, 5, 10 } };
  paint_chain (c, ivc, (double[]) { 11, 11, 10 }, 3, MT_LABEL_BODY, MT_LABEL_NONE, 160);
  Shape dia = { .func = diaphragm_func };
  set_box (&dia, (double[3]) { 0, 0, -20 }, 170, 120, 60);
  paint (c, &dia);

  /* Thorax: lungs with their vessels, the effusion, the heart and great vessels. */
  for (int side = 0; side < 2; side++)
    {
      Shape lung = { .func = lung_func, .side = side,
                     .label = side == 0 ? MT_LABEL_LUNG_RIGHT : MT_LABEL_LUNG_LEFT };
      set_box (&lung, lung_c[side], lung_r[side][0], lung_r[side][1], lung_r[side][2]);
      paint (c, &lung);
    }
  g_autoptr (GArray) airway = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_autoptr (GArray) vessels = g_array_new (FALSE, FALSE, sizeof (Segment));
  make_trees (seed, airway, vessels);
  paint_segments (c, vessels, vessel_func, MT_LABEL_NONE, MT_LABEL_LUNG_LEFT, 110);
  Shape eff = { .func = effusion_func };
  set_box (&eff, lung_c[0], lung_r[0][0], lung_r[0][1], lung_r[0][2]);
  paint (c, &eff);

  Shape heart = { .func = heart_func, .c = { 15, -35, 25 }, .r = { 60, 48, 52 } };
  double ang = 30.0 * G_PI / 180.0;      /* apex towards the left and front */
  double rot[9] = { cos (ang), -sin (ang), 0, sin (ang), cos (ang), 0, 0, 0, 1 };
  memcpy (heart.rot, rot, sizeof rot);
  set_box (&heart, heart.c, 62, 62, 52);
  paint (c, &heart);
  const double pa[3][3] = { { 5, -62, 48 }, { 0, -30, 68 }, { 0, -12, 72 } };
  paint_chain (c, pa, (double[]) { 13, 13, 12 }, 3, MT_LABEL_BODY, MT_LABEL_NONE, 200);
  const double svc[2][3] = { { -30, -28, 150 }, { -30, -24, 40 } };
  paint_chain (c, svc, (double[]) { 9, 9 }, 2, MT_LABEL_BODY, MT_LABEL_NONE, 230);
  const double aorta[][3] = {
    { 5, -28, 50 }, { 0, -30, 90 }, { 6, -15, 110 }, { 18, 8, 112 }, { 22, 25, 98 },
    { 22, 30, 70 }, { 22, 32, 20 }, { 18, 36, -40 }, { 10, 40, -100 }, { 5, 42, -155 },
  };
  const double aorta_r[] = { 15, 15, 14, 13, 12.5, 12, 12, 11.5, 11, 10 };
  paint_chain (c, aorta, aorta_r, G_N_ELEMENTS (aorta_r), MT_LABEL_AORTA, MT_LABEL_NONE, 330);
  const double branches[3][2][3] = {
    { { 4, -14, 112 }, { -16, -26, 152 } },
    { { 11, -6, 115 }, { 8, -14, 152 } },
    { { 17, 4, 114 }, { 30, 0, 152 } },
  };
  for (int i = 0; i < 3; i++)
    paint_chain (c, branches[i], (double[]) { 6, 5 }, 2, MT_LABEL_BODY, MT_LABEL_NONE, 320);

  /* Skeleton: spine, ribs, sternum, scapulae. */
  Shape spine = { .func = spine_func };
  set_box (&spine, (double[3]) { 0, 80, 0 }, 40, 40, 200);   /* the vertebral bodies reach y = 44 */
  paint (c, &spine);
  for (int i = 0; i < 10; i++)
    {
      Shape rib = { .func = rib_func };
      rib.c[0] = 128 - 19.0 * i;
      rib.c[1] = i < 7 ? 2.35 : 2.35 - 0.25 * (i - 6);
      set_box (&rib, (double[3]) { 0, 0, rib.c[0] - 45 }, 170, 120, 55);
      paint (c, &rib);
    }
  Shape sternum = { .func = box_bone_func };
  set_box (&sternum, (double[3]) { 0, -95, 82 }, 25, 25, 42);
  paint (c, &sternum);
  Shape scap = { .func = scapula_func };
  set_box (&scap, (double[3]) { 0, 85, 110 }, 170, 20, 50);
  paint (c, &scap);

  paint_segments (c, airway, airway_func, MT_LABEL_AIRWAY, MT_LABEL_NONE, -1000);

  Shape nodule = { .func = nodule_func, .c = { -88, -25, 85 }, .ra = followup ? 7.5 : 6.0 };
  set_box (&nodule, nodule.c, 10, 10, 10);
  paint (c, &nodule);
}

/* ------------------------------------------------------------------ imaging */

typedef struct
{
  float  *src;
  float  *dst;
  guint32 seed;
} FilterJob;

static inline guint32
xorshift (guint32 *s)
{
  guint32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Quantum noise, then the scanner's point spread blurs it into the grainy,
 * correlated texture of a real CT (about 12 HU in soft tissue). */
static void
noise_slice (gsize k, gpointer data)
{
  FilterJob *job = data;
  guint32 s = job->seed * 2654435761u + (guint32) k * 40503u + 1u;
  for (int w = 0; w < 8; w++)
    xorshift (&s);
  float *p = job->src + k * NX * NY;
  for (int i = 0; i < NX * NY; i++)
    {
      /* Irwin-Hall: the sum of four uniforms is close to Gaussian. */
      float u = 0;
      for (int q = 0; q < 4; q++)
        u += (float) (xorshift (&s) >> 8) * (1.0f / 16777216.0f);
      p[i] += (u - 2.0f) * 1.7320508f * 40.0f;
    }
}

static const float kxy[5] = { 0.0315f, 0.2330f, 0.4710f, 0.2330f, 0.0315f };  /* sigma 0.65 voxel */
static const float kz[3] = { 0.0710f, 0.8580f, 0.0710f };                     /* sigma 0.45 slice */

static void
blur_xy_slice (gsize k, gpointer data)
{
  FilterJob *job = data;
  float *src = job->src + k * NX * NY, *dst = job->dst + k * NX * NY;
  float row[NX];
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      {
        float acc = 0;
        for (int t = -2; t <= 2; t++)
          acc += kxy[t + 2] * src[j * NX + CLAMP (i + t, 0, NX - 1)];
        dst[j * NX + i] = acc;
      }
  for (int i = 0; i < NX; i++)
    {
      for (int j = 0; j < NY; j++)
        {
          float acc = 0;
          for (int t = -2; t <= 2; t++)
            acc += kxy[t + 2] * dst[CLAMP (j + t, 0, NY - 1) * NX + i];
          row[j] = acc;
        }
      for (int j = 0; j < NY; j++)
        src[j * NX + i] = row[j];
    }
}

static void
blur_z_slice (gsize k, gpointer data)
{
  FilterJob *job = data;
  const float *a = job->src + (gsize) CLAMP ((int) k - 1, 0, NZ - 1) * NX * NY;
  const float *b = job->src + k * NX * NY;
  const float *c = job->src + (gsize) CLAMP ((int) k + 1, 0, NZ - 1) * NX * NY;
  float *d = job->dst + k * NX * NY;
  for (int i = 0; i < NX * NY; i++)
    {
      float v = kz[0] * a[i] + kz[1] * b[i] + kz[2] * c[i];
      /* Stored as 12 bits with intercept -1024, as many scanners do. */
      d[i] = CLAMP (rintf (v), -1024.0f, 3071.0f);
    }
}

MtTransform *
mt_phantom_followup_transform (void)
{
  /* The patient lies a little differently at follow-up: rolled, turned and
   * shifted along the table. */
  const double deg = G_PI / 180.0;
  const double angles[3] = { 1.5 * deg, -1.0 * deg, 2.5 * deg };
  const double translation[3] = { 4.0, -6.0, 10.0 };
  const double center[3] = { 0.0, 0.0, 0.0 };
  return mt_transform_new_rigid (angles, translation, center);
}

MtPhantom *
mt_phantom_generate (guint32       seed,
                     gboolean      followup,
                     MtProgress   *progress,
                     GCancellable *cancellable,
                     GError      **error)
{
  g_autoptr (MtVolume) ct = mt_volume_new (NX, NY, NZ, error);
  if (ct == NULL)
    return NULL;
  g_autoptr (MtVolume) labels = mt_volume_new (NX, NY, NZ, error);
  if (labels == NULL)
    return NULL;
  for (MtVolume *v = ct; v != NULL; v = v == ct ? labels : NULL)
    {
      memcpy (v->origin, grid_origin, sizeof v->origin);
      v->spacing[0] = v->spacing[1] = PIXEL_MM;
      v->spacing[2] = SLICE_MM;
    }
  ct->modality = g_strdup ("CT");
  ct->window_center = 40;
  ct->window_width = 400;

  Canvas c = { 0 };
  gsize n = (gsize) NX * NY * NZ;
  c.label = g_malloc0 (n);
  c.hu = ct->data;
  g_autoptr (MtTransform) motion = followup ? mt_phantom_followup_transform () : mt_transform_new_identity ();
  c.to_world = motion;
  c.to_anatomy = mt_transform_invert (motion, NULL);

  mt_progress_update (progress, 0.05);
  paint_anatomy (&c, seed, followup);
  mt_progress_update (progress, 0.6);

  MtPhantom *ph = NULL;
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_autofree float *tmp = g_malloc (n * sizeof (float));
      FilterJob job = { ct->data, tmp, seed * 2u + (followup ? 1u : 0u) };
      mt_parallel_for (NZ, noise_slice, &job);
      mt_parallel_for (NZ, blur_xy_slice, &job);
      memcpy (tmp, ct->data, n * sizeof (float));
      job.src = tmp;
      job.dst = ct->data;
      mt_parallel_for (NZ, blur_z_slice, &job);
      for (gsize i = 0; i < n; i++)
        labels->data[i] = c.label[i];
      ph = g_new0 (MtPhantom, 1);
      ph->ct = g_steal_pointer (&ct);
      ph->labels = g_steal_pointer (&labels);
    }
  mt_progress_update (progress, 1.0);
  g_free (c.label);
  mt_transform_free (c.to_anatomy);
  return ph;
}

void
mt_phantom_free (MtPhantom *phantom)
{
  if (phantom == NULL)
    return;
  g_clear_pointer (&phantom->ct, mt_volume_unref);
  g_clear_pointer (&phantom->labels, mt_volume_unref);
  g_free (phantom);
}

/* ------------------------------------------------------------------ files */

typedef struct
{
  const MtVolume *ct;
  const char     *dir;
  guint32         seed;
  gboolean        followup;
  char           *study_uid;
  char           *series_uid;
  char           *frame_uid;
  GMutex          lock;
  GError         *error;
} WriteJob;

static void
write_slice (gsize k, gpointer data)
{
  WriteJob *job = data;
  if (g_atomic_pointer_get (&job->error) != NULL)
    return;
  const MtVolume *ct = job->ct;
  gsize plane = (gsize) NX * NY;
  g_autofree guint16 *pixels = g_new (guint16, plane);
  for (gsize i = 0; i < plane; i++)
    pixels[i] = (guint16) (ct->data[k * plane + i] + 1024.0f);

  g_autofree char *sop_seed = g_strdup_printf ("medtwin-demo/%u/%s/%zu", job->seed,
                                               job->followup ? "followup" : "baseline", k);
  g_autofree char *sop_uid = mt_dicom_uid_from_seed (sop_seed);
  MtDicomCtSpec spec = {
    .patient_name = "MedTwin^Demo",
    .patient_id = "MT-DEMO-0001",
    .patient_birth_date = "19700101",
    .patient_sex = "O",
    .study_uid = job->study_uid,
    .study_date = job->followup ? "20260601" : "20260101",
    .study_time = "090000",
    .study_id = job->followup ? "2" : "1",
    .study_description = job->followup ? "Demo thorax-abdomen CT, follow-up" : "Demo thorax-abdomen CT, baseline",
    .accession_number = job->followup ? "MTDEMO2" : "MTDEMO1",
    .series_uid = job->series_uid,
    .series_number = 1,
    .series_description = "Thorax-abdomen 3.0 mm, contrast",
    .frame_of_reference_uid = job->frame_uid,
    .sop_instance_uid = sop_uid,
    .instance_number = NZ - (int) k,     /* scanners number from the head down */
    .rows = NY,
    .columns = NX,
    .pixel_spacing = { PIXEL_MM, PIXEL_MM },
    .position = { ct->origin[0], ct->origin[1], ct->origin[2] + k * SLICE_MM },
    .orientation = { 1, 0, 0, 0, 1, 0 },
    .slice_thickness = SLICE_MM,
    .rescale_slope = 1.0,
    .rescale_intercept = -1024.0,
    .window_center = 40,
    .window_width = 400,
    .bits_stored = 12,
    .pixels = pixels,
  };
  g_autofree char *name = g_strdup_printf ("CT%04d.dcm", spec.instance_number);
  g_autofree char *path = g_build_filename (job->dir, name, NULL);
  GError *local = NULL;
  if (!mt_dicom_write_ct (&spec, path, &local))
    {
      g_mutex_lock (&job->lock);
      if (job->error == NULL)
        job->error = local;
      else
        g_error_free (local);
      g_mutex_unlock (&job->lock);
    }
}

static gboolean
make_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, MT_PHANTOM_ERROR, MT_PHANTOM_ERROR_IO,
                   _ ("%s: cannot create the folder (%s)"), path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_scan (const MtPhantom *ph, const char *out_dir, const char *name, guint32 seed,
            gboolean followup, GError **error)
{
  g_autofree char *dir = g_build_filename (out_dir, name, NULL);
  if (!make_dir (dir, error))
    return FALSE;
  /* Stale slices from an earlier run would join the series: clear them. */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  while (d && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (entry, ".dcm"))
      {
        g_autofree char *old = g_build_filename (dir, entry, NULL);
        g_unlink (old);
      }

  WriteJob job = { 0 };
  job.ct = ph->ct;
  job.dir = dir;
  job.seed = seed;
  job.followup = followup;
  g_autofree char *s1 = g_strdup_printf ("medtwin-demo/%u/study/%s", seed, name);
  g_autofree char *s2 = g_strdup_printf ("medtwin-demo/%u/series/%s", seed, name);
  g_autofree char *s3 = g_strdup_printf ("medtwin-demo/%u/frame/%s", seed, name);
  job.study_uid = mt_dicom_uid_from_seed (s1);
  job.series_uid = mt_dicom_uid_from_seed (s2);
  job.frame_uid = mt_dicom_uid_from_seed (s3);
  g_mutex_init (&job.lock);
  mt_parallel_for (NZ, write_slice, &job);
  g_mutex_clear (&job.lock);
  g_free (job.study_uid);
  g_free (job.series_uid);
  g_free (job.frame_uid);
  if (job.error)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }

  g_autofree char *label_name = g_strdup_printf ("%s-labels.nii.gz", name);
  g_autofree char *label_path = g_build_filename (out_dir, "truth", label_name, NULL);
  return mt_nifti_write (ph->labels, MT_NIFTI_UINT8, label_path, error);
}

static gboolean
write_json (JsonBuilder *b, const char *path, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, path, error);
}

gboolean
mt_phantom_write (const char   *out_dir,
                  guint32       seed,
                  MtProgress   *progress,
                  GCancellable *cancellable,
                  GError      **error)
{
  g_autofree char *truth = g_build_filename (out_dir, "truth", NULL);
  if (!make_dir (truth, error))
    return FALSE;

  for (int f = 0; f < 2; f++)
    {
      const char *name = f ? "followup" : "baseline";
      mt_progress_set_stage (progress, f * 0.45, f * 0.45 + 0.3, f ? N_("Generating the follow-up scan")
                                                                    : N_("Generating the baseline scan"));
      g_autoptr (MtPhantom) ph = mt_phantom_generate (seed, f, progress, cancellable, error);
      if (ph == NULL)
        return FALSE;
      mt_progress_set_stage (progress, f * 0.45 + 0.3, f * 0.45 + 0.45, N_ ("Writing DICOM"));
      if (!write_scan (ph, out_dir, name, seed, f, error))
        return FALSE;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }

  mt_progress_set_stage (progress, 0.9, 1.0, N_ ("Writing the ground truth"));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  for (int l = 1; l < MT_LABEL_COUNT; l++)
    {
      json_builder_set_member_name (b, label_names[l]);
      json_builder_add_int_value (b, l);
    }
  json_builder_end_object (b);
  g_autofree char *labels_json = g_build_filename (truth, "labels.json", NULL);
  if (!write_json (b, labels_json, error))
    return FALSE;

  g_autoptr (MtTransform) motion = mt_phantom_followup_transform ();
  g_autofree char *tfm = g_build_filename (truth, "followup-from-baseline.tfm", NULL);
  if (!mt_transform_write_itk (motion, tfm, error))
    return FALSE;

  g_autoptr (MtEcg) ecg = mt_ecg_synthesize (60.0, 500.0, 72.0, seed);
  g_autofree char *csv = g_build_filename (out_dir, "ecg.csv", NULL);
  if (!mt_ecg_write_csv (ecg, csv, error))
    return FALSE;
  g_autoptr (JsonBuilder) eb = json_builder_new ();
  json_builder_begin_object (eb);
  json_builder_set_member_name (eb, "sampling_rate_hz");
  json_builder_add_double_value (eb, ecg->sampling_rate_hz);
  json_builder_set_member_name (eb, "heart_rate_bpm");
  json_builder_add_double_value (eb, round (mt_ecg_mean_heart_rate (ecg) * 100) / 100);
  json_builder_set_member_name (eb, "r_peaks");
  json_builder_begin_array (eb);
  for (guint i = 0; i < ecg->r_peaks->len; i++)
    json_builder_add_int_value (eb, g_array_index (ecg->r_peaks, guint32, i));
  json_builder_end_array (eb);
  json_builder_end_object (eb);
  g_autofree char *ecg_json = g_build_filename (truth, "ecg.json", NULL);
  if (!write_json (eb, ecg_json, error))
    return FALSE;
  mt_progress_update (progress, 1.0);
  return TRUE;
}

/* --------------------------------------------------------------- surfaces */

typedef struct
{
  const MtVolume *labels;
  MtLabel         label;
  MtMesh         *mesh;
} SurfaceJob;

static void
surface_job (gsize i, gpointer data)
{
  SurfaceJob *job = (SurfaceJob *) data + i;
  job->mesh = mt_mesh_from_segment (job->labels, job->label, NULL);
}

GPtrArray *
mt_phantom_surfaces (const MtVolume *labels,
                     GCancellable   *cancellable,
                     GError        **error)
{
  /* The organs a class looks at, in colours anatomy atlases use; the large
   * ones see-through so the heart and the nodule show inside them. Body,
   * couch and skeleton are left to the volume rendering. */
  static const struct { MtLabel label; float rgba[4]; } organs[] = {
    { MT_LABEL_HEART, { 0.80f, 0.18f, 0.16f, 1.0f } },
    { MT_LABEL_AORTA, { 0.90f, 0.30f, 0.25f, 1.0f } },
    { MT_LABEL_NODULE, { 1.00f, 0.85f, 0.20f, 1.0f } },
    { MT_LABEL_KIDNEY_LEFT, { 0.62f, 0.32f, 0.25f, 1.0f } },
    { MT_LABEL_KIDNEY_RIGHT, { 0.62f, 0.32f, 0.25f, 1.0f } },
    { MT_LABEL_LIVER, { 0.55f, 0.27f, 0.18f, 0.55f } },
    { MT_LABEL_LUNG_LEFT, { 0.60f, 0.75f, 0.95f, 0.30f } },
    { MT_LABEL_LUNG_RIGHT, { 0.60f, 0.75f, 0.95f, 0.30f } },
  };
  SurfaceJob jobs[G_N_ELEMENTS (organs)];
  for (guint i = 0; i < G_N_ELEMENTS (organs); i++)
    jobs[i] = (SurfaceJob) { labels, organs[i].label, NULL };
  mt_parallel_for (G_N_ELEMENTS (organs), surface_job, jobs);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  for (guint i = 0; i < G_N_ELEMENTS (organs); i++)
    if (jobs[i].mesh != NULL)
      {
        g_ptr_array_add (out, mt_surface_new (jobs[i].mesh, mt_label_name (organs[i].label), organs[i].rgba));
        mt_mesh_unref (jobs[i].mesh);
      }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  return out;
}
