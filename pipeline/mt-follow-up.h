/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-segmentation.h"
#include "mt-types.h"

G_BEGIN_DECLS

/* A lesion seen on a baseline and a follow-up scan. */
typedef struct
{
  double baseline_center[3];   /* patient mm, baseline */
  double followup_center[3];   /* patient mm, follow-up */
  double distance_mm;          /* baseline centre taken to the follow-up, from its centre */
  double baseline_ml, followup_ml;
  double change_percent;
  double doubling_days;        /* NAN unless it grew and the interval is known */
} MtLesionMatch;

/* Days from one DICOM date (YYYYMMDD) to another; FALSE if either is not
 * a date. */
gboolean mt_days_between          (const char        *from,
                                   const char        *to,
                                   double            *days);
/* Each piece of segment `before` of the baseline matched with the nearest
 * piece of segment `after` of the follow-up, once the baseline's centre is
 * taken through baseline_to_followup (patient mm), within max_mm; with the
 * interval in days (<= 0: unknown), the volume doubling time
 * days * ln 2 / ln (V2 / V1). A GArray of MtLesionMatch, by falling
 * baseline volume. */
GArray  *mt_follow_up_lesions     (MtSegmentation    *baseline,
                                   guint16            before,
                                   MtSegmentation    *followup,
                                   guint16            after,
                                   const MtTransform *baseline_to_followup,
                                   double             days,
                                   double             max_mm);

G_END_DECLS
