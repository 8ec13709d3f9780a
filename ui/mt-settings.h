/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* MedTwin's remembered settings (org.medtwin.MedTwin), kept in a key file:
 * $MEDTWIN_SETTINGS if set (empty: nothing is remembered), else
 * ~/.config/medtwin/settings.ini. The schema comes from the installed ones,
 * or from the build tree when MedTwin runs from there. NULL, with a message
 * once, when no schema is found: MedTwin then runs on its defaults. */
GSettings *mt_settings_new (void);

G_END_DECLS
