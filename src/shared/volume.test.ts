import { describe, expect, it } from 'vitest';
import { voxelAspect, voxelUnitsNote } from './volume';

describe('voxelAspect', () => {
  it('is each edge over the shortest where the sizes have a length unit', () => {
    expect(voxelAspect([2, 0.5, 0.5], 'micrometer')).toEqual([4, 1, 1]);
    expect(voxelAspect([1, 1, 1], 'micrometer')).toEqual([1, 1, 1]);
  });

  it('takes voxels as cubes where the sizes have no length unit or make no sense', () => {
    expect(voxelAspect([1, 1 / 72, 1 / 72], '')).toEqual([1, 1, 1]);
    expect(voxelAspect([3, 1, 1], 'voxel')).toEqual([1, 1, 1]);
    expect(voxelAspect([0, 1, 1], 'micrometer')).toEqual([1, 1, 1]);
  });
});

describe('voxelUnitsNote', () => {
  it('says nothing for cubic or nearly cubic voxels', () => {
    expect(voxelUnitsNote([2, 2, 2], 'micrometer')).toBeUndefined();
    expect(voxelUnitsNote([1.05, 1, 1], 'micrometer')).toBeUndefined();
  });

  it('says the filters follow long voxels in a length unit, and what they cannot see', () => {
    expect(voxelUnitsNote([2, 0.65, 0.65], 'micrometer')).toBe(
      "voxels are 2 × 0.65 × 0.65 micrometer (z × y × x): Tomoseg's filters are scaled to them, so shapes are " +
        'judged in micrometer; details thinner than one voxel (2 micrometer along z) cannot be seen',
    );
  });

  it('says voxels without a length unit are taken as cubes', () => {
    expect(voxelUnitsNote([1, 1, 1.5], '')).toMatch(
      /1 × 1 × 1\.5 \(z × y × x\) with no length unit, so Tomoseg takes them as cubes/,
    );
  });
});
