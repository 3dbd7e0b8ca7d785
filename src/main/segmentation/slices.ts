// What a stroke drawn on a slice paints: the brush shapes along its line, the area a fill click
// covers; what accepting a prediction paints; and a region clipped to the volume. Which axes a
// slice's pixels are is src/shared/slice.
import type { LabelStore, Stroke, StrokeShape } from '../labels';
import { badInput } from '../../shared/errors';
import { sliceRegion, sliceSize, sliceToVoxel } from '../../shared/slice';
import { type Axis, type Region, type Vec3, axisIndex } from '../../shared/volume';

/** A stroke drawn on slice `index` perpendicular to `axis`, through slice pixels `points` (column, row pairs). */
export interface SliceStroke {
  axis: Axis;
  index: number;
  points: readonly number[];
  radius: number;
  mode: 'disc' | 'sphere' | 'fill';
}

/**
 * What painting `value` with a slice stroke does to `labels`: brushes along its line (clipped by
 * the store), or a fill of the area under its first point; null when that point is off the slice.
 */
export function strokeOnSlice(labels: LabelStore, value: number, stroke: SliceStroke): Stroke | null {
  const { axis, index, points, radius, mode } = stroke;
  if (mode !== 'fill') return { value, shapes: brushShapes(axis, index, points, radius, mode) };
  const { shape } = labels;
  const [width, height] = sliceSize(shape, axis);
  const [column, row] = [Math.round(points[0]!), Math.round(points[1]!)];
  if (index >= shape[axisIndex(axis)] || column < 0 || column >= width || row < 0 || row >= height) return null;
  const region = sliceRegion(shape, axis, index);
  return {
    value,
    shapes: [{ kind: 'mask', region, mask: floodFill(labels.read(region), width, height, column, row) }],
  };
}

/**
 * What accepting a prediction of `region` paints: its predicted `classes` (C order) where `existing`
 * labels are 0, one stroke per label value in `values` that gets any voxel. The user's labels stay.
 */
export function predictionStrokes(
  region: Region,
  classes: Uint8Array,
  existing: Uint8Array,
  values: number[],
): Stroke[] {
  const strokes: Stroke[] = [];
  for (const value of values) {
    const mask = new Uint8Array(classes.length);
    let any = false;
    for (let i = 0; i < classes.length; i++)
      if (classes[i] === value && existing[i] === 0) {
        mask[i] = 1;
        any = true;
      }
    if (any) strokes.push({ value, shapes: [{ kind: 'mask', region, mask }] });
  }
  return strokes;
}

/** The part of `region` inside a volume of `shape`, or null when none is. */
export function clipRegion(region: Region, shape: Vec3): Region | null {
  const start = region.start.map((s) => Math.max(0, s)) as Vec3;
  const size = start.map((s, a) => Math.min(shape[a]!, region.start[a]! + region.shape[a]!) - s) as Vec3;
  return size.every((n) => n > 0) ? { start, shape: size } : null;
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
