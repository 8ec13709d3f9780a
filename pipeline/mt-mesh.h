/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "mt-progress.h"
#include "mt-types.h"

G_BEGIN_DECLS

#define MT_MESH_ERROR (mt_mesh_error_quark ())
typedef enum
{
  MT_MESH_ERROR_READ,
  MT_MESH_ERROR_FORMAT,     /* not an STL file, or a damaged one */
  MT_MESH_ERROR_WRITE,
  MT_MESH_ERROR_EMPTY,      /* no surface: the label is not in the volume */
} MtMeshError;
GQuark mt_mesh_error_quark (void);

/* A triangle surface in patient coordinates (LPS, mm), with one normal per
 * vertex pointing out of the structure. */
typedef struct
{
  gatomicrefcount ref;
  float          *vertices;     /* 3 per vertex */
  float          *normals;      /* 3 per vertex, unit length */
  guint32        *triangles;    /* 3 vertex indices per triangle, counter-clockwise seen from outside */
  guint           n_vertices;
  guint           n_triangles;
} MtMesh;

MtMesh  *mt_mesh_new              (guint            n_vertices,
                                   guint            n_triangles);
MtMesh  *mt_mesh_ref              (MtMesh          *mesh);
MtMesh  *mt_mesh_copy             (const MtMesh    *mesh);
void     mt_mesh_unref            (MtMesh          *mesh);
/* Vertex normals from the triangles around each vertex (area-weighted). */
void     mt_mesh_compute_normals  (MtMesh          *mesh);
/* The volume enclosed (mm3; positive when the triangles face outwards) and
 * the area (mm2). */
double   mt_mesh_volume           (const MtMesh    *mesh);
double   mt_mesh_area             (const MtMesh    *mesh);
void     mt_mesh_bounds           (const MtMesh    *mesh,
                                   double           lo[3],
                                   double           hi[3]);
/* The closed surface around the voxels of a label volume whose value is
 * label (any value > 0 for label < 0), by surface nets: one vertex per cell
 * the boundary crosses, at the mean of its crossings. Voxels outside the
 * volume count as outside, so the surface is always closed. */
MtMesh  *mt_mesh_from_labels      (const MtVolume  *labels,
                                   int              label,
                                   GError         **error);
/* The iso-surface of a scan at a value (e.g. 300 HU for bone): marching
 * cubes, edge-based, on every core; one vertex per crossed grid edge,
 * shared; triangles counter-clockwise seen from outside (the side below
 * iso). Open where the structure leaves the scan. */
MtMesh  *mt_mesh_from_iso         (const MtVolume  *volume,
                                   float            iso,
                                   GError         **error);
/* The closed surface of a label's voxels (any value > 0 for label < 0) by
 * discrete marching cubes: every vertex half-way along a grid edge, every
 * edge in exactly two triangles; closed also where the segment meets the
 * scan's edge. */
MtMesh  *mt_mesh_from_label_cubes (const MtVolume  *labels,
                                   int              label,
                                   GError         **error);
/* A segment's surface as the viewer shows it: discrete marching cubes,
 * then ten Taubin iterations to smooth the voxel staircase away (a closed
 * 2-manifold, its volume kept). */
MtMesh  *mt_mesh_from_segment     (const MtVolume  *labels,
                                   int              label,
                                   GError         **error);
/* Taubin's smoothing (a shrinking and an inflating umbrella step each
 * iteration, lambda 0.5, mu -0.53): the staircase of voxels smoothed away
 * without the surface shrinking. Cancelled, the mesh is left as it was. */
gboolean mt_mesh_smooth           (MtMesh          *mesh,
                                   int              iterations,
                                   MtProgress      *progress,
                                   GCancellable    *cancellable,
                                   GError         **error);
/* Isotropic remeshing (Botsch and Kobbelt): triangles close to equilateral
 * with edges near edge_mm, each vertex put back on the surface as it was;
 * open rims kept as they are. Cancelled, the mesh is left as it was. */
gboolean mt_mesh_remesh           (MtMesh          *mesh,
                                   double           edge_mm,
                                   int              iterations,
                                   MtProgress      *progress,
                                   GCancellable    *cancellable,
                                   GError         **error);
/* Decimation by quadric error (Garland and Heckbert): fraction of the
 * triangles removed (0.9: a tenth left), edges collapsed cheapest first
 * into the point that keeps their planes best, never pinching the surface,
 * folding a triangle or moving an open rim. Cancelled, the mesh is left as
 * it was. */
gboolean mt_mesh_decimate         (MtMesh          *mesh,
                                   double           fraction,
                                   MtProgress      *progress,
                                   GCancellable    *cancellable,
                                   GError         **error);
/* How far two surfaces are apart, both ways: the mean of every vertex's
 * distance to the other surface (its nearest point, not vertex) and the
 * largest (Hausdorff), mm. */
void     mt_mesh_distance         (const MtMesh    *a,
                                   const MtMesh    *b,
                                   double          *mean,
                                   double          *hausdorff);
/* The refinement a surface gets before it is shown or printed, in the
 * order that leaves the least to undo: pieces and holes before smoothing
 * spreads them, decimation last. Zero leaves a step out. */
typedef struct
{
  double   remove_pieces;      /* under this fraction of the largest piece's triangles */
  gboolean fill_holes;
  guint    max_hole_edges;     /* 0: any */
  int      smooth_iterations;
  double   remesh_edge_mm;     /* isotropic remeshing to edges of this length */
  double   decimate;           /* fraction of the triangles removed */
} MtMeshRefine;

typedef struct
{
  guint  pieces_removed, holes_filled;
  double smooth_ms, remesh_ms, decimate_ms;
  double decimate_mean_mm, decimate_hausdorff_mm;   /* how far decimation moved the surface */
} MtMeshRefineReport;

/* A refined copy (the mesh itself untouched); NULL when cancelled. With a
 * report, what each step did, decimation's error measured. */
MtMesh  *mt_mesh_refined          (const MtMesh        *mesh,
                                   const MtMeshRefine  *how,
                                   MtMeshRefineReport  *report,
                                   MtProgress          *progress,
                                   GCancellable        *cancellable,
                                   GError             **error);
/* Pieces (parts joined by no edge) with fewer triangles than fraction of
 * the largest's are removed: bone specks, noise; returns how many. */
guint    mt_mesh_remove_small_pieces (MtMesh       *mesh,
                                      double        fraction);
/* The edges that only one triangle has, once the vertices at the same
 * place are taken as one: 0 for a closed surface (what a printer needs). */
guint    mt_mesh_open_edges       (const MtMesh    *mesh);
/* Every hole (a loop of open edges) of at most max_edges edges (0: any) is
 * closed: small ones by the patch of least area, large ones by a fan about
 * their centre; returns how many. */
guint    mt_mesh_fill_holes       (MtMesh          *mesh,
                                   guint            max_edges);
/* Keeps the part of the surface on the side each plane's normal points to
 * (n_planes points and normals, 3 numbers each); with cap, each closed loop
 * of a cut gets a flat cap facing out, with its own vertices and the
 * plane's normal (closed by position, flat under light). FALSE when
 * nothing lay outside. Cut a surface as extracted and refined, not one
 * capped before: an old cap's corners are not the sides' vertices. */
gboolean mt_mesh_clip             (MtMesh          *mesh,
                                   guint            n_planes,
                                   const double    *points,
                                   const double    *normals,
                                   gboolean         cap);
/* One plane; a box: the six planes of its faces. */
gboolean mt_mesh_clip_plane       (MtMesh          *mesh,
                                   const double     point[3],
                                   const double     normal[3],
                                   gboolean         cap);
gboolean mt_mesh_clip_box         (MtMesh          *mesh,
                                   const double     lo[3],
                                   const double     hi[3],
                                   gboolean         cap);
/* STL, OBJ or PLY by the path's ending; refused otherwise. */
gboolean mt_mesh_write            (const MtMesh    *mesh,
                                   const char      *name,
                                   const float      rgba[4],
                                   const char      *path,
                                   GError         **error);
/* STL, OBJ (vertices and faces; polygons fanned into triangles) or binary
 * PLY, by the path's ending; a damaged file is refused with what is wrong. */
MtMesh  *mt_mesh_read             (const char      *path,
                                   GError         **error);
/* Binary or ASCII STL; shared corners are merged into one vertex. */
MtMesh  *mt_mesh_read_stl         (const char      *path,
                                   GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtMesh, mt_mesh_unref)

/* The patient coordinates a mesh file is written in: DICOM's LPS (as
 * MedTwin holds them), or RAS, as 3D Slicer and most 3D tools take them. */
typedef enum
{
  MT_MESH_LPS,
  MT_MESH_RAS,
} MtMeshSpace;

/* A named, coloured surface of the twin (alpha < 1: see-through). */
typedef struct
{
  MtMesh *mesh;
  char   *name;
  float   rgba[4];
} MtSurface;

MtSurface *mt_surface_new  (MtMesh      *mesh,
                            const char  *name,
                            const float  rgba[4]);
void       mt_surface_free (MtSurface   *surface);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtSurface, mt_surface_free)
/* Surfaces into one file, chosen by its ending: binary STL (all triangles
 * together, the format printers take), OBJ (one group and one material
 * each, in NAME.mtl beside it) or binary PLY (each vertex in its surface's
 * colour). The space is named in the header as 3D Slicer reads it. */
gboolean   mt_surfaces_write (MtSurface * const *surfaces,
                              guint              n,
                              MtMeshSpace        space,
                              const char        *path,
                              GError           **error);

G_END_DECLS
