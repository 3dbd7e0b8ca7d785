import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Region, type TypedArray, type Vec3, voxelCount } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { RecentList } from '../services/recent';
import { VolumeService } from '../services/volume-service';
import { createVolume } from './create';
import { openVolume } from './open';
import { readOverview } from './overview';
import { pattern, tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Brute force: the mean of the finite values of block (k, j, i) on its middle z-plane. */
function expectedMean(data: TypedArray, shape: Vec3, step: Vec3, [k, j, i]: Vec3): number {
  const z = Math.min(shape[0] - 1, k * step[0] + Math.floor(step[0] / 2));
  let sum = 0;
  let count = 0;
  for (let y = j * step[1]; y < Math.min(shape[1], (j + 1) * step[1]); y++)
    for (let x = i * step[2]; x < Math.min(shape[2], (i + 1) * step[2]); x++) {
      const v = data[(z * shape[1] + y) * shape[2] + x]!;
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
  return count ? sum / count : 0;
}

/** Records every region read. */
class Recorder extends MemoryVolume {
  reads: Region[] = [];
  override read(region: Region): Promise<TypedArray> {
    this.reads.push(region);
    return super.read(region);
  }
}

describe('readOverview', () => {
  const shape: Vec3 = [10, 20, 30];
  const voxelSize: Vec3 = [2, 0.5, 0.25];

  it('downsamples to at most maxEdge per edge, with the physical spacing and placement of the blocks', async () => {
    const data = pattern('float32', shape);
    const overview = await readOverview(new MemoryVolume(data, shape, 'm', { voxelSize }), {
      maxEdge: 8,
      reduce: 'mean',
    });
    const step: Vec3 = [2, 3, 4];
    expect(overview.shape).toEqual([5, 7, 8]);
    expect(overview.dtype).toBe('float32');
    expect(overview.voxelSize).toEqual([4, 1.5, 1]);
    // z: the middle plane of two (index 1); y, x: the centre of a 3- and a 4-voxel block.
    expect(overview.origin).toEqual([2, 0.5, 0.375]);
    for (let k = 0; k < 5; k++)
      for (let j = 0; j < 7; j++)
        for (let i = 0; i < 8; i++)
          expect(overview.data[(k * 7 + j) * 8 + i]).toBeCloseTo(expectedMean(data, shape, step, [k, j, i]), 4);
  });

  it('rounds means of integer volumes, ignores NaN, and copies a volume that is small enough', async () => {
    const ints = pattern('uint16', shape);
    const small = await readOverview(new MemoryVolume(ints, shape), { maxEdge: 64, reduce: 'mean' });
    expect(small.shape).toEqual(shape);
    expect(small.origin).toEqual([0, 0, 0]);
    expect(small.data).toEqual(ints);

    const rounded = await readOverview(new MemoryVolume(ints, shape), { maxEdge: 10, reduce: 'mean' });
    expect(rounded.data).toBeInstanceOf(Uint16Array);
    expect(rounded.data[0]).toBe(Math.round(expectedMean(ints, shape, [1, 2, 3], [0, 0, 0])));

    const floats = new Float32Array(voxelCount(shape)).fill(3);
    floats[0] = Number.NaN;
    const withNaN = await readOverview(new MemoryVolume(floats, shape), { maxEdge: 10, reduce: 'mean' });
    expect(withNaN.data[0]).toBe(3);
  });

  it('keeps the most frequent label of each block, so thin classes of a label volume survive as classes', async () => {
    const labels = new Uint8Array(voxelCount(shape));
    // Class 2 in x < 9, class 7 elsewhere, one stray class 5 voxel: modes are 2 or 7, never a mix.
    for (let i = 0; i < labels.length; i++) labels[i] = i % 30 < 9 ? 2 : 7;
    labels[(5 * 20 + 4) * 30 + 0] = 5;
    const overview = await readOverview(new MemoryVolume(labels, shape), { maxEdge: 8, reduce: 'mode' });
    expect(overview.shape).toEqual([5, 7, 8]);
    expect(new Set(overview.data)).toEqual(new Set([2, 7]));
    for (let i = 0; i < overview.data.length; i++) expect(overview.data[i]).toBe(i % 8 < 2 ? 2 : i % 8 === 2 ? 7 : 7);
    await expect(
      readOverview(new MemoryVolume(new Uint16Array(voxelCount(shape)), shape), { maxEdge: 8, reduce: 'mode' }),
    ).rejects.toThrow(/uint8/);
  });

  it('reads only one plane per output slice, in strips no larger than the read budget', async () => {
    const big: Vec3 = [64, 96, 80];
    const volume = new Recorder(pattern('uint16', big), big);
    const readBytes = 4096; // 2 output rows of 4 source rows × 80 voxels × 2 bytes
    const overview = await readOverview(volume, { maxEdge: 16, reduce: 'mean', readBytes });
    expect(overview.shape).toEqual([16, 16, 16]);
    const planes = new Set(volume.reads.map((r) => r.start[0]));
    expect([...planes]).toEqual(Array.from({ length: 16 }, (_, k) => k * 4 + 2));
    for (const read of volume.reads) {
      expect(read.shape[0]).toBe(1);
      expect(read.shape[1] * read.shape[2] * 2).toBeLessThanOrEqual(readBytes);
    }
    const bytesRead = volume.reads.reduce((sum, r) => sum + voxelCount(r.shape) * 2, 0);
    expect(bytesRead).toBe(16 * 96 * 80 * 2); // a quarter of the volume
  });
});

describe('VolumeService.readOverview', () => {
  it('reads an OME-Zarr pyramid from its coarsest level that is still maxEdge large', async () => {
    const shape: Vec3 = [64, 64, 64];
    const path = join(dir, 'pyramid.zarr');
    const writer = await createVolume(path, { shape, dtype: 'uint8', voxelSize: [1, 1, 1], chunkShape: [16, 16, 16] });
    await writer.write({ start: [0, 0, 0], shape }, pattern('uint8', shape));
    await writer.commit();
    const service = new VolumeService(new RecentList(join(dir, 'recent.json')));
    const { id } = await service.openPath(path, false);
    const levels = service.levels(id);
    expect(levels.length).toBeGreaterThan(1);
    const chosen = levels.findLastIndex((level) => Math.max(...level.shape) >= 16);
    expect(chosen).toBeGreaterThan(0);

    const overview = await service.readOverview(id, 16);
    const level = await openVolume(path, { level: chosen });
    const direct = await readOverview(level, { maxEdge: 16, reduce: 'mean' });
    expect(overview.shape).toEqual(direct.shape);
    expect(overview.data).toEqual(direct.data);
    expect(overview.voxelSize).toEqual(direct.voxelSize);
    // Level voxels are 2^chosen full-resolution voxels wide: their centres lie between those.
    const f = 2 ** chosen;
    expect(overview.origin).toEqual(direct.origin.map((o) => o + (f - 1) / 2));
    await level.close();
    await service.close(id);
  });
});
