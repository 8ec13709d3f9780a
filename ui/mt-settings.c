/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-settings"
#define G_SETTINGS_ENABLE_BACKEND

#include "config.h"

#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "mt-settings.h"

static GSettingsSchema *
find_schema (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  GSettingsSchema *schema = installed ? g_settings_schema_source_lookup (installed, APP_ID, TRUE) : NULL;
  const char *dirs[] = { SCHEMADIR, BUILD_SCHEMADIR };
  for (guint i = 0; schema == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *compiled = g_build_filename (dirs[i], "gschemas.compiled", NULL);
      if (!g_file_test (compiled, G_FILE_TEST_EXISTS))
        continue;
      GSettingsSchemaSource *source = g_settings_schema_source_new_from_directory (dirs[i], installed, FALSE, NULL);
      if (source == NULL)
        continue;
      schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
      g_settings_schema_source_unref (source);
    }
  return schema;
}

GSettings *
mt_settings_new (void)
{
  g_autoptr (GSettingsSchema) schema = find_schema ();
  if (schema == NULL)
    {
      static gboolean told;
      if (!told)
        g_message ("The settings schema %s is not installed: layout and presets will not be remembered", APP_ID);
      told = TRUE;
      return NULL;
    }
  const char *file = g_getenv ("MEDTWIN_SETTINGS");
  g_autofree char *path = NULL;
  g_autoptr (GSettingsBackend) backend = NULL;
  if (file != NULL && *file == '\0')
    backend = g_memory_settings_backend_new ();
  else
    {
      path = file ? g_strdup (file) : g_build_filename (g_get_user_config_dir (), "medtwin", "settings.ini", NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      g_mkdir_with_parents (dir, 0700);
      backend = g_keyfile_settings_backend_new (path, "/org/medtwin/MedTwin/", "medtwin");
    }
  return g_settings_new_full (schema, backend, NULL);
}
