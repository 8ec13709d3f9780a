/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

int mt_cli_segment (int argc, char **argv);
