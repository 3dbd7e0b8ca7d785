import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { expectClosed } from './closed.test-helper';
import { extractSurface } from './extract';
import { meshFromVolume } from './mesh-volume';
import { computedVolume, labelVolume, probabilityVolume, sphere, torus, union } from './phantoms';
import { minAngle, selfIntersections } from './quality';
import { refineSurface } from './refine';
import { scalarSource } from './source';
import { measure, splitComponents, type TriMesh } from './trimesh';

const shape: Vec3 = [32, 34, 36];
const ball = sphere([17.3, 16.6, 15.8], 9.5);

describe('surface extraction', () => {
  it('gives a closed, oriented sphere from labels and from probabilities', async () => {
    for (const [volume, field] of [
      [labelVolume(shape, ball), { kind: 'class', label: 1 }],
      [probabilityVolume(shape, ball, 1, 0.1), { kind: 'probability' }],
    ] as const) {
      const { parts } = await extractSurface(scalarSource(volume, field), { iso: 0.5 });
      expect(parts).toHaveLength(1);
      expectClosed(parts[0]!);
      expect(measure(parts[0]!).volume / ball.volume).toBeCloseTo(1, 1);
    }
  });

  it('gives a torus Euler characteristic 0', async () => {
    const ring = torus([18, 18, 16], 9, 3.2);
    const { parts } = await extractSurface(scalarSource(labelVolume([32, 36, 36], ring), { kind: 'class', label: 1 }), {
      iso: 0.5,
    });
    expect(parts).toHaveLength(1);
    expectClosed(parts[0]!, 0);
  });

  it('is identical blockwise and in one block', async () => {
    const two = union([ball, sphere([5, 28, 30], 4.2)]);
    const source = scalarSource(probabilityVolume(shape, two, 1, 0.2), { kind: 'probability' });
    const whole = await extractSurface(source, { iso: 0.5, blockSize: 256 });
    for (const blockSize of [8, 24]) {
      const blocked = await extractSurface(source, { iso: 0.5, blockSize });
      expect(blocked.parts).toEqual(whole.parts);
    }
  });

  it('gives each connected surface as a part, in the order of the lattice, never of the blocks', async () => {
    // three balls, a speck among them, read in blocks of 8 that cut through all of them
    const solid = union([ball, sphere([5, 28, 30], 4.2), sphere([27, 6, 5], 1.2)]);
    const { parts } = await extractSurface(scalarSource(labelVolume(shape, solid), { kind: 'class', label: 1 }), {
      iso: 0.5,
      blockSize: 8,
    });
    // each vertex lies on a lattice edge (or in a cube) whose low corner orders it: (z, y, x)
    const key = (p: Float64Array, v: number): number =>
      (Math.floor(p[v * 3 + 2]!) * 64 + Math.floor(p[v * 3 + 1]!)) * 64 + Math.floor(p[v * 3]!);
    expect(parts.length).toBe(3);
    expect(parts.map((part) => key(part.positions, 0))).toEqual(
      parts.map((part) => key(part.positions, 0)).sort((a, b) => a - b),
    );
    for (const part of parts) {
      expect(splitComponents(part)).toHaveLength(1);
      expectClosed(part);
      const keys = Array.from({ length: part.positions.length / 3 }, (_, v) => key(part.positions, v));
      expect(keys.every((k, v) => v === 0 || keys[v - 1]! <= k)).toBe(true);
      // triangles start at their smallest vertex and are sorted
      const t = part.triangles;
      for (let i = 0; i < t.length; i += 3) {
        expect(t[i]! < t[i + 1]! && t[i]! < t[i + 2]!).toBe(true);
        if (i > 0)
          expect(
            t[i - 3]! < t[i]! ||
              (t[i - 3] === t[i] && (t[i - 2]! < t[i + 1]! || (t[i - 2] === t[i + 1] && t[i - 1]! < t[i + 2]!))),
          ).toBe(true);
      }
    }
  });

  it('drops the closed specks inside one block as it extracts them, as the whole mesh would', async () => {
    const source = scalarSource(probabilityVolume(shape, ball, 1, 0.52), { kind: 'probability' });
    const below = 3; // voxels³
    const all = await extractSurface(source, { iso: 0.5, blockSize: 8 });
    const early = await extractSurface(source, { iso: 0.5, blockSize: 8, dropBelow: below });
    const split = (extracted: TriMesh[]) => {
      const parts = extracted.map((part) => ({ part, volume: measure(part).volume }));
      return {
        kept: parts.filter((p) => Math.abs(p.volume) >= below).map((p) => p.part),
        small: parts.filter((p) => Math.abs(p.volume) < below),
      };
    };
    const [whole, blockwise] = [split(all.parts), split(early.parts)];
    expect(blockwise.kept).toEqual(whole.kept);
    // specks across a block's faces are left for the whole mesh's pass; the others went early
    const objects = (parts: { volume: number }[]): number => parts.filter((p) => p.volume > 0).length;
    expect(early.dropped).toBeGreaterThan(0);
    expect(blockwise.small.length).toBeGreaterThan(0);
    expect(early.dropped + objects(blockwise.small)).toBe(objects(whole.small));
    expect(blockwise.small.length).toBeLessThan(whole.small.length / 2);
    expect(all.dropped).toBe(0);
  });

  it('keeps the field only around the surfaces it keeps, which refine as with the whole band', async () => {
    const small = sphere([10, 12, 9], 5);
    const source = scalarSource(probabilityVolume([32, 64, 64], small, 1, 0.52), { kind: 'probability' });
    const all = await extractSurface(source, { iso: 0.5 });
    const early = await extractSurface(source, { iso: 0.5, dropBelow: 3 });
    expect(early.band.brickCount).toBeLessThan(all.band.brickCount / 2);
    const refine = { iso: 0.5, smooth: 0.5, edgeLength: 1, iterations: 6 };
    const kept = early.parts.filter((part) => Math.abs(measure(part).volume) >= 3);
    expect(kept.length).toBeGreaterThan(0);
    for (const part of kept)
      expect(refineSurface(part, early.band, refine).mesh).toEqual(refineSurface(part, all.band, refine).mesh);
  });

  it('closes objects cut by the volume border', async () => {
    const corner = sphere([0, 0, 0], 10);
    const result = await meshFromVolume(labelVolume([20, 20, 20], corner), { class: 1, iterations: 0 });
    expect(result.touchesBorder).toBe(true);
    expect(result.objects).toHaveLength(1);
    expectClosed(result.objects[0]!.mesh);
  });
});

describe('meshFromVolume', () => {
  it('refines a noisy probability map to a good mesh closer to the truth than labels', async () => {
    const distance = (mesh: TriMesh): number => {
      let sum = 0;
      for (let i = 0; i < mesh.positions.length; i += 3)
        sum += Math.abs(ball.distance(mesh.positions[i]!, mesh.positions[i + 1]!, mesh.positions[i + 2]!));
      return sum / (mesh.positions.length / 3);
    };
    const staircase = await meshFromVolume(labelVolume(shape, ball), { class: 1, iterations: 0 });
    const refined = await meshFromVolume(probabilityVolume(shape, ball, 1, 0.1), { smooth: 0.5 });
    expect(refined.objects).toHaveLength(1);
    const { mesh, measurements, watertight } = refined.objects[0]!;
    expect(watertight).toBe(true);
    expectClosed(mesh);
    expect(selfIntersections(mesh)).toBe(0);
    expect(minAngle(mesh)).toBeGreaterThan(15);
    expect(Math.abs(measurements.volume / ball.volume - 1)).toBeLessThan(0.03);
    expect(Math.abs(measurements.surfaceArea / ball.area - 1)).toBeLessThan(0.03);
    expect(measurements.sphericity).toBeGreaterThan(0.97);
    measurements.centroid.forEach((c, axis) => expect(c).toBeCloseTo([17.3, 16.6, 15.8][axis]!, 0));
    const labelArea = staircase.objects[0]!.measurements.surfaceArea;
    expect(labelArea / ball.area - 1).toBeGreaterThan(2 * Math.abs(measurements.surfaceArea / ball.area - 1));
    expect(distance(staircase.objects[0]!.mesh)).toBeGreaterThan(2 * distance(mesh));
  });

  it('works in physical units (anisotropic voxels)', async () => {
    const result = await meshFromVolume(labelVolume(shape, ball, [2, 0.5, 1]), { class: 1, smooth: 0.5 });
    const { bboxMin, bboxMax } = result.objects[0]!.measurements;
    // x spans about 2r voxels of 1, y of 0.5, z of 2
    expect((bboxMax[0] - bboxMin[0]) / (2 * 9.5)).toBeCloseTo(1, 1);
    expect((bboxMax[1] - bboxMin[1]) / (2 * 9.5 * 0.5)).toBeCloseTo(1, 1);
    expect((bboxMax[2] - bboxMin[2]) / (2 * 9.5 * 2)).toBeCloseTo(1, 1);
    expectClosed(result.objects[0]!.mesh);
  });

  it('gives the same result blockwise and unblocked', async () => {
    const volume = probabilityVolume(shape, ball, 1, 0.1);
    const a = await meshFromVolume(volume, { blockSize: 8, iterations: 12 });
    const b = await meshFromVolume(volume, { blockSize: 64, iterations: 12 });
    expect(a.objects[0]!.mesh.positions).toEqual(b.objects[0]!.mesh.positions);
    expect(a.objects[0]!.mesh.triangles).toEqual(b.objects[0]!.mesh.triangles);
  });

  it('splits objects and drops those below the minimum volume', async () => {
    // a big ball plus a grid of single-voxel specks
    const volume = computedVolume([30, 30, 30], 'uint8', (x, y, z) =>
      ball.distance(x, y, z) > 0 || (x % 4 === 1 && y % 4 === 1 && z < 4 && z % 4 === 1) ? 2 : 0,
    );
    const all = await meshFromVolume(volume, { class: 2, iterations: 0, minVolume: 0 });
    expect(all.objects.length).toBeGreaterThan(20);
    for (const object of all.objects) expectClosed(object.mesh);
    // by default what is smaller than one voxel (here each speck's raw surface) is not an object
    const byDefault = await meshFromVolume(volume, { class: 2, iterations: 0 });
    expect(byDefault.objects).toHaveLength(1);
    expect(byDefault.removed).toBe(all.objects.length - 1);
    const big = await meshFromVolume(volume, { class: 2, minVolume: 10, iterations: 5 });
    expect(big.objects).toHaveLength(1);
    expect(big.removed).toBe(all.objects.length - 1);
  });

  it('handles an empty class, NaN probabilities and bad parameters', async () => {
    expect((await meshFromVolume(labelVolume(shape, ball), { class: 7 })).objects).toEqual([]);
    const withNaN = computedVolume(shape, 'float32', (x, y, z) =>
      x === 10 && y < 20 ? NaN : ball.distance(x, y, z) > 0 ? 1 : 0,
    );
    const result = await meshFromVolume(withNaN, { iterations: 5 });
    expect(result.nanVoxels).toBe(20 * 32);
    for (const object of result.objects) expectClosed(object.mesh);
    for (const options of [
      { edgeLength: 0 },
      { edgeLength: -1 },
      { smooth: 2 },
      { iso: 1 },
      { minVolume: NaN },
      { iterations: 1.5 },
    ])
      await expect(meshFromVolume(labelVolume(shape, ball), { class: 1, ...options })).rejects.toMatchObject({
        kind: 'bad-input',
      });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      meshFromVolume(labelVolume(shape, ball), { class: 1, signal: controller.signal }),
    ).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
