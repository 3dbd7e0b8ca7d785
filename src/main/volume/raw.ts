// Raw binary volumes: the caller says the shape, dtype, byte order and header size; the data is
// read in place, chunk by chunk, with positional reads.
import { type FileHandle, open } from 'node:fs/promises';
import { type Dtype, type Vec3, allocate, bytesPerElement } from '../../shared/volume';
import { bytesOf, swapBytes } from './bytes';
import type { Chunk, ChunkCache } from './cache';
import { ChunkedVolume } from './chunked';
import { explain, fileProblem } from './errors';

export interface RawLayout {
  shape: Vec3;
  dtype: Dtype;
  /** Byte order of the file; little-endian by default. */
  littleEndian?: boolean;
  /** Bytes to skip before the first voxel. */
  offset?: number;
  voxelSize?: Vec3;
  unit?: string;
}

/** Voxels per chunk: about 1 MiB of rows, so any slice reads little beyond what it needs. */
const CHUNK_BYTES = 1024 * 1024;

class RawVolume extends ChunkedVolume {
  readonly format = 'raw';
  readonly shape: Vec3;
  readonly dtype: Dtype;
  readonly voxelSize: Vec3;
  readonly unit: string;
  readonly chunkShape: Vec3;

  constructor(
    path: string,
    private readonly fh: FileHandle,
    private readonly layout: RawLayout,
    cache?: ChunkCache,
  ) {
    super(path, cache);
    this.shape = layout.shape;
    this.dtype = layout.dtype;
    this.voxelSize = layout.voxelSize ?? [1, 1, 1];
    this.unit = layout.unit ?? '';
    const rowBytes = this.shape[2] * bytesPerElement(this.dtype);
    this.chunkShape = [1, Math.max(1, Math.min(this.shape[1], Math.floor(CHUNK_BYTES / rowBytes))), this.shape[2]];
  }

  protected async loadChunk([z, by]: Vec3): Promise<Chunk> {
    const rows = Math.min(this.chunkShape[1], this.shape[1] - by * this.chunkShape[1]);
    const data = allocate(this.dtype, rows * this.shape[2]);
    await this.readRows(z, 1, by * this.chunkShape[1], rows, bytesOf(data));
    return { data, shape: [1, rows, this.shape[2]] };
  }

  /** Whole slices are back to back in the file: one read; otherwise one per slice. */
  protected override async readRows(z: number, depth: number, y: number, rows: number, out: Buffer): Promise<void> {
    const rowBytes = this.shape[2] * bytesPerElement(this.dtype);
    const whole = rows === this.shape[1];
    for (let k = 0; k < (whole ? 1 : depth); k++) {
      const length = (whole ? depth : 1) * rows * rowBytes;
      const start = (this.layout.offset ?? 0) + ((z + k) * this.shape[1] + y) * rowBytes;
      const { bytesRead } = await this.fh.read(out, k * length, length, start);
      if (bytesRead < length)
        throw fileProblem(this.path, `truncated file: slice ${z + k} rows from ${y} end past the end of the file`);
    }
    if (this.layout.littleEndian === false) swapBytes(out, bytesPerElement(this.dtype));
  }

  override async close(): Promise<void> {
    await super.close();
    await this.fh.close();
  }
}

export async function openRaw(path: string, layout: RawLayout, cache?: ChunkCache): Promise<RawVolume> {
  if (!layout.shape.every((n) => Number.isInteger(n) && n > 0))
    throw fileProblem(path, `raw shape ${layout.shape.join('×')} must be positive integers`);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    throw explain(path, error);
  }
  const size = (await fh.stat()).size;
  const needed =
    (layout.offset ?? 0) + layout.shape[0] * layout.shape[1] * layout.shape[2] * bytesPerElement(layout.dtype);
  if (size < needed) {
    await fh.close();
    throw fileProblem(
      path,
      `truncated file: a ${layout.shape.join('×')} ${layout.dtype} volume after ${layout.offset ?? 0} header bytes needs ${needed} bytes but the file has ${size}`,
    );
  }
  return new RawVolume(path, fh, layout, cache);
}
