import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { measureObjects, objectsCsv } from './objects';

const shape: Vec3 = [8, 10, 12];
const at = (z: number, y: number, x: number): number => (z * shape[1] + y) * shape[2] + x;

/** Class 2 in: a 2×2×2 cube, a U joined only at its bottom slice (one object), and a lone voxel. */
function scene(): Uint8Array {
  const labels = new Uint8Array(shape[0] * shape[1] * shape[2]).fill(1);
  for (let z = 1; z < 3; z++) for (let y = 1; y < 3; y++) for (let x = 1; x < 3; x++) labels[at(z, y, x)] = 2;
  // the U: two columns at x = 6 and x = 9 (y = 5), slices 2..6, joined by a bar at z = 6 only
  for (let z = 2; z <= 6; z++) labels[at(z, 5, 6)] = labels[at(z, 5, 9)] = 2;
  for (let x = 7; x < 9; x++) labels[at(6, 5, x)] = 2;
  labels[at(7, 9, 11)] = 2;
  return labels;
}

describe('measureObjects', () => {
  it('finds 6-connected objects across slices, with volume, centroid and box in the volume’s unit', async () => {
    // z voxels twice as long: volumes, centroids and boxes in physical units
    const volume = new MemoryVolume(scene(), shape, 'seg', { voxelSize: [2, 1, 1], unit: 'µm' });
    const result = await measureObjects(volume, 2);
    expect(result.objects.map((o) => o.voxels)).toEqual([12, 8, 1]);
    expect(result.classVoxels).toBe(21);
    expect(result.fraction).toBeCloseTo(21 / 960, 12);
    const [u, cube, lone] = result.objects;
    expect(cube).toMatchObject({ volume: 16, centroid: [1.5, 1.5, 3], bboxMin: [0.5, 0.5, 1], bboxMax: [2.5, 2.5, 5] });
    expect(cube!.equivalentDiameter).toBeCloseTo(Math.cbrt((6 * 16) / Math.PI), 12);
    expect(u).toMatchObject({ volume: 24, bboxMin: [5.5, 4.5, 3], bboxMax: [9.5, 5.5, 13] });
    expect(lone).toMatchObject({ volume: 2, centroid: [11, 9, 14] });
  });

  it('leaves out objects below a size, and counts them', async () => {
    const result = await measureObjects(new MemoryVolume(scene(), shape), 2, { minVoxels: 2 });
    expect(result.objects.map((o) => o.voxels)).toEqual([12, 8]);
    expect(result.removed).toBe(1);
  });

  it('writes one CSV row per object, largest first', async () => {
    const result = await measureObjects(new MemoryVolume(scene(), shape, 'seg', { unit: 'mm' }), 2);
    const lines = objectsCsv(result, 'mm').trim().split('\n');
    expect(lines[0]).toBe(
      'object,voxels,volume,equivalent_diameter,centroid_x,centroid_y,centroid_z,min_x,min_y,min_z,max_x,max_y,max_z,class_fraction,unit',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      `2,8,8,${Number(Math.cbrt(48 / Math.PI).toPrecision(8))},1.5,1.5,1.5,0.5,0.5,0.5,2.5,2.5,2.5,0.021875,mm`,
    );
  });
});
