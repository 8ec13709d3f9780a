/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The circulation and breath model: a resting adult within the bands the
 * Pulse and BioGears engines validate against; the right direction for a
 * fast heart, a weak one and narrowed vessels; no blood made or lost; a
 * heart that follows a real ECG's beats. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mt-ecg.h"
#include "mt-findings.h"
#include "mt-physiology.h"
#include "mt-test-data.h"
#include "mt-twin.h"

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

/* The twin at its own rate: its summary of the last 10 s agrees with the
 * engine's own run; the past is kept for 30 s, every 5 ms. */
static void
test_twin_own_rate (void)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  g_autoptr (MtTwin) twin = mt_twin_new (&p);
  mt_twin_advance (twin, 40);
  MtPhysioSummary live, run;
  g_assert_true (mt_twin_summarize (twin, 10, &live));
  g_autoptr (GError) error = NULL;
  g_assert_true (mt_physio_run (&p, 30, &run, NULL, NULL, &error));
  g_test_message ("twin: %.1f/min %.1f/%.1f mmHg EF %.3f CO %.2f; engine: %.1f/min %.1f/%.1f EF %.3f CO %.2f",
                  live.heart_rate_bpm, live.systolic_mmHg, live.diastolic_mmHg, live.ejection_fraction,
                  live.cardiac_output_l_min, run.heart_rate_bpm, run.systolic_mmHg, run.diastolic_mmHg,
                  run.ejection_fraction, run.cardiac_output_l_min);
  g_assert_cmpfloat (fabs (live.heart_rate_bpm - 75), <, 0.5);
  g_assert_cmpfloat (fabs (live.systolic_mmHg - run.systolic_mmHg), <, 1.0);
  g_assert_cmpfloat (fabs (live.diastolic_mmHg - run.diastolic_mmHg), <, 1.0);
  g_assert_cmpfloat (fabs (live.ejection_fraction - run.ejection_fraction), <, 0.01);
  g_assert_cmpfloat (fabs (live.tidal_volume_l - run.tidal_volume_l), <, 0.02);
  double from, to;
  mt_twin_get_span (twin, &from, &to);
  g_assert_cmpfloat (fabs (to - 40), <, 0.006);
  g_assert_cmpfloat (fabs (to - from - 30), <, 0.006);
  g_autoptr (GArray) h = g_array_new (FALSE, FALSE, sizeof (MtTwinSample));
  mt_twin_history (twin, 35, 36, h);
  g_assert_cmpuint (h->len, ==, 201);
  MtTwinSample early;
  mt_twin_sample_at (twin, 0, &early);
  g_assert_cmpfloat (fabs (early.t - from), <, 1e-9);
  /* The model's own ECG: an R wave (above 0.8 mV) at the start of each beat. */
  guint r_waves = 0, beats = 0;
  for (guint i = 1; i < h->len; i++)
    {
      const MtTwinSample *a = &g_array_index (h, MtTwinSample, i - 1), *b = &g_array_index (h, MtTwinSample, i);
      beats += b->beat_phase < a->beat_phase - 0.5;
      r_waves += b->ecg_mv > 0.8f && a->ecg_mv <= 0.8f;
    }
  g_assert_cmpuint (beats, ==, r_waves);
}

/* Beaten by MIT-BIH record 100 (real, 360 Hz): a beat at every R-peak of
 * the loop, so the twin's rate is the record's. */
static void
test_twin_follows_record (void)
{
  g_autofree char *path = mt_test_data_path ("ecg", "100.hea", NULL);
  if (path == NULL)
    return;
  g_autoptr (GError) error = NULL;
  MtEcg *ecg = mt_ecg_read (path, &error);
  g_assert_no_error (error);
  MtPhysioParams p;
  mt_physio_params_default (&p);
  g_autoptr (MtTwin) twin = mt_twin_new (&p);
  guint warm_beats = mt_physio_get_state (mt_twin_get_physio (twin))->beats;
  g_assert_true (mt_twin_set_ecg (twin, ecg, &error));
  const MtEcg *played = mt_twin_get_ecg (twin);
  const guint32 *peaks = (const guint32 *) played->r_peaks->data;
  mt_twin_advance (twin, 60);
  /* The R-peaks in the first 60 s after the first one. */
  guint expected = 0;
  for (guint i = 0; i < played->r_peaks->len; i++)
    expected += (peaks[i] - peaks[0]) / played->sampling_rate_hz < 60 - 1e-9;
  MtPhysioSummary live;
  g_assert_true (mt_twin_summarize (twin, 30, &live));
  guint first = 0, last = 0;
  for (guint i = 0; i < played->r_peaks->len; i++)
    {
      double at = (peaks[i] - peaks[0]) / played->sampling_rate_hz;
      if (at >= 30 + 0.05 && first == 0)
        first = i;
      if (at < 60 - 0.05)
        last = i;
    }
  double record_rate = 60.0 * (last - first) / ((peaks[last] - peaks[first]) / played->sampling_rate_hz);
  guint beats = mt_physio_get_state (mt_twin_get_physio (twin))->beats - warm_beats;
  g_test_message ("record 100: %u R-peaks in 60 s, the model began %u beats; rate %.2f/min (record %.2f), %.0f/%.0f "
                  "mmHg", expected, beats, live.heart_rate_bpm, record_rate, live.systolic_mmHg, live.diastolic_mmHg);
  g_assert_cmpuint (beats, ==, expected);
  g_assert_cmpfloat (fabs (live.heart_rate_bpm - record_rate), <, 0.02 * record_rate);
  g_assert_cmpfloat (live.systolic_mmHg, >, 100);
  g_assert_cmpfloat (live.systolic_mmHg, <, 140);
  /* Too few beats: refused, the old source kept. */
  MtEcg *flat = mt_ecg_synthesize (1.0, 500, 30, 1);
  memset (flat->mv, 0, sizeof (float) * flat->n_samples);
  g_assert_false (mt_twin_set_ecg (twin, flat, &error));
  g_assert_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT);
  g_assert_true (mt_twin_get_ecg (twin) == played);
}

/* Findings against the usual ranges: the resting model is normal
 * throughout; halving contractility lowers the ejection fraction below
 * the range; the demo's liver and kidneys are normal. */
static void
test_findings (void)
{
  MtPhysioParams p;
  mt_physio_params_default (&p);
  MtPhysioSummary rest, weak;
  g_autoptr (GError) error = NULL;
  g_assert_true (mt_physio_run (&p, 30, &rest, NULL, NULL, &error));
  g_autoptr (GPtrArray) normal = mt_findings_compute (NULL, &rest);
  g_assert_cmpuint (normal->len, ==, 8);
  g_assert_cmpuint (mt_findings_count_abnormal (normal), ==, 0);
  mt_physio_params_scale (&p, 0.4, 1.0);
  g_assert_true (mt_physio_run (&p, 30, &weak, NULL, NULL, &error));
  g_autoptr (GPtrArray) low = mt_findings_compute (NULL, &weak);
  gboolean ef_low = FALSE;
  for (guint i = 0; i < low->len; i++)
    {
      const MtFinding *f = low->pdata[i];
      g_test_message ("%s %.3g (%.3g-%.3g) %d", f->key, f->value, f->low, f->high, f->status);
      if (g_str_equal (f->key, "ejection_fraction"))
        ef_low = f->status == MT_FINDING_LOW;
    }
  g_assert_true (ef_low);
  g_autoptr (JsonNode) json = mt_findings_to_json (low);
  JsonObject *o = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (o, "disclaimer"), ==, "Decision support, not a diagnosis.");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "findings")), ==, 8);
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
  g_test_add_func ("/pipeline/twin/own-rate", test_twin_own_rate);
  g_test_add_func ("/pipeline/twin/follows-record", test_twin_follows_record);
  g_test_add_func ("/pipeline/twin/findings", test_findings);
  return g_test_run ();
}
