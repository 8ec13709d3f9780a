# scikit-image doing what bench/segment-bench.c times: flood fill of the
# voxels in [-500, 3000] HU from the volume's centre (connected threshold),
# threshold + connected components (6-connectivity), and a dilation by a
# 3 mm ellipsoid on the scan's spacing. Prints "name ms count", best of 3.
import glob, sys, time
import numpy as np
import pydicom
from skimage import measure, morphology, segmentation

files = sorted(glob.glob(sys.argv[1] + '/*.dcm'))
ds = [pydicom.dcmread(f) for f in files]
ds.sort(key=lambda d: float(d.ImagePositionPatient[2]))
ct = np.stack([d.pixel_array.astype(np.float32) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
sy, sx = (float(v) for v in ds[0].PixelSpacing)
sz = abs(float(ds[1].ImagePositionPatient[2]) - float(ds[0].ImagePositionPatient[2]))

def best(f):
    t = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = f()
        t.append((time.perf_counter() - t0) * 1000)
    return min(t), out

inside = (ct >= -500) & (ct <= 3000)
seed = tuple(s // 2 for s in ct.shape)
ms, grown = best(lambda: segmentation.flood(inside, seed, connectivity=1))
print('grow %.1f %d' % (ms, grown.sum()))
ms, labels = best(lambda: measure.label((ct >= -500) & (ct <= 3000), connectivity=1))
print('components %.1f %d' % (ms, labels.max()))
rz, ry, rx = (int(3.0 // s) for s in (sz, sy, sx))
z, y, x = np.ogrid[-rz:rz + 1, -ry:ry + 1, -rx:rx + 1]
ball = ((z * sz) ** 2 + (y * sy) ** 2 + (x * sx) ** 2) <= 9.0001
ms, dil = best(lambda: morphology.binary_dilation(inside, ball))
print('dilate %.1f %d' % (ms, dil.sum()))
