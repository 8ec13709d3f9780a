/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-progress"

#include "config.h"

#include "mt-progress.h"

/* Progress may be reported from several worker threads at once; each stage maps
 * its own 0..1 onto a sub-range of the whole, so one bar covers a multi-step job. */
struct _MtProgress
{
  gatomicrefcount ref;
  GMutex          lock;
  MtProgressFunc  func;
  gpointer        user_data;
  GMainContext   *context;
  double          stage_start;
  double          stage_end;
  char           *message;
  double          fraction;
  double          last_reported;
};

typedef struct
{
  MtProgress *progress;
  double      fraction;
  char       *message;
} Report;

MtProgress *
mt_progress_new (MtProgressFunc func,
                 gpointer       user_data,
                 GMainContext  *context)
{
  MtProgress *p = g_new0 (MtProgress, 1);
  g_atomic_ref_count_init (&p->ref);
  g_mutex_init (&p->lock);
  p->func = func;
  p->user_data = user_data;
  p->context = context ? g_main_context_ref (context) : NULL;
  p->stage_end = 1.0;
  p->last_reported = -1.0;
  return p;
}

MtProgress *
mt_progress_ref (MtProgress *progress)
{
  g_atomic_ref_count_inc (&progress->ref);
  return progress;
}

void
mt_progress_unref (MtProgress *progress)
{
  if (!g_atomic_ref_count_dec (&progress->ref))
    return;
  g_clear_pointer (&progress->context, g_main_context_unref);
  g_free (progress->message);
  g_mutex_clear (&progress->lock);
  g_free (progress);
}

static gboolean
deliver (gpointer data)
{
  Report *r = data;
  r->progress->func (r->fraction, r->message, r->progress->user_data);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *r = data;
  mt_progress_unref (r->progress);
  g_free (r->message);
  g_free (r);
}

static void
report (MtProgress *p,
        gboolean    force)
{
  /* Called with the lock held. At most ~200 reports per job reach the UI. */
  if (p->func == NULL || (!force && p->fraction - p->last_reported < 0.005))
    return;
  p->last_reported = p->fraction;
  if (p->context == NULL)
    {
      p->func (p->fraction, p->message, p->user_data);
      return;
    }
  Report *r = g_new0 (Report, 1);
  r->progress = mt_progress_ref (p);
  r->fraction = p->fraction;
  r->message = g_strdup (p->message);
  g_main_context_invoke_full (p->context, G_PRIORITY_DEFAULT, deliver, r, report_free);
}

void
mt_progress_set_stage (MtProgress *progress,
                       double      start,
                       double      end,
                       const char *message)
{
  if (progress == NULL)
    return;
  g_mutex_lock (&progress->lock);
  progress->stage_start = start;
  progress->stage_end = end;
  g_free (progress->message);
  progress->message = g_strdup (message);
  progress->fraction = start;
  report (progress, TRUE);
  g_mutex_unlock (&progress->lock);
}

void
mt_progress_update (MtProgress *progress,
                    double      fraction)
{
  if (progress == NULL)
    return;
  g_mutex_lock (&progress->lock);
  double f = progress->stage_start + CLAMP (fraction, 0.0, 1.0) * (progress->stage_end - progress->stage_start);
  if (f > progress->fraction)
    {
      progress->fraction = f;
      report (progress, FALSE);
    }
  g_mutex_unlock (&progress->lock);
}

double
mt_progress_get (MtProgress *progress)
{
  g_mutex_lock (&progress->lock);
  double f = progress->fraction;
  g_mutex_unlock (&progress->lock);
  return f;
}
