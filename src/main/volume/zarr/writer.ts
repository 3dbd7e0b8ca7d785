// Writes OME-Zarr 0.5 (Zarr v3): each level chunk by chunk as regions arrive, the pyramid built
// along the way from every chunk of the level below as it is stored (so nothing is read back from
// disk), then the group metadata; all under a temporary name renamed at the end. Each level is an
// ArrayWriter (array-writer.ts).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { badInput, cancelled } from '../../../shared/errors';
import { type Region, type TypedArray, type Vec3, allocate, dtypeOf, voxelCount } from '../../../shared/volume';
import { copyBox } from '../chunked';
import { explainWrite } from '../errors';
import { exists, publish, refuseExisting, temporaryPath } from '../output';
import type { ProgressOptions } from '../../progress';
import { type VolumeSpec, type VolumeWriter, checkSpec, checkWrite } from '../spec';
import { ArrayWriter, type ChunkSink } from './array-writer';
import { chunkCodec } from './codecs';

const DEFAULT_CHUNK: Vec3 = [64, 64, 64];
/** Default label colours (value 1, 2, …), distinct and readable on grey images. */
const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [255, 225, 25],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
];

class OmeZarrWriter implements VolumeWriter {
  private readonly chunk: Vec3;
  private readonly shapes: Vec3[];
  /** One writer per pyramid level, full resolution first; each feeds the next. */
  private readonly levels: ArrayWriter[];

  constructor(
    readonly path: string,
    readonly spec: VolumeSpec,
    private readonly temp: string,
  ) {
    this.chunk = (spec.chunkShape ?? DEFAULT_CHUNK).map((c, a) => Math.min(c, spec.shape[a]!)) as Vec3;
    this.shapes = pyramidShapes(spec.shape, this.chunk);
    const channels = (spec.channels ?? 1) > 1 ? spec.channels : undefined;
    const codec = chunkCodec(spec.compression ?? 'gzip', spec.dtype);
    // Built coarsest first, so each level can hand its chunks to the one below it in the list.
    const levels: ArrayWriter[] = [];
    for (let level = this.shapes.length - 1; level >= 0; level--) {
      const next = levels[0];
      const sink = next && this.downsampler(this.shapes[level]!, next);
      levels.unshift(
        new ArrayWriter(join(temp, String(level)), this.shapes[level]!, this.chunk, spec.dtype, channels, codec, sink),
      );
    }
    this.levels = levels;
  }

  async init(): Promise<void> {
    for (let a = 0; a < 3; a++)
      if (this.chunk[a]! % 2 === 1 && this.chunk[a]! < this.spec.shape[a]!)
        throw badInput(
          `${this.path}: chunk size ${this.chunk.join('×')} must be even along every axis the volume spans several chunks of (each pyramid level halves whole chunks)`,
        );
    for (const level of this.levels) await level.init();
  }

  async write(region: Region, data: TypedArray, channel = 0): Promise<void> {
    checkWrite(this.path, this.spec, region, data, channel);
    try {
      await this.levels[0]!.write(region, data, channel);
    } catch (error) {
      throw explainWrite(this.path, error);
    }
  }

  async commit({ signal, progress }: ProgressOptions = {}): Promise<void> {
    try {
      // Level by level: what one level still holds goes into the next before that one finishes.
      for (const [level, writer] of this.levels.entries()) {
        if (signal?.aborted) throw cancelled();
        progress?.(
          level,
          this.levels.length,
          level === 0 ? 'storing the last chunks' : `finishing pyramid level ${level}`,
        );
        await writer.finish();
      }
      progress?.(this.levels.length, this.levels.length, 'pyramid built');
      await writeFile(join(this.temp, 'zarr.json'), JSON.stringify(this.groupMetadata(this.shapes), null, 2));
      await publish(this.temp, this.path);
      await this.registerLabel();
    } catch (error) {
      await this.abort();
      throw signal?.aborted ? cancelled() : explainWrite(this.path, error);
    }
  }

  async abort(): Promise<void> {
    // In order: a level's chunks in flight may still write into the next one.
    for (const level of this.levels) await level.settle();
    await rm(this.temp, { recursive: true, force: true });
  }

  /**
   * Passes each chunk of a level of shape `from` to `next`, shrunk by 2 along every axis `next`
   * halves: the mean of each cell for images, its first voxel for labels. Chunks start on even
   * voxels (see `init`), so every cell lies in one chunk.
   */
  private downsampler(from: Vec3, next: ArrayWriter): ChunkSink {
    const factor = from.map((n, a) => (n > next.shape[a]! ? 2 : 1)) as Vec3;
    const labels = this.spec.kind === 'labels';
    return (channel, start, shape, data) => {
      let block = data;
      if (shape.some((n, a) => n !== this.chunk[a])) {
        // An edge chunk: its part inside the volume, packed.
        block = allocate(this.spec.dtype, voxelCount(shape));
        copyBox(data, [0, 0, 0], this.chunk, block, [0, 0, 0], shape);
      }
      const outShape = shape.map((n, a) => Math.ceil(n / factor[a]!)) as Vec3;
      const outStart = start.map((s, a) => s / factor[a]!) as Vec3;
      return next.write({ start: outStart, shape: outShape }, reduce(block, shape, outShape, factor, labels), channel);
    };
  }

  private groupMetadata(shapes: Vec3[]): object {
    const spec = this.spec;
    const hasC = (spec.channels ?? 1) > 1;
    const unit = spec.unit ? { unit: spec.unit } : {};
    const axes = [
      ...(hasC ? [{ name: 'c', type: 'channel' }] : []),
      ...['z', 'y', 'x'].map((name) => ({ name, type: 'space', ...unit })),
    ];
    const voxel = spec.voxelSize ?? [1, 1, 1];
    // Each level doubles the voxel pitch along every axis it halved.
    const factor: Vec3 = [1, 1, 1];
    const datasets = shapes.map((shape, level) => {
      if (level > 0) shapes[level - 1]!.forEach((n, a) => (factor[a] = factor[a]! * (n > shape[a]! ? 2 : 1)));
      return {
        path: String(level),
        coordinateTransformations: [
          { type: 'scale', scale: [...(hasC ? [1] : []), ...voxel.map((v, a) => v * factor[a]!)] },
        ],
      };
    });
    const ome: Record<string, unknown> = {
      version: '0.5',
      multiscales: [
        {
          name: basename(this.path).replace(/\.zarr$/i, ''),
          axes,
          datasets,
          type: spec.kind === 'labels' ? 'nearest' : 'mean',
        },
      ],
    };
    if (spec.channelNames) ome.omero = { channels: spec.channelNames.map((label) => ({ label, active: true })) };
    if (spec.kind === 'labels') {
      const colors =
        spec.labelColors?.map(({ value, rgba }) => ({ 'label-value': value, rgba })) ??
        PALETTE.map((rgb, i) => ({ 'label-value': i + 1, rgba: [...rgb, 255] }));
      ome['image-label'] = { colors, ...(this.insideImage() ? { source: { image: '../../' } } : {}) };
    }
    return { zarr_format: 3, node_type: 'group', attributes: { ome } };
  }

  /** A label image written to `image.zarr/labels/<name>` belongs to that image. */
  private insideImage(): boolean {
    return basename(dirname(this.path)) === 'labels' && /\.zarr$/i.test(dirname(dirname(this.path)));
  }

  /** Lists the label image in `labels/zarr.json`, as OME-Zarr readers expect. */
  private async registerLabel(): Promise<void> {
    if (this.spec.kind !== 'labels' || !this.insideImage()) return;
    const file = join(dirname(this.path), 'zarr.json');
    type LabelsGroup = { attributes?: { ome?: { version?: string; labels?: string[] } } };
    const group: LabelsGroup = (await exists(file))
      ? (JSON.parse(await readFile(file, 'utf8')) as LabelsGroup)
      : ({ zarr_format: 3, node_type: 'group', attributes: {} } as LabelsGroup);
    const ome = ((group.attributes ??= {}).ome ??= { version: '0.5' });
    ome.labels = [...new Set([...(ome.labels ?? []), basename(this.path)])];
    const temp = temporaryPath(file);
    await writeFile(temp, JSON.stringify(group, null, 2));
    await publish(temp, file);
  }
}

/** Shapes of the pyramid levels: halve each axis until the level fits in one chunk. */
export function pyramidShapes(shape: Vec3, chunk: Vec3): Vec3[] {
  const shapes = [shape];
  let last = shape;
  while (last.some((n, a) => n > chunk[a]!) && shapes.length < 12) {
    last = last.map((n) => (n > 1 ? Math.ceil(n / 2) : 1)) as Vec3;
    shapes.push(last);
  }
  return shapes;
}

/** Shrinks a block by `factor` per axis: the mean of each cell, or its first voxel for labels. */
export function reduce(input: TypedArray, inShape: Vec3, outShape: Vec3, factor: Vec3, pick: boolean): TypedArray {
  const out = allocate(dtypeOf(input), voxelCount(outShape));
  const [fz, fy, fx] = factor;
  const [iz, iy, ix] = inShape;
  const round = !(input instanceof Float32Array || input instanceof Float64Array);
  /** Where the input rows of one output row start: up to fz × fy of them. */
  const rows: number[] = [];
  let o = 0;
  for (let z = 0; z < outShape[0]; z++)
    for (let y = 0; y < outShape[1]; y++) {
      rows.length = 0;
      for (let dz = 0; dz < fz && z * fz + dz < iz; dz++)
        for (let dy = 0; dy < fy && y * fy + dy < iy; dy++) rows.push(((z * fz + dz) * iy + y * fy + dy) * ix);
      if (pick) {
        for (let x = 0, i = rows[0]!; x < outShape[2]; x++, i += fx) out[o++] = input[i]!;
        continue;
      }
      let x = 0;
      if (fx === 2 && rows.length === 4) {
        // Whole 2×2×2 cells, the common case, summed in the same order as below.
        const [r0, r1, r2, r3] = rows as [number, number, number, number];
        for (const whole = ix >> 1; x < whole; x++, o++) {
          const i = 2 * x;
          const mean =
            (input[r0 + i]! +
              input[r0 + i + 1]! +
              input[r1 + i]! +
              input[r1 + i + 1]! +
              input[r2 + i]! +
              input[r2 + i + 1]! +
              input[r3 + i]! +
              input[r3 + i + 1]!) /
            8;
          out[o] = round ? Math.round(mean) : mean;
        }
      }
      for (; x < outShape[2]; x++, o++) {
        const x0 = x * fx;
        const nx = Math.min(fx, ix - x0);
        let sum = 0;
        for (const r of rows) for (let dx = 0; dx < nx; dx++) sum += input[r + x0 + dx]!;
        const mean = sum / (rows.length * nx);
        out[o] = round ? Math.round(mean) : mean;
      }
    }
  return out;
}

export async function createOmeZarr(path: string, spec: VolumeSpec): Promise<VolumeWriter> {
  checkSpec(path, spec);
  await refuseExisting(path, spec.force);
  const temp = temporaryPath(path);
  const writer = new OmeZarrWriter(path, spec, temp);
  try {
    // Not recursive first: on a read-only file system a recursive mkdir reports ENOENT, not EROFS.
    await mkdir(temp).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      return mkdir(temp, { recursive: true });
    });
    await writer.init();
  } catch (error) {
    await writer.abort();
    throw explainWrite(path, error, 'cannot be created');
  }
  return writer;
}
