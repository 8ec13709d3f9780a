#!/usr/bin/python3
# VTK's surface of one label of a label map, for bench/run.sh:
#   vtk_discrete.py LABELS.nii[.gz] LABEL   prints: ms triangles (best of 3)
# vtkDiscreteFlyingEdges3D with normals, as vtk_flyingedges.py runs the
# iso-surface peer; the NIfTI read is not timed.
import sys, time
import vtk

vtk.vtkObject.GlobalWarningDisplayOff()
reader = vtk.vtkNIFTIImageReader()
reader.SetFileName(sys.argv[1])
reader.Update()
image = reader.GetOutput()
label = float(sys.argv[2])
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    fe = vtk.vtkDiscreteFlyingEdges3D()
    fe.SetInputData(image)
    fe.SetValue(0, label)
    fe.ComputeNormalsOn()
    fe.Update()
    best = min(best, time.perf_counter() - t0)
print('%.1f %d' % (best * 1000, fe.GetOutput().GetNumberOfPolys()))
