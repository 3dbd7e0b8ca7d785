import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { extractSurface } from './extract';
import { meshFromVolume } from './mesh-volume';
import { type Phantom, labelVolume, sphere, torus, union } from './phantoms';
import { scalarSource } from './source';
import { joinMeshes } from './trimesh';
import { TriangleGrid, fillRow, trianglesNear } from './winding';

/** A solid ball with a hollow inside it. */
function shell(centre: Vec3, outer: number, inner: number): Phantom {
  const [a, b] = [sphere(centre, outer), sphere(centre, inner)];
  return {
    name: `shell ${outer}/${inner}`,
    distance: (x, y, z) => Math.min(a.distance(x, y, z), -b.distance(x, y, z)),
    volume: a.volume - b.volume,
    area: a.area + b.area,
  };
}

/** Voxel centres the meshes enclose, as a 0/1 volume. */
function voxelise(grid: TriangleGrid, [nz, ny, nx]: Vec3): Uint8Array {
  const out = new Uint8Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) fillRow(grid, y, z, out.subarray((z * ny + y) * nx, (z * ny + y + 1) * nx));
  return out;
}

describe('winding numbers along voxel rows', () => {
  it('gives back the labels exactly from their raw surface, whose vertices lie on the rows', async () => {
    const shape: Vec3 = [30, 32, 34];
    const solid = union([shell([16.2, 15.4, 14.7], 11, 5.5), torus([17, 16, 15], 6, 1.6), sphere([3, 3, 3], 2)]);
    const labels = labelVolume(shape, solid);
    const mesh = joinMeshes(
      (await extractSurface(scalarSource(labels, { kind: 'class', label: 1 }), { iso: 0.5 })).parts,
    );
    const truth = await labels.read({ start: [0, 0, 0], shape });
    expect(voxelise(new TriangleGrid([mesh]), shape)).toEqual(Uint8Array.from(truth));
  });

  it('fills what a refined, smooth surface encloses, hollows included', async () => {
    const shape: Vec3 = [34, 34, 34];
    const hollow = shell([16.6, 17.2, 16.1], 12.4, 6.3);
    const { objects } = await meshFromVolume(labelVolume(shape, hollow), { class: 1 });
    const filled = voxelise(new TriangleGrid(objects.map((o) => o.mesh)), shape);
    let wrong = 0;
    let near = 0;
    for (let z = 0, i = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[2]; x++, i++) {
          const distance = hollow.distance(x, y, z);
          if (Math.abs(distance) < 0.5) near++;
          else if (filled[i] !== (distance > 0 ? 1 : 0)) wrong++;
        }
    expect(near).toBeGreaterThan(1000); // the comparison leaves out only a thin layer
    expect(wrong).toBe(0);
  });
});

describe('objects with cavities', () => {
  it('keeps a hollow as part of the object around it, and fills one below the minimum volume', async () => {
    const shape: Vec3 = [34, 34, 34];
    const hollow = shell([16.6, 17.2, 16.1], 12.4, 6.3);
    const big = await meshFromVolume(labelVolume(shape, hollow), { class: 1 });
    expect(big.objects).toHaveLength(1);
    expect(big.objects[0]!.watertight).toBe(true);
    expect(big.objects[0]!.measurements.volume / hollow.volume).toBeCloseTo(1, 1);
    expect(big.objects[0]!.measurements.surfaceArea / hollow.area).toBeCloseTo(1, 1);

    const pinhole = shell([16.6, 17.2, 16.1], 12.4, 1.4);
    const filled = await meshFromVolume(labelVolume(shape, pinhole), { class: 1, minVolume: 50 });
    expect(filled.objects).toHaveLength(1);
    expect(filled.removed).toBe(0);
    expect(filled.objects[0]!.measurements.volume / sphere([0, 0, 0], 12.4).volume).toBeCloseTo(1, 1);
  });
});

describe('a grid for a few lines', () => {
  it('crosses those lines exactly as the whole grid does, and holds nothing for the others', async () => {
    const shape: Vec3 = [30, 32, 34];
    const labels = labelVolume(shape, union([shell([16.2, 15.4, 14.7], 11, 5.5), sphere([3, 3, 3], 2)]));
    const mesh = joinMeshes(
      (await extractSurface(scalarSource(labels, { kind: 'class', label: 1 }), { iso: 0.5 })).parts,
    );
    const lines: [number, number][] = [
      [15.4, 14.7],
      [3.2, 2.5],
      [20, 9.3],
    ];
    const whole = new TriangleGrid([mesh]);
    const few = new TriangleGrid([mesh], [trianglesNear(mesh, lines)]);
    for (const [y, z] of lines) {
      expect(whole.crossings(y, z).length).toBeGreaterThan(0);
      expect(few.crossings(y, z)).toEqual(whole.crossings(y, z));
    }
    expect(whole.crossings(10.5, 10.5).length).toBeGreaterThan(0);
    expect(few.crossings(10.5, 10.5)).toEqual([]);
  });
});
