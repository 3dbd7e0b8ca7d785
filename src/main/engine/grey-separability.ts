// Whether grey value alone tells the painted classes apart. Where it does (bone against pore,
// cement paste against voids and grains), the context features can only pick up where the
// strokes happen to lie, so training leans on grey value still more (train.ts).
import type { Samples } from './samples';

/** A pair of classes counts as told apart by grey value when one threshold misclassifies less than this share of each, on average. */
const MAX_BALANCED_ERROR = 0.01;

/**
 * True when, for every pair of classes, one threshold on the finest smoothed grey value (channel 0
 * of the first scale in each row of `width` values) puts all but MAX_BALANCED_ERROR of both
 * classes' sampled painted voxels on their own side.
 */
export function greySeparates(samples: Samples, width: number, K: number): boolean {
  const grey: number[][] = Array.from({ length: K }, () => []);
  for (let r = 0; r < samples.count; r++) grey[samples.classIndex[r]!]!.push(samples.rows[r * width]!);
  for (let a = 0; a < K; a++)
    for (let b = a + 1; b < K; b++) if (thresholdError(grey[a]!, grey[b]!) >= MAX_BALANCED_ERROR) return false;
  return true;
}

/** The smallest balanced error (mean of both classes' misclassified shares) of any threshold, either way round. */
export function thresholdError(a: number[], b: number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const values = [...a.map((v) => [v, 0] as const), ...b.map((v) => [v, 1] as const)].sort((p, q) => p[0] - q[0]);
  let aBelow = 0;
  let bBelow = 0;
  let best = 0.5; // no threshold at all
  for (let i = 0; i < values.length; i++) {
    if (values[i]![1] === 0) aBelow++;
    else bBelow++;
    // a threshold only between distinct values
    if (i + 1 < values.length && values[i + 1]![0] === values[i]![0]) continue;
    const aLow = 0.5 * ((a.length - aBelow) / a.length + bBelow / b.length); // a below the threshold, b above
    best = Math.min(best, aLow, 1 - aLow);
  }
  return best;
}
