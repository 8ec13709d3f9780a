/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cli-common.h"
#include "mt-findings.h"

gboolean
mt_cli_parse_options (int                *argc,
                      char             ***argv,
                      const char         *parameter_string,
                      const GOptionEntry *entries)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (parameter_string);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
mt_cli_parse_numbers (const char *text,
                      double     *out,
                      int         n)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != (guint) n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      char *end = NULL;
      out[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (out[i]))
        return FALSE;
    }
  return TRUE;
}

void
mt_cli_show_progress (double      fraction,
                      const char *message,
                      gpointer    data)
{
  if (!GPOINTER_TO_INT (data))
    g_printerr ("\r%3.0f%% %s", 100 * fraction, message ? _(message) : "");
}

void
mt_cli_print_json_node (JsonNode *root)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

void
mt_cli_print_json (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  mt_cli_print_json_node (root);
}

void
mt_cli_print_findings (GPtrArray *findings)
{
  if (mt_findings_count_abnormal (findings) == 0)
    return;
  g_print ("%s\n", _("Out of the usual range (decision support, not a diagnosis):"));
  for (guint i = 0; i < findings->len; i++)
    {
      const MtFinding *f = findings->pdata[i];
      g_autofree char *line = f->status != MT_FINDING_NORMAL ? mt_finding_to_string (f) : NULL;
      if (line != NULL)
        g_print ("  %s\n", line);
    }
}
