/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* medtwin-cli anatomy LABELS: the organs as a graph (place, size, contacts, ports). */
int mt_cli_anatomy (int argc, char **argv);
