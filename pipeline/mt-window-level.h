/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The usual CT windows (centre, width in HU). */
typedef enum
{
  MT_WINDOW_SOFT_TISSUE,
  MT_WINDOW_LUNG,
  MT_WINDOW_BONE,
  MT_WINDOW_BRAIN,
  MT_WINDOW_LIVER,
  MT_WINDOW_MEDIASTINUM,
  MT_WINDOW_COUNT,
} MtWindowPreset;

typedef struct
{
  const char *name;     /* for the command line and settings */
  const char *label;    /* for people, marked for translation */
  double      center;
  double      width;
} MtWindowLevel;

const MtWindowLevel *mt_window_preset        (MtWindowPreset preset);
gboolean             mt_window_preset_lookup (const char    *name,
                                              MtWindowPreset *preset);

G_END_DECLS
