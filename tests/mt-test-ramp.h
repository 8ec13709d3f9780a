/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A linear ramp over an anisotropic grid: anything sampled from it,
 * trilinearly or averaged over a symmetric region, has a value known
 * exactly. 40 x 36 x 30 voxels of 1.5 x 1.25 x 2.5 mm from (-30, -20, 10). */

#include <string.h>

#include "mt-volume.h"

static inline double
mt_test_ramp (const double p[3])
{
  return p[0] + 2 * p[1] + 3 * p[2];
}

static inline MtVolume *
mt_test_ramp_volume (void)
{
  MtVolume *v = mt_volume_new (40, 36, 30, NULL);
  const double spacing[3] = { 1.5, 1.25, 2.5 }, origin[3] = { -30, -20, 10 };
  memcpy (v->spacing, spacing, sizeof spacing);
  memcpy (v->origin, origin, sizeof origin);
  for (int k = 0; k < 30; k++)
    for (int j = 0; j < 36; j++)
      for (int i = 0; i < 40; i++)
        {
          double ijk[3] = { i, j, k }, p[3];
          mt_volume_index_to_patient (v, ijk, p);
          v->data[mt_volume_offset (v, i, j, k)] = (float) mt_test_ramp (p);
        }
  return v;
}
