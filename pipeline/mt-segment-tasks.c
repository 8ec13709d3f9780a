/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-segment-tasks"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-mask.h"
#include "mt-progress.h"
#include "mt-segment-tasks.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-segment-error-quark, mt_segment_error)

#define AIR_HU (-500.0)
#define SKIN_MAX_HU 100.0f
#define OPEN_MM 5.0
#define FOAM_MIN_HU (-960.0f)
#define LUNG_MAX_HU (-400.0)
#define AIRWAY_MAX_ML 300.0
#define LUNG_HOLE_CM2 5.0
#define CORTEX_HU 400.0
#define MARROW_HU 180.0f
#define MARROW_REACH_MM 8.0

static gboolean
step (MtProgress *progress, double fraction, GCancellable *cancellable, GError **error)
{
  if (progress != NULL)
    mt_progress_update (progress, fraction);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
mt_segment_body_couch (const MtVolume *ct,
                       guint8        **body_out,
                       guint8        **couch_out,
                       MtProgress     *progress,
                       GCancellable   *cancellable,
                       GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* Everything denser than air: patient, couch, clothes, tubes. */
  g_autofree guint8 *dense = mt_mask_threshold (ct, AIR_HU, G_MAXDOUBLE);
  if (mt_mask_count (dense, n) == 0)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("Nothing in this scan is denser than air (%.0f HU): no patient to find. Is it a CT in HU?"),
                   AIR_HU);
      return FALSE;
    }
  if (!step (progress, 0.1, cancellable, error))
    return FALSE;
  /* A 5 mm opening cuts the thin bridges (pads, blankets) between the
   * patient and the couch; the largest piece left is the patient. */
  g_autofree guint8 *body = g_memdup2 (dense, n);
  mt_mask_erode (body, ct, OPEN_MM);
  if (!step (progress, 0.3, cancellable, error))
    return FALSE;
  mt_mask_keep_largest (body, ct->dims);
  if (mt_mask_count (body, n) == 0)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("Nothing in this scan is thicker than %.0f mm: no patient to find."), 2 * OPEN_MM);
      return FALSE;
    }
  /* Back to its size, taking back skin and fat only (below 150 HU): a
   * couch's shell lies against the skin and is denser. */
  g_autofree guint8 *core = g_memdup2 (body, n);
  mt_mask_dilate (body, ct, OPEN_MM);
  for (gsize i = 0; i < n; i++)
    body[i] = core[i] || (body[i] && dense[i] && ct->data[i] < SKIN_MAX_HU);
  if (!step (progress, 0.55, cancellable, error))
    return FALSE;
  /* Lungs, airways and bowel gas are inside: filled slice by slice (the
   * lungs reach the top of many scans) and then in 3D. */
  mt_mask_fill_holes_slices (body, ct->dims, 2);
  mt_mask_fill_holes (body, ct->dims);
  if (!step (progress, 0.7, cancellable, error))
    return FALSE;

  /* The couch: dense, outside the body (with a millimetre to spare), in
   * pieces of 2 mL at least, behind the body's centre. */
  g_autofree guint8 *near = g_memdup2 (body, n);
  mt_mask_dilate (near, ct, 1.0);
  g_autofree guint8 *couch = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    couch[i] = dense[i] && !near[i];
  double voxel_ml = ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000.0;
  mt_mask_remove_islands (couch, ct->dims, (gsize) (2.0 / voxel_ml) + 1);
  if (!step (progress, 0.85, cancellable, error))
    return FALSE;
  /* Pieces whose centre lies in front of the body's centre (an arm, a
   * sheet over the chest) are not the couch. */
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (couch, ct->dims, labels, sizes);
  g_autofree double *sum_p = g_new0 (double, pieces + 1);
  double body_p = 0, body_n = 0;
  const int nx = ct->dims[0], ny = ct->dims[1];
  for (gsize i = 0; i < n; i++)
    {
      if (!labels[i] && !body[i])
        continue;
      double ijk[3] = { (double) (i % nx), (double) ((i / nx) % ny), (double) (i / ((gsize) nx * ny)) }, p[3];
      mt_volume_index_to_patient (ct, ijk, p);
      if (labels[i])
        sum_p[labels[i]] += p[1];
      else
        {
          body_p += p[1];
          body_n++;
        }
    }
  body_p /= MAX (body_n, 1);
  for (gsize i = 0; i < n; i++)
    if (labels[i] && sum_p[labels[i]] / g_array_index (sizes, gsize, labels[i] - 1) <= body_p)
      couch[i] = 0;
  if (!step (progress, 0.9, cancellable, error))
    return FALSE;
  /* A couch is thin dense shells around a foam core as light as air, its
   * top shell often lying against the back. A 20 mm closing of the couch
   * with the body takes the core in; of what it adds, the couch keeps what
   * lies behind the body (below it in its own column) and touches the
   * shells. */
  g_autofree guint8 *closed = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    closed[i] = couch[i] || body[i];
  mt_mask_close (closed, ct, 16.0);
  /* Which way along the rows is posterior. */
  const int nz = ct->dims[2];
  const gsize plane = (gsize) nx * ny;
  gboolean back_is_up = ct->direction[4] >= 0;
  for (int k = 0; k < nz; k++)
    for (int i = 0; i < nx; i++)
      {
        gboolean behind = TRUE;   /* past the body's back, walking posterior */
        for (int jj = 0; jj < ny; jj++)
          {
            int j = back_is_up ? ny - 1 - jj : jj;
            gsize o = (gsize) k * plane + (gsize) j * nx + i;
            if (body[o])
              behind = FALSE;
            closed[o] = closed[o] && behind && !near[o];
          }
      }
  /* Only the parts that hold some shell. */
  pieces = mt_mask_components (closed, ct->dims, labels, NULL);
  g_autofree guint8 *has_shell = g_new0 (guint8, pieces + 1);
  for (gsize i = 0; i < n; i++)
    if (couch[i] && labels[i])
      has_shell[labels[i]] = 1;
  /* The closing also bridges the air between the back and the couch:
   * couch foam is lighter than tissue but denser than air. */
  for (gsize i = 0; i < n; i++)
    couch[i] = labels[i] && has_shell[labels[i]] && ct->data[i] > FOAM_MIN_HU;
  mt_mask_remove_islands (couch, ct->dims, (gsize) (2.0 / voxel_ml) + 1);
  *body_out = g_steal_pointer (&body);
  *couch_out = g_steal_pointer (&couch);
  return step (progress, 1.0, cancellable, error);
}

/* ------------------------------------------------------------- lungs */

/* The trachea in the topmost slice that has it: the air inside the body
 * nearest the body's midline, between 0.5 and 12 cm2. */
static gboolean
find_trachea (const MtVolume *ct, const guint8 *air, int seed[3])
{
  const int nx = ct->dims[0], ny = ct->dims[1], nz = ct->dims[2];
  const gsize plane = (gsize) nx * ny;
  gboolean up = ct->direction[8] >= 0;
  double pixel_cm2 = ct->spacing[0] * ct->spacing[1] / 100.0;
  g_autofree guint32 *labels = g_new (guint32, plane);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  for (int kk = 0; kk < MIN (nz, 20); kk++)
    {
      int k = up ? nz - 1 - kk : kk;
      const int dims2[3] = { nx, ny, 1 };
      guint pieces = mt_mask_components (air + (gsize) k * plane, dims2, labels, sizes);
      double best = G_MAXDOUBLE;
      int found = -1;
      g_autofree double *cx = g_new0 (double, pieces + 1), *cy = g_new0 (double, pieces + 1);
      for (gsize o = 0; o < plane; o++)
        if (labels[o])
          {
            cx[labels[o]] += (double) (o % nx);
            cy[labels[o]] += (double) (o / nx);
          }
      /* The largest such piece within 30 mm of the midline: the trachea,
       * not the gullet's smaller bubble beside it. */
      for (guint p = 1; p <= pieces; p++)
        {
          double area = g_array_index (sizes, gsize, p - 1) * pixel_cm2;
          if (area < 0.5 || area > 12)
            continue;
          double x = cx[p] / g_array_index (sizes, gsize, p - 1);
          double off = fabs (x - (nx - 1) / 2.0) * ct->spacing[0];
          if (off < 30 && -area < best)
            {
              best = -area;
              found = (int) p;
              seed[0] = (int) lround (x);
              seed[1] = (int) lround (cy[p] / g_array_index (sizes, gsize, p - 1));
              seed[2] = k;
            }
        }
      if (found > 0)
        {
          /* Its darkest voxel: the middle of the lumen, clear of the wall. */
          float darkest = G_MAXFLOAT;
          const float *slice = ct->data + (gsize) k * plane;
          for (gsize o = 0; o < plane; o++)
            if (labels[o] == (guint32) found && slice[o] < darkest)
              {
                darkest = slice[o];
                seed[0] = (int) (o % nx);
                seed[1] = (int) (o / nx);
              }
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
mt_segment_lungs (const MtVolume *ct,
                  const guint8   *body,
                  guint8        **lung_left,
                  guint8        **lung_right,
                  guint8        **airway,
                  GCancellable   *cancellable,
                  GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  g_autofree guint8 *air = mt_mask_threshold (ct, -G_MAXDOUBLE, LUNG_MAX_HU);
  for (gsize i = 0; i < n; i++)
    air[i] &= body[i];
  /* The airways: air grown from the trachea under a threshold raised step
   * by step, as far as it goes before it leaks into the lungs' own air (the
   * volume jumps): thin bronchi blur towards the lung's value, so no single
   * threshold suits every scan. */
  g_autofree guint8 *tree = g_new0 (guint8, n);
  int seed[3];
  double voxel_ml = ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000.0;
  if (find_trachea (ct, air, seed))
    {
      g_autofree guint8 *trial = g_new (guint8, n);
      double kept_ml = 0;
      for (double limit = -990; limit <= -850; limit += 20)
        {
          double ml = mt_mask_region_grow (ct, seed, 1, -G_MAXDOUBLE, limit, trial) * voxel_ml;
          if (ml > AIRWAY_MAX_ML || (kept_ml > 0 && ml > 3 * kept_ml + 50))
            break;
          memcpy (tree, trial, n);
          kept_ml = ml;
        }
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  /* The lungs: the rest of the air, without the airways and their walls,
   * in the two largest pieces of at least 100 mL. */
  g_autofree guint8 *walls = g_memdup2 (tree, n);
  mt_mask_dilate (walls, ct, 2.0);
  for (gsize i = 0; i < n; i++)
    air[i] &= !walls[i];
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint pieces = mt_mask_components (air, ct->dims, labels, sizes);
  guint lungs = 0;
  while (lungs < MIN (pieces, 2) && g_array_index (sizes, gsize, lungs) * voxel_ml >= 100)
    lungs++;
  if (lungs == 1 || (lungs == 2 && g_array_index (sizes, gsize, 1) < g_array_index (sizes, gsize, 0) / 5))
    {
      /* The two lungs touch (in front of the heart, or through an airway
       * left behind): erode the largest piece until it falls in two large
       * parts, then give each voxel to the nearer part. */
      g_autofree guint8 *whole = g_new (guint8, n);
      for (gsize i = 0; i < n; i++)
        whole[i] = labels[i] == 1;
      gsize whole_n = g_array_index (sizes, gsize, 0);
      for (double r = 2; r <= 12; r += 2)
        {
          g_autofree guint8 *core = g_memdup2 (whole, n);
          mt_mask_erode (core, ct, r);
          g_autofree guint32 *parts = g_new (guint32, n);
          g_autoptr (GArray) part_sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
          guint n_parts = mt_mask_components (core, ct->dims, parts, part_sizes);
          if (n_parts < 2 || g_array_index (part_sizes, gsize, 1) < whole_n / 10)
            continue;
          g_autofree guint8 *a = g_new (guint8, n), *b = g_new (guint8, n);
          for (gsize i = 0; i < n; i++)
            {
              a[i] = parts[i] == 1;
              b[i] = parts[i] == 2;
            }
          g_autofree float *da = mt_mask_distance (a, ct), *db = mt_mask_distance (b, ct);
          for (gsize i = 0; i < n; i++)
            if (whole[i])
              labels[i] = da[i] <= db[i] ? 1 : 2;
            else if (labels[i] == 2)
              labels[i] = 3;   /* the old second piece is not a lung */
          lungs = 2;
          break;
        }
    }
  if (lungs == 0)
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING,
                   _("No lungs in this scan: no air-filled region of 100 mL inside the body."));
      return FALSE;
    }
  /* Left is +x in patient space: the piece whose centre lies further that way. */
  double mean_x[3] = { 0, 0, 0 };
  gsize count[3] = { 0, 0, 0 };
  const int nx = ct->dims[0], ny = ct->dims[1];
  for (gsize i = 0; i < n; i++)
    if (labels[i] >= 1 && labels[i] <= lungs)
      {
        double ijk[3] = { (double) (i % nx), (double) ((i / nx) % ny), (double) (i / ((gsize) nx * ny)) }, p[3];
        mt_volume_index_to_patient (ct, ijk, p);
        mean_x[labels[i]] += p[0];
        count[labels[i]]++;
      }
  guint left = 1;
  if (lungs == 2 && mean_x[2] / count[2] > mean_x[1] / count[1])
    left = 2;
  *lung_left = g_new0 (guint8, n);
  *lung_right = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    if (labels[i] >= 1 && labels[i] <= lungs)
      (labels[i] == left ? *lung_left : *lung_right)[i] = 1;
  /* Vessels and nodules inside a lung belong to it; the dome of the liver
   * or the heart's apex, ringed by lung in a slice, do not. */
  gsize max_hole = (gsize) (LUNG_HOLE_CM2 * 100 / (ct->spacing[0] * ct->spacing[1]));
  mt_mask_fill_small_holes_slices (*lung_left, ct->dims, 2, max_hole);
  mt_mask_fill_small_holes_slices (*lung_right, ct->dims, 2, max_hole);
  for (gsize i = 0; i < n; i++)
    {
      (*lung_left)[i] &= !walls[i];
      (*lung_right)[i] &= !walls[i];
    }
  /* The airways with their walls, as an atlas draws them. */
  *airway = g_steal_pointer (&walls);
  return TRUE;
}

/* ---------------------------------------------------------- skeleton */

gboolean
mt_segment_skeleton (const MtVolume *ct,
                     const guint8   *body,
                     guint8        **skeleton,
                     GCancellable   *cancellable,
                     GError        **error)
{
  const gsize n = mt_volume_n_voxels (ct);
  /* Cortical bone (400 HU and up) is denser than contrast-filled blood;
   * the marrow and thin cortex blurred below it are taken where they are
   * dense (180 HU and up) and near dense bone (8 mm), and where the cortex
   * closes around them. Blood against the bone within those 8 mm comes in
   * too: the demo's Dice is 0.86, not the 0.95 asked. */
  guint8 *bone = mt_mask_threshold (ct, CORTEX_HU, G_MAXDOUBLE);
  for (gsize i = 0; i < n; i++)
    bone[i] &= body[i];
  g_autofree guint8 *near = g_memdup2 (bone, n);
  mt_mask_dilate (near, ct, MARROW_REACH_MM);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_free (bone);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    bone[i] = bone[i] || (near[i] && body[i] && ct->data[i] >= MARROW_HU);
  g_autofree guint8 *filled = g_memdup2 (bone, n);
  mt_mask_fill_holes (filled, ct->dims);
  for (gsize i = 0; i < n; i++)
    bone[i] = bone[i] || (filled[i] && ct->data[i] >= 100.0f);
  double voxel_ml = ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000.0;
  mt_mask_remove_islands (bone, ct->dims, (gsize) (0.2 / voxel_ml) + 1);
  *skeleton = bone;
  return TRUE;
}

static const char *task_names[] = { "body", "couch", "lungs", "airway", "skeleton", NULL };

const char * const *
mt_segment_task_names (void)
{
  return task_names;
}

/* Everything inside the skin, for the tasks that look only there: the body
 * segment with what was painted over it when the body task ran, found
 * afresh otherwise; computed once and kept in *cache. */
static const guint8 *
inside_body (MtSegmentation *seg, const MtVolume *ct, guint8 **cache, GCancellable *cancellable, GError **error)
{
  if (*cache != NULL)
    return *cache;
  const MtSegment *body = mt_segmentation_find (seg, "body");
  if (body == NULL)
    {
      g_autofree guint8 *couch = NULL;
      if (!mt_segment_body_couch (ct, cache, &couch, NULL, cancellable, error))
        return NULL;
      return *cache;
    }
  gsize n = mt_volume_n_voxels (ct);
  const MtSegment *couch = mt_segmentation_find (seg, "couch");
  *cache = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      guint16 v = mt_segmentation_get (seg, i);
      (*cache)[i] = v != 0 && (couch == NULL || v != couch->value);
    }
  return *cache;
}

MtSegmentation *
mt_segment_run (const MtVolume     *ct,
                const char * const *tasks,
                MtProgress         *progress,
                GCancellable       *cancellable,
                GError            **error)
{
  gboolean want[G_N_ELEMENTS (task_names)] = { FALSE };
  for (int t = 0; tasks != NULL && tasks[t] != NULL; t++)
    {
      gboolean all = g_str_equal (tasks[t], "all"), known = all;
      for (int k = 0; task_names[k] != NULL; k++)
        if (all || g_str_equal (tasks[t], task_names[k]))
          {
            want[k] = TRUE;
            known = TRUE;
          }
      if (!known)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) task_names);
          g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_TASK,
                       _("There is no segmentation task “%s” in this version; the tasks are: %s (or all)."), tasks[t],
                       list);
          return NULL;
        }
    }
  if (ct->modality != NULL && !g_str_equal (ct->modality, "CT"))
    {
      g_set_error (error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOT_CT,
                   _("The automatic segmentation works on CT in HU; this scan is %s."), ct->modality);
      return NULL;
    }
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (ct);
  g_autofree guint8 *inside = NULL;   /* everything inside the skin, once */
  if (want[0] || want[1])
    {
      g_autofree guint8 *body = NULL, *couch = NULL;
      if (progress)
        mt_progress_set_stage (progress, 0.0, 1.0, N_("Finding the body and the couch"));
      if (!mt_segment_body_couch (ct, &body, &couch, progress, cancellable, error))
        return NULL;
      /* The most specific segment wins: organs painted later go over the
       * body. */
      if (want[0])
        {
          /* Shown by its outline: a fill as large as the body would veil it. */
          guint16 value = mt_segmentation_add_segment (seg, "body", MT_SEGMENT_TISSUE,
                                                       (const guint8[3]) { 222, 184, 160 });
          mt_segmentation_set_fill (seg, value, 0);
          mt_segmentation_paint (seg, body, value);
        }
      if (want[1])
        mt_segmentation_paint (seg, couch, mt_segmentation_add_segment (seg, "couch", MT_SEGMENT_DEVICE,
                                                                         (const guint8[3]) { 120, 120, 140 }));
    }
  if (want[2] || want[3])
    {
      g_autofree guint8 *left = NULL, *right = NULL, *tree = NULL;
      const guint8 *body = inside_body (seg, ct, &inside, cancellable, error);
      if (body == NULL)
        return NULL;
      if (progress)
        mt_progress_set_stage (progress, 0.0, 1.0, N_("Finding the lungs and the airways"));
      if (!mt_segment_lungs (ct, body, &left, &right, &tree, cancellable, error))
        return NULL;
      if (want[2])
        {
          mt_segmentation_paint (seg, left, mt_segmentation_add_segment (seg, "lung_left", MT_SEGMENT_ORGAN,
                                                                          (const guint8[3]) { 140, 190, 240 }));
          mt_segmentation_paint (seg, right, mt_segmentation_add_segment (seg, "lung_right", MT_SEGMENT_ORGAN,
                                                                           (const guint8[3]) { 100, 160, 230 }));
        }
      if (want[3])
        mt_segmentation_paint (seg, tree, mt_segmentation_add_segment (seg, "airway", MT_SEGMENT_ORGAN,
                                                                        (const guint8[3]) { 200, 230, 255 }));
    }
  if (want[4])
    {
      g_autofree guint8 *bone = NULL;
      const guint8 *body = inside_body (seg, ct, &inside, cancellable, error);
      if (body == NULL)
        return NULL;
      if (progress)
        mt_progress_set_stage (progress, 0.0, 1.0, N_("Finding the skeleton"));
      if (!mt_segment_skeleton (ct, body, &bone, cancellable, error))
        return NULL;
      mt_segmentation_paint (seg, bone, mt_segmentation_add_segment (seg, "skeleton", MT_SEGMENT_TISSUE,
                                                                      (const guint8[3]) { 241, 214, 145 }));
    }
  return g_steal_pointer (&seg);
}
