/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MT_PRESET_CT_BONE,
  MT_PRESET_CT_SOFT_TISSUE,
  MT_PRESET_MIP,            /* maximum intensity projection, through a window */
  MT_PRESET_CT_ANGIO,       /* contrast-filled vessels and chambers */
  MT_PRESET_CT_LUNG,        /* lung parenchyma and its vessels */
  MT_PRESET_MR,             /* MR surfaces, on the scan's own intensity scale */
  MT_PRESET_COUNT,
} MtRenderPreset;

/* For CT presets the table covers values from MT_TF_LOW to MT_TF_HIGH, one
 * entry per HU. MR values have no fixed scale: a relative preset's table
 * covers 0..1 of the scan's own range (mt_transfer_function_range). */
#define MT_TF_LOW   (-1024.0)
#define MT_TF_HIGH  (3071.0)
#define MT_TF_SIZE  4096

/* One point of a transfer function: at value (HU for CT), this colour and
 * this opacity per millimetre; linear between points, constant beyond. */
typedef struct
{
  float value, r, g, b, a;
} MtTfPoint;

const char *mt_render_preset_name (MtRenderPreset preset);
gboolean    mt_render_preset_from_name (const char     *name,
                                        MtRenderPreset *preset);
gboolean    mt_render_preset_shaded (MtRenderPreset preset);
gboolean    mt_render_preset_is_mip (MtRenderPreset preset);
gboolean    mt_render_preset_relative (MtRenderPreset preset);
/* The values the table spans for a volume whose 1st and 99.5th percentiles
 * are p1 and p995: fixed HU for CT presets, the scan's range for relative ones. */
void        mt_transfer_function_range (MtRenderPreset preset,
                                        double         p1,
                                        double         p995,
                                        double        *low,
                                        double        *high);
/* A preset's points in the volume's own values (a relative preset's scaled
 * to p1..p995), for editing. Free with g_free. */
MtTfPoint  *mt_transfer_function_preset_points (MtRenderPreset preset,
                                                double         p1,
                                                double         p995,
                                                int           *n);
/* The table of n >= 2 points (by rising value) over [low, high]. */
void        mt_transfer_function_fill_points (const MtTfPoint *points,
                                              int              n,
                                              double           low,
                                              double           high,
                                              float           *rgba);
/* RGBA, premultiplied by nothing; MT_TF_SIZE * 4 floats. */
void        mt_transfer_function_fill (MtRenderPreset preset,
                                       float         *rgba);

G_END_DECLS
