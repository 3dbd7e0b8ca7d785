import { describe, expect, it } from 'vitest';
import { greySeparates, thresholdError } from './grey-separability';
import type { Samples } from './samples';

/** Samples of one value per row (width 1), classes in order. */
function samplesOf(greyByClass: number[][]): Samples {
  const values = greyByClass.flatMap((grey, k) => grey.map((g) => [g, k] as const));
  return {
    rows: Float64Array.from(values, ([g]) => g),
    classIndex: Uint8Array.from(values, ([, k]) => k),
    positions: Float64Array.from(values, (_, i) => i),
    count: values.length,
    context: new Float64Array(0),
  };
}

describe('grey separability', () => {
  it('finds the threshold with the smallest balanced error, either way round', () => {
    expect(thresholdError([0.1, 0.2, 0.3], [0.6, 0.7])).toBe(0);
    expect(thresholdError([0.6, 0.7], [0.1, 0.2, 0.3])).toBe(0);
    // one of four a voxels among the b ones: a quarter of a misclassified, half of that balanced
    expect(thresholdError([0.1, 0.2, 0.3, 0.9], [0.6, 0.7, 0.8, 0.85])).toBeCloseTo(0.125);
    // equal values cannot be split
    expect(thresholdError([0.5, 0.5], [0.5, 0.5])).toBe(0.5);
  });

  it('needs every pair of classes told apart, a rare class as much as a common one', () => {
    const dark = Array.from({ length: 200 }, (_, i) => 0.1 + i * 1e-4);
    const bright = Array.from({ length: 200 }, (_, i) => 0.8 + i * 1e-4);
    const grey = Array.from({ length: 200 }, (_, i) => 0.4 + i * 1e-4);
    expect(greySeparates(samplesOf([dark, bright, grey]), 1, 3)).toBe(true);
    // a second bright class of the same grey value: told apart by shape only
    expect(greySeparates(samplesOf([dark, bright, bright.map((g) => g + 5e-5)]), 1, 3)).toBe(false);
    // 3 of 20 rare voxels on the wrong side: 7.5 % balanced error
    const rare = [...Array.from({ length: 17 }, () => 0.9), 0.1, 0.1, 0.1];
    expect(greySeparates(samplesOf([dark, rare]), 1, 2)).toBe(false);
  });
});
