// Which volume axes a slice's columns and rows are: the one answer every side uses (reading
// slices, painting on them, showing them). A slice perpendicular to `axis` is its one-voxel-thick
// region read in C order, so its rows run along the earlier remaining axis and its columns along
// the later one: z (columns x, rows y), y (x, z), x (y, z).
import { badInput } from './errors';
import { type Axis, type Region, type Vec3, axisIndex } from './volume';

type AxisIndex = 0 | 1 | 2;

const SLICE_AXES: Record<Axis, { normal: AxisIndex; column: AxisIndex; row: AxisIndex }> = {
  z: { normal: 0, column: 2, row: 1 },
  y: { normal: 1, column: 2, row: 0 },
  x: { normal: 2, column: 1, row: 0 },
};

/** The (z, y, x) index of the slice's normal, of its columns and of its rows. */
export const sliceAxes = (axis: Axis): { normal: AxisIndex; column: AxisIndex; row: AxisIndex } => SLICE_AXES[axis];

/** Columns and rows of the slice perpendicular to `axis` of a volume of `shape`. */
export function sliceSize(shape: readonly number[], axis: Axis): [number, number] {
  const { column, row } = sliceAxes(axis);
  return [shape[column]!, shape[row]!];
}

/** Voxel (z, y, x) of pixel (column, row) of the slice `index` perpendicular to `axis`. */
export function sliceToVoxel(axis: Axis, index: number, column: number, row: number): Vec3 {
  const axes = sliceAxes(axis);
  const voxel: Vec3 = [0, 0, 0];
  voxel[axes.normal] = index;
  voxel[axes.column] = column;
  voxel[axes.row] = row;
  return voxel;
}

/** Where `voxel` lies on the slice perpendicular to `axis`: (column, row). */
export function voxelToSlice(axis: Axis, voxel: Vec3): [number, number] {
  const { column, row } = sliceAxes(axis);
  return [voxel[column], voxel[row]];
}

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
