// Which pyramid level a slice view reads: the renderer's rule, shared with the benchmark that
// measures it. A slice of a 2048³ volume at full resolution takes seconds to decode; a coarse one
// that covers the same area takes tens of milliseconds.
import type { VolumeLevel } from './api/volume';
import type { Axis, Vec3 } from './volume';
import { axisIndex } from './volume';

/** A slice preview this long on its longer side is quick to read and still recognisable. */
export const PREVIEW_EDGE = 256;

/** In-plane axes (z, y, x indices) of a slice perpendicular to `axis`. */
const inPlane = (axis: Axis): number[] => [0, 1, 2].filter((a) => a !== axisIndex(axis));

/** Per level, how many full-resolution voxels one of its voxels spans along z, y and x. */
export function levelFactors(levels: readonly VolumeLevel[]): Vec3[] {
  const full = levels[0]!.voxelSize;
  return levels.map(({ voxelSize }) => voxelSize.map((size, a) => size / full[a]!) as Vec3);
}

/** The slice index at a level whose voxels span `factor` full-resolution voxels along the slice's normal. */
export function levelIndex(index: number, factor: number, extent: number): number {
  return Math.min(Math.floor(index / factor), extent - 1);
}

/**
 * The coarsest level whose in-plane voxels are still no larger than `pixelSize` (physical units
 * per screen pixel), or than at full resolution along an axis the pyramid does not coarsen: finer
 * levels would add detail the screen cannot show.
 */
export function levelForPixel(levels: readonly VolumeLevel[], axis: Axis, pixelSize: number): number {
  const full = levels[0]!.voxelSize;
  return coarsestLevel(levels, ({ voxelSize }) =>
    inPlane(axis).every((a) => voxelSize[a]! <= Math.max(pixelSize, full[a]!)),
  );
}

/** The coarsest level whose slice is still PREVIEW_EDGE long on its longer side; 0 when none is coarser. */
export function previewLevel(levels: readonly VolumeLevel[], axis: Axis): number {
  return coarsestLevel(levels, ({ shape }) => Math.max(...inPlane(axis).map((a) => shape[a]!)) >= PREVIEW_EDGE);
}

/** The coarsest level (levels run fine to coarse) that still `suffices`; 0 when none is coarser. */
export function coarsestLevel(levels: readonly VolumeLevel[], suffices: (level: VolumeLevel) => boolean): number {
  let chosen = 0;
  levels.forEach((level, index) => {
    if (suffices(level)) chosen = index;
  });
  return chosen;
}
