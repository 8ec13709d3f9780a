/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "mt-anatomy.h"
#include "mt-physiology.h"

G_BEGIN_DECLS

/* Decision support, not a diagnosis: the twin's figures set against the
 * usual adult ranges (their sources are in the README), for a clinician to
 * look at more closely. */
typedef enum
{
  MT_FINDING_NORMAL,
  MT_FINDING_LOW,
  MT_FINDING_HIGH,
} MtFindingStatus;

typedef struct
{
  const char     *key;       /* for JSON: liver_volume_mL, ejection_fraction, ... */
  char           *what;      /* for people, translated */
  double          value, low, high;
  const char     *unit;
  MtFindingStatus status;
} MtFinding;

/* Organ volumes from anatomy (may be NULL) and the model's figures from
 * vitals (may be NULL); GPtrArray of MtFinding. */
GPtrArray *mt_findings_compute (const MtAnatomy       *anatomy,
                                const MtPhysioSummary *vitals);
guint      mt_findings_count_abnormal (GPtrArray      *findings);
/* "▼ Ejection fraction: 0.392 (0.52–0.72)": the mark (▼ low, ▲ high, ·),
 * what, the value with as many digits as it calls for, the range. */
char      *mt_finding_to_string (const MtFinding      *finding);
/* {"disclaimer", "findings": [{key, value, low, high, unit, status}]} */
JsonNode  *mt_findings_to_json (GPtrArray             *findings);

G_END_DECLS
