// Chunk compression. gzip and zlib use Node's native zlib, which runs off the main thread and
// decodes several times faster than a WASM or stream build; blosc and zstd come from numcodecs.
// The native ones are also registered with zarrita, so every Zarr we read benefits.
import { promisify } from 'node:util';
import { type ZlibOptions, constants, deflate, gunzip, gzip, inflate } from 'node:zlib';
import Blosc from 'numcodecs/blosc';
import Zstd from 'numcodecs/zstd';
import { registry } from 'zarrita';
import { type Dtype, bytesPerElement } from '../../../shared/volume';

type Transform = (data: Uint8Array, options?: ZlibOptions) => Promise<Buffer>;
const [gzipAsync, gunzipAsync, deflateAsync, inflateAsync] = [gzip, gunzip, deflate, inflate].map(
  (f) => promisify(f) as Transform,
) as [Transform, Transform, Transform, Transform];

/**
 * Encoding in one step: an output buffer that holds the whole result, filled by one call that
 * also ends the stream. Node's defaults (16 KiB pieces, the end a call of its own) make a chunk
 * take dozens of trips between the thread pool and the main thread, and a copy to join the
 * pieces. Deflate adds a few bytes per 16 KiB block to data it cannot shrink.
 */
const oneStep = (bytes: number): ZlibOptions => ({
  chunkSize: Math.max(constants.Z_DEFAULT_CHUNK, bytes + (bytes >> 10) + 1024),
  flush: constants.Z_FINISH,
});

/** The bytes as a plain Uint8Array, without copying them (a chunk's worth: never in Node's shared pool). */
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function nativeCodec(encode: Transform, decode: Transform) {
  return class {
    readonly kind = 'bytes_to_bytes';
    constructor(
      private readonly level = 6,
      private readonly strategy: number = constants.Z_DEFAULT_STRATEGY,
      /** zlib's memory for its work: 9 (of 1–9) halves how often it builds Huffman codes. */
      private readonly memLevel = 8,
    ) {}
    static fromConfig(config: { level?: number } = {}) {
      return new this(config.level);
    }
    async encode(bytes: Uint8Array): Promise<Uint8Array> {
      const { level, strategy, memLevel } = this;
      return view(await encode(bytes, { level, strategy, memLevel, ...oneStep(bytes.length) }));
    }
    async decode(bytes: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await decode(bytes));
    }
  };
}

const NativeGzip = nativeCodec(gzipAsync, gunzipAsync);
const NativeZlib = nativeCodec(deflateAsync, inflateAsync);
for (const [name, codec] of [
  ['gzip', NativeGzip],
  ['zlib', NativeZlib],
  ['numcodecs.gzip', NativeGzip],
  ['numcodecs.zlib', NativeZlib],
] as const)
  registry.set(name, () => codec as never);

export type Compression = 'blosc' | 'zstd' | 'gzip' | 'none';

/** Encodes the bytes of one chunk and describes itself for zarr.json. */
export interface ChunkCodec {
  metadata: { name: string; configuration: Record<string, unknown> }[];
  encode(bytes: Uint8Array): Promise<Uint8Array>;
  decode(bytes: Uint8Array): Promise<Uint8Array>;
}

export function chunkCodec(compression: Compression, dtype: Dtype): ChunkCodec {
  const bytesCodec = { name: 'bytes', configuration: { endian: 'little' } };
  switch (compression) {
    case 'none':
      return { metadata: [bytesCodec], encode: async (b) => b, decode: async (b) => b };
    case 'gzip': {
      // Run-length matches only: three times faster than the default search on tomograms, whose
      // noise leaves little for longer matches to find (chunks about 5% larger), and smaller on
      // labels. Neither this nor memLevel changes the format: every gzip reader decodes it.
      const codec = new NativeGzip(1, constants.Z_RLE, 9);
      return {
        metadata: [bytesCodec, { name: 'gzip', configuration: { level: 1 } }],
        encode: (b) => codec.encode(b),
        decode: (b) => codec.decode(b),
      };
    }
    case 'zstd': {
      const codec = Zstd.fromConfig({ id: 'zstd', level: 3 });
      return {
        metadata: [bytesCodec, { name: 'zstd', configuration: { level: 3, checksum: false } }],
        encode: async (b) => codec.encode(b),
        decode: async (b) => codec.decode(b),
      };
    }
    case 'blosc': {
      const typesize = bytesPerElement(dtype);
      const shuffle = typesize > 1 ? 1 : 0;
      const codec = Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle, blocksize: 0 });
      return {
        metadata: [
          bytesCodec,
          {
            name: 'blosc',
            configuration: {
              cname: 'lz4',
              clevel: 5,
              shuffle: shuffle ? 'shuffle' : 'noshuffle',
              typesize,
              blocksize: 0,
            },
          },
        ],
        encode: async (b) => codec.encode(b),
        decode: async (b) => codec.decode(b),
      };
    }
  }
}
