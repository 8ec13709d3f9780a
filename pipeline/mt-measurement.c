/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-measurement"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "mt-measurement.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-measurement-error-quark, mt_measurement_error)

static const char *kind_names[MT_MEASUREMENT_N_KINDS] = { "distance", "angle", "ellipse", "polygon" };

static int
min_points (MtMeasurementKind kind)
{
  return kind == MT_MEASUREMENT_ANGLE ? 3 : kind == MT_MEASUREMENT_POLYGON ? 3 : 2;
}

static int
max_points (MtMeasurementKind kind)
{
  /* A polygon of more than a few thousand vertices is a file gone wrong. */
  return kind == MT_MEASUREMENT_POLYGON ? 4096 : min_points (kind);
}

MtMeasurement *
mt_measurement_new (MtMeasurementKind     kind,
                    MtViewAxis            view,
                    const MtObliquePlane *plane,
                    const double         *points,
                    int                   n_points)
{
  g_return_val_if_fail (kind < MT_MEASUREMENT_N_KINDS, NULL);
  g_return_val_if_fail (n_points >= min_points (kind) && n_points <= max_points (kind), NULL);
  MtMeasurement *m = g_new0 (MtMeasurement, 1);
  m->kind = kind;
  m->view = view;
  m->plane = *plane;
  m->n_points = n_points;
  m->points = g_memdup2 (points, sizeof (double) * 3 * n_points);
  return m;
}

MtMeasurement *
mt_measurement_copy (const MtMeasurement *m)
{
  MtMeasurement *c = g_memdup2 (m, sizeof *m);
  c->points = g_memdup2 (m->points, sizeof (double) * 3 * m->n_points);
  return c;
}

void
mt_measurement_free (MtMeasurement *m)
{
  if (m == NULL)
    return;
  g_free (m->points);
  g_free (m);
}

const char *
mt_measurement_kind_name (MtMeasurementKind kind)
{
  g_return_val_if_fail (kind < MT_MEASUREMENT_N_KINDS, NULL);
  return kind_names[kind];
}

gboolean
mt_measurement_kind_lookup (const char        *name,
                            MtMeasurementKind *kind)
{
  for (int k = 0; k < MT_MEASUREMENT_N_KINDS; k++)
    if (g_strcmp0 (name, kind_names[k]) == 0)
      {
        *kind = (MtMeasurementKind) k;
        return TRUE;
      }
  return FALSE;
}

static double
dot (const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* In-plane coordinates (mm along right and down from the plane's centre). */
static void
to_plane (const MtObliquePlane *plane, const double p[3], double *x, double *y)
{
  double d[3] = { p[0] - plane->center[0], p[1] - plane->center[1], p[2] - plane->center[2] };
  *x = dot (d, plane->right);
  *y = dot (d, plane->down);
}

gboolean
mt_measurement_on_plane (const MtMeasurement  *m,
                         const MtObliquePlane *plane,
                         double                tolerance_mm)
{
  double n[3], nm[3];
  mt_oblique_plane_normal (plane, n);
  mt_oblique_plane_normal (&m->plane, nm);
  if (fabs (dot (n, nm)) < 0.9999)
    return FALSE;
  for (int i = 0; i < m->n_points; i++)
    {
      const double *p = m->points + 3 * i;
      double d[3] = { p[0] - plane->center[0], p[1] - plane->center[1], p[2] - plane->center[2] };
      if (fabs (dot (d, n)) > tolerance_mm)
        return FALSE;
    }
  return TRUE;
}

/* The step that walks a volume axis lying along dir voxel by voxel; the
 * finest spacing for a direction across the voxels. */
static double
grid_step (const MtVolume *v, const double dir[3])
{
  double finest = MIN (v->spacing[0], MIN (v->spacing[1], v->spacing[2]));
  for (int a = 0; a < 3; a++)
    {
      double axis[3] = { v->direction[a], v->direction[3 + a], v->direction[6 + a] };
      if (fabs (dot (axis, dir)) > 0.9999)
        return v->spacing[a];
    }
  return finest;
}

typedef struct
{
  MtMeasurementKind kind;
  int               n;
  double           *xy;        /* polygon vertices, or centre and radii */
} Region;

static gboolean
inside (const Region *r, double x, double y)
{
  if (r->kind == MT_MEASUREMENT_ELLIPSE)
    {
      double a = (x - r->xy[0]) / r->xy[2], b = (y - r->xy[1]) / r->xy[3];
      return a * a + b * b <= 1.0;
    }
  gboolean in = FALSE;
  for (int i = 0, j = r->n - 1; i < r->n; j = i++)
    {
      double xi = r->xy[2 * i], yi = r->xy[2 * i + 1], xj = r->xy[2 * j], yj = r->xy[2 * j + 1];
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        in = !in;
    }
  return in;
}

static gboolean
region_stats (MtMeasurement *m, const MtVolume *v, GError **error)
{
  const MtObliquePlane *pl = &m->plane;
  Region r = { m->kind, m->n_points, NULL };
  double x0, x1, y0, y1, area = 0;
  if (m->kind == MT_MEASUREMENT_ELLIPSE)
    {
      double cx, cy, kx, ky;
      to_plane (pl, m->points, &cx, &cy);
      to_plane (pl, m->points + 3, &kx, &ky);
      double rx = fabs (kx - cx), ry = fabs (ky - cy);
      if (rx <= 0 || ry <= 0)
        {
          g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_EMPTY,
                       _("The ellipse has no area: drag across it, not along a line."));
          return FALSE;
        }
      r.xy = g_new (double, 4);
      r.xy[0] = cx, r.xy[1] = cy, r.xy[2] = rx, r.xy[3] = ry;
      x0 = cx - rx, x1 = cx + rx, y0 = cy - ry, y1 = cy + ry;
      area = G_PI * rx * ry;
    }
  else
    {
      r.xy = g_new (double, 2 * m->n_points);
      x0 = y0 = G_MAXDOUBLE;
      x1 = y1 = -G_MAXDOUBLE;
      for (int i = 0; i < m->n_points; i++)
        {
          to_plane (pl, m->points + 3 * i, &r.xy[2 * i], &r.xy[2 * i + 1]);
          x0 = MIN (x0, r.xy[2 * i]);
          x1 = MAX (x1, r.xy[2 * i]);
          y0 = MIN (y0, r.xy[2 * i + 1]);
          y1 = MAX (y1, r.xy[2 * i + 1]);
        }
      for (int i = 0, j = m->n_points - 1; i < m->n_points; j = i++)
        area += r.xy[2 * j] * r.xy[2 * i + 1] - r.xy[2 * i] * r.xy[2 * j + 1];
      area = fabs (area) / 2;
    }

  /* The grid runs through the voxel centre nearest the plane's centre, so
   * on a standard plane its points are the voxel centres themselves. */
  double idx[3], snapped[3], anchor[3], ax, ay;
  mt_volume_patient_to_index (v, pl->center, idx);
  for (int a = 0; a < 3; a++)
    idx[a] = CLAMP (round (idx[a]), 0, v->dims[a] - 1);
  mt_volume_index_to_patient (v, idx, snapped);
  to_plane (pl, snapped, &ax, &ay);
  for (int i = 0; i < 3; i++)
    anchor[i] = pl->center[i] + ax * pl->right[i] + ay * pl->down[i];
  double su = grid_step (v, pl->right), sv = grid_step (v, pl->down);
  gint64 ia = (gint64) ceil ((x0 - ax) / su), ib = (gint64) floor ((x1 - ax) / su);
  gint64 ja = (gint64) ceil ((y0 - ay) / sv), jb = (gint64) floor ((y1 - ay) / sv);

  double sum = 0, sum2 = 0;
  MtRoiStats *st = &m->stats;
  memset (st, 0, sizeof *st);
  st->min = G_MAXDOUBLE;
  st->max = -G_MAXDOUBLE;
  for (gint64 j = ja; j <= jb; j++)
    for (gint64 i = ia; i <= ib; i++)
      {
        double x = ax + i * su, y = ay + j * sv;
        if (!inside (&r, x, y))
          continue;
        double p[3], q[3];
        for (int c = 0; c < 3; c++)
          p[c] = anchor[c] + i * su * pl->right[c] + j * sv * pl->down[c];
        mt_volume_patient_to_index (v, p, q);
        int ijk[3];
        gboolean in_volume = TRUE;
        for (int a = 0; a < 3; a++)
          {
            ijk[a] = (int) lround (q[a]);
            in_volume &= ijk[a] >= 0 && ijk[a] < v->dims[a];
          }
        if (!in_volume)
          continue;
        double value = v->data[mt_volume_offset (v, ijk[0], ijk[1], ijk[2])];
        sum += value;
        sum2 += value * value;
        st->min = MIN (st->min, value);
        st->max = MAX (st->max, value);
        st->n_voxels++;
      }
  g_free (r.xy);
  m->value = st->area_mm2 = area;
  if (st->n_voxels == 0)
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_EMPTY,
                   _("The region holds no voxel of the scan: draw it larger, or inside the image."));
      m->has_stats = FALSE;
      return FALSE;
    }
  st->mean = sum / st->n_voxels;
  st->sd = st->n_voxels > 1 ? sqrt (MAX (0.0, (sum2 - sum * sum / st->n_voxels) / (st->n_voxels - 1))) : 0.0;
  m->has_stats = TRUE;
  return TRUE;
}

gboolean
mt_measurement_update (MtMeasurement  *m,
                       const MtVolume *volume,
                       GError        **error)
{
  switch (m->kind)
    {
    case MT_MEASUREMENT_DISTANCE:
      m->value = mt_measure_distance (m->points, m->points + 3);
      return TRUE;
    case MT_MEASUREMENT_ANGLE:
      m->value = mt_measure_angle (m->points, m->points + 3, m->points + 6);
      return TRUE;
    default:
      return region_stats (m, volume, error);
    }
}

char *
mt_measurement_describe (const MtMeasurement *m)
{
  switch (m->kind)
    {
    case MT_MEASUREMENT_DISTANCE:
      return g_strdup_printf (_("%.1f mm"), m->value);
    case MT_MEASUREMENT_ANGLE:
      return g_strdup_printf (_("%.1f°"), m->value);
    default:
      if (!m->has_stats)
        return g_strdup_printf (_("Area %.1f mm² · no voxels inside"), m->value);
      return g_strdup_printf (_("Area %.1f mm² · mean %.1f · SD %.1f · min %.0f · max %.0f"), m->value,
                              m->stats.mean, m->stats.sd, m->stats.min, m->stats.max);
    }
}

/* ------------------------------------------------------------------ JSON */

static void
add_vector (JsonBuilder *b, const char *name, const double *v)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < 3; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

char *
mt_measurements_to_json (GPtrArray *list)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "measurements");
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const MtMeasurement *m = list->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kind_names[m->kind]);
      json_builder_set_member_name (b, "view");
      json_builder_add_string_value (b, mt_view_axis_name (m->view));
      add_vector (b, "plane_center", m->plane.center);
      add_vector (b, "plane_right", m->plane.right);
      add_vector (b, "plane_down", m->plane.down);
      json_builder_set_member_name (b, "points");
      json_builder_begin_array (b);
      for (int p = 0; p < m->n_points; p++)
        {
          json_builder_begin_array (b);
          for (int c = 0; c < 3; c++)
            json_builder_add_double_value (b, m->points[3 * p + c]);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      /* The results, for other tools; they are computed again on loading. */
      if (m->kind == MT_MEASUREMENT_DISTANCE)
        add_double (b, "mm", m->value);
      else if (m->kind == MT_MEASUREMENT_ANGLE)
        add_double (b, "degrees", m->value);
      else
        {
          add_double (b, "area_mm2", m->value);
          if (m->has_stats)
            {
              add_double (b, "mean", m->stats.mean);
              add_double (b, "sd", m->stats.sd);
              add_double (b, "min", m->stats.min);
              add_double (b, "max", m->stats.max);
              json_builder_set_member_name (b, "voxels");
              json_builder_add_int_value (b, (gint64) m->stats.n_voxels);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static gboolean
read_vector (JsonNode *node, double out[3])
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  JsonArray *a = json_node_get_array (node);
  if (json_array_get_length (a) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || (json_node_get_value_type (e) != G_TYPE_DOUBLE
                                         && json_node_get_value_type (e) != G_TYPE_INT64))
        return FALSE;
      out[i] = json_node_get_double (e);
      if (!isfinite (out[i]) || fabs (out[i]) > 1e6)
        return FALSE;
    }
  return TRUE;
}

static gboolean
unit_and_square (const double r[3], const double d[3])
{
  return fabs (dot (r, r) - 1) < 1e-3 && fabs (dot (d, d) - 1) < 1e-3 && fabs (dot (r, d)) < 1e-3;
}

static MtMeasurement *
read_measurement (JsonNode *node, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE, _("it is not an object"));
      return NULL;
    }
  JsonObject *o = json_node_get_object (node);
  MtMeasurementKind kind;
  const char *kind_name = json_object_get_string_member_with_default (o, "kind", NULL);
  if (!mt_measurement_kind_lookup (kind_name, &kind))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                   _("its kind “%s” is none of distance, angle, ellipse, polygon"), kind_name ? kind_name : "");
      return NULL;
    }
  MtViewAxis view;
  MtObliquePlane plane;
  if (!mt_view_axis_lookup (json_object_get_string_member_with_default (o, "view", ""), &view) || !read_vector (json_object_get_member (o, "plane_center"), plane.center)
      || !read_vector (json_object_get_member (o, "plane_right"), plane.right)
      || !read_vector (json_object_get_member (o, "plane_down"), plane.down)
      || !unit_and_square (plane.right, plane.down))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                   _("its view or plane is missing or not a plane"));
      return NULL;
    }
  JsonNode *pts = json_object_get_member (o, "points");
  guint n = pts && JSON_NODE_HOLDS_ARRAY (pts) ? json_array_get_length (json_node_get_array (pts)) : 0;
  if ((int) n < min_points (kind) || (int) n > max_points (kind))
    {
      if (min_points (kind) == max_points (kind))
        g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE, _("“%s” needs %d points, it has %u"),
                     kind_names[kind], min_points (kind), n);
      else
        g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                     _("“%s” needs %d to %d points, it has %u"), kind_names[kind], min_points (kind),
                     max_points (kind), n);
      return NULL;
    }
  g_autofree double *points = g_new (double, 3 * n);
  for (guint i = 0; i < n; i++)
    if (!read_vector (json_array_get_element (json_node_get_array (pts), i), points + 3 * i))
      {
        g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                     _("point %u is not three numbers in millimetres"), i + 1);
        return NULL;
      }
  return mt_measurement_new (kind, view, &plane, points, (int) n);
}

GPtrArray *
mt_measurements_new_list (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) mt_measurement_free);
}

GPtrArray *
mt_measurements_from_json (const char *json,
                           gssize      length,
                           GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, json, length, &local))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE, _("Not JSON: %s"), local->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonNode *list = root && JSON_NODE_HOLDS_OBJECT (root)
                     ? json_object_get_member (json_node_get_object (root), "measurements") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                   _("No “measurements” list: this is not a MedTwin measurements file."));
      return NULL;
    }
  g_autoptr (GPtrArray) out = mt_measurements_new_list ();
  JsonArray *a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      MtMeasurement *m = read_measurement (json_array_get_element (a, i), &local);
      if (m == NULL)
        {
          g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE, _("Measurement %u: %s"), i + 1,
                       local->message);
          return NULL;
        }
      g_ptr_array_add (out, m);
    }
  return g_steal_pointer (&out);
}

/* ----------------------------------------------------------------- store */

char *
mt_measurements_path (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  const char *env = g_getenv ("MEDTWIN_MEASUREMENTS");
  if (env != NULL && *env == '\0')
    return NULL;
  g_autofree char *dir = env ? g_strdup (env) : g_build_filename (g_get_user_data_dir (), "medtwin", "measurements", NULL);
  /* A UID or a path is no file name: its digest is. */
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (digest, ".json", NULL);
  return g_build_filename (dir, name, NULL);
}

char *
mt_measurements_study_key (const MtVolume *volume,
                           const char     *path)
{
  if (volume->series_uid != NULL && *volume->series_uid != '\0')
    return g_strdup (volume->series_uid);
  /* NIfTI and NRRD have no UID: the file stands for the scan. */
  g_autofree char *canonical = g_canonicalize_filename (path ? path : "", NULL);
  return g_strconcat ("file:", canonical, NULL);
}

GPtrArray *
mt_measurements_load (const char *key,
                      GError    **error)
{
  g_autofree char *path = mt_measurements_path (key);
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr (GError) local = NULL;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return mt_measurements_new_list ();
  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_IO, _("Cannot read the measurements: %s"),
                   local->message);
      return NULL;
    }
  GPtrArray *list = mt_measurements_from_json (text, (gssize) length, &local);
  if (list != NULL)
    return list;
  /* Kept for whoever wants to mend it; the study starts a new list. */
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.broken-%s", path, stamp);
  if (g_rename (path, aside) != 0)
    g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_IO,
                 _("The stored measurements in %s cannot be read (%s), nor moved aside: %s"), path,
                 local->message, g_strerror (errno));
  else
    g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_PARSE,
                 _("The stored measurements cannot be read (%s). They were kept as %s; new ones start a new list."),
                 local->message, aside);
  return NULL;
}

gboolean
mt_measurements_save (const char *key,
                      GPtrArray  *list,
                      GError    **error)
{
  g_autofree char *path = mt_measurements_path (key);
  if (path == NULL)
    return TRUE;
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_IO, _("Cannot create %s: %s"), dir,
                   g_strerror (errno));
      return FALSE;
    }
  g_autofree char *json = mt_measurements_to_json (list);
  g_autoptr (GError) local = NULL;
  /* Written whole to a new file and renamed over the old one. */
  if (!g_file_set_contents (path, json, -1, &local))
    {
      g_set_error (error, MT_MEASUREMENT_ERROR, MT_MEASUREMENT_ERROR_IO, _("Cannot save the measurements: %s"),
                   local->message);
      return FALSE;
    }
  return TRUE;
}
