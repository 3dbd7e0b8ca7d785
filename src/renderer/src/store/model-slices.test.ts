import { describe, expect, it } from 'vitest';
import { modelSlice } from './model-slices';

describe('model slices', () => {
  it('keeps classes and uncertainty in one buffer the cache can count', () => {
    const slice = modelSlice({
      width: 2,
      height: 1,
      modelVersion: 3,
      classes: Uint8Array.from([1, 2]),
      uncertainty: Uint8Array.from([10, 200]),
    });
    expect([...slice.classes]).toEqual([1, 2]);
    expect([...slice.uncertainty]).toEqual([10, 200]);
    expect(slice.data.byteLength).toBe(4);
    expect(slice.modelVersion).toBe(3);
  });

  it('gives an empty slice before training or segment-all', () => {
    expect(modelSlice(null)).toMatchObject({ width: 0, height: 0, modelVersion: 0 });
    const result = modelSlice({ width: 1, height: 1, modelVersion: 1, classes: Uint8Array.from([2]) });
    expect(result.uncertainty.length).toBe(0);
  });
});
