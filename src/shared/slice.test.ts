import { describe, expect, it } from 'vitest';
import { sliceRegion, sliceSize, sliceToVoxel, voxelToSlice } from './slice';
import { axisIndex } from './volume';

describe('slice axes', () => {
  it('gives the one-voxel region of a slice and refuses one outside the volume', () => {
    expect(sliceRegion([4, 5, 6], 'y', 2)).toEqual({ start: [0, 2, 0], shape: [4, 1, 6] });
    expect(() => sliceRegion([4, 5, 6], 'x', 6)).toThrow(/slice 6 is outside x = 0..5/);
  });

  it('maps slice pixels (column, row) to voxels as readSlice lays slices out', () => {
    expect(sliceToVoxel('z', 3, 10, 20)).toEqual([3, 20, 10]);
    expect(sliceToVoxel('y', 3, 10, 20)).toEqual([20, 3, 10]);
    expect(sliceToVoxel('x', 3, 10, 20)).toEqual([20, 10, 3]);
  });

  it('sizes a slice in columns and rows', () => {
    expect(sliceSize([10, 20, 30], 'z')).toEqual([30, 20]);
    expect(sliceSize([10, 20, 30], 'y')).toEqual([30, 10]);
    expect(sliceSize([10, 20, 30], 'x')).toEqual([20, 10]);
  });

  it('round-trips voxels through slice pixels', () => {
    for (const axis of ['z', 'y', 'x'] as const) {
      const voxel: [number, number, number] = [4, 5, 6];
      const index = voxel[axisIndex(axis)];
      expect(sliceToVoxel(axis, index, ...voxelToSlice(axis, voxel))).toEqual(voxel);
    }
  });
});
