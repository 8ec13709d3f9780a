"""Writes N copies of one DICOM file with new UIDs (a new series every 100
copies, a new study every 1000) into OUT_DIR, for header-scan benchmarks.
Usage: /usr/bin/python3 bench/make_copies.py SOURCE.dcm N OUT_DIR"""
import os, sys
import pydicom
from pydicom.uid import generate_uid

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
ds = pydicom.dcmread(src)
study = series = None
for i in range(n):
    if i % 1000 == 0:
        study = generate_uid()
    if i % 100 == 0:
        series = generate_uid()
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.InstanceNumber = i % 100 + 1
    folder = os.path.join(out, f"{i // 100:03d}")
    os.makedirs(folder, exist_ok=True)
    ds.save_as(os.path.join(folder, f"{i % 100:03d}.dcm"))
