import { describe, expect, it } from 'vitest';
import { histogramOf, impliedThresholds } from './histogram';

describe('histograms', () => {
  it('counts values in equal bins, the top value in the last', () => {
    expect(histogramOf([0, 1, 2, 3, 9.99, 10, Number.NaN], 0, 10, 5).counts).toEqual([2, 2, 0, 0, 2]);
  });

  it('splits classes where the fewest painted voxels fall on the wrong side', () => {
    const dark = histogramOf([10, 12, 15, 20, 22, 60], 0, 100, 100); // one stray bright voxel
    const bright = histogramOf([55, 70, 75, 80, 90], 0, 100, 100);
    const middle = histogramOf([30, 35, 40], 0, 100, 100);
    const thresholds = impliedThresholds([
      { id: 3, histogram: bright },
      { id: 1, histogram: dark },
      { id: 2, histogram: histogramOf([], 0, 100, 100) }, // nothing painted: no threshold
    ]);
    expect(thresholds).toEqual([{ below: 1, above: 3, value: 39, misread: 1 / 11 }]);
    expect(
      impliedThresholds([
        { id: 1, histogram: dark },
        { id: 2, histogram: middle },
        { id: 3, histogram: bright },
      ]),
    ).toEqual([
      { below: 1, above: 2, value: 26.5, misread: 1 / 9 }, // the stray voxel at 60
      { below: 2, above: 3, value: 48, misread: 0 },
    ]);
  });
});
