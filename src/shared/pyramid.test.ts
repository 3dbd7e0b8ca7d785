import { describe, expect, it } from 'vitest';
import type { VolumeLevel } from './api/volume';
import { levelFactors, levelForPixel, levelIndex, previewLevel } from './pyramid';

// 100 thick slices (3 µm) of 2049 × 2049 (1 µm), halved in y and x only, as OME-Zarr writers do for thin stacks.
const thin: VolumeLevel[] = [1, 2, 4, 8, 16].map((f) => ({
  shape: [100, Math.ceil(2049 / f), Math.ceil(2049 / f)],
  voxelSize: [3, f, f],
}));

describe('pyramid levels of a slice view', () => {
  it('gives each level its span in full-resolution voxels', () => {
    expect(levelFactors(thin)[3]).toEqual([1, 8, 8]);
  });

  it('maps a full-resolution index into a level, the ragged last voxel included', () => {
    expect(levelIndex(2048, 2, 1025)).toBe(1024);
    expect(levelIndex(2047, 2, 1025)).toBe(1023);
    expect(levelIndex(5, 1.5, 4)).toBe(3);
  });

  it('reads no finer than a screen pixel, per view', () => {
    expect(levelForPixel(thin, 'z', 0.9)).toBe(0);
    expect(levelForPixel(thin, 'z', 4.5)).toBe(2);
    // y and x views also show z, whose 3 µm voxels are never coarsened: only the y/x factor limits them
    expect(levelForPixel(thin, 'x', 1.5)).toBe(0);
    expect(levelForPixel(thin, 'x', 2)).toBe(1);
    expect(levelForPixel(thin, 'x', 40)).toBe(4);
  });

  it('previews with the coarsest level still 256 long', () => {
    expect(previewLevel(thin, 'z')).toBe(3);
    expect(previewLevel(thin, 'y')).toBe(3);
    expect(previewLevel([thin[0]!], 'z')).toBe(0);
  });
});
