// The fuzz suite of damaged files: per format, seeded damage (damage.ts) to a small valid file,
// then open and read it whole. Each case must end one of two ways: refused with an error that
// names the file, or read as exactly the original (the damage hit bytes nothing reads). Never a
// crash (an error that is not Tomoseg's), a hang, or different data without a word.
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TomosegError, badInput } from '../../src/shared/errors';
import type { TypedArray } from '../../src/shared/volume';
import { MemoryVolume, loadModel, saveModel, trainModel } from '../../src/main/engine';
import { Random } from '../../src/main/engine/random';
import { LabelStore } from '../../src/main/labels';
import { makePhantom, paintLabels } from '../../src/main/phantoms';
import { ProjectFile } from '../../src/main/project/project-file';
import { testStroke } from '../../src/main/project/strokes.test-helper';
import { createVolume } from '../../src/main/volume/create';
import { openVolume } from '../../src/main/volume/open';
import { pattern } from '../../src/main/volume/testing/data';
import { python } from '../../src/main/volume/testing/python';
import { damageFile } from './damage';

const CASES = 40;
/** A case still running after this long counts as a hang. */
const HANG_MS = 15_000;

const dir = mkdtempSync(join(tmpdir(), 'tomoseg-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Outcome = 'refused' | 'same' | 'crash' | 'hang' | 'wrong data' | 'unnamed';

/** What a reader gave, as bytes to compare with the original's. */
type Reader = (path: string) => Promise<Buffer>;

/** A volume's shape, dtype and every voxel. */
const readVolume: Reader = async (path) => {
  const volume = await openVolume(path);
  try {
    const data: TypedArray = await volume.read({ start: [0, 0, 0], shape: volume.shape });
    return Buffer.concat([Buffer.from(`${volume.shape.join('×')} ${volume.dtype}\n`), Buffer.from(data.buffer)]);
  } finally {
    await volume.close();
  }
};

/** A model as loaded, in its canonical JSON. */
const readModel: Reader = async (path) => Buffer.from(JSON.stringify(await loadModel(path)));

/** Damages a copy of `original` (seed `seed`) and says how reading it ended. */
async function trial(original: string, seed: number, read: Reader, expected: Buffer, within?: [number, number]) {
  const copy = join(dir, `${seed}-${basename(original)}`);
  cpSync(original, copy, { recursive: true });
  // a folder (Zarr): damage one of its files, chosen by the seed
  const files = statSync(copy).isDirectory() ? filesIn(copy) : [copy];
  const target = files[new Random(seed).int(files.length)]!;
  const damage = damageFile(target, seed + 1, within);
  const where = `${relative(dir, target)} ${damage.what}`;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)));
  const outcome: Outcome = await Promise.race([
    read(copy).then(
      (got): Outcome => (got.equals(expected) ? 'same' : 'wrong data'),
      (error: unknown): Outcome =>
        !(error instanceof TomosegError) || error.kind === 'internal'
          ? 'crash'
          : error.message.includes(basename(copy))
            ? 'refused'
            : 'unnamed',
    ),
    hang,
  ]);
  clearTimeout(timer);
  return { outcome, where };
}

function filesIn(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Runs CASES trials on `original`; fails listing every case that crashed, hung, misread or named nothing. */
async function fuzz(
  original: string,
  firstSeed: number,
  read: Reader = readVolume,
  within?: [number, number],
  cases = CASES,
): Promise<void> {
  const expected = await read(original);
  const tally = new Map<Outcome, number>();
  const bad: string[] = [];
  for (let seed = firstSeed; seed < firstSeed + cases; seed++) {
    const { outcome, where } = await trial(original, seed, read, expected, within);
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    if (outcome !== 'refused' && outcome !== 'same') bad.push(`${outcome}: ${where}`);
  }
  expect(bad, `outcomes: ${JSON.stringify([...tally])}`).toEqual([]);
  // most damage must actually be noticed, or the suite tests little
  expect(tally.get('refused') ?? 0).toBeGreaterThan(cases / 4);
}

const SHAPE = [8, 24, 24] as const;
const WRITE = `import sys, numpy as np
a = (np.arange(${SHAPE.join('*')}, dtype='u4') * 7919 % 1009 * 61).astype('u2').reshape(${SHAPE.join(', ')})
path = sys.argv[1]
`;

describe('damaged files are refused naming the file, or read exactly', () => {
  it('TIFF, deflate strips', async () => {
    const path = join(dir, 'original.tif');
    python(`${WRITE}import tifffile\ntifffile.imwrite(path, a, compression='zlib', rowsperstrip=8)`, path);
    await fuzz(path, 1000);
  });

  it('TIFF, uncompressed: damage to the header and the first page tags', async () => {
    // raw pixel bytes carry no checksum in TIFF, so damage there cannot be told from data
    const path = join(dir, 'original-raw.tif');
    const firstPixel = python(
      `${WRITE}import tifffile\ntifffile.imwrite(path, a)\nprint(tifffile.TiffFile(path).pages[0].dataoffsets[0])`,
      path,
    );
    await fuzz(path, 1500, readVolume, [0, Number(firstPixel)]);
  });

  it('Zarr v2, zlib chunks', async () => {
    const path = join(dir, 'original-v2.zarr');
    python(
      `${WRITE}import zarr, numcodecs\nz = zarr.open(path, mode='w', shape=a.shape, chunks=(4, 12, 12), dtype='u2', compressor=numcodecs.Zlib(level=1))\nz[:] = a`,
      path,
    );
    await fuzz(path, 2000);
  });

  it('Zarr v3 (OME-Zarr as Tomoseg writes it), gzip chunks', async () => {
    const path = join(dir, 'original-v3.zarr');
    const writer = await createVolume(path, { shape: [...SHAPE], dtype: 'uint16', chunkShape: [4, 12, 12] });
    await writer.write({ start: [0, 0, 0], shape: [...SHAPE] }, pattern('uint16', [...SHAPE]));
    await writer.commit();
    await fuzz(path, 3000);
  });

  it('HDF5, gzip chunks with Fletcher-32 checksums', async () => {
    const path = join(dir, 'original.h5');
    python(
      `${WRITE}import h5py\nwith h5py.File(path, 'w', libver='latest') as f: f.create_dataset('volume', data=a, chunks=(4, 12, 12), compression='gzip', fletcher32=True)`,
      path,
    );
    await fuzz(path, 4000);
  });

  it('project files: damage it names is refused once the rest is checked to be exact', async () => {
    const shape = [8, 64, 64] as [number, number, number];
    const path = join(dir, 'original.tomoseg');
    const project = await ProjectFile.create(path, 'fuzz');
    const volumeId = project.addVolume(join(dir, 'scan.vol'), {
      name: 'scan',
      fingerprint: { shape, dtype: 'uint16', sampleHash: 'a'.repeat(64) },
      voxelSize: [1, 1, 1],
      unit: 'µm',
    });
    const painted = new LabelStore(shape);
    for (let k = 0; k < 12; k++) painted.paint(testStroke(k));
    project.saveLabels(volumeId, painted);
    const payload = Buffer.from(JSON.stringify({ weights: Array.from({ length: 300 }, (_, i) => Math.sin(i)) }));
    const { id: modelId } = project.addModel({ name: 'm', volumeId, labelsVersion: painted.version, payload });
    project.close();
    const whole = { start: [0, 0, 0] as [number, number, number], shape };
    const original = Buffer.concat([Buffer.from(painted.read(whole)), payload]);
    // The labels and the model as read. What the damage is named in reads as the original, so
    // the rest is compared: named damage is a refusal only where everything else is exact.
    const read: Reader = async (copy) => {
      const file = await ProjectFile.open(copy);
      try {
        const store = new LabelStore(shape);
        const named = file.loadLabels(volumeId, store).map(({ block, problem }) => `label block ${block}: ${problem}`);
        for (const key of painted.blockKeys())
          if (named.some((n) => n.startsWith(`label block ${key}:`))) store.loadBlock(key, painted.block(key)!);
        let model: Uint8Array = payload;
        try {
          model = file.model(modelId).payload;
        } catch (error) {
          if (!(error instanceof TomosegError)) throw error;
          named.push(error.message);
        }
        const seen = Buffer.concat([Buffer.from(store.read(whole)), Buffer.from(model)]);
        if (named.length > 0 && seen.equals(original)) throw badInput(`${copy}: ${named.join('; ')}`);
        return seen;
      } finally {
        file.close();
      }
    };
    // cheap cases (a small SQLite file), so many: damage inside a row's value is rare per case
    await fuzz(path, 6000, read, undefined, 400);
  });

  it('model files', async () => {
    const phantom = await makePhantom('binary', [16, 24, 24], 1);
    const labels = paintLabels(phantom.truth, phantom.shape, 2, { discs: 4 });
    const model = await trainModel(
      new MemoryVolume(phantom.image, phantom.shape),
      new MemoryVolume(labels, phantom.shape),
      {
        scales: [1, 2],
        iterations: 5,
      },
    );
    const path = join(dir, 'original.json');
    await saveModel(model, path);
    await fuzz(path, 5000, readModel);
  });
});
