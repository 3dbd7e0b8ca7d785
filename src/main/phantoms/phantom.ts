import type { Vec3 } from '../../shared/volume';
import { correlateAxis, gaussianHalfKernel, kernelRadius } from '../engine/basis';
import { readPadded } from '../engine/blocks';
import { MemoryVolume } from '../engine/memory-volume';
import { Random } from '../engine/random';

export const PHANTOM_KINDS = ['fibres-pores', 'rotated-fibres', 'binary'] as const;
export type PhantomKind = (typeof PHANTOM_KINDS)[number];

export interface Phantom {
  kind: PhantomKind;
  shape: Vec3;
  /** The scan: uint16 grey values as a detector would give them. */
  image: Uint16Array;
  /** The true class of every voxel, 1..K. */
  truth: Uint8Array;
  classNames: string[];
  /** The classes (1..K) told apart only by shape: the same grey value as another class. */
  shapeClasses: number[];
}

const MATRIX = 0.7;
const DARK = 0.3;

/** What sets how hard a phantom is; the defaults are the benchmark's standard phantoms. */
export interface PhantomSettings {
  /** Standard deviation of the detector noise, in units of the full grey range (matrix 0.7, dark 0.3). */
  noise: number;
  fibreRadius: number;
  /** Pore radii are drawn uniformly from this range. */
  poreRadius: [number, number];
}

export const STANDARD_PHANTOM: PhantomSettings = { noise: 0.07, fibreRadius: 2.2, poreRadius: [3.5, 5.5] };

/** A tomogram-like phantom: ideal structure, then blur, cupping, ring artifacts and noise. */
export async function makePhantom(
  kind: PhantomKind,
  shape: Vec3,
  seed = 1,
  settings: Partial<PhantomSettings> = {},
): Promise<Phantom> {
  const { noise, fibreRadius, poreRadius } = { ...STANDARD_PHANTOM, ...settings };
  const random = new Random(seed);
  const n = shape[0] * shape[1] * shape[2];
  const truth = new Uint8Array(n).fill(1);
  let ideal: Float32Array;
  let classNames: string[];
  let shapeClasses: number[] = [];
  if (kind === 'binary') {
    classNames = ['phase a', 'phase b'];
    const field = new Float32Array(n);
    for (let i = 0; i < n; i++) field[i] = random.normal();
    const smooth = await blur(field, shape, 2.5);
    ideal = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const b = smooth[i]! > 0;
      truth[i] = b ? 2 : 1;
      ideal[i] = b ? 0.62 : 0.38;
    }
  } else {
    classNames = ['matrix', 'fibre', 'pore'];
    shapeClasses = [2, 3];
    const volume = shape[0] * shape[1] * shape[2];
    const longest = Math.max(...shape);
    // about 10 % fibres and 8 % pores by volume
    const fibres = Math.round((0.1 * volume) / (Math.PI * fibreRadius ** 2 * longest));
    const aligned = kind === 'rotated-fibres' ? Math.floor(shape[0] / 4) : 0;
    for (let f = 0; f < fibres; f++) {
      const centre: Vec3 = [random.next() * shape[0], random.next() * shape[1], random.next() * shape[2]];
      let direction = randomDirection(random);
      let zRange: [number, number] = [0, shape[0]];
      if (aligned > 0) {
        const inAligned = f < fibres / 4;
        zRange = inAligned ? [0, aligned] : [aligned, shape[0]];
        centre[0] = zRange[0] + random.next() * (zRange[1] - zRange[0]);
        if (inAligned) direction = normalise([random.normal() * 0.05, random.normal() * 0.05, 1]);
      }
      stampCapsule(truth, shape, centre, direction, longest, fibreRadius, 2, zRange);
    }
    const meanPoreRadius = (poreRadius[0] + poreRadius[1]) / 2;
    const pores = Math.round((0.08 * volume) / ((4 / 3) * Math.PI * meanPoreRadius ** 3));
    for (let p = 0; p < pores; p++) {
      const centre: Vec3 = [random.next() * shape[0], random.next() * shape[1], random.next() * shape[2]];
      const radius = poreRadius[0] + (poreRadius[1] - poreRadius[0]) * random.next();
      stampCapsule(truth, shape, centre, [0, 0, 1], 0, radius, 3, [0, shape[0]]);
    }
    ideal = new Float32Array(n);
    for (let i = 0; i < n; i++) ideal[i] = truth[i] === 1 ? MATRIX : DARK;
  }
  const image = await degrade(ideal, shape, random, noise);
  return { kind, shape, image, truth, classNames, shapeClasses };
}

function randomDirection(random: Random): Vec3 {
  return normalise([random.normal(), random.normal(), random.normal()]);
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Sets `value` on every voxel within `radius` of the segment centre ± direction·length/2. */
function stampCapsule(
  truth: Uint8Array,
  shape: Vec3,
  centre: Vec3,
  direction: Vec3,
  length: number,
  radius: number,
  value: number,
  zRange: [number, number],
): void {
  const [nz, ny, nx] = shape;
  const r = Math.ceil(radius);
  const steps = Math.max(1, Math.ceil(length / 0.5));
  for (let s = 0; s <= steps; s++) {
    const t = steps === 1 && length === 0 ? 0 : (s / steps - 0.5) * length;
    const p: Vec3 = [centre[0] + t * direction[0], centre[1] + t * direction[1], centre[2] + t * direction[2]];
    for (let z = Math.max(zRange[0], Math.floor(p[0] - r)); z <= Math.min(zRange[1] - 1, Math.ceil(p[0] + r)); z++)
      for (let y = Math.max(0, Math.floor(p[1] - r)); y <= Math.min(ny - 1, Math.ceil(p[1] + r)); y++)
        for (let x = Math.max(0, Math.floor(p[2] - r)); x <= Math.min(nx - 1, Math.ceil(p[2] + r)); x++) {
          if (z >= nz) continue;
          if ((z - p[0]) ** 2 + (y - p[1]) ** 2 + (x - p[2]) ** 2 <= radius * radius)
            truth[(z * ny + y) * nx + x] = value;
        }
  }
}

/** Gaussian blur with mirrored borders, via the engine's separable passes. */
async function blur(data: Float32Array, shape: Vec3, sigma: number): Promise<Float32Array> {
  const halo = kernelRadius(sigma);
  const padded = await readPadded(new MemoryVolume(data, shape), { start: [0, 0, 0], shape }, halo, {
    low: 0,
    high: 1,
  });
  const kernel = gaussianHalfKernel(sigma);
  let current = padded.data;
  let currentShape = padded.shape;
  for (const axis of [0, 1, 2] as const) {
    const outShape: Vec3 = [...currentShape];
    outShape[axis] -= 2 * halo;
    const out = new Float32Array(outShape[0] * outShape[1] * outShape[2]);
    correlateAxis(current, currentShape, axis, kernel, halo, out);
    current = out;
    currentShape = outShape;
  }
  return current;
}

/** Scanner effects: blur (sigma 1), cupping, ring artifacts around the rotation axis, noise. */
async function degrade(ideal: Float32Array, shape: Vec3, random: Random, noise: number): Promise<Uint16Array> {
  const blurred = await blur(ideal, shape, 1);
  const [nz, ny, nx] = shape;
  const cy = (ny - 1) / 2;
  const cx = (nx - 1) / 2;
  const maxRadius = Math.hypot(cy, cx) + 1;
  const rings = new Float32Array(Math.ceil(maxRadius) + 1);
  for (let i = 0; i < rings.length; i++) rings[i] = random.next() < 0.15 ? random.normal() * 0.04 : 0;
  const image = new Uint16Array(ideal.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x;
        const radius = Math.hypot(y - cy, x - cx);
        const cupping = -0.08 * (1 - (radius / maxRadius) ** 2);
        const v = blurred[i]! + cupping + rings[Math.round(radius)]! + random.normal() * noise;
        image[i] = Math.max(0, Math.min(65535, Math.round(5000 + v * 40000)));
      }
  return image;
}
