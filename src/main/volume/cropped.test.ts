import { describe, expect, it } from 'vitest';
import { MemoryVolume } from '../engine';
import { CroppedVolume } from './cropped';
import { dataIdOf } from './volume';

describe('a cropped volume', () => {
  const data = Uint16Array.from({ length: 4 * 5 * 6 }, (_, i) => i);
  const whole = new MemoryVolume(data, [4, 5, 6], 'whole.tif', { voxelSize: [2, 1, 1], unit: 'µm' });

  it('reads its box of the volume, in the box’s coordinates', async () => {
    const crop = new CroppedVolume(whole, { start: [1, 2, 3], shape: [2, 3, 3] });
    expect([crop.shape, crop.dtype, crop.voxelSize, crop.unit]).toEqual([[2, 3, 3], 'uint16', [2, 1, 1], 'µm']);
    const values = await crop.read({ start: [1, 0, 1], shape: [1, 2, 2] });
    // voxel (z, y, x) of the crop is (z + 1, y + 2, x + 3) of the volume
    const at = (z: number, y: number, x: number): number => (z * 5 + y) * 6 + x;
    expect(Array.from(values)).toEqual([at(2, 2, 4), at(2, 2, 5), at(2, 3, 4), at(2, 3, 5)]);
    expect(dataIdOf(crop)).not.toBe(dataIdOf(whole));
  });

  it('refuses a box outside the volume and a read outside the box', async () => {
    expect(() => new CroppedVolume(whole, { start: [3, 0, 0], shape: [2, 5, 6] })).toThrow(
      /whole.tif: region start 3,0,0 shape 2,5,6 is outside the volume 4×5×6/,
    );
    const crop = new CroppedVolume(whole, { start: [0, 0, 0], shape: [2, 2, 2] });
    await expect(crop.read({ start: [1, 1, 1], shape: [2, 1, 1] })).rejects.toThrow(
      /region start 1,1,1 shape 2,1,1 is outside the volume 2×2×2/,
    );
  });
});
