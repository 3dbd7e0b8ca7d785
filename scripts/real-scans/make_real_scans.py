#!/usr/bin/python3
"""Builds the real-scan stroke test set in test/data/real-scans (issue 17).

    /usr/bin/python3 scripts/real-scans/make_real_scans.py SOURCE_DIR [--out DIR] [--seed 17]

SOURCE_DIR holds bone_128x128x128.tif, cement_128x128x128.tif (qim3d, DTU QIM Centre, MIT) and
real2d/ with the InSegt images and their human strokes (MIT). The InSegt pairs are copied as they
are; from bone and cement it cuts single slices and small 3D crops and paints strokes the way a
careful person paints them: long brush lines, a few blobs, one long thick stroke on the dominant
phase, classes painted in very unequal amounts, several separate strokes per class, all well
inside a phase. A reference segmentation (smoothing, thresholds, distance to the phase boundary)
only decides where a stroke may lie; it is not shipped. Seeded: the same seed writes the same files.
Also writes README.md with the shapes and painted voxel counts.
"""
import argparse
import math
import shutil
from pathlib import Path

import numpy as np
import tifffile
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu

# A stroke keeps this far (voxels, beyond its brush radius) from the boundary of its phase; the
# one-voxel brush is for thin structures (trabeculae 3-5 voxels wide): it only has to stay inside.
MARGIN = 1.0
THIN_MARGIN = 0.5
# Morphology within each z slice, as a person judges a phase on the slice being painted (and a
# 3D structure would erode a single slice away at its z borders).
IN_SLICE = np.ones((1, 3, 3), bool)


def write_volume(path, array):
    """ImageJ TIFF, one page per z slice: what src/main/volume reads (ImageJ takes a bare 3D
    array for channels)."""
    tifffile.imwrite(path, np.ascontiguousarray(array), imagej=True, metadata={'axes': 'ZYX'})


class Painter:
    """Paints strokes into a (Z, Y, X) label volume, each in one z slice, inside its phase.

    `phases` gives every voxel's phase (0 = unsure: nothing is painted there). Strokes of any class
    keep one voxel apart from each other, so each one stays its own connected component.
    """

    def __init__(self, phases, rng):
        self.rng = rng
        self.labels = np.zeros(phases.shape, np.uint8)
        # distance to the phase boundary within the slice, which is what the painter sees
        self.depth = {
            k: np.stack([ndi.distance_transform_edt(s) for s in phases == k]) for k in range(1, phases.max() + 1)
        }

    def fits(self, k, z, y, x, radius):
        _, ny, nx = self.labels.shape
        yi, xi = int(round(y)), int(round(x))
        if not (radius <= yi < ny - radius and radius <= xi < nx - radius):
            return False
        if self.depth[k][z, yi, xi] <= radius + (THIN_MARGIN if radius == 1 else MARGIN):
            return False
        near = self.labels[z, yi - radius - 1:yi + radius + 2, xi - radius - 1:xi + radius + 2]
        return not near.any()

    def start(self, k, z, radius):
        ys, xs = np.nonzero(self.depth[k][z] > radius + THIN_MARGIN)
        for i in self.rng.permutation(len(ys))[:400]:
            if self.fits(k, z, ys[i], xs[i], radius):
                return float(ys[i]), float(xs[i])
        return None

    def commit(self, k, z, centres, radius):
        stroke = np.zeros(self.labels.shape[1:], bool)
        for y, x in centres:
            stroke[int(round(y)), int(round(x))] = True
        stroke = ndi.binary_dilation(stroke, disc(radius)[0])
        self.labels[z][stroke] = k
        return int(stroke.sum())

    def line(self, k, z, radius, length, min_length=8):
        """A brush line: a smooth random walk that turns away from the phase boundary. Of a few
        tries, the first that gets most of `length` long, else the longest."""
        best = []
        for _ in range(30):
            centres = self.walk(k, z, radius, length)
            if len(centres) > len(best):
                best = centres
            if len(best) >= 0.7 * length:
                break
        return self.commit(k, z, best, radius) if len(best) >= min_length else 0

    def walk(self, k, z, radius, length):
        at = self.start(k, z, radius)
        if at is None:
            return []
        y, x = at
        angle = self.rng.uniform(0, 2 * math.pi)
        centres = [(y, x)]
        while len(centres) < length:
            # wander a little; near the boundary, turn as little as keeps the brush inside
            turns = [self.rng.normal(0, 0.08)]
            for turn in (0.35, 0.7, 1.1, 1.5):
                turns += list(self.rng.permutation([-turn, turn]))
            for turn in turns:
                a = angle + turn
                ny_, nx_ = y + math.sin(a), x + math.cos(a)
                if self.fits(k, z, ny_, nx_, radius):
                    y, x, angle = ny_, nx_, a
                    centres.append((y, x))
                    break
            else:
                break
        return centres

    def blob(self, k, z, radius):
        """A dab: a disc, made smaller where the phase is narrower."""
        for r in range(radius, 0, -1):
            at = self.start(k, z, r)
            if at is not None:
                return self.commit(k, z, [at], r)
        return 0

    def paint(self, plan):
        """plan: (class, z, 'line' | 'blob', radius, length) per stroke, in painting order."""
        for k, z, kind, radius, length in plan:
            if kind == 'line':
                self.line(k, z, radius, length)
            else:
                self.blob(k, z, radius)
        return self.labels


def disc(radius):
    """A disc in one z slice, as a (1, 2r+1, 2r+1) structuring element."""
    return (np.hypot(*np.mgrid[-radius:radius + 1, -radius:radius + 1]) <= radius + 0.3)[None]


def bone_phases(image, three_classes):
    """1 pore (marrow space), 2 trabecular bone, 3 cortical bone (thick); 0 unsure or outside air.

    Cortical and trabecular bone have the same grey value: only their thickness tells them apart.
    With `three_classes` False, 2 is any bone.
    """
    smooth = ndi.gaussian_filter(image.astype(np.float32), 1, mode='nearest')
    bone = smooth > threshold_otsu(smooth)
    phases = np.zeros(image.shape, np.uint8)
    dark = ~bone
    # the dark region holding the slice's corner (0, 0), left of the cortex, is air, not a pore
    air = np.zeros_like(dark)
    for z in range(image.shape[0]):
        lab, _ = ndi.label(dark[z])
        if lab[0, 0]:
            air[z] = lab == lab[0, 0]
    phases[dark & ~ndi.binary_dilation(air, IN_SLICE, iterations=4)] = 1
    if not three_classes:
        phases[bone] = 2
        return phases
    thick = ndi.binary_opening(bone, disc(5)) & ndi.binary_closing(bone, disc(2))
    phases[bone & ~ndi.binary_dilation(thick, IN_SLICE, iterations=3)] = 2
    phases[thick] = 3
    return phases


def cement_phases(image):
    """1 air void, 2 cement matrix, 3 bright grain; 0 unsure (grey, partly filled voids, edges)."""
    smooth = ndi.gaussian_filter(image.astype(np.float32), 1, mode='nearest')
    phases = np.zeros(image.shape, np.uint8)
    phases[smooth < 55] = 1
    matrix = (smooth > 80) & (smooth < 118)
    phases[ndi.binary_opening(matrix, IN_SLICE)] = 2
    grain = ndi.binary_opening(smooth > 118, IN_SLICE)
    phases[grain] = 3
    return phases


def scan_bone_slice(bone, rng):
    """z slice 64: pore, trabecular bone (about 7 % of the painted voxels), cortical bone."""
    image = bone[64:65]
    plan = [(3, 0, 'line', 3, 150)]  # the big stroke along the cortex
    plan += [(2, 0, 'line', 1, 25)] * 4
    plan += [(1, 0, 'line', 2, 30)] * 3 + [(1, 0, 'blob', 4, 0)] * 3
    plan += [(3, 0, 'blob', 6, 0), (3, 0, 'line', 2, 40), (3, 0, 'line', 1, 40)]
    return image, Painter(bone_phases(image, True), rng).paint(plan)


def scan_bone_slice_16bit(bone, rng):
    """z slice 96 as a 16-bit reconstruction would give it: offset, scale, sub-grey-level detail."""
    eight = bone[96:97]
    image = (9000 + 41.3 * (eight.astype(np.float64) + rng.uniform(0, 1, eight.shape))).astype(np.uint16)
    plan = [(2, 0, 'line', 3, 120)]  # bone: the big stroke
    plan += [(2, 0, 'line', 1, 30)] * 3 + [(2, 0, 'blob', 5, 0)]
    plan += [(1, 0, 'line', 2, 25)] * 2 + [(1, 0, 'blob', 3, 0)] * 3
    return image, Painter(bone_phases(eight, False), rng).paint(plan)


def scan_cement_slice(cement, rng):
    """z slice 64: air voids and matrix; voids painted as dabs and short lines."""
    image = cement[64:65]
    plan = [(2, 0, 'line', 3, 150)]  # matrix: the big stroke
    plan += [(2, 0, 'line', 2, 40)] * 2 + [(2, 0, 'blob', 6, 0)]
    plan += [(1, 0, 'blob', 4, 0)] * 5 + [(1, 0, 'line', 1, 12)] * 2
    return image, Painter(cement_phases(image), rng).paint(plan)


def scan_cement_crop(cement, rng):
    """48×96×96 around the one bright grain, painted on three slices through it; the grain gets
    about 6 % of the painted voxels."""
    image = cement[80:128, 0:96, 0:96]
    plan = []
    for z in (16, 20, 24):
        plan += [(3, z, 'blob', 3, 0)]  # first: the grain is small
        plan += [(2, z, 'line', 3, 45), (2, z, 'line', 1, 30)]
        plan += [(1, z, 'blob', 4, 0), (1, z, 'blob', 3, 0), (1, z, 'line', 1, 10)]
    return image, Painter(cement_phases(image), rng).paint(plan)


def scan_bone_crop(bone, rng):
    """48×96×96 of trabecular bone and cortex, pores and bone painted on three slices."""
    image = bone[40:88, 32:128, 24:120]
    plan = []
    for z in (8, 24, 40):
        plan += [(2, z, 'line', 3, 60), (2, z, 'line', 1, 30), (2, z, 'line', 1, 30)]
        plan += [(1, z, 'line', 2, 25), (1, z, 'blob', 4, 0)]
    return image, Painter(bone_phases(image, False), rng).paint(plan)


SCANS = [
    ('bone_slice', scan_bone_slice, 'bone', 'z slice 64', ['pore', 'trabecular bone', 'cortical bone']),
    ('bone_slice_16bit', scan_bone_slice_16bit, 'bone', 'z slice 96, 9000 + 41.3 × (grey + uniform[0, 1)), uint16',
     ['pore', 'bone']),
    ('cement_slice', scan_cement_slice, 'cement', 'z slice 64', ['air void', 'matrix']),
    ('cement_crop', scan_cement_crop, 'cement', 'z 80-127, y 0-95, x 0-95', ['air void', 'matrix', 'bright grain']),
    ('bone_crop', scan_bone_crop, 'bone', 'z 40-87, y 32-127, x 24-119', ['pore', 'bone']),
]
INSEGT = [
    ('insegt_slice1', 'InSegt `data/slice1.png`, `data/slice1_labeling.png`', ['phase 1', 'phase 2']),
    ('randen15B', "InSegt `data/randen15B.png`, `data/randen_labels_B.png` (Randen's texture mosaic)",
     [f'texture {k}' for k in range(1, 6)]),
]


def describe(name, image, labels, classes):
    """The README's table row of a scan: painted voxels and strokes (26-connected components) per class."""
    counts = np.bincount(labels.ravel(), minlength=len(classes) + 1)[1:]
    components = [ndi.label(labels == k, np.ones((3, 3, 3)))[1] for k in range(1, len(classes) + 1)]
    painted = ', '.join(f'{k + 1} {c}: {counts[k]:,} ({components[k]})' for k, c in enumerate(classes))
    return [f'`{name}`', ' × '.join(str(n) for n in image.shape), str(image.dtype), painted]


def markdown_table(header, rows):
    """A table padded as Prettier pads it."""
    widths = [max(len(r[c]) for r in [header] + rows) for c in range(len(header))]

    def line(cells):
        return '| ' + ' | '.join(cell.ljust(w) for cell, w in zip(cells, widths)) + ' |'

    return '\n'.join([line(header), line(['-' * w for w in widths])] + [line(r) for r in rows])


README = """# Real-scan stroke test set

Real scans have no ground truth, so the engine is measured on the strokes themselves: strokes are
split into folds, the model trains on some and is scored on the held-out ones
(src/main/evaluation). Each scan is `NAME_image.tif` + `NAME_labels.tif`, ImageJ TIFF of the same
shape (z × y × x; a 2D image is 1 × Y × X); labels 0 = unlabelled, 1..K = classes. Rebuild with

    /usr/bin/python3 scripts/real-scans/make_real_scans.py SOURCE_DIR

where SOURCE_DIR holds `bone_128x128x128.tif`, `cement_128x128x128.tif` and `real2d/` (the InSegt
pairs as single-slice TIFFs). Painted voxels per class, with the number of separate strokes
(26-connected components) in brackets:

{table}

Where each came from:

{origins}

The person who painted the InSegt images painted each randen15B class in one stroke and
insegt_slice1's phase 1 in two discs; cross-validation by whole stroke needs at least one stroke
per fold, so the evaluation cuts such a class's largest stroke into pieces along its length, with
a gap between them (splitStrokes in src/main/evaluation/strokes.ts).

How the generated strokes were made: brush lines (smooth random walks, brush radius 1-3) and blobs
(discs of radius 3-6) in one to three z slices, one long thick stroke on the dominant phase,
classes painted in very unequal amounts, strokes kept apart so each is its own component. A
reference segmentation (Gaussian smoothing, Otsu or fixed thresholds, openings, distance to the
phase boundary) decides only where a stroke may lie: at least {margin} voxel beyond the brush
radius inside its phase ({thin} for the one-voxel brush on thin structures), nowhere near grey,
partly filled voids or the air outside the bone. Classes:

- bone: pore = marrow space between the trabeculae (dark); trabecular bone = thin struts;
  cortical bone = the thick outer shell. Trabecular and cortical bone have the same grey value:
  only their thickness tells them apart.
- cement: air void = round dark voids; matrix = the grey cement paste; bright grain = the one
  bright inclusion of the crop (about 6 % of its painted voxels).

## Licence and attribution

- `bone_*`, `cement_*`: cut from `bone_128x128x128.tif` and `cement_128x128x128.tif` of the
  qim3d project, DTU QIM Centre (Technical University of Denmark), MIT licence. Strokes generated
  as above, not by a person.
- `insegt_slice1_*`, `randen15B_*`: from the InSegt repository by Vedrana Andersen Dahl and Anders
  Bjorholm Dahl, MIT licence, copied unchanged from single-slice TIFF conversions of the PNGs
  named above; the strokes were painted by a person. randen15B is Randen's texture mosaic: the
  classes differ by texture only.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('source', type=Path)
    parser.add_argument('--out', type=Path, default=Path(__file__).resolve().parents[2] / 'test/data/real-scans')
    parser.add_argument('--seed', type=int, default=17)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows, origins = [], []
    for name, origin, classes in INSEGT:
        for part in ('image', 'labels'):
            shutil.copyfile(args.source / 'real2d' / f'{name}_{part}.tif', args.out / f'{name}_{part}.tif')
        image = tifffile.imread(args.out / f'{name}_image.tif')[None]
        labels = tifffile.imread(args.out / f'{name}_labels.tif')[None]
        rows.append(describe(name, image, labels, classes) + ['a person'])
        origins.append(f'- `{name}`: {origin}')
    volumes = {n: tifffile.imread(args.source / f'{n}_128x128x128.tif') for n in ('bone', 'cement')}
    for i, (name, make, source, cut, classes) in enumerate(SCANS):
        image, labels = make(volumes[source], np.random.default_rng([args.seed, i]))
        write_volume(args.out / f'{name}_image.tif', image)
        write_volume(args.out / f'{name}_labels.tif', labels)
        rows.append(describe(name, image, labels, classes) + ['generated'])
        origins.append(f'- `{name}`: qim3d `{source}_128x128x128.tif`, {cut}')
    header = ['scan', 'shape', 'dtype', 'classes: painted voxels (strokes)', 'strokes by']
    table = markdown_table(header, rows)
    text = README.format(table=table, origins='\n'.join(origins), margin=MARGIN, thin=THIN_MARGIN)
    (args.out / 'README.md').write_text(text)
    print(text)


if __name__ == '__main__':
    main()
