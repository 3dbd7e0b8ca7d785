// The objects of one class in a segmentation, measured from its voxels, without a mesh: the
// 6-connected components (postprocess/components.ts: memory holds two slices and one record per
// provisional label whatever the volume's size). Volume, surface area, sphericity, equivalent
// diameter, centroid and bounding box per object, in the volume's unit, and the class's share of
// the volume (its porosity, for pores).
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
  /** unit², estimated from the voxels' faces (see FACES_PER_AREA); a mesh measures it more closely. */
  surfaceArea: number;
  /** π^⅓ (6 V)^⅔ / A: 1 for a ball, less for any other shape (above 1 only for objects of a few voxels, where the estimate fails). */
  sphericity: number;
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

/**
 * Record fields per provisional label: voxel count, sums of x, y, z, min and max of x, y, z, and
 * the physical area of its voxels' faces that border other classes or the volume's edge.
 */
const FIELDS = 11;

/**
 * A voxelised surface's exposed faces overstate its area: averaged over orientations, the faces
 * of a surface element add up to 3/2 of its area (|nx| + |ny| + |nz| over the sphere, Cauchy), so
 * 2/3 of them estimates it: within 3 % for a ball of radius 14 voxels; flat faces along the grid
 * come out 2/3 of their area.
 */
const FACES_PER_AREA = 1.5;

/** Each provisional label's record, flat for speed. */
class Records {
  readonly record: number[] = new Array<number>(FIELDS).fill(0);

  voxel(label: number, x: number, y: number, z: number): void {
    const r = this.record;
    const o = label * FIELDS;
    while (r.length <= o) r.push(0, 0, 0, 0, Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity, 0);
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

  face(label: number, area: number): void {
    this.record[label * FIELDS + 10]! += area;
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
      for (const k of [0, 1, 2, 3, 10]) r[t + k]! += r[o + k]!;
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
  const [vz, vy, vx] = volume.voxelSize;
  // the area of a face whose normal is along x, y, z
  const [ax, ay, az] = [vy * vz, vx * vz, vx * vy];
  await forEachSlice(
    volume,
    (data, offset, z) => {
      const labels = scan.slice(data, offset, member);
      const below = scan.below;
      // each face between the class and the rest counted once, from the voxel after it
      const pair = (a: number, b: number, area: number): void => {
        if (a > 0 !== b > 0) records.face(a || b, area);
      };
      for (let y = 0, i = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++) {
          const label = labels[i]!;
          if (label > 0) {
            classVoxels++;
            records.voxel(label, x, y, z);
            // the volume's edge cuts the object: a mesh closes it there too
            const edges = (x === 0 ? ax : 0) + (x === nx - 1 ? ax : 0) + (y === 0 ? ay : 0) + (y === ny - 1 ? ay : 0);
            records.face(label, edges + (z === 0 ? az : 0) + (z === nz - 1 ? az : 0));
          }
          if (x > 0) pair(label, labels[i - 1]!, ax);
          if (y > 0) pair(label, labels[i - nx]!, ay);
          if (z > 0) pair(label, below[i]!, az);
        }
    },
    { ...options, stage: 'finding objects' },
  );
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
      const area = r[o + 10]! / FACES_PER_AREA;
      return {
        voxels: count,
        volume: volumeOf,
        surfaceArea: area,
        sphericity: (Math.cbrt(Math.PI) * Math.cbrt(6 * volumeOf) ** 2) / area,
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
  'object,voxels,volume,surface_area,sphericity,equivalent_diameter,centroid_x,centroid_y,centroid_z,min_x,min_y,min_z,max_x,max_y,max_z,class_fraction,unit';

/** One row per object, largest first; class_fraction (the class's share of the volume) repeats on each. */
export function objectsCsv({ objects, fraction }: ClassObjects, unit: string): string {
  const number = (x: number): string => String(Number(x.toPrecision(8)));
  const quoted = /[",\n]/.test(unit) ? `"${unit.replaceAll('"', '""')}"` : unit;
  const rows = objects.map((o, i) =>
    [
      i + 1,
      o.voxels,
      ...[
        o.volume,
        o.surfaceArea,
        o.sphericity,
        o.equivalentDiameter,
        ...o.centroid,
        ...o.bboxMin,
        ...o.bboxMax,
        fraction,
      ].map(number),
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
