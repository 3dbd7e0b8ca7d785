import { expect } from 'vitest';
import { topology } from './quality';
import { type TriMesh, measure } from './trimesh';

/** Expects a closed, manifold, outward-oriented surface with the given Euler characteristic. */
export function expectClosed(mesh: TriMesh, euler = 2): void {
  const t = topology(mesh);
  expect(t.badEdges).toBe(0);
  expect(t.watertight).toBe(true);
  expect(t.manifold).toBe(true);
  expect(t.euler).toBe(euler);
  expect(measure(mesh).volume).toBeGreaterThan(0); // outward orientation
}
