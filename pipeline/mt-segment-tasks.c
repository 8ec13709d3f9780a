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
#define MARROW_HOLE_CM2 20.0   /* a lumbar vertebral body's section, with room */

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
  /* A light voxel beside air (below -960 HU in its slice) is the blur of a
   * shell's outer face or of the skin across a gap, not foam, which lies
   * within the shells. */
  g_autofree guint8 *light_out = g_new0 (guint8, n);
  for (gsize o = 0; o < n; o++)
    {
      if (!couch[o] || ct->data[o] > AIR_HU)
        continue;
      int x = (int) (o % nx), y = (int) ((o / nx) % ny);
      for (int dy = -1; dy <= 1 && !light_out[o]; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            int xx = CLAMP (x + dx, 0, nx - 1), yy = CLAMP (y + dy, 0, ny - 1);
            if (ct->data[(o / plane) * plane + (gsize) yy * nx + xx] < FOAM_MIN_HU)
              {
                light_out[o] = 1;
                break;
              }
          }
    }
  for (gsize i = 0; i < n; i++)
    couch[i] &= !light_out[i];
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
      g_autofree guint32 *parts = g_new (guint32, n);
      if (mt_mask_split (whole, ct, 12.0, 0.1, parts) == 2)
        {
          for (gsize i = 0; i < n; i++)
            if (whole[i])
              labels[i] = parts[i];
            else if (labels[i] == 2)
              labels[i] = 3;   /* the old second piece is not a lung */
          lungs = 2;
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
   * dense (180 HU and up) and near dense bone (8 mm), or enclosed by it. */
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
  /* Between the cortex and what is not bone (soft tissue, fat, lung, the
   * spinal canal), the edge lies half-way between their values, as the
   * blur puts it: a voxel there is bone only when it is above the mean of
   * the darkest and brightest voxels beside it in its slice. Elsewhere near
   * the cortex, marrow is what is 180 HU and up; and what the cortex
   * encloses (100 HU and up), in 3D and in each slice (thick slices can
   * miss a vertebra's end plate, opening its marrow to the disc). */
  const int nx = ct->dims[0], ny = ct->dims[1];
  const gsize plane = (gsize) nx * ny;
  g_autofree guint8 *filled = g_memdup2 (bone, n);
  mt_mask_fill_holes (filled, ct->dims);
  mt_mask_fill_small_holes_slices (filled, ct->dims, 2,
                                   (gsize) (MARROW_HOLE_CM2 * 100 / (ct->spacing[0] * ct->spacing[1])));
  g_autofree guint8 *more = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      if (bone[i] || !body[i] || !(near[i] || filled[i]))
        continue;
      int x = (int) (i % nx), y = (int) ((i / nx) % ny);
      float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            int xx = CLAMP (x + dx, 0, nx - 1), yy = CLAMP (y + dy, 0, ny - 1);
            float v = ct->data[(i / plane) * plane + (gsize) yy * nx + xx];
            lo = MIN (lo, v);
            hi = MAX (hi, v);
          }
      float v = ct->data[i];
      if (hi >= CORTEX_HU && lo < 100.0f)
        more[i] = v >= (hi + lo) / 2;
      else
        more[i] = (near[i] && v >= MARROW_HU) || (filled[i] && v >= 100.0f);
    }
  for (gsize i = 0; i < n; i++)
    bone[i] = bone[i] || more[i];
  double voxel_ml = ct->spacing[0] * ct->spacing[1] * ct->spacing[2] / 1000.0;
  mt_mask_remove_islands (bone, ct->dims, (gsize) (0.2 / voxel_ml) + 1);
  *skeleton = bone;
  return TRUE;
}

enum
{
  TASK_BODY, TASK_COUCH, TASK_LUNGS, TASK_AIRWAY, TASK_SKELETON, TASK_LIVER, TASK_KIDNEYS, TASK_HEART,
  TASK_AORTA, TASK_FLUID, TASK_NODULE, N_TASKS
};

static const char *task_names[N_TASKS + 1] = {
  "body", "couch", "lungs", "airway", "skeleton", "liver", "kidneys", "heart", "aorta", "fluid", "nodule", NULL,
};

const char * const *
mt_segment_task_names (void)
{
  return task_names;
}

static void
organ_context_clear (MtOrganContext *ctx)
{
  g_free (ctx->body);
  g_free (ctx->lung_left);
  g_free (ctx->lung_right);
  g_free (ctx->lungs);
  g_free (ctx->bone);
  g_free (ctx->aorta_chain);
  g_free (ctx->kidneys);
  g_free (ctx->liver);
  g_free (ctx->heart);
}

/* A segment found, painted with its name, category and colour. */
static void
paint_new (MtSegmentation *seg, const guint8 *mask, const char *name)
{
  if (mask == NULL)
    return;
  /* Kind and colour as a label map's segment of that name gets them. */
  guint8 rgb[3];
  mt_segment_color_for_name (name, 0, rgb);
  mt_segmentation_paint (seg, mask, mt_segmentation_add_segment (seg, name, mt_segment_category_from_name (name), rgb));
}

/* An organ task that found nothing leaves a note and the other tasks go
 * on; cancelling, or anything else, stops the run. */
static gboolean
organ_failed (MtSegmentation *seg, GError **task_error, GError **error)
{
  if (g_error_matches (*task_error, MT_SEGMENT_ERROR, MT_SEGMENT_ERROR_NOTHING))
    {
      mt_segmentation_add_note (seg, (*task_error)->message);
      g_clear_error (task_error);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (task_error));
  return FALSE;
}

MtSegmentation *
mt_segment_run (const MtVolume     *ct,
                const char * const *tasks,
                MtProgress         *progress,
                GCancellable       *cancellable,
                GError            **error)
{
  gboolean want[N_TASKS] = { FALSE };
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
  const gsize n = mt_volume_n_voxels (ct);
  g_autoptr (MtSegmentation) seg = mt_segmentation_new (ct);
  MtOrganContext ctx = { 0 };
  g_autofree guint8 *couch = NULL, *airway = NULL, *skeleton = NULL, *liver = NULL, *kidney_left = NULL,
                    *kidney_right = NULL, *heart = NULL, *aorta = NULL, *fluid = NULL, *nodule = NULL;
  GError *task_error = NULL;
  gboolean ok = FALSE;
  gboolean organs = want[TASK_LIVER] || want[TASK_KIDNEYS] || want[TASK_HEART] || want[TASK_AORTA]
                    || want[TASK_FLUID] || want[TASK_NODULE];
  gboolean need_lungs = want[TASK_LUNGS] || want[TASK_AIRWAY] || organs;
  /* Found in the order each needs the one before; painted below from the
   * largest to the most specific, which wins its voxels. */
  if (progress)
    mt_progress_set_stage (progress, 0.0, 0.3, N_("Finding the body and the couch"));
  if (!mt_segment_body_couch (ct, &ctx.body, &couch, progress, cancellable, error))
    goto out;
  if (need_lungs)
    {
      if (progress)
        mt_progress_set_stage (progress, 0.3, 0.45, N_("Finding the lungs and the airways"));
      if (mt_segment_lungs (ct, ctx.body, &ctx.lung_left, &ctx.lung_right, &airway, cancellable, &task_error))
        {
          ctx.lungs = g_new (guint8, n);
          for (gsize i = 0; i < n; i++)
            ctx.lungs[i] = ctx.lung_left[i] || ctx.lung_right[i] || airway[i];
        }
      else if (organ_failed (seg, &task_error, error))
        organs = FALSE;   /* a head or a limb: the organ tasks start from the lungs */
      else
        goto out;
    }
  if (want[TASK_SKELETON])
    {
      if (progress)
        mt_progress_set_stage (progress, 0.45, 0.55, N_("Finding the skeleton"));
      if (!mt_segment_skeleton (ct, ctx.body, &skeleton, cancellable, error))
        goto out;
    }
  if (organs)
    {
      if (progress)
        mt_progress_set_stage (progress, 0.55, 0.6, N_("Finding the aorta"));
      ctx.bone = mt_segment_bone_core (ct, ctx.body);
      if (!mt_segment_aorta_descending (ct, &ctx, &task_error) && !organ_failed (seg, &task_error, error))
        goto out;
      if (!step (progress, 1.0, cancellable, error))
        goto out;
      if ((want[TASK_KIDNEYS] || want[TASK_LIVER] || want[TASK_HEART] || want[TASK_AORTA] || want[TASK_FLUID])
          && ctx.aorta_hu > 0)
        {
          if (progress)
            mt_progress_set_stage (progress, 0.6, 0.65, N_("Finding the kidneys"));
          if (!mt_segment_kidneys (ct, &ctx, &kidney_left, &kidney_right, &task_error)
              && !organ_failed (seg, &task_error, error))
            goto out;
          if (!step (progress, 1.0, cancellable, error))
            goto out;
        }
      if (want[TASK_HEART] || want[TASK_LIVER] || want[TASK_AORTA] || want[TASK_FLUID])
        {
          if (progress)
            mt_progress_set_stage (progress, 0.65, 0.75, N_("Finding the heart"));
          if (!mt_segment_heart (ct, &ctx, &heart, &task_error) && !organ_failed (seg, &task_error, error))
            goto out;
          if (!step (progress, 1.0, cancellable, error))
            goto out;
        }
      if (want[TASK_LIVER] || want[TASK_HEART] || want[TASK_AORTA] || want[TASK_FLUID])
        {
          if (progress)
            mt_progress_set_stage (progress, 0.75, 0.85, N_("Finding the liver"));
          if (!mt_segment_liver (ct, &ctx, &liver, &task_error) && !organ_failed (seg, &task_error, error))
            goto out;
          if (!step (progress, 1.0, cancellable, error))
            goto out;
        }
      if (want[TASK_AORTA] && ctx.aorta_hu > 0 && !mt_segment_aorta (ct, &ctx, &aorta, error))
        goto out;
      if (want[TASK_FLUID])
        {
          if (progress)
            mt_progress_set_stage (progress, 0.85, 0.95, N_("Finding fluid"));
          if (!mt_segment_fluid (ct, &ctx, &fluid, error) || !step (progress, 1.0, cancellable, error))
            goto out;
        }
      if (want[TASK_NODULE])
        {
          if (progress)
            mt_progress_set_stage (progress, 0.95, 1.0, N_("Finding lung nodules"));
          if (!mt_segment_nodules (ct, &ctx, &nodule, error) || !step (progress, 1.0, cancellable, error))
            goto out;
        }
    }

  if (want[TASK_BODY])
    {
      /* Shown by its outline: a fill as large as the body would veil it. */
      paint_new (seg, ctx.body, "body");
      const MtSegment *body = mt_segmentation_find (seg, "body");
      if (body != NULL)
        mt_segmentation_set_fill (seg, body->value, 0);
    }
  if (want[TASK_COUCH])
    paint_new (seg, couch, "couch");
  if (want[TASK_LUNGS])
    {
      paint_new (seg, ctx.lung_left, "lung_left");
      paint_new (seg, ctx.lung_right, "lung_right");
    }
  if (want[TASK_AIRWAY])
    paint_new (seg, airway, "airway");
  paint_new (seg, skeleton, "skeleton");
  if (want[TASK_LIVER])
    paint_new (seg, liver, "liver");
  if (want[TASK_KIDNEYS])
    {
      paint_new (seg, kidney_left, "kidney_left");
      paint_new (seg, kidney_right, "kidney_right");
    }
  if (want[TASK_HEART])
    paint_new (seg, heart, "heart");
  paint_new (seg, aorta, "aorta");
  paint_new (seg, fluid, "fluid");
  paint_new (seg, nodule, "nodule");
  ok = TRUE;
out:
  organ_context_clear (&ctx);
  return ok ? g_steal_pointer (&seg) : NULL;
}
