import { describe, expect, it } from 'vitest';
import type { VolumeOverview } from '../../../shared/api';
import type { Vec3 } from '../../../shared/volume';
import {
  type Ray,
  type Scene,
  type ShownVolume,
  meshHit,
  pickVoxel,
  piecewise,
  planeHit,
  rayBox,
  volumeHit,
  voxelOfPoint,
} from './pick-3d';

/** A 20³ overview (voxel size 1, at the origin) with a solid cube of 200 at voxels 10..14 each way. */
function cubeVolume(): VolumeOverview {
  const n = 20;
  const data = new Uint8Array(n * n * n);
  for (let z = 10; z < 15; z++)
    for (let y = 10; y < 15; y++) for (let x = 10; x < 15; x++) data[(z * n + y) * n + x] = 200;
  return { shape: [n, n, n], voxelSize: [1, 1, 1], origin: [0, 0, 0], dtype: 'uint8', data };
}

/** Opaque above 100, transparent below: a solid material. */
const SOLID: [number, number][] = [
  [99, 0],
  [101, 1],
];
/** Along +x through voxel row (z 12, y 12), from in front of the volume. */
const alongX: Ray = { origin: [-5, 12, 12], direction: [1, 0, 0] };

describe('rayBox', () => {
  it('gives where a ray enters and leaves a box, from t = 0 on', () => {
    expect(rayBox(alongX, [0, 0, 0], [19, 19, 19])).toEqual([5, 24]);
    expect(rayBox({ origin: [5, 5, 5], direction: [0, 0, 2] }, [0, 0, 0], [10, 10, 10])).toEqual([0, 2.5]);
  });
  it('misses a box beside or behind the ray', () => {
    expect(rayBox({ origin: [-5, 30, 12], direction: [1, 0, 0] }, [0, 0, 0], [19, 19, 19])).toBeNull();
    expect(rayBox({ origin: [30, 12, 12], direction: [1, 0, 0] }, [0, 0, 0], [19, 19, 19])).toBeNull();
  });
});

describe('piecewise', () => {
  it('interpolates between points and holds its ends', () => {
    const points: [number, number][] = [
      [10, 0],
      [20, 1],
    ];
    expect(piecewise(points, 15)).toBeCloseTo(0.5);
    expect(piecewise(points, 0)).toBe(0);
    expect(piecewise(points, 99)).toBe(1);
  });
});

describe('volumeHit', () => {
  const solid: ShownVolume = { overview: cubeVolume(), opacities: SOLID, nearest: false };

  it('stops at the first voxel of an opaque material', () => {
    const t = volumeHit(alongX, solid)!;
    // The cube's face is voxel x = 10 (t = 15); trilinear sampling reaches it half a voxel early.
    expect(t).toBeGreaterThanOrEqual(14);
    expect(t).toBeLessThanOrEqual(15);
    expect(volumeHit(alongX, { ...solid, nearest: true })).toBeCloseTo(14.5, 5);
  });

  it('passes what the transfer function leaves transparent, and stops at `until`', () => {
    expect(volumeHit({ origin: [-5, 2, 2], direction: [1, 0, 0] }, solid)).toBeNull();
    expect(volumeHit(alongX, { ...solid, opacities: [[0, 0]] })).toBeNull();
    expect(volumeHit(alongX, solid, 10)).toBeNull();
  });

  it('goes deeper into a faint material, as its picture builds up there', () => {
    const faint = volumeHit(alongX, {
      ...solid,
      opacities: [
        [0, 0],
        [200, 0.1],
      ],
    })!;
    // 0.1 per voxel crossed: 30% opacity after about 3.4 voxels of the cube.
    expect(faint).toBeGreaterThan(17);
    expect(faint).toBeLessThan(19);
  });

  it('follows the overview into physical coordinates', () => {
    const overview = { ...cubeVolume(), voxelSize: [2, 2, 2] as Vec3, origin: [0.5, 0.5, 0.5] as Vec3 };
    // The cube's voxels 10..14 lie at 20.5..28.5 in each axis.
    const t = volumeHit({ origin: [-10, 24.5, 24.5], direction: [2, 0, 0] }, { ...solid, overview, nearest: true })!;
    expect(-10 + 2 * t).toBeCloseTo(19.5, 5);
    // Voxels 3 apart in z, 1 in y and x: the cube's voxels 10..14 lie at z 30..42.
    const tall = { ...cubeVolume(), voxelSize: [3, 1, 1] as Vec3 };
    const down = volumeHit(
      { origin: [12, 12, -10], direction: [0, 0, 1] },
      { ...solid, overview: tall, nearest: true },
    )!;
    expect(-10 + down).toBeCloseTo(28.5, 5);
  });
});

describe('meshHit', () => {
  // Two triangles: the square x = 7, 0 ≤ y, z ≤ 10.
  const square = {
    positions: new Float32Array([7, 0, 0, 7, 10, 0, 7, 10, 10, 7, 0, 10]),
    triangles: new Uint32Array([0, 1, 2, 0, 2, 3]),
  };
  it('finds the nearest triangle crossed, from either side', () => {
    expect(meshHit({ origin: [0, 3, 4], direction: [1, 0, 0] }, square)).toBeCloseTo(7);
    expect(meshHit({ origin: [20, 3, 4], direction: [-2, 0, 0] }, square)).toBeCloseTo(6.5);
  });
  it('misses triangles beside or behind the ray', () => {
    expect(meshHit({ origin: [0, 11, 4], direction: [1, 0, 0] }, square)).toBeNull();
    expect(meshHit({ origin: [8, 3, 4], direction: [1, 0, 0] }, square)).toBeNull();
  });
});

describe('planeHit', () => {
  const shape: Vec3 = [11, 21, 31]; // z, y, x: box 0..30 in x, 0..20 in y, 0..10 in z
  const voxelSize: Vec3 = [1, 1, 1];
  it('finds the nearest of the three planes through the cursor, inside the box', () => {
    // Looking down +z at (x 5, y 5): the z plane at 4 is the only one crossed.
    expect(planeHit({ origin: [5, 5, -10], direction: [0, 0, 1] }, shape, voxelSize, [4, 10, 15])).toBe(14);
    // Along +x at (y 5, z 2): the x plane at 15.
    expect(planeHit({ origin: [-10, 5, 2], direction: [1, 0, 0] }, shape, voxelSize, [4, 10, 15])).toBe(25);
  });
  it('ignores a plane crossed outside the box', () => {
    expect(planeHit({ origin: [-10, 25, 2], direction: [1, 0, 0] }, shape, voxelSize, [4, 10, 15])).toBeNull();
  });
});

describe('voxelOfPoint', () => {
  it('rounds to the nearest voxel centre (z, y, x) and stays inside the volume', () => {
    expect(voxelOfPoint([3.4, 2.6, 1], [10, 10, 10], [1, 1, 1])).toEqual([1, 3, 3]);
    expect(voxelOfPoint([-3, 8, 50], [10, 10, 10], [2, 2, 2])).toEqual([9, 4, 0]);
    expect(voxelOfPoint([4, 4, 12], [10, 10, 10], [3, 2, 1])).toEqual([4, 2, 4]);
  });
});

describe('pickVoxel', () => {
  const base: Scene = { shape: [20, 20, 20], voxelSize: [1, 1, 1], volumes: [], mesh: null, planes: null };
  const volume: ShownVolume = { overview: cubeVolume(), opacities: SOLID, nearest: true };

  it('picks the first visible voxel of the volume', () => {
    expect(pickVoxel(alongX, { ...base, volumes: [volume] })).toEqual([12, 12, 10]);
  });

  it('picks a mesh in front of the volume, and the volume in front of a mesh', () => {
    const wall = (x: number) => ({
      positions: new Float32Array([x, 0, 0, x, 20, 0, x, 20, 20, x, 0, 20]),
      triangles: new Uint32Array([0, 1, 2, 0, 2, 3]),
      objects: [],
      unit: 'µm',
      shape: [20, 20, 20] as Vec3,
      voxelSize: [1, 1, 1] as Vec3,
    });
    expect(pickVoxel(alongX, { ...base, volumes: [volume], mesh: wall(5) })).toEqual([12, 12, 5]);
    expect(pickVoxel(alongX, { ...base, volumes: [volume], mesh: wall(17) })).toEqual([12, 12, 10]);
  });

  it('picks a volume drawn on top (the labels) behind a nearer one, and the nearer one where the ray misses it', () => {
    // a thin "stroke" at x = 16, behind the cube's front face at x = 10
    const stroke = cubeVolume();
    stroke.data.fill(0);
    for (let z = 10; z < 15; z++) for (let y = 10; y < 15; y++) stroke.data[(z * 20 + y) * 20 + 16] = 200;
    const labels: ShownVolume = { overview: stroke, opacities: SOLID, nearest: true, onTop: true };
    expect(pickVoxel(alongX, { ...base, volumes: [volume, labels] })).toEqual([12, 12, 16]);
    const above: Ray = { origin: [-5, 12, 2], direction: [1, 0, 0] };
    expect(pickVoxel(above, { ...base, volumes: [volume, labels], planes: [2, 10, 10] })).toEqual([2, 12, 10]);
  });

  it('falls back to a slice plane where nothing visible is met, and to nothing without planes', () => {
    const beside: Ray = { origin: [-5, 2.9, 4], direction: [1, 0.1, 0] };
    expect(pickVoxel(beside, { ...base, volumes: [volume], planes: [10, 10, 10] })).toEqual([4, 4, 10]);
    expect(pickVoxel(beside, { ...base, volumes: [volume] })).toBeNull();
  });
});
