import { describe, expect, it } from 'vitest';
import { voxelUnitsNote } from './volume';

describe('voxelUnitsNote', () => {
  it('says nothing for cubic or nearly cubic voxels', () => {
    expect(voxelUnitsNote([2, 2, 2], 'micrometer')).toBeUndefined();
    expect(voxelUnitsNote([1.05, 1, 1], 'micrometer')).toBeUndefined();
  });

  it('names the long axis and how much shapes are squeezed along it', () => {
    expect(voxelUnitsNote([2, 0.65, 0.65], 'micrometer')).toBe(
      "voxels are 2 × 0.65 × 0.65 micrometer (z × y × x): Tomoseg's filters work in voxel units, so shapes are " +
        'judged squeezed 3.1× along z and rotation invariance holds in voxel space only; resample to cubic voxels ' +
        'where orientation matters',
    );
    expect(voxelUnitsNote([1, 1, 1.5], '')).toMatch(/1 × 1 × 1\.5 units .* squeezed 1\.5× along x/);
  });
});
