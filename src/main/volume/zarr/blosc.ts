// Blosc 1 chunks, decoded with every size in them checked. numcodecs' WebAssembly build ignores
// the decompressor's status: a truncated or damaged chunk "decodes" to whatever was in memory.
// Here the header, the block table and each stream must add up exactly, and LZ4, zlib and
// Zstandard streams are decoded strictly (to exactly their size, using all their bytes). Blosc 1
// has no checksum: a flipped byte inside literal data, or inside a stream stored uncompressed,
// cannot be told from data by any reader. Bit-shuffled, BloscLZ and Snappy chunks are decoded by
// numcodecs once their layout has been checked.
import { inflateSync } from 'node:zlib';
import Blosc from 'numcodecs/blosc';
import { CorruptData } from './corrupt';
import { decodeZstd } from './zstd';

const HEADER = 16;
const BYTE_SHUFFLE = 0x01;
const MEMCPYED = 0x02;
const BIT_SHUFFLE = 0x04;
/** No Blosc 1 writer sets it (Blosc 2 marks its delta filter with it). */
const UNKNOWN_FLAG = 0x08;
const NO_SPLIT = 0x10;
const COMPRESSORS = ['BloscLZ', 'LZ4', 'Snappy', 'zlib', 'Zstandard'];
/** Blosc splits a block into one stream per byte of the element when elements are small and blocks large. */
const MAX_SPLITS = 16;
const MIN_BUFFERSIZE = 128;

const wasm = Blosc.fromConfig({ id: 'blosc' });

/** The codec's settings in the array's metadata (v2 numbers or v3 names), which every chunk header repeats. */
export interface BloscSettings {
  cname?: unknown;
  shuffle?: unknown;
  /** Bytes per element of the array's data type. */
  typesize?: number;
}
const COMPRESSOR_CODES: Record<string, number> = { blosclz: 0, lz4: 1, lz4hc: 1, snappy: 2, zlib: 3, zstd: 4 };
const SHUFFLE_FLAGS: Record<string, number> = {
  0: 0,
  1: BYTE_SHUFFLE,
  2: BIT_SHUFFLE,
  noshuffle: 0,
  shuffle: BYTE_SHUFFLE,
  bitshuffle: BIT_SHUFFLE,
};

/**
 * Decodes a Blosc chunk of at most `limit` bytes; throws CorruptData for anything that does not
 * add up, or that differs from the array's `settings` (the header's flags have no other check).
 */
export async function decodeBlosc(
  src: Uint8Array,
  limit = Infinity,
  settings: BloscSettings = {},
): Promise<Uint8Array> {
  if (src.length < HEADER) throw new CorruptData(`Blosc data is ${src.length} bytes, less than its header`);
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const [version, , flags, typesize] = [src[0]!, src[1]!, src[2]!, src[3]!];
  const nbytes = view.getUint32(4, true);
  const blocksize = view.getUint32(8, true);
  const cbytes = view.getUint32(12, true);
  if (cbytes !== src.length) throw new CorruptData(`Blosc data is ${src.length} bytes but its header says ${cbytes}`);
  if (version < 1 || version > 2) throw new CorruptData(`Blosc format version ${version} is unknown`);
  if (nbytes > limit) throw new CorruptData(`Blosc header says ${nbytes} bytes, more than the ${limit} a chunk holds`);
  const code = COMPRESSOR_CODES[String(settings.cname)];
  if (code !== undefined && flags >> 5 !== code)
    throw new CorruptData(
      `Blosc header names ${COMPRESSORS[flags >> 5] ?? 'an unknown compressor'}, not the ${String(settings.cname)} of the array's metadata`,
    );
  // Writers that hand Blosc plain bytes say 1, and numcodecs' JavaScript build (our writer among
  // others) says 4, whatever the data type.
  if (settings.typesize !== undefined && typesize !== settings.typesize && typesize !== 1 && typesize !== 4)
    throw new CorruptData(
      `Blosc header says ${typesize}-byte elements, not the ${settings.typesize} of the array's data type`,
    );
  const shuffle = SHUFFLE_FLAGS[String(settings.shuffle)];
  if (shuffle !== undefined && (flags & (BYTE_SHUFFLE | BIT_SHUFFLE)) !== shuffle)
    throw new CorruptData(
      `Blosc header's shuffle flags differ from the shuffle ${String(settings.shuffle)} of the array's metadata`,
    );
  if (flags & MEMCPYED) {
    if (cbytes !== HEADER + nbytes)
      throw new CorruptData(`Blosc data stored as is must be ${HEADER + nbytes} bytes, not ${cbytes}`);
    return src.slice(HEADER);
  }
  if (nbytes === 0) return new Uint8Array(0);
  const compressor = COMPRESSORS[flags >> 5];
  if (
    typesize === 0 ||
    blocksize === 0 ||
    blocksize > nbytes ||
    // Blosc makes blocks whole numbers of elements.
    (blocksize > typesize && blocksize % typesize !== 0) ||
    !compressor ||
    flags & UNKNOWN_FLAG ||
    (flags & BYTE_SHUFFLE && flags & BIT_SHUFFLE)
  )
    throw new CorruptData(
      `Blosc header is damaged (type size ${typesize}, block size ${blocksize} of ${nbytes} bytes, flags ${flags})`,
    );
  const blocks = Math.ceil(nbytes / blocksize);
  const dataStart = HEADER + 4 * blocks;
  if (dataStart > cbytes) throw new CorruptData(`Blosc block table of ${blocks} blocks runs past its ${cbytes} bytes`);
  const starts = Array.from({ length: blocks }, (_, b) => view.getUint32(HEADER + 4 * b, true));
  // Blocks lie back to back after the table (in any order when several threads wrote them).
  const order = starts.map((s, b) => [s, b] as const).sort((p, q) => p[0] - q[0]);
  const out = new Uint8Array(nbytes);
  const shuffled = new Uint8Array(Math.min(blocksize, nbytes));
  const strict = compressor === 'LZ4' || compressor === 'zlib' || compressor === 'Zstandard';
  let at = dataStart;
  for (const [k, [start, b]] of order.entries()) {
    if (start !== at) throw new CorruptData(`Blosc block ${b} starts at byte ${start}, not ${at}`);
    const end = k + 1 < order.length ? order[k + 1]![0] : cbytes;
    const leftover = b === blocks - 1 && nbytes % blocksize !== 0;
    const size = leftover ? nbytes % blocksize : blocksize;
    const split = !(flags & NO_SPLIT) && typesize <= MAX_SPLITS && size / typesize >= MIN_BUFFERSIZE && !leftover;
    const streams = split ? typesize : 1;
    const streamBytes = size / streams;
    const shuffle = flags & BYTE_SHUFFLE && typesize > 1;
    const target = shuffle ? shuffled : out.subarray(b * blocksize, b * blocksize + size);
    for (let s = 0; s < streams; s++) {
      if (at + 4 > end) throw new CorruptData(`Blosc block ${b} ends inside its stream ${s} header`);
      const length = view.getUint32(at, true);
      at += 4;
      if (length > end - at) throw new CorruptData(`Blosc block ${b} stream ${s} runs past the block`);
      const stream = src.subarray(at, at + length);
      const into = target.subarray(s * streamBytes, (s + 1) * streamBytes);
      // A stream that compression did not shrink is stored as is.
      if (length === streamBytes) into.set(stream);
      else if (strict) await decodeStream(compressor, stream, into, `block ${b} stream ${s}`);
      at += length;
    }
    if (at !== end) throw new CorruptData(`Blosc block ${b} has ${end - at} bytes left over`);
    if (shuffle && strict && !(flags & BIT_SHUFFLE)) unshuffle(shuffled, size, typesize, out, b * blocksize);
  }
  if (strict && !(flags & BIT_SHUFFLE)) return out;
  const decoded = new Uint8Array(await wasm.decode(src));
  if (decoded.length !== nbytes) throw new CorruptData(`Blosc data decodes to ${decoded.length} bytes, not ${nbytes}`);
  return decoded;
}

async function decodeStream(compressor: string, stream: Uint8Array, into: Uint8Array, where: string): Promise<void> {
  const fail = (why: string): CorruptData => new CorruptData(`Blosc ${where}: ${compressor} data ${why}`);
  if (compressor === 'LZ4') return lz4(stream, into, fail);
  let decoded: Uint8Array;
  if (compressor === 'Zstandard') decoded = await decodeZstd(stream, into.length, true);
  else
    try {
      decoded = inflateSync(stream, { maxOutputLength: into.length });
    } catch (error) {
      throw fail(`is damaged (${(error as Error).message})`);
    }
  if (decoded.length !== into.length) throw fail(`decodes to ${decoded.length} bytes, not ${into.length}`);
  into.set(decoded);
}

/** An LZ4 block that must fill `out` exactly and end exactly at the end of `src`. */
function lz4(src: Uint8Array, out: Uint8Array, fail: (why: string) => Error): void {
  let i = 0;
  let o = 0;
  const length = (n: number): number => {
    if (n < 15) return n;
    for (;;) {
      if (i >= src.length) throw fail('is cut short');
      const b = src[i++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  while (i < src.length) {
    const token = src[i++]!;
    const literals = length(token >> 4);
    if (literals > src.length - i || literals > out.length - o) throw fail('has literals past its end');
    out.set(src.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i === src.length) break;
    if (i + 2 > src.length) throw fail('is cut short');
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > o) throw fail(`refers to data before its start (offset ${offset} at ${o})`);
    const match = length(token & 15) + 4;
    if (match > out.length - o) throw fail('decodes past its size');
    if (offset >= match) out.copyWithin(o, o - offset, o - offset + match);
    else for (let k = 0; k < match; k++) out[o + k] = out[o + k - offset]!;
    o += match;
  }
  if (o !== out.length) throw fail(`decodes to ${o} bytes, not ${out.length}`);
}

/** Undoes Blosc's byte shuffle of one block (the bytes that do not fill an element stay in place). */
function unshuffle(src: Uint8Array, size: number, typesize: number, out: Uint8Array, at: number): void {
  const elements = Math.floor(size / typesize);
  for (let byte = 0; byte < typesize; byte++) {
    const plane = byte * elements;
    for (let e = 0; e < elements; e++) out[at + e * typesize + byte] = src[plane + e]!;
  }
  const whole = elements * typesize;
  out.set(src.subarray(whole, size), at + whole);
}
