#!/usr/bin/python3
# VTK's windowed-sinc smoothing of an STL, for bench/run.sh:
#   vtk_smooth.py MESH.stl ITERATIONS OUT.stl   prints: ms
# The STL's corners are welded first (vtkCleanPolyData, not timed), as
# MedTwin's mesh shares its vertices; pass band 0.1, coordinates
# normalised, as VTK's examples smooth marching-cubes output.
import sys, time
import vtk

reader = vtk.vtkSTLReader()
reader.SetFileName(sys.argv[1])
clean = vtk.vtkCleanPolyData()
clean.SetInputConnection(reader.GetOutputPort())
clean.Update()
smooth = vtk.vtkWindowedSincPolyDataFilter()
smooth.SetInputData(clean.GetOutput())
smooth.SetNumberOfIterations(int(sys.argv[2]))
smooth.SetPassBand(0.1)
smooth.NormalizeCoordinatesOn()
smooth.BoundarySmoothingOff()
smooth.FeatureEdgeSmoothingOff()
t0 = time.time()
smooth.Update()
print('%.0f' % ((time.time() - t0) * 1000))
writer = vtk.vtkSTLWriter()
writer.SetFileName(sys.argv[3])
writer.SetFileTypeToBinary()
writer.SetInputConnection(smooth.GetOutputPort())
writer.Write()
