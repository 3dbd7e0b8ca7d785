// The check that a trained model learned something: each class predicted on a fair share of its
// own painted voxels, and weights that did not diverge. A model that fails it is never handed on.
import type { Model } from './model';
import type { Network } from './network';
import type { Samples } from './samples';

/**
 * A model must predict each class on at least this share of that class's own (sampled) painted
 * voxels: less means it did not learn the class, whatever its loss says.
 */
const MIN_TRAINING_RECALL = 0.5;

/** Why a trained model is useless, or '' when it is not. */
export function degeneracy(model: Model, recall: number[]): string {
  const { finalLoss } = model.training;
  if (!Number.isFinite(finalLoss) || !Object.values(model.weights).flat(2).every(Number.isFinite))
    return `the fit diverged (loss ${finalLoss})`;
  const missed = recall.flatMap((r, k) => (r < MIN_TRAINING_RECALL ? [`${model.classes[k]!.name} (${pct(r)})`] : []));
  if (missed.length === 0) return '';
  return `it gives ${missed.join(', ')} to too few of their own painted voxels (at least ${pct(MIN_TRAINING_RECALL)} needed; final loss ${finalLoss.toFixed(3)}): paint more of these classes, or where they differ more`;
}

const pct = (x: number): string => `${Math.round(100 * x)} %`;

/** The share of each class's sampled painted voxels that `network` assigns to that class. */
export function trainingRecall(network: Network, samples: Samples): number[] {
  const K = network.classCount;
  const width = network.width;
  const hits = new Array<number>(K).fill(0);
  const totals = new Array<number>(K).fill(0);
  const probs = new Float64Array(K);
  for (let r = 0; r < samples.count; r++) {
    const y = samples.classIndex[r]!;
    totals[y]!++;
    if (network.predict(samples.rows, r * width, probs) === y) hits[y]!++;
  }
  return hits.map((h, k) => (totals[k] ? h / totals[k]! : 1));
}
