import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine/memory-volume';
import { Random } from '../engine/random';
import { expectClosed } from './closed.test-helper';
import { KUHN_TETRAHEDRA, tetrahedraTriangles } from './cube-table';
import { extractSurface } from './extract';
import { scalarSource } from './source';
import { joinMeshes } from './trimesh';

/**
 * Euler characteristic of the part of the Kuhn triangulation spanned by the inside voxel centres
 * (every simplex of the six tetrahedra per cube whose corners are all inside). The surface around
 * it bounds a neighbourhood of it, so has twice its characteristic: counted here from the
 * definition, not from the table.
 */
function insideEuler(inside: Uint8Array, [nz, ny, nx]: Vec3): number {
  const simplices = new Set<string>();
  for (let z = 0; z + 1 < nz; z++)
    for (let y = 0; y + 1 < ny; y++)
      for (let x = 0; x + 1 < nx; x++)
        for (const tetrahedron of KUHN_TETRAHEDRA) {
          const points = tetrahedron.map((c) => ((z + (c >> 2)) * ny + y + ((c >> 1) & 1)) * nx + x + (c & 1));
          for (let subset = 1; subset < 16; subset++) {
            const corners = points.filter((_, k) => (subset >> k) & 1);
            if (corners.every((p) => inside[p])) simplices.add(corners.sort((a, b) => a - b).join(','));
          }
        }
  let euler = 0;
  for (const simplex of simplices) euler += simplex.split(',').length % 2 ? 1 : -1;
  return euler;
}

async function surfaceOf(inside: Uint8Array, shape: Vec3) {
  const { parts } = await extractSurface(scalarSource(new MemoryVolume(inside, shape), { kind: 'class', label: 1 }), {
    iso: 0.5,
  });
  return joinMeshes(parts);
}

describe('the surface table of a cube', () => {
  it('closes every pattern of one cube with the topology of the tetrahedra', async () => {
    for (let mask = 1; mask < 255; mask++) {
      const inside = Uint8Array.from({ length: 8 }, (_, c) => (mask >> c) & 1);
      // corner c at (x, y, z) = (c & 1, c >> 1 & 1, c >> 2 & 1) is voxel (z, y, x) = index c
      expectClosed(await surfaceOf(inside, [2, 2, 2]), 2 * insideEuler(inside, [2, 2, 2]));
    }
  });

  it('closes random labels with the topology of the tetrahedra', async () => {
    const random = new Random(7);
    const shape: Vec3 = [10, 11, 12];
    for (const density of [0.3, 0.5, 0.7]) {
      const inside = Uint8Array.from({ length: 10 * 11 * 12 }, () => (random.next() < density ? 1 : 0));
      const mesh = await surfaceOf(inside, shape);
      // several closed pieces: each edge twice in opposite directions, χ of all of them at once
      expectClosed(mesh, 2 * insideEuler(inside, shape));
    }
  });

  it('makes under 40 % of the tetrahedra triangles on a ball', async () => {
    const shape: Vec3 = [24, 24, 24];
    const inside = new Uint8Array(24 ** 3).map((_, i) =>
      Math.hypot((i % 24) - 11.3, (((i / 24) | 0) % 24) - 12.1, ((i / 576) | 0) - 11.7) < 9 ? 1 : 0,
    );
    let tetrahedra = 0;
    const at = (z: number, y: number, x: number): number =>
      Math.min(z, y, x) < 0 || Math.max(z, y, x) >= 24 ? 0 : inside[(z * 24 + y) * 24 + x]!;
    for (let z = -1; z < 24; z++)
      for (let y = -1; y < 24; y++)
        for (let x = -1; x < 24; x++) {
          let mask = 0;
          for (let c = 0; c < 8; c++) mask |= at(z + (c >> 2), y + ((c >> 1) & 1), x + (c & 1)) << c;
          tetrahedra += tetrahedraTriangles(mask).length / 3;
        }
    const mesh = await surfaceOf(inside, shape);
    expectClosed(mesh);
    expect(mesh.triangles.length / 3 / tetrahedra).toBeLessThan(0.4);
  });
});
