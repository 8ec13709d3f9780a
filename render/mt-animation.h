/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "mt-anatomy.h"
#include "mt-mesh.h"
#include "mt-twin.h"

G_BEGIN_DECLS

/* How one surface moves at one moment: first radially about its anchors
 * (a vessel's centreline; radial 1: not at all), then by model, an affine
 * map of patient space (column-major, as GL takes it), and in what colour.
 * The vertex shader does the same. */
typedef struct
{
  float    model[16];
  float    radial;
  float    rgba[4];      /* the colour to draw it in now: its own, or by pressure */
} MtMeshMotion;

/* The twin's surfaces set moving by its physiology: the heart contracts
 * and relaxes with both ventricles' volume (about its apex, more across
 * than along its long axis, its enclosed volume following the model's
 * exactly), the lungs fill with the breath (mostly downwards, the
 * diaphragm's way) and push the abdominal organs down, arteries widen with
 * pressure, and blood particles run along the vessels' centrelines. CPU
 * only: the renderer takes the motions. Surfaces are told apart by name
 * (heart, lung_*, aorta and other vessels, liver, kidney_*, spleen). */
typedef struct _MtAnimation MtAnimation;

/* surfaces: the ones drawn, in the renderer's order; anatomy (may be NULL)
 * gives the vessels' centrelines. */
MtAnimation        *mt_animation_new          (MtSurface * const  *surfaces,
                                               guint               n,
                                               const MtAnatomy    *anatomy);
void                mt_animation_free         (MtAnimation        *animation);
guint               mt_animation_get_n        (MtAnimation        *animation);
/* Poses every surface for the moment s. */
void                mt_animation_pose         (MtAnimation        *animation,
                                               const MtTwinSample *s);
/* Pressure colours (heart by left-ventricular, arteries by aortic
 * pressure) instead of the surfaces' own; from the next pose. */
void                mt_animation_set_pressure_colors (MtAnimation *animation,
                                                      gboolean     on);
/* Blood particles shown (the arteries' walls then see-through from the next
 * pose), or not (mt_animation_get_particles then gives none). */
void                mt_animation_set_flow_shown (MtAnimation    *animation,
                                                 gboolean        on);
const MtMeshMotion *mt_animation_get_motion   (MtAnimation        *animation,
                                               guint               surface);
/* Per-vertex anchors (3 floats a vertex) of a surface that pulses, or NULL. */
const float        *mt_animation_get_anchors  (MtAnimation        *animation,
                                               guint               surface);
/* A moving surface's vertices as posed now (3 floats a vertex, worked out
 * once a pose whoever asks: every slice view's outline), or NULL for a
 * surface that never moves or before the first pose; and the mesh they
 * belong to. */
const float        *mt_animation_get_moved    (MtAnimation        *animation,
                                               guint               surface);
const MtMesh       *mt_animation_get_mesh     (MtAnimation        *animation,
                                               guint               surface);
/* The heart's enclosed volume now over its volume as segmented (taken as
 * end-diastole); 1 without a heart. */
double              mt_animation_get_heart_ratio (MtAnimation     *animation);
int                 mt_animation_get_heart    (MtAnimation        *animation);
/* Moves the blood particles on by dt seconds at the aortic flow of s. */
void                mt_animation_flow         (MtAnimation        *animation,
                                               const MtTwinSample *s,
                                               double              dt);
/* The particles' positions (3 floats each), and how fast they go (mm/s). */
const float        *mt_animation_get_particles (MtAnimation       *animation,
                                                guint             *n,
                                                double            *speed_mm_s);
/* Blue (low) to red (high) over lo..hi. */
void                mt_pressure_color         (double              value,
                                               double              lo,
                                               double              hi,
                                               float               rgba[4]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtAnimation, mt_animation_free)

G_END_DECLS
