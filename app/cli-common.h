/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Parses a command's options; on a mistake prints why and returns FALSE
 * (the command then exits with status 2). */
gboolean mt_cli_parse_options (int                *argc,
                               char             ***argv,
                               const char         *parameter_string,
                               const GOptionEntry *entries);

/* "a,b,c": exactly n finite numbers, or FALSE. */
gboolean mt_cli_parse_numbers (const char         *text,
                               double             *out,
                               int                 n);

/* An MtProgress callback printing the stage and percentage on stderr;
 * data is GINT_TO_POINTER (TRUE) to stay quiet. */
void     mt_cli_show_progress (double              fraction,
                               const char         *message,
                               gpointer            data);

/* Prints what the builder holds (or a node) as indented JSON on stdout. */
void     mt_cli_print_json    (JsonBuilder        *builder);
void     mt_cli_print_json_node (JsonNode         *root);
/* The findings out of their usual range, one a line, as decision support
 * (GPtrArray of MtFinding). */
void     mt_cli_print_findings (GPtrArray         *findings);
