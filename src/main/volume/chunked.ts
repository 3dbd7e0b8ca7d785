import {
  type Dtype,
  type Region,
  type TypedArray,
  type Vec3,
  allocate,
  bytesPerElement,
  dtypeOf,
  voxelCount,
} from '../../shared/volume';
import { badInput } from '../../shared/errors';
import { bytesOf, typedView } from './bytes';
import { type Chunk, type ChunkCache, sharedCache } from './cache';
import { fileProblem } from './errors';
import type { Volume, VolumeMeta } from './volume';

let nextVolumeKey = 0;
/** Chunk loads in flight per read: enough to overlap disk and decoding, few enough to bound memory. */
const PARALLEL_LOADS = 8;
/** Bytes one run of neighbouring chunks may span (see `loadRun`). */
const RUN_BYTES = 4 * 1024 ** 2;
/**
 * Reads of whole rows this large are passes over the volume (import, statistics, blockwise work),
 * not browsing: formats stored row after row serve them straight from the file into the result,
 * so they neither pay for the chunk cache nor evict the slices being browsed.
 */
const DIRECT_READ_BYTES = 2 * 1024 ** 2;
/** Bytes one direct read request may span: large enough that the system call overhead vanishes. */
const DIRECT_PIECE_BYTES = 8 * 1024 ** 2;

/**
 * A volume stored as a grid of chunks. Subclasses decode one chunk; this class serves any region
 * from the shared LRU cache, so a slice across the storage order reads each chunk once and
 * neighbouring slices reuse it.
 */
export abstract class ChunkedVolume implements Volume {
  abstract readonly shape: Vec3;
  abstract readonly dtype: Dtype;
  abstract readonly voxelSize: Vec3;
  abstract readonly unit: string;
  abstract readonly chunkShape: Vec3;
  abstract readonly format: string;
  private readonly key = `v${nextVolumeKey++}:`;

  constructor(
    readonly path: string,
    protected readonly cache: ChunkCache = sharedCache,
  ) {}

  /** Decodes the chunk at grid position `index` (z, y, x). */
  protected abstract loadChunk(index: Vec3): Promise<Chunk>;

  /**
   * Optional: decodes `count` chunks that follow `first` along y, in one go. Formats stored row
   * after row (uncompressed TIFF, raw) serve them with one read instead of one read per chunk.
   */
  protected loadRun?(first: Vec3, count: number): Promise<Chunk[]>;

  /**
   * Optional: reads whole rows `y` to `y + rows` of slices `z` to `z + depth` into `out` (C order,
   * the machine's byte order). Formats stored row after row (uncompressed TIFF, raw) serve large
   * reads with it, in as few system calls as the file layout allows.
   */
  protected readRows?(z: number, depth: number, y: number, rows: number, out: Buffer): Promise<void>;

  async read(region: Region, into?: TypedArray): Promise<TypedArray> {
    checkRegion(this, region);
    const count = voxelCount(region.shape);
    if (into && (into.length !== count || dtypeOf(into) !== this.dtype))
      throw badInput(
        `${this.path}: a ${region.shape.join('×')} ${this.dtype} region does not fit ${into.length} ${dtypeOf(into)} values`,
      );
    if (this.readRows && region.shape[2] === this.shape[2] && count * bytesPerElement(this.dtype) >= DIRECT_READ_BYTES)
      return this.readDirect(region, into);
    const out = into ?? allocate(this.dtype, count);
    const runs = this.loadRun
      ? runsAlongY(chunksOf(region, this.chunkShape), this.maxRun())
      : chunksOf(region, this.chunkShape).map((i) => [i]);
    // A few loads in flight at once: each worker takes the next run as soon as it is done.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const run = runs[next++]!;
        const keys = run.map((index) => this.key + index.join(','));
        const chunks =
          run.length === 1
            ? [await this.cache.get(keys[0]!, () => this.loadChunk(run[0]!))]
            : await this.cache.getRun(keys, () => this.loadRun!(run[0]!, run.length));
        chunks.forEach((chunk, k) =>
          copyBox(chunk.data, mul(run[k]!, this.chunkShape), chunk.shape, out, region.start, region.shape),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_LOADS, runs.length) }, worker));
    return out;
  }

  async close(): Promise<void> {
    this.cache.drop(this.key);
  }

  /** Whole rows, so each slice of the region is one contiguous piece of the result. */
  private async readDirect({ start, shape }: Region, into?: TypedArray): Promise<TypedArray> {
    // Not zeroed: the reads fill every byte or throw. Zeroing and faulting in fresh zeroed pages
    // cost as much as the reads themselves.
    const bytes = into ? bytesOf(into) : Buffer.allocUnsafeSlow(voxelCount(shape) * bytesPerElement(this.dtype));
    const sliceBytes = bytes.length / shape[0];
    const depth = Math.max(1, Math.floor(DIRECT_PIECE_BYTES / sliceBytes));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < shape[0]) {
        const k = next;
        const n = Math.min(depth, shape[0] - k);
        next += n;
        const out = bytes.subarray(k * sliceBytes, (k + n) * sliceBytes);
        await this.readRows!(start[0] + k, n, start[1], shape[1], out);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_LOADS, Math.ceil(shape[0] / depth)) }, worker));
    return into ?? typedView(bytes, this.dtype);
  }

  /** Chunks per run: about RUN_BYTES, so runs in flight stay within a bounded amount of memory. */
  private maxRun(): number {
    const chunkBytes = this.chunkShape[0] * this.chunkShape[1] * this.chunkShape[2] * bytesPerElement(this.dtype);
    return Math.max(1, Math.floor(RUN_BYTES / chunkBytes));
  }
}

/** Splits chunk positions (in storage order) into runs of neighbours along y, at most `max` long. */
function runsAlongY(indices: Vec3[], max: number): Vec3[][] {
  const runs: Vec3[][] = [];
  for (const index of indices) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && run.length < max && last[0] === index[0] && last[2] === index[2] && last[1] + 1 === index[1])
      run.push(index);
    else runs.push([index]);
  }
  return runs;
}

/**
 * Refuses a shape whose bytes could not be addressed exactly, let alone stored: an absurd header
 * (a damaged file, 10⁹³ voxels) is stopped at open, before anything is listed or allocated by it.
 */
export function checkVolumeSize(path: string, shape: readonly number[], bytesPerVoxel: number): void {
  const voxels = shape.reduce((a, b) => a * b, 1);
  // Exact where a number can say it, else rounded (a product of large shapes is not exact).
  const count = voxels < 1e21 ? String(voxels) : String(Number(voxels.toPrecision(6)));
  if (voxels * bytesPerVoxel > Number.MAX_SAFE_INTEGER)
    throw fileProblem(
      path,
      `shape ${shape.join('×')} is too large: ${count} voxels of ${bytesPerVoxel} byte${bytesPerVoxel === 1 ? '' : 's'}, more than the ${Number.MAX_SAFE_INTEGER} bytes a volume can address`,
    );
}

export function checkRegion(volume: VolumeMeta & { path: string }, region: Region): void {
  for (let a = 0; a < 3; a++) {
    const start = region.start[a]!;
    const size = region.shape[a]!;
    if (!Number.isInteger(start) || !Number.isInteger(size) || start < 0 || size < 1 || start + size > volume.shape[a]!)
      throw fileProblem(
        volume.path,
        `region start ${region.start.join(',')} shape ${region.shape.join(',')} is outside the volume ${volume.shape.join('×')}`,
      );
  }
}

const mul = (a: Vec3, b: Vec3): Vec3 => [a[0] * b[0], a[1] * b[1], a[2] * b[2]];

/** Grid positions of the chunks a region touches, in storage order. */
export function chunksOf(region: Region, chunkShape: Vec3): Vec3[] {
  const lo = region.start.map((s, a) => Math.floor(s / chunkShape[a]!));
  const hi = region.start.map((s, a) => Math.floor((s + region.shape[a]! - 1) / chunkShape[a]!));
  const result: Vec3[] = [];
  for (let z = lo[0]!; z <= hi[0]!; z++)
    for (let y = lo[1]!; y <= hi[1]!; y++) for (let x = lo[2]!; x <= hi[2]!; x++) result.push([z, y, x]);
  return result;
}

/**
 * Copies the part of a C-order block (`src` laid out as `srcShape`, its first voxel at `srcStart`)
 * that overlaps `dstRegion` into `dst` (laid out as dstRegion.shape). Both directions use it.
 */
export function copyBox(
  src: TypedArray,
  srcStart: Vec3,
  srcShape: Vec3,
  dst: TypedArray,
  dstStart: Vec3,
  dstShape: Vec3,
): void {
  const lo = [0, 1, 2].map((a) => Math.max(srcStart[a]!, dstStart[a]!));
  const hi = [0, 1, 2].map((a) => Math.min(srcStart[a]! + srcShape[a]!, dstStart[a]! + dstShape[a]!));
  if (lo.some((l, a) => l >= hi[a]!)) return;
  let nx = hi[2]! - lo[2]!;
  let yEnd = hi[1]!;
  // Whole rows in both are back to back: copy each z-plane's rows in one go.
  if (nx === srcShape[2] && nx === dstShape[2]) {
    nx *= yEnd - lo[1]!;
    yEnd = lo[1]! + 1;
  }
  for (let z = lo[0]!; z < hi[0]!; z++) {
    for (let y = lo[1]!; y < yEnd; y++) {
      const s = ((z - srcStart[0]) * srcShape[1] + (y - srcStart[1])) * srcShape[2] + (lo[2]! - srcStart[2]);
      const d = ((z - dstStart[0]) * dstShape[1] + (y - dstStart[1])) * dstShape[2] + (lo[2]! - dstStart[2]);
      if (nx < 16) for (let x = 0; x < nx; x++) dst[d + x] = src[s + x]!;
      else dst.set(src.subarray(s, s + nx), d);
    }
  }
}
