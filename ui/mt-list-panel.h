/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The list at the top of a side panel: a dim placeholder (empty_text,
 * wrapped at empty_chars) to show while it is empty, then a list box with
 * no selection in a window that scrolls past max_height pixels; both
 * appended to box. width: the list's width, or -1. Returns the list box;
 * *empty the placeholder. */
GtkWidget *mt_list_panel_add (GtkBox     *box,
                              const char *empty_text,
                              int         empty_chars,
                              int         max_height,
                              int         width,
                              GtkWidget **empty);

/* A side panel's message line (wrapped at max_chars, hidden while empty),
 * appended to box; and what it says (NULL or "" hides it). */
GtkWidget *mt_list_panel_add_message  (GtkBox     *box,
                                       int         max_chars);
void       mt_list_panel_show_message (GtkWidget  *message,
                                       const char *text);

G_END_DECLS
