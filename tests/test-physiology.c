/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The circulation and breath model: a resting adult within the bands the
 * Pulse and BioGears engines validate against; the right direction for a
 * fast heart, a weak one and narrowed vessels; no blood made or lost; a
 * heart that follows a real ECG's beats. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-ecg.h"
#include "mt-physiology.h"

static MtPhysioSummary
run (double hr, double contractility, double resistance)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  p.heart_rate_bpm = hr;
  mt_physio_params_scale (&p, contractility, resistance);
  MtPhysioSummary s;
  g_autoptr (GError) error = NULL;
  g_assert_true (mt_physio_run (&p, 30, &s, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("HR %.0f, contractility x%.2f, resistance x%.2f: %.1f/%.1f mmHg (mean %.1f), EDV %.1f, ESV %.1f, SV "
                  "%.1f mL, EF %.3f, CO %.2f L/min, PA %.1f/%.1f, CVP %.1f mmHg; %.0f breaths of %.3f L",
                  hr, contractility, resistance, s.systolic_mmHg, s.diastolic_mmHg, s.mean_arterial_mmHg,
                  s.end_diastolic_ml, s.end_systolic_ml, s.stroke_volume_ml, s.ejection_fraction,
                  s.cardiac_output_l_min, s.pulmonary_systolic_mmHg, s.pulmonary_diastolic_mmHg,
                  s.central_venous_mmHg, s.respiratory_rate_per_min, s.tidal_volume_l);
  return s;
}

static void
test_rest (void)
{
  MtPhysioSummary s = run (75, 1, 1);
  g_assert_cmpfloat (fabs (s.heart_rate_bpm - 75), <, 0.1);
  /* 120/80 within 10%; stroke volume 60-80 mL; EF 55-65%; cardiac output
   * 4.5-6.5 L/min; 0.5 L breaths at 14 a minute. */
  g_assert_cmpfloat (fabs (s.systolic_mmHg / 120 - 1), <, 0.1);
  g_assert_cmpfloat (fabs (s.diastolic_mmHg / 80 - 1), <, 0.1);
  g_assert_cmpfloat (s.stroke_volume_ml, >=, 60);
  g_assert_cmpfloat (s.stroke_volume_ml, <=, 80);
  g_assert_cmpfloat (s.ejection_fraction, >=, 0.55);
  g_assert_cmpfloat (s.ejection_fraction, <=, 0.65);
  g_assert_cmpfloat (s.cardiac_output_l_min, >=, 4.5);
  g_assert_cmpfloat (s.cardiac_output_l_min, <=, 6.5);
  g_assert_cmpfloat (fabs (s.tidal_volume_l - 0.5), <, 0.05);
  g_assert_cmpfloat (s.respiratory_rate_per_min, ==, 14);
  /* The lungs' circulation and the veins at their usual pressures: mean
   * pulmonary pressure 10-20 mmHg, central venous 2-8 mmHg. */
  double mpap = (s.pulmonary_systolic_mmHg + 2 * s.pulmonary_diastolic_mmHg) / 3;
  g_assert_cmpfloat (mpap, >, 10);
  g_assert_cmpfloat (mpap, <, 20);
  g_assert_cmpfloat (s.central_venous_mmHg, >, 2);
  g_assert_cmpfloat (s.central_venous_mmHg, <, 8);
}

/* Tachycardia: more output from smaller strokes; a weaker heart: lower EF
 * and pressures; narrower vessels: higher pressure, less output. */
static void
test_directions (void)
{
  MtPhysioSummary rest = run (75, 1, 1), fast = run (120, 1, 1), weak = run (75, 0.5, 1), narrow = run (75, 1, 1.5);
  g_assert_cmpfloat (fast.cardiac_output_l_min, >, rest.cardiac_output_l_min);
  g_assert_cmpfloat (fast.stroke_volume_ml, <, rest.stroke_volume_ml);
  g_assert_cmpfloat (weak.ejection_fraction, <, rest.ejection_fraction - 0.1);
  g_assert_cmpfloat (weak.systolic_mmHg, <, rest.systolic_mmHg - 10);
  g_assert_cmpfloat (weak.cardiac_output_l_min, <, rest.cardiac_output_l_min);
  g_assert_cmpfloat (narrow.mean_arterial_mmHg, >, rest.mean_arterial_mmHg + 10);
  g_assert_cmpfloat (narrow.diastolic_mmHg, >, rest.diastolic_mmHg);
  g_assert_cmpfloat (narrow.cardiac_output_l_min, <, rest.cardiac_output_l_min);
}

/* A closed loop: the blood in it stays what it was, to a millionth. */
static void
test_conservation (void)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  g_autoptr (MtPhysio) m = mt_physio_new (&p);
  const MtPhysioState *s = mt_physio_get_state (m);
  double before = s->v_lv + s->v_rv + s->v_sa + s->v_sv + s->v_pa + s->v_pv;
  mt_physio_advance (m, 30);
  double after = s->v_lv + s->v_rv + s->v_sa + s->v_sv + s->v_pa + s->v_pv;
  g_test_message ("blood in the loop: %.6f mL before, %.6f after 30 s", before, after);
  g_assert_cmpfloat (fabs (after - before), <, 1e-6 * before);
  g_assert_cmpuint (s->beats, ==, 37);   /* 30 s at 75 a minute: 37 beats begun after the first */
}

/* Driven by an ECG's R-peaks (90 a minute, with its natural variation):
 * a beat at every peak, the rate following the intervals. */
static void
test_follows_ecg (void)
{
  g_autoptr (MtEcg) ecg = mt_ecg_synthesize (30, 500, 90, 7);
  MtPhysioParams p;
  mt_physio_params_default (&p);
  g_autoptr (MtPhysio) m = mt_physio_new (&p);
  const MtPhysioState *s = mt_physio_get_state (m);
  guint peaks = ecg->r_peaks->len;
  double t = 0;
  for (guint i = 0; i < peaks; i++)
    {
      double at = g_array_index (ecg->r_peaks, guint32, i) / ecg->sampling_rate_hz;
      mt_physio_advance (m, at - t);
      t = at;
      mt_physio_beat_now (m);
    }
  double rate = mt_physio_get_params (m)->heart_rate_bpm;
  g_test_message ("ECG at %.1f a minute: %u R-peaks, %u beats begun, the model at %.1f a minute, aortic pressure %.0f "
                  "mmHg at the last peak", mt_ecg_mean_heart_rate (ecg), peaks, s->beats, rate, s->p_ao);
  g_assert_cmpuint (s->beats, ==, peaks);
  g_assert_cmpfloat (fabs (rate - 90), <, 10);
  g_assert_cmpfloat (s->p_ao, >, 40);
}

static void
test_refused (void)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  MtPhysioSummary s;
  g_autoptr (GError) error = NULL;
  g_assert_false (mt_physio_run (&p, 5, &s, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.heart_rate_bpm = 400;
  g_assert_false (mt_physio_run (&p, 30, &s, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/physiology/rest", test_rest);
  g_test_add_func ("/pipeline/physiology/directions", test_directions);
  g_test_add_func ("/pipeline/physiology/conservation", test_conservation);
  g_test_add_func ("/pipeline/physiology/follows-ecg", test_follows_ecg);
  g_test_add_func ("/pipeline/physiology/refused", test_refused);
  return g_test_run ();
}
