// End to end: the CLI run as its own process (from the TypeScript sources through tsx) on a small
// phantom written to TIFF and OME-Zarr.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import { loadModel, predictVolume } from '../engine';
import { diceScores, makePhantom, paintLabels, type Phantom } from '../phantoms';
import { createVolume, openVolume } from '../volume';

const run = promisify(execFile);
const entry = new URL('./main.ts', import.meta.url).pathname;
const repository = new URL('../../../', import.meta.url).pathname;
/** File arguments are names inside the test's temporary folder. */
const FILE = /^[\w.]+\.(tif|zarr|json)$/;

async function tomoseg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // cwd: the repository, where `--import tsx` resolves
    const paths = args.map((a) => (FILE.test(a) ? join(dir, a) : a));
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', entry, ...paths], { cwd: repository });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function write(path: string, data: TypedArray, shape: Vec3, kind: 'image' | 'labels'): Promise<void> {
  const dtype = data instanceof Uint16Array ? 'uint16' : data instanceof Float32Array ? 'float32' : 'uint8';
  const writer = await createVolume(path, { shape, dtype, voxelSize: [2, 2, 2], unit: 'micrometer', kind });
  await writer.write({ start: [0, 0, 0], shape }, data);
  await writer.commit();
}

async function readAll(path: string): Promise<TypedArray> {
  const volume = await openVolume(path);
  const data = await volume.read({ start: [0, 0, 0], shape: volume.shape });
  await volume.close();
  return data;
}

let dir: string;
let phantom: Phantom;
let labels: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tomoseg-cli-'));
  phantom = await makePhantom('binary', [40, 48, 48], 4);
  labels = paintLabels(phantom.truth, phantom.shape, 2);
  await write(join(dir, 'img.tif'), phantom.image, phantom.shape, 'image');
  await write(join(dir, 'lab.tif'), labels, phantom.shape, 'labels');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case spawns Node with tsx (a few seconds each on a busy machine): generous time limits.
describe('tomoseg CLI', { timeout: 300_000 }, () => {
  it('segments a phantom: labels 1..K, probabilities per class, a model that predicts the same', async () => {
    const segment = await tomoseg(
      'segment',
      '--image',
      'img.tif',
      '--labels',
      'lab.tif',
      '--out',
      'seg.tif',
      '--probabilities',
      'prob.zarr',
      '--model',
      'm.json',
      '--threads',
      '2',
      '--seed',
      '5',
    );
    expect(segment.stderr).toMatch(/predicting 100%/);
    expect(segment.code).toBe(0);
    const seg = (await readAll(join(dir, 'seg.tif'))) as Uint8Array;
    expect(diceScores(seg, phantom.truth, labels, 2).meanDice).toBeGreaterThan(0.9);
    const prob = await openVolume(join(dir, 'prob.zarr'));
    expect(prob.shape).toEqual(phantom.shape);
    expect(prob.voxelSize).toEqual([2, 2, 2]);

    const predict = await tomoseg(
      'predict',
      '--image',
      'img.tif',
      '--model',
      'm.json',
      '--out',
      'again.zarr',
      '--threads',
      '0',
    );
    expect(predict.code).toBe(0);
    expect(await readAll(join(dir, 'again.zarr'))).toEqual(seg);

    // smoothed as training chose (and said so); --smooth / --no-smooth as the engine does or does not
    const model = await loadModel(join(dir, 'm.json'));
    const chosen = model.smooth ?? false;
    expect(segment.stdout.includes('smoothed (chosen on the labels')).toBe(chosen);
    const image = await openVolume(join(dir, 'img.tif'));
    const expected = async (smooth: boolean): Promise<Uint8Array> => {
      const out = new Uint8Array(seg.length);
      const sink = { write: async (_region: Region, block: TypedArray) => void out.set(block) };
      await predictVolume(model, image, { labels: sink }, { threads: 0, smooth, blockShape: phantom.shape });
      return out;
    };
    expect(seg).toEqual(await expected(chosen));
    const smooth = await tomoseg(...'predict --image img.tif --model m.json --out smooth.tif --smooth'.split(' '));
    expect(smooth.code).toBe(0);
    const smoothed = await readAll(join(dir, 'smooth.tif'));
    expect(smoothed).toEqual(await expected(true));
    const sharp = await tomoseg(...'predict --image img.tif --model m.json --out sharp.tif --no-smooth'.split(' '));
    expect(sharp.code).toBe(0);
    const unsmoothed = await readAll(join(dir, 'sharp.tif'));
    expect(unsmoothed).toEqual(await expected(false));
    expect(unsmoothed).not.toEqual(smoothed);
    await image.close();
  });

  it('labels through surfaces: predict --refine, and refine on saved unsmoothed probabilities, give the same', async () => {
    // uses seg.tif and m.json of the first case
    const refined = await tomoseg(
      ...'predict --image img.tif --model m.json --out refined.tif --threads 2 --refine --min-volume 80'.split(' '),
    );
    expect(refined.stderr.split('\n').filter((l) => l.startsWith('tomoseg:'))).toEqual([]);
    expect(refined.code).toBe(0);
    expect(refined.stdout).toMatch(/surfaces: class 2: \d+ objects/);
    const surfaces = (await readAll(join(dir, 'refined.tif'))) as Uint8Array;
    expect(diceScores(surfaces, phantom.truth, labels, 2).meanDice).toBeGreaterThan(0.9);
    expect(surfaces).not.toEqual(await readAll(join(dir, 'seg.tif')));

    // --refine predicts each voxel's own probabilities (surfaces smooth by themselves), as --no-smooth
    // writes them; meshed on one thread here, on two above: the same labels
    const raw = await tomoseg(
      ...'predict --image img.tif --model m.json --out raw.tif --probabilities raw.zarr --no-smooth'.split(' '),
    );
    expect(raw.code).toBe(0);
    const again = await tomoseg(
      ...'refine --probabilities raw.zarr --out again.tif --min-volume 80 --threads 1'.split(' '),
    );
    expect(again.code).toBe(0);
    expect(await readAll(join(dir, 'again.tif'))).toEqual(surfaces);

    const without = await tomoseg(...'predict --image img.tif --model m.json --out x.tif --min-volume 80'.split(' '));
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain('add --refine');
    const parts = await tomoseg(
      ...'predict --image img.tif --model m.json --out x.zarr --prepare 2 --refine'.split(' '),
    );
    expect(parts.code).not.toBe(0);
    expect(parts.stderr).toContain('tomoseg refine --probabilities PROB');
  });

  it('trains the same model from the same seed', async () => {
    expect(
      (await tomoseg('train', '--image', 'img.tif', '--labels', 'lab.tif', '--model', 'a.json', '--seed', '9')).code,
    ).toBe(0);
    expect(
      (await tomoseg('train', '--image', 'img.tif', '--labels', 'lab.tif', '--model', 'b.json', '--seed', '9')).code,
    ).toBe(0);
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe(await readFile(join(dir, 'b.json'), 'utf8'));
  });

  it('prints image info and backends', async () => {
    const info = await tomoseg('info', 'img.tif');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/shape\s+40 × 48 × 48/);
    expect(info.stdout).toMatch(/dtype\s+uint16/);
    expect(info.stdout).toMatch(/voxel size\s+2 × 2 × 2 micrometer/);
    const backends = await tomoseg('info', '--backends');
    expect(backends.code, backends.stderr).toBe(0);
    expect(backends.stdout).toMatch(/^cpu\s+loads/m);
    expect(backends.stdout).toMatch(/^used: /m);
  });

  it('fails with one line, no output and the documented exit code (1 failed, 2 usage) on bad input', async () => {
    await write(join(dir, 'small.tif'), new Uint8Array(8 * 8 * 8).fill(1), [8, 8, 8], 'labels');
    // a uniform image: nothing tells the painted classes apart, so no model can be trained
    await write(join(dir, 'flat.tif'), new Uint8Array(labels.length).fill(100), phantom.shape, 'image');
    await writeFile(join(dir, 'kept.tif'), 'mine');
    const cases: [string[], RegExp, number][] = [
      [
        ['segment', '--image', 'img.tif', '--labels', 'small.tif', '--out', 'x.tif'],
        /shape 8×8×8 .* image has 40×48×48/,
        1,
      ],
      [
        ['segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'kept.tif'],
        /kept\.tif already exists \(use --force/,
        1,
      ],
      [['segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'img.tif', '--force'], /is also an input/, 1],
      [['predict', '--image', 'img.tif', '--model', 'img.tif', '--out', 'y.tif'], /not valid JSON/, 1],
      [['segment', '--image', 'img.tif', '--out', 'x.tif'], /segment needs --labels/, 2],
      [['segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'x.tif', '--bogus'], /'--bogus'/, 2],
      [
        ['segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'x.tif', '--threads', 'many'],
        /--threads must be an integer/,
        1,
      ],
      [
        ['segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'x.tif', '--smooth', '--no-smooth'],
        /--smooth and --no-smooth: give one of them/,
        1,
      ],
      [['frobnicate'], /unknown command/, 2],
      [
        ['segment', '--image', 'flat.tif', '--labels', 'lab.tif', '--out', 'x.tif', '--model', 'x.json'],
        /training learned nothing usable from these labels: it gives class \d \(0 %\) to too few/,
        1,
      ],
    ];
    for (const [args, message, code] of cases) {
      const result = await tomoseg(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(message);
    }
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('x.') || n.startsWith('y.') || n.includes('partial'))).toEqual([]);
    expect(await readFile(join(dir, 'kept.tif'), 'utf8')).toBe('mine');
  });

  // SIGTERM: what `kill` and a scheduler's time limit send
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('stops on %s with exit code %d and one line, leaving no output', async (signal, exitCode) => {
    const files = [`${signal}.tif`, `${signal}.json`].map((name) => join(dir, name));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', entry, 'segment', '--image', join(dir, 'img.tif'), '--labels', join(dir, 'lab.tif')].concat([
        '--out',
        files[0]!,
        '--model',
        files[1]!,
      ]),
      { cwd: repository, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // interrupted when it reports training under way (not on a clock): the signal reaches it mid-run
    let stderr = '';
    let interrupted = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && /^training [1-9]\d?%$/m.test(stderr)) interrupted = child.kill(signal);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(interrupted, stderr).toBe(true);
    expect(code, stderr).toBe(exitCode);
    expect(stderr.trim().split('\n').at(-1)).toBe('tomoseg: cancelled');
    expect(stderr).not.toMatch(/^(trained|predicting)/m);
    expect((await readdir(dir)).filter((n) => n.includes(signal))).toEqual([]);
  });

  it('clears what a killed run (SIGKILL) left of its output when the next run writes it', async () => {
    const out = join(dir, 'killed.tif');
    const args = [
      '--import',
      'tsx',
      entry,
      'segment',
      '--image',
      join(dir, 'img.tif'),
      '--labels',
      join(dir, 'lab.tif'),
    ];
    const child = spawn(process.execPath, [...args, '--out', out], {
      cwd: repository,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killed && /^predicting [1-9]\d?%$/m.test(stderr)) killed = child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(killed, stderr).toBe(true);
    const leftovers = async () => (await readdir(dir)).filter((n) => n.startsWith('.killed.tif.partial-'));
    expect(await leftovers()).toHaveLength(1);
    expect((await readdir(dir)).includes('killed.tif')).toBe(false);
    const again = await tomoseg('segment', '--image', 'img.tif', '--labels', 'lab.tif', '--out', 'killed.tif');
    expect(again.code, again.stderr).toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it('imports an image to an OME-Zarr pyramid with the same voxels, refusing to overwrite', async () => {
    const result = await tomoseg('import', '--image', 'img.tif', '--out', 'img.zarr');
    expect(result.code, result.stderr).toBe(0);
    expect(await readAll(join(dir, 'img.zarr'))).toEqual(await readAll(join(dir, 'img.tif')));
    const zarr = await openVolume(join(dir, 'img.zarr'));
    expect(zarr.format).toMatch(/OME-Zarr/);
    await zarr.close();
    const again = await tomoseg('import', '--image', 'img.tif', '--out', 'img.zarr');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/img\.zarr already exists \(use --force/);
    expect(again.stderr.trim().split('\n').at(-1)).toMatch(/img\.zarr already exists \(use --force to overwrite\)$/);
    // --force replaces its own copy, never a folder it did not write
    expect((await tomoseg('import', '--image', 'img.tif', '--out', 'img.zarr', '--force')).code).toBe(0);
    await mkdir(join(dir, 'theirs.zarr'));
    await writeFile(join(dir, 'theirs.zarr', 'notes.txt'), 'mine');
    const theirs = await tomoseg('import', '--image', 'img.tif', '--out', 'theirs.zarr', '--force');
    expect(theirs.code).toBe(1);
    expect(theirs.stderr.trim().split('\n').at(-1)).toMatch(
      /theirs\.zarr: a folder Tomoseg did not write, so it is not replaced: choose another name, or move the folder away yourself$/,
    );
    expect(await readdir(join(dir, 'theirs.zarr'))).toEqual(['notes.txt']);
    const notZarr = await tomoseg('import', '--image', 'img.tif', '--out', 'img2.tif');
    expect(notZarr.code).toBe(1);
    expect(notZarr.stderr).toMatch(/name it \*\.zarr/);
    expect(await readdir(dir)).not.toContain('img2.tif');
  });

  it('documents every flag', async () => {
    const help = await tomoseg('segment', '--help');
    expect(help.code).toBe(0);
    for (const flag of [
      '--image IMG',
      '--labels LAB',
      '--out SEG',
      '--probabilities PROB',
      '--model MODEL',
      '--threads N',
      '--seed S',
      '--force',
    ])
      expect(help.stdout).toContain(flag);
  });
});
