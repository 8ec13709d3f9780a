/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin-cli"

#include "config.h"

#include <epoxy/gl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cli-common.h"
#include "cli-render.h"
#include "mt-camera.h"
#include "mt-mesh-renderer.h"
#include "mt-mesh.h"
#include "mt-nrrd.h"
#include "mt-offscreen.h"
#include "mt-reslice.h"
#include "mt-series.h"
#include "mt-slice-renderer.h"
#include "mt-volume-renderer.h"
#include "mt-volume.h"
#include "mt-window-level.h"

/* "V,R,G,B,A:V,R,G,B,A..." with rising values and colours in 0..1. */
static gboolean
parse_transfer_function (const char *text, GArray *out)
{
  g_auto (GStrv) parts = g_strsplit (text, ":", -1);
  for (int i = 0; parts[i] != NULL; i++)
    {
      MtTfPoint p;
      char extra;
      if (sscanf (parts[i], "%f,%f,%f,%f,%f%c", &p.value, &p.r, &p.g, &p.b, &p.a, &extra) != 5)
        return FALSE;
      if (!isfinite (p.value) || (out->len > 0 && p.value < g_array_index (out, MtTfPoint, out->len - 1).value))
        return FALSE;
      const float c[4] = { p.r, p.g, p.b, p.a };
      for (int k = 0; k < 4; k++)
        if (!(c[k] >= 0 && c[k] <= 1))
          return FALSE;
      g_array_append_val (out, p);
    }
  return out->len >= 2;
}

int
mt_cli_render (int argc, char **argv)
{
  g_autofree char *view = g_strdup ("3d");
  g_autofree char *preset = NULL;
  g_autofree char *size = g_strdup ("800x600");
  g_autofree char *out = NULL;
  double azimuth = 0, elevation = 0, zoom = 0;
  int frames = 1, slice = -1;
  gboolean json = FALSE, ortho = FALSE, interactive = FALSE;
  double pixel_scale = 4.0;
  g_autofree char *clip_plane = NULL, *clip_box = NULL, *tf = NULL;
  g_auto (GStrv) meshes = NULL;
  GOptionEntry entries[] = {
    { "mesh", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &meshes,
      N_("3D: draw an STL surface with the volume (repeat for more; alpha below 1 is see-through)"),
      "FILE.stl[@R,G,B,A]" },
    { "transfer-function", 0, 0, G_OPTION_ARG_STRING, &tf,
      N_("3D: your own colours and opacities instead of the preset's, points by rising value"),
      "V,R,G,B,A:V,R,G,B,A..." },
    { "clip-plane", 0, 0, G_OPTION_ARG_STRING, &clip_plane,
      N_("3D: remove what lies where NX*x + NY*y + NZ*z + D > 0 (patient LPS mm)"), "NX,NY,NZ,D" },
    { "clip-box", 0, 0, G_OPTION_ARG_STRING, &clip_box,
      N_("3D: draw only inside this box (patient LPS mm)"), "X0,X1,Y0,Y1,Z0,Z1" },
    { "ortho", 0, 0, G_OPTION_ARG_NONE, &ortho, N_("3D: parallel projection (true distances, for MIP)"), NULL },
    { "interactive", 0, 0, G_OPTION_ARG_NONE, &interactive,
      N_("3D: time the frames drawn while the mouse drags (fewer pixels and longer steps, sized from each frame's time to keep 25 frames a second)"), NULL },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view, N_("axial, coronal, sagittal or 3d"), "VIEW" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, N_("Window (soft-tissue, lung, bone, brain) or 3D preset (bone, soft-tissue, mip, angio, lung, mr)"), "NAME" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, N_("Image size"), "WxH" },
    { "azimuth", 0, 0, G_OPTION_ARG_DOUBLE, &azimuth, N_("3D camera azimuth in degrees (0: from the front)"), "DEG" },
    { "elevation", 0, 0, G_OPTION_ARG_DOUBLE, &elevation, N_("3D camera elevation in degrees"), "DEG" },
    { "zoom", 0, 0, G_OPTION_ARG_DOUBLE, &zoom,
      N_("3D camera zoom (1: the bounding sphere fills the height, as VTK's ResetCamera frames it; default: fitted to the body)"),
      "Z" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, N_("Frames to render for timing"), "N" },
    { "slice", 0, 0, G_OPTION_ARG_INT, &slice, N_("Slice number for 2D views (default: the middle)"), "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("PNG file to write"), "OUT.png" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  if (!mt_cli_parse_options (&argc, &argv, _("PATH — render a view to PNG without a display"), entries))
    return 2;
  g_autoptr (GError) error = NULL;
  int w = 0, h = 0;
  if (argc != 2 || out == NULL || sscanf (size, "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0
      || w > 16384 || h > 16384 || frames < 1)
    {
      g_printerr ("%s\n", _("Usage: medtwin-cli render PATH --view axial|coronal|sagittal|3d "
                            "[--preset NAME] [--size WxH] [--azimuth DEG] [--elevation DEG] "
                            "[--frames N] --out OUT.png [--json]"));
      return 2;
    }
  MtViewAxis axis = MT_VIEW_AXIAL;
  gboolean is_3d = g_str_equal (view, "3d");
  if (!is_3d && !mt_view_axis_lookup (view, &axis))
    {
      g_printerr (_("medtwin-cli: unknown view “%s”; use axial, coronal, sagittal or 3d\n"), view);
      return 2;
    }
  MtRenderPreset rp = MT_PRESET_CT_BONE;
  MtWindowPreset wp = MT_WINDOW_SOFT_TISSUE;
  if (preset != NULL && (is_3d ? !mt_render_preset_from_name (preset, &rp) : !mt_window_preset_lookup (preset, &wp)))
    {
      g_printerr (_("medtwin-cli: unknown preset “%s”\n"), preset);
      return 2;
    }

  gint64 t_load = g_get_monotonic_time ();
  g_autoptr (MtVolume) volume = mt_volume_read_any (argv[1], &error);
  if (volume == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  double load_ms = (g_get_monotonic_time () - t_load) / 1000.0;

  g_autoptr (GArray) tf_points = g_array_new (FALSE, FALSE, sizeof (MtTfPoint));
  if (tf != NULL && !parse_transfer_function (tf, tf_points))
    {
      g_printerr (_("medtwin-cli: --transfer-function takes two or more points V,R,G,B,A separated by “:”, "
                    "values rising, colours and opacities from 0 to 1\n"));
      return 2;
    }
  /* The surfaces, read before any GL is made: a bad file is a usage error. */
  g_autoptr (GPtrArray) surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) mt_surface_free);
  for (int i = 0; meshes != NULL && meshes[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit (meshes[i], "@", 2);
      float rgba[4] = { 0.93f, 0.88f, 0.78f, 1.0f };
      char extra;
      if (parts[1] != NULL
          && (sscanf (parts[1], "%f,%f,%f,%f%c", &rgba[0], &rgba[1], &rgba[2], &rgba[3], &extra) != 4
              || !(rgba[0] >= 0 && rgba[0] <= 1 && rgba[1] >= 0 && rgba[1] <= 1 && rgba[2] >= 0 && rgba[2] <= 1
                   && rgba[3] >= 0 && rgba[3] <= 1)))
        {
          g_printerr (_("medtwin-cli: --mesh colour “%s” is not R,G,B,A from 0 to 1\n"), parts[1]);
          return 2;
        }
      g_autoptr (MtMesh) mesh = mt_mesh_read (parts[0], &error);
      if (mesh == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (surfaces, mt_surface_new (mesh, parts[0], rgba));
    }
  MtOffscreen *gl = mt_offscreen_new (w, h, &error);
  if (gl == NULL)
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      return 1;
    }
  mt_offscreen_bind (gl);
  double total_ms = 0;
  int status = 0;
  if (is_3d)
    {
      MtVolumeRenderer *r = mt_volume_renderer_new (&error);
      if (r == NULL || !mt_volume_renderer_set_volume (r, volume, &error))
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          mt_volume_renderer_free (r);
          mt_offscreen_free (gl);
          return 1;
        }
      mt_volume_renderer_set_preset (r, rp);
      if (tf_points->len >= 2)
        mt_volume_renderer_set_transfer_points (r, (MtTfPoint *) tf_points->data, (int) tf_points->len);
      double plane[4] = { 0, 0, 0, 0 }, box[6];
      if (clip_plane && sscanf (clip_plane, "%lf,%lf,%lf,%lf", &plane[0], &plane[1], &plane[2], &plane[3]) != 4)
        {
          g_printerr (_("medtwin-cli: --clip-plane takes four numbers: NX,NY,NZ,D\n"));
          mt_volume_renderer_free (r);
          mt_offscreen_free (gl);
          return 2;
        }
      if (clip_box && sscanf (clip_box, "%lf,%lf,%lf,%lf,%lf,%lf", &box[0], &box[1], &box[2], &box[3], &box[4],
                              &box[5]) != 6)
        {
          g_printerr (_("medtwin-cli: --clip-box takes six numbers: X0,X1,Y0,Y1,Z0,Z1\n"));
          mt_volume_renderer_free (r);
          mt_offscreen_free (gl);
          return 2;
        }
      mt_volume_renderer_set_clip_plane (r, plane);
      mt_volume_renderer_set_clip_box (r, clip_box ? box : NULL);
      MtCamera camera;
      mt_camera_init_for_volume (&camera, volume);
      camera.azimuth = azimuth;
      camera.elevation = elevation;
      if (zoom > 0)
        camera.zoom = CLAMP (zoom, 0.05, 50.0);
      camera.orthographic = ortho;
      /* One frame to warm up (shader compilation, texture residency). */
      MtMeshRenderer *mr = NULL;
      if (surfaces->len > 0)
        {
          mr = mt_mesh_renderer_new (&error);
          if (mr == NULL)
            {
              g_printerr ("medtwin-cli: %s\n", error->message);
              mt_volume_renderer_free (r);
              mt_offscreen_free (gl);
              return 1;
            }
          for (guint i = 0; i < surfaces->len; i++)
            {
              const MtSurface *sf = surfaces->pdata[i];
              mt_mesh_renderer_add (mr, sf->mesh, sf->rgba);
            }
        }
      mt_scene_render (r, mr, &camera, w, h, 1, 1);
      mt_offscreen_finish (gl);
      for (int f = 0; f < frames; f++)
        {
          camera.azimuth = azimuth + (frames > 1 ? 3.0 * (f + 1) : 0.0);
          gint64 t0 = g_get_monotonic_time ();
          /* --interactive: what the 3D view does while the mouse drags, each
           * frame's size set from the time the one before took. */
          if (interactive)
            mt_scene_render (r, mr, &camera, w, h, pixel_scale, mt_drag_step_scale (pixel_scale));
          else
            mt_scene_render (r, mr, &camera, w, h, 1, 1);
          mt_offscreen_finish (gl);
          double ms = (g_get_monotonic_time () - t0) / 1000.0;
          total_ms += ms;
          if (interactive)
            pixel_scale = mt_adapt_pixel_scale (pixel_scale, ms, MT_DRAG_TARGET_MS);
        }
      mt_mesh_renderer_free (mr);
      mt_volume_renderer_free (r);
    }
  else
    {
      MtSliceRenderer *r = mt_slice_renderer_new (&error);
      if (r == NULL)
        {
          g_printerr ("medtwin-cli: %s\n", error->message);
          mt_offscreen_free (gl);
          return 1;
        }
      MtSliceLayout layout;
      mt_slice_layout_init (&layout, volume, axis);
      int s = slice >= 0 ? MIN (slice, layout.n_slices - 1) : layout.n_slices / 2;
      g_autofree float *values = mt_slice_extract (volume, &layout, s);
      const MtWindowLevel *wl = mt_window_preset (wp);
      for (int f = 0; f < frames; f++)
        {
          gint64 t0 = g_get_monotonic_time ();
          mt_slice_renderer_set_slice (r, values, layout.width, layout.height, layout.pixel_w, layout.pixel_h);
          mt_slice_renderer_set_window (r, wl->center, wl->width);
          mt_slice_renderer_set_linear (r, TRUE);
          mt_slice_renderer_set_inverted (r, volume->invert_display);
          mt_slice_renderer_render (r, w, h);
          mt_offscreen_finish (gl);
          total_ms += (g_get_monotonic_time () - t0) / 1000.0;
        }
      mt_slice_renderer_free (r);
    }
  g_autofree guint8 *rgba = mt_offscreen_read_rgba (gl);
  if (!mt_png_write_rgba (out, rgba, w, h, &error))
    {
      g_printerr ("medtwin-cli: %s\n", error->message);
      status = 1;
    }
  if (json)
    g_print ("{\n  \"view\" : \"%s\",\n  \"width\" : %d,\n  \"height\" : %d,\n  \"frames\" : %d,\n"
             "  \"quality\" : \"%s\",\n  \"pixel_scale\" : %.2f,\n"
             "  \"ms_per_frame\" : %.2f,\n  \"load_ms\" : %.1f,\n  \"renderer\" : \"%s\"\n}\n",
             view, w, h, frames, interactive ? "interactive" : "full", interactive ? pixel_scale : 1.0,
             total_ms / frames, load_ms,
             mt_offscreen_renderer (gl));
  mt_offscreen_free (gl);
  return status;
}
