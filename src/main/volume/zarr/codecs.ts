// Chunk compression. gzip and zlib use Node's native zlib, which runs off the main thread and
// decodes several times faster than a WASM or stream build; blosc and zstd come from numcodecs,
// decoded through checks of every size (see blosc.ts, zstd.ts). All are registered with zarrita,
// so every Zarr we read benefits, and none inflates a chunk past the size a chunk can have.
import { promisify } from 'node:util';
import { type ZlibOptions, constants, deflate, gunzip, gzip, inflate } from 'node:zlib';
import Blosc from 'numcodecs/blosc';
import Zstd from 'numcodecs/zstd';
import { registry } from 'zarrita';
import { type Dtype, bytesPerElement } from '../../../shared/volume';
import { type BloscSettings, decodeBlosc } from './blosc';
import { CorruptData } from './corrupt';
import { decodeZstd } from './zstd';

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

/** What zarrita tells a codec about the chunks it decodes. */
interface ChunkMeta {
  shape?: number[];
  dataType?: string;
}

/** Bytes of one decoded chunk, where its data type has a fixed size. */
function chunkBytes(meta: ChunkMeta | undefined): number | undefined {
  const bits = /^u?int(\d+)$|^float(\d+)$/.exec(meta?.dataType ?? '');
  if (!bits || !meta?.shape) return undefined;
  return meta.shape.reduce((a, b) => a * b, Number(bits[1] ?? bits[2]) / 8);
}

/**
 * Most bytes one step of decoding may produce: a chunk, and some room for the codecs that may
 * follow (a checksum, a second compressor). The chunk's exact size is checked after the last.
 */
const decodeLimit = (bytes: number | undefined): number =>
  bytes === undefined ? Infinity : bytes + (bytes >> 6) + 4096;

function nativeCodec(encode: Transform, decode: Transform) {
  return class {
    readonly kind = 'bytes_to_bytes';
    constructor(
      private readonly level = 6,
      private readonly strategy: number = constants.Z_DEFAULT_STRATEGY,
      /** zlib's memory for its work: 9 (of 1–9) halves how often it builds Huffman codes. */
      private readonly memLevel = 8,
      /** Bytes of a decoded chunk, where known. */
      private readonly chunkBytes?: number,
    ) {}
    static fromConfig(config: { level?: number } = {}, meta?: ChunkMeta) {
      return new this(config.level, undefined, undefined, chunkBytes(meta));
    }
    async encode(bytes: Uint8Array): Promise<Uint8Array> {
      const { level, strategy, memLevel } = this;
      return view(await encode(bytes, { level, strategy, memLevel, ...oneStep(bytes.length) }));
    }
    async decode(bytes: Uint8Array): Promise<Uint8Array> {
      // zlib stops as soon as the output passes the limit: a small chunk of zeros can inflate to gigabytes.
      const limit = decodeLimit(this.chunkBytes);
      try {
        return new Uint8Array(await decode(bytes, limit < Infinity ? { maxOutputLength: limit } : {}));
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          throw new CorruptData(`inflates to more than ${limit} bytes (a chunk holds ${this.chunkBytes})`);
        throw error;
      }
    }
  };
}

type NumcodecsCodec = ReturnType<typeof Blosc.fromConfig>;

/** numcodecs' Blosc, decoded through the checks of blosc.ts. */
class CheckedBlosc {
  readonly kind = 'bytes_to_bytes';
  constructor(
    private readonly codec: NumcodecsCodec,
    private readonly limit: number,
    private readonly settings: BloscSettings,
  ) {}
  static fromConfig(config: Parameters<typeof Blosc.fromConfig>[0], meta?: ChunkMeta) {
    const typesize = chunkBytes({ ...meta, shape: [1] });
    return new CheckedBlosc(Blosc.fromConfig(config), decodeLimit(chunkBytes(meta)), { ...config, typesize });
  }
  async encode(bytes: Uint8Array): Promise<Uint8Array> {
    return this.codec.encode(bytes);
  }
  decode(bytes: Uint8Array): Promise<Uint8Array> {
    return decodeBlosc(bytes, this.limit, this.settings);
  }
}

/** numcodecs' Zstd, decoded through the checks of zstd.ts. */
class CheckedZstd {
  readonly kind = 'bytes_to_bytes';
  constructor(
    private readonly codec: NumcodecsCodec,
    private readonly limit: number,
  ) {}
  static fromConfig(config: Parameters<typeof Zstd.fromConfig>[0], meta?: ChunkMeta) {
    return new CheckedZstd(Zstd.fromConfig(config), decodeLimit(chunkBytes(meta)));
  }
  async encode(bytes: Uint8Array): Promise<Uint8Array> {
    return this.codec.encode(bytes);
  }
  decode(bytes: Uint8Array): Promise<Uint8Array> {
    return decodeZstd(bytes, this.limit);
  }
}

const NativeGzip = nativeCodec(gzipAsync, gunzipAsync);
const NativeZlib = nativeCodec(deflateAsync, inflateAsync);
for (const [name, codec] of [
  ['gzip', NativeGzip],
  ['zlib', NativeZlib],
  ['numcodecs.gzip', NativeGzip],
  ['numcodecs.zlib', NativeZlib],
  ['blosc', CheckedBlosc],
  ['numcodecs.blosc', CheckedBlosc],
  ['zstd', CheckedZstd],
  ['numcodecs.zstd', CheckedZstd],
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
        decode: (b) => decodeZstd(b, Infinity),
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
        decode: (b) => decodeBlosc(b, Infinity, { cname: 'lz4', shuffle, typesize }),
      };
    }
  }
}
