export interface Scores {
  /** Dice per class 1..K on the voxels that were not labelled. */
  dice: number[];
  meanDice: number;
  accuracy: number;
}

/** Per-class Dice and accuracy of `predicted` against `truth`, counting only voxels with label 0. */
export function diceScores(predicted: Uint8Array, truth: Uint8Array, labels: Uint8Array, classCount: number): Scores {
  const both = new Float64Array(classCount + 1);
  const inPredicted = new Float64Array(classCount + 1);
  const inTruth = new Float64Array(classCount + 1);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    if (labels[i] !== 0) continue;
    const p = predicted[i]!;
    const t = truth[i]!;
    total++;
    inPredicted[p]!++;
    inTruth[t]!++;
    if (p === t) {
      both[t]!++;
      correct++;
    }
  }
  const dice = [];
  for (let k = 1; k <= classCount; k++) dice.push((2 * both[k]!) / Math.max(1, inPredicted[k]! + inTruth[k]!));
  return { dice, meanDice: dice.reduce((a, b) => a + b, 0) / classCount, accuracy: correct / Math.max(1, total) };
}
