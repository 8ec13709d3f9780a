/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-list-panel"

#include "config.h"

#include "mt-list-panel.h"

GtkWidget *
mt_list_panel_add (GtkBox     *box,
                   const char *empty_text,
                   int         empty_chars,
                   int         max_height,
                   int         width,
                   GtkWidget **empty)
{
  *empty = gtk_label_new (empty_text);
  gtk_label_set_wrap (GTK_LABEL (*empty), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (*empty), empty_chars);
  gtk_widget_add_css_class (*empty, "dim-label");
  gtk_box_append (box, *empty);
  GtkWidget *list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  if (width > 0)
    gtk_widget_set_size_request (list, width, -1);
  GtkWidget *scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroll), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroll), max_height);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), list);
  gtk_box_append (box, scroll);
  return list;
}

GtkWidget *
mt_list_panel_add_message (GtkBox *box,
                           int     max_chars)
{
  GtkWidget *message = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_selectable (GTK_LABEL (message), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (message), max_chars);
  gtk_widget_set_visible (message, FALSE);
  gtk_box_append (box, message);
  return message;
}

void
mt_list_panel_show_message (GtkWidget  *message,
                            const char *text)
{
  gtk_label_set_text (GTK_LABEL (message), text ? text : "");
  gtk_widget_set_visible (message, text != NULL && *text);
}
