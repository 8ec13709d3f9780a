/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cli-common.h"
#include "cli-ecg.h"
#include "mt-ecg.h"

int
mt_cli_ecg (int argc, char **argv)
{
  gboolean json = FALSE;
  int lead = 1;
  g_autofree char *reference = NULL, *csv = NULL;
  GOptionEntry entries[] = {
    { "lead", 0, 0, G_OPTION_ARG_INT, &lead, N_("The lead to find the beats in, from 1 (default: the first)"), "N" },
    { "reference", 0, 0, G_OPTION_ARG_FILENAME, &reference,
      N_("Reference beats (a WFDB annotation file such as 100.atr): score the detection beat by beat"), "ANNOTATIONS" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, N_("Write the leads as CSV (time in seconds, mV)"), "OUT.csv" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv,
                             _("RECORD — the R-peaks and heart rate of an ECG (a WFDB record without .hea, a DICOM "
                               "waveform or CSV)"), entries))
    return 2;
  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli ecg RECORD [--lead N] [--reference ANNOTATIONS] [--csv OUT.csv] "
                            "[--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtEcg) ecg = mt_ecg_read (argv[1], &error);
  if (ecg == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  if (lead < 1 || (guint) lead > ecg->n_leads)
    {
      g_printerr (_("medtwin-cli: %s has leads 1 to %u, not %d.\n"), argv[1], ecg->n_leads, lead);
      return 2;
    }
  gint64 t0 = g_get_monotonic_time ();
  mt_ecg_detect_qrs (ecg, (guint) lead - 1);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  double hr = mt_ecg_mean_heart_rate (ecg);
  double se = 0, ppv = 0;
  g_autoptr (GArray) beats = NULL;
  if (reference != NULL)
    {
      beats = mt_ecg_read_beats (reference, &error);
      if (beats == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
      mt_ecg_score (beats, ecg->r_peaks, ecg->sampling_rate_hz, 0.15, &se, &ppv);
    }
  if (csv != NULL)
    {
      g_autoptr (GString) s = g_string_new ("time_s");
      for (guint l = 0; l < ecg->n_leads; l++)
        {
          g_autofree char *name = g_strdelimit (g_strdup (ecg->lead_names[l]), ",", ' ');
          g_string_append_printf (s, ",%s", name);
        }
      g_string_append_c (s, '\n');
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      for (gsize i = 0; i < ecg->n_samples; i++)
        {
          g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.6f", i / ecg->sampling_rate_hz));
          for (guint l = 0; l < ecg->n_leads; l++)
            {
              g_string_append_c (s, ',');
              g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.5f", ecg->mv[(gsize) l * ecg->n_samples + i]));
            }
          g_string_append_c (s, '\n');
        }
      if (!g_file_set_contents (csv, s->str, (gssize) s->len, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  if (!json)
    {
      g_print (_("%u beats in %.1f s at %g Hz: %.1f beats a minute\n"), ecg->r_peaks->len,
               ecg->n_samples / ecg->sampling_rate_hz, ecg->sampling_rate_hz, hr);
      if (beats != NULL)
        g_print (_("Against %u reference beats: sensitivity %.2f%%, positive predictivity %.2f%%\n"), beats->len,
                 100 * se, 100 * ppv);
      return 0;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sampling_rate_hz");
  json_builder_add_double_value (b, ecg->sampling_rate_hz);
  json_builder_set_member_name (b, "n_samples");
  json_builder_add_int_value (b, (gint64) ecg->n_samples);
  json_builder_set_member_name (b, "leads");
  json_builder_begin_array (b);
  for (guint l = 0; l < ecg->n_leads; l++)
    json_builder_add_string_value (b, ecg->lead_names[l]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "lead");
  json_builder_add_int_value (b, lead);
  json_builder_set_member_name (b, "heart_rate_bpm");
  json_builder_add_double_value (b, hr);
  json_builder_set_member_name (b, "detect_ms");
  json_builder_add_double_value (b, ms);
  if (beats != NULL)
    {
      json_builder_set_member_name (b, "reference_beats");
      json_builder_add_int_value (b, beats->len);
      json_builder_set_member_name (b, "sensitivity");
      json_builder_add_double_value (b, se);
      json_builder_set_member_name (b, "positive_predictivity");
      json_builder_add_double_value (b, ppv);
    }
  json_builder_set_member_name (b, "r_peaks");
  json_builder_begin_array (b);
  for (guint i = 0; i < ecg->r_peaks->len; i++)
    json_builder_add_int_value (b, g_array_index (ecg->r_peaks, guint32, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  mt_cli_print_json (b);
  return 0;
}
