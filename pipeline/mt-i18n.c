/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-i18n"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "mt-i18n.h"

void
mt_i18n_init (void)
{
  setlocale (LC_ALL, "");
  /* Running from the build tree (./run.sh) the catalogues are not installed
   * yet; the ones meson built sit in build/po. */
  g_autofree char *installed = g_build_filename (LOCALEDIR, "zh_CN", "LC_MESSAGES",
                                                 GETTEXT_PACKAGE ".mo", NULL);
  const char *dir = LOCALEDIR;
  const char *env = g_getenv ("MEDTWIN_LOCALEDIR");
  if (env != NULL)
    dir = env;
  else if (!g_file_test (installed, G_FILE_TEST_EXISTS) && g_file_test (BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
    dir = BUILD_LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
