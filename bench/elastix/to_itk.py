#!/usr/bin/python3
# elastix's TransformParameters.0.txt (EulerTransform or AffineTransform)
# as an ITK affine transform file, for tests/tre.py:  to_itk.py IN.txt OUT.tfm
import re, sys
import numpy as np

text = open(sys.argv[1]).read()
def values(name):
    return [float(v) for v in re.search(r'\(' + name + r' ([^)]*)\)', text).group(1).split()]
params = values('TransformParameters')
center = values('CenterOfRotationPoint')
if re.search(r'\(Transform "AffineTransform"\)', text):
    with open(sys.argv[2], 'w') as f:
        f.write('#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n')
        f.write('Parameters: ' + ' '.join('%.17g' % v for v in params) + '\n')
        f.write('FixedParameters: ' + ' '.join('%.17g' % v for v in center) + '\n')
    sys.exit(0)
rx, ry, rz, tx, ty, tz = params
zyx = re.search(r'\(ComputeZYX "true"\)', text) is not None
def rot(axis, a):
    c, s = np.cos(a), np.sin(a)
    return {0: np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            1: np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            2: np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[axis]
# ITK's Euler3DTransform: Z X Y unless ComputeZYX.
R = rot(2, rz) @ rot(1, ry) @ rot(0, rx) if zyx else rot(2, rz) @ rot(0, rx) @ rot(1, ry)
with open(sys.argv[2], 'w') as f:
    f.write('#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\n')
    f.write('Parameters: ' + ' '.join('%.17g' % v for v in list(R.flatten()) + [tx, ty, tz]) + '\n')
    f.write('FixedParameters: ' + ' '.join('%.17g' % v for v in center) + '\n')
