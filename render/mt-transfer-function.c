/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-transfer-function"

#include "config.h"

#include <string.h>

#include "mt-transfer-function.h"

typedef MtTfPoint Point;

/* Opacity is per millimetre of path; colours after the usual CT presets of
 * 3D Slicer and OsiriX: bone ivory, soft tissue from skin tones to red muscle
 * and white contrast. */
static const Point bone[] = {
  { -1024, 0, 0, 0, 0 },
  { 140, 0.55f, 0.25f, 0.15f, 0 },
  { 220, 0.85f, 0.65f, 0.45f, 0.20f },
  { 400, 0.95f, 0.88f, 0.75f, 0.65f },
  { 1000, 1, 0.98f, 0.94f, 0.85f },
  { 3071, 1, 1, 1, 0.9f },
};

static const Point soft[] = {
  { -1024, 0, 0, 0, 0 },
  { -600, 0, 0, 0, 0 },
  { -450, 0.75f, 0.55f, 0.45f, 0.004f },   /* a faint skin */
  { -150, 0.80f, 0.60f, 0.45f, 0.006f },
  { -40, 0.85f, 0.62f, 0.45f, 0.02f },      /* fat */
  { 30, 0.75f, 0.25f, 0.20f, 0.06f },       /* muscle, organs */
  { 120, 0.85f, 0.30f, 0.25f, 0.15f },
  { 250, 0.95f, 0.75f, 0.65f, 0.45f },      /* contrast blood */
  { 600, 1, 0.95f, 0.88f, 0.8f },           /* bone */
  { 3071, 1, 1, 1, 0.9f },
};

/* CT angiography: contrast blood (150-500 HU) red and opaque, bone pale and
 * thin, everything else clear. */
static const Point angio[] = {
  { -1024, 0, 0, 0, 0 },
  { 120, 0.6f, 0.1f, 0.1f, 0 },
  { 180, 0.85f, 0.2f, 0.15f, 0.35f },
  { 400, 1, 0.45f, 0.35f, 0.75f },
  { 550, 1, 0.9f, 0.85f, 0.05f },
  { 3071, 1, 1, 1, 0.15f },
};

/* Lung: only the parenchyma band (-900..-400 HU) is drawn, so the lungs
 * show as solid shapes with their vessels and airways as channels; soft
 * tissue, which at the chest wall has the vessels' values, stays clear. */
static const Point lung[] = {
  { -1024, 0, 0, 0, 0 },
  { -920, 0.75f, 0.55f, 0.55f, 0 },
  { -860, 0.85f, 0.6f, 0.6f, 0.08f },
  { -500, 0.95f, 0.7f, 0.65f, 0.08f },
  { -400, 0.95f, 0.7f, 0.65f, 0 },
  { 3071, 1, 1, 1, 0 },
};

/* MR (T1 and the like): positions are fractions of the scan's range, from
 * its 1st to its 99.5th percentile. Air and noise (the bottom tenth) stay
 * clear; the first tissue met, skin and scalp, forms a flesh-toned surface,
 * brighter tissue paler and denser. */
static const Point mr[] = {
  { 0, 0, 0, 0, 0 },
  { 0.12f, 0.55f, 0.35f, 0.30f, 0 },
  { 0.22f, 0.80f, 0.58f, 0.48f, 0.25f },
  { 0.45f, 0.92f, 0.78f, 0.68f, 0.55f },
  { 1, 1, 0.95f, 0.90f, 0.8f },
};

static const struct
{
  const char  *name;
  const Point *points;
  guint        n;
  gboolean     shaded;
  gboolean     relative;
} presets[MT_PRESET_COUNT] = {
  [MT_PRESET_CT_BONE] = { "bone", bone, G_N_ELEMENTS (bone), TRUE },
  [MT_PRESET_CT_SOFT_TISSUE] = { "soft-tissue", soft, G_N_ELEMENTS (soft), TRUE },
  /* MIP shows values through the window; the table is not used. */
  [MT_PRESET_MIP] = { "mip", bone, G_N_ELEMENTS (bone), FALSE },
  [MT_PRESET_CT_ANGIO] = { "angio", angio, G_N_ELEMENTS (angio), TRUE },
  [MT_PRESET_CT_LUNG] = { "lung", lung, G_N_ELEMENTS (lung), TRUE },
  [MT_PRESET_MR] = { "mr", mr, G_N_ELEMENTS (mr), TRUE, TRUE },
};

const char *
mt_render_preset_name (MtRenderPreset preset)
{
  g_return_val_if_fail (preset < MT_PRESET_COUNT, NULL);
  return presets[preset].name;
}

gboolean
mt_render_preset_from_name (const char     *name,
                            MtRenderPreset *preset)
{
  for (int p = 0; p < MT_PRESET_COUNT; p++)
    if (g_strcmp0 (name, presets[p].name) == 0)
      {
        *preset = p;
        return TRUE;
      }
  return FALSE;
}

gboolean
mt_render_preset_shaded (MtRenderPreset preset)
{
  return presets[preset].shaded;
}

gboolean
mt_render_preset_is_mip (MtRenderPreset preset)
{
  return preset == MT_PRESET_MIP;
}

gboolean
mt_render_preset_relative (MtRenderPreset preset)
{
  return presets[preset].relative;
}

void
mt_transfer_function_range (MtRenderPreset preset,
                            double         p1,
                            double         p995,
                            double        *low,
                            double        *high)
{
  if (!presets[preset].relative)
    {
      *low = MT_TF_LOW;
      *high = MT_TF_HIGH;
      return;
    }
  *low = p1;
  *high = p995 > p1 ? p995 : p1 + 1;
}

void
mt_transfer_function_fill_points (const MtTfPoint *pts,
                                  int              n,
                                  double           low,
                                  double           high,
                                  float           *rgba)
{
  g_return_if_fail (n >= 2);
  for (int i = 0; i < MT_TF_SIZE; i++)
    {
      double value = low + (high - low) * i / (MT_TF_SIZE - 1);
      int k = 0;
      while (k + 2 < n && value > pts[k + 1].value)
        k++;
      double span = pts[k + 1].value - pts[k].value;
      float t = span > 0 ? (float) ((value - pts[k].value) / span) : (value >= pts[k + 1].value ? 1.0f : 0.0f);
      t = CLAMP (t, 0.0f, 1.0f);
      float *o = rgba + 4 * i;
      o[0] = pts[k].r + t * (pts[k + 1].r - pts[k].r);
      o[1] = pts[k].g + t * (pts[k + 1].g - pts[k].g);
      o[2] = pts[k].b + t * (pts[k + 1].b - pts[k].b);
      o[3] = pts[k].a + t * (pts[k + 1].a - pts[k].a);
    }
}

void
mt_transfer_function_fill (MtRenderPreset preset,
                           float         *rgba)
{
  /* A relative preset's table runs over 0..1 of the scan's range. */
  gboolean rel = presets[preset].relative;
  mt_transfer_function_fill_points (presets[preset].points, (int) presets[preset].n, rel ? 0 : MT_TF_LOW,
                                    rel ? 1 : MT_TF_HIGH, rgba);
}

MtTfPoint *
mt_transfer_function_preset_points (MtRenderPreset preset,
                                    double         p1,
                                    double         p995,
                                    int           *n)
{
  g_return_val_if_fail (preset < MT_PRESET_COUNT, NULL);
  *n = (int) presets[preset].n;
  MtTfPoint *out = g_memdup2 (presets[preset].points, sizeof (MtTfPoint) * presets[preset].n);
  double low, high;
  mt_transfer_function_range (preset, p1, p995, &low, &high);
  if (presets[preset].relative)
    for (int i = 0; i < *n; i++)
      out[i].value = low + out[i].value * (high - low);
  return out;
}
