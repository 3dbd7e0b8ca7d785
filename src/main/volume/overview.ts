// A small copy of a whole volume for the 3D view: per output voxel, the middle z-plane of its
// block, averaged (images) or voted (labels) over the block in y and x. Only those planes are
// read, a strip of rows at a time, so memory stays bounded however large the volume is.
import type { VolumeOverview } from '../../shared/api';
import { badInput } from '../../shared/errors';
import { type TypedArray, type Vec3, allocate, bytesPerElement } from '../../shared/volume';
import type { Volume } from './volume';

export interface OverviewOptions {
  /** Longest edge of the result, in voxels. */
  maxEdge: number;
  /** 'mean' for intensities; 'mode' (most frequent value) for uint8 label volumes. */
  reduce: 'mean' | 'mode';
  /** Physical position of the volume's voxel (0, 0, 0) centre (a pyramid level's is offset). */
  origin?: Vec3;
  /** Largest single read in bytes (at least the rows of one output row are read at once). */
  readBytes?: number;
}

const DEFAULT_READ_BYTES = 8 * 1024 ** 2;

/** Voxels of the source per output voxel along each axis, so no edge exceeds `maxEdge`. */
export function overviewStep(shape: Vec3, maxEdge: number): Vec3 {
  return shape.map((n) => Math.max(1, Math.ceil(n / maxEdge))) as Vec3;
}

export async function readOverview(volume: Volume, options: OverviewOptions): Promise<VolumeOverview> {
  const { maxEdge, reduce, origin = [0, 0, 0], readBytes = DEFAULT_READ_BYTES } = options;
  if (!Number.isInteger(maxEdge) || maxEdge < 1) throw badInput(`overview edge ${maxEdge} must be a positive integer`);
  if (reduce === 'mode' && volume.dtype !== 'uint8')
    throw badInput(`${volume.path}: a label overview needs uint8 labels, not ${volume.dtype}`);
  const [depth, height, width] = volume.shape;
  const step = overviewStep(volume.shape, maxEdge);
  const shape = volume.shape.map((n, a) => Math.ceil(n / step[a]!)) as Vec3;
  const [outZ, outY, outX] = shape;
  const data = allocate(volume.dtype, outZ * outY * outX);
  const rowBytes = width * bytesPerElement(volume.dtype);
  // Whole output rows per read: a multiple of step[1] source rows.
  const rowsPerRead = step[1] * Math.max(1, Math.floor(readBytes / (rowBytes * step[1])));
  const reducer = reduce === 'mean' ? meanRows : modeRows;
  for (let k = 0; k < outZ; k++) {
    const z = Math.min(depth - 1, k * step[0] + Math.floor(step[0] / 2));
    for (let y = 0; y < height; y += rowsPerRead) {
      const rows = Math.min(rowsPerRead, height - y);
      const strip = await volume.read({ start: [z, y, 0], shape: [1, rows, width] });
      const out = data.subarray((k * outY + y / step[1]) * outX, (k * outY + Math.ceil((y + rows) / step[1])) * outX);
      reducer(strip, rows, width, step[1], step[2], out);
    }
  }
  return {
    shape,
    voxelSize: volume.voxelSize.map((v, a) => v * step[a]!) as Vec3,
    // z takes the block's middle plane; y and x average the block, so its centre.
    origin: [
      origin[0] + Math.floor(step[0] / 2) * volume.voxelSize[0],
      origin[1] + ((step[1] - 1) / 2) * volume.voxelSize[1],
      origin[2] + ((step[2] - 1) / 2) * volume.voxelSize[2],
    ],
    dtype: volume.dtype,
    data,
  };
}

type Reducer = (strip: TypedArray, rows: number, width: number, stepY: number, stepX: number, out: TypedArray) => void;

/** Output column of each source column. */
const columnsOf = (width: number, stepX: number): Uint32Array =>
  Uint32Array.from({ length: width }, (_, x) => Math.floor(x / stepX));

/** Mean of the finite values of each stepY × stepX block (rounded when `out` holds integers). */
const meanRows: Reducer = (strip, rows, width, stepY, stepX, out) => {
  if (stepY === 1 && stepX === 1 && !isFloat(strip)) return out.set(strip);
  const outX = Math.ceil(width / stepX);
  const columns = columnsOf(width, stepX);
  const sums = new Float64Array(out.length);
  const counts = new Uint32Array(out.length);
  const float = isFloat(strip);
  for (let y = 0; y < rows; y++) {
    const base = Math.floor(y / stepY) * outX;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const value = strip[row + x]!;
      if (float && !Number.isFinite(value)) continue;
      const at = base + columns[x]!;
      sums[at] = sums[at]! + value;
      counts[at]!++;
    }
  }
  const integer = !isFloat(out);
  for (let i = 0; i < out.length; i++) {
    const mean = counts[i] ? sums[i]! / counts[i]! : 0;
    out[i] = integer ? Math.round(mean) : mean;
  }
};

const isFloat = (array: TypedArray): boolean => array instanceof Float32Array || array instanceof Float64Array;

/** Most frequent byte value of each stepY × stepX block (the lowest value on a tie). */
const modeRows: Reducer = (strip, rows, width, stepY, stepX, out) => {
  const outX = Math.ceil(width / stepX);
  const columns = columnsOf(width, stepX);
  const counts = new Uint32Array(outX * 256);
  for (let y0 = 0; y0 < rows; y0 += stepY) {
    counts.fill(0);
    for (let y = y0; y < Math.min(rows, y0 + stepY); y++)
      for (let x = 0; x < width; x++) counts[columns[x]! * 256 + strip[y * width + x]!]!++;
    const base = (y0 / stepY) * outX;
    for (let column = 0; column < outX; column++) {
      let best = 0;
      for (let v = 1; v < 256; v++) if (counts[column * 256 + v]! > counts[column * 256 + best]!) best = v;
      out[base + column] = best;
    }
  }
};
