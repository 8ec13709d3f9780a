/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cglm/cglm.h>
#include <glib.h>

#include "mt-types.h"

G_BEGIN_DECLS

/* An orbit camera around the volume, in patient coordinates (LPS mm).
 * Azimuth 0, elevation 0 looks from the patient's front (anterior) with the
 * head up; azimuth 90 looks from the patient's left. */
typedef struct
{
  double azimuth;     /* degrees, about the superior axis */
  double elevation;   /* degrees, towards the head */
  double zoom;        /* 1: the whole volume fits */
  double target[3];
  double radius;      /* of the volume's bounding sphere, mm */
  double fov;         /* vertical field of view, degrees */
  gboolean orthographic;  /* parallel rays: distances on screen are true */
} MtCamera;

typedef enum
{
  MT_CAMERA_ANTERIOR,
  MT_CAMERA_POSTERIOR,
  MT_CAMERA_LEFT,
  MT_CAMERA_RIGHT,
  MT_CAMERA_SUPERIOR,
  MT_CAMERA_INFERIOR,
} MtCameraPreset;

void mt_camera_init_for_volume (MtCamera       *camera,
                                const MtVolume *volume);
void mt_camera_set_preset      (MtCamera       *camera,
                                MtCameraPreset  preset);
void mt_camera_eye             (const MtCamera *camera,
                                vec3            eye);
void mt_camera_matrices        (const MtCamera *camera,
                                double          aspect,
                                mat4            view,
                                mat4            projection);
/* The patient direction (L, R, A, P, S, I) nearest to each screen edge:
 * right, left, top, bottom. */
void mt_camera_orientation_letters (const MtCamera *camera,
                                    const char     *letters[4]);
/* Where a patient direction points on screen, for the orientation marker:
 * screen[0] right, screen[1] down (unit length when the direction lies in
 * the screen plane) and screen[2] towards the viewer. */
void mt_camera_screen_direction (const MtCamera *camera,
                                 const double    direction[3],
                                 double          screen[3]);
/* Window position of a patient point, in pixels from the top-left. */
void mt_camera_project         (const MtCamera *camera,
                                int             width,
                                int             height,
                                const double    lps[3],
                                double         *x,
                                double         *y);

G_END_DECLS
