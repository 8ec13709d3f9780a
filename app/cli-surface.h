/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

int mt_cli_surface (int argc, char **argv);
int mt_cli_mesh (int argc, char **argv);
int mt_cli_mesh_distance (int argc, char **argv);
