/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Registration and resampling: exact resampling on the grid itself and by
 * whole voxels, and the demo's follow-up brought onto its baseline within
 * the 0.5 mm of target registration error. */
#include "config.h"

#include <math.h>

#include "mt-file-utils.h"
#include "mt-phantom.h"
#include "mt-register.h"
#include "mt-transform.h"
#include "mt-volume.h"

static MtVolume *
ramp (void)
{
  MtVolume *v = mt_volume_new (20, 16, 12, NULL);
  v->spacing[0] = 1.5;
  v->spacing[1] = 1.0;
  v->spacing[2] = 2.5;
  v->origin[0] = -10;
  for (gsize i = 0; i < mt_volume_n_voxels (v); i++)
    v->data[i] = (float) ((i * 7919) % 1000);
  return v;
}

/* The identity on the grid itself gives every voxel back; a shift by whole
 * voxels moves them, labels by nearest neighbour, and what falls off the
 * moving grid takes the outside value. */
static void
test_resample (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = ramp ();
  g_autoptr (MtTransform) id = mt_transform_new_identity ();
  g_autoptr (MtVolume) same = mt_resample (v, v, id, MT_RESAMPLE_LINEAR, -1, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < mt_volume_n_voxels (v); i++)
    g_assert_cmpfloat (same->data[i], ==, v->data[i]);
  /* Fixed point p samples the moving scan at p + (3 mm, 2 mm, 5 mm): two,
   * two and two voxels along. */
  const double zero[3] = { 0, 0, 0 }, shift[3] = { 3.0, 2.0, 5.0 };
  g_autoptr (MtTransform) t = mt_transform_new_rigid (zero, shift, NULL);
  g_autoptr (MtVolume) moved = mt_resample (v, v, t, MT_RESAMPLE_NEAREST, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (moved->data[mt_volume_offset (moved, 3, 4, 5)], ==, v->data[mt_volume_offset (v, 5, 6, 7)]);
  g_assert_cmpfloat (moved->data[mt_volume_offset (moved, 19, 4, 5)], ==, -1);
  g_autoptr (MtVolume) linear = mt_resample (v, v, t, MT_RESAMPLE_LINEAR, -1, &error);
  g_assert_cmpfloat (linear->data[mt_volume_offset (linear, 3, 4, 5)], ==, v->data[mt_volume_offset (v, 5, 6, 7)]);
}

/* Mean and largest distance between where two transforms send the
 * voxels of the body (every 97th). */
static void
tre (const MtPhantom *p, const MtTransform *a, const MtTransform *b, double *mean, double *worst)
{
  double sum = 0;
  gsize n = 0;
  *worst = 0;
  for (gsize i = 0; i < mt_volume_n_voxels (p->ct); i += 97)
    {
      long l = lroundf (p->labels->data[i]);
      if (l == MT_LABEL_NONE || l == MT_LABEL_COUCH)
        continue;
      const int nx = p->ct->dims[0], ny = p->ct->dims[1];
      double ijk[3] = { (double) (i % nx), (double) ((i / nx) % ny), (double) (i / ((gsize) nx * ny)) }, x[3], ya[3],
             yb[3];
      mt_volume_index_to_patient (p->ct, ijk, x);
      mt_transform_apply (a, x, ya);
      mt_transform_apply (b, x, yb);
      double d = sqrt ((ya[0] - yb[0]) * (ya[0] - yb[0]) + (ya[1] - yb[1]) * (ya[1] - yb[1])
                       + (ya[2] - yb[2]) * (ya[2] - yb[2]));
      sum += d;
      *worst = MAX (*worst, d);
      n++;
    }
  *mean = sum / n;
}

/* The demo's follow-up (the patient rolled 1.5 degrees, turned 1 and 2.5,
 * moved 4, -6 and 10 mm) onto its baseline: the transform found against
 * the one the phantom used. */
static void
test_demo_rigid (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) base = mt_phantom_generate (1, FALSE, NULL, NULL, &error);
  g_autoptr (MtPhantom) follow = mt_phantom_generate (1, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  gint64 t0 = g_get_monotonic_time ();
  double metric;
  g_autoptr (MtTransform) found = mt_register_rigid (base->ct, follow->ct, NULL, &metric, NULL, NULL, &error);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_assert_no_error (error);
  g_autoptr (MtTransform) truth = mt_phantom_followup_transform ();
  double mean, worst;
  tre (base, found, truth, &mean, &worst);
  g_autoptr (MtTransform) id = mt_transform_new_identity ();
  double before, before_worst;
  tre (base, id, truth, &before, &before_worst);
  g_test_message ("demo rigid: TRE mean %.3f mm, largest %.3f mm (%.1f mm before); mean square %.0f; %.0f ms", mean,
                  worst, before, metric, ms);
  /* The issue asks 0.5 mm; 0.02 to 0.04 is what it reaches. */
  g_assert_cmpfloat (mean, <, 0.1);
  g_assert_cmpfloat (worst, <, 0.2);

  /* Written for ITK and read back, the same transform. */
  g_autofree char *dir = g_dir_make_tmp ("medtwin-register-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "t.tfm", NULL);
  g_assert_true (mt_transform_write_itk (found, path, &error));
  g_autoptr (MtTransform) back = mt_transform_read_itk (path, &error);
  g_assert_no_error (error);
  tre (base, found, back, &mean, &worst);
  g_assert_cmpfloat (worst, <, 1e-9);
  mt_remove_tree (dir);
}

/* A flat image cannot be aligned: said, not a made-up answer. */
static void
test_flat (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) flat = mt_volume_new (8, 8, 8, NULL);
  g_autoptr (MtVolume) v = ramp ();
  g_assert_null (mt_register_rigid (flat, v, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT);
}

/* Largest distance between where two transforms send a few points. */
static double
worst_apart (const MtTransform *a, const MtTransform *b)
{
  const double pts[4][3] = { { -100, -80, -50 }, { 120, 40, 0 }, { 0, 90, 150 }, { 30, -20, -160 } };
  double worst = 0;
  for (int i = 0; i < 4; i++)
    {
      double ya[3], yb[3];
      mt_transform_apply (a, pts[i], ya);
      mt_transform_apply (b, pts[i], yb);
      worst = MAX (worst, sqrt ((ya[0] - yb[0]) * (ya[0] - yb[0]) + (ya[1] - yb[1]) * (ya[1] - yb[1])
                                + (ya[2] - yb[2]) * (ya[2] - yb[2])));
    }
  return worst;
}

/* Landmarks: points taken through a known rigid, similarity or affine
 * transform give it back exactly; 1 mm of noise on six of them moves the
 * rigid fit by well under that; too few points, or points in a row, are
 * refused. */
static void
test_landmarks (void)
{
  const double fixed[6][3] = { { -80, -40, 20 }, { 90, -30, 10 }, { 10, 70, -30 }, { 0, 0, 120 },
                               { -40, 50, -90 }, { 60, 60, 60 } };
  const double angles[3] = { 0.3, -0.2, 0.5 }, shift[3] = { 12, -7, 30 }, centre[3] = { 5, 5, 5 };
  g_autoptr (MtTransform) rigid = mt_transform_new_rigid (angles, shift, centre);
  MtTransform similar = *rigid, affine = *rigid;
  for (int k = 0; k < 9; k++)
    similar.matrix[k] *= 1.07;
  affine.matrix[0] *= 1.1;
  affine.matrix[4] *= 0.9;
  affine.matrix[1] += 0.05;
  const MtTransform *truths[3] = { rigid, &similar, &affine };
  for (int model = 0; model < 3; model++)
    {
      double moving[6][3];
      for (int i = 0; i < 6; i++)
        mt_transform_apply (truths[model], fixed[i], moving[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (MtTransform) found = mt_register_landmarks (&fixed[0][0], &moving[0][0], model == 2 ? 4 : 3,
                                                             (MtLandmarkModel) model, &error);
      g_assert_no_error (error);
      double apart = worst_apart (found, truths[model]);
      g_test_message ("landmarks, model %d: %.2g mm from the truth", model, apart);
      g_assert_cmpfloat (apart, <, 1e-6);
    }
  /* Noise: +-1 mm on every coordinate of six pairs. */
  double moving[6][3];
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  for (int i = 0; i < 6; i++)
    {
      mt_transform_apply (rigid, fixed[i], moving[i]);
      for (int a = 0; a < 3; a++)
        moving[i][a] += g_rand_double_range (rng, -1, 1);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (MtTransform) noisy = mt_register_landmarks (&fixed[0][0], &moving[0][0], 6, MT_LANDMARKS_RIGID, &error);
  g_assert_no_error (error);
  double apart = worst_apart (noisy, rigid);
  g_test_message ("landmarks with 1 mm of noise: %.2f mm from the truth at most", apart);
  g_assert_cmpfloat (apart, <, 1.5);
  double det = noisy->matrix[0] * (noisy->matrix[4] * noisy->matrix[8] - noisy->matrix[5] * noisy->matrix[7])
               - noisy->matrix[1] * (noisy->matrix[3] * noisy->matrix[8] - noisy->matrix[5] * noisy->matrix[6])
               + noisy->matrix[2] * (noisy->matrix[3] * noisy->matrix[7] - noisy->matrix[4] * noisy->matrix[6]);
  g_assert_cmpfloat (fabs (det - 1), <, 1e-9);   /* a rotation, no scaling */
  /* Refused: two pairs; three in a row; four in a plane for affine. */
  g_assert_null (mt_register_landmarks (&fixed[0][0], &moving[0][0], 2, MT_LANDMARKS_RIGID, &error));
  g_assert_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT);
  g_clear_error (&error);
  const double row[3][3] = { { 0, 0, 0 }, { 10, 10, 10 }, { 20, 20, 20 } };
  g_assert_null (mt_register_landmarks (&row[0][0], &row[0][0], 3, MT_LANDMARKS_RIGID, &error));
  g_assert_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT);
  g_clear_error (&error);
  const double flat[4][3] = { { 0, 0, 0 }, { 10, 0, 0 }, { 0, 10, 0 }, { 10, 10, 0 } };
  g_assert_null (mt_register_landmarks (&flat[0][0], &flat[0][0], 4, MT_LANDMARKS_AFFINE, &error));
  g_assert_error (error, MT_REGISTER_ERROR, MT_REGISTER_ERROR_INPUT);
}

/* Compose and invert: a transform after its inverse is the identity; the
 * composite of two applies one and then the other. */
static void
test_compose_invert (void)
{
  const double a1[3] = { 0.1, 0.2, -0.3 }, t1[3] = { 5, 6, 7 }, c1[3] = { 10, -20, 30 };
  const double a2[3] = { -0.2, 0.05, 0.4 }, t2[3] = { -3, 8, 1 }, c2[3] = { 0, 50, -10 };
  g_autoptr (MtTransform) first = mt_transform_new_rigid (a1, t1, c1);
  g_autoptr (MtTransform) then = mt_transform_new_rigid (a2, t2, c2);
  g_autoptr (MtTransform) both = mt_transform_compose (first, then);
  const double x[3] = { 40, -70, 15 };
  double y1[3], y2[3], y3[3];
  mt_transform_apply (first, x, y1);
  mt_transform_apply (then, y1, y2);
  mt_transform_apply (both, x, y3);
  for (int a = 0; a < 3; a++)
    g_assert_cmpfloat (fabs (y2[a] - y3[a]), <, 1e-9);
  g_autoptr (GError) error = NULL;
  g_autoptr (MtTransform) inv = mt_transform_invert (both, &error);
  g_assert_no_error (error);
  g_autoptr (MtTransform) id = mt_transform_compose (both, inv);
  g_autoptr (MtTransform) identity = mt_transform_new_identity ();
  g_assert_cmpfloat (worst_apart (id, identity), <, 1e-9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/register/resample", test_resample);
  g_test_add_func ("/pipeline/register/demo-rigid", test_demo_rigid);
  g_test_add_func ("/pipeline/register/flat", test_flat);
  g_test_add_func ("/pipeline/register/landmarks", test_landmarks);
  g_test_add_func ("/pipeline/register/compose-invert", test_compose_invert);
  return g_test_run ();
}
