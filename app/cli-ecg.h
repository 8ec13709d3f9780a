/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* medtwin-cli ecg RECORD: read an ECG, find its R-peaks, the heart rate. */
int mt_cli_ecg (int argc, char **argv);
