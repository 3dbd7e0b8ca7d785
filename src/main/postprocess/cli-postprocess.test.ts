// `tomoseg postprocess` end to end: a segmentation TIFF in, the cleaned one out, steps in order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { cliOutput as cli } from '../testing/cli';
import { createVolume, openVolume } from '../volume';

const dir = await mkdtemp(join(tmpdir(), 'tomoseg-postprocess-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tomoseg postprocess', () => {
  it('fills holes and removes small objects, in the order given, keeping the voxel size', async () => {
    const shape: Vec3 = [5, 10, 10];
    const at = (z: number, y: number, x: number): number => (z * 10 + y) * 10 + x;
    const data = new Uint8Array(500).fill(1);
    for (let z = 1; z < 4; z++) for (let y = 1; y < 6; y++) for (let x = 1; x < 6; x++) data[at(z, y, x)] = 2;
    data[at(2, 3, 3)] = 1; // a hole
    data[at(2, 8, 8)] = 2; // a speck
    const seg = join(dir, 'seg.tif');
    const writer = await createVolume(seg, { shape, dtype: 'uint8', voxelSize: [2, 1, 1], unit: 'micrometer' });
    await writer.write({ start: [0, 0, 0], shape }, data);
    await writer.commit();
    const out = join(dir, 'clean.zarr');
    const run = await cli(
      'postprocess',
      '--labels',
      seg,
      '--out',
      out,
      '--step',
      'fill-holes:2',
      '--step',
      'remove-small:2:5',
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe(`wrote ${out}: fill holes in class 2, then remove class 2 objects below 5 voxels\n`);
    const clean = await openVolume(out);
    const values = await clean.read({ start: [0, 0, 0], shape });
    expect([values[at(2, 3, 3)], values[at(2, 8, 8)], values[at(1, 1, 1)]]).toEqual([2, 1, 2]);
    expect(clean.voxelSize).toEqual([2, 1, 1]);
    await clean.close();

    const bad = await cli('postprocess', '--labels', seg, '--out', join(dir, 'x.tif'), '--step', 'erode:2:1');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('--step: step "erode:2:1" is not one of fill-holes:K');
    const again = await cli('postprocess', '--labels', seg, '--out', out, '--step', 'fill-holes:2');
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('already exists');
  });
});
