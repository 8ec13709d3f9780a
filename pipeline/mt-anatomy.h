/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "mt-types.h"

G_BEGIN_DECLS

/* What an organ is, for the ports it takes. */
typedef enum
{
  MT_ORGAN_HEART,
  MT_ORGAN_LUNG,
  MT_ORGAN_AIRWAY,
  MT_ORGAN_VESSEL,
  MT_ORGAN_LIVER,
  MT_ORGAN_KIDNEY,
  MT_ORGAN_SKELETON,
  MT_ORGAN_OTHER,        /* body, couch, lesions, fluid */
} MtOrganKind;

/* "heart", "lung", ...: as the JSON names it (marked for translation). */
const char *mt_organ_kind_name (MtOrganKind kind);

/* An input an organ accepts: a number (a rate, a multiplier) or a signal
 * (samples in time, e.g. an ECG). */
typedef struct
{
  const char *name;      /* heart_rate, contractility, ecg, respiratory_rate, ... */
  const char *unit;
  gboolean    signal;
} MtPort;

typedef struct
{
  char         *name;
  int           label;
  MtOrganKind   kind;
  double        centroid[3];     /* patient LPS mm */
  double        volume_ml;
  const MtPort *ports;
  guint         n_ports;
  GPtrArray    *centreline;     /* vessels and airways: MtCentrelineBranch; else NULL */
} MtAnatomyNode;

/* Two organs that touch: voxels of one share a face with voxels of the
 * other, over contact_mm2. */
typedef struct
{
  guint  a, b;                   /* node indices, a < b */
  double contact_mm2;
} MtAnatomyEdge;

typedef struct
{
  GArray *nodes;                 /* MtAnatomyNode */
  GArray *edges;                 /* MtAnatomyEdge */
} MtAnatomy;

/* The graph of a label map's segments, named by names (value to name; a
 * segment without one is label_N) and typed by name. */
MtAnatomy *mt_anatomy_from_labels (const MtVolume *labels,
                                   GHashTable     *names,
                                   GError        **error);
/* The index of the node of that name, or -1. */
int        mt_anatomy_find        (const MtAnatomy *anatomy,
                                   const char      *name);
gboolean   mt_anatomy_touch       (const MtAnatomy *anatomy,
                                   const char      *a,
                                   const char      *b);
/* {"nodes": [{name, label, kind, centroid_mm, volume_mL, touches, ports,
 *   and for tubes centreline: {length_mm, branches: [{parent, length_mm,
 *   points_mm, radii_mm}]}}],
 *  "edges": [{a, b, contact_mm2}]} */
JsonNode  *mt_anatomy_to_json     (const MtAnatomy *anatomy);
void       mt_anatomy_free        (MtAnatomy       *anatomy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtAnatomy, mt_anatomy_free)

G_END_DECLS
