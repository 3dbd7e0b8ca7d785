// The ilastik-style reference (scripts/reference/ilastik_reference.py, Debian's /usr/bin/python3
// with scipy + scikit-learn) run from the benchmarks: on TIFFs in a folder, or as a Segmenter.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TypedArray, type Vec3, dtypeOf } from '../../src/shared/volume';
import type { Segmenter } from '../../src/main/evaluation';
import { createVolume, openVolume } from '../../src/main/volume';

const run = promisify(execFile);
const script = new URL('../reference/ilastik_reference.py', import.meta.url).pathname;
const python = '/usr/bin/python3';

export async function writeVolume(
  path: string,
  data: TypedArray,
  shape: Vec3,
  kind: 'image' | 'labels',
): Promise<void> {
  const writer = await createVolume(path, { shape, dtype: dtypeOf(data), kind, force: true });
  await writer.write({ start: [0, 0, 0], shape }, data);
  await writer.commit();
}

export async function readAll(path: string): Promise<Uint8Array> {
  const volume = await openVolume(path);
  const data = (await volume.read({ start: [0, 0, 0], shape: volume.shape })) as Uint8Array;
  await volume.close();
  return data;
}

/** Runs the reference on dir/img.tif and dir/lab.tif, writing dir/ref.tif; returns its JSON report. */
export async function runReference(
  dir: string,
  threads: number,
): Promise<{ seconds: number; report: Record<string, number> }> {
  const start = performance.now();
  const { stdout } = await run(
    python,
    [script, join(dir, 'img.tif'), join(dir, 'lab.tif'), join(dir, 'ref.tif'), '--threads', String(threads)],
    { maxBuffer: 1 << 20 },
  );
  return { seconds: (performance.now() - start) / 1000, report: JSON.parse(stdout.trim().split('\n').at(-1)!) };
}

/** The reference as a Segmenter, in a temporary folder of its own per call. */
export function referenceSegmenter(threads: number): Segmenter {
  return async (image, labels) => {
    const dir = await mkdtemp(join(tmpdir(), 'tomoseg-reference-'));
    try {
      const dense = new Uint8Array(image.shape[0] * image.shape[1] * image.shape[2]);
      labels.indices.forEach((i, n) => (dense[i] = labels.values[n]!));
      await writeVolume(
        join(dir, 'img.tif'),
        await image.read({ start: [0, 0, 0], shape: image.shape }),
        image.shape,
        'image',
      );
      await writeVolume(join(dir, 'lab.tif'), dense, image.shape, 'labels');
      await runReference(dir, threads);
      return await readAll(join(dir, 'ref.tif'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
