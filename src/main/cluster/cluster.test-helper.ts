// What the cluster tests and the cluster bench share: a phantom tomogram and a small model trained
// on a corner of it (one scale, fast to predict), and comparisons of two OME-Zarr outputs.
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TypedArray, Vec3 } from '../../shared/volume';
import { MemoryVolume, saveModel, sparseLabelsFromVolume, trainModel } from '../engine';
import { makePhantom, paintLabels } from '../phantoms';
import { createVolume, openVolume } from '../volume';

/** Writes a phantom image of `shape` to `imagePath` (.tif or .zarr) and a model for it to `modelPath`. */
export async function phantomAndModel(
  shape: Vec3,
  imagePath: string,
  modelPath: string,
  scales: number[] = [1],
): Promise<void> {
  const phantom = await makePhantom('binary', shape, 3);
  const writer = await createVolume(imagePath, {
    shape,
    dtype: phantom.image instanceof Uint16Array ? 'uint16' : 'uint8',
    voxelSize: [2, 2, 2],
    unit: 'micrometer',
  });
  await writer.write({ start: [0, 0, 0], shape }, phantom.image);
  await writer.commit();
  await trainSmallModel(phantom.image, phantom.truth, shape, modelPath, scales);
}

/** A model from labels painted on the first 32 × 64 × 64 voxels (by default one scale: a small halo, fast to predict). */
export async function trainSmallModel(
  image: TypedArray,
  truth: Uint8Array,
  shape: Vec3,
  modelPath: string,
  scales: number[] = [1],
): Promise<void> {
  const corner: Vec3 = [Math.min(32, shape[0]), Math.min(64, shape[1]), Math.min(64, shape[2])];
  const crop = (data: TypedArray): TypedArray => {
    const out = new (data.constructor as new (n: number) => TypedArray)(corner[0] * corner[1] * corner[2]);
    let o = 0;
    for (let z = 0; z < corner[0]; z++)
      for (let y = 0; y < corner[1]; y++) {
        const from = (z * shape[1] + y) * shape[2];
        out.set(data.subarray(from, from + corner[2]), o);
        o += corner[2];
      }
    return out;
  };
  const labels = paintLabels(crop(truth) as Uint8Array, corner, 2);
  const model = await trainModel(
    new MemoryVolume(crop(image), corner),
    await sparseLabelsFromVolume(new MemoryVolume(labels, corner)),
    { scales, iterations: 40 },
  );
  await saveModel(model, modelPath);
}

/** Every file of an output folder (relative paths), sorted, without Tomoseg's own marker. */
export async function filesOf(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== '.tomoseg-output')
    .map((e) => relative(folder, join(e.parentPath, e.name)))
    .sort();
}

/**
 * Differences between two OME-Zarr outputs: the same files with the same bytes (chunks and array
 * metadata), group metadata equal but for the image's name, and every level read equal voxel
 * for voxel. An empty list: identical.
 */
export async function compareOutputs(expected: string, actual: string): Promise<string[]> {
  const problems: string[] = [];
  const [a, b] = [await filesOf(expected), await filesOf(actual)];
  if (a.join('\n') !== b.join('\n'))
    problems.push(
      `files differ: only in ${expected}: ${a.filter((f) => !b.includes(f)).join(', ') || '-'}; only in ${actual}: ${b.filter((f) => !a.includes(f)).join(', ') || '-'}`,
    );
  const name = (path: string): string =>
    path
      .replace(/\/$/, '')
      .split('/')
      .at(-1)!
      .replace(/\.zarr$/i, '');
  for (const file of a.filter((f) => b.includes(f))) {
    let [x, y] = [await readFile(join(expected, file)), await readFile(join(actual, file))];
    if (file === 'zarr.json') {
      x = Buffer.from(x.toString().replace(`"name": "${name(expected)}"`, '"name": ""'));
      y = Buffer.from(y.toString().replace(`"name": "${name(actual)}"`, '"name": ""'));
    }
    if (!x.equals(y)) problems.push(`${file} differs`);
  }
  const first = await openVolume(expected);
  const levels = first.levels?.length ?? 1;
  const channels = first.channels ?? 1;
  await first.close();
  for (let level = 0; level < levels; level++)
    for (let channel = 0; channel < channels; channel++) {
      const [v, w] = [await openVolume(expected, { level, channel }), await openVolume(actual, { level, channel })];
      const [p, q] = [
        await v.read({ start: [0, 0, 0], shape: v.shape }),
        await w.read({ start: [0, 0, 0], shape: w.shape }),
      ];
      let differing = 0;
      for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) differing++;
      if (v.shape.join() !== w.shape.join() || differing > 0)
        problems.push(`level ${level} channel ${channel}: ${differing} voxels differ`);
      await Promise.all([v.close(), w.close()]);
    }
  return problems;
}
