/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ECG records in: WFDB (PhysioNet's header and signal files, formats 212
 * and 16, and MIT annotation files), DICOM waveforms and CSV. */
#define G_LOG_DOMAIN "mt-ecg"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mt-dicom-waveform.h"
#include "mt-ecg.h"

G_DEFINE_QUARK (mt-ecg-error-quark, mt_ecg_error)

static MtEcg *
ecg_new (double rate, gsize n_samples, guint n_leads)
{
  MtEcg *ecg = g_new0 (MtEcg, 1);
  ecg->sampling_rate_hz = rate;
  ecg->n_samples = n_samples;
  ecg->n_leads = n_leads;
  ecg->lead_names = g_new0 (char *, n_leads + 1);
  ecg->mv = g_new0 (float, MAX ((gsize) n_leads * n_samples, 1));
  ecg->r_peaks = g_array_new (FALSE, FALSE, sizeof (guint32));
  return ecg;
}

/* --------------------------------------------------------------- WFDB */

typedef struct
{
  char   *file;
  int     format;
  double  gain;          /* ADC units per mV */
  int     baseline;
  char   *name;
} Signal;

static void
signal_clear (Signal *s)
{
  g_free (s->file);
  g_free (s->name);
}

/* "200(0)/mV" or "200" or "" (the WFDB default of 200 per mV). */
static gboolean
parse_gain (const char *field, double *gain, int *baseline, gboolean *has_baseline)
{
  char *end;
  *gain = g_ascii_strtod (field, &end);
  if (end == field || !(*gain >= 0))
    return FALSE;
  if (*gain == 0)
    *gain = 200;
  *has_baseline = FALSE;
  if (*end == '(')
    {
      char *close;
      *baseline = (int) strtol (end + 1, &close, 10);
      if (*close != ')')
        return FALSE;
      *has_baseline = TRUE;
      end = close + 1;
    }
  if (*end == '/' && g_strcmp0 (end + 1, "mV") != 0)
    {
      /* Units other than mV: scaled to mV where they are volts. */
      if (g_strcmp0 (end + 1, "uV") == 0)
        *gain *= 1000;
      else if (g_strcmp0 (end + 1, "V") == 0)
        *gain /= 1000;
      else
        return FALSE;
    }
  return TRUE;
}

static MtEcg *
read_wfdb (const char *record, GError **error)
{
  g_autofree char *hea = g_str_has_suffix (record, ".hea") ? g_strdup (record) : g_strconcat (record, ".hea", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (hea, &text, NULL, &local))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ, _("Cannot read the WFDB header %s: %s"), hea,
                   local->message);
      return NULL;
    }
  g_autofree char *dir = g_path_get_dirname (hea);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int n_signals = -1, line_no = 0;
  double rate = 250;
  gint64 n_samples = -1;
  g_autoptr (GArray) signals = g_array_new (FALSE, TRUE, sizeof (Signal));
  g_array_set_clear_func (signals, (GDestroyNotify) signal_clear);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      line_no++;
      char *l = g_strstrip (lines[i]);
      if (*l == '\0' || *l == '#')
        continue;
      g_auto (GStrv) f = g_strsplit_set (l, " \t", -1);
      GPtrArray *fields = g_ptr_array_new ();
      for (guint k = 0; f[k] != NULL; k++)
        if (*f[k] != '\0')
          g_ptr_array_add (fields, f[k]);
      guint nf = fields->len;
      g_ptr_array_add (fields, NULL);
      char **w = (char **) g_ptr_array_free (fields, FALSE);
      if (n_signals < 0)
        {
          /* The record line: name[/segments] signals [rate[/counter][(base)] [samples ...]] */
          char *end = NULL;
          n_signals = nf >= 2 ? (int) strtol (w[1], &end, 10) : -1;
          if (nf < 2 || *end != '\0' || n_signals < 1 || n_signals > 64 || strchr (w[0], '/') != NULL)
            {
              g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                           _("%s, line %d: not a WFDB record line (name, 1 to 64 signals, rate, samples); a record "
                             "of several segments is not read."), hea, line_no);
              g_free (w);
              return NULL;
            }
          if (nf >= 3)
            rate = g_ascii_strtod (w[2], NULL);
          if (nf >= 4)
            n_samples = g_ascii_strtoll (w[3], NULL, 10);
          g_free (w);
          if (!(rate > 0 && rate < 1e6))
            {
              g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s: the sampling rate must be above 0 Hz."),
                           hea);
              return NULL;
            }
          continue;
        }
      if ((int) signals->len == n_signals)
        {
          g_free (w);
          continue;
        }
      Signal s = { 0 };
      gboolean has_baseline = FALSE;
      int adc_zero = 0;
      char *end = NULL;
      s.format = nf >= 2 ? (int) strtol (w[1], &end, 10) : -1;
      gboolean ok = nf >= 2 && (s.format == 212 || s.format == 16) && (*end == '\0');
      s.gain = 200;
      if (ok && nf >= 3)
        ok = parse_gain (w[2], &s.gain, &s.baseline, &has_baseline);
      if (ok && nf >= 5)
        adc_zero = (int) strtol (w[4], NULL, 10);
      if (!has_baseline)
        s.baseline = adc_zero;
      if (!ok)
        {
          g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                       _("%s, line %d: a signal in format %s cannot be read (formats 212 and 16 can), or its gain "
                         "is not a number of units per mV."), hea, line_no, nf >= 2 ? w[1] : "?");
          g_free (w);
          return NULL;
        }
      s.file = g_strdup (w[0]);
      s.name = nf >= 9 ? g_strjoinv (" ", w + 8) : g_strdup_printf ("signal %u", signals->len + 1);
      g_array_append_val (signals, s);
      g_free (w);
    }
  if (n_signals < 0 || (int) signals->len < n_signals)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s: the header lists %d signals but describes %u."),
                   hea, MAX (n_signals, 0), signals->len);
      return NULL;
    }
  /* Signals sharing a file are interleaved in it, a frame at a time. */
  const Signal *first = &g_array_index (signals, Signal, 0);
  for (guint k = 1; k < signals->len; k++)
    {
      const Signal *s = &g_array_index (signals, Signal, k);
      if (g_strcmp0 (s->file, first->file) != 0 || s->format != first->format)
        {
          g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                       _("%s: its signals lie in several files or formats; only records with one signal file are "
                         "read."), hea);
          return NULL;
        }
    }
  g_autofree char *dat = g_build_filename (dir, first->file, NULL);
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (dat, FALSE, &local);
  if (mapped == NULL)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ, _("Cannot read the signal file %s: %s"), dat,
                   local->message);
      return NULL;
    }
  const guint8 *bytes = (const guint8 *) g_mapped_file_get_contents (mapped);
  gsize size = g_mapped_file_get_length (mapped);
  const guint ns = signals->len;
  /* Format 212: two 12-bit samples in three bytes; 16: little endian. */
  gsize frame_bits = (gsize) ns * (first->format == 212 ? 12 : 16);
  gsize available = size * 8 / frame_bits;
  if (n_samples < 0)
    n_samples = (gint64) available;
  if ((gsize) n_samples > available)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s is cut short: %zu samples of the %zu its header gives."), dat, available,
                   (gsize) n_samples);
      return NULL;
    }
  MtEcg *ecg = ecg_new (rate, (gsize) n_samples, ns);
  for (guint k = 0; k < ns; k++)
    ecg->lead_names[k] = g_strdup (g_array_index (signals, Signal, k).name);
  const gsize total = (gsize) n_samples * ns;
  for (gsize i = 0; i < total; i++)
    {
      int raw;
      if (first->format == 212)
        {
          const guint8 *b = bytes + 3 * (i / 2);
          raw = i % 2 == 0 ? b[0] | (b[1] & 0x0f) << 8 : b[2] | (b[1] & 0xf0) << 4;
          if (raw & 0x800)
            raw -= 0x1000;
        }
      else
        raw = (gint16) (bytes[2 * i] | bytes[2 * i + 1] << 8);
      const Signal *s = &g_array_index (signals, Signal, i % ns);
      ecg->mv[(i % ns) * (gsize) n_samples + i / ns] = (float) ((raw - s->baseline) / s->gain);
    }
  return ecg;
}

GArray *
mt_ecg_read_beats (const char *path,
                   GError    **error)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &size, &local))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ, _("Cannot read the annotations %s: %s"), path,
                   local->message);
      return NULL;
    }
  /* Beats among the MIT codes: normal, bundle branch blocks, aberrant,
   * premature, fusion, escape, paced, unclassified and the rest that
   * WFDB's isqrs() counts as QRS. */
  static const guint8 qrs[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 34, 35, 37, 38, 41 };
  g_autoptr (GArray) beats = g_array_new (FALSE, FALSE, sizeof (guint32));
  gint64 time = 0;
  const guint8 *p = (const guint8 *) data, *end = p + size;
  while (p + 2 <= end)
    {
      guint word = p[0] | p[1] << 8;
      guint code = word >> 10, value = word & 0x3ff;
      p += 2;
      if (code == 0 && value == 0)
        return g_steal_pointer (&beats);
      if (code == 59)                  /* SKIP: a 32-bit interval, high half first */
        {
          if (p + 4 > end)
            break;
          gint32 skip = (gint32) ((guint32) (p[0] | p[1] << 8) << 16 | (guint32) (p[2] | p[3] << 8));
          time += skip;
          p += 4;
          continue;
        }
      if (code == 63)                  /* AUX: value bytes of text, padded to even */
        {
          p += value + (value & 1);
          continue;
        }
      if (code >= 60)                  /* NUM, SUB, CHN: no time of their own */
        continue;
      time += value;
      for (guint k = 0; k < G_N_ELEMENTS (qrs); k++)
        if (code == qrs[k] && time >= 0 && time <= G_MAXUINT32)
          {
            guint32 at = (guint32) time;
            g_array_append_val (beats, at);
            break;
          }
    }
  if (p > end || beats->len == 0)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s is not a complete MIT annotation file (cut short, or no beats in it)."), path);
      return NULL;
    }
  return g_steal_pointer (&beats);
}

/* ---------------------------------------------------------------- CSV */

static MtEcg *
read_csv (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ, _("Cannot read %s: %s"), path, local->message);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto (GStrv) names = NULL;
  int columns = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *l = g_strstrip (lines[i]);
      if (*l == '\0' || *l == '#')
        continue;
      g_auto (GStrv) cells = g_strsplit (l, ",", -1);
      int n = (int) g_strv_length (cells);
      if (columns == 0)
        {
          /* A first line of names (time_s,mV or time,I,II,...). */
          char *end;
          g_ascii_strtod (g_strstrip (cells[0]), &end);
          if (*end != '\0' || end == cells[0])
            {
              columns = n;
              names = g_new0 (char *, n);
              for (int c = 1; c < n; c++)
                names[c - 1] = g_strdup (g_strstrip (cells[c]));
              continue;
            }
          columns = n;
        }
      if (n != columns || columns < 2)
        {
          g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                       _("%s, line %u: %d values where the file has %d columns (time in seconds, then one lead a "
                         "column in mV)."), path, i + 1, n, columns);
          return NULL;
        }
      for (int c = 0; c < n; c++)
        {
          char *cell = g_strstrip (cells[c]), *end;
          double v = g_ascii_strtod (cell, &end);
          if (*end != '\0' || end == cell || !isfinite (v))
            {
              g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s, line %u: “%s” is not a number."), path,
                           i + 1, cell);
              return NULL;
            }
          if (c == 0)
            g_array_append_val (times, v);
          else
            {
              float f = (float) v;
              g_array_append_val (values, f);
            }
        }
    }
  if (times->len < 2)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s holds fewer than two samples."), path);
      return NULL;
    }
  double span = g_array_index (times, double, times->len - 1) - g_array_index (times, double, 0);
  double rate = (times->len - 1) / span;
  if (!(span > 0) || !isfinite (rate))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s: the times do not rise."), path);
      return NULL;
    }
  /* Evenly sampled, as ECGs are: a time that strays a sample off is said. */
  for (guint i = 0; i < times->len; i++)
    if (fabs (g_array_index (times, double, i) - g_array_index (times, double, 0) - i / rate) > 0.5 / rate)
      {
        g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                     _("%s: the samples are not evenly spaced in time (at sample %u)."), path, i + 1);
        return NULL;
      }
  const guint leads = (guint) columns - 1;
  MtEcg *ecg = ecg_new (rate, times->len, leads);
  for (guint l = 0; l < leads; l++)
    {
      ecg->lead_names[l] = g_strdup (names && names[l] && *names[l] ? names[l] : "lead");
      for (guint i = 0; i < times->len; i++)
        ecg->mv[(gsize) l * times->len + i] = g_array_index (values, float, (gsize) i * leads + l);
    }
  return ecg;
}

MtEcg *
mt_ecg_read (const char *path,
             GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *hea = g_strconcat (path, ".hea", NULL);
  if (g_str_has_suffix (lower, ".hea") || g_file_test (hea, G_FILE_TEST_EXISTS))
    return read_wfdb (path, error);
  if (g_str_has_suffix (lower, ".csv"))
    return read_csv (path, error);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ,
                   _("%s: no such file, and no WFDB record %s.hea: give a WFDB record (without .hea), a DICOM "
                     "waveform or a CSV file."), path, path);
      return NULL;
    }
  return mt_dicom_read_waveform (path, error);
}
