// Picking in the 3D view as a pure model: where a ray from the eye through the clicked pixel first
// meets what the view shows (the mesh, the volume where its transfer function makes it visible, or
// a slice plane), and the voxel there. The view turns the click into the ray (usePick3D).
import type { MeshData, VolumeOverview } from '../../../shared/api';
import type { Vec3 } from '../../../shared/volume';
import { opacityUnitDistance } from './transfer-function';

/** World coordinates (x, y, z) in the volume's physical unit; voxel (0, 0, 0)'s centre is at 0. */
export type Point = [number, number, number];

/** Points `origin + t · direction` for t ≥ 0. */
export interface Ray {
  origin: Point;
  direction: Point;
}

/** A volume as the view renders it: its overview and the opacity its transfer function gives. */
export interface ShownVolume {
  overview: VolumeOverview;
  /** Intensity → opacity per `opacityUnitDistance` crossed, piecewise linear (vtk's scalar opacity). */
  opacities: [number, number][];
  /** Sampled at the nearest voxel (labels), else trilinearly. */
  nearest: boolean;
  /** Drawn over everything else (the painted labels): where the ray meets it, it takes the click. */
  onTop?: boolean;
}

/** What a click can land on; `planes` is the cursor the slice planes go through, null if hidden. */
export interface Scene {
  shape: Vec3;
  voxelSize: Vec3;
  volumes: ShownVolume[];
  mesh: MeshData | null;
  planes: Vec3 | null;
}

/**
 * Opacity gathered along the ray at which a pixel shows the volume: reached at the first voxel of
 * a solid material, a little deeper into a faint cloud, never in what is left transparent.
 */
export const VISIBLE_OPACITY = 0.3;

export const pointAt = ({ origin, direction }: Ray, t: number): Point =>
  origin.map((o, a) => o + t * direction[a]!) as Point;

/** Where the ray enters and leaves the box [low, high] (entry clipped to t = 0); null if it misses. */
export function rayBox({ origin, direction }: Ray, low: Point, high: Point): [number, number] | null {
  let near = 0;
  let far = Infinity;
  for (let a = 0; a < 3; a++) {
    const [o, d] = [origin[a]!, direction[a]!];
    if (d === 0) {
      if (o < low[a]! || o > high[a]!) return null;
      continue;
    }
    const [t0, t1] = [(low[a]! - o) / d, (high[a]! - o) / d];
    near = Math.max(near, Math.min(t0, t1));
    far = Math.min(far, Math.max(t0, t1));
    if (near > far) return null;
  }
  return [near, far];
}

/** A piecewise-linear function's value at `x`, its end values beyond its points (as vtk clamps). */
export function piecewise(points: [number, number][], x: number): number {
  if (points.length === 0) return 0;
  if (x <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    if (x <= x1) {
      const [x0, y0] = points[i - 1]!;
      return x1 > x0 ? y0 + ((x - x0) / (x1 - x0)) * (y1 - y0) : y1;
    }
  }
  return points[points.length - 1]![1];
}

/** The overview's value at continuous voxel coordinates (x, y, z), inside its bounds. */
function sample({ shape, data }: VolumeOverview, [x, y, z]: Point, nearest: boolean): number {
  const [nz, ny, nx] = shape;
  const at = (i: number, j: number, k: number): number => data[(k * ny + j) * nx + i]!;
  if (nearest) return at(Math.round(x), Math.round(y), Math.round(z));
  const [i, j, k] = [Math.min(Math.floor(x), nx - 2), Math.min(Math.floor(y), ny - 2), Math.min(Math.floor(z), nz - 2)];
  // One voxel thick along an axis: nothing to blend along it.
  const [i0, j0, k0] = [Math.max(i, 0), Math.max(j, 0), Math.max(k, 0)];
  const [i1, j1, k1] = [Math.min(i0 + 1, nx - 1), Math.min(j0 + 1, ny - 1), Math.min(k0 + 1, nz - 1)];
  const [fx, fy, fz] = [x - i0, y - j0, z - k0].map((f) => Math.min(1, Math.max(0, f))) as Point;
  const line = (j: number, k: number): number => at(i0, j, k) * (1 - fx) + at(i1, j, k) * fx;
  const plane = (k: number): number => line(j0, k) * (1 - fy) + line(j1, k) * fy;
  return plane(k0) * (1 - fz) + plane(k1) * fz;
}

/**
 * Where along the ray the volume becomes visible: the opacity gathered front to back, as the
 * renderer composites it, reaches VISIBLE_OPACITY; null if it does not before `until`.
 */
export function volumeHit(ray: Ray, { overview, opacities, nearest }: ShownVolume, until = Infinity): number | null {
  const spacing: Point = [overview.voxelSize[2], overview.voxelSize[1], overview.voxelSize[0]];
  const low: Point = [overview.origin[2], overview.origin[1], overview.origin[0]];
  const dims: Point = [overview.shape[2], overview.shape[1], overview.shape[0]];
  const high = low.map((l, a) => l + (dims[a]! - 1) * spacing[a]!) as Point;
  const span = rayBox(ray, low, high);
  if (!span) return null;
  // Half a voxel per step, so that no voxel is skipped.
  const length = Math.hypot(...ray.direction);
  const step = Math.min(...spacing) / 2 / length;
  const exponent = (step * length) / opacityUnitDistance(spacing);
  const end = Math.min(span[1], until);
  let transparency = 1;
  for (let t = span[0]; t <= end; t += step) {
    const voxel = pointAt(ray, t).map((p, a) => (p - low[a]!) / spacing[a]!) as Point;
    const opacity = Math.min(1, Math.max(0, piecewise(opacities, sample(overview, voxel, nearest))));
    transparency *= (1 - opacity) ** exponent;
    if (1 - transparency >= VISIBLE_OPACITY) return t;
  }
  return null;
}

/** The nearest triangle the ray crosses, from either side (Möller–Trumbore); null if none. */
export function meshHit(
  { origin, direction }: Ray,
  { positions, triangles }: Pick<MeshData, 'positions' | 'triangles'>,
): number | null {
  let best: number | null = null;
  const vertex = (index: number): Point => [
    positions[3 * index]!,
    positions[3 * index + 1]!,
    positions[3 * index + 2]!,
  ];
  const sub = (a: Point, b: Point): Point => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const cross = (a: Point, b: Point): Point => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const dot = (a: Point, b: Point): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  for (let t = 0; t < triangles.length; t += 3) {
    const a = vertex(triangles[t]!);
    const ab = sub(vertex(triangles[t + 1]!), a);
    const ac = sub(vertex(triangles[t + 2]!), a);
    const p = cross(direction, ac);
    const determinant = dot(ab, p);
    if (Math.abs(determinant) < 1e-12) continue; // parallel to the triangle
    const s = sub(origin, a);
    const u = dot(s, p) / determinant;
    if (u < 0 || u > 1) continue;
    const q = cross(s, ab);
    const v = dot(direction, q) / determinant;
    if (v < 0 || u + v > 1) continue;
    const distance = dot(ac, q) / determinant;
    if (distance >= 0 && (best === null || distance < best)) best = distance;
  }
  return best;
}

/** The nearest of the three planes through `cursor`, where it lies inside the volume's box. */
export function planeHit(ray: Ray, shape: Vec3, voxelSize: Vec3, cursor: Vec3): number | null {
  const high = [2, 1, 0].map((i) => (shape[i]! - 1) * voxelSize[i]!) as Point;
  const span = rayBox(ray, [0, 0, 0], high);
  if (!span) return null;
  let best: number | null = null;
  for (let a = 0; a < 3; a++) {
    const i = 2 - a; // world x, y, z are voxel axes 2, 1, 0
    if (ray.direction[a] === 0) continue;
    const t = (cursor[i]! * voxelSize[i]! - ray.origin[a]!) / ray.direction[a]!;
    // Tolerance: a plane on the box's face is where the ray enters or leaves.
    const slack = 1e-9 * (1 + Math.abs(t));
    if (t >= span[0] - slack && t <= span[1] + slack && (best === null || t < best)) best = t;
  }
  return best;
}

/** The voxel (z, y, x) whose centre is nearest to `point`, inside the volume. */
export const voxelOfPoint = (point: Point, shape: Vec3, voxelSize: Vec3): Vec3 =>
  shape.map((n, i) => Math.min(n - 1, Math.max(0, Math.round(point[2 - i]! / voxelSize[i]!)))) as Vec3;

/**
 * The voxel a click along `ray` picks: where it meets a volume drawn on top, else where it first
 * meets the mesh or a visible volume, whichever is nearer, else where it crosses a slice plane;
 * null if it meets none.
 */
export function pickVoxel(ray: Ray, scene: Scene): Vec3 | null {
  let t: number | null = null;
  for (const volume of scene.volumes.filter((v) => v.onTop)) t = volumeHit(ray, volume, t ?? Infinity) ?? t;
  if (t === null) {
    t = scene.mesh ? meshHit(ray, scene.mesh) : null;
    for (const volume of scene.volumes.filter((v) => !v.onTop)) t = volumeHit(ray, volume, t ?? Infinity) ?? t;
  }
  if (t === null && scene.planes) t = planeHit(ray, scene.shape, scene.voxelSize, scene.planes);
  return t === null ? null : voxelOfPoint(pointAt(ray, t), scene.shape, scene.voxelSize);
}
