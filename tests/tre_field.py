#!/usr/bin/python3
# Mean distance (mm) between where a displacement field (NIfTI, intent
# 1006, RAS vectors: MedTwin's --field, ITK's convention) sends the points
# of a grid inside a box and where make_warped.py's truth sends them:
#   tre_field.py FIELD.nii[.gz] TRUTH.json X0 X1 Y0 Y1 Z0 Z1
# The truth maps fixed point x to the moving point y with psi(y) = x,
# solved by fixed-point iteration y = T(x - d(y)). Needs numpy and scipy.
import gzip, itertools, json, struct, sys
import numpy as np
from scipy import ndimage

raw = open(sys.argv[1], 'rb').read()
if raw[:2] == b'\x1f\x8b':
    raw = gzip.decompress(raw)
dims = struct.unpack('<8h', raw[40:56])
assert dims[0] == 5 and dims[5] == 3 and struct.unpack('<h', raw[68:70])[0] == 1006, 'a displacement field expected'
offset = int(struct.unpack('<f', raw[108:112])[0])
srow = np.array(struct.unpack('<12f', raw[280:328]), dtype=float).reshape(3, 4)
nx, ny, nz = dims[1:4]
field = np.frombuffer(raw[offset:], dtype=np.float32, count=nx * ny * nz * 3).reshape(3, nz, ny, nx)
field = field.transpose(0, 3, 2, 1) * np.array([-1.0, -1.0, 1.0])[:, None, None, None]   # RAS to LPS
A = np.eye(4)
A[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ srow
Ainv = np.linalg.inv(A)

truth = json.load(open(sys.argv[2]))
R, t, c, sigma = np.array(truth['R']), np.array(truth['t']), np.array(truth['center']), truth['sigma']
bumps = [(np.array(b[0]), np.array(b[1])) for b in truth['bumps']]

def d(y):
    return sum(np.exp(-((y - bc) ** 2).sum() / (2 * sigma * sigma)) * a for bc, a in bumps)

def true_map(x):
    y = x.copy()
    for _ in range(100):
        y = R @ (x - d(y) - c) + c + t
    return y

box = [float(v) for v in sys.argv[3:9]]
axes = [[box[2 * a] + (box[2 * a + 1] - box[2 * a]) * s / 4 for s in range(5)] for a in range(3)]
errors = []
for p in itertools.product(*axes):
    x = np.array(p)
    ijk = Ainv[:3, :3] @ x + Ainv[:3, 3]
    u = np.array([ndimage.map_coordinates(field[k], ijk[:, None], order=1)[0] for k in range(3)])
    errors.append(np.linalg.norm(x + u - true_map(x)))
print('%.3f %.3f' % (np.mean(errors), np.max(errors)))
