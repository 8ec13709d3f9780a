/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The first waveform of a DICOM waveform object (a 12-lead ECG, say) as a C
 * view, over a C++ shim on DCMTK (mt-dicom-waveform.cc): no exception or
 * DCMTK condition crosses it; failures come back as GErrors naming the file. */

#include "mt-ecg.h"

G_BEGIN_DECLS

/* Every channel in mV (sensitivity, its correction and baseline applied;
 * microvolts and volts converted), named after its source (Lead I...). */
MtEcg *mt_dicom_read_waveform (const char  *path,
                               GError     **error);

G_END_DECLS
