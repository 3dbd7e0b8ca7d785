import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { makePhantom, paintLabels } from '../phantoms';
import {
  type Stroke,
  classValues,
  findStrokes,
  keepStrokes,
  paintedVoxels,
  splitStrokes,
  strokeFolds,
  strokeLabels,
  strokeVolume,
} from './strokes';

/** Painted discs on three slices of a 3-class phantom: many strokes of unequal size per class. */
async function paintedStrokes(): Promise<{ strokes: Stroke[]; shape: Vec3 }> {
  const shape: Vec3 = [16, 48, 48];
  const phantom = await makePhantom('fibres-pores', shape, 2);
  const labels = paintLabels(phantom.truth, shape, 3, { discs: 5 });
  return { strokes: findStrokes(labels, shape), shape };
}

describe('findStrokes', () => {
  it('joins voxels touching by a corner (26-connectivity), never across classes', () => {
    const shape: Vec3 = [3, 4, 4];
    const labels = new Uint8Array(48);
    const at = (z: number, y: number, x: number): number => (z * 4 + y) * 4 + x;
    labels[at(0, 0, 0)] = 1;
    labels[at(1, 1, 1)] = 1; // corner neighbour of the first
    labels[at(1, 1, 2)] = 2; // face neighbour, other class
    labels[at(2, 3, 3)] = 1; // apart
    const strokes = findStrokes(labels, shape);
    expect(strokes.map((s) => [s.value, Array.from(s.indices)])).toEqual([
      [1, [at(0, 0, 0), at(1, 1, 1)]],
      [2, [at(1, 1, 2)]],
      [1, [at(2, 3, 3)]],
    ]);
  });

  it('covers every painted voxel exactly once', async () => {
    const { strokes, shape } = await paintedStrokes();
    const again = findStrokes(strokeVolume(strokes, shape), shape);
    expect(again).toEqual(strokes);
    const all = strokes.flatMap((s) => Array.from(s.indices));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('splitStrokes', () => {
  it('cuts a class painted in one stroke into separate whole pieces', () => {
    const shape: Vec3 = [1, 10, 40];
    const labels = new Uint8Array(400);
    for (let y = 2; y < 7; y++) for (let x = 1; x < 39; x++) labels[y * 40 + x] = 1; // one long stroke
    labels[0] = 2;
    labels[9 * 40] = 2;
    labels[9 * 40 + 39] = 2;
    const split = splitStrokes(findStrokes(labels, shape), shape, 3);
    const ones = split.filter((s) => s.value === 1);
    expect(ones).toHaveLength(3);
    expect(split.filter((s) => s.value === 2)).toHaveLength(3);
    // pieces of about equal size, a gap between them: still three strokes when painted again
    for (const piece of ones) expect(piece.indices.length).toBeGreaterThan(40);
    expect(findStrokes(strokeVolume(ones, shape), shape)).toHaveLength(3);
    for (const piece of ones) for (const i of piece.indices) expect(labels[i]).toBe(1);
  });
});

describe('strokeFolds', () => {
  it('partitions whole strokes, balanced per class, every class in every training split', async () => {
    const { strokes } = await paintedStrokes();
    for (const seed of [1, 2, 3]) {
      const folds = strokeFolds(strokes, 3, seed);
      expect(folds).toHaveLength(strokes.length);
      expect(folds.every((f) => Number.isInteger(f) && f >= 0 && f < 3)).toBe(true);
      for (const value of classValues(strokes)) {
        const perFold = [0, 1, 2].map((f) => strokes.filter((s, i) => s.value === value && folds[i] === f).length);
        expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
        for (let held = 0; held < 3; held++)
          expect(strokes.some((s, i) => s.value === value && folds[i] !== held)).toBe(true);
      }
      expect(strokeFolds(strokes, 3, seed)).toEqual(folds);
    }
  });
});

describe('keepStrokes', () => {
  it('keeps whole strokes adding up to about the budget, and every class', async () => {
    const { strokes } = await paintedStrokes();
    const smallest = classValues(strokes).map((v) =>
      Math.min(...strokes.filter((s) => s.value === v).map((s) => s.indices.length)),
    );
    const floor = smallest.reduce((a, b) => a + b, 0);
    for (const budget of [10, 100, 300, 1000, 3000]) {
      const kept = keepStrokes(strokes, budget, 5);
      expect(new Set(kept).size).toBe(kept.length);
      for (const s of kept) expect(strokes).toContain(s);
      expect(classValues(kept)).toEqual(classValues(strokes));
      const total = paintedVoxels(kept);
      expect(total).toBeLessThanOrEqual(Math.max(budget, floor));
      // nothing left out would still have fitted
      for (const s of strokes) if (!kept.includes(s)) expect(total + s.indices.length).toBeGreaterThan(budget);
      expect(keepStrokes(strokes, budget, 5)).toEqual(kept);
    }
    expect(keepStrokes(strokes, Infinity, 5)).toHaveLength(strokes.length);
  });
});

describe('strokeLabels', () => {
  it('gives the engine ascending indices with their class values', async () => {
    const { strokes, shape } = await paintedStrokes();
    const sparse = strokeLabels(strokes, shape);
    const volume = strokeVolume(strokes, shape);
    expect(sparse.indices.length).toBe(paintedVoxels(strokes));
    for (let n = 0; n < sparse.indices.length; n++) {
      if (n > 0) expect(sparse.indices[n]!).toBeGreaterThan(sparse.indices[n - 1]!);
      expect(volume[sparse.indices[n]!]).toBe(sparse.values[n]);
    }
  });
});
