/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

int mt_cli_register (int argc, char **argv);
int mt_cli_resample (int argc, char **argv);
int mt_cli_transform (int argc, char **argv);
int mt_cli_follow_up (int argc, char **argv);
int mt_cli_crop (int argc, char **argv);
