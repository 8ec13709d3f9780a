/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MtVolume     MtVolume;
typedef struct _MtProgress   MtProgress;
typedef struct _MtDicomSlice MtDicomSlice;
typedef struct _MtSeries     MtSeries;
typedef struct _MtTransform  MtTransform;
typedef struct _MtPhantom    MtPhantom;
typedef struct _MtEcg        MtEcg;

G_END_DECLS
