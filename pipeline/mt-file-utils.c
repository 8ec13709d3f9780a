/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-file-utils"

#include "config.h"

#include <glib/gstdio.h>

#include "mt-file-utils.h"

gboolean
mt_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          mt_remove_tree (child);
        }
      return g_rmdir (path) == 0;
    }
  return g_unlink (path) == 0;
}
