/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the segmentation tools on a scan, for bench/run.sh to set beside
 * scikit-image doing the same work: connected-threshold growing of the
 * body from one seed, threshold and connected components, a 3 mm dilation.
 * Prints "name ms voxels" lines, best of three. */
#include "config.h"

#include <stdio.h>

#include "mt-mask.h"
#include "mt-series.h"
#include "mt-volume.h"

#define RUNS 3

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: segment-bench DICOM_DIR\n");
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) ct = mt_series_read_volume (argv[1], NULL, NULL, &error);
  if (ct == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  gsize n = mt_volume_n_voxels (ct);
  g_autofree guint8 *mask = g_new (guint8, n);
  /* The seed: the centre of the volume, inside the patient. */
  const int seed[3] = { ct->dims[0] / 2, ct->dims[1] / 2, ct->dims[2] / 2 };
  double best = G_MAXDOUBLE;
  gsize grown = 0;
  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      grown = mt_mask_region_grow (ct, seed, 1, -500, 3000, mask);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1000.0);
    }
  printf ("grow %.1f %zu\n", best, grown);

  best = G_MAXDOUBLE;
  guint pieces = 0;
  g_autofree guint32 *labels = g_new (guint32, n);
  for (int r = 0; r < RUNS; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autofree guint8 *dense = mt_mask_threshold (ct, -500, 3000);
      pieces = mt_mask_components (dense, ct->dims, labels, NULL);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1000.0);
    }
  printf ("components %.1f %u\n", best, pieces);

  best = G_MAXDOUBLE;
  gsize dilated = 0;
  for (int r = 0; r < RUNS; r++)
    {
      g_autofree guint8 *dense = mt_mask_threshold (ct, -500, 3000);
      gint64 t0 = g_get_monotonic_time ();
      mt_mask_dilate (dense, ct, 3.0);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1000.0);
      dilated = mt_mask_count (dense, n);
    }
  printf ("dilate %.1f %zu\n", best, dilated);
  return 0;
}
