/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Follows the system language; an uninstalled build finds its own catalogues. */
void mt_i18n_init (void);

G_END_DECLS
