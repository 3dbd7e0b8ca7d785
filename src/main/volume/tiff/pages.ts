// A TIFF page's data: its layout checked against the file, uncompressed rows read in place (as
// spans of bytes, merged where they touch), and compressed strips and tiles decoded with geotiff's
// codecs, each within the size its block can hold.
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type ZlibOptions, inflate } from 'node:zlib';
import { getDecoder } from 'geotiff';
import { type Dtype, bytesPerElement } from '../../../shared/volume';
import { explain, fileProblem, unsupported } from '../errors';
import { CorruptData } from '../zarr/corrupt';
import { decodeZstd } from '../zarr/zstd';
import type { TiffFile, TiffPage } from './ifd';

/**
 * Compressions we decode losslessly (LZW, deflate under two codes, PackBits, Zstandard), with the
 * most each can expand its input: a strip can hold no more than that many times its own bytes.
 */
const LOSSLESS = new Map([
  [5, { name: 'LZW', ratio: 4096 }],
  [8, { name: 'deflate', ratio: 1032 }],
  [32946, { name: 'deflate', ratio: 1032 }],
  [32773, { name: 'PackBits', ratio: 64 }],
  [50000, { name: 'Zstandard', ratio: 65536 }],
]);
const inflateAsync = promisify(inflate) as (data: Uint8Array, options: ZlibOptions) => Promise<Buffer>;
/** Bytes of the file that hold rows of a page, `page`/`row` saying where they start (for errors). */
export interface Span {
  offset: number;
  length: number;
  page: number;
  row: number;
}

/** Appends the file pieces holding `rows` rows from `startRow` of an uncompressed page, merging neighbours. */
export function addRowSpans(
  spans: Span[],
  page: TiffPage,
  z: number,
  startRow: number,
  rows: number,
  rowBytes: number,
): void {
  for (let row = startRow; row < startRow + rows;) {
    const strip = Math.floor(row / page.blockHeight);
    const count = Math.min(startRow + rows, (strip + 1) * page.blockHeight) - row;
    const offset = page.offsets[strip]! + (row - strip * page.blockHeight) * rowBytes;
    const last = spans.at(-1);
    if (last && last.offset + last.length === offset) last.length += count * rowBytes;
    else spans.push({ offset, length: count * rowBytes, page: z, row });
    row += count;
  }
}

/** Reads the spans one after another into `out`. */
export async function readSpans(fh: FileHandle, spans: Span[], out: Buffer, path: string): Promise<void> {
  let at = 0;
  for (const { offset, length, page, row } of spans) {
    const { bytesRead } = await fh.read(out, at, length, offset);
    if (bytesRead < length)
      throw fileProblem(
        `${path} page ${page}`,
        `truncated file: ${length} bytes from row ${row} (byte ${offset}) end past the end of the file`,
      );
    at += length;
  }
}

/** Reads `rows` rows from `startRow` of an uncompressed page into `out`. */
export function readStripRows(
  fh: FileHandle,
  page: TiffPage,
  z: number,
  startRow: number,
  rows: number,
  rowBytes: number,
  out: Buffer,
  path: string,
): Promise<void> {
  const spans: Span[] = [];
  addRowSpans(spans, page, z, startRow, rows, rowBytes);
  return readSpans(fh, spans, out, path);
}

export async function decodeBlock(
  fh: FileHandle,
  page: TiffPage,
  block: number,
  dtype: Dtype,
  where: string,
): Promise<Buffer> {
  const offset = page.offsets[block];
  const count = page.byteCounts[block];
  if (offset === undefined || count === undefined)
    throw fileProblem(where, `corrupt file: block ${block} is missing from the page directory`);
  const raw = Buffer.alloc(count);
  const { bytesRead } = await fh.read(raw, 0, count, offset);
  if (bytesRead < count)
    throw fileProblem(
      where,
      `truncated file: block ${block} (${count} bytes at ${offset}) ends past the end of the file`,
    );
  const rowBytes = page.blockWidth * bytesPerElement(dtype);
  // A whole block; the last strip may hold only the rows left.
  const full = rowBytes * page.blockHeight;
  const wanted =
    rowBytes *
    Math.min(
      page.blockHeight,
      page.height - Math.floor(block / Math.ceil(page.width / page.blockWidth)) * page.blockHeight,
    );
  try {
    const decoder = await getDecoder(page.compression, {
      tileWidth: page.blockWidth,
      tileHeight: page.blockHeight,
      predictor: page.predictor,
      bitsPerSample: page.bitsPerSample,
      planarConfiguration: 1,
      samplesPerPixel: 1,
    });
    // geotiff's own deflate and Zstandard decoders inflate without limit, and its Zstandard one
    // returns zeros for data that is not Zstandard: these check the size and the decoder's status.
    if (page.compression === 50000)
      decoder.decodeBlock = async (data) => exactBuffer(await decodeZstd(new Uint8Array(data), full));
    else if (page.compression === 8 || page.compression === 32946)
      decoder.decodeBlock = async (data) =>
        exactBuffer(await inflateAsync(new Uint8Array(data), { maxOutputLength: full }).catch(tooLarge(full)));
    const decoded = Buffer.from(await decoder.decode(raw.buffer.slice(raw.byteOffset, raw.byteOffset + count)));
    if (decoded.length < wanted || decoded.length > full)
      throw new CorruptData(
        `decoded ${decoded.length} bytes, expected ${wanted === full ? wanted : `${wanted} to ${full}`}`,
      );
    return decoded.subarray(0, wanted);
  } catch (error) {
    if (error instanceof CorruptData)
      throw fileProblem(`${where} block ${block}`, `corrupt compressed data: ${error.message}`);
    throw explain(`${where} block ${block}`, error, 'corrupt compressed data');
  }
}

/** The bytes in an ArrayBuffer of their own, as geotiff's predictors expect. */
const exactBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** zlib's error for output past `maxOutputLength`, in words. */
const tooLarge =
  (limit: number) =>
  (error: unknown): never => {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new CorruptData(`inflates to more than the ${limit} bytes of a block`);
    throw error;
  };

/** Checks a page is something we read, and that its data lies inside the file. */
export function checkPage(page: TiffPage, index: number, file: TiffFile, path: string): void {
  const codec = LOSSLESS.get(page.compression);
  if (page.compression !== 1 && !codec) throw unsupported(path, `compression ${page.compression} (page ${index})`);
  if (!(page.width >= 1 && page.height >= 1 && page.blockWidth >= 1 && page.blockHeight >= 1))
    throw fileProblem(
      path,
      `page ${index} header is damaged: ${page.width}×${page.height} pixels in blocks of ${page.blockWidth}×${page.blockHeight}`,
    );
  if (page.bitsPerSample % 8 !== 0) throw unsupported(path, `${page.bitsPerSample}-bit samples`);
  // geotiff undoes predictors in the machine's byte order, which is wrong for big-endian files.
  if (!file.littleEndian && page.predictor !== 1 && page.bitsPerSample > 8)
    throw unsupported(path, `big-endian ${page.bitsPerSample}-bit data with a predictor`);
  for (let b = 0; b < page.offsets.length; b++) {
    const end = page.offsets[b]! + (page.byteCounts[b] ?? 0);
    if (end > file.size)
      throw fileProblem(
        path,
        `truncated file: page ${index} data ends at byte ${end} but the file has ${file.size} bytes`,
      );
  }
  const sample = page.bitsPerSample / 8;
  if (page.compression === 1) {
    const needed = page.width * page.height * sample;
    const given = page.byteCounts.reduce((a, b) => a + b, 0);
    if (given < needed)
      throw fileProblem(
        path,
        `page ${index} header lies about its size: ${page.width}×${page.height}×${sample} bytes needs ${needed} but its strips hold ${given}`,
      );
  }
  const across = Math.ceil(page.width / page.blockWidth);
  const down = Math.ceil(page.height / page.blockHeight);
  const tiled = page.blockWidth !== page.width;
  const kind = tiled ? 'tile' : 'strip';
  if (page.offsets.length < across * down || page.byteCounts.length < across * down)
    throw fileProblem(
      path,
      tiled
        ? `page ${index} header lies about its layout: ${page.width}×${page.height} pixels in tiles of ${page.blockWidth}×${page.blockHeight} need ${across * down} tiles but it lists ${Math.min(page.offsets.length, page.byteCounts.length)}`
        : `page ${index} header lies about its layout: ${page.height} rows of ${page.blockHeight} rows per strip need ${down} strips but it lists ${Math.min(page.offsets.length, page.byteCounts.length)}`,
    );
  for (let b = 0; b < across * down; b++) {
    const rows = tiled ? page.blockHeight : Math.min(page.blockHeight, page.height - b * page.blockHeight);
    const bytes = rows * page.blockWidth * sample;
    const count = page.byteCounts[b]!;
    // Uncompressed rows are read in place: a short strip would lend its rows the next one's bytes.
    if (!codec && count < bytes)
      throw fileProblem(
        path,
        `page ${index} header lies about its size: ${kind} ${b} holds ${count} bytes but its ${rows} rows of ${page.blockWidth}×${sample} bytes need ${bytes}`,
      );
    // No compression expands data without limit: an absurd size cannot come from a few bytes.
    if (codec && bytes > count * codec.ratio + 1024)
      throw fileProblem(
        path,
        `page ${index} header lies about its size: ${kind} ${b} would hold ${bytes} bytes, more than its ${count} bytes of ${codec.name} data can hold`,
      );
  }
}
