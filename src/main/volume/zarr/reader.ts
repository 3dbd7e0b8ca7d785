// Zarr v2/v3 arrays and OME-Zarr 0.4/0.5 multiscale images, read chunk by chunk through zarrita
// (codecs from numcodecs: blosc, zlib/gzip, zstd, lz4). A missing chunk reads as the fill value;
// metadata is checked before zarrita reads it, and an array with no chunk file at all is refused.
import { join } from 'node:path';
import FileSystemStore from '@zarrita/storage/fs';
import * as zarr from 'zarrita';
import { DTYPES, type Dtype, type TypedArray, type Vec3 } from '../../../shared/volume';
import type { Chunk, ChunkCache } from '../cache';
import { ChunkedVolume } from '../chunked';
import { explain, fileProblem, unsupported } from '../errors';
import type { LevelInfo } from '../volume';
import { checkChunkFiles } from './chunk-files';
import { refuseIncomplete } from './incomplete';
import './codecs'; // registers the native gzip/zlib and checked blosc/zstd codecs with zarrita
import { CorruptData } from './corrupt';
import { readArrayLayout } from './metadata';
import { type Multiscale, readMultiscale } from './ome';

interface ZarrOpenOptions {
  level?: number;
  channel?: number;
  cache?: ChunkCache;
}

type ZArray = zarr.Array<zarr.DataType, FileSystemStore>;

class ZarrVolume extends ChunkedVolume {
  readonly shape: Vec3;
  readonly dtype: Dtype;
  readonly chunkShape: Vec3;

  constructor(
    path: string,
    private readonly array: ZArray,
    /** Position of z, y, x in the array's dimensions, and the fixed index of every other one. */
    private readonly spatial: [number, number, number],
    private readonly fixed: number[],
    readonly voxelSize: Vec3,
    readonly unit: string,
    readonly format: string,
    readonly levels: LevelInfo[] | undefined,
    readonly channels: number,
    cache?: ChunkCache,
  ) {
    super(path, cache);
    this.shape = spatial.map((d) => array.shape[d]!) as Vec3;
    this.chunkShape = spatial.map((d) => array.chunks[d]!) as Vec3;
    this.dtype = array.dtype as Dtype;
  }

  protected async loadChunk(index: Vec3): Promise<Chunk> {
    const coords = this.fixed.map((i, d) => Math.floor(i / this.array.chunks[d]!));
    this.spatial.forEach((d, a) => (coords[d] = index[a]!));
    const name = `${this.path} chunk ${coords.join('/')}`;
    let chunk: zarr.Chunk<zarr.DataType>;
    try {
      chunk = await this.array.getChunk(coords);
    } catch (error) {
      if (error instanceof zarr.UnknownCodecError) throw unsupported(this.path, `chunk codec (${error.message})`);
      const cause = error instanceof zarr.CodecPipelineError ? error.cause : error;
      if (cause instanceof CorruptData) throw fileProblem(name, `corrupt chunk: ${cause.message}`);
      throw explain(name, error, 'corrupt chunk');
    }
    const data = chunk.data as TypedArray;
    const [z, y, x] = this.spatial;
    if (
      chunk.stride[x] !== 1 ||
      chunk.stride[y] !== this.chunkShape[2] ||
      chunk.stride[z] !== this.chunkShape[1] * this.chunkShape[2]
    )
      throw unsupported(this.path, 'chunks not in C order (Zarr order "F" or a transpose codec)');
    const expected = this.array.chunks.reduce((a, b) => a * b, 1);
    if (data.length !== expected)
      throw fileProblem(name, `corrupt chunk: decoded ${data.length} values, expected ${expected}`);
    // Pick this volume's channel (and other fixed indices) out of the chunk: z, y, x last in C order.
    let offset = 0;
    this.fixed.forEach((i, d) => {
      if (!this.spatial.includes(d)) offset += (i % this.array.chunks[d]!) * chunk.stride[d]!;
    });
    return {
      data: data.subarray(offset, offset + this.chunkShape[0] * this.chunkShape[1] * this.chunkShape[2]),
      shape: this.chunkShape,
    };
  }
}

export async function openZarr(path: string, options: ZarrOpenOptions = {}): Promise<ChunkedVolume> {
  const store = new FileSystemStore(path);
  // Our own checks first: zarrita, failing on a v2 array, reports that no v3 one is there.
  let folder = path;
  let layout = await readArrayLayout(folder);
  let node: ZArray | zarr.Group<FileSystemStore>;
  try {
    node = await zarr.open(store);
  } catch (error) {
    throw explain(path, error, 'is not a readable Zarr array or group (zarr.json/.zarray/.zgroup missing or invalid)');
  }
  // An output still being written in parts (`tomoseg predict --part`) is refused until complete.
  await refuseIncomplete(path, node.attrs);
  let array: ZArray;
  let multiscale: Multiscale | undefined;
  const level = options.level ?? 0;
  if (node instanceof zarr.Array) {
    array = node;
  } else {
    multiscale = readMultiscale(path, node.attrs);
    const dataset = multiscale.levels[level];
    if (!dataset)
      throw fileProblem(path, `level ${level} does not exist (the pyramid has ${multiscale.levels.length})`);
    folder = join(path, dataset.path);
    layout = await readArrayLayout(folder);
    try {
      array = await zarr.open(node.resolve(dataset.path), { kind: 'array' });
    } catch (error) {
      throw explain(`${path}/${dataset.path}`, error, 'level array cannot be opened');
    }
  }
  // zarrita found an array where we found no metadata of one (a consolidated store, say).
  if (!layout) throw fileProblem(folder, 'has no .zarray or zarr.json of its own');
  if (!(DTYPES as readonly string[]).includes(array.dtype)) throw unsupported(path, `data type ${array.dtype}`);
  const rank = array.shape.length;
  const names =
    multiscale?.axes.map((a) => a.name) ??
    array.dimensionNames?.map((n) => n ?? '') ??
    (rank >= 3 ? [...Array(rank - 3).fill(''), 'z', 'y', 'x'] : []);
  if (rank < 3 || names.length !== rank)
    throw fileProblem(path, `array has ${rank} dimensions; a volume needs z, y, x (and optionally c, t)`);
  const spatial = (['z', 'y', 'x'] as const).map((n) => names.indexOf(n)) as [number, number, number];
  if (spatial.includes(-1)) throw fileProblem(path, `axes ${names.join(',')} lack one of z, y, x`);
  const cAxis = names.indexOf('c');
  const channels = cAxis >= 0 ? array.shape[cAxis]! : 1;
  const channel = options.channel ?? 0;
  if (channel < 0 || channel >= channels)
    throw fileProblem(path, `channel ${channel} does not exist (the image has ${channels})`);
  const fixed = names.map((_, d) => (d === cAxis ? channel : 0));
  const first = spatial[0];
  if (names.slice(first).some((n, i) => !['z', 'y', 'x'][i] || n !== ['z', 'y', 'x'][i]))
    throw unsupported(path, `axis order ${names.join(',')} (z, y, x must come last)`);
  const version = (await store.get('/zarr.json')) ? 'v3' : 'v2';
  const format = multiscale ? `OME-Zarr ${multiscale.version}` : `Zarr ${version}`;
  const scale = multiscale?.levels[level]?.scale;
  const voxelSize = (scale ? spatial.map((d) => scale[d] ?? 1) : [1, 1, 1]) as Vec3;
  const unit = multiscale?.axes[spatial[2]]?.unit ?? '';
  const group = node;
  const levels =
    multiscale &&
    (await Promise.all(
      multiscale.levels.map(async (l, i) => {
        const levelArray =
          i === level
            ? array
            : await zarr.open(group.resolve(l.path), { kind: 'array' }).catch((e: unknown) => {
                throw explain(`${path}/${l.path}`, e, 'level array cannot be opened');
              });
        return {
          path: l.path,
          shape: spatial.map((d) => levelArray.shape[d]!) as Vec3,
          voxelSize: spatial.map((d) => l.scale[d] ?? 1) as Vec3,
        };
      }),
    ));
  await checkChunkFiles(folder, layout);
  return new ZarrVolume(path, array, spatial, fixed, voxelSize, unit, format, levels, channels, options.cache);
}
