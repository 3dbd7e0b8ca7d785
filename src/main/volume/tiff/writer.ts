// Writes ImageJ-compatible TIFF stacks: uncompressed, little-endian, every page one strip and all
// pages back to back, so a region write is a few positional writes and ImageJ reads the stack as
// one block. Page directories follow the data; BigTIFF when the file passes 4 GiB.
import { type FileHandle, open, rm } from 'node:fs/promises';
import { type Region, type TypedArray, bytesPerElement } from '../../../shared/volume';
import { bytesOf } from '../bytes';
import { explainWrite } from '../errors';
import { publish, refuseExisting, temporaryPath } from '../output';
import { type VolumeSpec, type VolumeWriter, checkSpec, checkWrite } from '../spec';
import { imagejUnit } from './imagej';

const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const ASCII = 2;
const LONG8 = 16;
const DATA_START = 16;

interface Entry {
  tag: number;
  type: number;
  /** Numbers (rationals as numerator, denominator pairs) or the bytes of an ASCII string. */
  values: number[] | Buffer;
}

const TYPE_BYTES: Record<number, number> = { [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [RATIONAL]: 8, [LONG8]: 8 };
const countOf = (e: Entry): number =>
  Buffer.isBuffer(e.values) ? e.values.length : e.type === RATIONAL ? e.values.length / 2 : e.values.length;

/** Bytes of one directory: entries, next-directory pointer, then values too long to sit inline. */
function directorySize(entries: Entry[], big: boolean): number {
  const inline = big ? 8 : 4;
  let size = (big ? 8 : 2) + entries.length * (big ? 20 : 12) + (big ? 8 : 4);
  for (const e of entries) {
    const bytes = countOf(e) * TYPE_BYTES[e.type]!;
    if (bytes > inline) size += bytes + (bytes % 2);
  }
  return size;
}

function encodeDirectory(entries: Entry[], at: number, next: number, big: boolean): Buffer {
  const out = Buffer.alloc(directorySize(entries, big));
  const inline = big ? 8 : 4;
  let pos = 0;
  const putCount = (n: number, p: number): void =>
    big ? void out.writeBigUInt64LE(BigInt(n), p) : void out.writeUInt32LE(n, p);
  if (big) out.writeBigUInt64LE(BigInt(entries.length), 0);
  else out.writeUInt16LE(entries.length, 0);
  pos = big ? 8 : 2;
  let extra = pos + entries.length * (big ? 20 : 12) + (big ? 8 : 4);
  for (const e of entries) {
    out.writeUInt16LE(e.tag, pos);
    out.writeUInt16LE(e.type, pos + 2);
    putCount(countOf(e), pos + 4);
    const valueAt = pos + (big ? 12 : 8);
    const bytes = countOf(e) * TYPE_BYTES[e.type]!;
    let target = valueAt;
    if (bytes > inline) {
      putCount(at + extra, valueAt);
      target = extra;
      extra += bytes + (bytes % 2);
    }
    if (Buffer.isBuffer(e.values)) e.values.copy(out, target);
    else
      e.values.forEach((v, i) => {
        const size = e.type === RATIONAL ? 4 : TYPE_BYTES[e.type]!;
        if (size === 2) out.writeUInt16LE(v, target + i * 2);
        else if (size === 4) out.writeUInt32LE(v, target + i * 4);
        else out.writeBigUInt64LE(BigInt(v), target + i * 8);
      });
    pos += big ? 20 : 12;
  }
  putCount(next, pos);
  return out;
}

/** The closest rational to `value` with 32-bit numerator and denominator (continued fractions). */
export function rational(value: number): [number, number] {
  const MAX = 0xffffffff;
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = value;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (h2 > MAX || k2 > MAX) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (x - a < 1e-12 || h1 / k1 === value) break;
    x = 1 / (x - a);
  }
  return k1 === 0 ? [MAX, 1] : [h1, k1];
}

function imagejDescription(spec: VolumeSpec): string {
  const channels = spec.channels ?? 1;
  const lines = ['ImageJ=1.11a', `images=${spec.shape[0] * channels}`];
  if (channels > 1) lines.push(`channels=${channels}`);
  lines.push(`slices=${spec.shape[0]}`);
  if (channels > 1) lines.push('hyperstack=true', 'mode=grayscale');
  if (spec.unit) lines.push(`unit=${imagejUnit(spec.unit)}`);
  lines.push(`spacing=${spec.voxelSize?.[0] ?? 1}`, 'loop=false', '');
  return lines.join('\n');
}

class TiffWriter implements VolumeWriter {
  private readonly pageBytes: number;

  constructor(
    readonly path: string,
    readonly spec: VolumeSpec,
    private readonly temp: string,
    private readonly fh: FileHandle,
  ) {
    this.pageBytes = spec.shape[1] * spec.shape[2] * bytesPerElement(spec.dtype);
  }

  async write(region: Region, data: TypedArray, channel = 0): Promise<void> {
    checkWrite(this.path, this.spec, region, data, channel);
    try {
      await this.writeNow(region, data, channel);
    } catch (error) {
      throw explainWrite(this.path, error);
    }
  }

  private async writeNow(region: Region, data: TypedArray, channel: number): Promise<void> {
    const [, , width] = this.spec.shape;
    const [z0, y0, x0] = region.start;
    const [nz, ny, nx] = region.shape;
    const size = bytesPerElement(this.spec.dtype);
    const bytes = bytesOf(data);
    const channels = this.spec.channels ?? 1;
    const writes: Promise<unknown>[] = [];
    for (let z = 0; z < nz; z++) {
      // ImageJ's page order is z outer, channel inner.
      const page = DATA_START + ((z0 + z) * channels + channel) * this.pageBytes;
      if (nx === width) {
        const src = z * ny * nx * size;
        writes.push(this.fh.write(bytes, src, ny * nx * size, page + y0 * width * size));
      } else {
        for (let y = 0; y < ny; y++) {
          const src = (z * ny + y) * nx * size;
          writes.push(this.fh.write(bytes, src, nx * size, page + ((y0 + y) * width + x0) * size));
        }
      }
      if (writes.length >= 256 || z === nz - 1) await Promise.all(writes.splice(0));
    }
  }

  async commit(): Promise<void> {
    try {
      await this.fh.sync();
      await this.fh.close();
      await publish(this.temp, this.path);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw explainWrite(this.path, error);
    }
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

export async function createTiff(path: string, spec: VolumeSpec): Promise<VolumeWriter> {
  checkSpec(path, spec);
  await refuseExisting(path, spec.force);
  const [depth, height, width] = spec.shape;
  const channels = spec.channels ?? 1;
  const bits = bytesPerElement(spec.dtype) * 8;
  const pageBytes = height * width * (bits / 8);
  const pages = depth * channels;
  // Directories start on a word boundary, as TIFF requires.
  const dataEnd = DATA_START + pages * pageBytes + ((pages * pageBytes) % 2);
  const [, vy, vx] = spec.voxelSize ?? [1, 1, 1];
  const format = spec.dtype.startsWith('float') ? 3 : spec.dtype.startsWith('int') ? 2 : 1;
  const description = Buffer.from(imagejDescription(spec) + '\0', 'latin1');
  const entriesFor = (page: number, big: boolean): Entry[] => {
    const offsetType = big ? LONG8 : LONG;
    const entries: Entry[] = [
      { tag: 254, type: LONG, values: [0] },
      { tag: 256, type: LONG, values: [width] },
      { tag: 257, type: LONG, values: [height] },
      { tag: 258, type: SHORT, values: [bits] },
      { tag: 259, type: SHORT, values: [1] },
      { tag: 262, type: SHORT, values: [1] },
    ];
    if (page === 0) entries.push({ tag: 270, type: ASCII, values: description });
    entries.push(
      { tag: 273, type: offsetType, values: [DATA_START + page * pageBytes] },
      { tag: 277, type: SHORT, values: [1] },
      { tag: 278, type: LONG, values: [height] },
      { tag: 279, type: offsetType, values: [pageBytes] },
      { tag: 282, type: RATIONAL, values: rational(1 / vx) },
      { tag: 283, type: RATIONAL, values: rational(1 / vy) },
      { tag: 296, type: SHORT, values: [1] },
      { tag: 339, type: SHORT, values: [format] },
    );
    return entries;
  };
  const layout = (big: boolean): { sizes: number[]; end: number } => {
    const sizes = Array.from({ length: pages }, (_, p) => directorySize(entriesFor(p, big), big));
    return { sizes, end: dataEnd + sizes.reduce((a, b) => a + b, 0) };
  };
  let big = false;
  let { sizes, end } = layout(false);
  if (end > 0xffffffff) {
    big = true;
    ({ sizes, end } = layout(true));
  }
  const temp = temporaryPath(path);
  let fh: FileHandle;
  try {
    fh = await open(temp, 'wx');
  } catch (error) {
    throw explainWrite(path, error, 'cannot be created');
  }
  try {
    await fh.truncate(end);
    const header = Buffer.alloc(DATA_START);
    header.write('II', 0, 'latin1');
    header.writeUInt16LE(big ? 43 : 42, 2);
    if (big) {
      header.writeUInt16LE(8, 4);
      header.writeBigUInt64LE(BigInt(dataEnd), 8);
    } else header.writeUInt32LE(dataEnd, 4);
    await fh.write(header, 0, header.length, 0);
    // Directories in batches, so a stack of thousands of pages needs little memory.
    let at = dataEnd;
    for (let first = 0; first < pages; first += 1024) {
      const parts: Buffer[] = [];
      const batchStart = at;
      for (let p = first; p < Math.min(pages, first + 1024); p++) {
        const next = p + 1 < pages ? at + sizes[p]! : 0;
        parts.push(encodeDirectory(entriesFor(p, big), at, next, big));
        at += sizes[p]!;
      }
      const batch = Buffer.concat(parts);
      await fh.write(batch, 0, batch.length, batchStart);
    }
  } catch (error) {
    await fh.close();
    await rm(temp, { force: true });
    throw explainWrite(path, error);
  }
  return new TiffWriter(path, spec, temp, fh);
}
