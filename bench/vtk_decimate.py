#!/usr/bin/python3
# VTK's quadric decimation of an STL, for bench/run.sh:
#   vtk_decimate.py MESH.stl FRACTION [OUT.stl]   prints: ms triangles_in triangles_out
# The STL's corners are welded first (vtkCleanPolyData, not timed), as
# MedTwin's mesh shares its vertices.
import sys, time
import vtk

reader = vtk.vtkSTLReader()
reader.SetFileName(sys.argv[1])
clean = vtk.vtkCleanPolyData()
clean.SetInputConnection(reader.GetOutputPort())
clean.Update()
mesh = clean.GetOutput()
decimate = vtk.vtkQuadricDecimation()
decimate.SetInputData(mesh)
decimate.SetTargetReduction(float(sys.argv[2]))
t0 = time.time()
decimate.Update()
print('%.0f %d %d' % ((time.time() - t0) * 1000, mesh.GetNumberOfPolys(), decimate.GetOutput().GetNumberOfPolys()))
if len(sys.argv) > 3:
    writer = vtk.vtkSTLWriter()
    writer.SetFileName(sys.argv[3])
    writer.SetFileTypeToBinary()
    writer.SetInputConnection(decimate.GetOutputPort())
    writer.Write()
