/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MtParallelFunc) (gsize    index,
                                gpointer user_data);

/* Calls func(i) for every i in [0, n) on all cores, handing out indices one at
 * a time so slow items (a compressed slice) do not stall a whole chunk. */
void  mt_parallel_for       (gsize          n,
                             MtParallelFunc func,
                             gpointer       user_data);
guint mt_parallel_n_threads (void);

G_END_DECLS
