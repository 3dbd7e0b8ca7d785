import type { Stroke } from './strokes';

export interface HeldOutScores {
  /** Per class 1..K: the share of its held-out voxels predicted as that class (NaN: none held out). */
  recall: number[];
  /** Held-out voxels per class 1..K. */
  voxels: number[];
  /** Mean of the per-class recalls (classes with held-out voxels): unequal classes count equally. */
  meanAccuracy: number;
  /** Share of all held-out voxels predicted right: dominated by the most painted class. */
  accuracy: number;
}

/** Scores a prediction (class values, C order) on the voxels of held-out strokes. */
export function scoreHeldOut(predicted: ArrayLike<number>, heldOut: Stroke[], classCount: number): HeldOutScores {
  const hits = new Array<number>(classCount).fill(0);
  const voxels = new Array<number>(classCount).fill(0);
  for (const { value, indices } of heldOut)
    for (const i of indices) {
      voxels[value - 1]!++;
      if (predicted[i] === value) hits[value - 1]!++;
    }
  const recall = hits.map((h, k) => (voxels[k] ? h / voxels[k]! : NaN));
  const scored = recall.filter((r) => !Number.isNaN(r));
  const total = voxels.reduce((a, b) => a + b, 0);
  return {
    recall,
    voxels,
    meanAccuracy: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : NaN,
    accuracy: total ? hits.reduce((a, b) => a + b, 0) / total : NaN,
  };
}
