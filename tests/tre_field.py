#!/usr/bin/python3
# Mean distance (mm) between where a displacement field (NIfTI, intent
# 1006 with RAS vectors: MedTwin's --field; or 1007 with LPS vectors:
# elastix's transformix -def all) sends the points
# of a grid inside a box and where make_warped.py's truth sends them:
#   tre_field.py FIELD.nii[.gz]|T.tfm TRUTH.json X0 X1 Y0 Y1 Z0 Z1
# An ITK transform file (affine, B-spline or their composite) is evaluated
# as ITK defines it, by itk_tfm.py beside this script.
# The truth maps fixed point x to the moving point y with psi(y) = x,
# solved by fixed-point iteration y = T(x - d(y)). Needs numpy and scipy.
import gzip, itertools, json, struct, sys
import numpy as np
from scipy import ndimage

import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if sys.argv[1].endswith('.tfm'):
    import itk_tfm
    transforms = itk_tfm.load(sys.argv[1])
else:
    raw = open(sys.argv[1], 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    dims = struct.unpack('<8h', raw[40:56])
    intent = struct.unpack('<h', raw[68:70])[0]
    assert dims[0] == 5 and dims[5] == 3 and intent in (1006, 1007), 'a displacement field expected'
    offset = int(struct.unpack('<f', raw[108:112])[0])
    srow = np.array(struct.unpack('<12f', raw[280:328]), dtype=float).reshape(3, 4)
    nx, ny, nz = dims[1:4]
    field = np.frombuffer(raw[offset:], dtype=np.float32, count=nx * ny * nz * 3).reshape(3, nz, ny, nx)
    field = field.transpose(0, 3, 2, 1)
    if intent == 1006:
        # Displacement vectors in NIfTI's RAS (MedTwin, ITK 5.3 on); a plain
        # vector image (1007, elastix's transformix on ITK 5.2) holds ITK's LPS.
        field = field * np.array([-1.0, -1.0, 1.0])[:, None, None, None]
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
    if sys.argv[1].endswith('.tfm'):
        y = x
        for one in reversed(transforms):
            y = itk_tfm.apply_one(one, y)
    else:
        ijk = Ainv[:3, :3] @ x + Ainv[:3, 3]
        y = x + np.array([ndimage.map_coordinates(field[k], ijk[:, None], order=1)[0] for k in range(3)])
    errors.append(np.linalg.norm(y - true_map(x)))
print('%.3f %.3f' % (np.mean(errors), np.max(errors)))
