/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-findings"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "mt-findings.h"

/* Usual adult ranges; the README's table gives the source of each. */
typedef struct
{
  const char *organ;     /* a node's name, or NULL for a vital */
  const char *key;
  const char *what;
  double      low, high;
  const char *unit;
} Range;

static const Range organ_ranges[] = {
  { "liver", "liver_volume_mL", N_("Liver volume"), 1000, 2000, "mL" },
  { "kidney_left", "kidney_left_volume_mL", N_("Left kidney volume"), 100, 250, "mL" },
  { "kidney_right", "kidney_right_volume_mL", N_("Right kidney volume"), 100, 250, "mL" },
  { "spleen", "spleen_volume_mL", N_("Spleen volume"), 100, 400, "mL" },
};

static void
add (GPtrArray *out, const char *key, const char *what, double value, double low, double high, const char *unit)
{
  MtFinding *f = g_new0 (MtFinding, 1);
  f->key = key;
  f->what = g_strdup (_(what));
  f->value = value;
  f->low = low;
  f->high = high;
  f->unit = unit;
  f->status = value < low ? MT_FINDING_LOW : value > high ? MT_FINDING_HIGH : MT_FINDING_NORMAL;
  g_ptr_array_add (out, f);
}

static void
finding_free (MtFinding *f)
{
  g_free (f->what);
  g_free (f);
}

GPtrArray *
mt_findings_compute (const MtAnatomy       *anatomy,
                     const MtPhysioSummary *v)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free);
  if (anatomy != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (organ_ranges); i++)
        {
          const Range *r = &organ_ranges[i];
          int n = mt_anatomy_find (anatomy, r->organ);
          if (n >= 0)
            add (out, r->key, r->what, g_array_index (anatomy->nodes, MtAnatomyNode, n).volume_ml, r->low, r->high,
                 r->unit);
        }
      /* Both lungs together, as total lung capacity is given. */
      double lungs = 0;
      guint n_lungs = 0;
      for (guint i = 0; i < anatomy->nodes->len; i++)
        {
          const MtAnatomyNode *node = &g_array_index (anatomy->nodes, MtAnatomyNode, i);
          if (node->kind == MT_ORGAN_LUNG)
            lungs += node->volume_ml, n_lungs++;
        }
      if (n_lungs > 0)
        add (out, "lung_volume_L", N_("Lung volume (both)"), lungs / 1000, 3.5, 7.5, "L");
    }
  if (v != NULL)
    {
      add (out, "heart_rate_bpm", N_("Heart rate"), v->heart_rate_bpm, 60, 100, "/min");
      add (out, "systolic_mmHg", N_("Systolic pressure"), v->systolic_mmHg, 90, 129, "mmHg");
      add (out, "diastolic_mmHg", N_("Diastolic pressure"), v->diastolic_mmHg, 60, 79, "mmHg");
      add (out, "ejection_fraction", N_("Ejection fraction"), v->ejection_fraction, 0.52, 0.72, "");
      add (out, "stroke_volume_mL", N_("Stroke volume"), v->stroke_volume_ml, 60, 100, "mL");
      add (out, "cardiac_output_L_min", N_("Cardiac output"), v->cardiac_output_l_min, 4.0, 8.0, "L/min");
      add (out, "respiratory_rate_per_min", N_("Breathing rate"), v->respiratory_rate_per_min, 12, 20, "/min");
      add (out, "tidal_volume_L", N_("Tidal volume"), v->tidal_volume_l, 0.35, 0.7, "L");
    }
  return out;
}

/* As many digits as the size calls for: 1422, 60, 98.9, 0.528. */
static char *
figure (double x)
{
  double a = fabs (x);
  if (x == round (x) || a >= 100)
    return g_strdup_printf ("%.0f", x);
  return g_strdup_printf (a >= 10 ? "%.1f" : "%.3g", x);
}

char *
mt_finding_to_string (const MtFinding *f)
{
  const char *mark = f->status == MT_FINDING_LOW ? "▼" : f->status == MT_FINDING_HIGH ? "▲" : "·";
  g_autofree char *value = figure (f->value), *low = figure (f->low), *high = figure (f->high);
  return g_strdup_printf ("%s %s: %s%s%s (%s–%s)", mark, f->what, value, *f->unit ? " " : "", f->unit, low, high);
}

guint
mt_findings_count_abnormal (GPtrArray *findings)
{
  guint n = 0;
  for (guint i = 0; i < findings->len; i++)
    n += ((MtFinding *) findings->pdata[i])->status != MT_FINDING_NORMAL;
  return n;
}

JsonNode *
mt_findings_to_json (GPtrArray *findings)
{
  static const char *status[] = { "normal", "low", "high" };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "disclaimer");
  json_builder_add_string_value (b, "Decision support, not a diagnosis.");
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < findings->len; i++)
    {
      const MtFinding *f = findings->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, f->key);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, f->value);
      json_builder_set_member_name (b, "low");
      json_builder_add_double_value (b, f->low);
      json_builder_set_member_name (b, "high");
      json_builder_add_double_value (b, f->high);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, f->unit);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status[f->status]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
