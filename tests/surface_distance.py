#!/usr/bin/python3
# Mean distance (mm) from the head surface of one scan to that of another,
# the first scan's points taken through an ITK affine transform file into
# the second (patient LPS mm), with numpy and scipy only (not MedTwin, so
# the registration test does not grade itself):
#   surface_distance.py FIXED.nii MOVING.nii [T.tfm] [--top MM]
# --top keeps only the fixed surface within MM of the top of the head (the
# cranium, not the neck, which bends between lying prone and supine).
# Each head is the largest connected part above a fifth of the scan's 99th
# percentile, holes filled slice by slice; its surface is the head's
# voxels with a face on the outside. Points of the fixed surface that fall
# off the moving scan do not count, nor the faces where a scan's field of
# view cuts the body. Prints the mean distance and the
# number of points counted.
import struct, sys
import numpy as np
from scipy import ndimage

def load(path):
    raw = open(path, 'rb').read()
    dims = struct.unpack('<8h', raw[40:56])
    datatype = struct.unpack('<h', raw[70:72])[0]
    offset = int(struct.unpack('<f', raw[108:112])[0])
    srow = np.array(struct.unpack('<12f', raw[280:328]), dtype=float).reshape(3, 4)
    dtype = {2: np.uint8, 4: np.int16, 16: np.float32, 512: np.uint16}[datatype]
    nx, ny, nz = dims[1:4]
    vol = np.frombuffer(raw[offset:], dtype=dtype, count=nx * ny * nz).astype(np.float64)
    vol = vol.reshape(nz, ny, nx).transpose(2, 1, 0)
    affine = np.eye(4)
    affine[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ srow   # RAS to LPS
    # On cubes of the finest spacing (linear), so that thick slices do not
    # put the skin up to half a slice off.
    spacing = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    zoom = spacing / spacing.min()
    if np.any(zoom > 1.01):
        shape = np.array(vol.shape)
        vol = ndimage.zoom(vol, zoom, order=1, grid_mode=False)
        # zoom lays the first and last voxel centres on the old ones.
        affine[:3, :3] = affine[:3, :3] @ np.diag((shape - 1) / (np.array(vol.shape) - 1))
    return vol, affine

def head(vol):
    mask = vol > 0.2 * np.percentile(vol, 99)
    labels, n = ndimage.label(mask)
    if n == 0:
        sys.exit('no head found')
    sizes = ndimage.sum(mask, labels, range(1, n + 1))
    mask = labels == 1 + int(np.argmax(sizes))
    for k in range(mask.shape[2]):
        mask[:, :, k] = ndimage.binary_fill_holes(mask[:, :, k])
    return mask

def surface(mask):
    # Faces on the scan's own edge are where the field of view cut the
    # body, not its skin.
    return mask & ~ndimage.binary_erosion(mask, border_value=1)

args = sys.argv[1:]
top = None
if '--top' in args:
    i = args.index('--top')
    top = float(args[i + 1])
    del args[i:i + 2]
sys.argv[1:] = args
fixed, fa = load(sys.argv[1])
moving, ma = load(sys.argv[2])
m = np.eye(3)
t = np.zeros(3)
c = np.zeros(3)
if len(sys.argv) > 3:
    lines = open(sys.argv[3]).read().split('\n')
    p = [float(x) for x in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
    c = np.array([float(x) for x in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]])
    m = np.array(p[:9]).reshape(3, 3)
    t = np.array(p[9:12])
spacing = np.sqrt((ma[:3, :3] ** 2).sum(axis=0))
# Distance (mm) from every moving voxel to the moving head's surface.
dist = ndimage.distance_transform_edt(~surface(head(moving)), sampling=spacing)
pts = np.argwhere(surface(head(fixed))).astype(float)
xyz = pts @ fa[:3, :3].T + fa[:3, 3]
if top is not None:
    # Patient z (LPS) grows towards the head.
    xyz = xyz[xyz[:, 2] >= xyz[:, 2].max() - top]
y = (xyz - c) @ m.T + c + t
ijk = (y - ma[:3, 3]) @ np.linalg.inv(ma[:3, :3]).T
inside = np.all((ijk >= 0) & (ijk <= np.array(moving.shape) - 1), axis=1)
d = ndimage.map_coordinates(dist, ijk[inside].T, order=1)
print("%.3f %d" % (d.mean(), inside.sum()))
