// One Zarr v3 array written chunk by chunk as regions arrive, in any order: partly written chunks
// wait in memory (up to a budget, then are flushed and re-read when written again), full ones are
// encoded and stored at once and handed to the next pyramid level (`ChunkSink`).
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Dtype, type Region, type TypedArray, type Vec3, allocate, voxelCount } from '../../../shared/volume';
import { bytesOf } from '../bytes';
import { chunksOf, copyBox } from '../chunked';
import { fileProblem } from '../errors';
import { type ChunkCodec } from './codecs';

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
