/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* medtwin-cli physio: the circulation and breath model's steady state. */
int mt_cli_physio (int argc, char **argv);
