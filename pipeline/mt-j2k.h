/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes one JPEG 2000 frame (a raw codestream or a JP2 file) with OpenJPEG,
 * since DCMTK has no JPEG 2000 decoder. The stream must hold one greyscale
 * component of exactly width x height; its own signedness must agree with the
 * DICOM header's, since the two disagreeing means the values cannot be
 * trusted either way. Writes width*height values to out. */
gboolean mt_j2k_decode (const guint8 *data,
                        gsize         length,
                        int           width,
                        int           height,
                        gboolean      header_signed,
                        gint32       *out,
                        char        **why);

G_END_DECLS
