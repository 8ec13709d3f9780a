/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The circulation and the breath as a closed loop of lumped compartments,
 * stepped by fourth-order Runge-Kutta at 1 kHz (as at 2 kHz within 0.03%):
 * steady for the valves' fast time constants, far faster than real time. */
#define G_LOG_DOMAIN "mt-physiology"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "mt-physiology.h"

#define DT 0.001

void
mt_physio_params_default (MtPhysioParams *p)
{
  *p = (MtPhysioParams) {
    .heart_rate_bpm = 75,
    .respiratory_rate_per_min = 14,
    .lv_emax = 2.9, .lv_emin = 0.07, .lv_v0 = 10,
    .rv_emax = 0.55, .rv_emin = 0.04, .rv_v0 = 10,
    .z_ao = 0.04, .c_sa = 1.9, .r_sys = 0.92, .c_sv = 60,
    .z_pa = 0.02, .c_pa = 4.0, .r_pul = 0.08, .c_pv = 15,
    .r_mv = 0.005, .r_av = 0.005, .r_tv = 0.005, .r_pv = 0.005,
    .stressed_volume_ml = 850,
    .lung_compliance = 0.1, .airway_resistance = 2.5, .muscle_pressure = 5.5, .inspiration_share = 0.4,
  };
}

void
mt_physio_params_scale (MtPhysioParams *p,
                        double          contractility,
                        double          resistance)
{
  p->lv_emax *= contractility;
  p->rv_emax *= contractility;
  p->r_sys *= resistance;
}

struct _MtPhysio
{
  MtPhysioParams p;
  MtPhysioState  s;
  double         since_beat, since_breath;   /* s */
  double         rr;                          /* the current beat's length, s */
  gboolean       external;                    /* beats come from outside (an ECG) */
};

/* The ventricles' activation over a beat of rr seconds: rising for 0.3
 * sqrt (rr) seconds, relaxing for half that (Bazett's scaling of systole). */
static double
activation (double t, double rr)
{
  double t1 = 0.3 * sqrt (rr), t2 = t1 + 0.15 * sqrt (rr);
  if (t >= t2)
    return 0;
  if (t < t1)
    return 0.5 * (1 - cos (G_PI * t / t1));
  return 0.5 * (1 + cos (G_PI * (t - t1) / (t2 - t1)));
}

/* The breathing muscles' pressure: a half sine through inspiration, none
 * through (passive) expiration. */
static double
muscles (const MtPhysioParams *p, double t)
{
  double breath = 60.0 / p->respiratory_rate_per_min, ti = p->inspiration_share * breath;
  t = fmod (t, breath);
  return t < ti ? p->muscle_pressure * sin (G_PI * t / ti) : 0;
}

enum { LV, SA, SV, RV, PA, PV, LUNG, N_STATE };

typedef struct
{
  double p_lv, p_rv, p_sa, p_sv, p_pa, p_pv, p_ao;
  double q_mv, q_av, q_sys, q_tv, q_pv, q_pul, q_lung;
} Flows;

static void
flows (const MtPhysioParams *p, const double *y, double since_beat, double rr, double since_breath, Flows *f)
{
  double e = activation (since_beat, rr);
  f->p_lv = (p->lv_emin + (p->lv_emax - p->lv_emin) * e) * (y[LV] - p->lv_v0);
  f->p_rv = (p->rv_emin + (p->rv_emax - p->rv_emin) * e) * (y[RV] - p->rv_v0);
  f->p_sa = y[SA] / p->c_sa;
  f->p_sv = y[SV] / p->c_sv;
  f->p_pa = y[PA] / p->c_pa;
  f->p_pv = y[PV] / p->c_pv;
  /* Valves open one way; the characteristic impedances sit in series with
   * the aortic and pulmonary valves. */
  f->q_mv = MAX (0, f->p_pv - f->p_lv) / p->r_mv;
  f->q_av = MAX (0, f->p_lv - f->p_sa) / (p->r_av + p->z_ao);
  f->q_sys = (f->p_sa - f->p_sv) / p->r_sys;
  f->q_tv = MAX (0, f->p_sv - f->p_rv) / p->r_tv;
  f->q_pv = MAX (0, f->p_rv - f->p_pa) / (p->r_pv + p->z_pa);
  f->q_pul = (f->p_pa - f->p_pv) / p->r_pul;
  f->p_ao = f->p_sa + p->z_ao * f->q_av;
  f->q_lung = (muscles (p, since_breath) - y[LUNG] / p->lung_compliance) / p->airway_resistance;
}

static void
derivs (const MtPhysioParams *p, const double *y, double since_beat, double rr, double since_breath, double *dy)
{
  Flows f;
  flows (p, y, since_beat, rr, since_breath, &f);
  dy[LV] = f.q_mv - f.q_av;
  dy[SA] = f.q_av - f.q_sys;
  dy[SV] = f.q_sys - f.q_tv;
  dy[RV] = f.q_tv - f.q_pv;
  dy[PA] = f.q_pv - f.q_pul;
  dy[PV] = f.q_pul - f.q_mv;
  dy[LUNG] = f.q_lung;
}

static void
publish (MtPhysio *m, const double *y)
{
  Flows f;
  flows (&m->p, y, m->since_beat, m->rr, m->since_breath, &f);
  MtPhysioState *s = &m->s;
  s->v_lv = y[LV], s->v_sa = y[SA], s->v_sv = y[SV], s->v_rv = y[RV], s->v_pa = y[PA], s->v_pv = y[PV];
  s->p_lv = f.p_lv, s->p_rv = f.p_rv, s->p_ao = f.p_ao, s->p_sa = f.p_sa, s->p_sv = f.p_sv;
  s->p_pa = f.p_pa, s->p_pv = f.p_pv;
  s->q_mv = f.q_mv, s->q_av = f.q_av, s->q_tv = f.q_tv, s->q_pv = f.q_pv;
  s->lung_volume_l = y[LUNG];
  s->lung_flow_l_s = f.q_lung;
  s->beat_phase = MIN (1.0, m->since_beat / m->rr);
  s->since_beat = m->since_beat;
  double breath = 60.0 / m->p.respiratory_rate_per_min;
  s->breath_phase = fmod (m->since_breath, breath) / breath;
}

MtPhysio *
mt_physio_new (const MtPhysioParams *params)
{
  g_return_val_if_fail (params != NULL, NULL);
  MtPhysio *m = g_new0 (MtPhysio, 1);
  m->p = *params;
  m->rr = 60.0 / m->p.heart_rate_bpm;
  /* The stressed blood shared out by each compartment's usual share; the
   * loop settles to its own balance within a few beats. */
  const double share[6] = { 0.09, 0.15, 0.45, 0.09, 0.07, 0.15 };
  double y[N_STATE];
  for (int k = 0; k < 6; k++)
    y[k] = share[k] * m->p.stressed_volume_ml;
  y[LV] += m->p.lv_v0;
  y[RV] += m->p.rv_v0;
  y[LUNG] = 0;
  publish (m, y);
  return m;
}

void
mt_physio_free (MtPhysio *m)
{
  g_free (m);
}

const MtPhysioState *
mt_physio_get_state (MtPhysio *m)
{
  return &m->s;
}

MtPhysioParams *
mt_physio_get_params (MtPhysio *m)
{
  return &m->p;
}

void
mt_physio_set_heart_rate (MtPhysio *m,
                          double    bpm)
{
  g_return_if_fail (bpm > 0);
  m->p.heart_rate_bpm = bpm;
  m->external = FALSE;
}

void
mt_physio_beat_now (MtPhysio *m)
{
  /* The interval just ended sets the rate; a first or absurd interval
   * (over 4 s, under 0.2 s) keeps the one there was. */
  if (m->since_beat > 0.2 && m->since_beat < 4)
    {
      m->rr = m->since_beat;
      m->p.heart_rate_bpm = 60.0 / m->rr;
    }
  m->since_beat = 0;
  m->s.beats++;
  m->external = TRUE;
}

void
mt_physio_advance (MtPhysio *m,
                   double    seconds)
{
  double y[N_STATE] = { m->s.v_lv, m->s.v_sa, m->s.v_sv, m->s.v_rv, m->s.v_pa, m->s.v_pv, m->s.lung_volume_l };
  long steps = lround (seconds / DT);
  for (long i = 0; i < steps; i++)
    {
      double k1[N_STATE], k2[N_STATE], k3[N_STATE], k4[N_STATE], t[N_STATE];
      const double b = m->since_beat, r = m->since_breath;
      derivs (&m->p, y, b, m->rr, r, k1);
      for (int k = 0; k < N_STATE; k++)
        t[k] = y[k] + 0.5 * DT * k1[k];
      derivs (&m->p, t, b + 0.5 * DT, m->rr, r + 0.5 * DT, k2);
      for (int k = 0; k < N_STATE; k++)
        t[k] = y[k] + 0.5 * DT * k2[k];
      derivs (&m->p, t, b + 0.5 * DT, m->rr, r + 0.5 * DT, k3);
      for (int k = 0; k < N_STATE; k++)
        t[k] = y[k] + DT * k3[k];
      derivs (&m->p, t, b + DT, m->rr, r + DT, k4);
      for (int k = 0; k < N_STATE; k++)
        y[k] += DT / 6 * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]);
      m->since_beat += DT;
      m->since_breath += DT;
      m->s.t += DT;
      /* Paced by its own rate unless an ECG beats it: a missing R-peak
       * then leaves the heart at rest until the next one. */
      if (!m->external && m->since_beat >= 60.0 / m->p.heart_rate_bpm)
        {
          m->rr = 60.0 / m->p.heart_rate_bpm;
          m->since_beat = 0;
          m->s.beats++;
        }
    }
  publish (m, y);
}

void
mt_physio_summary_from_beats (MtPhysioSummary *out,
                              const double     sums[6],
                              guint            beats,
                              double           heart_rate_bpm)
{
  g_return_if_fail (beats > 0);
  out->heart_rate_bpm = heart_rate_bpm;
  out->systolic_mmHg = sums[0] / beats;
  out->diastolic_mmHg = sums[1] / beats;
  out->end_diastolic_ml = sums[2] / beats;
  out->end_systolic_ml = sums[3] / beats;
  out->pulmonary_systolic_mmHg = sums[4] / beats;
  out->pulmonary_diastolic_mmHg = sums[5] / beats;
  out->stroke_volume_ml = out->end_diastolic_ml - out->end_systolic_ml;
  out->ejection_fraction = out->stroke_volume_ml / out->end_diastolic_ml;
  out->cardiac_output_l_min = out->stroke_volume_ml * heart_rate_bpm / 1000;
}

gboolean
mt_physio_run (const MtPhysioParams *params,
               double                seconds,
               MtPhysioSummary      *out,
               MtProgress           *progress,
               GCancellable         *cancellable,
               GError              **error)
{
  g_return_val_if_fail (params != NULL && out != NULL, FALSE);
  if (!(seconds >= 20 && seconds <= 86400) || !(params->heart_rate_bpm >= 20 && params->heart_rate_bpm <= 250)
      || !(params->respiratory_rate_per_min >= 2 && params->respiratory_rate_per_min <= 60)
      || !(params->lv_emax > 0 && params->rv_emax > 0 && params->r_sys > 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The model runs 20 s to a day, at 20 to 250 beats and 2 to 60 breaths a minute, with "
                     "contractility and resistance above 0."));
      return FALSE;
    }
  g_autoptr (MtPhysio) m = mt_physio_new (params);
  memset (out, 0, sizeof *out);
  const double from = seconds - 5;
  /* Per beat: the arterial and pulmonary extremes, the ventricle's largest
   * and smallest volume; per breath, the lung's. */
  double sys = -INFINITY, dia = INFINITY, edv = -INFINITY, esv = INFINITY, psys = -INFINITY, pdia = INFINITY;
  double lung_hi = -INFINITY, lung_lo = INFINITY, map = 0, cvp = 0;
  guint beats = 0, breaths = 0, samples = 0, last_beat = 0, last_breath = 0;
  double sums[8] = { 0 }, tv_sum = 0, rr_sum = 0;
  gint64 t0 = g_get_monotonic_time ();
  const double chunk = 0.001;
  long chunks = lround (seconds / chunk);
  for (long c = 0; c < chunks; c++)
    {
      mt_physio_advance (m, chunk);
      const MtPhysioState *s = &m->s;
      if (c % 1000 == 0)
        {
          mt_progress_update (progress, (double) c / chunks);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
      guint breath = (guint) floor (s->t / (60.0 / params->respiratory_rate_per_min));
      if (s->beats != last_beat)
        {
          /* A beat ended: counted when it lay in the window. */
          if (s->t > from && isfinite (sys) && isfinite (edv))
            {
              sums[0] += sys, sums[1] += dia, sums[2] += edv, sums[3] += esv, sums[4] += psys, sums[5] += pdia;
              rr_sum += m->rr;
              beats++;
            }
          sys = psys = edv = -INFINITY;
          dia = pdia = esv = INFINITY;
          last_beat = s->beats;
        }
      if (breath != last_breath)
        {
          if (s->t > from && isfinite (lung_hi))
            {
              tv_sum += lung_hi - lung_lo;
              breaths++;
            }
          lung_hi = -INFINITY;
          lung_lo = INFINITY;
          last_breath = breath;
        }
      sys = MAX (sys, s->p_ao), dia = MIN (dia, s->p_ao);
      psys = MAX (psys, s->p_pa), pdia = MIN (pdia, s->p_pa);
      edv = MAX (edv, s->v_lv), esv = MIN (esv, s->v_lv);
      lung_hi = MAX (lung_hi, s->lung_volume_l), lung_lo = MIN (lung_lo, s->lung_volume_l);
      if (s->t > from)
        {
          map += s->p_ao;
          cvp += s->p_sv;
          samples++;
        }
    }
  double elapsed = (g_get_monotonic_time () - t0) / 1e6;
  if (beats == 0 || samples == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The heart did not beat in the last 5 s of the run."));
      return FALSE;
    }
  mt_physio_summary_from_beats (out, sums, beats, 60.0 / (rr_sum / beats));
  out->mean_arterial_mmHg = map / samples;
  out->central_venous_mmHg = cvp / samples;
  out->respiratory_rate_per_min = params->respiratory_rate_per_min;
  out->tidal_volume_l = breaths > 0 ? tv_sum / breaths : 0;
  out->realtime_factor = elapsed > 0 ? seconds / elapsed : INFINITY;
  mt_progress_update (progress, 1);
  return TRUE;
}
