// Parses the TIFF/BigTIFF page directories (IFDs) with positional reads: only the header bytes
// are read, never the image data. Enough of the spec for grayscale volumes: one sample per pixel,
// strips or tiles, any byte order.
import type { FileHandle } from 'node:fs/promises';
import { fileProblem, unsupported } from '../errors';

export interface TiffPage {
  width: number;
  height: number;
  bitsPerSample: number;
  /** 1 unsigned, 2 signed, 3 float. */
  sampleFormat: number;
  compression: number;
  predictor: number;
  /** Rows per strip, or the tile height for tiled pages. */
  blockHeight: number;
  /** Block width: the page width for strips, the tile width for tiles. */
  blockWidth: number;
  offsets: number[];
  byteCounts: number[];
  description?: string;
  /** Pixel width and height in the file's unit: the inverse of TIFF XResolution/YResolution. */
  pixelWidth?: number;
  pixelHeight?: number;
}

export interface TiffFile {
  littleEndian: boolean;
  bigTiff: boolean;
  size: number;
  pages: TiffPage[];
}

const TAG = {
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  description: 270,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  xResolution: 282,
  yResolution: 283,
  predictor: 317,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  sampleFormat: 339,
} as const;

/** Bytes per value of each TIFF field type. */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};
/** Header reads go through small cached blocks: directories are small and often adjacent. */
const BLOCK = 4096;

/** Reads small pieces of a file through a few cached blocks. */
class HeaderReader {
  private readonly blocks = new Map<number, Buffer>();
  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly size: number,
  ) {}

  async bytes(offset: number, length: number, what: string): Promise<DataView> {
    if (offset + length > this.size)
      throw fileProblem(this.path, `truncated file: ${what} at byte ${offset} runs past the end (${this.size} bytes)`);
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    if (first === last) {
      const block = await this.block(first);
      return new DataView(block.buffer, block.byteOffset + offset - first * BLOCK, length);
    }
    const out = Buffer.alloc(length);
    await this.fh.read(out, 0, length, offset);
    return new DataView(out.buffer, out.byteOffset, length);
  }

  private async block(index: number): Promise<Buffer> {
    let block = this.blocks.get(index);
    if (!block) {
      const length = Math.min(BLOCK, this.size - index * BLOCK);
      block = Buffer.alloc(length);
      await this.fh.read(block, 0, length, index * BLOCK);
      if (this.blocks.size > 256) this.blocks.clear();
      this.blocks.set(index, block);
    }
    return block;
  }
}

export async function readTiff(fh: FileHandle, path: string): Promise<TiffFile> {
  const size = (await fh.stat()).size;
  const reader = new HeaderReader(fh, path, size);
  if (size < 8) throw fileProblem(path, `truncated file: ${size} bytes is too short for a TIFF header`);
  const head = await reader.bytes(0, Math.min(16, size), 'the header');
  const order = head.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) throw fileProblem(path, 'not a TIFF file (no II/MM byte-order mark)');
  const le = order === 0x4949;
  const magic = head.getUint16(2, le);
  if (magic !== 42 && magic !== 43) throw fileProblem(path, `not a TIFF file (version ${magic}, expected 42 or 43)`);
  const big = magic === 43;
  if (big && size < 16) throw fileProblem(path, 'truncated file: BigTIFF header is incomplete');
  const u64 = (view: DataView, at: number): number => Number(view.getBigUint64(at, le));
  let next = big ? u64(head, 8) : head.getUint32(4, le);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  while (next !== 0) {
    if (seen.has(next)) throw fileProblem(path, `corrupt file: page directories loop back to byte ${next}`);
    seen.add(next);
    const pageIndex = pages.length;
    const what = `page ${pageIndex} directory`;
    const countView = await reader.bytes(next, big ? 8 : 2, what);
    const count = big ? u64(countView, 0) : countView.getUint16(0, le);
    const entrySize = big ? 20 : 12;
    const view = await reader.bytes(next + (big ? 8 : 2), count * entrySize + (big ? 8 : 4), what);
    const tags = new Map<number, { type: number; count: number; at: DataView; offset: number }>();
    for (let i = 0; i < count; i++) {
      const e = i * entrySize;
      const tag = view.getUint16(e, le);
      const type = view.getUint16(e + 2, le);
      const n = big ? u64(view, e + 4) : view.getUint32(e + 4, le);
      tags.set(tag, { type, count: n, at: view, offset: e + (big ? 12 : 8) });
    }
    next = big ? u64(view, count * entrySize) : view.getUint32(count * entrySize, le);

    const values = async (tag: number): Promise<number[] | undefined> => {
      const entry = tags.get(tag);
      if (!entry) return undefined;
      const width = TYPE_SIZE[entry.type];
      if (!width)
        throw fileProblem(path, `corrupt file: tag ${tag} of page ${pageIndex} has unknown type ${entry.type}`);
      const bytes = width * entry.count;
      const inline = bytes <= (big ? 8 : 4);
      const src = inline
        ? new DataView(entry.at.buffer, entry.at.byteOffset + entry.offset, bytes)
        : await reader.bytes(
            big ? u64(entry.at, entry.offset) : entry.at.getUint32(entry.offset, le),
            bytes,
            `tag ${tag} of page ${pageIndex}`,
          );
      const out = new Array<number>(entry.count);
      for (let i = 0; i < entry.count; i++) out[i] = readValue(src, entry.type, i * width, le);
      return out;
    };
    const one = async (tag: number): Promise<number | undefined> => (await values(tag))?.[0];
    const required = async (tag: number, name: string): Promise<number[]> => {
      const v = await values(tag);
      if (!v || v.length === 0) throw fileProblem(path, `corrupt file: page ${pageIndex} has no ${name}`);
      return v;
    };

    const width = (await required(TAG.width, 'ImageWidth'))[0]!;
    const height = (await required(TAG.height, 'ImageLength'))[0]!;
    const samples = (await one(TAG.samplesPerPixel)) ?? 1;
    if (samples !== 1) throw unsupported(path, `${samples} samples per pixel (RGB or multi-sample pages)`);
    const tiled = tags.has(TAG.tileOffsets);
    const descriptionEntry = tags.get(TAG.description);
    let description: string | undefined;
    if (descriptionEntry && pageIndex === 0) {
      const codes = await values(TAG.description);
      description = Buffer.from(codes ?? [])
        .toString('latin1')
        .replace(/\0+$/, '');
    }
    // 12 significant digits undo the rounding of 1 / (num / den): 40/13 pixels per µm is 0.325 µm.
    const pixelSize = async (tag: number): Promise<number | undefined> => {
      const perUnit = (await values(tag))?.[0];
      return perUnit ? Number((1 / perUnit).toPrecision(12)) : undefined;
    };
    pages.push({
      width,
      height,
      bitsPerSample: (await one(TAG.bitsPerSample)) ?? 1,
      sampleFormat: (await one(TAG.sampleFormat)) ?? 1,
      compression: (await one(TAG.compression)) ?? 1,
      predictor: (await one(TAG.predictor)) ?? 1,
      blockHeight: tiled
        ? (await required(TAG.tileLength, 'TileLength'))[0]!
        : Math.min(height, (await one(TAG.rowsPerStrip)) ?? height),
      blockWidth: tiled ? (await required(TAG.tileWidth, 'TileWidth'))[0]! : width,
      offsets: await required(tiled ? TAG.tileOffsets : TAG.stripOffsets, tiled ? 'TileOffsets' : 'StripOffsets'),
      byteCounts: await required(
        tiled ? TAG.tileByteCounts : TAG.stripByteCounts,
        tiled ? 'TileByteCounts' : 'StripByteCounts',
      ),
      description,
      pixelWidth: pageIndex === 0 ? await pixelSize(TAG.xResolution) : undefined,
      pixelHeight: pageIndex === 0 ? await pixelSize(TAG.yResolution) : undefined,
    });
  }
  if (pages.length === 0) throw fileProblem(path, 'corrupt file: no pages');
  return { littleEndian: le, bigTiff: big, size, pages };
}

function readValue(view: DataView, type: number, at: number, le: boolean): number {
  switch (type) {
    case 3:
      return view.getUint16(at, le);
    case 4:
    case 13:
      return view.getUint32(at, le);
    case 5: {
      const den = view.getUint32(at + 4, le);
      return den === 0 ? 0 : view.getUint32(at, le) / den;
    }
    case 6:
      return view.getInt8(at);
    case 8:
      return view.getInt16(at, le);
    case 9:
      return view.getInt32(at, le);
    case 10: {
      const den = view.getInt32(at + 4, le);
      return den === 0 ? 0 : view.getInt32(at, le) / den;
    }
    case 11:
      return view.getFloat32(at, le);
    case 12:
      return view.getFloat64(at, le);
    case 16:
    case 18:
      return Number(view.getBigUint64(at, le));
    case 17:
      return Number(view.getBigInt64(at, le));
    default:
      return view.getUint8(at);
  }
}
