// Geometry of the slice views: which voxels a slice is, where a slice pixel lies in the volume,
// and the brush shapes a stroke drawn on a slice paints.
import type { StrokeShape } from '../labels';
import { badInput } from '../../shared/errors';
import { type Axis, type Region, type Vec3, axisIndex } from '../../shared/volume';

/** The one-voxel-thick region of slice `index` perpendicular to `axis`; read in C order it is the slice image. */
export function sliceRegion(shape: Vec3, axis: Axis, index: number): Region {
  const a = axisIndex(axis);
  if (!Number.isInteger(index) || index < 0 || index >= shape[a])
    throw badInput(`slice ${index} is outside ${axis} = 0..${shape[a] - 1}`);
  const region: Region = { start: [0, 0, 0], shape: [...shape] };
  region.start[a] = index;
  region.shape[a] = 1;
  return region;
}

/** The part of `region` inside a volume of `shape`, or null when none is. */
export function clipRegion(region: Region, shape: Vec3): Region | null {
  const start = region.start.map((s) => Math.max(0, s)) as Vec3;
  const size = start.map((s, a) => Math.min(shape[a]!, region.start[a]! + region.shape[a]!) - s) as Vec3;
  return size.every((n) => n > 0) ? { start, shape: size } : null;
}

/** Voxel (z, y, x) of slice pixel (column, row): columns run along the last remaining axis. */
export function sliceToVoxel(axis: Axis, index: number, column: number, row: number): Vec3 {
  if (axis === 'z') return [index, row, column];
  if (axis === 'y') return [row, index, column];
  return [row, column, index];
}

/**
 * Brush shapes for a line through slice pixels `points` (column, row pairs): one disc or sphere per
 * voxel along each segment, centred on the voxel grid. Fractional centres or longer steps would
 * leave the pixels a full radius from the line painted only here and there.
 */
export function brushShapes(
  axis: Axis,
  index: number,
  points: readonly number[],
  radius: number,
  mode: 'disc' | 'sphere',
): StrokeShape[] {
  const shapes: StrokeShape[] = [];
  let last = '';
  const add = (column: number, row: number): void => {
    const c = Math.round(column),
      r = Math.round(row);
    if (`${c},${r}` === last) return;
    last = `${c},${r}`;
    const center = sliceToVoxel(axis, index, c, r);
    shapes.push(mode === 'disc' ? { kind: 'disc', axis, center, radius } : { kind: 'sphere', center, radius });
  };
  add(points[0]!, points[1]!);
  for (let i = 2; i + 1 < points.length; i += 2) {
    const c0 = points[i - 2]!,
      r0 = points[i - 1]!,
      c1 = points[i]!,
      r1 = points[i + 1]!;
    // Steps of at most one voxel along each axis, so rounded centres are 8-connected.
    const steps = Math.ceil(Math.max(Math.abs(c1 - c0), Math.abs(r1 - r0)));
    for (let s = 1; s <= steps; s++) add(c0 + ((c1 - c0) * s) / steps, r0 + ((r1 - r0) * s) / steps);
  }
  return shapes;
}

/** The 4-connected pixels of a `width`×`height` label slice that share the seed pixel's value. */
export function floodFill(labels: Uint8Array, width: number, height: number, column: number, row: number): Uint8Array {
  const c = Math.round(column),
    r = Math.round(row);
  if (c < 0 || c >= width || r < 0 || r >= height)
    throw badInput(`fill point (${column}, ${row}) is outside the ${width}×${height} slice`);
  const mask = new Uint8Array(width * height);
  const value = labels[r * width + c];
  const stack = [r * width + c];
  mask[r * width + c] = 1;
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % width;
    const visit = (q: number): void => {
      if (mask[q] === 0 && labels[q] === value) {
        mask[q] = 1;
        stack.push(q);
      }
    };
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < width * (height - 1)) visit(p + width);
  }
  return mask;
}
