// Splitting a volume into blocks and reading a block with its halo. Outside the volume the halo is
// filled by mirror reflection (half-sample symmetric, like scipy's 'reflect'), so a block at the
// border sees exactly what an unblocked run sees there.
import { badInput } from '../../shared/errors';
import { type Dtype, type Region, type TypedArray, type Vec3, allocate, dtypeOf } from '../../shared/volume';
import type { Volume } from '../volume/volume';

/** Maps any integer position onto 0..n-1 by mirroring at the ends (period 2n). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - 1 - j;
}

/** How many blocks of at most `blockShape` cover a region of `shape`. */
export const blockCount = (shape: Vec3, blockShape: Vec3): number =>
  shape.reduce((count, n, a) => count * Math.ceil(n / blockShape[a]!), 1);

/**
 * The most blocks listed at once: far more than any real volume needs (8192³ in the default
 * 64 × 128 × 128 blocks is half a million), far fewer than would exhaust memory as a list.
 */
const MAX_BLOCKS = 10_000_000;

/** Blocks of at most `blockShape` covering `region` (default: the whole volume), z outermost. */
export function blockGrid(shape: Vec3, blockShape: Vec3, region: Region = { start: [0, 0, 0], shape }): Region[] {
  const count = blockCount(region.shape, blockShape);
  if (count > MAX_BLOCKS)
    throw badInput(
      `${region.shape.join(' × ')} voxels would be ${count.toExponential(2)} blocks of ${blockShape.join(' × ')}, beyond the ${MAX_BLOCKS.toExponential(0)} Tomoseg processes: check the file's shape, or crop it`,
    );
  const blocks: Region[] = [];
  const [sz, sy, sx] = region.start;
  const [ez, ey, ex] = [sz + region.shape[0], sy + region.shape[1], sx + region.shape[2]];
  for (let z = sz; z < ez; z += blockShape[0])
    for (let y = sy; y < ey; y += blockShape[1])
      for (let x = sx; x < ex; x += blockShape[2])
        blocks.push({
          start: [z, y, x],
          shape: [Math.min(blockShape[0], ez - z), Math.min(blockShape[1], ey - y), Math.min(blockShape[2], ex - x)],
        });
  return blocks;
}

/** Intensity normalisation stored in the model: (v - low) / (high - low). */
export interface Normalisation {
  low: number;
  high: number;
}

/**
 * Large arrays kept for reuse (reads, padded blocks coming back from the workers): filling memory
 * again is several times cheaper than faulting in the fresh pages of a new large typed array.
 * Each is borrowed by one user at a time, so concurrent reads never share one.
 */
const spare: TypedArray[] = [];
const MAX_SPARE = 6;

/** A `length` array of `dtype`: a view at the start of the smallest kept one that fits, if any. */
export function borrow(dtype: Dtype, length: number): TypedArray {
  let best = -1;
  spare.forEach((a, i) => {
    if (a.length >= length && dtypeOf(a) === dtype && (best < 0 || a.length < spare[best]!.length)) best = i;
  });
  const whole = best >= 0 ? spare.splice(best, 1)[0]! : allocate(dtype, length);
  return whole.subarray(0, length);
}

/** Keeps `array`'s buffer for a later `borrow`; the caller no longer uses it. */
export function giveBack(array: TypedArray): void {
  const whole = array.constructor as new (buffer: ArrayBufferLike) => TypedArray;
  spare.push(new whole(array.buffer));
  if (spare.length > MAX_SPARE) spare.shift();
}

/**
 * Reads `region` plus `halo` voxels on every side, normalised to float32, into `into` if given
 * (exactly the padded size). Only the part inside the volume is read; the rest is mirrored. A NaN
 * or infinite voxel is refused, naming where it is.
 */
export async function readPadded(
  volume: Volume,
  region: Region,
  halo: number,
  normalisation: Normalisation,
  into?: Float32Array,
): Promise<{ data: Float32Array; shape: Vec3 }> {
  const padded: Vec3 = [region.shape[0] + 2 * halo, region.shape[1] + 2 * halo, region.shape[2] + 2 * halo];
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  const maps: Int32Array[] = [];
  for (let a = 0; a < 3; a++) {
    const n = volume.shape[a]!;
    const first = region.start[a]! - halo;
    const map = new Int32Array(padded[a]!);
    for (let i = 0; i < map.length; i++) map[i] = reflectIndex(first + i, n);
    lo[a] = Math.min(...map);
    hi[a] = Math.max(...map) + 1;
    for (let i = 0; i < map.length; i++) map[i] = map[i]! - lo[a]!;
    maps.push(map);
  }
  const readShape: Vec3 = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const count = readShape[0] * readShape[1] * readShape[2];
  const borrowed = borrow(volume.dtype, count);
  const raw = await volume.read({ start: lo, shape: readShape }, borrowed);
  // One native conversion (exact for the dtype), so the copy below reads at most two array types
  // whatever the volume's dtype: a typed-array read that sees many types is several times slower.
  const wide = raw instanceof Float64Array || raw instanceof Uint32Array || raw instanceof Int32Array;
  const values =
    raw instanceof Float32Array ? raw : (borrow(wide ? 'float64' : 'float32', count) as Float32Array | Float64Array);
  if (values !== raw) values.set(raw);
  try {
    if (raw instanceof Float32Array || raw instanceof Float64Array) {
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i]!)) {
          const x = i % readShape[2];
          const y = Math.floor(i / readShape[2]) % readShape[1];
          const z = Math.floor(i / (readShape[1] * readShape[2]));
          throw badInput(
            `${volume.path} has a ${String(values[i])} voxel at (z, y, x) = (${lo[0] + z}, ${lo[1] + y}, ${lo[2] + x}); NaN and infinite values cannot be segmented`,
          );
        }
      }
    }
    const data = into ?? new Float32Array(padded[0] * padded[1] * padded[2]);
    if (data.length !== padded[0] * padded[1] * padded[2])
      throw new RangeError(`readPadded: ${data.length} values do not fit a ${padded.join('×')} block`);
    copyMapped(values, readShape, maps as [Int32Array, Int32Array, Int32Array], normalisation, data);
    return { data, shape: padded };
  } finally {
    if (values !== raw) giveBack(values);
    giveBack(borrowed); // (a volume that returned another array than `into` leaves it unused)
  }
}

/**
 * data[z][y][x] = (values[mz[z]][my[y]][mx[x]] - low) / (high - low). Along x the map is the
 * identity plus an offset except in the mirrored margins, so the middle of each row is a plain
 * strided copy.
 */
function copyMapped(
  values: Float32Array | Float64Array,
  readShape: Vec3,
  [mz, my, mx]: [Int32Array, Int32Array, Int32Array],
  { low, high }: Normalisation,
  data: Float32Array,
): void {
  const factor = 1 / (high - low);
  const nx = mx.length;
  // the longest run of x where mx[x] = mx[begin] + (x - begin)
  let begin = 0;
  let end = 0;
  for (let x = 0; x < nx;) {
    let e = x + 1;
    while (e < nx && mx[e] === mx[e - 1]! + 1) e++;
    if (e - x > end - begin) [begin, end] = [x, e];
    x = e;
  }
  const shift = mx[begin]! - begin;
  let o = 0;
  for (let z = 0; z < mz.length; z++) {
    const zBase = mz[z]! * readShape[1];
    for (let y = 0; y < my.length; y++, o += nx) {
      const base = (zBase + my[y]!) * readShape[2];
      for (let x = 0; x < begin; x++) data[o + x] = (values[base + mx[x]!]! - low) * factor;
      const from = base + shift;
      for (let x = begin; x < end; x++) data[o + x] = (values[from + x]! - low) * factor;
      for (let x = end; x < nx; x++) data[o + x] = (values[base + mx[x]!]! - low) * factor;
    }
  }
}
