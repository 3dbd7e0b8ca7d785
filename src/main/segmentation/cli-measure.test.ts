// `tomoseg measure` end to end: a segmentation TIFF in, a CSV of its objects out.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { cliOutput as cli } from '../testing/cli';
import { createVolume } from '../volume';

const dir = await mkdtemp(join(tmpdir(), 'tomoseg-measure-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tomoseg measure', () => {
  it('writes one row per object of the class, and says its share of the volume', async () => {
    const shape: Vec3 = [6, 8, 8];
    const data = new Uint8Array(6 * 8 * 8).fill(1);
    for (const i of [0, 1, 2, 200, 201]) data[i] = 2; // a bar of 3 at the corner, a pair further on
    const seg = join(dir, 'seg.tif');
    const writer = await createVolume(seg, { shape, dtype: 'uint8', voxelSize: [1, 0.5, 0.5], unit: 'micrometer' });
    await writer.write({ start: [0, 0, 0], shape }, data);
    await writer.commit();
    const csv = join(dir, 'pores.csv');
    const run = await cli('measure', '--labels', seg, '--class', '2', '--csv', csv);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe(`wrote ${csv}: 2 objects of class 2; the class is 1.302 % of the volume\n`);
    const rows = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual(['1,3,0.75', '2,2,0.5']);
    expect(rows[1]!.endsWith(',micrometer')).toBe(true);

    expect((await cli('measure', '--labels', seg, '--class', '3', '--csv', join(dir, 'none.csv'))).err).toContain(
      `class 3 has no voxels in ${seg}; nothing written`,
    );
    const again = await cli('measure', '--labels', seg, '--class', '2', '--csv', csv);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('already exists');
  });
});
