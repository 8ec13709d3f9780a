/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-series"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "mt-dicom.h"
#include "mt-parallel.h"
#include "mt-progress.h"
#include "mt-nifti.h"
#include "mt-nrrd.h"
#include "mt-series.h"
#include "mt-volume.h"

G_DEFINE_QUARK (mt-series-error-quark, mt_series_error)

/* Slices closer than this along the normal are taken as one position. */
#define SAME_POSITION_MM 0.01

void
mt_series_free (MtSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->series_uid);
  g_free (series->description);
  g_free (series->modality);
  g_ptr_array_unref (series->slices);
  g_free (series);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static gboolean
is_dicomdir (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  return g_ascii_strcasecmp (base, "DICOMDIR") == 0;
}

static void
collect_files (const char *path,
               GPtrArray  *files,
               int         depth)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* A DICOMDIR named on its own stands for the files it lists; met while
       * walking a folder, the walk finds those files anyway. */
      if (depth == 0 && is_dicomdir (path) && mt_dicom_read_dicomdir (path, files, NULL))
        return;
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  if (depth > 32)
    return;
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_ascii_strcasecmp (name, "DICOMDIR") != 0)
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* A stable order, so warnings and errors read the same on every run. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    collect_files (names->pdata[i], files, depth + 1);
}

typedef struct
{
  GPtrArray     *files;
  MtDicomSlice **headers;
  GError       **errors;
  MtProgress    *progress;
  GCancellable  *cancellable;
  gint           done;
} ScanJob;

static void
scan_one (gsize    i,
          gpointer data)
{
  ScanJob *job = data;
  if (g_cancellable_is_cancelled (job->cancellable))
    return;
  job->headers[i] = mt_dicom_read_header (job->files->pdata[i], &job->errors[i]);
  int done = g_atomic_int_add (&job->done, 1) + 1;
  mt_progress_update (job->progress, (double) done / job->files->len);
}

/* Why a readable DICOM file still cannot be a slice of a volume, or NULL. */
static char *
unusable_reason (const MtDicomSlice *s)
{
  if (s->rows <= 0 && s->columns <= 0)
    return s->sop_class_name
      ? g_strdup_printf (_("%s: this file holds no image (it is a %s)"), s->path, s->sop_class_name)
      : g_strdup_printf (_("%s: this file holds no image"), s->path);
  if (s->rows <= 0 || s->columns <= 0)
    return g_strdup_printf (_("%s: the image has no size (Rows %d, Columns %d); "
                              "it is not an image or its header is damaged"),
                            s->path, s->rows, s->columns);
  if (s->bits_allocated == 0)
    return g_strdup_printf (_("%s: BitsAllocated is missing; the pixel format is unknown"), s->path);
  if (s->frames <= 0)
    return g_strdup_printf (_("%s: NumberOfFrames is %d"), s->path, s->frames);
  return NULL;
}

static void
slice_normal (const MtDicomSlice *s,
              double              n[3])
{
  const double *r = s->orientation, *c = s->orientation + 3;
  n[0] = r[1] * c[2] - r[2] * c[1];
  n[1] = r[2] * c[0] - r[0] * c[2];
  n[2] = r[0] * c[1] - r[1] * c[0];
  double len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  if (len > 0)
    for (int a = 0; a < 3; a++)
      n[a] /= len;
}

static double
along_normal (const MtDicomSlice *s,
              const double        n[3])
{
  return s->position[0] * n[0] + s->position[1] * n[1] + s->position[2] * n[2];
}

/* Which part of complex MR data an image holds, from its ImageType: 'P'
 * phase, 'R' real, 'I' imaginary, else 'M'. Other ImageType values (GE's ADD,
 * for one) do not split an acquisition. */
static char
complex_part (const char *image_type)
{
  if (image_type == NULL)
    return 'M';
  g_auto (GStrv) values = g_strsplit (image_type, "\\", -1);
  for (int i = 0; values[i]; i++)
    {
      const char *v = g_strstrip (values[i]);
      if (g_str_equal (v, "P") || g_str_equal (v, "PHASE"))
        return 'P';
      if (g_str_equal (v, "R") || g_str_equal (v, "REAL"))
        return 'R';
      if (g_str_equal (v, "I") || g_str_equal (v, "IMAGINARY"))
        return 'I';
    }
  return 'M';
}

/* Images of one stack share series, matrix, colour model and orientation,
 * and within a series (as dcm2niix splits them) echo and complex part: a
 * dual-echo or magnitude-and-phase series is two volumes, not duplicates. */
static char *
stack_key (const MtDicomSlice *s)
{
  const char *uid = s->series_uid ? s->series_uid : "";
  g_autofree char *volume = g_strdup_printf ("%s|e%d|%c", s->volume_key ? s->volume_key : "", s->echo_number,
                                             complex_part (s->image_type));
  if (!s->has_orientation)
    return g_strdup_printf ("%s|%s|%dx%dx%d", uid, volume, s->columns, s->rows, s->samples_per_pixel);
  return g_strdup_printf ("%s|%s|%dx%dx%d|%.3f,%.3f,%.3f,%.3f,%.3f,%.3f", uid, volume, s->columns, s->rows,
                          s->samples_per_pixel,
                          s->orientation[0], s->orientation[1], s->orientation[2],
                          s->orientation[3], s->orientation[4], s->orientation[5]);
}

static void
add_to_stack (GHashTable *stacks, GPtrArray *order, MtDicomSlice *h)
{
  char *key = stack_key (h);
  GPtrArray *stack = g_hash_table_lookup (stacks, key);
  if (stack == NULL)
    {
      stack = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_dicom_slice_free);
      g_hash_table_insert (stacks, key, stack);
      g_ptr_array_add (order, stack);
    }
  else
    g_free (key);
  g_ptr_array_add (stack, h);
}

static int
compare_position (gconstpointer a,
                  gconstpointer b,
                  gpointer      normal)
{
  const MtDicomSlice *sa = *(MtDicomSlice * const *) a;
  const MtDicomSlice *sb = *(MtDicomSlice * const *) b;
  double da = along_normal (sa, normal), db = along_normal (sb, normal);
  if (da != db)
    return da < db ? -1 : 1;
  return sa->instance_number - sb->instance_number;
}

static int
compare_size (gconstpointer a,
              gconstpointer b)
{
  const MtSeries *sa = *(MtSeries * const *) a;
  const MtSeries *sb = *(MtSeries * const *) b;
  return (int) sb->slices->len - (int) sa->slices->len;
}

static MtSeries *
make_series (GPtrArray *slices)
{
  MtSeries *series = g_new0 (MtSeries, 1);
  MtDicomSlice *first = slices->pdata[0];
  series->series_uid = g_strdup (first->series_uid);
  series->description = g_strdup (first->series_description);
  series->modality = g_strdup (first->modality);
  series->slices = g_ptr_array_ref (slices);
  if (first->has_orientation)
    slice_normal (first, series->normal);
  else
    series->normal[2] = 1.0;

  gboolean all_positioned = TRUE;
  for (guint i = 0; i < slices->len; i++)
    all_positioned &= ((MtDicomSlice *) slices->pdata[i])->has_position;
  /* Position along the normal is the only order that is always right; file
   * names and InstanceNumber are whatever the exporter made of them. */
  if (all_positioned && first->has_orientation)
    g_ptr_array_sort_with_data (slices, compare_position, series->normal);
  return series;
}

GPtrArray *
mt_series_read_headers (const char * const *paths,
                        MtProgress         *progress,
                        GCancellable       *cancellable,
                        MtScanReport       *report,
                        GError            **error)
{
  g_return_val_if_fail (paths != NULL, NULL);
  memset (report, 0, sizeof *report);

  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  for (guint p = 0; paths[p] != NULL; p++)
    {
      if (!g_file_test (paths[p], G_FILE_TEST_EXISTS))
        {
          g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_NO_IMAGES,
                       _ ("%s: no such file or folder"), paths[p]);
          return NULL;
        }
      collect_files (paths[p], files, 0);
    }
  if (files->len == 0)
    {
      g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_NO_IMAGES,
                   _ ("%s: the folder is empty; choose the folder that holds the DICOM files"),
                   paths[0]);
      return NULL;
    }

  ScanJob job = { 0 };
  job.files = files;
  job.headers = g_new0 (MtDicomSlice *, files->len);
  job.errors = g_new0 (GError *, files->len);
  job.progress = progress;
  job.cancellable = cancellable;
  mt_progress_set_stage (progress, 0.0, 0.15, N_ ("Reading headers"));
  mt_parallel_for (files->len, scan_one, &job);

  GPtrArray *result = NULL;
  report->n_files = files->len;
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      result = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_dicom_slice_free);
      for (guint i = 0; i < files->len; i++)
        {
          MtDicomSlice *h = job.headers[i];
          char *why = h ? unusable_reason (h) : g_strdup (job.errors[i]->message);
          if (why != NULL)
            {
              report->n_skipped++;
              if (report->first_problem == NULL)
                report->first_problem = why;
              else
                g_free (why);
              g_clear_pointer (&job.headers[i], mt_dicom_slice_free);
              continue;
            }
          g_ptr_array_add (result, g_steal_pointer (&job.headers[i]));
        }
    }
  for (guint i = 0; i < files->len; i++)
    {
      g_clear_pointer (&job.headers[i], mt_dicom_slice_free);
      g_clear_error (&job.errors[i]);
    }
  g_free (job.headers);
  g_free (job.errors);
  return result;
}

GPtrArray *
mt_series_group (GPtrArray *headers)
{
  g_autoptr (GHashTable) stacks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  for (guint i = 0; i < headers->len; i++)
    {
      MtDicomSlice *h = headers->pdata[i];
      /* An enhanced image is a stack of its own: one slice per frame, each
       * with the geometry and rescale its functional groups give. */
      if (h->n_frame_info > 0)
        for (int f = 0; f < h->n_frame_info; f++)
          add_to_stack (stacks, order, mt_dicom_slice_for_frame (h, f));
      else
        add_to_stack (stacks, order, g_steal_pointer (&headers->pdata[i]));
    }
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_series_free);
  for (guint i = 0; i < order->len; i++)
    g_ptr_array_add (result, make_series (order->pdata[i]));
  g_ptr_array_sort (result, compare_size);
  return result;
}

void
mt_scan_report_clear (MtScanReport *report)
{
  g_clear_pointer (&report->first_problem, g_free);
}

GPtrArray *
mt_series_scan (const char * const *paths,
                MtProgress         *progress,
                GCancellable       *cancellable,
                GError            **error)
{
  MtScanReport report;
  g_autoptr (GPtrArray) headers = mt_series_read_headers (paths, progress, cancellable, &report, error);
  if (headers == NULL)
    return NULL;
  if (headers->len == 0)
    {
      if (report.n_files == 1)
        g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_NO_IMAGES, "%s", report.first_problem);
      else
        g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_NO_IMAGES,
                     _ ("None of the %u files under %s is a DICOM image; the first said: %s"),
                     report.n_files, paths[0], report.first_problem);
      mt_scan_report_clear (&report);
      return NULL;
    }
  GPtrArray *result = mt_series_group (headers);
  for (guint i = 0; i < result->len; i++)
    ((MtSeries *) result->pdata[i])->n_skipped = report.n_skipped;
  mt_scan_report_clear (&report);
  return result;
}

typedef struct
{
  int                 k;       /* where in the volume */
  const MtDicomSlice *slice;   /* which frame, with its rescale */
} Slot;

typedef struct
{
  const MtDicomSlice *header;
  GArray             *slots;   /* Slot */
} FileWork;

typedef struct
{
  GPtrArray    *files;         /* FileWork* */
  MtVolume     *volume;
  gsize         plane;
  guint         n_slices;
  MtProgress   *progress;
  GCancellable *cancellable;
  GMutex        lock;
  GError       *error;
  gint          done;
} LoadJob;

static void
file_work_free (FileWork *w)
{
  g_array_unref (w->slots);
  g_free (w);
}

static gboolean
decode_file (const LoadJob *job, const FileWork *w, GError **error)
{
  const MtDicomSlice *h = w->header;
  if (h->samples_per_pixel == 3 && h->frame_index < 0 && job->volume->rgb != NULL)
    {
      /* Colour: the exact RGB for display, its luminance (Rec. 601) for
       * everything else. */
      const Slot *slot = &g_array_index (w->slots, Slot, 0);
      guint8 *rgb = job->volume->rgb + (gsize) slot->k * job->plane * 3;
      if (!mt_dicom_read_rgb (h, rgb, job->plane * h->frames, error))
        return FALSE;
      float *lum = job->volume->data + (gsize) slot->k * job->plane;
      for (gsize i = 0; i < job->plane * h->frames; i++)
        lum[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
      return TRUE;
    }
  if (h->frame_index < 0)
    {
      const Slot *slot = &g_array_index (w->slots, Slot, 0);
      return mt_dicom_read_pixels (h, job->volume->data + (gsize) slot->k * job->plane,
                                   job->plane * h->frames, error);
    }
  /* Stored values of every frame, then each frame's own rescale. */
  MtDicomSlice raw = *h;
  raw.frames = h->file_frames;
  raw.rescale_slope = 1.0;
  raw.rescale_intercept = 0.0;
  g_autofree float *values = g_try_malloc (job->plane * raw.frames * sizeof (float));
  if (values == NULL)
    {
      g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_GEOMETRY,
                   _("%s: not enough memory to decode %d frames"), h->path, raw.frames);
      return FALSE;
    }
  if (!mt_dicom_read_pixels (&raw, values, job->plane * raw.frames, error))
    return FALSE;
  for (guint s = 0; s < w->slots->len; s++)
    {
      const Slot *slot = &g_array_index (w->slots, Slot, s);
      const float *src = values + (gsize) slot->slice->frame_index * job->plane;
      float *dst = job->volume->data + (gsize) slot->k * job->plane;
      const float slope = (float) slot->slice->rescale_slope;
      const float intercept = (float) slot->slice->rescale_intercept;
      for (gsize i = 0; i < job->plane; i++)
        dst[i] = src[i] * slope + intercept;
    }
  return TRUE;
}

static void
load_one (gsize    i,
          gpointer data)
{
  LoadJob *job = data;
  if (g_cancellable_is_cancelled (job->cancellable) || g_atomic_pointer_get (&job->error) != NULL)
    return;
  const FileWork *w = job->files->pdata[i];
  GError *local = NULL;
  if (!decode_file (job, w, &local))
    {
      g_mutex_lock (&job->lock);
      if (job->error == NULL)
        job->error = local;
      else
        g_clear_error (&local);
      g_mutex_unlock (&job->lock);
      return;
    }
  int done = g_atomic_int_add (&job->done, (gint) w->slots->len) + (gint) w->slots->len;
  mt_progress_update (job->progress, (double) done / job->n_slices);
}

/* One unit of work per file, in slice order. */
static GPtrArray *
plan_files (GPtrArray *slices)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_work_free);
  g_autoptr (GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < slices->len; k++)
    {
      const MtDicomSlice *h = slices->pdata[k];
      FileWork *w = h->frame_index >= 0 ? g_hash_table_lookup (by_path, h->path) : NULL;
      if (w == NULL)
        {
          w = g_new0 (FileWork, 1);
          w->header = h;
          w->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
          g_ptr_array_add (files, w);
          if (h->frame_index >= 0)
            g_hash_table_insert (by_path, h->path, w);
        }
      Slot slot = { (int) k, h };
      g_array_append_val (w->slots, slot);
    }
  return files;
}

/* Drops slices that repeat a position (keeping the first), and says so. */
static void
drop_duplicates (MtSeries *series,
                 MtVolume *volume)
{
  GPtrArray *s = series->slices;
  guint dropped = 0;
  for (guint i = 1; i < s->len;)
    {
      double d = along_normal (s->pdata[i], series->normal) - along_normal (s->pdata[i - 1], series->normal);
      if (fabs (d) < SAME_POSITION_MM)
        {
          g_ptr_array_remove_index (s, i);
          dropped++;
        }
      else
        i++;
    }
  if (dropped)
    mt_volume_add_warning (volume, _ ("%u slice(s) repeat the position of another slice and were left out"), dropped);
}

/* In-plane geometry and metadata common to every slice. */
static void
set_plane_geometry (MtSeries *series,
                    MtVolume *v)
{
  MtDicomSlice *first = series->slices->pdata[0];
  double row[3] = { 1, 0, 0 }, col[3] = { 0, 1, 0 };
  if (first->has_orientation)
    {
      memcpy (row, first->orientation, sizeof row);
      memcpy (col, first->orientation + 3, sizeof col);
    }
  else
    mt_volume_add_warning (v, _("The images have no ImageOrientationPatient; axial orientation is assumed"));

  if (first->has_pixel_spacing)
    {
      /* PixelSpacing is (row spacing, column spacing): along j first, then i. */
      v->spacing[0] = first->pixel_spacing[1];
      v->spacing[1] = first->pixel_spacing[0];
    }
  else
    mt_volume_add_warning (v, _("The images have no PixelSpacing; 1 mm pixels are assumed and distances are not real"));
  if (v->spacing[0] <= 0 || v->spacing[1] <= 0)
    {
      mt_volume_add_warning (v, _("PixelSpacing %g\\%g is not positive; 1 mm pixels are assumed"),
                             first->pixel_spacing[0], first->pixel_spacing[1]);
      v->spacing[0] = v->spacing[1] = 1.0;
    }
  if (first->has_position)
    memcpy (v->origin, first->position, sizeof v->origin);
  for (int r = 0; r < 3; r++)
    {
      v->direction[r * 3 + 0] = row[r];
      v->direction[r * 3 + 1] = col[r];
      v->direction[r * 3 + 2] = series->normal[r];
    }
  v->spacing[2] = first->spacing_between_slices > 0 ? first->spacing_between_slices
                : first->slice_thickness > 0 ? first->slice_thickness : 1.0;
}

typedef struct
{
  const MtVolume *raw;
  MtVolume       *out;
  const double   *along;     /* each raw slice's position along the normal */
  const double   *shift;     /* each raw slice's in-plane offset from slice 0, in pixels (u, v) */
  guint           n;
  float           fill;
} RegularJob;

static float
bilinear (const MtVolume *raw, int k, double u, double v, float fill)
{
  const int w = raw->dims[0], h = raw->dims[1];
  if (u < -0.5 || v < -0.5 || u > w - 0.5 || v > h - 0.5)
    return fill;
  u = CLAMP (u, 0.0, w - 1.0);
  v = CLAMP (v, 0.0, h - 1.0);
  int i = MIN ((int) u, w - 2 < 0 ? 0 : w - 2), j = MIN ((int) v, h - 2 < 0 ? 0 : h - 2);
  double tu = w > 1 ? u - i : 0, tv = h > 1 ? v - j : 0;
  const float *p = raw->data + mt_volume_offset (raw, i, j, k);
  const int di = w > 1 ? 1 : 0, dj = h > 1 ? w : 0;
  return (float) ((1 - tv) * ((1 - tu) * p[0] + tu * p[di]) + tv * ((1 - tu) * p[dj] + tu * p[dj + di]));
}

static void
regular_slice (gsize    m,
               gpointer data)
{
  RegularJob *job = data;
  const MtVolume *raw = job->raw;
  MtVolume *out = job->out;
  double d = job->along[0] + m * out->spacing[2];
  guint k = 0;
  while (k + 2 < job->n && job->along[k + 1] < d)
    k++;
  double t = CLAMP ((d - job->along[k]) / (job->along[k + 1] - job->along[k]), 0.0, 1.0);
  float *dst = out->data + mt_volume_offset (out, 0, 0, (int) m);
  /* Output voxel (i, j) lies at in-plane pixel (i - shift) of each raw slice:
   * exact for tilted stacks, whose slices slide along the column axis. */
  const double *s0 = job->shift + 2 * k, *s1 = job->shift + 2 * (k + 1);
  const gboolean whole = s0[0] == 0 && s0[1] == 0 && s1[0] == 0 && s1[1] == 0;
  const float *a = raw->data + mt_volume_offset (raw, 0, 0, (int) k);
  const float *b = raw->data + mt_volume_offset (raw, 0, 0, (int) k + 1);
  for (int j = 0; j < out->dims[1]; j++)
    for (int i = 0; i < out->dims[0]; i++, dst++)
      {
        if (whole)
          {
            gsize o = (gsize) j * raw->dims[0] + i;
            *dst = (float) ((1 - t) * a[o] + t * b[o]);
          }
        else
          *dst = (float) ((1 - t) * bilinear (raw, (int) k, i - s0[0], j - s0[1], job->fill)
                          + t * bilinear (raw, (int) k + 1, i - s1[0], j - s1[1], job->fill));
      }
}

/* Slices that do not stack into a regular orthogonal grid (uneven steps,
 * gaps, gantry tilt) are resampled onto one, and the user is told how.
 * The grid step is the smallest step of at least half a slice thickness, so
 * a stray near-duplicate cannot blow the grid up. */
static MtVolume *
finish_geometry (MtSeries  *series,
                 MtVolume  *raw,
                 GError   **error)
{
  set_plane_geometry (series, raw);
  const guint n = series->slices->len;
  MtDicomSlice *first = series->slices->pdata[0];
  /* Colour images (photographs, screen captures, cine) are shown as acquired. */
  if (n < 2 || !first->has_position || raw->rgb != NULL)
    return mt_volume_ref (raw);

  g_autofree double *along = g_new (double, n);
  g_autofree double *shift = g_new (double, 2 * n);
  double min_ok = G_MAXDOUBLE, lo = G_MAXDOUBLE, hi = 0, max_tilt = 0;
  const double *row = raw->direction, *n3 = series->normal;
  for (guint k = 0; k < n; k++)
    {
      const MtDicomSlice *s = series->slices->pdata[k];
      along[k] = along_normal (s, n3);
      double off[3], in_plane = 0, a = along[k] - along[0];
      for (int c = 0; c < 3; c++)
        off[c] = s->position[c] - first->position[c];
      shift[2 * k] = (off[0] * row[0] + off[1] * row[3] + off[2] * row[6]) / raw->spacing[0];
      shift[2 * k + 1] = (off[0] * row[1] + off[1] * row[4] + off[2] * row[7]) / raw->spacing[1];
      in_plane = hypot (shift[2 * k] * raw->spacing[0], shift[2 * k + 1] * raw->spacing[1]);
      if (k > 0)
        max_tilt = MAX (max_tilt, atan2 (in_plane, a) * 180.0 / G_PI);
      if (k > 0)
        {
          double step = along[k] - along[k - 1];
          lo = MIN (lo, step);
          hi = MAX (hi, step);
          if (step >= 0.5 * first->slice_thickness)
            min_ok = MIN (min_ok, step);
        }
    }
  const double mean = (along[n - 1] - along[0]) / (n - 1);
  const gboolean uneven = hi - lo > 0.01 + 0.01 * mean;
  const gboolean tilted = max_tilt > 0.1;
  if (!uneven && !tilted)
    {
      /* Regular: slice k sits exactly at along[k]; keep the raw voxels. */
      raw->spacing[2] = mean;
      return mt_volume_ref (raw);
    }

  double step = uneven ? (min_ok < G_MAXDOUBLE ? min_ok : mean) : mean;
  int nz = (int) floor ((along[n - 1] - along[0]) / step + 0.5) + 1;
  MtVolume *out = mt_volume_new (raw->dims[0], raw->dims[1], nz, error);
  if (out == NULL)
    return NULL;
  memcpy (out->origin, raw->origin, sizeof out->origin);
  memcpy (out->direction, raw->direction, sizeof out->direction);
  out->spacing[0] = raw->spacing[0];
  out->spacing[1] = raw->spacing[1];
  out->spacing[2] = step;
  for (guint w = 0; w < raw->warnings->len; w++)
    g_ptr_array_add (out->warnings, g_strdup (raw->warnings->pdata[w]));

  float fill;
  mt_volume_get_range (raw, &fill, NULL);
  RegularJob job = { raw, out, along, shift, n, fill };
  mt_parallel_for ((gsize) nz, regular_slice, &job);

  if (tilted)
    mt_volume_add_warning (out, _("The slices were acquired with a gantry tilt of %.1f degrees; they were "
                                  "resampled onto an orthogonal grid so shapes and distances are true"),
                           max_tilt);
  if (uneven)
    mt_volume_add_warning (out, _("Slice spacing is uneven (from %.3g to %.3g mm); the scan was resampled "
                                  "onto a regular %.3g mm grid by interpolating between slices"),
                           lo, hi, step);
  if (hi > 2.0 * step && hi > 1.5 * mean)
    mt_volume_add_warning (out, _("Slices are missing: a gap of %.3g mm was filled by interpolation; do not "
                                  "measure or diagnose there"), hi);
  return out;
}

/* Stored values are integers of known width: with whole-number rescale the
 * volume's values are whole numbers within bounds known from the headers, so
 * writers need not scan the voxels to choose a type. */
static void
integer_bounds (MtSeries *series, MtVolume *v)
{
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  for (guint i = 0; i < series->slices->len; i++)
    {
      const MtDicomSlice *h = series->slices->pdata[i];
      if (h->samples_per_pixel != 1 || h->bits_stored < 1 || h->bits_stored > 16
          || h->rescale_slope != rint (h->rescale_slope) || h->rescale_intercept != rint (h->rescale_intercept))
        return;
      double s_lo = h->pixel_representation ? -ldexp (1.0, h->bits_stored - 1) : 0.0;
      double s_hi = h->pixel_representation ? ldexp (1.0, h->bits_stored - 1) - 1 : ldexp (1.0, h->bits_stored) - 1;
      double a = s_lo * h->rescale_slope + h->rescale_intercept, b = s_hi * h->rescale_slope + h->rescale_intercept;
      lo = MIN (lo, MIN (a, b));
      hi = MAX (hi, MAX (a, b));
    }
  v->integer_values = TRUE;
  v->value_min = lo;
  v->value_max = hi;
}

guint64
mt_series_memory_budget (void)
{
  const char *env = g_getenv ("MEDTWIN_MEMORY_BUDGET_MB");
  if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
    return g_ascii_strtoull (env, NULL, 10) * 1024 * 1024;
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  if (pages <= 0 || page <= 0)
    return (guint64) 4 << 30;
  return (guint64) pages * (guint64) page / 2;
}

guint64
mt_series_memory_needed (const MtSeries *series)
{
  const MtDicomSlice *first = series->slices->pdata[0];
  guint64 plane = (guint64) MAX (first->rows, 0) * (guint64) MAX (first->columns, 0);
  guint64 nz = series->slices->len == 1 ? (guint64) MAX (first->frames, 1) : series->slices->len;
  /* The float volume, and as much again if it must be resampled onto a
   * regular grid; an enhanced file also holds all its frames while decoding. */
  guint64 need = 2 * plane * nz * sizeof (float) + (first->samples_per_pixel == 3 ? plane * nz * 3 : 0);
  if (first->frame_index >= 0)
    need += plane * (guint64) first->file_frames * sizeof (float) * mt_parallel_n_threads ();
  return need;
}

MtVolume *
mt_series_load (MtSeries     *series,
                MtProgress   *progress,
                GCancellable *cancellable,
                GError      **error)
{
  g_return_val_if_fail (series != NULL && series->slices->len > 0, NULL);

  MtDicomSlice *first = series->slices->pdata[0];
  /* Drop duplicates on a probe volume first so the grid is sized right. */
  g_autoptr (MtVolume) probe = mt_volume_new (1, 1, 1, error);
  if (probe == NULL)
    return NULL;
  drop_duplicates (series, probe);

  /* Header numbers are untrusted: check what they ask for before any of it
   * is allocated. */
  guint64 need = mt_series_memory_needed (series), budget = mt_series_memory_budget ();
  if (need > budget)
    {
      g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_TOO_LARGE,
                   _("This series needs up to %.1f GB of memory (%d x %d pixels, %u images) but the "
                     "budget is %.1f GB; open a smaller series, or raise MEDTWIN_MEMORY_BUDGET_MB "
                     "if this machine has the memory"),
                   need / 1e9, first->columns, first->rows,
                   series->slices->len == 1 ? (guint) first->frames : series->slices->len, budget / 1e9);
      return NULL;
    }
  const guint n = series->slices->len;
  const int nz = n == 1 ? first->frames : (int) n;
  if (n > 1)
    for (guint i = 0; i < n; i++)
      if (((MtDicomSlice *) series->slices->pdata[i])->frames != 1)
        {
          g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_GEOMETRY,
                       _ ("%s: a multi-frame image inside a series of single images is not supported"),
                       ((MtDicomSlice *) series->slices->pdata[i])->path);
          return NULL;
        }

  g_autoptr (MtVolume) v = mt_volume_new (first->columns, first->rows, nz, error);
  if (v == NULL)
    return NULL;
  if (first->samples_per_pixel == 3)
    {
      if (first->frame_index >= 0)
        {
          g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_GEOMETRY,
                       _("%s: colour enhanced multi-frame images are not supported yet"), first->path);
          return NULL;
        }
      v->rgb = g_try_malloc (mt_volume_n_voxels (v) * 3);
      if (v->rgb == NULL)
        {
          g_set_error (error, MT_SERIES_ERROR, MT_SERIES_ERROR_TOO_LARGE,
                       _("Not enough memory for the colour images of this series"));
          return NULL;
        }
    }
  for (guint w = 0; w < probe->warnings->len; w++)
    g_ptr_array_add (v->warnings, g_strdup (probe->warnings->pdata[w]));

  LoadJob job = { 0 };
  job.files = plan_files (series->slices);
  job.volume = v;
  job.plane = (gsize) first->columns * first->rows;
  job.n_slices = (guint) nz;
  job.progress = progress;
  job.cancellable = cancellable;
  g_mutex_init (&job.lock);
  mt_progress_set_stage (progress, 0.15, 1.0, N_ ("Decoding images"));
  mt_parallel_for (job.files->len, load_one, &job);
  g_mutex_clear (&job.lock);
  g_ptr_array_unref (job.files);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  MtVolume *out = finish_geometry (series, v, error);
  if (out == v)
    integer_bounds (series, out);
  if (out != NULL)
    {
      out->modality = g_strdup (first->modality);
      out->patient_name = g_strdup (first->patient_name);
      out->patient_id = g_strdup (first->patient_id);
      out->study_uid = g_strdup (first->study_uid);
      out->series_uid = g_strdup (first->series_uid);
      out->series_description = g_strdup (first->series_description);
      out->frame_of_reference_uid = g_strdup (first->frame_of_reference_uid);
      out->study_date = g_strdup (first->study_date);
      out->window_center = first->window_center;
      out->window_width = first->window_width;
      out->invert_display = g_strcmp0 (first->photometric, "MONOCHROME1") == 0;
    }
  return out;
}

gboolean
mt_series_is_volume_file (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  return g_str_has_suffix (lower, ".nii") || g_str_has_suffix (lower, ".nii.gz") || g_str_has_suffix (lower, ".nrrd")
         || g_str_has_suffix (lower, ".nhdr");
}

MtVolume *
mt_series_read_volume_paths (const char * const *paths,
                             MtProgress         *progress,
                             GCancellable       *cancellable,
                             GError            **error)
{
  /* One NIfTI or NRRD file (a converted scan, a segmentation): its own
   * reader. */
  if (paths != NULL && paths[0] != NULL && paths[1] == NULL && mt_series_is_volume_file (paths[0]))
    {
      g_autofree char *lower = g_ascii_strdown (paths[0], -1);
      return g_str_has_suffix (lower, ".nrrd") || g_str_has_suffix (lower, ".nhdr") ? mt_nrrd_read (paths[0], error)
                                                                                    : mt_nifti_read (paths[0], error);
    }
  g_autoptr (GPtrArray) all = mt_series_scan (paths, progress, cancellable, error);
  if (all == NULL)
    return NULL;
  MtVolume *v = mt_series_load (all->pdata[0], progress, cancellable, error);
  if (v != NULL && all->len > 1)
    mt_volume_add_warning (v, _ ("%s holds %u image stacks; the largest (%u images) was opened"),
                           paths[0], all->len, ((MtSeries *) all->pdata[0])->slices->len);
  return v;
}

MtVolume *
mt_series_read_volume (const char   *path,
                       MtProgress   *progress,
                       GCancellable *cancellable,
                       GError      **error)
{
  const char *paths[] = { path, NULL };
  return mt_series_read_volume_paths (paths, progress, cancellable, error);
}
