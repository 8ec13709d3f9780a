#!/usr/bin/python3
# Mean and largest distance (mm) between where a displacement field
# (NIfTI, intent 1006, RAS vectors) and an ITK affine transform file send
# the points of a grid inside a box (patient LPS mm, 5 points a side):
#   tre_field_tfm.py FIELD.nii[.gz] T.tfm X0 X1 Y0 Y1 Z0 Z1
import gzip, itertools, struct, sys
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
field = field.transpose(0, 3, 2, 1) * np.array([-1.0, -1.0, 1.0])[:, None, None, None]
A = np.eye(4)
A[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ srow
Ainv = np.linalg.inv(A)
lines = open(sys.argv[2]).read().split('\n')
p = [float(v) for v in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
c = np.array([float(v) for v in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]])
M, t = np.array(p[:9]).reshape(3, 3), np.array(p[9:12])
box = [float(v) for v in sys.argv[3:9]]
axes = [np.linspace(box[2 * a], box[2 * a + 1], 5) for a in range(3)]
errors = []
for x in itertools.product(*axes):
    x = np.array(x)
    ijk = Ainv[:3, :3] @ x + Ainv[:3, 3]
    u = np.array([ndimage.map_coordinates(field[k], ijk[:, None], order=1)[0] for k in range(3)])
    errors.append(np.linalg.norm(x + u - (M @ (x - c) + c + t)))
print('%.3f %.3f' % (np.mean(errors), np.max(errors)))
