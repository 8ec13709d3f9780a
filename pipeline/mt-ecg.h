/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-types.h"

G_BEGIN_DECLS

#define MT_ECG_ERROR (mt_ecg_error_quark ())
typedef enum
{
  MT_ECG_ERROR_READ,
  MT_ECG_ERROR_FORMAT,      /* not a record this reader knows, or a damaged one */
} MtEcgError;
GQuark mt_ecg_error_quark (void);

/* ECG leads in mV, sampled together, with the R-peaks known or detected
 * in the first. */
struct _MtEcg
{
  double  sampling_rate_hz;
  gsize   n_samples;
  guint   n_leads;
  char  **lead_names;     /* n_leads, NULL-terminated */
  float  *mv;             /* lead after lead: lead l at mv + l * n_samples */
  GArray *r_peaks;        /* guint32 sample indices */
};

/* A record by its path: a WFDB record (the path without .hea, or the .hea
 * itself; formats 212 and 16), a DICOM waveform (12-lead ECG) or CSV (a
 * time column in seconds, then one column a lead in mV). Damaged or
 * unknown records are refused with what is wrong. */
MtEcg   *mt_ecg_read       (const char  *path,
                            GError     **error);
/* The R-peaks of a lead by Pan and Tompkins' detector (band-pass 5-15 Hz,
 * derivative, square, 150 ms integration, adaptive thresholds with search
 * back and T-wave rejection), each at the R wave's extreme; they replace
 * ecg->r_peaks. */
void     mt_ecg_detect_qrs (MtEcg       *ecg,
                            guint        lead);
/* The beats of a WFDB annotation file (MIT format, e.g. 100.atr): sample
 * indices of every QRS annotation (normal, bundle branch, premature,
 * escape, paced, fusion, unclassified). */
GArray  *mt_ecg_read_beats (const char  *path,
                            GError     **error);
/* Beat by beat: the detected peaks matched to the reference within window
 * seconds (each used once): sensitivity and positive predictivity (0-1). */
void     mt_ecg_score      (const GArray *reference,
                            const GArray *detected,
                            double        sampling_rate_hz,
                            double        window_s,
                            double       *sensitivity,
                            double       *positive_predictivity);

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
