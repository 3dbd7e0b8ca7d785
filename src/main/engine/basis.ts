// The fixed steerable basis: Gaussian derivatives up to order 2 at a few scales (smoothing with
// separable 1D passes, then differences). Derivatives are scale-normalised (order n times
// sigma^n) so the responses of all scales have comparable magnitudes. Scales are in units of the
// shortest voxel edge; along a longer edge (`aspect` times as long) the Gaussian is that many
// voxels narrower and the differences are divided by the edge, so on voxels that are not cubes
// the basis is the same as on cubes of the same physical scene.
import type { Vec3 } from '../../shared/volume';

/** Channels per scale, in this order: g, gz, gy, gx, hzz, hyy, hxx, hzy, hzx, hyx. */
export const CHANNELS_PER_SCALE = 10;
export const CHANNEL_NAMES = ['g', 'gz', 'gy', 'gx', 'hzz', 'hyy', 'hxx', 'hzy', 'hzx', 'hyx'] as const;

/** Voxel edges (z, y, x) relative to the shortest, each ≥ 1 (see voxelAspect). */
export type Aspect = Vec3;
export const CUBIC: Aspect = [1, 1, 1];

/** Kernel radius for a scale: 3 sigma, the usual truncation of a Gaussian. */
export const kernelRadius = (sigma: number): number => Math.ceil(3 * sigma);

/**
 * The halo a block needs so its interior matches an unblocked run exactly (kernel + difference),
 * on every axis: the widest kernel is along the shortest edge.
 */
export const basisHalo = (scales: readonly number[]): number => Math.max(...scales.map(kernelRadius)) + 1;

/** Half-kernel (offsets 0..r) of the sampled Gaussian, normalised to sum 1 over -r..r. */
export function gaussianHalfKernel(sigma: number): Float32Array {
  const r = kernelRadius(sigma);
  const g = new Float64Array(r + 1);
  for (let k = 0; k <= r; k++) g[k] = Math.exp((-k * k) / (2 * sigma * sigma));
  const sum = g.reduce((acc, v, k) => acc + (k === 0 ? v : 2 * v), 0);
  return Float32Array.from(g, (v) => v / sum);
}

const strides = (shape: Vec3): Vec3 => [shape[1] * shape[2], shape[2], 1];

/**
 * One 1D correlation with a symmetric half-kernel along `axis`. `crop` voxels are dropped from
 * both ends of each axis (a number: along `axis` only); along `axis` the crop must cover the
 * kernel radius. Every pass runs along whole contiguous x rows (see `correlateRow`).
 */
export function correlateAxis(
  input: Float32Array,
  inShape: Vec3,
  axis: 0 | 1 | 2,
  half: Float32Array,
  crop: number | Vec3,
  out: Float32Array,
): Vec3 {
  const margin: Vec3 = typeof crop === 'number' ? [0, 0, 0] : crop;
  if (typeof crop === 'number') margin[axis] = crop;
  if (margin[axis] < half.length - 1)
    throw new RangeError('the crop along the filtered axis is less than the kernel radius');
  const outShape: Vec3 = [inShape[0] - 2 * margin[0], inShape[1] - 2 * margin[1], inShape[2] - 2 * margin[2]];
  const [nz, ny, nx] = outShape;
  const inStride = strides(inShape);
  const step = inStride[axis];
  const acc = new Float64Array(nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const c = (z + margin[0]) * inStride[0] + (y + margin[1]) * inStride[1] + margin[2];
      correlateRow(input, c, step, half, nx, out, (z * ny + y) * nx, acc);
    }
  return outShape;
}

/**
 * out[o + t] = sum over k of half[|k|] * input[c + t + k * step], for t < n. The taps are applied
 * in sweeps along the row, several per sweep, summed in double in `acc`: contiguous loads, few
 * stores, and one rounding to float32 at the end.
 */
function correlateRow(
  input: Float32Array,
  c: number,
  step: number,
  half: Float32Array,
  n: number,
  out: Float32Array,
  o: number,
  acc: Float64Array,
): void {
  const r = half.length - 1;
  let k = 1;
  const w0 = half[0]!;
  if (r >= 2) {
    const [w1, w2] = [half[1]!, half[2]!];
    const [p1, m1, p2, m2] = [c + step, c - step, c + 2 * step, c - 2 * step];
    for (let t = 0; t < n; t++)
      acc[t] = w0 * input[c + t]! + w1 * (input[p1 + t]! + input[m1 + t]!) + w2 * (input[p2 + t]! + input[m2 + t]!);
    k = 3;
  } else for (let t = 0; t < n; t++) acc[t] = w0 * input[c + t]!;
  for (; k + 3 <= r; k += 4) {
    const [w1, w2, w3, w4] = [half[k]!, half[k + 1]!, half[k + 2]!, half[k + 3]!];
    const [p1, m1] = [c + k * step, c - k * step];
    const [p2, m2, p3, m3, p4, m4] = [p1 + step, m1 - step, p1 + 2 * step, m1 - 2 * step, p1 + 3 * step, m1 - 3 * step];
    for (let t = 0; t < n; t++)
      acc[t]! +=
        w1 * (input[p1 + t]! + input[m1 + t]!) +
        w2 * (input[p2 + t]! + input[m2 + t]!) +
        w3 * (input[p3 + t]! + input[m3 + t]!) +
        w4 * (input[p4 + t]! + input[m4 + t]!);
  }
  for (; k + 1 <= r; k += 2) {
    const [w1, w2] = [half[k]!, half[k + 1]!];
    const [p1, m1, p2, m2] = [c + k * step, c - k * step, c + (k + 1) * step, c - (k + 1) * step];
    for (let t = 0; t < n; t++)
      acc[t]! += w1 * (input[p1 + t]! + input[m1 + t]!) + w2 * (input[p2 + t]! + input[m2 + t]!);
  }
  if (k <= r) {
    const w1 = half[k]!;
    const [p1, m1] = [c + k * step, c - k * step];
    for (let t = 0; t < n; t++) acc[t]! += w1 * (input[p1 + t]! + input[m1 + t]!);
  }
  for (let t = 0; t < n; t++) out[o + t] = acc[t]!;
}

export interface Basis {
  /** Shape of every channel: the input shape less the halo on each side. */
  shape: Vec3;
  scales: readonly number[];
  /** channels[s * CHANNELS_PER_SCALE + c]: channel c of scale s, C order. */
  channels: Float32Array[];
}

/**
 * The basis of a padded block: `input` has `halo` extra voxels on each side of every axis (filled
 * from the volume or by reflection at its border). Per scale the block is smoothed with three 1D
 * Gaussian passes (to one voxel beyond the interior), and the derivatives are central differences
 * of the smoothed block: 3 passes per scale instead of 19 (one per derivative kernel), which is
 * what makes the CPU path fast. The difference operators commute with 90° rotations and flips,
 * and at sigma >= 1 they are close to the sampled Gaussian derivatives.
 * The passes run in `axisOrder`; the default z, y, x is what whole-volume prediction uses, so
 * blocked and unblocked runs agree bit for bit. A thin region (one slice) is cheaper with its thin
 * axis first.
 */
export function computeBasis(
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  scales: readonly number[],
  aspect: Aspect = CUBIC,
  axisOrder: readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2] = [0, 1, 2],
): Basis {
  const { shape, ring, smoothed } = smoothRings(input, paddedShape, halo, scales, aspect, axisOrder);
  const channels = smoothed.flatMap((g, s) => differences(g, ring, scales[s]!, aspect));
  return { shape, scales, channels };
}

/** Each scale's Gaussian-smoothed block, on its interior plus a one-voxel ring (`ring` shape). */
export interface SmoothedRings {
  /** The interior shape: the input shape less the halo on each side. */
  shape: Vec3;
  ring: Vec3;
  smoothed: Float32Array[];
}

/**
 * The smoothing half of `computeBasis`: three 1D passes per scale, in `axisOrder`. Given a
 * `workspace` (an array kept between calls), its buffers are reused, and the smoothed scales
 * returned are views into it, valid until the next call with the same workspace.
 */
export function smoothRings(
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  scales: readonly number[],
  aspect: Aspect = CUBIC,
  axisOrder: readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2] = [0, 1, 2],
  workspace: Float32Array[] = [],
): SmoothedRings {
  if (!aspect.every((a) => a >= 1)) throw new RangeError(`aspect ${aspect.join(', ')} has an edge below 1`);
  if (halo < basisHalo(scales))
    throw new RangeError(`halo ${halo} is smaller than the basis needs (${basisHalo(scales)})`);
  const shape: Vec3 = [paddedShape[0] - 2 * halo, paddedShape[1] - 2 * halo, paddedShape[2] - 2 * halo];
  if (shape.some((n) => n < 1)) throw new RangeError('padded block is smaller than its halo');
  const ring: Vec3 = [shape[0] + 2, shape[1] + 2, shape[2] + 2];
  // Per scale, only the box its kernel reaches from the ring is filtered: ring + 2r on the axes
  // still to be filtered, the ring on those done.
  const passes = scales.map((sigma) => {
    const kernels = aspect.map((a) => gaussianHalfKernel(sigma / a));
    const r = kernels.map((k) => k.length - 1) as Vec3;
    let current: Vec3 = [ring[0] + 2 * r[0], ring[1] + 2 * r[1], ring[2] + 2 * r[2]];
    const first: Vec3 = [halo - 1 - r[0], halo - 1 - r[1], halo - 1 - r[2]];
    return axisOrder.map((axis, i) => {
      const crop: Vec3 = i === 0 ? first : [0, 0, 0];
      crop[axis] += r[axis];
      current = [...current];
      current[axis] = ring[axis];
      return { axis, crop, kernel: kernels[axis]!, size: current[0] * current[1] * current[2] };
    });
  });
  const buffer = (i: number, size: number): Float32Array => {
    if ((workspace[i]?.length ?? -1) < size) workspace[i] = new Float32Array(size);
    return workspace[i]!.subarray(0, size);
  };
  const buffers = [0, 1].map((i) => buffer(i, Math.max(...passes.map((p) => p[i]!.size))));
  const smoothed: Float32Array[] = [];
  scales.forEach((_, s) => {
    const out = buffer(2 + s, ring[0] * ring[1] * ring[2]);
    let src = input;
    let srcShape = paddedShape;
    passes[s]!.forEach(({ axis, crop, kernel }, i) => {
      const dst = i < 2 ? buffers[i]! : out;
      srcShape = correlateAxis(src, srcShape, axis, kernel, crop, dst);
      src = dst;
    });
    smoothed.push(out);
  });
  return { shape, ring, smoothed };
}

/** The 10 channels on the interior from a block smoothed one voxel beyond it (`ring` shape). */
function differences(g: Float32Array, ring: Vec3, sigma: number, aspect: Aspect): Float32Array[] {
  const [nz, ny, nx] = [ring[0] - 2, ring[1] - 2, ring[2] - 2];
  const n = nz * ny * nx;
  const out = Array.from({ length: CHANNELS_PER_SCALE }, () => new Float32Array(n));
  const [c0, cz, cy, cx, czz, cyy, cxx, czy, czx, cyx] = out as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const sy = ring[2];
  const sz = ring[1] * ring[2];
  // central differences, scale-normalised, per physical length along each axis
  const [d1z, d1y, d1x] = aspect.map((a) => sigma / 2 / a);
  const [d2z, d2y, d2x] = aspect.map((a) => (sigma * sigma) / (a * a));
  const [az, ay, ax] = aspect;
  const [dzy, dzx, dyx] = [az * ay, az * ax, ay * ax].map((a) => (sigma * sigma) / 4 / a);
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      let i = (z + 1) * sz + (y + 1) * sy + 1;
      for (let x = 0; x < nx; x++, i++, o++) {
        const v = g[i]!;
        const zp = g[i + sz]!;
        const zm = g[i - sz]!;
        const yp = g[i + sy]!;
        const ym = g[i - sy]!;
        const xp = g[i + 1]!;
        const xm = g[i - 1]!;
        c0[o] = v;
        cz[o] = (zp - zm) * d1z!;
        cy[o] = (yp - ym) * d1y!;
        cx[o] = (xp - xm) * d1x!;
        czz[o] = (zp - 2 * v + zm) * d2z!;
        cyy[o] = (yp - 2 * v + ym) * d2y!;
        cxx[o] = (xp - 2 * v + xm) * d2x!;
        czy[o] = (g[i + sz + sy]! - g[i + sz - sy]! - g[i - sz + sy]! + g[i - sz - sy]!) * dzy!;
        czx[o] = (g[i + sz + 1]! - g[i + sz - 1]! - g[i - sz + 1]! + g[i - sz - 1]!) * dzx!;
        cyx[o] = (g[i + sy + 1]! - g[i + sy - 1]! - g[i - sy + 1]! + g[i - sy - 1]!) * dyx!;
      }
    }
  return out;
}
