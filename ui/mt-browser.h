/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "mt-window.h"

G_BEGIN_DECLS

/* The patient library: search, sort, import folders, and open a series
 * (double-click) in the main window. */
#define MT_TYPE_BROWSER (mt_browser_get_type ())
G_DECLARE_FINAL_TYPE (MtBrowser, mt_browser, MT, BROWSER, GtkWindow)

MtBrowser *mt_browser_new        (MtWindow   *main_window);
void       mt_browser_import     (MtBrowser  *self,
                                  const char *path);
guint      mt_browser_n_series   (MtBrowser  *self);

G_END_DECLS
