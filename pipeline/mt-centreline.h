/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

/* One branch of a centreline: points (patient LPS mm) from its far end
 * towards the root, with the tube's radius at each. parent is the branch
 * it joins (-1 for the first, which runs from one end to the other). */
typedef struct
{
  GArray *points;     /* double, 3 a point */
  GArray *radii;      /* double, mm */
  int     parent;
} MtCentrelineBranch;

/* The centreline tree of a tubular segment (vessel, airway) by TEASAR
 * (Sato et al. 2000): from the root at one end, paths that stay as far
 * from the wall as they can to each end not yet covered, each covering a
 * sphere around itself. Branches shorter than twice their radius are
 * bumps of the wall, not branches, and are left out. */
GPtrArray *mt_centreline_from_labels (const MtVolume *labels,
                                      int             label,
                                      GError        **error);
double     mt_centreline_length      (const MtCentrelineBranch *branch);
void       mt_centreline_branch_free (MtCentrelineBranch      *branch);

G_END_DECLS
