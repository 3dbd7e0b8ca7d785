// Shapes with a known analytic surface, as volumes, for tests and benchmarks. A voxel's value is
// computed on demand from its signed distance to the true surface, so even a 1024³ phantom needs no
// memory beyond the blocks being read.
import { allocate, type Dtype, type Region, type TypedArray, type Vec3 } from '../../shared/volume';
import type { Volume } from '../volume/volume';

/** Signed distance (positive inside) of point (x, y, z) in voxel coordinates. */
export type SignedDistance = (x: number, y: number, z: number) => number;

export interface Phantom {
  name: string;
  distance: SignedDistance;
  volume: number;
  area: number;
}

export function sphere(center: Vec3, radius: number): Phantom {
  const [cx, cy, cz] = center;
  return {
    name: `sphere r=${radius}`,
    // sqrt, not Math.hypot: several times faster, and a 1024³ phantom calls it a billion times
    distance: (x, y, z) => radius - Math.sqrt((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2),
    volume: (4 / 3) * Math.PI * radius ** 3,
    area: 4 * Math.PI * radius ** 2,
  };
}

/** A capped cylinder along z. */
export function cylinder(center: Vec3, radius: number, halfLength: number): Phantom {
  const [cx, cy, cz] = center;
  return {
    name: `cylinder r=${radius} h=${2 * halfLength}`,
    distance: (x, y, z) => {
      const dr = Math.hypot(x - cx, y - cy) - radius;
      const dz = Math.abs(z - cz) - halfLength;
      const outside = Math.hypot(Math.max(dr, 0), Math.max(dz, 0));
      return -(outside + Math.min(Math.max(dr, dz), 0));
    },
    volume: Math.PI * radius ** 2 * 2 * halfLength,
    area: 2 * Math.PI * radius * 2 * halfLength + 2 * Math.PI * radius ** 2,
  };
}

/** A torus around the z axis: tube radius `minor` around a circle of radius `major`. */
export function torus(center: Vec3, major: number, minor: number): Phantom {
  const [cx, cy, cz] = center;
  return {
    name: `torus R=${major} r=${minor}`,
    distance: (x, y, z) => minor - Math.hypot(Math.hypot(x - cx, y - cy) - major, z - cz),
    volume: 2 * Math.PI ** 2 * major * minor ** 2,
    area: 4 * Math.PI ** 2 * major * minor,
  };
}

/** Union of several phantoms (keep them apart: the analytic volume and area are summed). */
export function union(parts: Phantom[]): Phantom {
  return {
    name: parts.map((p) => p.name).join(' + '),
    distance: (x, y, z) => {
      let inside = -Infinity;
      for (const part of parts) inside = Math.max(inside, part.distance(x, y, z));
      return inside;
    },
    volume: parts.reduce((s, p) => s + p.volume, 0),
    area: parts.reduce((s, p) => s + p.area, 0),
  };
}

/** A read-only volume whose voxel (z, y, x) is `value(x, y, z)`, computed when read. */
export function computedVolume(
  shape: Vec3,
  dtype: Dtype,
  value: (x: number, y: number, z: number) => number,
  voxelSize: Vec3 = [1, 1, 1],
): Volume {
  return {
    path: '(computed)',
    shape,
    dtype,
    voxelSize,
    unit: 'µm',
    chunkShape: [64, 64, 64],
    format: 'computed',
    async read(region: Region): Promise<TypedArray> {
      const [sz, sy, sx] = region.shape;
      const [z0, y0, x0] = region.start;
      if (region.start.some((s, axis) => s < 0 || s + region.shape[axis]! > shape[axis]!))
        throw new RangeError('region out of range');
      const out = allocate(dtype, sz * sy * sx);
      let i = 0;
      for (let z = 0; z < sz; z++)
        for (let y = 0; y < sy; y++) for (let x = 0; x < sx; x++) out[i++] = value(x0 + x, y0 + y, z0 + z);
      return out;
    },
    async close() {},
  };
}

/** Hash-based noise in [-1, 1) per voxel, the same whichever block reads it. */
export function voxelNoise(seed: number): (x: number, y: number, z: number) => number {
  return (x, y, z) => {
    let h = Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791) ^ seed;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) / 2147483648 - 1;
  };
}

/** Labels: 1 where the voxel centre is inside, else 0 (the ideal voxelisation). */
export function labelVolume(shape: Vec3, phantom: Phantom, voxelSize?: Vec3): Volume {
  return computedVolume(shape, 'uint8', (x, y, z) => (phantom.distance(x, y, z) > 0 ? 1 : 0), voxelSize);
}

/**
 * A classifier-like probability map: a logistic edge of width `blur` voxels across the true
 * surface (0.5 exactly on it) plus uniform noise of amplitude `noise`, clipped to [0, 1].
 */
export function probabilityVolume(
  shape: Vec3,
  phantom: Phantom,
  blur: number,
  noise: number,
  seed = 1,
  voxelSize?: Vec3,
): Volume {
  const jitter = voxelNoise(seed);
  return computedVolume(
    shape,
    'float32',
    (x, y, z) =>
      Math.min(1, Math.max(0, 1 / (1 + Math.exp(-phantom.distance(x, y, z) / blur)) + noise * jitter(x, y, z))),
    voxelSize,
  );
}
