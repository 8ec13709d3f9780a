/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a file, or a folder and everything in it; links are removed, never
 * followed. TRUE when nothing is left at path. */
gboolean mt_remove_tree (const char *path);

G_END_DECLS
