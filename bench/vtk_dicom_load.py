"""Peer: VTK 9.1's vtkDICOMImageReader loads a DICOM folder; prints the best of N in-process times in ms."""
import sys, time
import vtk
vtk.vtkObject.GlobalWarningDisplayOff()
best = 1e9
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
    t = time.perf_counter()
    r = vtk.vtkDICOMImageReader()
    r.SetDirectoryName(sys.argv[1])
    r.Update()
    best = min(best, time.perf_counter() - t)
dims = r.GetOutput().GetDimensions()
print(f"{best * 1000:.1f} {dims[0]}x{dims[1]}x{dims[2]}")
