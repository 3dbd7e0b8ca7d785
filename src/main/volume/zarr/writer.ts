// Writes OME-Zarr 0.5 (Zarr v3): level 0 chunk by chunk as regions arrive, then a pyramid built
// from it block by block, then the group metadata; all under a temporary name renamed at the end.
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cancelled } from '../../../shared/errors';
import { type Dtype, type Region, type TypedArray, type Vec3, allocate, dtypeOf } from '../../../shared/volume';
import { bytesOf, typedView } from '../bytes';
import { ChunkCache } from '../cache';
import { chunksOf, copyBox } from '../chunked';
import { explain } from '../errors';
import { exists, publish, refuseExisting, temporaryPath } from '../output';
import { type Progress, type VolumeSpec, type VolumeWriter, checkSpec, checkWrite } from '../spec';
import { type ChunkCodec, chunkCodec } from './codecs';
import { openZarr } from './reader';

const DEFAULT_CHUNK: Vec3 = [64, 64, 64];
/** Partly written chunks kept in memory before they are flushed (and re-read if written again). */
const PENDING_BYTES = 128 * 1024 ** 2;
/** Chunks encoded and written at once. */
const MAX_FLUSHING = 16;

interface PendingChunk {
  data: TypedArray;
  /** Voxels written so far; the chunk is flushed when they cover its part of the volume. */
  written: number;
}

/** One Zarr v3 array: dimensions (c,) z, y, x; chunks one channel deep. */
class ArrayWriter {
  private readonly pending = new Map<string, PendingChunk>();
  private pendingBytes = 0;
  /** Chunks already on disk: a later write to one decodes it first. */
  private readonly flushed = new Set<string>();
  /** Chunks being encoded and written, in parallel (zlib runs on Node's thread pool). */
  private readonly flushing = new Map<string, Promise<void>>();
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
  write(region: Region, data: TypedArray, channel: number): Promise<void> {
    const run = this.queue.then(() => this.writeNow(region, data, channel));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(region: Region, data: TypedArray, channel: number): Promise<void> {
    this.throwFailure();
    for (const index of chunksOf(region, this.chunk)) {
      const key = this.key(channel, index);
      const start = index.map((i, a) => i * this.chunk[a]!) as Vec3;
      let entry = this.pending.get(key);
      if (!entry) {
        entry = { data: await this.load(key), written: 0 };
        this.pending.set(key, entry);
        this.pendingBytes += entry.data.byteLength;
      }
      copyBox(data, region.start, region.shape, entry.data, start, this.chunk);
      entry.written += overlap(region, start, this.chunk);
      if (entry.written >= overlap({ start: [0, 0, 0], shape: this.shape }, start, this.chunk)) this.flush(key);
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

  async finish(): Promise<void> {
    await this.queue;
    for (const key of [...this.pending.keys()]) this.flush(key);
    await Promise.all(this.flushing.values());
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure;
  }

  private key(channel: number, index: Vec3): string {
    return ['c', ...(this.channels === undefined ? [] : [channel]), ...index].join('/');
  }

  private async load(key: string): Promise<TypedArray> {
    await this.flushing.get(key);
    const size = this.chunk[0] * this.chunk[1] * this.chunk[2];
    if (!this.flushed.has(key)) return allocate(this.dtype, size);
    const bytes = await this.codec.decode(await readFile(join(this.folder, key)));
    return typedView(Buffer.from(bytes), this.dtype);
  }

  /** Takes a chunk out of memory and stores it in the background. */
  private flush(key: string): void {
    const entry = this.pending.get(key)!;
    this.pending.delete(key);
    this.pendingBytes -= entry.data.byteLength;
    const stored = this.store(key, entry.data)
      .catch((error: unknown) => void (this.failure ??= error))
      .finally(() => this.flushing.delete(key));
    this.flushing.set(key, stored);
  }

  private async store(key: string, data: TypedArray): Promise<void> {
    const file = join(this.folder, key);
    // Chunks of fill value stay absent: readers return the fill value for them.
    if (data.every((v) => v === 0)) {
      if (this.flushed.delete(key)) await unlink(file);
      return;
    }
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    await writeFile(file, await this.codec.encode(bytesOf(data)));
    this.flushed.add(key);
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
  private readonly level0: ArrayWriter;
  private readonly chunk: Vec3;
  /** Every array written so far, so an abort can wait for their writes before deleting. */
  private readonly arrays: ArrayWriter[] = [];

  constructor(
    readonly path: string,
    readonly spec: VolumeSpec,
    private readonly temp: string,
  ) {
    this.chunk = (spec.chunkShape ?? DEFAULT_CHUNK).map((c, a) => Math.min(c, spec.shape[a]!)) as Vec3;
    this.level0 = this.arrayWriter('0', spec.shape);
  }

  private arrayWriter(name: string, shape: Vec3): ArrayWriter {
    const channels = (this.spec.channels ?? 1) > 1 ? this.spec.channels : undefined;
    const writer = new ArrayWriter(
      join(this.temp, name),
      shape,
      this.chunk,
      this.spec.dtype,
      channels,
      chunkCodec(this.spec.compression ?? 'gzip', this.spec.dtype),
    );
    this.arrays.push(writer);
    return writer;
  }

  async init(): Promise<void> {
    await this.level0.init();
  }

  async write(region: Region, data: TypedArray, channel = 0): Promise<void> {
    checkWrite(this.path, this.spec, region, data, channel);
    await this.level0.write(region, data, channel);
  }

  async commit({ signal, progress }: Progress = {}): Promise<void> {
    try {
      await this.level0.finish();
      const shapes = pyramidShapes(this.spec.shape, this.chunk);
      for (let level = 1; level < shapes.length; level++) {
        if (signal?.aborted) throw cancelled();
        progress?.(level - 1, shapes.length - 1, `building pyramid level ${level}`);
        await this.downsample(level, shapes[level - 1]!, shapes[level]!, signal);
      }
      progress?.(shapes.length - 1, shapes.length - 1, 'pyramid built');
      await writeFile(join(this.temp, 'zarr.json'), JSON.stringify(this.groupMetadata(shapes), null, 2));
      await publish(this.temp, this.path);
      await this.registerLabel();
    } catch (error) {
      await this.abort();
      throw signal?.aborted ? cancelled() : explain(this.path, error, 'cannot be written');
    }
  }

  async abort(): Promise<void> {
    await Promise.all(this.arrays.map((array) => array.settle()));
    await rm(this.temp, { recursive: true, force: true });
  }

  /** Level `level` from the one above: 2×2×2 means for images, the top-left voxel for labels. */
  private async downsample(level: number, from: Vec3, to: Vec3, signal?: AbortSignal): Promise<void> {
    const writer = this.arrayWriter(String(level), to);
    await writer.init();
    const factor = from.map((n, a) => (n > to[a]! ? 2 : 1)) as Vec3;
    const cache = new ChunkCache(64 * 1024 ** 2);
    const labels = this.spec.kind === 'labels';
    for (let channel = 0; channel < (this.spec.channels ?? 1); channel++) {
      const source = await openZarr(join(this.temp, String(level - 1)), { channel, cache });
      const indices = chunksOf({ start: [0, 0, 0], shape: to }, this.chunk);
      // A few output chunks at a time, so their source chunks decode in parallel.
      for (let i = 0; i < indices.length; i += 8) {
        if (signal?.aborted) throw cancelled();
        await Promise.all(
          indices.slice(i, i + 8).map(async (index) => {
            const start = index.map((c, a) => c * this.chunk[a]!) as Vec3;
            const shape = start.map((s, a) => Math.min(this.chunk[a]!, to[a]! - s)) as Vec3;
            const inStart = start.map((s, a) => s * factor[a]!) as Vec3;
            const inShape = shape.map((n, a) => Math.min(n * factor[a]!, from[a]! - inStart[a]!)) as Vec3;
            const input = await source.read({ start: inStart, shape: inShape });
            await writer.write({ start, shape }, reduce(input, inShape, shape, factor, labels), channel);
          }),
        );
      }
      await source.close();
    }
    await writer.finish();
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
  const out = allocate(dtypeOf(input), outShape[0] * outShape[1] * outShape[2]);
  const [fz, fy, fx] = factor;
  const [iz, iy, ix] = inShape;
  const round = !(input instanceof Float32Array || input instanceof Float64Array);
  let o = 0;
  for (let z = 0; z < outShape[0]; z++)
    for (let y = 0; y < outShape[1]; y++)
      for (let x = 0; x < outShape[2]; x++, o++) {
        if (pick) {
          out[o] = input[(z * fz * iy + y * fy) * ix + x * fx]!;
          continue;
        }
        let sum = 0;
        let n = 0;
        for (let dz = 0; dz < fz && z * fz + dz < iz; dz++)
          for (let dy = 0; dy < fy && y * fy + dy < iy; dy++)
            for (let dx = 0; dx < fx && x * fx + dx < ix; dx++, n++)
              sum += input[((z * fz + dz) * iy + y * fy + dy) * ix + x * fx + dx]!;
        out[o] = round ? Math.round(sum / n) : sum / n;
      }
  return out;
}

export async function createOmeZarr(path: string, spec: VolumeSpec): Promise<VolumeWriter> {
  checkSpec(path, spec);
  await refuseExisting(path, spec.force);
  const temp = temporaryPath(path);
  const writer = new OmeZarrWriter(path, spec, temp);
  try {
    await writer.init();
  } catch (error) {
    await writer.abort();
    throw explain(path, error, 'cannot be created');
  }
  return writer;
}
