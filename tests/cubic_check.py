#!/usr/bin/python3
# Largest and mean difference between MedTwin's cubic resampling and
# scipy's (map_coordinates, order 3, mirror), over the voxels of a few
# slices that land inside the moving scan:
#   cubic_check.py MOVING.nii RESAMPLED.nii T.tfm
import struct, sys
import numpy as np
from scipy import ndimage

def load(path):
    raw = open(path, 'rb').read()
    dims = struct.unpack('<8h', raw[40:56]); dt = struct.unpack('<h', raw[70:72])[0]
    off = int(struct.unpack('<f', raw[108:112])[0])
    nx, ny, nz = dims[1:4]
    v = np.frombuffer(raw[off:], dtype={4: np.int16, 16: np.float32}[dt], count=nx * ny * nz).reshape(nz, ny, nx)
    a = np.eye(4); a[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ np.array(struct.unpack('<12f', raw[280:328])).reshape(3, 4)
    return v.astype(np.float64).transpose(2, 1, 0), a

moving, am = load(sys.argv[1])
out, ao = load(sys.argv[2])
lines = open(sys.argv[3]).read().split('\n')
p = [float(x) for x in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
c = np.array([float(x) for x in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]])
m, t = np.array(p[:9]).reshape(3, 3), np.array(p[9:12])
coeffs = ndimage.spline_filter(moving, order=3, mode='mirror')
diffs = []
for k in range(out.shape[2] // 2 - 2, out.shape[2] // 2 + 3):
    ii, jj = np.meshgrid(np.arange(out.shape[0]), np.arange(out.shape[1]), indexing='ij')
    idx = np.stack([ii, jj, np.full_like(ii, k)], -1).reshape(-1, 3).astype(float)
    x = idx @ ao[:3, :3].T + ao[:3, 3]
    y = (x - c) @ m.T + c + t
    src = y @ np.linalg.inv(am)[:3, :3].T + np.linalg.inv(am)[:3, 3]
    inside = np.all((src >= 0) & (src <= np.array(moving.shape) - 1), axis=1)
    ref = ndimage.map_coordinates(coeffs, src[inside].T, order=3, mode='mirror', prefilter=False)
    diffs.append(np.abs(ref - out[ii.reshape(-1)[inside], jj.reshape(-1)[inside], k]))
d = np.concatenate(diffs)
print('%.4f %.4f' % (d.max(), d.mean()))
