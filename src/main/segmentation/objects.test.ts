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

  it('estimates surface area and sphericity from the faces: a ball comes out near 4πr² and 1, a rod far below 1', async () => {
    const n = 40;
    const data = new Uint8Array(n ** 3).fill(1);
    const r = 14;
    for (let z = 0, i = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++, i++) {
          if ((z - 19.5) ** 2 + (y - 19.5) ** 2 + (x - 19.5) ** 2 <= r * r) data[i] = 2;
          if (y === 1 && x === 1) data[i] = 3; // a rod 1 voxel thick through the whole volume
        }
    const [ball] = (await measureObjects(new MemoryVolume(data, [n, n, n]), 2)).objects;
    const area = 4 * Math.PI * r * r;
    expect(Math.abs(ball!.surfaceArea / area - 1)).toBeLessThan(0.03);
    expect(Math.abs(ball!.sphericity - 1)).toBeLessThan(0.03);
    // ends cut by the volume's edge count as surface (a mesh closes them too)
    const [rod] = (await measureObjects(new MemoryVolume(data, [n, n, n]), 3)).objects;
    expect(rod!.surfaceArea).toBeCloseTo((4 * n + 2) / 1.5, 9);
    // (faces along the grid are understated by the 2/3: its true sphericity is 0.35)
    expect(rod!.sphericity).toBeLessThan(0.6);
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
      'object,voxels,volume,surface_area,sphericity,equivalent_diameter,centroid_x,centroid_y,centroid_z,min_x,min_y,min_z,max_x,max_y,max_z,class_fraction,unit',
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      `2,8,8,16,${Number(((Math.cbrt(Math.PI) * Math.cbrt(48) ** 2) / 16).toPrecision(8))},${Number(Math.cbrt(48 / Math.PI).toPrecision(8))},1.5,1.5,1.5,0.5,0.5,0.5,2.5,2.5,2.5,0.021875,mm`,
    );
  });
});
