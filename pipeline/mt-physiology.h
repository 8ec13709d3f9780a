/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-progress.h"

G_BEGIN_DECLS

/* A closed-loop lumped model of the circulation and the breath: left and
 * right ventricles of time-varying elastance, four valves, three-element
 * Windkessels for the systemic and pulmonary arteries, venous compliances
 * returning the blood; a single-compartment lung (compliance and airway
 * resistance) driven by the breathing muscles. Pressures in mmHg, volumes
 * in mL, flows in mL/s (the lung: L and cmH2O). */
typedef struct
{
  double heart_rate_bpm;
  double respiratory_rate_per_min;
  /* Left and right ventricles: end-systolic and diastolic elastance
   * (mmHg/mL) and unstressed volume (mL). */
  double lv_emax, lv_emin, lv_v0;
  double rv_emax, rv_emin, rv_v0;
  /* Systemic: aortic characteristic impedance, arterial compliance,
   * peripheral resistance, venous compliance; pulmonary alike. */
  double z_ao, c_sa, r_sys, c_sv;
  double z_pa, c_pa, r_pul, c_pv;
  /* Valves (open): mitral, aortic, tricuspid, pulmonary (mmHg s/mL). */
  double r_mv, r_av, r_tv, r_pv;
  double stressed_volume_ml;     /* the blood that stretches the vessels */
  /* Lung: compliance (L/cmH2O), airway resistance (cmH2O s/L), the
   * muscles' peak pressure (cmH2O), share of the breath spent inspiring. */
  double lung_compliance, airway_resistance, muscle_pressure, inspiration_share;
} MtPhysioParams;

/* The resting adult (heart rate 75, 14 breaths a minute); the sources of
 * each value are in the README's table. */
void     mt_physio_params_default (MtPhysioParams       *params);
/* Contractility multiplies both ventricles' end-systolic elastance;
 * resistance multiplies the systemic vascular resistance. */
void     mt_physio_params_scale   (MtPhysioParams       *params,
                                   double                contractility,
                                   double                resistance);

/* The state at one instant. */
typedef struct
{
  double t;                                  /* s */
  double v_lv, v_rv, v_sa, v_sv, v_pa, v_pv;  /* mL, stressed */
  double p_lv, p_rv, p_ao, p_sa, p_sv, p_pa, p_pv;
  double q_mv, q_av, q_tv, q_pv;             /* valve flows, mL/s */
  double lung_volume_l, lung_flow_l_s;
  double beat_phase, breath_phase;           /* 0..1 */
  double since_beat;                         /* s since the beat began */
  guint  beats;
} MtPhysioState;

typedef struct _MtPhysio MtPhysio;

MtPhysio            *mt_physio_new        (const MtPhysioParams *params);
void                 mt_physio_free       (MtPhysio             *physio);
/* Advances by seconds (in fixed steps of 1 ms). */
void                 mt_physio_advance    (MtPhysio             *physio,
                                           double                seconds);
/* The next beat starts now (an R-peak of a real ECG); the heart rate
 * follows the interval since the last one. */
void                 mt_physio_beat_now   (MtPhysio             *physio);
void                 mt_physio_set_heart_rate (MtPhysio         *physio,
                                               double            bpm);
const MtPhysioState *mt_physio_get_state  (MtPhysio             *physio);
MtPhysioParams      *mt_physio_get_params (MtPhysio             *physio);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtPhysio, mt_physio_free)

/* Steady state, over the last beats and breaths of a run. */
typedef struct
{
  double heart_rate_bpm;
  double systolic_mmHg, diastolic_mmHg, mean_arterial_mmHg;
  double end_diastolic_ml, end_systolic_ml, stroke_volume_ml, ejection_fraction, cardiac_output_l_min;
  double pulmonary_systolic_mmHg, pulmonary_diastolic_mmHg, central_venous_mmHg;
  double respiratory_rate_per_min, tidal_volume_l;
  double realtime_factor;        /* simulated seconds per second of computing */
} MtPhysioSummary;

/* The per-beat sums of systolic and diastolic pressure, end-diastolic and
 * end-systolic volume, pulmonary systolic and diastolic pressure over beats
 * into their means, with stroke volume, ejection fraction and output. */
void     mt_physio_summary_from_beats (MtPhysioSummary *summary,
                                       const double     sums[6],
                                       guint            beats,
                                       double           heart_rate_bpm);
/* Runs the model for seconds (at least 20: it settles in about 10), and
 * sums up the last 5 seconds. */
gboolean mt_physio_run            (const MtPhysioParams *params,
                                   double                seconds,
                                   MtPhysioSummary      *summary,
                                   MtProgress           *progress,
                                   GCancellable         *cancellable,
                                   GError              **error);

G_END_DECLS
