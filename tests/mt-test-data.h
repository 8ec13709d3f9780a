/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Real data lives outside the repository (../shared/data) and in Debian's
 * python3-pydicom; a test that needs it skips, saying why, when it is absent. */

#include <glib.h>

#include "config.h"

#define PYDICOM_DIR "/usr/lib/python3/dist-packages/pydicom/data/test_files"

static inline char *
mt_test_data_path (const char *first, ...)
{
  const char *root = g_getenv ("MEDTWIN_DATA");
  if (root == NULL)
    root = SOURCE_DATADIR;
  va_list args;
  va_start (args, first);
  GString *s = g_string_new (root);
  for (const char *p = first; p != NULL; p = va_arg (args, const char *))
    {
      g_string_append_c (s, G_DIR_SEPARATOR);
      g_string_append (s, p);
    }
  va_end (args);
  char *path = g_string_free (s, FALSE);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("real data not found at %s (see ../shared/data/README.md)", path);
      g_test_skip (msg);
      g_free (path);
      return NULL;
    }
  return path;
}

static inline char *
mt_test_pydicom_path (const char *name)
{
  char *path = g_build_filename (PYDICOM_DIR, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("python3-pydicom's test files are not installed");
      g_free (path);
      return NULL;
    }
  return path;
}
