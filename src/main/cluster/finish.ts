// The last step of a run in parts, once every part is done: builds the pyramid levels from the
// full-resolution chunks the parts stored (exactly as the OME-Zarr writer builds them while a
// single process writes: the same downsampling of each chunk, the same level writers), then
// removes the incomplete marks, the segmentation's group last: that rename is what makes the
// output complete. Killed half-way, it leaves the output incomplete and runs again from the start.
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TomosegError, cancelled } from '../../shared/errors';
import { type TypedArray, type Vec3, allocate, voxelCount } from '../../shared/volume';
import { copyBox } from '../volume/chunked';
import type { ProgressOptions } from '../progress';
import { chunkCodec } from '../volume/zarr/codecs';
import { listParts } from '../volume/zarr/incomplete';
import { ArrayWriter, type ChunkSink } from '../volume/zarr/array-writer';
import { reduce } from '../volume/zarr/writer';
import { MARKERS, type RunRecord, arrayInfo, levelZero, readNode, runMark, runState, writeNode } from './layout';

/** Level-0 chunks read and decoded ahead of the one being downsampled. */
const READ_AHEAD = 8;
const PYRAMID = '.tomoseg-pyramid';

/** Completes the prepared `out` whose parts are all done; 'complete' where it already was. */
export async function finishRun(out: string, options: ProgressOptions = {}): Promise<'finished' | 'complete'> {
  const state = await runState(out);
  if (state.state === 'absent') throw new TomosegError('not-found', `${out}: does not exist`);
  if (state.state === 'complete') return 'complete';
  if (state.missing.length > 0)
    throw new TomosegError(
      'conflict',
      `${out}: part${state.missing.length > 1 ? 's' : ''} ${listParts(state.missing)} of ${state.parts} not done yet: run them first (\`tomoseg cluster status\` lists them)`,
    );
  if (state.run.probabilities) await finishOutput(state.run.probabilities, 'image', state.run, options);
  await finishOutput(out, 'labels', state.run, options);
  await rm(join(out, MARKERS), { recursive: true, force: true });
  return 'finished';
}

async function finishOutput(
  path: string,
  kind: 'image' | 'labels',
  run: RunRecord,
  { signal, progress }: ProgressOptions,
): Promise<void> {
  const group = await readNode(path);
  // Done before, when an earlier finish stopped between the probabilities and the segmentation.
  if (!runMark(group)) return;
  const datasets = (group as { attributes?: { ome?: { multiscales?: { datasets?: { path: string }[] }[] } } })
    .attributes?.ome?.multiscales?.[0]?.datasets;
  if (!datasets || datasets[0]?.path !== '0') throw new TomosegError('bad-input', `${path}: no OME-Zarr multiscales`);
  const { shape, chunk, channels } = await levelZero(path);
  const shapes: Vec3[] = [shape];
  for (const { path: level } of datasets.slice(1)) shapes.push((await arrayInfo(join(path, level))).shape);
  const codec = chunkCodec(run.compression, 'uint8');
  const pyramid = join(path, PYRAMID);
  await rm(pyramid, { recursive: true, force: true });
  // Level writers coarsest first, each handing its chunks to the next coarser one.
  const writers: ArrayWriter[] = [];
  for (let level = shapes.length - 1; level >= 1; level--) {
    const next = writers[0];
    const sink = next && downsampler(shapes[level]!, next, chunk, kind === 'labels');
    writers.unshift(
      new ArrayWriter(join(pyramid, String(level)), shapes[level]!, chunk, 'uint8', channels, codec, sink),
    );
  }
  for (const writer of writers) await writer.init();
  const first = writers[0] && downsampler(shape, writers[0], chunk, kind === 'labels');
  if (first) {
    const indices = mortonOrder(shape.map((n, a) => Math.ceil(n / chunk[a]!)) as Vec3);
    const total = indices.length * (channels ?? 1);
    const read = (i: number): Promise<TypedArray> => {
      const index = indices[i % indices.length]!;
      const channel = Math.floor(i / indices.length);
      const key = ['c', ...(channels === undefined ? [] : [channel]), ...index].join('/');
      return readChunk(join(path, '0', key), codec.decode, voxelCount(chunk));
    };
    const ahead: Promise<TypedArray>[] = [];
    for (let i = 0; i < total; i++) {
      if (signal?.aborted) throw cancelled();
      while (ahead.length < READ_AHEAD && i + ahead.length < total) {
        const p = read(i + ahead.length);
        p.catch(() => undefined);
        ahead.push(p);
      }
      const data = await ahead.shift()!;
      const index = indices[i % indices.length]!;
      const start = index.map((n, a) => n * chunk[a]!) as Vec3;
      const inside = start.map((s, a) => Math.min(chunk[a]!, shape[a]! - s)) as Vec3;
      await first(Math.floor(i / indices.length), start, inside, data);
      if (i % 64 === 0) progress?.(i, total, 'building the pyramid');
    }
  }
  for (const [i, writer] of writers.entries()) {
    progress?.(i, writers.length, `finishing pyramid level ${i + 1}`);
    await writer.finish();
  }
  // The new levels replace the prepared empty ones; then the marks go, the group's last.
  for (let level = 1; level < shapes.length; level++) {
    const old = join(pyramid, `old-${level}`);
    await rename(join(path, String(level)), old);
    await rename(join(pyramid, String(level)), join(path, String(level)));
  }
  await rm(pyramid, { recursive: true, force: true });
  const zero = await readNode(join(path, '0'));
  await writeNode(join(path, '0'), unmarked(zero));
  await writeNode(path, unmarked(group));
}

/** A node's metadata without the incomplete mark (as a single-process run writes it). */
function unmarked<T extends { attributes?: object }>(node: T): T {
  const { tomoseg: _, ...attributes } = (node.attributes ?? {}) as Record<string, unknown>;
  return { ...node, attributes };
}

/** A stored chunk, decoded; the fill value (zeros) where the writer left it out. */
async function readChunk(
  file: string,
  decode: (bytes: Uint8Array) => Promise<Uint8Array>,
  length: number,
): Promise<TypedArray> {
  const bytes = await readFile(file).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  });
  if (!bytes) return new Uint8Array(length);
  const data = await decode(bytes);
  if (data.length !== length)
    throw new TomosegError('bad-input', `${file}: decoded ${data.length} bytes, expected ${length}`);
  return data;
}

/**
 * The OME-Zarr writer's downsampler (src/main/volume/zarr/writer.ts): each chunk of a level of
 * shape `from`, its part inside the volume packed, shrunk by 2 along every axis `next` halves.
 */
function downsampler(from: Vec3, next: ArrayWriter, chunk: Vec3, labels: boolean): ChunkSink {
  const factor = from.map((n, a) => (n > next.shape[a]! ? 2 : 1)) as Vec3;
  return (channel, start, shape, data) => {
    let block = data;
    if (shape.some((n, a) => n !== chunk[a])) {
      block = allocate('uint8', voxelCount(shape));
      copyBox(data, [0, 0, 0], chunk, block, [0, 0, 0], shape);
    }
    const outShape = shape.map((n, a) => Math.ceil(n / factor[a]!)) as Vec3;
    const outStart = start.map((s, a) => s / factor[a]!) as Vec3;
    return next.write({ start: outStart, shape: outShape }, reduce(block, shape, outShape, factor, labels), channel);
  };
}

/**
 * Chunk indices of a grid in Z order (bits of z, y, x interleaved): the 2×2×2 chunks that make one
 * chunk of the next level come one after another, so every level's chunks fill and are stored
 * soon after they start, whatever the volume's size.
 */
export function mortonOrder(grid: Vec3): Vec3[] {
  const bits = Math.ceil(Math.log2(Math.max(2, ...grid)));
  const key = (index: Vec3): number => {
    // Up to 17 bits per axis: 51 bits, exact in a double.
    let k = 0;
    for (let bit = bits - 1; bit >= 0; bit--)
      k = k * 8 + ((index[0] >> bit) & 1) * 4 + ((index[1] >> bit) & 1) * 2 + ((index[2] >> bit) & 1);
    return k;
  };
  const indices: { index: Vec3; key: number }[] = [];
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++) indices.push({ index: [z, y, x], key: key([z, y, x]) });
  return indices.sort((a, b) => a.key - b.key).map((i) => i.index);
}
