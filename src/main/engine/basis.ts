// The fixed steerable basis: Gaussian derivatives up to order 2 at a few scales (smoothing with
// separable 1D passes, then differences). Derivatives are scale-normalised (order n times
// sigma^n) so the responses of all scales have comparable magnitudes.
import type { Vec3 } from '../../shared/volume';

/** Channels per scale, in this order: g, gz, gy, gx, hzz, hyy, hxx, hzy, hzx, hyx. */
export const CHANNELS_PER_SCALE = 10;
export const CHANNEL_NAMES = ['g', 'gz', 'gy', 'gx', 'hzz', 'hyy', 'hxx', 'hzy', 'hzx', 'hyx'] as const;

/** Kernel radius for a scale: 3 sigma, the usual truncation of a Gaussian. */
export const kernelRadius = (sigma: number): number => Math.ceil(3 * sigma);

/** The halo a block needs so its interior matches an unblocked run exactly (kernel + difference). */
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
 * One 1D correlation with a symmetric half-kernel along `axis` that also crops `crop` voxels from
 * both ends of that axis. The z and y passes run along whole contiguous x rows.
 */
export function correlateAxis(
  input: Float32Array,
  inShape: Vec3,
  axis: 0 | 1 | 2,
  half: Float32Array,
  crop: number,
  out: Float32Array,
): Vec3 {
  const outShape: Vec3 = [...inShape];
  outShape[axis] -= 2 * crop;
  const r = half.length - 1;
  const [nz, ny, nx] = outShape;
  const inStride = strides(inShape);
  const w0 = half[0]!;
  if (axis === 2) {
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const inBase = z * inStride[0] + y * inStride[1] + crop;
        const outBase = (z * ny + y) * nx;
        for (let x = 0; x < nx; x++) {
          const c = inBase + x;
          let acc = w0 * input[c]!;
          for (let k = 1; k <= r; k++) acc += half[k]! * (input[c + k]! + input[c - k]!);
          out[outBase + x] = acc;
        }
      }
    }
    return outShape;
  }
  const step = inStride[axis];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const c = (axis === 0 ? z + crop : z) * inStride[0] + (axis === 1 ? y + crop : y) * inStride[1];
      const o = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) out[o + x] = w0 * input[c + x]!;
      for (let k = 1; k <= r; k++) {
        const w = half[k]!;
        const plus = c + k * step;
        const minus = c - k * step;
        for (let x = 0; x < nx; x++) out[o + x]! += w * (input[plus + x]! + input[minus + x]!);
      }
    }
  }
  return outShape;
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
  axisOrder: readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2] = [0, 1, 2],
): Basis {
  const { shape, ring, smoothed } = smoothRings(input, paddedShape, halo, scales, axisOrder);
  const channels = smoothed.flatMap((g, s) => differences(g, ring, scales[s]!));
  return { shape, scales, channels };
}

/** Each scale's Gaussian-smoothed block, on its interior plus a one-voxel ring (`ring` shape). */
export interface SmoothedRings {
  /** The interior shape: the input shape less the halo on each side. */
  shape: Vec3;
  ring: Vec3;
  smoothed: Float32Array[];
}

/** The smoothing half of `computeBasis`: three 1D passes per scale, in `axisOrder`. */
export function smoothRings(
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  scales: readonly number[],
  axisOrder: readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2] = [0, 1, 2],
): SmoothedRings {
  if (halo < basisHalo(scales))
    throw new RangeError(`halo ${halo} is smaller than the basis needs (${basisHalo(scales)})`);
  const shape: Vec3 = [paddedShape[0] - 2 * halo, paddedShape[1] - 2 * halo, paddedShape[2] - 2 * halo];
  if (shape.some((n) => n < 1)) throw new RangeError('padded block is smaller than its halo');
  const crop = halo - 1;
  const ring: Vec3 = [shape[0] + 2, shape[1] + 2, shape[2] + 2];
  const sizes: Vec3[] = [];
  let current: Vec3 = [...paddedShape];
  for (const axis of axisOrder) {
    current = [...current];
    current[axis] = ring[axis];
    sizes.push(current);
  }
  const buffers = sizes.slice(0, 2).map((s) => new Float32Array(s[0] * s[1] * s[2]));
  const smoothed: Float32Array[] = [];
  for (const sigma of scales) {
    const kernel = gaussianHalfKernel(sigma);
    const out = new Float32Array(ring[0] * ring[1] * ring[2]);
    let src = input;
    let srcShape = paddedShape;
    axisOrder.forEach((axis, i) => {
      const dst = i < 2 ? buffers[i]! : out;
      correlateAxis(src, srcShape, axis, kernel, crop, dst);
      src = dst;
      srcShape = sizes[i]!;
    });
    smoothed.push(out);
  }
  return { shape, ring, smoothed };
}

/** The 10 channels on the interior from a block smoothed one voxel beyond it (`ring` shape). */
function differences(g: Float32Array, ring: Vec3, sigma: number): Float32Array[] {
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
  const d1 = sigma / 2; // central difference, scale-normalised
  const d2 = sigma * sigma;
  const dm = (sigma * sigma) / 4;
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
        cz[o] = (zp - zm) * d1;
        cy[o] = (yp - ym) * d1;
        cx[o] = (xp - xm) * d1;
        czz[o] = (zp - 2 * v + zm) * d2;
        cyy[o] = (yp - 2 * v + ym) * d2;
        cxx[o] = (xp - 2 * v + xm) * d2;
        czy[o] = (g[i + sz + sy]! - g[i + sz - sy]! - g[i - sz + sy]! + g[i - sz - sy]!) * dm;
        czx[o] = (g[i + sz + 1]! - g[i + sz - 1]! - g[i - sz + 1]! + g[i - sz - 1]!) * dm;
        cyx[o] = (g[i + sy + 1]! - g[i + sy - 1]! - g[i - sy + 1]! + g[i - sy - 1]!) * dm;
      }
    }
  return out;
}
