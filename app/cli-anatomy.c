/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cli-anatomy.h"
#include "cli-common.h"
#include "mt-anatomy.h"
#include "mt-findings.h"
#include "mt-segmentation.h"
#include "mt-series.h"
#include "mt-volume.h"

int
mt_cli_anatomy (int argc, char **argv)
{
  g_autofree char *table = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "table", 0, 0, G_OPTION_ARG_FILENAME, &table,
      N_("The label map's names and values as JSON (default: labels.json beside it)"), "TABLE.json" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("LABELS — the organs of a label map as a graph: where they lie, their "
                                             "volumes, which touch, the inputs each takes"), entries))
    return 2;
  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli anatomy LABELS.nii[.gz] [--table TABLE.json] [--json]"));
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (argv[1]);
  g_autofree char *beside = g_build_filename (dir, "labels.json", NULL);
  const char *names_path = table ? table : beside;
  g_autoptr (GHashTable) names = NULL;
  if (table != NULL || g_file_test (beside, G_FILE_TEST_EXISTS))
    {
      names = mt_segmentation_read_names (names_path, &error);
      if (names == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
    }
  g_autoptr (MtVolume) labels = mt_series_read_volume (argv[1], NULL, NULL, &error);
  g_autoptr (MtAnatomy) anatomy = labels ? mt_anatomy_from_labels (labels, names, &error) : NULL;
  if (anatomy == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  /* The organs' volumes against their usual ranges. */
  g_autoptr (GPtrArray) findings = mt_findings_compute (anatomy, NULL);
  if (json)
    {
      g_autoptr (JsonNode) root = mt_anatomy_to_json (anatomy);
      json_object_set_member (json_node_get_object (root), "findings", mt_findings_to_json (findings));
      mt_cli_print_json_node (root);
      return 0;
    }
  for (guint i = 0; i < anatomy->nodes->len; i++)
    {
      const MtAnatomyNode *n = &g_array_index (anatomy->nodes, MtAnatomyNode, i);
      g_print (_("%s: %.1f mL at (%.0f, %.0f, %.0f) mm\n"), n->name, n->volume_ml, n->centroid[0], n->centroid[1],
               n->centroid[2]);
    }
  g_print (_("%u organs, %u contacts\n"), anatomy->nodes->len, anatomy->edges->len);
  mt_cli_print_findings (findings);
  return 0;
}
