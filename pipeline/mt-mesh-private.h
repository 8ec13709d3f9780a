/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers the mesh files share: neighbour lists and a grid of triangles
 * for nearest-point searches. Not for use outside pipeline/mt-mesh*.c. */

#include "mt-mesh.h"

G_BEGIN_DECLS

/* Every vertex's neighbours (vertices it shares an edge with), compressed:
 * those of vertex v are ids[first[v] .. first[v + 1]). Free both. */
typedef struct
{
  guint  *first;
  guint  *ids;
} MtMeshNeighbours;

void   mt_mesh_neighbours_build (const MtMesh       *mesh,
                                 MtMeshNeighbours   *nb);

/* The triangles of a mesh binned in a uniform grid of cubes (about two a
 * cell); the mesh must outlive it. */
typedef struct
{
  const MtMesh *m;
  double        lo[3], cell;
  int           n[3];
  guint        *first;   /* per cell, into ids */
  guint        *ids;
} MtMeshGrid;

void   mt_mesh_grid_build       (MtMeshGrid         *grid,
                                 const MtMesh       *mesh);
void   mt_mesh_grid_clear       (MtMeshGrid         *grid);
/* The distance from p to the mesh, and the nearest point (may be NULL). */
double mt_mesh_grid_nearest     (const MtMeshGrid   *grid,
                                 const double        p[3],
                                 double              nearest[3]);

G_END_DECLS
