// Writes OME-Zarr 0.5 (Zarr v3): each level chunk by chunk as regions arrive, the pyramid built
// along the way from every chunk of the level below as it is stored (so nothing is read back from
// disk), then the group metadata; all under a temporary name renamed at the end.
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { badInput, cancelled } from '../../../shared/errors';
import {
  type Dtype,
  type Region,
  type TypedArray,
  type Vec3,
  allocate,
  dtypeOf,
  voxelCount,
} from '../../../shared/volume';
import { bytesOf } from '../bytes';
import { chunksOf, copyBox } from '../chunked';
import { explainWrite, fileProblem } from '../errors';
import { exists, publish, refuseExisting, temporaryPath } from '../output';
import type { ProgressOptions } from '../../progress';
import { type VolumeSpec, type VolumeWriter, checkSpec, checkWrite } from '../spec';
import { type ChunkCodec, chunkCodec } from './codecs';

const DEFAULT_CHUNK: Vec3 = [64, 64, 64];
/** Partly written chunks kept in memory per level before they are flushed (and re-read if written again). */
const PENDING_BYTES = 128 * 1024 ** 2;
/** Chunks encoded and written at once, per level. */
const MAX_FLUSHING = 16;

interface PendingChunk {
  channel: number;
  index: Vec3;
  data: TypedArray;
  /** Voxels written so far; the chunk is flushed when they cover its part of the volume. */
  written: number;
}

/**
 * Receives every chunk a level stores (`shape`: its part inside the volume, laid out in a buffer
 * of the full chunk size) and passes it on to the next level. It must be done with `data` when it
 * returns: the buffer is reused.
 */
export type ChunkSink = (channel: number, start: Vec3, shape: Vec3, data: TypedArray) => Promise<void>;

/** One Zarr v3 array: dimensions (c,) z, y, x; chunks one channel deep. */
export class ArrayWriter {
  private readonly pending = new Map<string, PendingChunk>();
  private pendingBytes = 0;
  /** Chunks already on disk, with the voxels written to them: a later write decodes one first. */
  private readonly flushed = new Map<string, number>();
  /** Chunks being encoded and written, in parallel (zlib runs on Node's thread pool). */
  private readonly flushing = new Map<string, Promise<void>>();
  /** Buffers of chunks already stored, for the next ones: fresh memory costs page faults and GC. */
  private readonly spare: TypedArray[] = [];
  private readonly folders = new Set<string>();
  private failure: unknown;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly folder: string,
    readonly shape: Vec3,
    readonly chunk: Vec3,
    readonly dtype: Dtype,
    readonly channels: number | undefined,
    private readonly codec: ChunkCodec,
    private readonly sink?: ChunkSink,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const withC = <T>(c: T, rest: T[]): T[] => (this.channels === undefined ? rest : [c, ...rest]);
    const metadata = {
      zarr_format: 3,
      node_type: 'array',
      shape: withC(this.channels ?? 1, [...this.shape]),
      data_type: this.dtype,
      chunk_grid: { name: 'regular', configuration: { chunk_shape: withC(1, [...this.chunk]) } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      fill_value: 0,
      codecs: this.codec.metadata,
      dimension_names: withC('c', ['z', 'y', 'x']),
      attributes: {},
    };
    await writeFile(join(this.folder, 'zarr.json'), JSON.stringify(metadata, null, 2));
  }

  /** Writes are serialised so pending chunks are never read and flushed at once. */
  write(region: Region, data: TypedArray, channel = 0): Promise<void> {
    const run = this.queue.then(() => this.writeNow(region, data, channel));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(region: Region, data: TypedArray, channel: number): Promise<void> {
    this.throwFailure();
    for (const index of chunksOf(region, this.chunk)) {
      const key = this.key(channel, index);
      const start = this.startOf(index);
      let entry = this.pending.get(key);
      if (!entry) {
        const covered = overlap(region, start, this.chunk) === voxelCount(this.chunk);
        entry = { channel, index, data: await this.load(key, covered), written: this.flushed.get(key) ?? 0 };
        this.pending.set(key, entry);
        this.pendingBytes += entry.data.byteLength;
      }
      copyBox(data, region.start, region.shape, entry.data, start, this.chunk);
      entry.written += overlap(region, start, this.chunk);
      if (entry.written >= voxelCount(this.partInside(start))) this.flush(key);
    }
    for (const key of this.pending.keys()) {
      if (this.pendingBytes <= PENDING_BYTES) break;
      this.flush(key);
    }
    // Bounded memory: wait while too many encoded chunks are on their way to disk.
    while (this.flushing.size > MAX_FLUSHING) await Promise.race(this.flushing.values());
  }

  /** Waits for everything in flight, so nothing is written after an abort removes the folder. */
  async settle(): Promise<void> {
    await this.queue;
    await Promise.all(this.flushing.values());
  }

  /** Stores what is still in memory; the sink has received every chunk when it resolves. */
  async finish(): Promise<void> {
    await this.queue;
    for (const key of [...this.pending.keys()]) this.flush(key);
    await Promise.all(this.flushing.values());
    this.spare.length = 0;
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure;
  }

  private key(channel: number, index: Vec3): string {
    return ['c', ...(this.channels === undefined ? [] : [channel]), ...index].join('/');
  }

  private startOf(index: Vec3): Vec3 {
    return [index[0] * this.chunk[0], index[1] * this.chunk[1], index[2] * this.chunk[2]];
  }

  /** The size of the chunk at `start` inside the volume (edge chunks are cut). */
  private partInside(start: Vec3): Vec3 {
    return start.map((s, a) => Math.min(this.chunk[a]!, this.shape[a]! - s)) as Vec3;
  }

  /**
   * A chunk's data: zeros (the fill value) until it is stored, what is on disk after that; any
   * buffer at all when the write about to fill it `covers` all of it.
   */
  private async load(key: string, covers: boolean): Promise<TypedArray> {
    await this.flushing.get(key);
    const spare = this.spare.pop();
    const data = spare ?? allocate(this.dtype, voxelCount(this.chunk));
    if (covers) return data;
    if (!this.flushed.has(key)) return spare ? spare.fill(0) : data;
    const file = join(this.folder, key);
    const bytes = await this.codec.decode(await readFile(file));
    if (bytes.length !== data.byteLength)
      throw fileProblem(file, `decoded ${bytes.length} bytes, expected ${data.byteLength}`);
    bytesOf(data).set(bytes);
    return data;
  }

  /** Takes a chunk out of memory, hands it to the sink and stores it in the background. */
  private flush(key: string): void {
    const entry = this.pending.get(key)!;
    this.pending.delete(key);
    this.pendingBytes -= entry.data.byteLength;
    const start = this.startOf(entry.index);
    const passed = this.sink?.(entry.channel, start, this.partInside(start), entry.data);
    const stored = Promise.all([this.store(key, entry), passed])
      .then(() => void this.spare.push(entry.data))
      .catch((error: unknown) => void (this.failure ??= error))
      .finally(() => this.flushing.delete(key));
    this.flushing.set(key, stored);
  }

  private async store(key: string, { data, written, channel, index }: PendingChunk): Promise<void> {
    const file = join(this.folder, key);
    // Chunks of fill value stay absent: readers return the fill value for them. The first one is
    // always stored, so a volume of zeros is told apart from one whose chunk files are missing.
    const first = channel === 0 && index.every((i) => i === 0);
    if (!first && data.every((v) => v === 0)) {
      if (this.flushed.delete(key)) await unlink(file);
      return;
    }
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    await writeFile(file, await this.codec.encode(bytesOf(data)));
    this.flushed.set(key, written);
  }
}

/** Voxels of the box (start, shape) inside `region`. */
function overlap(region: Region, start: Vec3, shape: Vec3): number {
  let n = 1;
  for (let a = 0; a < 3; a++)
    n *= Math.max(
      0,
      Math.min(region.start[a]! + region.shape[a]!, start[a]! + shape[a]!) - Math.max(region.start[a]!, start[a]!),
    );
  return n;
}

/** Default label colours (value 1, 2, …), distinct and readable on grey images. */
const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [255, 225, 25],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

class OmeZarrWriter implements VolumeWriter {
  private readonly chunk: Vec3;
  private readonly shapes: Vec3[];
  /** One writer per pyramid level, full resolution first; each feeds the next. */
  private readonly levels: ArrayWriter[];

  constructor(
    readonly path: string,
    readonly spec: VolumeSpec,
    private readonly temp: string,
  ) {
    this.chunk = (spec.chunkShape ?? DEFAULT_CHUNK).map((c, a) => Math.min(c, spec.shape[a]!)) as Vec3;
    this.shapes = pyramidShapes(spec.shape, this.chunk);
    const channels = (spec.channels ?? 1) > 1 ? spec.channels : undefined;
    const codec = chunkCodec(spec.compression ?? 'gzip', spec.dtype);
    // Built coarsest first, so each level can hand its chunks to the one below it in the list.
    const levels: ArrayWriter[] = [];
    for (let level = this.shapes.length - 1; level >= 0; level--) {
      const next = levels[0];
      const sink = next && this.downsampler(this.shapes[level]!, next);
      levels.unshift(
        new ArrayWriter(join(temp, String(level)), this.shapes[level]!, this.chunk, spec.dtype, channels, codec, sink),
      );
    }
    this.levels = levels;
  }

  async init(): Promise<void> {
    for (let a = 0; a < 3; a++)
      if (this.chunk[a]! % 2 === 1 && this.chunk[a]! < this.spec.shape[a]!)
        throw badInput(
          `${this.path}: chunk size ${this.chunk.join('×')} must be even along every axis the volume spans several chunks of (each pyramid level halves whole chunks)`,
        );
    for (const level of this.levels) await level.init();
  }

  async write(region: Region, data: TypedArray, channel = 0): Promise<void> {
    checkWrite(this.path, this.spec, region, data, channel);
    try {
      await this.levels[0]!.write(region, data, channel);
    } catch (error) {
      throw explainWrite(this.path, error);
    }
  }

  async commit({ signal, progress }: ProgressOptions = {}): Promise<void> {
    try {
      // Level by level: what one level still holds goes into the next before that one finishes.
      for (const [level, writer] of this.levels.entries()) {
        if (signal?.aborted) throw cancelled();
        progress?.(
          level,
          this.levels.length,
          level === 0 ? 'storing the last chunks' : `finishing pyramid level ${level}`,
        );
        await writer.finish();
      }
      progress?.(this.levels.length, this.levels.length, 'pyramid built');
      await writeFile(join(this.temp, 'zarr.json'), JSON.stringify(this.groupMetadata(this.shapes), null, 2));
      await publish(this.temp, this.path);
      await this.registerLabel();
    } catch (error) {
      await this.abort();
      throw signal?.aborted ? cancelled() : explainWrite(this.path, error);
    }
  }

  async abort(): Promise<void> {
    // In order: a level's chunks in flight may still write into the next one.
    for (const level of this.levels) await level.settle();
    await rm(this.temp, { recursive: true, force: true });
  }

  /**
   * Passes each chunk of a level of shape `from` to `next`, shrunk by 2 along every axis `next`
   * halves: the mean of each cell for images, its first voxel for labels. Chunks start on even
   * voxels (see `init`), so every cell lies in one chunk.
   */
  private downsampler(from: Vec3, next: ArrayWriter): ChunkSink {
    const factor = from.map((n, a) => (n > next.shape[a]! ? 2 : 1)) as Vec3;
    const labels = this.spec.kind === 'labels';
    return (channel, start, shape, data) => {
      let block = data;
      if (shape.some((n, a) => n !== this.chunk[a])) {
        // An edge chunk: its part inside the volume, packed.
        block = allocate(this.spec.dtype, voxelCount(shape));
        copyBox(data, [0, 0, 0], this.chunk, block, [0, 0, 0], shape);
      }
      const outShape = shape.map((n, a) => Math.ceil(n / factor[a]!)) as Vec3;
      const outStart = start.map((s, a) => s / factor[a]!) as Vec3;
      return next.write({ start: outStart, shape: outShape }, reduce(block, shape, outShape, factor, labels), channel);
    };
  }

  private groupMetadata(shapes: Vec3[]): object {
    const spec = this.spec;
    const hasC = (spec.channels ?? 1) > 1;
    const unit = spec.unit ? { unit: spec.unit } : {};
    const axes = [
      ...(hasC ? [{ name: 'c', type: 'channel' }] : []),
      ...['z', 'y', 'x'].map((name) => ({ name, type: 'space', ...unit })),
    ];
    const voxel = spec.voxelSize ?? [1, 1, 1];
    // Each level doubles the voxel pitch along every axis it halved.
    const factor: Vec3 = [1, 1, 1];
    const datasets = shapes.map((shape, level) => {
      if (level > 0) shapes[level - 1]!.forEach((n, a) => (factor[a] = factor[a]! * (n > shape[a]! ? 2 : 1)));
      return {
        path: String(level),
        coordinateTransformations: [
          { type: 'scale', scale: [...(hasC ? [1] : []), ...voxel.map((v, a) => v * factor[a]!)] },
        ],
      };
    });
    const ome: Record<string, unknown> = {
      version: '0.5',
      multiscales: [
        {
          name: basename(this.path).replace(/\.zarr$/i, ''),
          axes,
          datasets,
          type: spec.kind === 'labels' ? 'nearest' : 'mean',
        },
      ],
    };
    if (spec.channelNames) ome.omero = { channels: spec.channelNames.map((label) => ({ label, active: true })) };
    if (spec.kind === 'labels') {
      const colors =
        spec.labelColors?.map(({ value, rgba }) => ({ 'label-value': value, rgba })) ??
        PALETTE.map((rgb, i) => ({ 'label-value': i + 1, rgba: [...rgb, 255] }));
      ome['image-label'] = { colors, ...(this.insideImage() ? { source: { image: '../../' } } : {}) };
    }
    return { zarr_format: 3, node_type: 'group', attributes: { ome } };
  }

  /** A label image written to `image.zarr/labels/<name>` belongs to that image. */
  private insideImage(): boolean {
    return basename(dirname(this.path)) === 'labels' && /\.zarr$/i.test(dirname(dirname(this.path)));
  }

  /** Lists the label image in `labels/zarr.json`, as OME-Zarr readers expect. */
  private async registerLabel(): Promise<void> {
    if (this.spec.kind !== 'labels' || !this.insideImage()) return;
    const file = join(dirname(this.path), 'zarr.json');
    type LabelsGroup = { attributes?: { ome?: { version?: string; labels?: string[] } } };
    const group: LabelsGroup = (await exists(file))
      ? (JSON.parse(await readFile(file, 'utf8')) as LabelsGroup)
      : ({ zarr_format: 3, node_type: 'group', attributes: {} } as LabelsGroup);
    const ome = ((group.attributes ??= {}).ome ??= { version: '0.5' });
    ome.labels = [...new Set([...(ome.labels ?? []), basename(this.path)])];
    const temp = temporaryPath(file);
    await writeFile(temp, JSON.stringify(group, null, 2));
    await publish(temp, file);
  }
}

/** Shapes of the pyramid levels: halve each axis until the level fits in one chunk. */
export function pyramidShapes(shape: Vec3, chunk: Vec3): Vec3[] {
  const shapes = [shape];
  let last = shape;
  while (last.some((n, a) => n > chunk[a]!) && shapes.length < 12) {
    last = last.map((n) => (n > 1 ? Math.ceil(n / 2) : 1)) as Vec3;
    shapes.push(last);
  }
  return shapes;
}

/** Shrinks a block by `factor` per axis: the mean of each cell, or its first voxel for labels. */
export function reduce(input: TypedArray, inShape: Vec3, outShape: Vec3, factor: Vec3, pick: boolean): TypedArray {
  const out = allocate(dtypeOf(input), voxelCount(outShape));
  const [fz, fy, fx] = factor;
  const [iz, iy, ix] = inShape;
  const round = !(input instanceof Float32Array || input instanceof Float64Array);
  /** Where the input rows of one output row start: up to fz × fy of them. */
  const rows: number[] = [];
  let o = 0;
  for (let z = 0; z < outShape[0]; z++)
    for (let y = 0; y < outShape[1]; y++) {
      rows.length = 0;
      for (let dz = 0; dz < fz && z * fz + dz < iz; dz++)
        for (let dy = 0; dy < fy && y * fy + dy < iy; dy++) rows.push(((z * fz + dz) * iy + y * fy + dy) * ix);
      if (pick) {
        for (let x = 0, i = rows[0]!; x < outShape[2]; x++, i += fx) out[o++] = input[i]!;
        continue;
      }
      let x = 0;
      if (fx === 2 && rows.length === 4) {
        // Whole 2×2×2 cells, the common case, summed in the same order as below.
        const [r0, r1, r2, r3] = rows as [number, number, number, number];
        for (const whole = ix >> 1; x < whole; x++, o++) {
          const i = 2 * x;
          const mean =
            (input[r0 + i]! +
              input[r0 + i + 1]! +
              input[r1 + i]! +
              input[r1 + i + 1]! +
              input[r2 + i]! +
              input[r2 + i + 1]! +
              input[r3 + i]! +
              input[r3 + i + 1]!) /
            8;
          out[o] = round ? Math.round(mean) : mean;
        }
      }
      for (; x < outShape[2]; x++, o++) {
        const x0 = x * fx;
        const nx = Math.min(fx, ix - x0);
        let sum = 0;
        for (const r of rows) for (let dx = 0; dx < nx; dx++) sum += input[r + x0 + dx]!;
        const mean = sum / (rows.length * nx);
        out[o] = round ? Math.round(mean) : mean;
      }
    }
  return out;
}

export async function createOmeZarr(path: string, spec: VolumeSpec): Promise<VolumeWriter> {
  checkSpec(path, spec);
  await refuseExisting(path, spec.force);
  const temp = temporaryPath(path);
  const writer = new OmeZarrWriter(path, spec, temp);
  try {
    // Not recursive first: on a read-only file system a recursive mkdir reports ENOENT, not EROFS.
    await mkdir(temp).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      return mkdir(temp, { recursive: true });
    });
    await writer.init();
  } catch (error) {
    await writer.abort();
    throw explainWrite(path, error, 'cannot be created');
  }
  return writer;
}
