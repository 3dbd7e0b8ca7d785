#!/usr/bin/python3
"""The ilastik-style reference pipeline the engine is measured against (METHOD.md section 3).

Features at sigma 0.7, 1, 1.6, 3.5, 5 (as ilastik's default feature set): Gaussian smoothing,
Laplacian of Gaussian, Gaussian gradient magnitude, difference of Gaussians, structure-tensor
eigenvalues and Hessian-of-Gaussian eigenvalues; a random forest with 100 trees on the labelled
voxels; prediction of every voxel.

    /usr/bin/python3 ilastik_reference.py IMAGE.tif LABELS.tif OUT.tif [--threads N] [--seed S]

IMAGE and LABELS are TIFF stacks of the same shape (labels: 0 = unlabelled, 1..K); a single
slice (Y × X or 1 × Y × X) gets 2D features, as ilastik gives 2D data. Writes uint8 labels of the
same shape to OUT and prints one JSON line with timings (seconds) and peak memory (MiB).
"""
import argparse
import json
import resource
import time

import numpy as np
import tifffile
from scipy import ndimage as ndi
from sklearn.ensemble import RandomForestClassifier

SIGMAS = (0.7, 1.0, 1.6, 3.5, 5.0)


def pairs(ndim):
    """Index pairs of a symmetric ndim × ndim matrix's distinct entries: diagonal first."""
    return [(i, i) for i in range(ndim)] + [(i, j) for i in range(ndim) for j in range(i + 1, ndim)]


def eigenvalues(t, ndim):
    """Eigenvalues (ascending) of symmetric ndim × ndim fields given by their entries in pairs() order."""
    entry = dict(zip(pairs(ndim), t))
    m = np.stack([np.stack([entry[min(i, j), max(i, j)] for j in range(ndim)], -1) for i in range(ndim)], -2)
    return np.moveaxis(np.linalg.eigvalsh(m.astype(np.float32)), -1, 0)


def derivative(ndim, *axes):
    """The derivative order tuple of gaussian_filter for d/d(axes...)."""
    return tuple(axes.count(a) for a in range(ndim))


def features(image):
    """3D features of a volume; 2D ones (as ilastik computes for 2D data) of a single slice."""
    ndim = image.ndim
    out = []
    for s in SIGMAS:
        g = ndi.gaussian_filter(image, s)
        out.append(g)
        out.append(ndi.gaussian_laplace(image, s))
        out.append(ndi.gaussian_gradient_magnitude(image, s))
        out.append(g - ndi.gaussian_filter(image, 0.66 * s))
        # structure tensor: gradient at s, outer product smoothed at 2s (ilastik's convention)
        d = [ndi.gaussian_filter(image, s, order=derivative(ndim, a)) for a in range(ndim)]
        st = [ndi.gaussian_filter(d[i] * d[j], 2 * s) for i, j in pairs(ndim)]
        out.extend(eigenvalues(st, ndim))
        hessian = [ndi.gaussian_filter(image, s, order=derivative(ndim, i, j)) for i, j in pairs(ndim)]
        out.extend(eigenvalues(hessian, ndim))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image')
    parser.add_argument('labels')
    parser.add_argument('out')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    image = tifffile.imread(args.image).astype(np.float32)
    labels = tifffile.imread(args.labels)
    if image.shape != labels.shape:
        raise SystemExit(f'labels {labels.shape} and image {image.shape} differ in shape')
    shape = image.shape
    if image.ndim == 3 and shape[0] == 1:  # one z slice: a 2D image
        image, labels = image[0], labels[0]
    t0 = time.perf_counter()
    feats = features(image)
    n_features = len(feats)
    t1 = time.perf_counter()
    stack = np.stack([f.ravel() for f in feats], 1).astype(np.float32)
    del feats
    mask = labels.ravel() > 0
    forest = RandomForestClassifier(n_estimators=100, n_jobs=args.threads, random_state=args.seed)
    forest.fit(stack[mask], labels.ravel()[mask])
    t2 = time.perf_counter()
    predicted = np.empty(stack.shape[0], np.uint8)
    step = 1 << 20
    for i in range(0, stack.shape[0], step):
        predicted[i:i + step] = forest.predict(stack[i:i + step])
    t3 = time.perf_counter()
    tifffile.imwrite(args.out, predicted.reshape(shape))
    end = time.perf_counter()
    print(json.dumps({
        'features': n_features,
        'read_s': t0 - start,
        'features_s': t1 - t0,
        'train_s': t2 - t1,
        'predict_s': t3 - t2,
        'total_s': end - start,
        'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
