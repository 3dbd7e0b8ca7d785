// A segmentation in parts, without SLURM (the CLI in this process): the split into parts covers
// every chunk once; prepare, the parts in any order and finish give exactly the files of a
// single-process `predict`; until finished, every opener refuses the output naming the missing
// parts; a part stopped half-way is not marked done and runs again whole.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { runCli } from '../cli';
import { openVolume } from '../volume';
import { compareOutputs, phantomAndModel } from './cluster.test-helper';
import { tomosegCommand } from './entry';
import { mortonOrder } from './finish';
import { arraySpec, predictScript } from './sbatch';
import { parsePart, partTiles, tileShape } from './parts';

describe('the split into parts', () => {
  it('gives every chunk to exactly one part, in whole tiles of whole chunks, about evenly', () => {
    const cases: [Vec3, Vec3, number][] = [
      [[128, 256, 256], [64, 64, 64], 4],
      [[70, 100, 130], [64, 64, 64], 4],
      [[2048, 2048, 2048], [64, 64, 64], 100],
      [[64, 64, 64], [64, 64, 64], 1],
      [[200, 65, 1000], [32, 64, 64], 37],
      [[128, 256, 256], [64, 64, 64], 32],
    ];
    for (const [shape, chunk, parts] of cases) {
      const owner = new Map<string, number>();
      const sizes: number[] = [];
      const problems: string[] = [];
      for (let part = 1; part <= parts; part++) {
        const tiles = partTiles(shape, chunk, part, parts);
        if (tiles.length === 0) problems.push(`part ${part} has no tile`);
        let voxels = 0;
        for (const { start, shape: size } of tiles) {
          voxels += size[0] * size[1] * size[2];
          for (let a = 0; a < 3; a++)
            if (start[a]! % chunk[a]! !== 0 || (size[a]! % chunk[a]! !== 0 && start[a]! + size[a]! !== shape[a]))
              problems.push(`tile at ${start.join()} of part ${part} cuts a chunk`);
          for (let z = start[0]; z < start[0] + size[0]; z += chunk[0])
            for (let y = start[1]; y < start[1] + size[1]; y += chunk[1])
              for (let x = start[2]; x < start[2] + size[2]; x += chunk[2]) {
                const key = `${z},${y},${x}`;
                if (owner.has(key)) problems.push(`chunk ${key} in parts ${owner.get(key)} and ${part}`);
                owner.set(key, part);
              }
        }
        sizes.push(voxels);
      }
      expect(problems, `${shape.join('×')} in ${parts} parts`).toEqual([]);
      expect(owner.size).toBe(shape.reduce((n, s, a) => n * Math.ceil(s / chunk[a]!), 1));
      const tile = tileShape(shape, chunk, parts);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2 * tile[0] * tile[1] * tile[2]);
    }
    expect(() => partTiles([64, 64, 128], [64, 64, 64], 1, 3)).toThrow(/only 2 chunks: use at most 2 tasks/);
  });

  it('reads i/N and writes array lists', () => {
    expect(parsePart('3/8')).toEqual({ part: 3, parts: 8 });
    for (const bad of ['0/4', '5/4', '1', 'a/b', '2/0']) expect(() => parsePart(bad)).toThrow(/--part must be i\/N/);
    expect(arraySpec([1, 2, 3, 4])).toBe('1-4');
    expect(arraySpec([2, 5, 6, 7, 9])).toBe('2,5-7,9');
  });

  it('orders chunks so that each 2×2×2 group comes together', () => {
    const order = mortonOrder([4, 3, 2]);
    expect(order).toHaveLength(24);
    expect(new Set(order.map((i) => i.join())).size).toBe(24);
    expect(order.slice(0, 8).map((i) => i.join(''))).toEqual(['000', '001', '010', '011', '100', '101', '110', '111']);
  });

  it('runs this same Tomoseg in the jobs: node, its loaders resolved, the CLI entry', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const [node, ...rest] = tomosegCommand(
      ['node', '/opt/tomoseg/out/main/cli.js'],
      ['--import', 'tsx', '--inspect'],
      root,
    );
    expect(node).toBe(process.execPath);
    expect(rest).toEqual([
      '--import',
      pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
      '/opt/tomoseg/out/main/cli.js',
    ]);
    // started some other way: the CLI beside this code
    expect(tomosegCommand(['node', '/usr/lib/vitest.mjs'], [], root).at(-1)).toBe(join(root, 'src/main/cli/main.ts'));
  });

  it('writes a batch script that runs part $SLURM_ARRAY_TASK_ID with the given options, quoted', () => {
    const script = predictScript({
      tomoseg: ['/usr/bin/node', '/opt/tomo seg/out/main/cli.js'],
      image: '/data/scan.tif',
      model: '/data/m.json',
      out: '/data/seg.zarr',
      smooth: true,
      parts: 8,
      run: [2, 5, 6],
      cpus: 4,
      partition: 'gpu',
      time: '1:00:00',
      mem: '8G',
      extra: ['--account=abc'],
      logs: '/data/seg.zarr.slurm/logs',
      name: 'tomoseg-seg',
    });
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    for (const line of [
      '#SBATCH --array=2,5-6',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1:00:00',
      '#SBATCH --mem=8G',
      '#SBATCH --account=abc',
      "exec /usr/bin/node '/opt/tomo seg/out/main/cli.js' predict \\\n  --image /data/scan.tif \\\n",
      '--part "${SLURM_ARRAY_TASK_ID}/8"',
      '--threads "${SLURM_CPUS_PER_TASK:-1}"',
      '--smooth',
    ])
      expect(script).toContain(line);
  });
});

describe('a segmentation in parts (no SLURM)', { timeout: 300_000 }, () => {
  let dir: string;
  const shape: Vec3 = [70, 100, 130];
  const tomoseg = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(
      args.map((a) => (/^[\w.-]+\.(tif|zarr|json)$/.test(a) ? join(dir, a) : a)),
      { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } },
    );
    return { code, out, err };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tomoseg-parts-'));
    await phantomAndModel(shape, join(dir, 'img.tif'), join(dir, 'm.json'));
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the files of a single-process predict, refusing to open until finished', async () => {
    const common = ['--image', 'img.tif', '--model', 'm.json', '--threads', '2'];
    const single = await tomoseg('predict', ...common, '--out', 'one.zarr', '--probabilities', 'one-p.zarr');
    expect(single.code, single.err).toBe(0);

    const outputs = ['--out', 'seg.zarr', '--probabilities', 'seg-p.zarr'];
    const prepared = await tomoseg('predict', ...common, ...outputs, '--prepare', '4');
    expect(prepared.code, prepared.err).toBe(0);
    const refused = await tomoseg('info', 'seg.zarr');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/seg\.zarr: is incomplete: parts 1-4 of 4 are not done/);

    for (const part of [3, 1, 4]) {
      const result = await tomoseg('predict', ...common, ...outputs, '--part', `${part}/4`);
      expect(result.code, result.err).toBe(0);
      expect(result.out).toContain(`part ${part}/4 of ${join(dir, 'seg.zarr')} done`);
    }
    for (const path of ['seg.zarr', 'seg-p.zarr', 'seg.zarr/0'])
      await expect(openVolume(join(dir, path))).rejects.toThrow(/is incomplete: part 2 of 4 is not done/);
    const status = await tomoseg('cluster', 'status', 'seg.zarr');
    expect(status.out).toMatch(/incomplete, 3 of 4 parts done\n\s+done\s+1, 3-4\n\s+missing\s+2\n/);
    const early = await tomoseg('cluster', 'finish', 'seg.zarr');
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/part 2 of 4 not done yet/);

    // flags that differ from the prepared run are refused: parts of two runs never mix
    const other = await tomoseg('predict', ...common, ...outputs, '--smooth', '--part', '2/4');
    expect(other.err).toMatch(/prepared with --smooth false, not true/);
    const count = await tomoseg('predict', ...common, ...outputs, '--part', '2/5');
    expect(count.err).toMatch(/prepared for 4 parts, not 5/);

    const last = await tomoseg('predict', ...common, ...outputs, '--part', '2/4');
    expect(last.code, last.err).toBe(0);
    expect((await tomoseg('predict', ...common, ...outputs, '--part', '2/4')).out).toMatch(/was already done/);
    await expect(openVolume(join(dir, 'seg.zarr'))).rejects.toThrow(/all 4 parts are done but the last step/);
    const finished = await tomoseg('cluster', 'finish', 'seg.zarr');
    expect(finished.code, finished.err).toBe(0);
    expect((await tomoseg('cluster', 'status', 'seg.zarr')).out).toMatch(/seg\.zarr: complete/);
    expect(await compareOutputs(join(dir, 'one.zarr'), join(dir, 'seg.zarr'))).toEqual([]);
    expect(await compareOutputs(join(dir, 'one-p.zarr'), join(dir, 'seg-p.zarr'))).toEqual([]);
    const resubmit = await tomoseg(
      'cluster',
      'submit',
      '--image',
      'img.tif',
      '--model',
      'm.json',
      ...outputs,
      '--tasks',
      '4',
    );
    expect(resubmit.out).toMatch(/seg\.zarr is complete: nothing to submit/);
    const info = await tomoseg('info', 'seg.zarr');
    expect(info.code, info.err).toBe(0);
    expect(info.out).toMatch(/shape\s+70 × 100 × 130/);
    // no scratch left beside the outputs
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('prints the batch scripts of a submission with --dry-run, and changes nothing', async () => {
    const args = ['cluster', 'submit', '--image', 'img.tif', '--model', 'm.json', '--out', 'dry.zarr'];
    const extra = ['--sbatch-arg=--comment=a b', '--sbatch-arg=--nice=1', '--partition', 'short'];
    const dry = await tomoseg(...args, '--tasks', '4', '--dry-run', ...extra);
    expect(dry.code, dry.err).toBe(0);
    for (const text of [
      '#SBATCH --array=1-4',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --partition=short',
      "#SBATCH '--comment=a b'\n#SBATCH --nice=1",
      `--out ${join(dir, 'dry.zarr')} \\\n`,
      `${join(dir, 'dry.zarr')}.slurm/logs/part-%a-job-%A.log`,
      `--dependency=afterok:ARRAY_ID --kill-on-invalid-dep=yes ${join(dir, 'dry.zarr')}.slurm/finish.sbatch`,
    ])
      expect(dry.out).toContain(text);
    expect(dry.out).toMatch(/cluster finish \S+dry\.zarr\n/);
    expect(await readdir(dir)).not.toContain('dry.zarr');
    expect(await readdir(dir)).not.toContain('dry.zarr.slurm');
    const missing = await tomoseg('cluster', 'submit', '--image', 'img.tif', '--out', 'dry.zarr');
    expect(missing.err).toMatch(/cluster submit needs --model, --tasks/);
    const tooMany = await tomoseg(...args, '--tasks', '13');
    expect(tooMany.err).toMatch(/only 12 chunks: use at most 12 tasks/);
    expect((await readdir(dir)).filter((n) => n.includes('dry'))).toEqual([]);
  });

  it('leaves a part stopped half-way not done, and runs it again whole', async () => {
    const common = ['--image', 'img.tif', '--model', 'm.json', '--out', 'again.zarr', '--threads', '1'];
    expect((await tomoseg('predict', ...common, '--prepare', '2')).code).toBe(0);
    // stopped (as by Ctrl-C) once it has stored some of its chunks (part 2 has three tiles)
    const controller = new AbortController();
    let err = '';
    const code = await runCli(
      ['predict', ...common.map((a) => (/\.(tif|zarr|json)$/.test(a) ? join(dir, a) : a)), '--part', '2/2'],
      {
        stdout: { write: () => true },
        stderr: {
          write: (t: string) => {
            err += t;
            if (/predicting [1-9]\d?%/.test(t)) controller.abort();
            return true;
          },
        },
      },
      controller.signal,
    );
    expect(code, err).toBe(130);
    expect((await tomoseg('cluster', 'status', 'again.zarr')).out).toMatch(/missing\s+1-2/);
    for (const part of ['1/2', '2/2']) expect((await tomoseg('predict', ...common, '--part', part)).code).toBe(0);
    expect((await tomoseg('cluster', 'finish', 'again.zarr')).code).toBe(0);
    expect(await compareOutputs(join(dir, 'one.zarr'), join(dir, 'again.zarr'))).toEqual([]);
  });
});
