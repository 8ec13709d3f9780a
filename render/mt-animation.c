/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-animation"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-animation.h"
#include "mt-centreline.h"

/* Aortic distensibility: relative change of the lumen's area per mmHg
 * (healthy adults about 2-7e-3 /mmHg, falling with age; Redheuil et al.,
 * Hypertension 2010); the segmented lumen is taken at mean pressure. */
#define DISTENSIBILITY 4e-3
#define MEAN_ARTERIAL 93.0
/* The share of the breath's volume taken by the diaphragm's descent (the
 * rest by the chest wall's widening), and how far abdominal organs follow
 * it (the liver fully, the kidneys about 60%). */
#define DIAPHRAGM_SHARE 0.7

typedef enum
{
  ROLE_STILL,
  ROLE_HEART,
  ROLE_LUNG,
  ROLE_ARTERY,
  ROLE_ABDOMEN,
} Role;

typedef struct
{
  Role         role;
  MtMesh      *mesh;          /* a reference: the surface as it rests */
  MtMeshMotion motion;
  float       *anchors;
  float       *moved;         /* its vertices as posed, worked out when asked */
  guint        moved_pose;    /* the pose they belong to */
  double       volume_ml;
  double       centroid[3];
  double       top_z, bottom_z;
  double       follow;        /* abdomen: share of the diaphragm's descent */
  float        rgba[4];
} Part;

/* A blood path: a polyline from upstream to downstream. */
typedef struct
{
  GArray *points;   /* float, 3 a point */
  GArray *along;    /* double, arc length at each point */
  double  length;
} Path;

struct _MtAnimation
{
  Part   *parts;
  guint   n;
  int     heart;
  double  heart_ratio;
  double  heart_apex[3], heart_axis[3];
  double  lungs_ml;
  double  diaphragm_mm;      /* the lungs' base's excursion at the moment posed */
  gboolean pressure_colors;
  gboolean flow_shown;
  guint    pose;              /* counts the poses */
  GArray *paths;             /* Path */
  GArray *particles;         /* guint path, double at */
  float  *particle_xyz;
  double  root_area_mm2, speed;
};

typedef struct
{
  guint  path;
  double at;
} Particle;

static void
identity (float m[16])
{
  memset (m, 0, 16 * sizeof (float));
  m[0] = m[5] = m[10] = m[15] = 1;
}

static gboolean
name_has (const char *name, const char *what)
{
  return name != NULL && strstr (name, what) != NULL;
}

static Role
role_of (const char *name, const MtAnatomy *anatomy, double *follow)
{
  *follow = 0;
  if (name_has (name, "heart"))
    return ROLE_HEART;
  if (g_str_has_prefix (name, "lung"))
    return ROLE_LUNG;
  if (name_has (name, "aorta") || name_has (name, "arter"))
    return ROLE_ARTERY;
  if (name_has (name, "liver") || name_has (name, "spleen") || name_has (name, "stomach"))
    return (*follow = 1.0), ROLE_ABDOMEN;
  if (name_has (name, "kidney"))
    return (*follow = 0.6), ROLE_ABDOMEN;
  int i = anatomy ? mt_anatomy_find (anatomy, name) : -1;
  if (i >= 0 && g_array_index (anatomy->nodes, MtAnatomyNode, i).kind == MT_ORGAN_VESSEL)
    return ROLE_ARTERY;
  return ROLE_STILL;
}

/* The enclosed volume (mm³) and its centroid, by the signed tetrahedra of
 * the closed surface. */
static double
volume_centroid (const MtMesh *m, double c[3])
{
  double sum[3] = { 0 }, vol = 0;
  for (guint t = 0; t < m->n_triangles; t++)
    {
      const float *a = m->vertices + 3 * (gsize) m->triangles[3 * t];
      const float *b = m->vertices + 3 * (gsize) m->triangles[3 * t + 1];
      const float *d = m->vertices + 3 * (gsize) m->triangles[3 * t + 2];
      double v = (a[0] * (b[1] * d[2] - b[2] * d[1]) - a[1] * (b[0] * d[2] - b[2] * d[0])
                  + a[2] * (b[0] * d[1] - b[1] * d[0])) / 6.0;
      vol += v;
      for (int k = 0; k < 3; k++)
        sum[k] += v * (a[k] + b[k] + d[k]) / 4.0;
    }
  for (int k = 0; k < 3; k++)
    c[k] = fabs (vol) > 1e-9 ? sum[k] / vol : 0;
  return fabs (vol);
}

/* The direction along which the vertices spread most (power iteration on
 * their covariance): the heart's long axis. */
static void
long_axis (const MtMesh *m, const double c[3], double axis[3])
{
  double cov[3][3] = { { 0 } };
  for (guint v = 0; v < m->n_vertices; v++)
    {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = m->vertices[3 * (gsize) v + k] - c[k];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          cov[i][j] += d[i] * d[j];
    }
  double x[3] = { 0.577, -0.577, -0.577 };
  for (int it = 0; it < 100; it++)
    {
      double y[3] = { 0 };
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          y[i] += cov[i][j] * x[j];
      double n = sqrt (y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
      if (n < 1e-12)
        break;
      for (int i = 0; i < 3; i++)
        x[i] = y[i] / n;
    }
  memcpy (axis, x, sizeof x);
}

static void
setup_heart (MtAnimation *a, Part *p, const MtMesh *m)
{
  long_axis (m, p->centroid, a->heart_axis);
  /* The apex points forwards, to the left and down (LPS: +x, -y, -z). */
  const double towards[3] = { 1, -1, -1 };
  double *ax = a->heart_axis;
  if (ax[0] * towards[0] + ax[1] * towards[1] + ax[2] * towards[2] < 0)
    for (int k = 0; k < 3; k++)
      ax[k] = -ax[k];
  double far = 0;
  for (guint v = 0; v < m->n_vertices; v++)
    {
      double d = 0;
      for (int k = 0; k < 3; k++)
        d += (m->vertices[3 * (gsize) v + k] - p->centroid[k]) * ax[k];
      far = MAX (far, d);
    }
  for (int k = 0; k < 3; k++)
    a->heart_apex[k] = p->centroid[k] + far * ax[k];
}

static void
path_add (MtAnimation *a, const double *xyz, guint n, gboolean reverse)
{
  if (n < 2)
    return;
  Path path = { g_array_new (FALSE, FALSE, sizeof (float)), g_array_new (FALSE, FALSE, sizeof (double)), 0 };
  for (guint i = 0; i < n; i++)
    {
      const double *q = xyz + 3 * (reverse ? n - 1 - i : i);
      if (i > 0)
        {
          const float *prev = &g_array_index (path.points, float, path.points->len - 3);
          path.length += sqrt ((q[0] - prev[0]) * (q[0] - prev[0]) + (q[1] - prev[1]) * (q[1] - prev[1])
                               + (q[2] - prev[2]) * (q[2] - prev[2]));
        }
      float f[3] = { (float) q[0], (float) q[1], (float) q[2] };
      g_array_append_vals (path.points, f, 3);
      g_array_append_val (path.along, path.length);
    }
  g_array_append_val (a->paths, path);
  /* One particle every 8 mm, spread evenly to start with. */
  guint count = MAX (1, (guint) (path.length / 8));
  for (guint i = 0; i < count; i++)
    {
      Particle pt = { a->paths->len - 1, path.length * (i + 0.5) / count };
      g_array_append_val (a->particles, pt);
    }
}

static double
dist2 (const double *a, const double *b)
{
  return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]);
}

/* An artery: each vertex anchored at its nearest centreline point, and
 * the centreline's branches as paths for blood, flowing away from the
 * heart. */
static void
setup_artery (MtAnimation *a, Part *p, const MtMesh *m, const MtAnatomyNode *node, const double *heart)
{
  if (node == NULL || node->centreline == NULL || node->centreline->len == 0)
    return;
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint b = 0; b < node->centreline->len; b++)
    {
      const MtCentrelineBranch *br = node->centreline->pdata[b];
      g_array_append_vals (all, br->points->data, br->points->len);
      const double *pts = (const double *) br->points->data;
      guint n = br->points->len / 3;
      if (n < 2)
        continue;
      gboolean reverse;
      if (b == 0)
        {
          /* The main line runs end to end: blood enters at the end nearer
           * the heart. */
          reverse = heart != NULL && dist2 (pts + 3 * (n - 1), heart) < dist2 (pts, heart);
        }
      else
        reverse = TRUE;   /* a side branch: from where it joins to its end */
      path_add (a, pts, n, reverse);
    }
  /* The lumen's mean cross-section: the segment's volume over its
   * centrelines' length (the radii found by the distance to the wall fall
   * short on a voxel grid). */
  double length = 0;
  for (guint b = 0; b < node->centreline->len; b++)
    length += mt_centreline_length (node->centreline->pdata[b]);
  if (length > 0)
    a->root_area_mm2 = node->volume_ml * 1000 / length;
  const double *c = (const double *) all->data;
  guint nc = all->len / 3;
  p->anchors = g_new (float, 3 * (gsize) m->n_vertices);
  for (guint v = 0; v < m->n_vertices; v++)
    {
      double q[3] = { m->vertices[3 * (gsize) v], m->vertices[3 * (gsize) v + 1], m->vertices[3 * (gsize) v + 2] };
      guint best = 0;
      double bd = INFINITY;
      for (guint i = 0; i < nc; i++)
        {
          double d = dist2 (q, c + 3 * i);
          if (d < bd)
            bd = d, best = i;
        }
      for (int k = 0; k < 3; k++)
        p->anchors[3 * (gsize) v + k] = (float) c[3 * best + k];
    }
}

MtAnimation *
mt_animation_new (MtSurface * const *surfaces,
                  guint              n,
                  const MtAnatomy   *anatomy)
{
  MtAnimation *a = g_new0 (MtAnimation, 1);
  a->n = n;
  a->parts = g_new0 (Part, MAX (n, 1));
  a->heart = -1;
  a->heart_ratio = 1;
  a->paths = g_array_new (FALSE, FALSE, sizeof (Path));
  a->particles = g_array_new (FALSE, FALSE, sizeof (Particle));
  for (guint i = 0; i < n; i++)
    {
      Part *p = &a->parts[i];
      const MtMesh *m = surfaces[i]->mesh;
      identity (p->motion.model);
      p->motion.radial = 1;
      memcpy (p->rgba, surfaces[i]->rgba, sizeof p->rgba);
      memcpy (p->motion.rgba, p->rgba, sizeof p->rgba);
      p->role = role_of (surfaces[i]->name, anatomy, &p->follow);
      p->mesh = mt_mesh_ref ((MtMesh *) m);
      p->volume_ml = volume_centroid (m, p->centroid) / 1000;
      double lo[3], hi[3];
      mt_mesh_bounds (m, lo, hi);
      p->top_z = hi[2];
      p->bottom_z = lo[2];
      if (p->role == ROLE_HEART && a->heart < 0 && m->n_triangles > 0)
        {
          a->heart = (int) i;
          setup_heart (a, p, m);
        }
      else if (p->role == ROLE_HEART)
        p->role = ROLE_STILL;
      if (p->role == ROLE_LUNG)
        a->lungs_ml += p->volume_ml;
    }
  const double *heart = a->heart >= 0 ? a->parts[a->heart].centroid : NULL;
  for (guint i = 0; i < n; i++)
    if (a->parts[i].role == ROLE_ARTERY)
      {
        int k = anatomy ? mt_anatomy_find (anatomy, surfaces[i]->name) : -1;
        if (k >= 0)
          setup_artery (a, &a->parts[i], surfaces[i]->mesh, &g_array_index (anatomy->nodes, MtAnatomyNode, k), heart);
        /* Without a centreline it cannot pulse about it. */
        if (a->parts[i].anchors == NULL)
          a->parts[i].role = ROLE_STILL;
      }
  a->particle_xyz = g_new0 (float, 3 * (gsize) MAX (a->particles->len, 1));
  return a;
}

void
mt_animation_free (MtAnimation *a)
{
  if (a == NULL)
    return;
  for (guint i = 0; i < a->n; i++)
    {
      g_free (a->parts[i].anchors);
      g_free (a->parts[i].moved);
      mt_mesh_unref (a->parts[i].mesh);
    }
  for (guint i = 0; i < a->paths->len; i++)
    {
      Path *p = &g_array_index (a->paths, Path, i);
      g_array_unref (p->points);
      g_array_unref (p->along);
    }
  g_array_unref (a->paths);
  g_array_unref (a->particles);
  g_free (a->particle_xyz);
  g_free (a->parts);
  g_free (a);
}

guint
mt_animation_get_n (MtAnimation *a)
{
  return a->n;
}

/* model = T(anchor) * L * T(-anchor), L a 3x3 (row-major). */
static void
affine_about (float m[16], const double L[3][3], const double anchor[3])
{
  identity (m);
  for (int r = 0; r < 3; r++)
    {
      double t = anchor[r];
      for (int c = 0; c < 3; c++)
        {
          m[4 * c + r] = (float) L[r][c];
          t -= L[r][c] * anchor[c];
        }
      m[12 + r] = (float) t;
    }
}

void
mt_pressure_color (double value,
                   double lo,
                   double hi,
                   float  rgba[4])
{
  double x = CLAMP ((value - lo) / (hi - lo), 0, 1);
  /* Blue through a pale middle to red, as diverging maps go. */
  rgba[0] = (float) (x < 0.5 ? 0.23 + 1.3 * x : 0.88 + 0.12 * (x - 0.5) * 2);
  rgba[1] = (float) (x < 0.5 ? 0.3 + 1.1 * x : 0.85 - 1.5 * (x - 0.5));
  rgba[2] = (float) (x < 0.5 ? 0.75 + 0.2 * x : 0.85 - 1.4 * (x - 0.5));
  rgba[3] = 1;
}

void
mt_animation_pose (MtAnimation        *a,
                   const MtTwinSample *s)
{
  a->pose++;
  /* The heart loses what the ventricles have ejected since end-diastole. */
  if (a->heart >= 0)
    {
      Part *p = &a->parts[a->heart];
      double ejected = s->ed_ml - (s->v_lv + s->v_rv);
      double ratio = MAX (0.2, (p->volume_ml - ejected) / p->volume_ml);
      a->heart_ratio = ratio;
      /* Ventricles shorten less than they narrow (long-axis shortening
       * about 15%, against 30% across): ratio = along * across^2. */
      double along = pow (ratio, 0.2), across = sqrt (ratio / along);
      double L[3][3];
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          L[r][c] = (r == c ? across : 0) + (along - across) * a->heart_axis[r] * a->heart_axis[c];
      affine_about (p->motion.model, L, a->heart_apex);
      if (a->pressure_colors)
        mt_pressure_color (s->p_lv, 0, 130, p->motion.rgba);
      else
        memcpy (p->motion.rgba, p->rgba, sizeof p->rgba);
      p->motion.rgba[3] = p->rgba[3];
    }
  /* The lungs fill with the breath, shared by their volumes. */
  double lung_ratio = a->lungs_ml > 0 ? 1 + 1000.0 * (s->lung_l - s->lung_mean_l) / a->lungs_ml : 1;
  lung_ratio = CLAMP (lung_ratio, 0.5, 1.5);
  double down = pow (lung_ratio, DIAPHRAGM_SHARE), wide = sqrt (lung_ratio / down);
  double height = 0;
  for (guint i = 0; i < a->n; i++)
    if (a->parts[i].role == ROLE_LUNG)
      {
        Part *p = &a->parts[i];
        double L[3][3] = { { wide, 0, 0 }, { 0, wide, 0 }, { 0, 0, down } };
        double anchor[3] = { p->centroid[0], p->centroid[1], p->top_z };
        affine_about (p->motion.model, L, anchor);
        height = MAX (height, p->top_z - p->bottom_z);
      }
  /* The base moves by the tallest lung's stretch: down when breathing in,
   * up when out. */
  a->diaphragm_mm = (down - 1) * height;
  for (guint i = 0; i < a->n; i++)
    {
      Part *p = &a->parts[i];
      if (p->role == ROLE_ABDOMEN)
        {
          identity (p->motion.model);
          p->motion.model[14] = (float) (-a->diaphragm_mm * p->follow);
        }
      else if (p->role == ROLE_ARTERY)
        {
          p->motion.radial = (float) sqrt (MAX (0.5, 1 + DISTENSIBILITY * (s->p_ao - MEAN_ARTERIAL)));
          if (a->pressure_colors)
            mt_pressure_color (s->p_ao, 60, 140, p->motion.rgba);
          else
            memcpy (p->motion.rgba, p->rgba, sizeof p->rgba);
          /* The blood shows through the wall. */
          p->motion.rgba[3] = a->flow_shown ? MIN (p->rgba[3], 0.35f) : p->rgba[3];
        }
    }
}

void
mt_animation_set_pressure_colors (MtAnimation *a,
                                  gboolean     on)
{
  a->pressure_colors = on;
}

void
mt_animation_set_flow_shown (MtAnimation *a,
                             gboolean     on)
{
  a->flow_shown = on;
}

const MtMeshMotion *
mt_animation_get_motion (MtAnimation *a,
                         guint        surface)
{
  g_return_val_if_fail (surface < a->n, NULL);
  return &a->parts[surface].motion;
}

const float *
mt_animation_get_anchors (MtAnimation *a,
                          guint        surface)
{
  g_return_val_if_fail (surface < a->n, NULL);
  return a->parts[surface].anchors;
}

/* A point as the motion moves it (anchor: its anchor, or NULL). */
static void
motion_apply (const MtMeshMotion *m,
              const float        *anchor,
              const float         p[3],
              float               out[3])
{
  float q[3];
  for (int k = 0; k < 3; k++)
    q[k] = anchor ? anchor[k] + (p[k] - anchor[k]) * m->radial : p[k];
  for (int r = 0; r < 3; r++)
    out[r] = m->model[r] * q[0] + m->model[4 + r] * q[1] + m->model[8 + r] * q[2] + m->model[12 + r];
}

const float *
mt_animation_get_moved (MtAnimation *a,
                        guint        surface)
{
  g_return_val_if_fail (surface < a->n, NULL);
  Part *p = &a->parts[surface];
  if (p->role == ROLE_STILL || a->pose == 0)
    return NULL;
  if (p->moved == NULL || p->moved_pose != a->pose)
    {
      const MtMesh *m = p->mesh;
      if (p->moved == NULL)
        p->moved = g_new (float, 3 * (gsize) MAX (m->n_vertices, 1));
      for (guint v = 0; v < m->n_vertices; v++)
        motion_apply (&p->motion, p->anchors ? p->anchors + 3 * (gsize) v : NULL, m->vertices + 3 * (gsize) v,
                      p->moved + 3 * (gsize) v);
      p->moved_pose = a->pose;
    }
  return p->moved;
}

const MtMesh *
mt_animation_get_mesh (MtAnimation *a,
                       guint        surface)
{
  g_return_val_if_fail (surface < a->n, NULL);
  return a->parts[surface].mesh;
}

double
mt_animation_get_heart_ratio (MtAnimation *a)
{
  return a->heart_ratio;
}

int
mt_animation_get_heart (MtAnimation *a)
{
  return a->heart;
}

void
mt_animation_flow (MtAnimation        *a,
                   const MtTwinSample *s,
                   double              dt)
{
  /* The mean velocity at the aortic root (flow over the lumen's area),
   * carried along every path. */
  a->speed = a->root_area_mm2 > 0 ? MAX (0, s->q_av) * 1000.0 / a->root_area_mm2 : 0;
  for (guint i = 0; i < a->particles->len; i++)
    {
      Particle *pt = &g_array_index (a->particles, Particle, i);
      const Path *path = &g_array_index (a->paths, Path, pt->path);
      pt->at = fmod (pt->at + a->speed * dt, path->length);
      /* Where along the polyline: a binary search of the arc lengths. */
      const double *along = (const double *) path->along->data;
      guint lo = 0, hi = path->along->len - 1;
      while (hi - lo > 1)
        {
          guint mid = (lo + hi) / 2;
          if (along[mid] <= pt->at)
            lo = mid;
          else
            hi = mid;
        }
      double seg = along[hi] - along[lo], f = seg > 0 ? (pt->at - along[lo]) / seg : 0;
      const float *p0 = &g_array_index (path->points, float, 3 * lo), *p1 = &g_array_index (path->points, float, 3 * hi);
      for (int k = 0; k < 3; k++)
        a->particle_xyz[3 * i + k] = (float) (p0[k] + f * (p1[k] - p0[k]));
    }
}

const float *
mt_animation_get_particles (MtAnimation *a,
                            guint       *n,
                            double      *speed_mm_s)
{
  *n = a->flow_shown ? a->particles->len : 0;
  if (speed_mm_s)
    *speed_mm_s = a->speed;
  return a->particle_xyz;
}

