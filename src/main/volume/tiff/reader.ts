// TIFF volumes: one multi-page file (classic or BigTIFF) or a folder of numbered 2D files.
// Uncompressed pages are read in place with positional reads of the rows a chunk needs;
// compressed strips and tiles are decoded with geotiff's codecs (pages.ts).
import { type FileHandle, open, stat } from 'node:fs/promises';
import { type Dtype, type Vec3, bytesPerElement } from '../../../shared/volume';
import { swapBytes, typedView } from '../bytes';
import type { Chunk, ChunkCache } from '../cache';
import { ChunkedVolume, checkVolumeSize } from '../chunked';
import { explain, fileProblem, unsupported } from '../errors';
import { type TiffFile, type TiffPage, readTiff } from './ifd';
import { type Span, addRowSpans, checkPage, decodeBlock, readSpans, readStripRows } from './pages';
import { type ImageJInfo, parseImageJ, physicalUnit } from './imagej';

/** Rows per chunk of an uncompressed page: about this many bytes, so a slice along y reads little. */
const BAND_BYTES = 128 * 1024;

export function tiffDtype(page: TiffPage, path: string): Dtype {
  const kind = page.sampleFormat === 3 ? 'float' : page.sampleFormat === 2 ? 'int' : 'uint';
  const name = `${kind}${page.bitsPerSample}`;
  if (!['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'].includes(name))
    throw unsupported(path, `sample type ${name} (${page.bitsPerSample} bits, SampleFormat ${page.sampleFormat})`);
  return name as Dtype;
}

/**
 * Uncompressed strips are read in place, row by row. Uncompressed tiles are not rows of the page:
 * they go through the block decoder like compressed ones.
 */
const inPlace = (page: TiffPage): boolean => page.compression === 1 && page.blockWidth === page.width;

/** Where one z-slice lives: its file, page directory and byte order. */
interface PageRef {
  path: string;
  page: TiffPage;
  littleEndian: boolean;
  /** Runs `read` with an open handle on the page's file. */
  use<T>(read: (fh: FileHandle) => Promise<T>): Promise<T>;
}

interface TiffLayout {
  shape: Vec3;
  dtype: Dtype;
  voxelSize: Vec3;
  unit: string;
  format: string;
  /** Page 0 stands for all: every page must match its size, type and block layout. */
  first: TiffPage;
}

class TiffVolume extends ChunkedVolume {
  readonly shape: Vec3;
  readonly dtype: Dtype;
  readonly voxelSize: Vec3;
  readonly unit: string;
  readonly chunkShape: Vec3;
  readonly format: string;
  private readonly rowBytes: number;
  private readonly first: TiffPage;

  constructor(
    path: string,
    layout: TiffLayout,
    private readonly pageAt: (z: number) => Promise<PageRef>,
    private readonly onClose: () => Promise<void>,
    cache?: ChunkCache,
  ) {
    super(path, cache);
    ({
      shape: this.shape,
      dtype: this.dtype,
      voxelSize: this.voxelSize,
      unit: this.unit,
      format: this.format,
    } = layout);
    const first = (this.first = layout.first);
    this.rowBytes = first.width * bytesPerElement(this.dtype);
    const band = Math.max(1, Math.min(first.height, Math.floor(BAND_BYTES / this.rowBytes)));
    this.chunkShape = inPlace(first) ? [1, band, first.width] : [1, first.blockHeight, first.blockWidth];
    if (inPlace(first)) this.readRows = (z, depth, y, rows, out) => this.readUncompressed(z, depth, y, rows, out);
  }

  /** Rows of uncompressed pages straight into `out`: one read for all that lie back to back in a file. */
  private async readUncompressed(z: number, depth: number, y: number, rows: number, out: Buffer): Promise<void> {
    const refs = await Promise.all(Array.from({ length: depth }, (_, k) => this.pageAt(z + k)));
    refs.forEach((ref, k) => {
      this.checkLike(ref.page, ref.path, z + k);
      if (!inPlace(ref.page)) throw unsupported(ref.path, `page ${z + k} is compressed or tiled, unlike the first`);
    });
    const pageBytes = rows * this.rowBytes;
    for (let k = 0; k < depth;) {
      // Pages of one file (all of a multi-page TIFF, one of a sequence) share one handle.
      const ref = refs[k]!;
      let n = 1;
      while (k + n < depth && refs[k + n]!.path === ref.path) n++;
      const spans: Span[] = [];
      for (let i = k; i < k + n; i++) addRowSpans(spans, refs[i]!.page, z + i, y, rows, this.rowBytes);
      await ref.use((fh) => readSpans(fh, spans, out.subarray(k * pageBytes, (k + n) * pageBytes), ref.path));
      k += n;
    }
    refs.forEach((ref, k) => {
      if (!ref.littleEndian) swapBytes(out.subarray(k * pageBytes, (k + 1) * pageBytes), bytesPerElement(this.dtype));
    });
  }

  protected async loadChunk([z, by, bx]: Vec3): Promise<Chunk> {
    const ref = await this.pageAt(z);
    const { page } = ref;
    const where = `${ref.path} page ${z}`;
    this.checkLike(page, ref.path, z);
    if (inPlace(page)) {
      const rows = Math.min(this.chunkShape[1], this.shape[1] - by * this.chunkShape[1]);
      // Every byte is overwritten by the read (a short read throws), so no need to zero it.
      const bytes = Buffer.allocUnsafeSlow(rows * this.rowBytes);
      await ref.use((fh) => readStripRows(fh, page, z, by * this.chunkShape[1], rows, this.rowBytes, bytes, ref.path));
      return { data: typedView(bytes, this.dtype, ref.littleEndian), shape: [1, rows, this.shape[2]] };
    }
    const block = by * Math.ceil(page.width / page.blockWidth) + bx;
    const decoded = await ref.use((fh) => decodeBlock(fh, page, block, this.dtype, where));
    return {
      data: typedView(decoded, this.dtype, ref.littleEndian),
      shape: [1, decoded.length / (page.blockWidth * bytesPerElement(this.dtype)), page.blockWidth],
    };
  }

  /** Neighbouring bands of an uncompressed page come from one read into one buffer. */
  protected override async loadRun([z, by, bx]: Vec3, count: number): Promise<Chunk[]> {
    const ref = await this.pageAt(z);
    if (!inPlace(ref.page))
      return Promise.all(Array.from({ length: count }, (_, k) => this.loadChunk([z, by + k, bx])));
    this.checkLike(ref.page, ref.path, z);
    const band = this.chunkShape[1];
    const rows = Math.min(count * band, this.shape[1] - by * band);
    const bytes = Buffer.allocUnsafeSlow(rows * this.rowBytes);
    await ref.use((fh) => readStripRows(fh, ref.page, z, by * band, rows, this.rowBytes, bytes, ref.path));
    const data = typedView(bytes, this.dtype, ref.littleEndian);
    return Array.from({ length: count }, (_, k) => {
      const n = Math.min(band, rows - k * band);
      return {
        data: data.subarray(k * band * this.shape[2], (k * band + n) * this.shape[2]),
        shape: [1, n, this.shape[2]],
      };
    });
  }

  /** Pages after the first (other files of a sequence, above all) must share its layout. */
  private checkLike(page: TiffPage, path: string, z: number): void {
    const { first } = this;
    const dtype = tiffDtype(page, path);
    if (page.width !== first.width || page.height !== first.height || dtype !== this.dtype)
      throw fileProblem(
        path,
        `page ${z} is ${page.width}×${page.height} ${dtype}, unlike the first (${first.width}×${first.height} ${this.dtype})`,
      );
    const sameBlocks = inPlace(page)
      ? inPlace(first)
      : page.blockWidth === first.blockWidth && page.blockHeight === first.blockHeight;
    if (!sameBlocks) throw unsupported(path, `page ${z} stored in different strips or tiles than the first page`);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.onClose();
  }
}

/** Voxel size and unit: z spacing and unit from the ImageJ header, x and y from the resolution tags. */
function physical(first: TiffPage, ij: ImageJInfo | undefined): { voxelSize: Vec3; unit: string } {
  return { voxelSize: [ij?.spacing ?? 1, first.pixelHeight ?? 1, first.pixelWidth ?? 1], unit: physicalUnit(ij?.unit) };
}

/** Opens a multi-page TIFF file. ImageJ's `channels` hyperstacks give `channel` (default 0). */
export async function openTiffFile(path: string, channel = 0, cache?: ChunkCache): Promise<TiffVolume> {
  const fh = await openForReading(path);
  try {
    const file = await readTiff(fh, path);
    const first = file.pages[0]!;
    const dtype = tiffDtype(first, path);
    file.pages.forEach((page, i) => checkPage(page, i, file, path));
    const ij = parseImageJ(first.description);
    // Python's tifffile with imagej=True and no axes tags a stack as N channels of one slice; a
    // tomography tool has no use for that reading (it would keep one of N slices): read them as z.
    const channelsAsZ = ij !== undefined && ij.channels > 1 && ij.slices === 1 && ij.images === ij.channels;
    const channels = channelsAsZ ? 1 : (ij?.channels ?? 1);
    if (channel < 0 || channel >= channels)
      throw fileProblem(path, `channel ${channel} does not exist (the file has ${channels})`);
    const pageBytes = first.width * first.height * bytesPerElement(dtype);
    let pages = file.pages;
    if (ij && ij.images > pages.length && pages.length === 1 && first.compression === 1) {
      // ImageJ writes stacks over 4 GiB as one directory followed by contiguous pages.
      const end = first.offsets[0]! + ij.images * pageBytes;
      if (end > file.size)
        throw fileProblem(
          path,
          `truncated file: the ImageJ header says ${ij.images} images (${end} bytes) but the file has ${file.size} bytes`,
        );
      pages = Array.from({ length: ij.images }, (_, i) => ({
        ...first,
        offsets: first.offsets.map((o) => o + i * pageBytes),
      }));
    }
    const depth = ij
      ? Math.min(channelsAsZ ? ij.images : ij.slices, Math.floor(pages.length / channels))
      : pages.length;
    if (ij && ij.images > pages.length)
      throw fileProblem(path, `the ImageJ header says ${ij.images} images but the file has ${pages.length} pages`);
    checkVolumeSize(path, [depth, first.height, first.width], bytesPerElement(dtype));
    const layout: TiffLayout = {
      shape: [depth, first.height, first.width],
      dtype,
      ...physical(first, ij),
      format: `${file.bigTiff ? 'BigTIFF' : 'TIFF'}${channelsAsZ ? ` (ImageJ tags ${ij.channels} channels of one slice: read as ${ij.channels} z slices)` : ''}`,
      first,
    };
    const pageAt = async (z: number): Promise<PageRef> => ({
      path,
      page: pages[z * channels + channel]!,
      littleEndian: file.littleEndian,
      use: (read) => read(fh),
    });
    return new TiffVolume(path, layout, pageAt, () => fh.close(), cache);
  } catch (error) {
    await fh.close();
    throw explain(path, error);
  }
}

/** Opens a folder of 2D TIFF files, one z-slice each, ordered by the numbers in their names. */
export async function openTiffSequence(folder: string, files: string[], cache?: ChunkCache): Promise<TiffVolume> {
  const parsed = new Map<number, Promise<TiffFile>>();
  const header = (z: number): Promise<TiffFile> => {
    let promise = parsed.get(z);
    if (!promise) {
      promise = withFile(files[z]!, (fh) => readTiff(fh, files[z]!));
      parsed.set(z, promise);
      promise.catch(() => parsed.delete(z));
    }
    return promise;
  };
  const file = await header(0);
  const first = file.pages[0]!;
  checkPage(first, 0, file, files[0]!);
  const ij = parseImageJ(first.description);
  const dtype = tiffDtype(first, files[0]!);
  checkVolumeSize(folder, [files.length, first.height, first.width], bytesPerElement(dtype));
  const layout: TiffLayout = {
    shape: [files.length, first.height, first.width],
    dtype,
    ...physical(first, ij),
    format: 'TIFF sequence',
    first,
  };
  const pageAt = async (z: number): Promise<PageRef> => {
    const tiff = await header(z);
    const page = tiff.pages[0]!;
    checkPage(page, 0, tiff, files[z]!);
    return { path: files[z]!, page, littleEndian: tiff.littleEndian, use: (read) => withFile(files[z]!, read) };
  };
  return new TiffVolume(folder, layout, pageAt, async () => undefined, cache);
}

/** Opens a file for reading; a failure names the file and says why in words. */
async function openForReading(path: string): Promise<FileHandle> {
  try {
    // Opening a named pipe waits for a writer, for ever, holding one of Node's few I/O threads.
    const info = await stat(path);
    if (!info.isFile()) throw fileProblem(path, `is not a regular file (${kindOf(info)}): volumes are read from files`);
    return await open(path, 'r');
  } catch (error) {
    throw explain(path, error);
  }
}

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isDirectory()) return 'a folder';
  if (info.isSocket()) return 'a socket';
  return 'a device';
}

async function withFile<T>(path: string, read: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await openForReading(path);
  try {
    return await read(fh);
  } finally {
    await fh.close();
  }
}
