/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the window tests share: a display or a skip, settings and kept
 * measurements of their own, the main loop turned by hand, and no failure
 * for the missing session bus under xvfb-run. */

#include <gtk/gtk.h>
#include <string.h>

#include "mt-i18n.h"

static inline void
mt_test_pump (int rounds)
{
  for (int t = 0; t < rounds; t++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

/* TRUE if there is a display; otherwise the test is skipped, saying why. */
static inline gboolean
mt_test_have_display (void)
{
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    return TRUE;
  g_test_skip ("no display: run the suite through ./test.sh (it uses xvfb-run)");
  return FALSE;
}

/* Settings and measurements kept in dir, not the user's. */
static inline void
mt_test_gui_keep_in (const char *dir)
{
  g_autofree char *settings = g_build_filename (dir, "settings.ini", NULL);
  g_setenv ("MEDTWIN_SETTINGS", settings, TRUE);
  g_autofree char *measurements = g_build_filename (dir, "measurements", NULL);
  g_setenv ("MEDTWIN_MEASUREMENTS", measurements, TRUE);
}

/* Under xvfb-run there is no D-Bus session: GTK says so, and that is no
 * failure of the views. Everything else stays fatal. */
static inline gboolean
mt_test_fatal_unless_no_bus (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  return strstr (message, "session bus") == NULL;
}

static inline void
mt_test_gui_init (int *argc, char ***argv)
{
  /* No accessibility bus under xvfb-run: GTK would warn, and warnings are
   * fatal in tests. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  mt_i18n_init ();
  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (mt_test_fatal_unless_no_bus, NULL);
}
