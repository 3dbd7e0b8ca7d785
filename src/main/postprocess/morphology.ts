// Opening and closing one class by a ball, block by block. Erosion and dilation by a ball of
// radius r are thresholds of an exact Euclidean distance transform (r² against the squared distance
// to the nearest seed), so any radius costs the same. An opening's output at a voxel depends on the
// input within 2r, so each block is read with a halo of 2r; outside the volume nothing counts (an
// object is not eroded from the volume's edge, as if the scan went on).
import { cancelled } from '../../shared/errors';
import type { PostprocessStep } from '../../shared/postprocess';
import type { Region, Vec3 } from '../../shared/volume';
import { blockGrid } from '../engine/blocks';
import { clipRegion } from '../segmentation/slices';
import { copyBox } from '../volume/chunked';
import type { Progress } from '../progress';
import type { RegionWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';

type MorphologyStep = Extract<PostprocessStep, { op: 'open' | 'close' }>;

const BLOCK: Vec3 = [64, 128, 128];

/** Writes `volume` (uint8 labels) opened or closed as `step` says into `into`. */
export async function morphologyStep(
  volume: Volume,
  step: MorphologyStep,
  into: RegionWriter,
  { signal, progress }: { signal?: AbortSignal | undefined; progress?: Progress | undefined },
): Promise<void> {
  const blocks = blockGrid(volume.shape, BLOCK);
  const halo = 2 * step.radius;
  for (const [n, block] of blocks.entries()) {
    if (signal?.aborted) throw cancelled(`${step.op} cancelled`);
    const padded = grow(block, halo, volume.shape);
    const values = (await volume.read(padded)) as Uint8Array;
    // a block all of the class, or without it, stays as it is
    const mixed = values.includes(step.classValue) && values.some((v) => v !== step.classValue);
    const changed = mixed
      ? (step.op === 'open' ? open : close)(values, padded.shape, step.classValue, step.radius)
      : values;
    await into.write(block, crop(changed, padded, block));
    progress?.(n + 1, blocks.length, step.op === 'open' ? 'opening' : 'closing');
  }
}

/** The opening of `K`: voxels of K that no ball inside K covers take the value of the nearest voxel outside K. */
function open(values: Uint8Array, shape: Vec3, K: number, r: number): Uint8Array {
  const r2 = r * r;
  const toOutside = distance(shape, (i) => values[i] !== K);
  const toEroded = distance(shape, (i) => values[i] === K && toOutside[i]! > r2);
  const out = values.slice();
  const near = ballOffsets(r, shape);
  for (let i = 0; i < values.length; i++)
    if (values[i] === K && toEroded[i]! > r2) out[i] = nearestOther(values, shape, i, K, near);
  return out;
}

/** The closing of `K`: voxels that every ball outside the dilated K misses become K. */
function close(values: Uint8Array, shape: Vec3, K: number, r: number): Uint8Array {
  const r2 = r * r;
  const toClass = distance(shape, (i) => values[i] === K);
  const toOutside = distance(shape, (i) => toClass[i]! > r2);
  const out = values.slice();
  for (let i = 0; i < values.length; i++) if (values[i] !== K && toClass[i]! <= r2 && toOutside[i]! > r2) out[i] = K;
  return out;
}

/** The value of the nearest voxel not of `K` (within r of any voxel an opening removes). */
function nearestOther(values: Uint8Array, [nz, ny, nx]: Vec3, i: number, K: number, near: Vec3[]): number {
  const [z, y, x] = [Math.floor(i / (ny * nx)), Math.floor(i / nx) % ny, i % nx];
  for (const [dz, dy, dx] of near) {
    const [zz, yy, xx] = [z + dz, y + dy, x + dx];
    if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
    const value = values[(zz * ny + yy) * nx + xx]!;
    if (value !== K) return value;
  }
  return K;
}

/** Offsets within distance r, nearest first (those leaving a single-slice box left out). */
function ballOffsets(r: number, [nz]: Vec3): Vec3[] {
  const offsets: Vec3[] = [];
  const rz = nz > 1 ? r : 0;
  for (let dz = -rz; dz <= rz; dz++)
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) if (dz * dz + dy * dy + dx * dx <= r * r) offsets.push([dz, dy, dx]);
  return offsets.sort((a, b) => a[0] ** 2 + a[1] ** 2 + a[2] ** 2 - (b[0] ** 2 + b[1] ** 2 + b[2] ** 2));
}

const FAR = 1e20;

/** Squared distance from each voxel to the nearest seed (exact, separable: Felzenszwalb & Huttenlocher). */
function distance(shape: Vec3, seed: (i: number) => boolean): Float64Array {
  const d = new Float64Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < d.length; i++) d[i] = seed(i) ? 0 : FAR;
  const [nz, ny, nx] = shape;
  const longest = Math.max(...shape);
  const line = new Float64Array(longest);
  const scratch = { f: new Float64Array(longest), v: new Int32Array(longest), z: new Float64Array(longest + 1) };
  const along = (start: number, n: number, stride: number): void => {
    for (let k = 0; k < n; k++) line[k] = d[start + k * stride]!;
    transform1d(line, n, scratch);
    for (let k = 0; k < n; k++) d[start + k * stride] = line[k]!;
  };
  // the lines along x, then y, then z (a single slice has none along z)
  if (nx > 1) for (let start = 0; start < d.length; start += nx) along(start, nx, 1);
  if (ny > 1) for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) along(z * ny * nx + x, ny, nx);
  if (nz > 1) for (let start = 0; start < ny * nx; start++) along(start, nz, ny * nx);
  return d;
}

/** The 1D squared distance transform of `f[0..n)` in place: min over seeds q of (p − q)² + f(q). */
function transform1d(
  f: Float64Array,
  n: number,
  { f: g, v, z }: { f: Float64Array; v: Int32Array; z: Float64Array },
): void {
  g.set(f.subarray(0, n));
  // the lower envelope of the parabolas of the seeds (finite values) only
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (g[q]! >= FAR) continue;
    let s = -Infinity;
    while (k >= 0) {
      const p = v[k]!;
      s = (g[q]! + q * q - (g[p]! + p * p)) / (2 * (q - p));
      if (s > z[k]!) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = k === 0 ? -Infinity : s;
    z[k + 1] = Infinity;
  }
  if (k < 0) return; // no seed on this line
  for (let q = 0, j = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    f[q] = (q - p) * (q - p) + g[p]!;
  }
}

/** `region` grown by `halo` on every side, within `shape`. */
function grow({ start, shape: size }: Region, halo: number, shape: Vec3): Region {
  const grown: Region = { start: start.map((s) => s - halo) as Vec3, shape: size.map((n) => n + 2 * halo) as Vec3 };
  return clipRegion(grown, shape)!; // holds `region`, which lies in the volume
}

/** The part of `data` (laid out as `from`) that lies in `to`. */
function crop(data: Uint8Array, from: Region, to: Region): Uint8Array {
  const out = new Uint8Array(to.shape[0] * to.shape[1] * to.shape[2]);
  copyBox(data, from.start, from.shape, out, to.start, to.shape);
  return out;
}
