import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { Random } from '../engine/random';
import { labelOverview } from './label-overview';
import { LabelHistory } from './history';
import { LabelOverviewCache } from './label-overview-cache';
import type { StrokeShape } from './brush';
import { BLOCK, LabelStore } from './label-store';

const VOXEL: Vec3 = [2, 1, 0.5];

/** A random brush stroke, fill mask or scatter of points somewhere in (or partly outside) the volume. */
function randomShape(random: Random, shape: Vec3): StrokeShape {
  const centre = shape.map((n) => random.next() * (n + 10) - 5) as Vec3;
  const radius = random.next() * 9;
  switch (random.int(4)) {
    case 0:
      return { kind: 'disc', axis: (['z', 'y', 'x'] as const)[random.int(3)]!, center: centre, radius };
    case 1:
      return { kind: 'sphere', center: centre, radius };
    case 2: {
      const size: Vec3 = [1, 1 + random.int(40), 1 + random.int(40)];
      const mask = Uint8Array.from({ length: size[1] * size[2] }, () => (random.next() < 0.6 ? 1 : 0));
      return { kind: 'mask', region: { start: centre.map(Math.floor) as Vec3, shape: size }, mask };
    }
    default:
      return { kind: 'points', points: Array.from({ length: 60 }, (_, i) => random.next() * shape[i % 3]!) };
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Paints, erases, undoes, redoes and loads blocks at random, checking the cached overview against a full one after each. */
function checkAgainstFull(shape: Vec3, edges: number[], seed: number, steps: number): void {
  const random = new Random(seed);
  const store = new LabelStore(shape);
  const history = new LabelHistory(store);
  const cache = new LabelOverviewCache(store);
  let checked = 0;
  for (let step = 0; step < steps; step++) {
    const action = random.next();
    if (action < 0.15) history.undo();
    else if (action < 0.25) history.redo();
    else if (action < 0.3) {
      // An imported block: a fresh class over a slab of it.
      const [gz, gy, gx] = store.grid;
      const data = new Uint8Array(BLOCK ** 3);
      const key = random.int(gz * gy * gx);
      const origin = store.blockOrigin(key);
      for (let i = 0; i < data.length; i++) {
        const [z, y, x] = [origin[0] + (i >> 10), origin[1] + ((i >> 5) & 31), origin[2] + (i & 31)];
        if (z < shape[0] && y < shape[1] && x < shape[2] && z % 7 === 0) data[i] = 9;
      }
      store.loadBlock(key, data);
    } else {
      // Erasing a quarter of the time; a few classes, so votes compete and ties happen.
      const value = random.next() < 0.25 ? 0 : 1 + random.int(4);
      const shapes = Array.from({ length: 1 + random.int(3) }, () => randomShape(random, shape));
      history.paint({ value, shapes }, { continueStroke: random.next() < 0.3 });
    }
    // Reads are sometimes skipped, so one read catches up on several changes.
    if (random.next() < 0.3) continue;
    const edge = edges[random.int(edges.length)]!;
    const { data, ...geometry } = cache.read(VOXEL, edge);
    const full = labelOverview(store, VOXEL, edge);
    expect(geometry).toEqual({ ...full, data: undefined });
    // The first differing overview voxel, if any (a plain loop: deep equality is slow on big arrays).
    expect(firstDifference(data as Uint8Array, full.data as Uint8Array)).toBe(-1);
    checked++;
  }
  expect(checked).toBeGreaterThan(steps / 2);
  expect(store.labelledCount).toBeGreaterThan(0);
}

describe('LabelOverviewCache', () => {
  it('matches a full recount through random strokes, erases, undo, redo and loaded blocks', () => {
    // Overview steps 4, 4, 4 (aligned with the label blocks) and 6, 8, 7 (overview voxels straddling them).
    checkAgainstFull([128, 96, 128], [32], 1, 120);
    checkAgainstFull([70, 100, 90], [13], 2, 120);
  });

  it('starts afresh when the overview edge changes, then keeps up at the new edge', () => {
    checkAgainstFull([70, 100, 90], [13, 25, 40, 1], 3, 150);
  });

  it('hands out overviews that later reads leave alone', () => {
    const store = new LabelStore([40, 40, 40]);
    const history = new LabelHistory(store);
    const cache = new LabelOverviewCache(store);
    history.paint({ value: 2, shapes: [{ kind: 'sphere', center: [20, 20, 20], radius: 6 }] });
    const first = cache.read(VOXEL, 10);
    const copy = first.data.slice();
    history.undo();
    const second = cache.read(VOXEL, 10);
    expect(second.data.every((v) => v === 0)).toBe(true);
    expect(first.data).toEqual(copy);
    second.data.fill(5); // the caller's to change, without harm to the next read
    expect(cache.read(VOXEL, 10).data.every((v) => v === 0)).toBe(true);
  });
});
