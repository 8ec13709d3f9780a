/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mt-file-utils.h"
#include "mt-nifti.h"
#include "mt-nrrd.h"
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

/* NRRD, as 3D Slicer exchanges volumes: the same voxels at the same
 * positions after a round trip, and RAS headers read into LPS. */
static void
test_nrrd (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MtPhantom) ph = mt_phantom_generate (6, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (tmp_dir, "ct.nrrd", NULL);
  g_assert_true (mt_volume_write_any (ph->ct, FALSE, path, &error));
  g_autoptr (MtVolume) back = mt_volume_read_any (path, &error);
  g_assert_no_error (error);
  assert_same_geometry (ph->ct, back, 1e-6);
  for (gsize i = 0; i < mt_volume_n_voxels (back); i++)
    g_assert_cmpfloat (back->data[i], ==, ph->ct->data[i]);
  g_autofree char *labels = g_build_filename (tmp_dir, "labels.nrrd", NULL);
  g_assert_true (mt_volume_write_any (ph->labels, TRUE, labels, &error));
  g_autoptr (MtVolume) lb = mt_nrrd_read (labels, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < mt_volume_n_voxels (lb); i++)
    g_assert_cmpfloat (lb->data[i], ==, ph->labels->data[i]);

  /* A small RAS, raw, big-endian short volume written by hand. */
  const char header[] = "NRRD0004\ntype: short\ndimension: 3\nspace: right-anterior-superior\n"
                        "sizes: 2 1 1\nspace directions: (-0.5,0,0) (0,-0.7,0) (0,0,2)\n"
                        "endian: big\nencoding: raw\nspace origin: (10,20,30)\n\n";
  GString *file = g_string_new_len (header, sizeof header - 1);
  const guint8 data[4] = { 0xff, 0x38, 0x01, 0x00 };   /* -200, 256 */
  g_string_append_len (file, (const char *) data, 4);
  g_autofree char *hand = g_build_filename (tmp_dir, "hand.nrrd", NULL);
  g_assert_true (g_file_set_contents (hand, file->str, (gssize) file->len, NULL));
  g_string_free (file, TRUE);
  g_autoptr (MtVolume) h = mt_nrrd_read (hand, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (h->data[0], ==, -200.0f);
  g_assert_cmpfloat (h->data[1], ==, 256.0f);
  g_assert_cmpfloat_with_epsilon (h->origin[0], -10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (h->origin[1], -20.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (h->spacing[1], 0.7, 1e-9);
  g_assert_cmpfloat_with_epsilon (h->direction[0], 1.0, 1e-9);   /* -R is +L */
  g_assert_cmpfloat_with_epsilon (h->direction[4], 1.0, 1e-9);   /* -A is +P */

  /* Truncated: a clear error, not a short volume. */
  g_autofree char *cut = g_build_filename (tmp_dir, "cut.nrrd", NULL);
  /* The header and two of the four data bytes. */
  g_autofree char *short_file = g_malloc (sizeof header + 1);
  memcpy (short_file, header, sizeof header - 1);
  memcpy (short_file + sizeof header - 1, data, 2);
  g_assert_true (g_file_set_contents (cut, short_file, sizeof header - 1 + 2, NULL));
  g_autoptr (MtVolume) none = mt_nrrd_read (cut, &error);
  g_assert_null (none);
  g_assert_error (error, MT_NRRD_ERROR, MT_NRRD_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "truncated"));
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
  g_test_add_func ("/pipeline/nifti/nrrd", test_nrrd);
  g_test_add_func ("/pipeline/nifti/bad-input", test_bad_input);
  int ret = g_test_run ();
  mt_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
