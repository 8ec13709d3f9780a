#!/usr/bin/python3
# Where an ITK text transform file sends points, evaluated here as ITK
# defines its transforms (not by MedTwin): AffineTransform_double_3_3,
# BSplineTransform_double_3_3 (cubic, ITK's grid layout and valid region)
# and a CompositeTransform of them (the last listed applied first).
#   itk_tfm.py T.tfm X Y Z [X Y Z ...]   prints the mapped points, one a line
import sys
import numpy as np

def bspline3(u):
    u = abs(u)
    if u < 1:
        return (4 - 6 * u * u + 3 * u ** 3) / 6
    if u < 2:
        return (2 - u) ** 3 / 6
    return 0.0

def load(path):
    text = open(path).read()
    assert text.startswith('#Insight Transform File V1.0')
    transforms, kind, params = [], None, None
    for line in text.split('\n'):
        if line.startswith('Transform:'):
            kind = line.split(':', 1)[1].strip()
        elif line.startswith('Parameters:'):
            params = np.array([float(v) for v in line.split()[1:]])
        elif line.startswith('FixedParameters:'):
            fixed = np.array([float(v) for v in line.split()[1:]])
            if kind.startswith('AffineTransform'):
                transforms.append(('affine', params, fixed))
            elif kind.startswith('BSplineTransform'):
                transforms.append(('bspline', params, fixed))
    return transforms

def apply_one(t, x):
    kind, p, f = t
    if kind == 'affine':
        m, tr, c = p[:9].reshape(3, 3), p[9:12], f[:3]
        return m @ (x - c) + c + tr
    size = f[0:3].astype(int)
    origin, spacing, direction = f[3:6], f[6:9], f[9:18].reshape(3, 3)
    q = (direction.T @ (x - origin)) / spacing
    if np.any(q < 1) or np.any(q >= size - 2):
        return x
    start = np.floor(q).astype(int) - 1
    n = size.prod()
    u = np.zeros(3)
    for k in range(4):
        for j in range(4):
            for i in range(4):
                w = bspline3(q[0] - start[0] - i) * bspline3(q[1] - start[1] - j) * bspline3(q[2] - start[2] - k)
                node = ((start[2] + k) * size[1] + start[1] + j) * size[0] + start[0] + i
                u += w * p[[node, n + node, 2 * n + node]]
    return x + u

if __name__ == '__main__':
    ts = load(sys.argv[1])
    vals = [float(v) for v in sys.argv[2:]]
    for a in range(0, len(vals), 3):
        x = np.array(vals[a:a + 3])
        for t in reversed(ts):
            x = apply_one(t, x)
        print('%.4f %.4f %.4f' % tuple(x))
