/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-dicom"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <new>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include "mt-dicom.h"
#include "mt-dicom-waveform.h"

static double
number (DcmItem *item, const DcmTagKey &tag, double fallback)
{
  Float64 v;
  return item->findAndGetFloat64 (tag, v).good () ? v : fallback;
}

/* mV per unit of a channel's sensitivity units (UCUM codes). */
static double
to_millivolts (DcmItem *channel)
{
  DcmItem *units = NULL;
  OFString code;
  if (channel->findAndGetSequenceItem (DCM_ChannelSensitivityUnitsSequence, units, 0).good () && units != NULL
      && units->findAndGetOFString (DCM_CodeValue, code).good ())
    {
      if (code == "uV")
        return 1e-3;
      if (code == "V")
        return 1e3;
      if (code == "mV")
        return 1.0;
      return NAN;
    }
  return 1e-3;   /* ECGs give microvolts when they say nothing */
}

static MtEcg *
read_impl (const char *path, GError **error)
{
  DcmFileFormat ff;
  OFCondition status = ff.loadFile (path);
  if (status.bad ())
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_READ, _("%s is not a DICOM file that can be read (%s)."), path,
                   status.text ());
      return NULL;
    }
  DcmDataset *ds = ff.getDataset ();
  DcmItem *wave = NULL;
  if (ds->findAndGetSequenceItem (DCM_WaveformSequence, wave, 0).bad () || wave == NULL)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s holds no waveform (no Waveform Sequence): open an ECG, not an image."), path);
      return NULL;
    }
  Uint16 channels = 0, bits = 0;
  Uint32 samples = 0;
  OFString interpretation;
  double rate = number (wave, DCM_SamplingFrequency, 0);
  wave->findAndGetUint16 (DCM_NumberOfWaveformChannels, channels);
  wave->findAndGetUint32 (DCM_NumberOfWaveformSamples, samples);
  wave->findAndGetUint16 (DCM_WaveformBitsAllocated, bits);
  wave->findAndGetOFString (DCM_WaveformSampleInterpretation, interpretation);
  if (channels == 0 || samples == 0 || !(rate > 0) || !(bits == 16 && (interpretation == "SS" || interpretation == "US")))
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s: a waveform of %u channels, %u samples at %g Hz, %u-bit %s cannot be read; 16-bit samples "
                     "(SS or US) are."), path, channels, samples, rate, bits, interpretation.c_str ());
      return NULL;
    }
  const Uint16 *data = NULL;
  unsigned long count = 0;
  if (wave->findAndGetUint16Array (DCM_WaveformData, data, &count).bad () || data == NULL
      || count < (unsigned long) channels * samples)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s: the waveform data is shorter than %u channels of %u samples; the file is damaged."), path,
                   channels, samples);
      return NULL;
    }
  MtEcg *ecg = g_new0 (MtEcg, 1);
  ecg->sampling_rate_hz = rate;
  ecg->n_samples = samples;
  ecg->n_leads = channels;
  ecg->lead_names = g_new0 (char *, channels + 1);
  ecg->mv = g_new (float, (gsize) channels * samples);
  ecg->r_peaks = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (Uint16 c = 0; c < channels; c++)
    {
      DcmItem *channel = NULL;
      wave->findAndGetSequenceItem (DCM_ChannelDefinitionSequence, channel, c);
      double sensitivity = 1, correction = 1, baseline = 0, scale = 1e-3;
      OFString name;
      if (channel != NULL)
        {
          sensitivity = number (channel, DCM_ChannelSensitivity, 1);
          correction = number (channel, DCM_ChannelSensitivityCorrectionFactor, 1);
          baseline = number (channel, DCM_ChannelBaseline, 0);
          scale = to_millivolts (channel);
          DcmItem *source = NULL;
          if (channel->findAndGetSequenceItem (DCM_ChannelSourceSequence, source, 0).good () && source != NULL)
            source->findAndGetOFString (DCM_CodeMeaning, name);
        }
      ecg->lead_names[c] = name.empty () ? g_strdup_printf ("channel %u", c + 1) : g_strdup (name.c_str ());
      if (std::isnan (scale))
        {
          g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                       _("%s: channel %u is not in volts; only voltage waveforms (ECG) are read."), path, c + 1);
          mt_ecg_free (ecg);
          return NULL;
        }
      float *out = ecg->mv + (gsize) c * samples;
      for (Uint32 i = 0; i < samples; i++)
        {
          Uint16 raw = data[(gsize) i * channels + c];
          double value = interpretation == "SS" ? (double) (Sint16) raw : (double) raw;
          out[i] = (float) ((value * sensitivity * correction + baseline) * scale);
        }
    }
  return ecg;
}

MtEcg *
mt_dicom_read_waveform (const char *path,
                        GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  mt_dicom_init ();
  try
    {
      return read_impl (path, error);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT,
                   _("%s: the waveform asks for more memory than there is; the file is damaged"), path);
    }
  catch (...)
    {
      g_set_error (error, MT_ECG_ERROR, MT_ECG_ERROR_FORMAT, _("%s: unexpected failure while reading the waveform"),
                   path);
    }
  return NULL;
}
