/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-ecg.h"
#include "mt-physiology.h"

G_BEGIN_DECLS

/* The running twin: the physiology engine on its own clock, beaten either at
 * its own rate or at the R-peaks of a real ECG (played in a loop), with the
 * recent past kept for plots and for scrubbing back in time. No GUI: the
 * window and medtwin-cli drive it alike. */
typedef struct _MtTwin MtTwin;

/* One moment of the twin, all that the plots and the animation need. */
typedef struct
{
  double t;                  /* s on the twin's clock */
  float  ecg_mv;             /* the ECG's first lead (or lead II), or the model's own */
  float  p_ao, p_lv, p_pa;   /* mmHg */
  float  v_lv, v_rv;         /* mL */
  float  ed_ml;              /* both ventricles together at the last end-diastole */
  float  q_av;               /* aortic flow, mL/s */
  float  lung_l;             /* the lungs' volume above rest, L */
  float  lung_mean_l;        /* its mean over the last breath */
  float  heart_rate_bpm;
  float  beat_phase;         /* 0 at the R wave, 1 at the next */
} MtTwinSample;

/* Starts the model from params and lets it settle for 15 s before the
 * twin's clock starts at 0. */
MtTwin        *mt_twin_new            (const MtPhysioParams *params);
void           mt_twin_free           (MtTwin               *twin);
/* The engine, for its parameters (contractility, resistance, rates) to be
 * changed while it runs. */
MtPhysio      *mt_twin_get_physio     (MtTwin               *twin);
/* Beats at the model's own rate from now on (no ECG). */
void           mt_twin_set_heart_rate (MtTwin               *twin,
                                       double                bpm);
/* Beats at ecg's R-peaks from now on, played in a loop from its first R-peak
 * to its last; R-peaks are detected if the record has none. Takes ecg.
 * Refused (and ecg freed) without at least two R-peaks. */
gboolean       mt_twin_set_ecg        (MtTwin               *twin,
                                       MtEcg                *ecg,
                                       GError              **error);
const MtEcg   *mt_twin_get_ecg        (MtTwin               *twin);
/* Moves the clock on by seconds, in steps of 1 ms. */
void           mt_twin_advance        (MtTwin               *twin,
                                       double                seconds);
double         mt_twin_get_time       (MtTwin               *twin);
void           mt_twin_get_now        (MtTwin               *twin,
                                       MtTwinSample         *sample);
/* The past kept: every 5 ms over the last 30 s. */
void           mt_twin_get_span       (MtTwin               *twin,
                                       double               *from,
                                       double               *to);
/* The moment nearest t within the span (clamped to it). */
void           mt_twin_sample_at      (MtTwin               *twin,
                                       double                t,
                                       MtTwinSample         *sample);
/* The kept moments from t0 to t1, oldest first, into out (MtTwinSample). */
void           mt_twin_history        (MtTwin               *twin,
                                       double                t0,
                                       double                t1,
                                       GArray               *out);

/* The vital figures of the last seconds kept (at least two whole beats):
 * pressures, volumes, ejection fraction, output, the rate from the beats
 * counted and the breath's depth. FALSE if fewer than two beats fell in. */
gboolean       mt_twin_summarize      (MtTwin               *twin,
                                       double                seconds,
                                       MtPhysioSummary      *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtTwin, mt_twin_free)

G_END_DECLS
