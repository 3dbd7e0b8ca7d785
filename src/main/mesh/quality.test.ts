import { describe, expect, it } from 'vitest';
import { topology } from './quality';
import type { TriMesh } from './trimesh';

// A tetrahedron with outward (counter-clockwise) triangles.
const TETRA = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3];
const mesh = (triangles: number[], vertices: number): TriMesh => ({
  positions: new Float64Array(vertices * 3),
  triangles: Uint32Array.from(triangles),
});

describe('topology', () => {
  it('finds a closed oriented surface: a tetrahedron', () => {
    expect(topology(mesh(TETRA, 4))).toEqual({ watertight: true, manifold: true, euler: 2, badEdges: 0 });
  });

  it('counts the edges of a hole and of a flipped triangle', () => {
    expect(topology(mesh(TETRA.slice(3), 4))).toMatchObject({ watertight: false, manifold: false, badEdges: 3 });
    const flipped = [...TETRA.slice(0, 9), 1, 3, 2];
    // its three edges run the same way as their neighbours': each is doubled and lacks a twin
    expect(topology(mesh(flipped, 4))).toMatchObject({ watertight: false, badEdges: 6 });
  });

  it('tells a watertight non-manifold surface: two tetrahedra sharing one vertex', () => {
    const second = TETRA.map((v) => (v === 0 ? 0 : v + 3));
    expect(topology(mesh([...TETRA, ...second], 7))).toEqual({
      watertight: true,
      manifold: false,
      euler: 3,
      badEdges: 0,
    });
  });
});
