// Plain data types shared by every side: no Node, Electron or DOM imports here.

/** Element types the volume layer reads and writes. */
export type Dtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export const DTYPES: readonly Dtype[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];

export type TypedArray =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A 3D size or position, always in (z, y, x) order, matching C-order storage. */
export type Vec3 = [number, number, number];

/** An axis-aligned box of voxels: `start` inclusive, `shape` voxels long on each axis. */
export interface Region {
  start: Vec3;
  shape: Vec3;
}

export type Axis = 'z' | 'y' | 'x';
export const AXES: readonly Axis[] = ['z', 'y', 'x'];
export const axisIndex = (axis: Axis): 0 | 1 | 2 => (axis === 'z' ? 0 : axis === 'y' ? 1 : 2);

/** Voxel edges differing by more than this factor are worth a note (see voxelUnitsNote). */
const NOTED_ANISOTROPY = 1.1;

/** Units that say nothing about length: sizes in them are not comparable across axes. */
const NO_LENGTH_UNITS = new Set(['', 'voxel', 'pixel']);

/**
 * Each voxel edge relative to the shortest (z, y, x; each ≥ 1), which the engine's filters are
 * scaled by, so that shapes are judged in physical space and rotation invariance holds there.
 * Sizes without a length unit are often invented (a TIFF's 72 dpi beside a default z of 1), so
 * they count as cubic.
 */
export function voxelAspect(voxelSize: Vec3, unit: string): Vec3 {
  const shortest = Math.min(...voxelSize);
  if (NO_LENGTH_UNITS.has(unit) || !(shortest > 0) || !voxelSize.every(Number.isFinite)) return [1, 1, 1];
  return voxelSize.map((v) => v / shortest) as Vec3;
}

/**
 * What a user should know about voxels of `voxelSize`, or undefined for (nearly) cubic voxels:
 * in a length unit the filters follow them; without one, they are taken as cubes.
 */
export function voxelUnitsNote(voxelSize: Vec3, unit: string): string | undefined {
  const longest = voxelSize.indexOf(Math.max(...voxelSize));
  const ratio = voxelSize[longest]! / Math.min(...voxelSize);
  if (!(ratio > NOTED_ANISOTROPY)) return undefined;
  const size = voxelSize.map((v) => Number(v.toPrecision(4))).join(' × ');
  if (NO_LENGTH_UNITS.has(unit))
    return (
      `voxels are ${size} (z × y × x) with no length unit, so Tomoseg takes them as cubes: shapes are judged ` +
      `in voxel space; give the voxel size in a unit (e.g. micron) for filters that follow it`
    );
  return (
    `voxels are ${size} ${unit} (z × y × x): Tomoseg's filters are scaled to them, so shapes are judged in ` +
    `${unit}; details thinner than one voxel (${Number(voxelSize[longest]!.toPrecision(4))} ${unit} along ` +
    `${AXES[longest]}) cannot be seen`
  );
}

const CONSTRUCTORS = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export function allocate(dtype: Dtype, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](length);
}

export function bytesPerElement(dtype: Dtype): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function dtypeOf(array: TypedArray): Dtype {
  for (const dtype of DTYPES) if (array instanceof CONSTRUCTORS[dtype]) return dtype;
  throw new TypeError('not a supported typed array');
}

export const voxelCount = (shape: Vec3): number => shape[0] * shape[1] * shape[2];

/** What the UI and the CLI know about an open volume. */
export interface VolumeInfo {
  id: string;
  /** Where it was read from (file or folder), as the user gave it. */
  path: string;
  name: string;
  format: string;
  shape: Vec3;
  dtype: Dtype;
  /** Physical size of one voxel, (z, y, x), in `unit`. */
  voxelSize: Vec3;
  unit: string;
  chunkShape: Vec3;
  /** Intensity range estimated from a sample of the data, for the initial window/level. */
  range: [number, number];
}
