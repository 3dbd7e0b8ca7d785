import { describe, expect, it } from 'vitest';
import { scoreHeldOut } from './score';

describe('scoreHeldOut', () => {
  it('gives per-class recall, their mean and the overall accuracy on held-out voxels only', () => {
    // voxels 0-7 class 1 (8 held out, 6 right), 8-9 class 2 (2 held out, 1 right), 10-11 not held out
    const predicted = Uint8Array.from([1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 3, 3]);
    const heldOut = [
      { value: 1, indices: Uint32Array.from([0, 1, 2, 3]) },
      { value: 1, indices: Uint32Array.from([4, 5, 6, 7]) },
      { value: 2, indices: Uint32Array.from([8, 9]) },
    ];
    const scores = scoreHeldOut(predicted, heldOut, 3);
    expect(scores.voxels).toEqual([8, 2, 0]);
    expect(scores.recall[0]).toBeCloseTo(0.75);
    expect(scores.recall[1]).toBeCloseTo(0.5);
    expect(scores.recall[2]).toBeNaN(); // nothing of class 3 held out: not counted in the mean
    expect(scores.meanAccuracy).toBeCloseTo(0.625);
    expect(scores.accuracy).toBeCloseTo(0.7);
  });
});
