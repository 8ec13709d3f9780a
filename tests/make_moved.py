#!/usr/bin/python3
# A scan moved by a known rigid transform, made with scipy (not MedTwin, so
# the registration test does not grade itself).
#   make_moved.py IN.nii OUT.nii RX RY RZ TX TY TZ [SX SY SZ]
# The rotation (degrees, about x then y then z, about the scan's centre),
# the scaling along x, y, z before it (1 when left out) and translation
# (mm) give T, from the input's patient coordinates to the output's:
# OUT(T(x)) = IN(x). Writes T as an ITK transform beside OUT
# (OUT.tfm) and prints nothing. Needs numpy and scipy (Debian's python3).
import struct, sys
import numpy as np
from scipy import ndimage

src, dst = sys.argv[1], sys.argv[2]
rx, ry, rz, tx, ty, tz = (float(v) for v in sys.argv[3:9])
scale = [float(v) for v in sys.argv[9:12]] if len(sys.argv) > 9 else [1.0, 1.0, 1.0]
raw = open(src, 'rb').read()
(sizeof_hdr,) = struct.unpack('<i', raw[:4])
assert sizeof_hdr == 348, 'NIfTI-1 single file expected'
dims = struct.unpack('<8h', raw[40:56])
datatype = struct.unpack('<h', raw[70:72])[0]
offset = int(struct.unpack('<f', raw[108:112])[0])
slope, inter = struct.unpack('<ff', raw[112:120])
srow = np.array(struct.unpack('<12f', raw[280:328]), dtype=float).reshape(3, 4)
dtype = {2: np.uint8, 4: np.int16, 16: np.float32}[datatype]
nx, ny, nz = dims[1:4]
data = np.frombuffer(raw[offset:], dtype=dtype, count=nx * ny * nz).astype(np.float64)
if slope not in (0.0, 1.0) or inter != 0.0:
    data = data * (slope if slope != 0 else 1.0) + inter
vol = data.reshape(nz, ny, nx).transpose(2, 1, 0)  # index order i, j, k

# NIfTI's affine is RAS; patient coordinates here are LPS.
ras_to_lps = np.diag([-1.0, -1.0, 1.0])
A = np.eye(4)
A[:3, :] = srow
A[:3, :] = ras_to_lps @ A[:3, :]
center = A[:3, :3] @ ((np.array([nx, ny, nz]) - 1) / 2.0) + A[:3, 3]

def rot(ax, deg):
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return {0: np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[ax]

R = rot(2, rz) @ rot(1, ry) @ rot(0, rx) @ np.diag(scale)
t = np.array([tx, ty, tz])
# T(x) = R (x - c) + c + t; OUT(y) = IN(T^-1 y); in index space,
# in_index = A^-1 T^-1 A out_index.
T = np.eye(4)
T[:3, :3] = R
T[:3, 3] = center + t - R @ center
M = np.linalg.inv(A) @ np.linalg.inv(T) @ A
out = ndimage.affine_transform(vol, M[:3, :3], offset=M[:3, 3], order=3, mode='grid-constant', cval=-1024.0)
body = out.transpose(2, 1, 0).astype(np.float32).tobytes()
hdr = bytearray(raw[:offset])
struct.pack_into('<h', hdr, 70, 16)
struct.pack_into('<h', hdr, 72, 32)
struct.pack_into('<ff', hdr, 112, 1.0, 0.0)
open(dst, 'wb').write(bytes(hdr) + body)
with open(dst + '.tfm', 'w') as f:
    f.write('#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n')
    f.write('Parameters: ' + ' '.join('%.17g' % v for v in list(R.flatten()) + list(t)) + '\n')
    f.write('FixedParameters: ' + ' '.join('%.17g' % v for v in center) + '\n')
