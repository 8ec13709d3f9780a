#!/usr/bin/python3
# A scan warped by a known smooth deformation on top of a rigid move, made
# with scipy (not MedTwin, so the registration test does not grade itself):
#   make_warped.py IN.nii OUT.nii RX RY RZ TX TY TZ AMP
# T is the rigid move of make_moved.py (degrees about x, y, z about the
# scan's centre, then mm). The output at patient point y shows the input
# at psi(y) = T^-1(y) + d(y), d a sum of three Gaussian bumps (sigma 45 mm)
# of AMP mm each, placed about the scan's centre: a smooth, breathing-like
# displacement. Writes OUT.json with T and the bumps, for tre_field.py.
# Needs numpy and scipy (Debian's python3).
import json, struct, sys
import numpy as np
from scipy import ndimage

src, dst = sys.argv[1], sys.argv[2]
rx, ry, rz, tx, ty, tz, amp = (float(v) for v in sys.argv[3:10])
raw = open(src, 'rb').read()
assert struct.unpack('<i', raw[:4])[0] == 348, 'NIfTI-1 single file expected'
dims = struct.unpack('<8h', raw[40:56])
datatype = struct.unpack('<h', raw[70:72])[0]
offset = int(struct.unpack('<f', raw[108:112])[0])
slope, inter = struct.unpack('<ff', raw[112:120])
srow = np.array(struct.unpack('<12f', raw[280:328]), dtype=float).reshape(3, 4)
dtype = {2: np.uint8, 4: np.int16, 16: np.float32}[datatype]
nx, ny, nz = dims[1:4]
data = np.frombuffer(raw[offset:], dtype=dtype, count=nx * ny * nz).astype(np.float32)
if slope not in (0.0, 1.0) or inter != 0.0:
    data = data * (slope if slope != 0 else 1.0) + inter
vol = data.reshape(nz, ny, nx).transpose(2, 1, 0)

A = np.eye(4)
A[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ srow          # index to LPS
Ainv = np.linalg.inv(A)
center = A[:3, :3] @ ((np.array([nx, ny, nz]) - 1) / 2.0) + A[:3, 3]

def rot(ax, deg):
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return {0: np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[ax]

R = rot(2, rz) @ rot(1, ry) @ rot(0, rx)
t = np.array([tx, ty, tz])
sigma = 45.0
extent = np.abs(A[:3, :3] @ (np.array([nx, ny, nz]) - 1))
bumps = [
    (center + np.array([-0.15, 0.0, -0.2]) * extent, np.array([0.3, 0.4, 0.85]) * amp),
    (center + np.array([0.15, 0.05, 0.1]) * extent, np.array([-0.5, 0.3, -0.8]) * amp),
    (center + np.array([0.0, -0.1, 0.3]) * extent, np.array([0.6, -0.7, 0.4]) * amp),
]

def d(y):
    out = np.zeros_like(y)
    for c, a in bumps:
        w = np.exp(-((y - c) ** 2).sum(axis=-1) / (2 * sigma * sigma))
        out += w[..., None] * a
    return out

# Cubic spline coefficients once, not once per slice.
coeffs = ndimage.spline_filter(vol, order=3, mode='constant')
out = np.empty((nx, ny, nz), dtype=np.float32)
ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing='ij')
for k in range(nz):
    idx = np.stack([ii, jj, np.full_like(ii, k)], axis=-1).astype(float)
    y = idx @ A[:3, :3].T + A[:3, 3]
    x = (y - center - t) @ R + center + d(y)      # T^-1(y) + d(y); R orthonormal
    src_idx = x @ Ainv[:3, :3].T + Ainv[:3, 3]
    out[:, :, k] = ndimage.map_coordinates(coeffs, src_idx.reshape(-1, 3).T, order=3, mode='constant',
                                           cval=-1024.0, prefilter=False).reshape(nx, ny)
hdr = bytearray(raw[:offset])
struct.pack_into('<h', hdr, 70, 16)
struct.pack_into('<h', hdr, 72, 32)
struct.pack_into('<ff', hdr, 112, 1.0, 0.0)
open(dst, 'wb').write(bytes(hdr) + out.transpose(2, 1, 0).astype(np.float32).tobytes())
json.dump({'R': R.tolist(), 't': t.tolist(), 'center': center.tolist(), 'sigma': sigma,
           'bumps': [[c.tolist(), a.tolist()] for c, a in bumps]}, open(dst + '.json', 'w'))
