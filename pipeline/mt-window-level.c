/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-window-level"

#include "config.h"

#include <glib/gi18n.h>

#include "mt-window-level.h"

static const MtWindowLevel presets[MT_WINDOW_COUNT] = {
  [MT_WINDOW_SOFT_TISSUE] = { "soft-tissue", N_("Soft tissue"), 40, 400 },
  [MT_WINDOW_LUNG] = { "lung", N_("Lung"), -600, 1500 },
  [MT_WINDOW_BONE] = { "bone", N_("Bone"), 400, 1800 },
  [MT_WINDOW_BRAIN] = { "brain", N_("Brain"), 40, 80 },
  /* Narrow, for the small contrast of liver lesions. */
  [MT_WINDOW_LIVER] = { "liver", N_("Liver"), 60, 160 },
  [MT_WINDOW_MEDIASTINUM] = { "mediastinum", N_("Mediastinum"), 50, 350 },
};

const MtWindowLevel *
mt_window_preset (MtWindowPreset preset)
{
  g_return_val_if_fail (preset < MT_WINDOW_COUNT, NULL);
  return &presets[preset];
}

gboolean
mt_window_preset_lookup (const char     *name,
                         MtWindowPreset *preset)
{
  for (int i = 0; i < MT_WINDOW_COUNT; i++)
    if (g_strcmp0 (presets[i].name, name) == 0)
      {
        *preset = i;
        return TRUE;
      }
  return FALSE;
}
