// Cross-validation on the strokes themselves: train on some folds of whole strokes, score the
// prediction on the held-out ones. A fold whose training or prediction throws (e.g. the engine
// refusing a model that learned nothing) is reported as failed, never silently scored or skipped.
import type { Vec3 } from '../../shared/volume';
import type { SparseLabels } from '../engine/labels';
import type { Volume } from '../volume/volume';
import { type HeldOutScores, scoreHeldOut } from './score';
import { type Stroke, classValues, keepStrokes, paintedVoxels, strokeFolds, strokeLabels } from './strokes';

/** Trains on sparse labels and returns the predicted class value of every voxel (C order). */
export type Segmenter = (image: Volume, labels: SparseLabels) => Promise<Uint8Array>;

export interface FoldResult {
  fold: number;
  /** Painted voxels trained on. */
  trainingVoxels: number;
  scores?: HeldOutScores;
  /** Why the fold failed: its training or prediction threw. */
  error?: string;
}

export interface CrossValidation {
  folds: FoldResult[];
  /** Means over the folds that did not fail (NaN where all failed). */
  recall: number[];
  meanAccuracy: number;
  accuracy: number;
  trainingVoxels: number;
  failed: number;
}

export interface CrossValidationOptions {
  folds?: number;
  seed?: number;
  /** Train on whole strokes of the training folds adding up to about this many voxels (keepStrokes). */
  budget?: number;
}

/** k-fold cross-validation over whole strokes (strokeFolds); classes are 1..K. */
export async function crossValidateStrokes(
  image: Volume,
  strokes: Stroke[],
  segment: Segmenter,
  options: CrossValidationOptions = {},
): Promise<CrossValidation> {
  const { folds: k = 3, seed = 1, budget } = options;
  const K = Math.max(...classValues(strokes));
  const foldOf = strokeFolds(strokes, k, seed);
  const shape: Vec3 = image.shape;
  const folds: FoldResult[] = [];
  for (let fold = 0; fold < k; fold++) {
    const heldOut = strokes.filter((_, i) => foldOf[i] === fold);
    const training = strokes.filter((_, i) => foldOf[i] !== fold);
    const kept = budget === undefined ? training : keepStrokes(training, budget, seed + fold);
    const result: FoldResult = { fold, trainingVoxels: paintedVoxels(kept) };
    try {
      result.scores = scoreHeldOut(await segment(image, strokeLabels(kept, shape)), heldOut, K);
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    folds.push(result);
  }
  return summarise(folds, K);
}

function summarise(folds: FoldResult[], K: number): CrossValidation {
  const scored = folds.flatMap((f) => (f.scores ? [f.scores] : []));
  const mean = (xs: number[]): number => {
    const finite = xs.filter((x) => !Number.isNaN(x));
    return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
  };
  return {
    folds,
    recall: Array.from({ length: K }, (_, k) => mean(scored.map((s) => s.recall[k]!))),
    meanAccuracy: mean(scored.map((s) => s.meanAccuracy)),
    accuracy: mean(scored.map((s) => s.accuracy)),
    trainingVoxels: mean(folds.map((f) => f.trainingVoxels)),
    failed: folds.length - scored.length,
  };
}
