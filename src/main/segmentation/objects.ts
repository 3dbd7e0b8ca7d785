// The objects of one class in a segmentation, measured from its voxels, without a mesh: the
// 6-connected components (postprocess/components.ts: memory holds two slices and one record per
// provisional label whatever the volume's size). Volume, equivalent diameter, centroid and bounding box per
// object, in the volume's unit, and the class's share of the volume (its porosity, for pores).
import { badInput } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { writeAtomically } from '../mesh/export';
import { ComponentScan, forEachSlice } from '../postprocess/components';
import type { Progress } from '../progress';
import type { Volume } from '../volume/volume';

export interface VoxelObject {
  voxels: number;
  /** unit³ */
  volume: number;
  /** The diameter of a sphere of the same volume, unit. */
  equivalentDiameter: number;
  /** x, y, z in the volume's unit; voxel (0, 0, 0)'s centre is the origin (as for meshes). */
  centroid: Vec3;
  /** The outer faces of the object's extreme voxels, x, y, z. */
  bboxMin: Vec3;
  bboxMax: Vec3;
}

export interface ClassObjects {
  /** Largest first. */
  objects: VoxelObject[];
  /** Objects of fewer voxels than asked, left out. */
  removed: number;
  classVoxels: number;
  /** The class's share of all voxels (porosity, where the class is the pores). */
  fraction: number;
}

/** Record fields per provisional label: voxel count, sums of x, y, z, then min and max of x, y, z. */
const FIELDS = 10;

/** Each provisional label's record, flat for speed. */
class Records {
  readonly record: number[] = new Array<number>(FIELDS).fill(0);

  voxel(label: number, x: number, y: number, z: number): void {
    const r = this.record;
    const o = label * FIELDS;
    while (r.length <= o) r.push(0, 0, 0, 0, Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);
    r[o]!++;
    r[o + 1]! += x;
    r[o + 2]! += y;
    r[o + 3]! += z;
    if (x < r[o + 4]!) r[o + 4] = x;
    if (y < r[o + 5]!) r[o + 5] = y;
    if (z < r[o + 6]!) r[o + 6] = z;
    if (x > r[o + 7]!) r[o + 7] = x;
    if (y > r[o + 8]!) r[o + 8] = y;
    if (z > r[o + 9]!) r[o + 9] = z;
  }

  /** Folds every provisional label's record into its component's; returns the components' labels. */
  merge(scan: ComponentScan): number[] {
    const r = this.record;
    const roots: number[] = [];
    for (let label = 1; label <= scan.count; label++) {
      const root = scan.find(label);
      if (root === label) {
        roots.push(label);
        continue;
      }
      const [o, t] = [label * FIELDS, root * FIELDS];
      for (let k = 0; k < 4; k++) r[t + k]! += r[o + k]!;
      for (let k = 4; k < 7; k++) r[t + k] = Math.min(r[t + k]!, r[o + k]!);
      for (let k = 7; k < 10; k++) r[t + k] = Math.max(r[t + k]!, r[o + k]!);
    }
    return roots;
  }
}

export async function measureObjects(
  volume: Volume,
  classValue: number,
  options: { minVoxels?: number; signal?: AbortSignal; progress?: Progress } = {},
): Promise<ClassObjects> {
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const scan = new ComponentScan(ny, nx);
  const records = new Records();
  let classVoxels = 0;
  const member = (value: number): boolean => value === classValue;
  await forEachSlice(
    volume,
    (data, offset, z) => {
      const labels = scan.slice(data, offset, member);
      for (let y = 0, i = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++)
          if (labels[i]! > 0) {
            classVoxels++;
            records.voxel(labels[i]!, x, y, z);
          }
    },
    { ...options, stage: 'finding objects' },
  );
  const [vz, vy, vx] = volume.voxelSize;
  const size: Vec3 = [vx, vy, vz];
  const voxelVolume = vx * vy * vz;
  const minVoxels = options.minVoxels ?? 1;
  const roots = records.merge(scan);
  const r = records.record;
  const kept = roots.filter((root) => r[root * FIELDS]! >= minVoxels);
  const objects = kept
    .map((root): VoxelObject => {
      const o = root * FIELDS;
      const count = r[o]!;
      const volumeOf = count * voxelVolume;
      return {
        voxels: count,
        volume: volumeOf,
        equivalentDiameter: Math.cbrt((6 * volumeOf) / Math.PI),
        centroid: [0, 1, 2].map((k) => (r[o + 1 + k]! / count) * size[k]!) as Vec3,
        bboxMin: [0, 1, 2].map((k) => (r[o + 4 + k]! - 0.5) * size[k]!) as Vec3,
        bboxMax: [0, 1, 2].map((k) => (r[o + 7 + k]! + 0.5) * size[k]!) as Vec3,
      };
    })
    .sort((a, b) => b.voxels - a.voxels);
  return { objects, removed: roots.length - kept.length, classVoxels, fraction: classVoxels / (nz * plane) };
}

export const OBJECTS_CSV_HEADER =
  'object,voxels,volume,equivalent_diameter,centroid_x,centroid_y,centroid_z,min_x,min_y,min_z,max_x,max_y,max_z,class_fraction,unit';

/** One row per object, largest first; class_fraction (the class's share of the volume) repeats on each. */
export function objectsCsv({ objects, fraction }: ClassObjects, unit: string): string {
  const number = (x: number): string => String(Number(x.toPrecision(8)));
  const quoted = /[",\n]/.test(unit) ? `"${unit.replaceAll('"', '""')}"` : unit;
  const rows = objects.map((o, i) =>
    [
      i + 1,
      o.voxels,
      ...[o.volume, o.equivalentDiameter, ...o.centroid, ...o.bboxMin, ...o.bboxMax, fraction].map(number),
      quoted,
    ].join(','),
  );
  return [OBJECTS_CSV_HEADER, ...rows, ''].join('\n');
}

/**
 * Measures the objects of `classValue` and writes their table to `csv` (refused if it exists,
 * unless `overwrite`); a class without voxels is refused with `absent` and nothing is written.
 */
export async function writeObjectsTable(
  volume: Volume,
  classValue: number,
  csv: string,
  options: { absent: string; minVoxels?: number; overwrite?: boolean; signal?: AbortSignal; progress?: Progress },
): Promise<ClassObjects> {
  const result = await measureObjects(volume, classValue, options);
  if (result.classVoxels === 0) throw badInput(options.absent);
  await writeAtomically(csv, [objectsCsv(result, volume.unit)], options.overwrite);
  return result;
}
