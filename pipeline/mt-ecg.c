/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-ecg"

#include "config.h"

#include <math.h>

#include "mt-ecg.h"

/* P, Q, R, S, T: angle on the limit cycle (degrees), amplitude, width. */
static const double wave_theta[5] = { -70, -15, 0, 15, 100 };
static const double wave_a[5] = { 1.2, -5.0, 30.0, -7.5, 0.75 };
static const double wave_b[5] = { 0.25, 0.1, 0.1, 0.1, 0.4 };

static double
gauss (GRand *rng)
{
  double u1 = g_rand_double_range (rng, 1e-12, 1.0), u2 = g_rand_double (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

typedef struct
{
  double omega;
  double z0;
  double theta[5];
  double b[5];
} Params;

static void
derivs (const Params *p, const double s[3], double d[3])
{
  double alpha = 1.0 - sqrt (s[0] * s[0] + s[1] * s[1]);
  double th = atan2 (s[1], s[0]);
  d[0] = alpha * s[0] - p->omega * s[1];
  d[1] = alpha * s[1] + p->omega * s[0];
  double dz = 0;
  for (int i = 0; i < 5; i++)
    {
      double dth = remainder (th - p->theta[i], 2.0 * G_PI);
      dz -= wave_a[i] * dth * exp (-0.5 * dth * dth / (p->b[i] * p->b[i]));
    }
  d[2] = dz - (s[2] - p->z0);
}

MtEcg *
mt_ecg_synthesize (double  duration_s,
                   double  sampling_rate_hz,
                   double  heart_rate_bpm,
                   guint32 seed)
{
  g_return_val_if_fail (duration_s > 0 && sampling_rate_hz > 0 && heart_rate_bpm > 0, NULL);
  g_autoptr (GRand) rng = g_rand_new_with_seed (seed);
  const int oversample = 4;
  const double dt = 1.0 / (sampling_rate_hz * oversample);
  const gsize n = (gsize) (duration_s * sampling_rate_hz);

  /* The waves narrow at faster rates, as in the original model. */
  Params p = { 0 };
  double hrfact = sqrt (heart_rate_bpm / 60.0);
  for (int i = 0; i < 5; i++)
    {
      p.theta[i] = wave_theta[i] * G_PI / 180.0 * (i == 2 ? 1.0 : sqrt (hrfact));
      p.b[i] = wave_b[i] * hrfact;
    }

  /* A few seconds of warm-up let the trajectory settle on its limit cycle. */
  const gsize warm = (gsize) (3.0 * sampling_rate_hz);
  const gsize total = n + warm;
  g_autofree double *z = g_new (double, total);
  g_autoptr (GArray) crossings = g_array_new (FALSE, FALSE, sizeof (guint32));
  double s[3] = { -1.0, 0.0, 0.04 };
  double rr = 60.0 / heart_rate_bpm;
  double phase1 = g_rand_double (rng) * 2 * G_PI, phase2 = g_rand_double (rng) * 2 * G_PI;
  double prev_theta = atan2 (s[1], s[0]);
  for (gsize i = 0; i < total; i++)
    {
      for (int o = 0; o < oversample; o++)
        {
          double t = (i * oversample + o) * dt;
          p.omega = 2.0 * G_PI / rr;
          p.z0 = 0.005 * sin (2.0 * G_PI * 0.25 * t);
          /* Classic fourth-order Runge-Kutta. */
          double k1[3], k2[3], k3[3], k4[3], tmp[3];
          derivs (&p, s, k1);
          for (int a = 0; a < 3; a++) tmp[a] = s[a] + 0.5 * dt * k1[a];
          derivs (&p, tmp, k2);
          for (int a = 0; a < 3; a++) tmp[a] = s[a] + 0.5 * dt * k2[a];
          derivs (&p, tmp, k3);
          for (int a = 0; a < 3; a++) tmp[a] = s[a] + dt * k3[a];
          derivs (&p, tmp, k4);
          for (int a = 0; a < 3; a++)
            s[a] += dt / 6.0 * (k1[a] + 2 * k2[a] + 2 * k3[a] + k4[a]);
          double th = atan2 (s[1], s[0]);
          /* A new RR interval each time the cycle passes mid-diastole. */
          if (prev_theta > 2.5 && th < -2.5)
            {
              double base = 60.0 / heart_rate_bpm;
              rr = base * (1.0 + 0.03 * sin (2 * G_PI * 0.25 * t + phase1)
                                + 0.02 * sin (2 * G_PI * 0.1 * t + phase2))
                 + 0.01 * base * gauss (rng);
            }
          /* The R wave is centred on phase 0. */
          if (prev_theta < 0 && th >= 0 && th < 1.0 && i >= warm)
            {
              guint32 at = (guint32) (i - warm);
              g_array_append_val (crossings, at);
            }
          prev_theta = th;
        }
      z[i] = s[2];
    }

  MtEcg *ecg = g_new0 (MtEcg, 1);
  ecg->sampling_rate_hz = sampling_rate_hz;
  ecg->n_samples = n;
  ecg->n_leads = 1;
  ecg->lead_names = g_new0 (char *, 2);
  ecg->lead_names[0] = g_strdup ("II");
  ecg->mv = g_new (float, n);
  ecg->r_peaks = g_array_new (FALSE, FALSE, sizeof (guint32));

  /* Scale to a typical lead II: from -0.4 to 1.2 mV. */
  double *zs = z + warm;
  double lo = zs[0], hi = zs[0];
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, zs[i]);
      hi = MAX (hi, zs[i]);
    }
  double scale = 1.6 / (hi - lo);
  for (gsize i = 0; i < n; i++)
    zs[i] = (zs[i] - lo) * scale - 0.4;

  /* Each R-peak: the signal's maximum within 40 ms of the phase crossing. */
  const gsize reach = (gsize) (0.04 * sampling_rate_hz);
  for (guint c = 0; c < crossings->len; c++)
    {
      gsize at = g_array_index (crossings, guint32, c);
      gsize from = at > reach ? at - reach : 0, to = MIN (n - 1, at + reach);
      if (at < reach || at + reach >= n)
        continue;                  /* a beat cut by either end of the record */
      gsize best = from;
      for (gsize i = from; i <= to; i++)
        if (zs[i] > zs[best])
          best = i;
      guint32 idx = (guint32) best;
      g_array_append_val (ecg->r_peaks, idx);
    }

  for (gsize i = 0; i < n; i++)
    ecg->mv[i] = (float) (zs[i] + 0.01 * gauss (rng));
  return ecg;
}

double
mt_ecg_mean_heart_rate (const MtEcg *ecg)
{
  guint n = ecg->r_peaks->len;
  if (n < 2)
    return 0.0;
  double first = g_array_index (ecg->r_peaks, guint32, 0);
  double last = g_array_index (ecg->r_peaks, guint32, n - 1);
  return 60.0 * (n - 1) * ecg->sampling_rate_hz / (last - first);
}

gboolean
mt_ecg_write_csv (const MtEcg *ecg,
                  const char  *path,
                  GError     **error)
{
  GString *s = g_string_sized_new (ecg->n_samples * 16 + 16);
  g_string_append (s, "time_s,mV\n");
  char t[G_ASCII_DTOSTR_BUF_SIZE], v[G_ASCII_DTOSTR_BUF_SIZE];
  for (gsize i = 0; i < ecg->n_samples; i++)
    g_string_append_printf (s, "%s,%s\n",
                            g_ascii_formatd (t, sizeof t, "%.4f", i / ecg->sampling_rate_hz),
                            g_ascii_formatd (v, sizeof v, "%.4f", ecg->mv[i]));
  gboolean ok = g_file_set_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

void
mt_ecg_free (MtEcg *ecg)
{
  if (ecg == NULL)
    return;
  g_free (ecg->mv);
  g_strfreev (ecg->lead_names);
  g_clear_pointer (&ecg->r_peaks, g_array_unref);
  g_free (ecg);
}
