#!/usr/bin/python3
# Mean distance (mm) between where two ITK affine transform files send the
# points of a grid inside a box (patient LPS mm):
#   tre.py A.tfm B.tfm X0 X1 Y0 Y1 Z0 Z1
import itertools, math, sys

def load(path):
    lines = open(path).read().split('\n')
    p = [float(x) for x in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
    c = [float(x) for x in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]]
    return p[:9], p[9:12], c

def apply(t, x):
    m, tr, c = t
    d = [x[i] - c[i] for i in range(3)]
    return [sum(m[3 * r + k] * d[k] for k in range(3)) + c[r] + tr[r] for r in range(3)]

a, b = load(sys.argv[1]), load(sys.argv[2])
box = [float(v) for v in sys.argv[3:9]]
axes = [[box[2 * a] + (box[2 * a + 1] - box[2 * a]) * s / 4 for s in range(5)] for a in range(3)]
pts = list(itertools.product(*axes))
print('%.3f' % (sum(math.dist(apply(a, p), apply(b, p)) for p in pts) / len(pts)))
