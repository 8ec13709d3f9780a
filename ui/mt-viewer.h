/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "mt-animation.h"
#include "mt-measurement.h"
#include "mt-mesh.h"
#include "mt-segmentation.h"
#include "mt-reslice.h"
#include "mt-slice-renderer.h"
#include "mt-transfer-function.h"
#include "mt-types.h"

G_BEGIN_DECLS

/* What a primary click-and-drag does in the slice views. */
typedef enum
{
  MT_TOOL_CROSSHAIR,
  MT_TOOL_DISTANCE,
  MT_TOOL_ANGLE,
  MT_TOOL_ELLIPSE,
  MT_TOOL_POLYGON,
  MT_TOOL_BRUSH,       /* paints the active segment, a disc on the slice */
  MT_TOOL_ERASER,
  MT_TOOL_SCISSORS,    /* a lasso in the 3D view cuts the unlocked segments through */
  MT_TOOL_GROW,        /* a click grows the active segment from that voxel (confidence connected) */
  MT_TOOL_CROP,        /* a drag draws the crop box's two sides in this view's plane */
  MT_TOOL_N,
} MtTool;

/* A cut through the 3D view along a slice view's plane (following the
 * crosshair), named by the part it takes away. */
typedef enum
{
  MT_CLIP_NONE,
  MT_CLIP_SUPERIOR,     /* above the axial plane */
  MT_CLIP_INFERIOR,
  MT_CLIP_POSTERIOR,    /* behind the coronal plane */
  MT_CLIP_ANTERIOR,
  MT_CLIP_RIGHT,        /* the patient's right of the sagittal plane */
  MT_CLIP_LEFT,
  MT_CLIP_N,
} MtClip;

/* What every view of one window shows: the volume, the crosshair point
 * (voxel indices), the window and the 3D preset. Views listen to its signals
 * and only mark themselves for redraw. */
#define MT_TYPE_VIEWER (mt_viewer_get_type ())
G_DECLARE_FINAL_TYPE (MtViewer, mt_viewer, MT, VIEWER, GObject)

MtViewer       *mt_viewer_new          (void);
MtVolume       *mt_viewer_get_volume   (MtViewer       *viewer);
guint           mt_viewer_get_serial   (MtViewer       *viewer);
void            mt_viewer_set_volume   (MtViewer       *viewer,
                                        MtVolume       *volume);
void            mt_viewer_get_cursor   (MtViewer       *viewer,
                                        int             ijk[3]);
void            mt_viewer_set_cursor   (MtViewer       *viewer,
                                        const int       ijk[3]);
void            mt_viewer_get_window   (MtViewer       *viewer,
                                        double         *center,
                                        double         *width);
void            mt_viewer_set_window   (MtViewer       *viewer,
                                        double          center,
                                        double          width);
/* A second scan shown beside the first, for comparison (NULL: none). The
 * crosshair links the two through patient coordinates. */
MtVolume       *mt_viewer_get_second        (MtViewer   *viewer);
guint           mt_viewer_get_second_serial (MtViewer   *viewer);
void            mt_viewer_set_second        (MtViewer   *viewer,
                                             MtVolume   *volume);
/* The second scan aligned onto the first: resampled onto the first's grid
 * (NULL takes it away) and the transform that did it (first-scan patient
 * mm to second-scan mm). The first scan's slice views then show the two
 * fused (blended at first, half and half). */
void            mt_viewer_set_fused         (MtViewer          *viewer,
                                             MtVolume          *on_grid,
                                             const MtTransform *transform);
MtVolume       *mt_viewer_get_fused         (MtViewer          *viewer,
                                             guint             *serial);
const MtTransform *mt_viewer_get_fused_transform (MtViewer     *viewer);
/* Off, blend (blend: the second scan's share), checkerboard or difference. */
void            mt_viewer_set_fusion_mode   (MtViewer          *viewer,
                                             MtFusionMode       mode,
                                             double             blend);
/* The mode, the blend and the second scan's window. */
MtFusionMode    mt_viewer_get_fusion_mode   (MtViewer          *viewer,
                                             double            *blend,
                                             double            *center,
                                             double            *width);
/* The crosshair in the voxel indices of any volume shown (clamped). */
void            mt_viewer_get_cursor_in     (MtViewer       *viewer,
                                             const MtVolume *volume,
                                             int             ijk[3]);
/* Moves the crosshair to voxel ijk of any volume shown. */
void            mt_viewer_set_cursor_from   (MtViewer       *viewer,
                                             const MtVolume *volume,
                                             const int       ijk[3]);
/* Thick slabs in the slice views: a mode and a thickness in millimetres. */
void            mt_viewer_get_slab          (MtViewer       *viewer,
                                             MtSlabMode     *mode,
                                             double         *thickness_mm);
void            mt_viewer_set_slab          (MtViewer       *viewer,
                                             MtSlabMode      mode,
                                             double          thickness_mm);
/* Oblique reformatting: the crosshair lines of one view turned by degrees
 * (counter-clockwise on its screen); the two other views then show planes
 * turned with them. 0 degrees: the standard planes. */
void            mt_viewer_get_oblique       (MtViewer       *viewer,
                                             MtViewAxis     *view,
                                             double         *degrees);
void            mt_viewer_set_oblique       (MtViewer       *viewer,
                                             MtViewAxis      view,
                                             double          degrees);
/* The plane a view shows through the crosshair, in patient space; TRUE if
 * it is turned (oblique), FALSE if it is the standard plane. */
gboolean        mt_viewer_get_plane         (MtViewer       *viewer,
                                             const MtVolume *volume,
                                             MtViewAxis      view,
                                             MtObliquePlane *plane);
MtTool          mt_viewer_get_tool          (MtViewer       *viewer);
void            mt_viewer_set_tool          (MtViewer       *viewer,
                                             MtTool          tool);
/* The first scan's measurements (GPtrArray of MtMeasurement). Adding takes
 * the measurement and computes its value on the scan. */
GPtrArray      *mt_viewer_get_measurements  (MtViewer       *viewer);
void            mt_viewer_add_measurement   (MtViewer       *viewer,
                                             MtMeasurement  *m);
void            mt_viewer_remove_measurement (MtViewer      *viewer,
                                              guint          index);
void            mt_viewer_clear_measurements (MtViewer      *viewer);
/* Replaces the list with copies of list's (a study's stored ones). */
void            mt_viewer_set_measurements  (MtViewer       *viewer,
                                             GPtrArray      *list);
/* An edited transfer function for the 3D view (rising values, in the
 * scan's units); NULL goes back to the preset's. Choosing a preset drops it. */
const MtTfPoint *mt_viewer_get_transfer_points (MtViewer       *viewer,
                                                int            *n);
void            mt_viewer_set_transfer_points (MtViewer        *viewer,
                                               const MtTfPoint *points,
                                               int              n);
/* Surfaces (GPtrArray of MtSurface) drawn with the first scan in 3D; a new
 * scan starts without any. Adding takes the surface. */
GPtrArray      *mt_viewer_get_surfaces      (MtViewer       *viewer);
void            mt_viewer_add_surface       (MtViewer       *viewer,
                                             MtSurface      *surface);
void            mt_viewer_clear_surfaces    (MtViewer       *viewer);
gboolean        mt_viewer_get_surfaces_shown (MtViewer      *viewer);
void            mt_viewer_set_surfaces_shown (MtViewer      *viewer,
                                              gboolean       shown);
/* The living twin's motion of the surfaces (in their order; NULL: still).
 * Setting takes it ("animation-changed"); after each new pose, _moved
 * tells the views ("animation-moved"). While it plays, the 3D view keeps
 * its frame rate as it does while dragged. */
MtAnimation    *mt_viewer_get_animation     (MtViewer       *viewer);
void            mt_viewer_set_animation     (MtViewer       *viewer,
                                             MtAnimation    *animation);
void            mt_viewer_animation_moved   (MtViewer       *viewer);
gboolean        mt_viewer_get_animation_playing (MtViewer   *viewer);
void            mt_viewer_set_animation_playing (MtViewer   *viewer,
                                                 gboolean    playing);
/* The moving surfaces' outlines drawn over the slice views. */
gboolean        mt_viewer_get_contours      (MtViewer       *viewer);
void            mt_viewer_set_contours      (MtViewer       *viewer,
                                             gboolean        on);
MtClip          mt_viewer_get_clip          (MtViewer       *viewer);
void            mt_viewer_set_clip          (MtViewer       *viewer,
                                             MtClip          clip);
/* The cut as n.x + d > 0 removed (patient mm); FALSE if there is none. */
gboolean        mt_viewer_get_clip_plane    (MtViewer       *viewer,
                                             double          plane[4]);
/* Only what lies in the box (x0, x1, y0, y1, z0, z1, patient mm) shows in 3D;
 * NULL shows everything. */
gboolean        mt_viewer_get_clip_box      (MtViewer       *viewer,
                                             double          box[6]);
void            mt_viewer_set_clip_box      (MtViewer       *viewer,
                                             const double   *box);
/* The first scan's segments, shown over the slice views; the serial
 * changes with every new one. A new scan starts without. */
MtSegmentation *mt_viewer_get_segmentation  (MtViewer       *viewer,
                                             guint          *serial);
void            mt_viewer_set_segmentation  (MtViewer       *viewer,
                                             MtSegmentation *segmentation);
/* After the segmentation's voxels changed (a brush, undo): redraw it. */
void            mt_viewer_segmentation_edited (MtViewer     *viewer);
/* The segment the brush paints, made ("annotation") with the segmentation
 * itself if there is none yet; 0 without a scan. */
guint16         mt_viewer_get_active_segment (MtViewer      *viewer);
void            mt_viewer_set_active_segment (MtViewer      *viewer,
                                              guint16        value);
/* A ball through the slices rather than a disc on the slice shown. */
gboolean        mt_viewer_get_brush_sphere  (MtViewer       *viewer);
void            mt_viewer_set_brush_sphere  (MtViewer       *viewer,
                                             gboolean        sphere);
double          mt_viewer_get_brush_radius  (MtViewer       *viewer);
void            mt_viewer_set_brush_radius  (MtViewer       *viewer,
                                             double          radius_mm);
MtRenderPreset  mt_viewer_get_preset   (MtViewer       *viewer);
void            mt_viewer_set_preset   (MtViewer       *viewer,
                                        MtRenderPreset  preset);

G_END_DECLS
