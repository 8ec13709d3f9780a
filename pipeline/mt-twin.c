/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-twin"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include "mt-twin.h"

#define STEP 0.001            /* the engine's own step */
#define KEEP_EVERY 0.005
#define KEEP_SECONDS 30.0
#define KEEP_N ((guint) (KEEP_SECONDS / KEEP_EVERY))

struct _MtTwin
{
  MtPhysio     *physio;
  double        t, pending;
  /* The ECG played, if any: the lead shown, the next of its R-peaks, where
   * the first lies, the loop's length and where in it the clock is. */
  MtEcg        *ecg;
  const float  *lead;
  guint         next_peak;
  double        loop_s, loop_at, first_s;
  /* Without one, one beat of a synthetic lead II (R at template_r) laid at
   * each of the model's beats. */
  float        *template;
  guint         template_n, template_r;
  double        template_hz;
  /* Per beat and per breath. */
  guint         beats;
  double        ed_ml;
  double        breath_sum, lung_mean;
  guint         breath_n;
  double        last_breath_phase;
  /* The past, a ring. */
  MtTwinSample *ring;
  guint         ring_head, ring_len;
  double        next_keep;
};

static void
make_template (MtTwin *tw)
{
  /* ECGSYN at 60 a minute: the beat from 0.3 s before its R wave to 0.6 s
   * after, enough for P before and T after. */
  g_autoptr (MtEcg) syn = mt_ecg_synthesize (12, 500, 60, 7);
  guint r = syn->r_peaks->len > 6 ? g_array_index (syn->r_peaks, guint32, 5) : (guint) (6 * 500);
  tw->template_hz = 500;
  tw->template_r = 150;
  tw->template_n = 450;
  tw->template = g_new (float, tw->template_n);
  for (guint i = 0; i < tw->template_n; i++)
    {
      gsize at = MIN ((gsize) r - tw->template_r + i, syn->n_samples - 1);
      tw->template[i] = syn->mv[at];
    }
}

static float
template_at (MtTwin *tw, double since_beat, double rr)
{
  /* After the R wave (QRS, T); before the next one (its P and Q). */
  double after = since_beat, before = rr - since_beat;
  double from_r = (double) tw->template_r / tw->template_hz;
  double to_end = (double) (tw->template_n - tw->template_r) / tw->template_hz;
  gint64 i;
  if (before < from_r && before < after)
    i = (gint64) tw->template_r - (gint64) lround (before * tw->template_hz);
  else if (after < to_end)
    i = (gint64) tw->template_r + (gint64) lround (after * tw->template_hz);
  else
    i = (gint64) tw->template_n - 1;
  return tw->template[CLAMP (i, 0, (gint64) tw->template_n - 1)];
}

static float
ecg_now (MtTwin *tw)
{
  const MtPhysioState *s = mt_physio_get_state (tw->physio);
  if (tw->ecg != NULL)
    {
      gsize i = (gsize) llround ((tw->first_s + tw->loop_at) * tw->ecg->sampling_rate_hz);
      return tw->lead[MIN (i, tw->ecg->n_samples - 1)];
    }
  return template_at (tw, s->since_beat, 60.0 / mt_physio_get_params (tw->physio)->heart_rate_bpm);
}

static void
fill_sample (MtTwin *tw, MtTwinSample *out)
{
  const MtPhysioState *s = mt_physio_get_state (tw->physio);
  out->t = tw->t;
  out->ecg_mv = ecg_now (tw);
  out->p_ao = (float) s->p_ao;
  out->p_lv = (float) s->p_lv;
  out->p_pa = (float) s->p_pa;
  out->v_lv = (float) s->v_lv;
  out->v_rv = (float) s->v_rv;
  out->ed_ml = (float) tw->ed_ml;
  out->q_av = (float) s->q_av;
  out->lung_l = (float) s->lung_volume_l;
  out->lung_mean_l = (float) tw->lung_mean;
  out->heart_rate_bpm = (float) mt_physio_get_params (tw->physio)->heart_rate_bpm;
  out->beat_phase = (float) s->beat_phase;
}

/* After each step: end-diastole at each beat's start (the R wave), the
 * lungs' mean at each breath's end. */
static void
track (MtTwin *tw)
{
  const MtPhysioState *s = mt_physio_get_state (tw->physio);
  if (s->beats != tw->beats)
    {
      tw->beats = s->beats;
      tw->ed_ml = s->v_lv + s->v_rv;
    }
  if (s->breath_phase < tw->last_breath_phase && tw->breath_n > 0)
    {
      tw->lung_mean = tw->breath_sum / tw->breath_n;
      tw->breath_sum = 0;
      tw->breath_n = 0;
    }
  tw->last_breath_phase = s->breath_phase;
  tw->breath_sum += s->lung_volume_l;
  tw->breath_n++;
}

static void
step (MtTwin *tw)
{
  if (tw->ecg != NULL)
    {
      tw->loop_at += STEP;
      if (tw->loop_at >= tw->loop_s)
        {
          tw->loop_at -= tw->loop_s;
          tw->next_peak = 0;
        }
      const GArray *peaks = tw->ecg->r_peaks;
      while (tw->next_peak < peaks->len
             && g_array_index (peaks, guint32, tw->next_peak) / tw->ecg->sampling_rate_hz - tw->first_s
                  <= tw->loop_at + 1e-9)
        {
          /* The last R-peak is the loop's end, the first one again. */
          if (tw->next_peak + 1 < peaks->len)
            mt_physio_beat_now (tw->physio);
          tw->next_peak++;
        }
    }
  mt_physio_advance (tw->physio, STEP);
  tw->t += STEP;
  track (tw);
  if (tw->t + 1e-9 >= tw->next_keep)
    {
      MtTwinSample *slot = &tw->ring[(tw->ring_head + tw->ring_len) % KEEP_N];
      if (tw->ring_len == KEEP_N)
        {
          slot = &tw->ring[tw->ring_head];
          tw->ring_head = (tw->ring_head + 1) % KEEP_N;
        }
      else
        tw->ring_len++;
      fill_sample (tw, slot);
      tw->next_keep += KEEP_EVERY;
    }
}

MtTwin *
mt_twin_new (const MtPhysioParams *params)
{
  g_return_val_if_fail (params != NULL, NULL);
  MtTwin *tw = g_new0 (MtTwin, 1);
  tw->physio = mt_physio_new (params);
  make_template (tw);
  tw->ring = g_new0 (MtTwinSample, KEEP_N);
  /* Settled, then the clock starts. */
  for (int i = 0; i < 15000; i++)
    {
      mt_physio_advance (tw->physio, STEP);
      track (tw);
    }
  tw->t = 0;
  tw->next_keep = 0;
  return tw;
}

void
mt_twin_free (MtTwin *tw)
{
  if (tw == NULL)
    return;
  mt_physio_free (tw->physio);
  g_clear_pointer (&tw->ecg, mt_ecg_free);
  g_free (tw->template);
  g_free (tw->ring);
  g_free (tw);
}

MtPhysio *
mt_twin_get_physio (MtTwin *tw)
{
  return tw->physio;
}

void
mt_twin_set_heart_rate (MtTwin *tw,
                        double  bpm)
{
  g_return_if_fail (bpm >= 20 && bpm <= 250);
  g_clear_pointer (&tw->ecg, mt_ecg_free);
  tw->lead = NULL;
  mt_physio_set_heart_rate (tw->physio, bpm);
}

gboolean
mt_twin_set_ecg (MtTwin  *tw,
                 MtEcg   *ecg,
                 GError **error)
{
  g_return_val_if_fail (ecg != NULL, FALSE);
  g_autoptr (MtEcg) owned = ecg;
  /* Lead II shows the R wave best where there is one. */
  guint lead = 0;
  for (guint l = 0; l < ecg->n_leads; l++)
    if (g_ascii_strcasecmp (ecg->lead_names[l], "II") == 0)
      lead = l;
  mt_ecg_detect_qrs (ecg, lead);
  if (ecg->r_peaks->len < 2)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("Too few heartbeats were found in this ECG (%u) to drive the heart: choose a record of a "
                     "few seconds or more with visible QRS complexes."),
                   ecg->r_peaks->len);
      return FALSE;
    }
  g_clear_pointer (&tw->ecg, mt_ecg_free);
  tw->ecg = g_steal_pointer (&owned);
  tw->lead = tw->ecg->mv + (gsize) lead * tw->ecg->n_samples;
  const GArray *peaks = tw->ecg->r_peaks;
  double fs = tw->ecg->sampling_rate_hz;
  tw->first_s = g_array_index (peaks, guint32, 0) / fs;
  tw->loop_s = g_array_index (peaks, guint32, peaks->len - 1) / fs - tw->first_s;
  tw->loop_at = -STEP;     /* the first R-peak falls on the next step */
  tw->next_peak = 0;
  return TRUE;
}

const MtEcg *
mt_twin_get_ecg (MtTwin *tw)
{
  return tw->ecg;
}

void
mt_twin_advance (MtTwin *tw,
                 double  seconds)
{
  g_return_if_fail (seconds >= 0);
  tw->pending += seconds;
  while (tw->pending >= STEP - 1e-12)
    {
      step (tw);
      tw->pending -= STEP;
    }
}

double
mt_twin_get_time (MtTwin *tw)
{
  return tw->t;
}

void
mt_twin_get_now (MtTwin       *tw,
                 MtTwinSample *sample)
{
  fill_sample (tw, sample);
}

void
mt_twin_get_span (MtTwin *tw,
                  double *from,
                  double *to)
{
  if (tw->ring_len == 0)
    {
      *from = *to = tw->t;
      return;
    }
  *from = tw->ring[tw->ring_head].t;
  *to = tw->ring[(tw->ring_head + tw->ring_len - 1) % KEEP_N].t;
}

void
mt_twin_sample_at (MtTwin       *tw,
                   double        t,
                   MtTwinSample *sample)
{
  if (tw->ring_len == 0)
    {
      fill_sample (tw, sample);
      return;
    }
  double from = tw->ring[tw->ring_head].t;
  gint64 k = (gint64) llround ((t - from) / KEEP_EVERY);
  k = CLAMP (k, 0, (gint64) tw->ring_len - 1);
  *sample = tw->ring[(tw->ring_head + (guint) k) % KEEP_N];
}

void
mt_twin_history (MtTwin *tw,
                 double  t0,
                 double  t1,
                 GArray *out)
{
  g_array_set_size (out, 0);
  if (tw->ring_len == 0 || t1 < t0)
    return;
  double from = tw->ring[tw->ring_head].t;
  gint64 k0 = (gint64) ceil ((t0 - from) / KEEP_EVERY - 1e-6);
  gint64 k1 = (gint64) floor ((t1 - from) / KEEP_EVERY + 1e-6);
  k0 = MAX (k0, 0);
  k1 = MIN (k1, (gint64) tw->ring_len - 1);
  for (gint64 k = k0; k <= k1; k++)
    g_array_append_val (out, tw->ring[(tw->ring_head + (guint) k) % KEEP_N]);
}

gboolean
mt_twin_summarize (MtTwin          *tw,
                   double           seconds,
                   MtPhysioSummary *out)
{
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  g_autoptr (GArray) h = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  mt_twin_history (tw, tw->t - seconds, tw->t, h);
  /* Whole beats only: from the first R wave kept to the last. */
  double sys = -INFINITY, dia = INFINITY, edv = -INFINITY, esv = INFINITY, psys = -INFINITY, pdia = INFINITY;
  double sums[6] = { 0 }, first_t = -1, last_t = -1, lung_hi = -INFINITY, lung_lo = INFINITY, map = 0;
  guint beats = 0, n_map = 0;
  for (guint i = 1; i < h->len; i++)
    {
      const MtTwinSample *s = &g_array_index (h, MtTwinSample, i);
      const MtTwinSample *p = &g_array_index (h, MtTwinSample, i - 1);
      if (s->beat_phase < p->beat_phase - 0.5)
        {
          if (first_t >= 0)
            {
              sums[0] += sys, sums[1] += dia, sums[2] += edv, sums[3] += esv, sums[4] += psys, sums[5] += pdia;
              beats++;
            }
          else
            first_t = s->t;
          last_t = s->t;
          sys = psys = edv = -INFINITY;
          dia = pdia = esv = INFINITY;
        }
      sys = MAX (sys, s->p_ao), dia = MIN (dia, s->p_ao);
      psys = MAX (psys, s->p_pa), pdia = MIN (pdia, s->p_pa);
      edv = MAX (edv, s->v_lv), esv = MIN (esv, s->v_lv);
      lung_hi = MAX (lung_hi, s->lung_l), lung_lo = MIN (lung_lo, s->lung_l);
      if (first_t >= 0)
        map += s->p_ao, n_map++;
    }
  if (beats < 2)
    return FALSE;
  mt_physio_summary_from_beats (out, sums, beats, 60.0 * beats / (last_t - first_t));
  out->mean_arterial_mmHg = map / MAX (n_map, 1);
  out->respiratory_rate_per_min = mt_physio_get_params (tw->physio)->respiratory_rate_per_min;
  out->tidal_volume_l = lung_hi - lung_lo;
  return TRUE;
}
