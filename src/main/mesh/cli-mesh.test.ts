// `tomoseg mesh` end to end on real files: TIFF inputs written with the volume layer.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dtype, Vec3 } from '../../shared/volume';
import { cliOutput as cli } from '../testing/cli';
import { createVolume } from '../volume';
import type { Volume } from '../volume/volume';
import { labelVolume, probabilityVolume, sphere } from './phantoms';

const dir = await mkdtemp(join(tmpdir(), 'tomoseg-mesh-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const shape: Vec3 = [24, 26, 28];
const ball = sphere([14.2, 12.7, 11.6], 7.4);

async function save(name: string, volume: Volume, dtype: Dtype): Promise<string> {
  const path = join(dir, name);
  const writer = await createVolume(path, { shape, dtype, voxelSize: [1, 1, 1], unit: 'micrometer' });
  await writer.write({ start: [0, 0, 0], shape }, await volume.read({ start: [0, 0, 0], shape }));
  await writer.commit();
  return path;
}

const labels = await save('seg.tif', labelVolume(shape, ball), 'uint8');
const probabilities = await save('prob.tif', probabilityVolume(shape, ball, 1, 0.05), 'float32');

describe('tomoseg mesh', () => {
  it('meshes a probability map to STL with a CSV of measurements', async () => {
    const out = join(dir, 'ball.stl');
    const csv = join(dir, 'ball.csv');
    const run = await cli('mesh', '--probabilities', probabilities, '--out', out, '--csv', csv, '--smooth', '0.5');
    expect(run.err.split('\n').filter((l) => l.startsWith('tomoseg:'))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('1 objects');
    const rows = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(Number(rows[1]!.split(',')[1]) / ball.volume).toBeCloseTo(1, 1);
    expect((await readFile(out)).readUInt32LE(80)).toBeGreaterThan(100);
  });

  it('meshes one class of labels to OBJ', async () => {
    const out = join(dir, 'ball.obj');
    const run = await cli('mesh', '--labels', labels, '--class', '1', '--out', out, '--edge', '1.5', '--threads', '1');
    expect(run.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('o object_1');
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--labels', labels, '--class', '3', '--out', join(dir, 'empty.ply')], /class 3 has no voxels/],
      [['--labels', labels, '--out', join(dir, 'x.ply')], /needs --class/],
      [
        ['--labels', labels, '--class', '1', '--edge', '0', '--out', join(dir, 'x.ply')],
        /edge length must be a positive/,
      ],
      [
        ['--labels', labels, '--class', '1', '--edge=-2', '--out', join(dir, 'x.ply')],
        /edge length must be a positive/,
      ],
      [['--labels', labels, '--class', '1', '--out', join(dir, 'x.vtk')], /unknown mesh format/],
      [['--labels', labels, '--class', '1', '--threads', '0', '--out', join(dir, 'x.ply')], /--threads must be/],
      [
        ['--labels', labels, '--class', '1', '--min-volume', '1e9', '--out', join(dir, 'x.ply')],
        /smaller than --min-volume/,
      ],
      [
        ['--labels', labels, '--probabilities', probabilities, '--class', '1', '--out', join(dir, 'x.ply')],
        /exactly one of/,
      ],
      [['--labels', labels, '--class', '1', '--out', join(dir, 'ball.stl')], /already exists/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('mesh', ...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.err).toMatch(message);
    }
    expect((await readdir(dir)).sort()).toEqual(['ball.csv', 'ball.obj', 'ball.stl', 'prob.tif', 'seg.tif']);
  });
});
