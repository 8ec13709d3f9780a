/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cli-common.h"
#include "cli-physio.h"
#include "mt-findings.h"
#include "mt-physiology.h"

static void
member (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

int
mt_cli_physio (int argc, char **argv)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  double hr = p.heart_rate_bpm, rr = p.respiratory_rate_per_min, contractility = 1, resistance = 1, seconds = 30;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "hr", 0, 0, G_OPTION_ARG_DOUBLE, &hr, N_("Heart rate, beats a minute (default 75)"), "N" },
    { "contractility", 0, 0, G_OPTION_ARG_DOUBLE, &contractility,
      N_("Both ventricles' contractility, times the resting one (default 1)"), "X" },
    { "resistance", 0, 0, G_OPTION_ARG_DOUBLE, &resistance,
      N_("Systemic vascular resistance, times the resting one (default 1)"), "X" },
    { "rr", 0, 0, G_OPTION_ARG_DOUBLE, &rr, N_("Breaths a minute (default 14)"), "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, N_("Seconds to simulate (default 30, at least 20)"), "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("— the heart, circulation and breath of a resting adult, in steady state"),
                             entries))
    return 2;
  if (argc != 1)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli physio [--hr N] [--contractility X] [--resistance X] [--rr N] "
                            "[--seconds S] [--json]"));
      return 2;
    }
  p.heart_rate_bpm = hr;
  p.respiratory_rate_per_min = rr;
  mt_physio_params_scale (&p, contractility, resistance);
  MtPhysioSummary s;
  g_autoptr (GError) error = NULL;
  if (!(contractility > 0 && resistance > 0) || !mt_physio_run (&p, seconds, &s, NULL, NULL, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error ? error->message : _("contractility and resistance must be above 0."));
      return 2;
    }
  g_autoptr (GPtrArray) findings = mt_findings_compute (NULL, &s);
  if (!json)
    {
      g_print (_("%.0f beats a minute: %.0f/%.0f mmHg, stroke volume %.0f mL, ejection fraction %.0f%%, cardiac "
                 "output %.2f L/min; %.0f breaths a minute of %.2f L\n"), s.heart_rate_bpm, s.systolic_mmHg,
               s.diastolic_mmHg, s.stroke_volume_ml, 100 * s.ejection_fraction, s.cardiac_output_l_min,
               s.respiratory_rate_per_min, s.tidal_volume_l);
      mt_cli_print_findings (findings);
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  member (b, "heart_rate_bpm", s.heart_rate_bpm);
  member (b, "systolic_mmHg", s.systolic_mmHg);
  member (b, "diastolic_mmHg", s.diastolic_mmHg);
  member (b, "stroke_volume_mL", s.stroke_volume_ml);
  member (b, "ejection_fraction", s.ejection_fraction);
  member (b, "cardiac_output_L_min", s.cardiac_output_l_min);
  member (b, "respiratory_rate_per_min", s.respiratory_rate_per_min);
  member (b, "tidal_volume_L", s.tidal_volume_l);
  member (b, "mean_arterial_mmHg", s.mean_arterial_mmHg);
  member (b, "end_diastolic_volume_mL", s.end_diastolic_ml);
  member (b, "end_systolic_volume_mL", s.end_systolic_ml);
  member (b, "pulmonary_systolic_mmHg", s.pulmonary_systolic_mmHg);
  member (b, "pulmonary_diastolic_mmHg", s.pulmonary_diastolic_mmHg);
  member (b, "central_venous_mmHg", s.central_venous_mmHg);
  member (b, "contractility", contractility);
  member (b, "resistance", resistance);
  member (b, "simulated_s", seconds);
  member (b, "realtime_factor", s.realtime_factor);
  json_builder_set_member_name (b, "findings");
  json_builder_add_value (b, mt_findings_to_json (findings));
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}
