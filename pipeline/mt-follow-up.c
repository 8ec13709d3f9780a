/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-follow-up"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mt-follow-up.h"
#include "mt-mask.h"
#include "mt-transform.h"
#include "mt-volume.h"

gboolean
mt_days_between (const char *from,
                 const char *to,
                 double     *days)
{
  int y[2], m[2], d[2];
  const char *s[2] = { from, to };
  for (int i = 0; i < 2; i++)
    if (s[i] == NULL || strlen (s[i]) < 8 || sscanf (s[i], "%4d%2d%2d", &y[i], &m[i], &d[i]) != 3
        || !g_date_valid_dmy (d[i], m[i], y[i]))
      return FALSE;
  GDate a, b;
  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_dmy (&a, d[0], m[0], y[0]);
  g_date_set_dmy (&b, d[1], m[1], y[1]);
  *days = g_date_days_between (&a, &b);
  return TRUE;
}

typedef struct
{
  double center[3];
  double ml;
} Piece;

/* The segment's connected pieces: centre (patient mm) and volume. */
static GArray *
pieces_of (MtSegmentation *seg, guint16 value)
{
  const MtVolume *grid = mt_segmentation_get_grid (seg);
  gsize n = mt_segmentation_n_voxels (seg);
  g_autofree guint8 *mask = mt_segmentation_mask (seg, value);
  g_autofree guint32 *labels = g_new (guint32, n);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint count = mt_mask_components (mask, grid->dims, labels, sizes);
  g_autofree double *sum = g_new0 (double, 3 * ((gsize) count + 1));
  const int nx = grid->dims[0], ny = grid->dims[1];
  for (gsize i = 0; i < n; i++)
    if (labels[i])
      {
        sum[3 * labels[i]] += (double) (i % nx);
        sum[3 * labels[i] + 1] += (double) ((i / nx) % ny);
        sum[3 * labels[i] + 2] += (double) (i / ((gsize) nx * ny));
      }
  double voxel_ml = grid->spacing[0] * grid->spacing[1] * grid->spacing[2] / 1000.0;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Piece));
  for (guint p = 1; p <= count; p++)
    {
      gsize size = g_array_index (sizes, gsize, p - 1);
      double ijk[3] = { sum[3 * p] / size, sum[3 * p + 1] / size, sum[3 * p + 2] / size };
      Piece piece = { { 0, 0, 0 }, size * voxel_ml };
      mt_volume_index_to_patient (grid, ijk, piece.center);
      g_array_append_val (out, piece);
    }
  return out;
}

GArray *
mt_follow_up_lesions (MtSegmentation    *baseline,
                      guint16            before,
                      MtSegmentation    *followup,
                      guint16            after,
                      const MtTransform *baseline_to_followup,
                      double             days,
                      double             max_mm)
{
  g_autoptr (GArray) a = pieces_of (baseline, before);
  g_autoptr (GArray) b = pieces_of (followup, after);
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (MtLesionMatch));
  for (guint i = 0; i < a->len; i++)
    {
      const Piece *pa = &g_array_index (a, Piece, i);
      double there[3];
      mt_transform_apply (baseline_to_followup, pa->center, there);
      int best = -1;
      double best_d = max_mm;
      for (guint j = 0; j < b->len; j++)
        {
          const Piece *pb = &g_array_index (b, Piece, j);
          double d = sqrt ((pb->center[0] - there[0]) * (pb->center[0] - there[0])
                           + (pb->center[1] - there[1]) * (pb->center[1] - there[1])
                           + (pb->center[2] - there[2]) * (pb->center[2] - there[2]));
          if (d <= best_d)
            {
              best_d = d;
              best = (int) j;
            }
        }
      if (best < 0)
        continue;
      const Piece *pb = &g_array_index (b, Piece, best);
      MtLesionMatch m = { { 0 } };
      memcpy (m.baseline_center, pa->center, sizeof m.baseline_center);
      memcpy (m.followup_center, pb->center, sizeof m.followup_center);
      m.distance_mm = best_d;
      m.baseline_ml = pa->ml;
      m.followup_ml = pb->ml;
      m.change_percent = 100.0 * (pb->ml / pa->ml - 1);
      m.doubling_days = days > 0 && pb->ml > pa->ml ? days * log (2.0) / log (pb->ml / pa->ml) : NAN;
      g_array_append_val (matches, m);
    }
  return matches;
}
