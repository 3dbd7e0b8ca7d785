// The real-scan stroke test set (test/data/real-scans, see its README): real images with
// strokes and no ground truth, measured by cross-validation on whole strokes.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine/memory-volume';
import type { TrainOptions } from '../engine/train';
import { openVolume } from '../volume/open';
import { type CrossValidation, type CrossValidationOptions, crossValidateStrokes } from './held-out';
import { engineSegmenter } from './segmenter';
import { type Stroke, findStrokes, splitStrokes } from './strokes';

export interface RealScan {
  name: string;
  /** Files in the test set's folder. */
  image: string;
  labels: string;
  /** Names of the classes 1..K. */
  classNames: string[];
  /** Classes (1..K) that only shape or texture tell apart: their grey values match another class's. */
  shapeClasses: number[];
  /** Where the image and the strokes came from, in a few words (details in the README). */
  source: string;
}

const scan = (name: string, classNames: string[], shapeClasses: number[], source: string): RealScan => ({
  name,
  image: `${name}_image.tif`,
  labels: `${name}_labels.tif`,
  classNames,
  shapeClasses,
  source,
});

export const REAL_SCANS: readonly RealScan[] = [
  scan('insegt_slice1', ['phase 1', 'phase 2'], [], 'InSegt, human strokes'),
  scan(
    'randen15B',
    ['texture 1', 'texture 2', 'texture 3', 'texture 4', 'texture 5'],
    [1, 2, 3, 4, 5],
    'InSegt, human strokes',
  ),
  scan('bone_slice', ['pore', 'trabecular bone', 'cortical bone'], [2, 3], 'qim3d bone, z slice 64'),
  scan('bone_slice_16bit', ['pore', 'bone'], [], 'qim3d bone, z slice 96 as uint16'),
  scan('cement_slice', ['air void', 'matrix'], [], 'qim3d cement, z slice 64'),
  scan('cement_crop', ['air void', 'matrix', 'bright grain'], [], 'qim3d cement, 48×96×96 crop'),
  scan('bone_crop', ['pore', 'bone'], [], 'qim3d bone, 48×96×96 crop'),
];

/** The test set's folder in this repository. */
export const REAL_SCANS_DIR = fileURLToPath(new URL('../../../test/data/real-scans/', import.meta.url));

export interface LoadedScan {
  scan: RealScan;
  image: MemoryVolume;
  shape: Vec3;
  labels: Uint8Array;
  /** The painted strokes, a class painted in fewer strokes than `perClass` cut into pieces. */
  strokes: Stroke[];
}

/** Reads a scan into memory and finds its strokes, at least `perClass` per class (splitStrokes). */
export async function loadRealScan(scan: RealScan, perClass = 3, dir = REAL_SCANS_DIR): Promise<LoadedScan> {
  const readAll = async (file: string) => {
    const volume = await openVolume(join(dir, file));
    try {
      return { data: await volume.read({ start: [0, 0, 0], shape: volume.shape }), shape: volume.shape };
    } finally {
      await volume.close();
    }
  };
  const image = await readAll(scan.image);
  const labels = await readAll(scan.labels);
  if (!(labels.data instanceof Uint8Array)) throw new Error(`${scan.labels} is not uint8`);
  const strokes = splitStrokes(findStrokes(labels.data, labels.shape), labels.shape, perClass);
  return {
    scan,
    image: new MemoryVolume(image.data, image.shape, scan.image),
    shape: image.shape,
    labels: labels.data,
    strokes,
  };
}

/**
 * Cross-validates the engine (trainModel with `training`, then predictVolume) on a scan's strokes:
 * `folds` folds of whole strokes, scored on the held-out strokes.
 */
export async function crossValidate(
  scan: RealScan | LoadedScan,
  training: TrainOptions = {},
  folds = 3,
  options: CrossValidationOptions & { threads?: number } = {},
): Promise<CrossValidation> {
  const loaded = 'strokes' in scan ? scan : await loadRealScan(scan, folds);
  return crossValidateStrokes(loaded.image, loaded.strokes, engineSegmenter(training, options.threads), {
    ...options,
    folds,
  });
}
