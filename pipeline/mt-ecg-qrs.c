/* SPDX-License-Identifier: GPL-3.0-or-later */
/* QRS detection (Pan and Tompkins, IEEE TBME 1985) and beat-by-beat
 * scoring against reference annotations (as WFDB's bxb does). The filters
 * run forwards and backwards, so nothing is delayed: the integrated
 * energy peaks on the QRS itself, at any sampling rate. */
#define G_LOG_DOMAIN "mt-ecg"

#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-ecg.h"

typedef struct
{
  double b0, b1, b2, a1, a2;   /* normalised by a0 */
} Biquad;

/* Butterworth sections (Q = 1/sqrt 2) by the bilinear transform, as the
 * Audio EQ Cookbook gives them. */
static Biquad
butterworth (double cutoff_hz, double rate_hz, gboolean high)
{
  /* alpha = sin (w0) / (2 Q), with Q = 1 / sqrt 2. */
  double w0 = 2 * G_PI * cutoff_hz / rate_hz, c = cos (w0), alpha = sin (w0) / G_SQRT2;
  double a0 = 1 + alpha;
  Biquad q;
  if (high)
    {
      q.b0 = (1 + c) / 2 / a0;
      q.b1 = -(1 + c) / a0;
    }
  else
    {
      q.b0 = (1 - c) / 2 / a0;
      q.b1 = (1 - c) / a0;
    }
  q.b2 = q.b0;
  q.a1 = -2 * c / a0;
  q.a2 = (1 - alpha) / a0;
  return q;
}

/* Forwards, then backwards: zero phase, the magnitude squared. */
static void
filtfilt (const Biquad *q, double *x, gsize n)
{
  for (int pass = 0; pass < 2; pass++)
    {
      double x1 = x[pass ? n - 1 : 0], x2 = x1, y1 = 0, y2 = 0;
      /* Started at rest on the first value, so no step rings in. */
      double dc = (q->b0 + q->b1 + q->b2) / (1 + q->a1 + q->a2);
      y1 = y2 = x1 * (isfinite (dc) ? dc : 0);
      for (gsize k = 0; k < n; k++)
        {
          gsize i = pass ? n - 1 - k : k;
          double y = q->b0 * x[i] + q->b1 * x1 + q->b2 * x2 - q->a1 * y1 - q->a2 * y2;
          x2 = x1;
          x1 = x[i];
          y2 = y1;
          y1 = y;
          x[i] = y;
        }
    }
}

typedef struct
{
  gsize  at;
  double value;
} Peak;

void
mt_ecg_detect_qrs (MtEcg *ecg,
                   guint  lead)
{
  g_return_if_fail (ecg != NULL && lead < ecg->n_leads);
  const gsize n = ecg->n_samples;
  const double fs = ecg->sampling_rate_hz;
  g_array_set_size (ecg->r_peaks, 0);
  if (n < (gsize) (2 * fs))
    return;
  const float *x = ecg->mv + (gsize) lead * n;
  /* The QRS band (5-15 Hz), and the signal freed of its baseline wander
   * (above 0.5 Hz) to find each R wave's extreme in. */
  g_autofree double *bp = g_new (double, n), *flat = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    bp[i] = flat[i] = x[i];
  Biquad hp = butterworth (5, fs, TRUE), lp = butterworth (MIN (15, 0.45 * fs), fs, FALSE);
  Biquad wander = butterworth (0.5, fs, TRUE);
  filtfilt (&hp, bp, n);
  filtfilt (&lp, bp, n);
  filtfilt (&wander, flat, n);
  /* Five-point derivative, squared, integrated over 150 ms (centred). */
  g_autofree double *energy = g_new0 (double, n), *mwi = g_new0 (double, n);
  const gsize h = MAX ((gsize) 1, (gsize) lround (fs / 200));   /* the derivative's step: 5 ms */
  for (gsize i = 2 * h; i + 2 * h < n; i++)
    {
      double d = (2 * bp[i + 2 * h] + bp[i + h] - bp[i - h] - 2 * bp[i - 2 * h]) * fs / (8.0 * h);
      energy[i] = d * d;
    }
  const gsize half = MAX ((gsize) 1, (gsize) lround (0.075 * fs));
  double sum = 0;
  for (gsize i = 0; i < MIN (n, half); i++)
    sum += energy[i];
  for (gsize i = 0; i < n; i++)
    {
      if (i + half < n)
        sum += energy[i + half];
      if (i > half)
        sum -= energy[i - half - 1];
      mwi[i] = sum / (2 * half + 1);
    }
  /* Candidates: the integrated energy's maxima, at least 200 ms apart
   * (the refractory period), the larger kept. */
  const gsize refractory = (gsize) lround (0.2 * fs);
  g_autoptr (GArray) peaks = g_array_new (FALSE, FALSE, sizeof (Peak));
  for (gsize i = 1; i + 1 < n; i++)
    {
      if (!(mwi[i] > mwi[i - 1] && mwi[i] >= mwi[i + 1]))
        continue;
      Peak p = { i, mwi[i] };
      Peak *last = peaks->len ? &g_array_index (peaks, Peak, peaks->len - 1) : NULL;
      if (last != NULL && i - last->at < refractory)
        {
          if (p.value > last->value)
            *last = p;
          continue;
        }
      g_array_append_val (peaks, p);
    }
  /* Thresholds learned over the first two seconds, then adapted to each
   * peak: signal (SPKI) and noise (NPKI) levels, THR1 between them. */
  const gsize learn = MIN (n, (gsize) (2 * fs));
  double top = 0, mean = 0;
  for (gsize i = 0; i < learn; i++)
    {
      top = MAX (top, mwi[i]);
      mean += mwi[i] / learn;
    }
  double spki = 0.25 * top, npki = 0.5 * mean;
  double thr1 = npki + 0.25 * (spki - npki), thr2 = 0.5 * thr1;
  g_autoptr (GArray) qrs = g_array_new (FALSE, FALSE, sizeof (gsize));
  double rr[8] = { 0 };
  int n_rr = 0;
  double last_slope = 0;
  gsize since = 0;   /* index in peaks after the last QRS */
  for (guint k = 0; k < peaks->len; k++)
    {
      Peak p = g_array_index (peaks, Peak, k);
      gsize last = qrs->len ? g_array_index (qrs, gsize, qrs->len - 1) : 0;
      /* Search back: no beat for 1.66 times the usual interval, the
       * largest peak since then above the lower threshold was one. */
      if (qrs->len > 0 && n_rr > 0)
        {
          double rr_mean = 0;
          for (int r = 0; r < MIN (n_rr, 8); r++)
            rr_mean += rr[r] / MIN (n_rr, 8);
          if (p.at - last > 1.66 * rr_mean)
            {
              gint best = -1;
              for (guint j = since; j < k; j++)
                {
                  Peak c = g_array_index (peaks, Peak, j);
                  if (c.at > last + refractory && c.value > thr2 && (best < 0 || c.value > g_array_index (peaks, Peak, best).value))
                    best = (gint) j;
                }
              if (best >= 0)
                {
                  Peak c = g_array_index (peaks, Peak, best);
                  g_array_append_val (qrs, c.at);
                  rr[n_rr++ % 8] = c.at - last;
                  spki = 0.25 * c.value + 0.75 * spki;
                  last = c.at;
                  since = (gsize) best + 1;
                }
            }
        }
      if (p.value > thr1 && (qrs->len == 0 || p.at - last >= refractory))
        {
          /* Within 360 ms of the last beat, a peak of less than half its
           * steepest slope is a T wave. */
          double slope = 0;
          for (gsize i = p.at > half ? p.at - half : 0; i < MIN (n, p.at + half); i++)
            slope = MAX (slope, energy[i]);
          if (qrs->len > 0 && p.at - last < 0.36 * fs && slope < 0.25 * last_slope)
            {
              npki = 0.125 * p.value + 0.875 * npki;
            }
          else
            {
              if (qrs->len > 0)
                rr[n_rr++ % 8] = p.at - last;
              g_array_append_val (qrs, p.at);
              spki = 0.125 * p.value + 0.875 * spki;
              last_slope = slope;
              since = k + 1;
            }
        }
      else
        npki = 0.125 * p.value + 0.875 * npki;
      thr1 = npki + 0.25 * (spki - npki);
      thr2 = 0.5 * thr1;
    }
  /* Each beat at its R wave: the band's extreme near the energy peak,
   * then the wander-free signal's extreme within 50 ms of it. */
  const gsize reach = (gsize) lround (0.1 * fs), fine = (gsize) lround (0.05 * fs);
  for (guint k = 0; k < qrs->len; k++)
    {
      gsize at = g_array_index (qrs, gsize, k);
      gsize lo = at > reach ? at - reach : 0, hi = MIN (n - 1, at + reach), best = at;
      for (gsize i = lo; i <= hi; i++)
        if (fabs (bp[i]) > fabs (bp[best]))
          best = i;
      lo = best > fine ? best - fine : 0;
      hi = MIN (n - 1, best + fine);
      gsize r = best;
      for (gsize i = lo; i <= hi; i++)
        if (fabs (flat[i]) > fabs (flat[r]))
          r = i;
      guint32 idx = (guint32) r;
      if (ecg->r_peaks->len == 0 || idx > g_array_index (ecg->r_peaks, guint32, ecg->r_peaks->len - 1))
        g_array_append_val (ecg->r_peaks, idx);
    }
}

void
mt_ecg_score (const GArray *reference,
              const GArray *detected,
              double        sampling_rate_hz,
              double        window_s,
              double       *sensitivity,
              double       *positive_predictivity)
{
  const gint64 window = (gint64) llround (window_s * sampling_rate_hz);
  guint matched = 0, j = 0;
  for (guint i = 0; i < reference->len; i++)
    {
      gint64 r = g_array_index (reference, guint32, i);
      /* The detections before this beat's window are false ones. */
      while (j < detected->len && (gint64) g_array_index (detected, guint32, j) < r - window)
        j++;
      if (j < detected->len && llabs ((gint64) g_array_index (detected, guint32, j) - r) <= window)
        {
          /* The nearer of this detection and the next, each used once. */
          if (j + 1 < detected->len
              && llabs ((gint64) g_array_index (detected, guint32, j + 1) - r)
                   < llabs ((gint64) g_array_index (detected, guint32, j) - r)
              && (i + 1 >= reference->len
                  || llabs ((gint64) g_array_index (detected, guint32, j) - r)
                       <= llabs ((gint64) g_array_index (detected, guint32, j) - g_array_index (reference, guint32, i + 1))))
            j++;
          matched++;
          j++;
        }
    }
  *sensitivity = reference->len ? (double) matched / reference->len : 0;
  *positive_predictivity = detected->len ? (double) matched / detected->len : 0;
}
