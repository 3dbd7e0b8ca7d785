import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { expectClosed } from './closed.test-helper';
import { extractSurface } from './extract';
import { labelField } from './label-field';
import { labelVolume, sphere, torus, union } from './phantoms';
import { refineInPieces, refineSurfaces } from './pieces';
import { minAngle, selfIntersections } from './quality';
import { refineSurface } from './refine';
import { scalarSource } from './source';
import type { TriMesh } from './trimesh';

// a ring lying along x, so the pieces are cut across it several times
const shape: Vec3 = [40, 44, 76];
const ring = torus([38, 22, 20], 15, 5.5);
const options = { iso: 0.5, smooth: 0.5, edgeLength: 1, iterations: 6 };

async function rawRing() {
  const labels = scalarSource(labelVolume(shape, ring), { kind: 'class', label: 1 });
  const { parts, band } = await extractSurface(labelField(labels), { iso: 0.5 });
  expect(parts).toHaveLength(1);
  return { mesh: parts[0]!, band };
}

function meanDistance(mesh: TriMesh): number {
  let sum = 0;
  for (let i = 0; i < mesh.positions.length; i += 3)
    sum += Math.abs(ring.distance(mesh.positions[i]!, mesh.positions[i + 1]!, mesh.positions[i + 2]!));
  return sum / (mesh.positions.length / 3);
}

describe('refinement in pieces', () => {
  it('refines as well as in one piece, closed, and the same mesh on one thread or two', async () => {
    const { mesh, band } = await rawRing();
    const whole = refineSurface(mesh, band, options).mesh;
    const pieceTriangles = mesh.triangles.length / 3 / 4;
    const one = await refineInPieces(mesh, band, { ...options, threads: 1, pieceTriangles });
    const two = await refineInPieces(mesh, band, { ...options, threads: 2, pieceTriangles });
    expect(two.positions).toEqual(one.positions);
    expect(two.triangles).toEqual(one.triangles);
    expect(two.positions).not.toEqual(whole.positions); // it was cut into pieces
    expectClosed(two, 0);
    expect(selfIntersections(two)).toBe(0);
    expect(meanDistance(two)).toBeLessThan(1.1 * meanDistance(whole));
    expect(minAngle(two)).toBeGreaterThan(0.8 * minAngle(whole));
    expect(two.triangles.length / whole.triangles.length).toBeCloseTo(1, 1);
  });

  it('stops when cancelled, its threads with it', async () => {
    const { mesh, band } = await rawRing();
    const pieceTriangles = mesh.triangles.length / 3 / 4;
    const signal = AbortSignal.abort();
    await expect(refineInPieces(mesh, band, { ...options, threads: 2, pieceTriangles, signal })).rejects.toThrow(
      /cancelled/,
    );
  });

  it('leaves fixed vertices where they are, first, with the triangles among them', async () => {
    const { mesh, band } = await rawRing();
    // renumber so the vertices with x < 30 come first, and fix them
    const count = mesh.positions.length / 3;
    const order = [...Array(count).keys()].sort(
      (a, b) => +(mesh.positions[b * 3]! < 30) - +(mesh.positions[a * 3]! < 30),
    );
    const fixedCount = order.findIndex((v) => mesh.positions[v * 3]! >= 30);
    const rank = new Uint32Array(count);
    order.forEach((v, i) => (rank[v] = i));
    const input: TriMesh = {
      positions: Float64Array.from(order.flatMap((v) => [...mesh.positions.subarray(v * 3, v * 3 + 3)])),
      triangles: mesh.triangles.map((v) => rank[v]!),
    };
    const fixed = new Uint8Array(count).fill(1, 0, fixedCount);
    const out = refineSurface(input, band, { ...options, fixed }).mesh;
    expect(out.positions.subarray(0, fixedCount * 3)).toEqual(input.positions.subarray(0, fixedCount * 3));
    const key = (t: ArrayLike<number>, i: number): string => [t[i * 3], t[i * 3 + 1], t[i * 3 + 2]].join();
    const outTriangles = new Set(Array.from({ length: out.triangles.length / 3 }, (_, i) => key(out.triangles, i)));
    let among = 0;
    for (let t = 0; t < input.triangles.length / 3; t++)
      if ([0, 1, 2].every((k) => input.triangles[t * 3 + k]! < fixedCount)) {
        among++;
        expect(outTriangles.has(key(input.triangles, t))).toBe(true);
      }
    expect(among).toBeGreaterThan(1000);
    expectClosed(out, 0);
    expect(meanDistance(out)).toBeLessThan(meanDistance(input));
  });

  it('refines separate surfaces each as alone, on one thread or two, a large one in pieces', async () => {
    const { mesh: ringMesh, band: ringBand } = await rawRing();
    const balls = union([sphere([10, 10, 10], 6), sphere([30, 12, 30], 4.5), sphere([60, 30, 20], 7)]);
    const labels = scalarSource(labelVolume(shape, balls), { kind: 'class', label: 1 });
    const { parts, band } = await extractSurface(labelField(labels), { iso: 0.5 });
    expect(parts).toHaveLength(3);
    const alone = parts.map((part) => refineSurface(part, band, options).mesh);
    for (const threads of [1, 2]) {
      const surfaces = parts.map((part) => ({ positions: part.positions.slice(), triangles: part.triangles.slice() }));
      const refined = await refineSurfaces(surfaces, band, { ...options, threads, workerTriangles: 0 });
      expect(surfaces.every((surface) => surface === undefined)).toBe(true); // let go
      refined.forEach((mesh, i) => {
        expect(mesh.positions).toEqual(alone[i]!.positions);
        expect(mesh.triangles).toEqual(alone[i]!.triangles);
      });
    }
    const pieceTriangles = ringMesh.triangles.length / 3 / 4;
    const pieces = await refineInPieces(ringMesh, ringBand, { ...options, threads: 2, pieceTriangles });
    const [inPieces] = await refineSurfaces([ringMesh], ringBand, { ...options, threads: 2, pieceTriangles });
    expect(inPieces!.positions).toEqual(pieces.positions);
  });
});
