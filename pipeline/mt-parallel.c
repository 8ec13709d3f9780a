/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mt-parallel"

#include "config.h"

#include <stdlib.h>

#include "mt-parallel.h"

typedef struct
{
  gsize          n;
  gsize          next;
  MtParallelFunc func;
  gpointer       user_data;
} Work;

static gpointer
worker (gpointer data)
{
  Work *w = data;
  for (;;)
    {
      gsize i = (gsize) g_atomic_pointer_add (&w->next, 1);
      if (i >= w->n)
        break;
      w->func (i, w->user_data);
    }
  return NULL;
}

guint
mt_parallel_n_threads (void)
{
  /* MEDTWIN_THREADS lets benchmarks compare single- and multi-threaded runs. */
  const char *env = g_getenv ("MEDTWIN_THREADS");
  if (env != NULL && atoi (env) > 0)
    return (guint) atoi (env);
  return MAX (1u, g_get_num_processors ());
}

void
mt_parallel_for (gsize          n,
                 MtParallelFunc func,
                 gpointer       user_data)
{
  Work w = { n, 0, func, user_data };
  guint n_threads = (guint) MIN ((gsize) mt_parallel_n_threads (), n);
  if (n_threads <= 1)
    {
      worker (&w);
      return;
    }
  GThread **threads = g_new (GThread *, n_threads - 1);
  for (guint t = 0; t + 1 < n_threads; t++)
    threads[t] = g_thread_new ("mt-worker", worker, &w);
  worker (&w);
  for (guint t = 0; t + 1 < n_threads; t++)
    g_thread_join (threads[t]);
  g_free (threads);
}
