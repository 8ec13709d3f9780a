/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mt-file-utils.h"
#include "mt-nifti.h"
#include "mt-phantom.h"
#include "mt-series.h"
#include "mt-volume.h"
#include "mt-test-data.h"

static char *tmp_dir;

static void
assert_same_geometry (const MtVolume *a, const MtVolume *b, double eps)
{
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (a->dims[i], ==, b->dims[i]);
      g_assert_cmpfloat_with_epsilon (a->origin[i], b->origin[i], eps);
      g_assert_cmpfloat_with_epsilon (a->spacing[i], b->spacing[i], 1e-5);
    }
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (a->direction[i], b->direction[i], 1e-5);
}

/* Written and read back, as stored and with rows reversed: every voxel at
 * the same patient position with the same value. */
static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) ph = mt_phantom_generate (5, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  const char *names[] = { "labels.nii.gz", "labels.nii" };
  for (int r = 0; r < 2; r++)
    for (guint n = 0; n < G_N_ELEMENTS (names); n++)
      {
        g_autofree char *path = g_build_filename (tmp_dir, names[n], NULL);
        gboolean ok = r ? mt_nifti_write_rows_reversed (ph->labels, MT_NIFTI_UINT8, path, &error)
                        : mt_nifti_write (ph->labels, MT_NIFTI_UINT8, path, &error);
        g_assert_true (ok);
        g_autoptr (MtVolume) back = mt_nifti_read (path, &error);
        g_assert_no_error (error);
        if (!r)
          {
            assert_same_geometry (ph->labels, back, 1e-3);
            g_assert_true (memcmp (back->data, ph->labels->data, mt_volume_n_voxels (back) * sizeof (float)) == 0);
            continue;
          }
        /* Reversed rows: the last row comes first, the column axis flips. */
        g_assert_cmpfloat_with_epsilon (back->direction[4], -1.0, 1e-9);
        for (int k = 0; k < back->dims[2]; k += 7)
          for (int j = 0; j < back->dims[1]; j += 5)
            for (int i = 0; i < back->dims[0]; i += 5)
              {
                double p[3];
                mt_volume_index_to_patient (back, (double[3]) { i, j, k }, p);
                g_assert_cmpfloat (mt_volume_sample_nearest (ph->labels, p, -1), ==, mt_volume_get (back, i, j, k));
              }
      }
  /* CT in HU as int16. */
  g_autofree char *ct_path = g_build_filename (tmp_dir, "ct.nii.gz", NULL);
  g_assert_true (mt_nifti_write (ph->ct, MT_NIFTI_INT16, ct_path, &error));
  g_autoptr (MtVolume) ct = mt_nifti_read (ct_path, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < mt_volume_n_voxels (ct); i++)
    g_assert_cmpfloat (ct->data[i], ==, ph->ct->data[i]);
}

/* The thorax CT converted by MedTwin and by dcm2niix: the same affine and
 * the same HU in every voxel. */
static void
test_matches_dcm2niix (void)
{
  g_autofree char *dir = mt_test_data_path ("ct-thorax-abdomen", NULL);
  if (dir == NULL)
    return;
  g_autofree char *tool = g_find_program_in_path ("dcm2niix");
  if (tool == NULL)
    {
      g_test_skip ("dcm2niix is not installed");
      return;
    }
  const char *argv[] = { tool, "-z", "n", "-o", tmp_dir, "-f", "peer", dir, NULL };
  int status;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_autoptr (GError) error = NULL;
  g_autoptr (MtVolume) v = mt_series_read_volume (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *ours = g_build_filename (tmp_dir, "ours.nii", NULL);
  g_assert_true (mt_nifti_write_rows_reversed (v, MT_NIFTI_INT16, ours, &error));
  g_autofree char *peer_path = g_build_filename (tmp_dir, "peer.nii", NULL);
  g_autoptr (MtVolume) peer = mt_nifti_read (peer_path, &error);
  g_assert_no_error (error);
  g_autoptr (MtVolume) mine = mt_nifti_read (ours, &error);
  g_assert_no_error (error);
  assert_same_geometry (peer, mine, 1e-3);
  gsize n = mt_volume_n_voxels (mine), differ = 0;
  for (gsize i = 0; i < n; i++)
    differ += peer->data[i] != mine->data[i];
  g_assert_cmpuint (differ, ==, 0);
}

static void
test_bad_input (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "short.nii", NULL);
  g_assert_true (g_file_set_contents (path, "not a nifti file", -1, NULL));
  g_autoptr (MtVolume) v = mt_nifti_read (path, &error);
  g_assert_null (v);
  g_assert_error (error, MT_NIFTI_ERROR, MT_NIFTI_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "short.nii"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("medtwin-nifti-XXXXXX", NULL);
  g_test_add_func ("/pipeline/nifti/round-trip", test_round_trip);
  g_test_add_func ("/pipeline/nifti/matches-dcm2niix", test_matches_dcm2niix);
  g_test_add_func ("/pipeline/nifti/bad-input", test_bad_input);
  int ret = g_test_run ();
  mt_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
