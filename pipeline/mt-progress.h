/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "mt-types.h"

G_BEGIN_DECLS

/* Called with the fraction done (0..1) and what is being done now. When the
 * progress was made with a GMainContext, the call happens in that context's
 * thread; otherwise in the worker's. */
typedef void (*MtProgressFunc) (double      fraction,
                                const char *message,
                                gpointer    user_data);

MtProgress *mt_progress_new        (MtProgressFunc func,
                                    gpointer       user_data,
                                    GMainContext  *context);
MtProgress *mt_progress_ref        (MtProgress    *progress);
void        mt_progress_unref      (MtProgress    *progress);
void        mt_progress_set_stage  (MtProgress    *progress,
                                    double         start,
                                    double         end,
                                    const char    *message);
void        mt_progress_update     (MtProgress    *progress,
                                    double         fraction);
double      mt_progress_get        (MtProgress    *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtProgress, mt_progress_unref)

G_END_DECLS
