/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

/* One ECG lead in mV with the R-peaks known or detected in it. */
struct _MtEcg
{
  double  sampling_rate_hz;
  gsize   n_samples;
  float  *mv;
  GArray *r_peaks;        /* guint32 sample indices */
};

/* ECGSYN (McSharry et al., IEEE TBME 2003): a 3-D dynamical model whose
 * trajectory on a limit cycle traces P, Q, R, S and T waves, driven by an RR
 * tachogram with respiratory (0.25 Hz) and Mayer (0.1 Hz) variability. The
 * R-peaks returned are where the generated signal peaks, beat by beat. */
MtEcg   *mt_ecg_synthesize (double       duration_s,
                            double       sampling_rate_hz,
                            double       heart_rate_bpm,
                            guint32      seed);
double   mt_ecg_mean_heart_rate (const MtEcg *ecg);
gboolean mt_ecg_write_csv  (const MtEcg *ecg,
                            const char  *path,
                            GError     **error);
void     mt_ecg_free       (MtEcg       *ecg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtEcg, mt_ecg_free)

G_END_DECLS
