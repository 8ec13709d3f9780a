/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "medtwin"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "mt-i18n.h"
#include "mt-twin-panel.h"
#include "mt-window.h"

/* Set by --screenshot: save the window once every view has drawn, then quit. */
static char *screenshot_path;
/* Set by --library: open the patient library too (and screenshot it). */
static gboolean show_library;
/* Set by --compare: a second scan beside the first. */
static char *compare_path;
/* Set by --segments: a DICOM SEG read onto the scan once it is in. */
static char *segments_path;
/* Set by --align / --transform: scan B aligned onto A once both are in,
 * and shown as --fusion says. */
static gboolean align;
static char *transform_path;
static char *fusion_name;
static double twin_seconds = -1;   /* --twin: show the twin, run this long */
static int exit_status;

static gboolean
take_screenshot (gpointer user_data)
{
  static gboolean taken;
  GtkWidget *window = user_data;
  if (taken)
    return G_SOURCE_REMOVE;
  taken = TRUE;
  g_autoptr (GError) error = NULL;
  if (mt_window_save_png (window, screenshot_path, &error))
    g_print (_("Screenshot saved to %s\n"), screenshot_path);
  else
    {
      g_printerr ("medtwin: %s\n", error->message);
      exit_status = 1;
    }
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
on_segments_read (MtWindow *window)
{
  /* The surfaces' meshes and the views' redraw: a second to compose. */
  g_timeout_add (1000, take_screenshot, window);
}

static void
on_fused (MtWindow *window)
{
  static gboolean done;
  if (done)
    return;
  done = TRUE;
  if (fusion_name != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.fusion", "s", fusion_name);
  if (screenshot_path != NULL)
    g_timeout_add (1000, take_screenshot, window);
}

/* The living twin that far into its run: held there for a screenshot,
 * playing on otherwise. */
static gboolean
run_twin (gpointer data)
{
  MtWindow *window = data;
  if (mt_twin_panel_is_busy (MT_TWIN_PANEL (mt_window_get_twin_panel (window))))
    return G_SOURCE_CONTINUE;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.twin-advance", "d", twin_seconds);
  if (screenshot_path == NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.twin-play", NULL);
  else
    g_timeout_add (300, take_screenshot, window);
  return G_SOURCE_REMOVE;
}

static void
on_views_ready (MtWindow *window)
{
  /* With --compare, the first scan is in: now load the second. */
  if (compare_path != NULL)
    {
      MtViewer *viewer = mt_window_get_viewer (window);
      if (mt_viewer_get_second (viewer) == NULL)
        {
          const char *paths[] = { compare_path, NULL };
          mt_window_compare_paths (window, paths);
          return;
        }
      if ((align || transform_path != NULL) && mt_viewer_get_fused (viewer, NULL) == NULL)
        {
          g_signal_connect_swapped (viewer, "fusion-changed", G_CALLBACK (on_fused), window);
          gtk_widget_activate_action (GTK_WIDGET (window), "win.align-second", "s",
                                      transform_path ? transform_path : "");
          return;
        }
    }
  if (segments_path != NULL)
    {
      /* The segments once the scan is in; the screenshot once they are. */
      g_autofree char *path = g_steal_pointer (&segments_path);
      if (screenshot_path != NULL)
        g_signal_connect_swapped (mt_window_get_viewer (window), "segmentation-changed",
                                  G_CALLBACK (on_segments_read), window);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.open-segments", "s", path);
      return;
    }
  static gboolean twin_started;
  if (twin_seconds >= 0 && !twin_started)
    {
      /* The twin shown; run once it knows the organs. */
      twin_started = TRUE;
      g_action_group_change_action_state (G_ACTION_GROUP (window), "twin", g_variant_new_boolean (TRUE));
      g_timeout_add (50, run_twin, window);
      return;
    }
  /* One more frame so the views' last images are composed into the window. */
  if (screenshot_path != NULL)
    g_timeout_add (300, take_screenshot, window);
}

static void
on_load_failed (MtWindow *window, const char *message)
{
  g_printerr ("medtwin: %s\n", message);
  exit_status = 1;
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
screenshot_timeout (gpointer user_data)
{
  g_printerr ("medtwin: %s\n", _("the views did not finish drawing within 5 minutes"));
  exit_status = 1;
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_library_populated (GtkWindow *browser)
{
  g_timeout_add (500, take_screenshot, browser);
}

static MtWindow *
new_window (GtkApplication *app)
{
  MtWindow *window = mt_window_new (app);
  if (show_library)
    {
      gtk_window_present (GTK_WINDOW (window));
      GtkWindow *browser = mt_window_show_library (window);
      if (screenshot_path != NULL)
        {
          g_signal_connect (browser, "populated", G_CALLBACK (on_library_populated), NULL);
          g_timeout_add_seconds (300, screenshot_timeout, app);
          /* Listing happens at creation; a screenshot follows its first frame. */
          on_library_populated (browser);
        }
      return window;
    }
  if (screenshot_path != NULL || compare_path != NULL || segments_path != NULL || twin_seconds >= 0)
    {
      g_signal_connect (window, "views-ready", G_CALLBACK (on_views_ready), NULL);
      if (screenshot_path != NULL)
        {
          g_signal_connect (window, "load-failed", G_CALLBACK (on_load_failed), NULL);
          g_timeout_add_seconds (300, screenshot_timeout, app);
        }
    }
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
on_activate (GtkApplication *app)
{
  GtkWindow *existing = gtk_application_get_active_window (app);
  if (existing)
    {
      gtk_window_present (existing);
      return;
    }
  mt_window_open (new_window (app), NULL);
}

static void
on_open (GtkApplication *app, GFile **files, int n_files, const char *hint)
{
  mt_window_open (new_window (app), files[0]);
}

static int
on_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("medtwin %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "library", "b", &show_library);
  g_variant_dict_lookup (options, "compare", "^ay", &compare_path);
  g_variant_dict_lookup (options, "segments", "^ay", &segments_path);
  g_variant_dict_lookup (options, "align", "b", &align);
  g_variant_dict_lookup (options, "transform", "^ay", &transform_path);
  g_variant_dict_lookup (options, "fusion", "s", &fusion_name);
  if (g_variant_dict_lookup (options, "twin", "d", &twin_seconds) && !(twin_seconds >= 0 && twin_seconds <= 3600))
    {
      g_printerr ("medtwin: %s\n", _("--twin takes the seconds to run the twin, from 0 to 3600"));
      return 2;
    }
  if (g_variant_dict_lookup (options, "screenshot", "^ay", &screenshot_path))
    {
      /* A batch run: never hand over to a running instance. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }
  return -1;
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer app)
{
  g_application_quit (G_APPLICATION (app));
}

/* Quitting does not close the windows: each remembers its size here. */
static void
on_shutdown (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (MT_IS_WINDOW (l->data))
      mt_window_save_state (MT_WINDOW (l->data));
}

static void
on_startup (GtkApplication *app)
{
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/medtwin/MedTwin/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  static const GActionEntry actions[] = { { "quit", quit_activated, NULL, NULL, NULL, { 0 } } };
  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), app);
  const char *quit[] = { "<Control>q", NULL };
  const char *open[] = { "<Control>o", NULL };
  const char *library[] = { "<Control>l", NULL };
  gtk_application_set_accels_for_action (app, "app.quit", quit);
  gtk_application_set_accels_for_action (app, "win.open", open);
  gtk_application_set_accels_for_action (app, "win.library", library);
  static const struct { const char *action; const char *accel; } keys[] = {
    { "win.slice-step(1)", "Page_Up" }, { "win.slice-step(-1)", "Page_Down" },
    { "win.slice-step(10)", "<Shift>Page_Up" }, { "win.slice-step(-10)", "<Shift>Page_Down" },
    { "win.window-preset('soft-tissue')", "<Control>1" }, { "win.window-preset('lung')", "<Control>2" },
    { "win.window-preset('bone')", "<Control>3" }, { "win.window-preset('brain')", "<Control>4" },
    { "win.window-preset('liver')", "<Control>5" }, { "win.window-preset('mediastinum')", "<Control>6" },
    { "win.window-preset('auto')", "<Control>0" },
    { "win.save-screenshot('')", "<Control><Shift>s" },
    { "win.save-view-screenshot(('3d', ''))", "<Control><Alt>s" },
    { "win.present", "F5" }, { "win.twin", "F6" }, { "win.twin-play", "F7" }, { "win.leave-presentation", "Escape" },
    { "win.rotate-crosshair(5.0)", "<Control>bracketleft" }, { "win.rotate-crosshair(-5.0)", "<Control>bracketright" },
    { "win.oblique(('axial', 0.0))", "<Control>r" },
    { "win.tool('distance')", "<Control>d" }, { "win.tool('angle')", "<Control>g" },
    { "win.tool('ellipse')", "<Control>e" }, { "win.tool('polygon')", "<Control>p" },
    { "win.delete-measurement(-1)", "Delete" },
    { "win.edit-transfer-function", "<Control>t" },
    { "win.surfaces", "<Control>u" },
    { "win.edit-clipping", "<Control>k" },
    { "win.segment('all')", "<Control><Shift>g" },
    { "win.save-segments('')", "<Control><Shift>e" }, { "win.open-segments('')", "<Control><Shift>o" },
    { "win.tool('brush')", "<Control>b" }, { "win.tool('eraser')", "<Control><Shift>b" },
    { "win.brush-sphere", "<Control><Alt>b" }, { "win.tool('grow')", "<Control><Shift>r" },
    { "win.undo", "<Control>z" }, { "win.redo", "<Control><Shift>z" },
    { "win.annotations", "<Control>h" }, { "win.show-help-overlay", "<Control>question" },
    { "win.render-preset('bone')", "<Control><Shift>1" }, { "win.render-preset('soft-tissue')", "<Control><Shift>2" },
    { "win.render-preset('mip')", "<Control><Shift>3" },
    { "win.camera('anterior')", "<Alt>a" }, { "win.camera('posterior')", "<Alt>p" },
    { "win.camera('left')", "<Alt>l" }, { "win.camera('right')", "<Alt>r" },
    { "win.camera('superior')", "<Alt>s" }, { "win.camera('inferior')", "<Alt>i" },
  };
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      const char *accels[] = { keys[k].accel, NULL };
      gtk_application_set_accels_for_action (app, keys[k].action, accels);
    }
  gtk_window_set_default_icon_name (APP_ID);
}

int
main (int argc, char **argv)
{
  mt_i18n_init ();
  g_set_application_name (_("MedTwin"));
  g_autoptr (GtkApplication) app = gtk_application_new (APP_ID, G_APPLICATION_HANDLES_OPEN);
  const GOptionEntry options[] = {
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open, wait until every view has drawn, save the window as a PNG and quit"), "OUT.png" },
    { "library", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the patient library as well"), NULL },
    { "compare", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open a second scan beside the first, for comparison"), "PATH" },
    { "segments", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open a DICOM SEG onto the scan once it is in"), "SEG.dcm" },
    { "align", 0, 0, G_OPTION_ARG_NONE, NULL, N_("With --compare: register the second scan onto the first and fuse them"),
      NULL },
    { "transform", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("With --compare: show the second scan on the first through this ITK transform"), "T.tfm" },
    { "fusion", 0, 0, G_OPTION_ARG_STRING, NULL, N_("With --align: blend, checkerboard or difference"),
      "MODE" },
    { "twin", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
      N_("Show the living twin, run for SECONDS (then playing on, or held there for --screenshot)"), "SECONDS" },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL },
  };
  g_application_add_main_option_entries (G_APPLICATION (app), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (app), _("[PATH]"));
  g_application_set_option_context_summary (G_APPLICATION (app),
                                            _("MedTwin opens a DICOM folder or file, or the built-in demo patient."));
  g_signal_connect (app, "handle-local-options", G_CALLBACK (on_handle_local_options), NULL);
  g_signal_connect (app, "startup", G_CALLBACK (on_startup), NULL);
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_signal_connect (app, "open", G_CALLBACK (on_open), NULL);
  int status = g_application_run (G_APPLICATION (app), argc, argv);
  g_free (screenshot_path);
  g_free (segments_path);
  g_free (compare_path);
  return status != 0 ? status : exit_status;
}
