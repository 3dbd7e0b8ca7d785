import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { LabelHistory } from './history';
import { BLOCK, LabelStore } from './label-store';

const flat = (shape: Vec3, z: number, y: number, x: number): number => (z * shape[1] + y) * shape[2] + x;

/** A dense reference volume painted voxel by voxel, to check the sparse store against. */
function denseDisc(shape: Vec3, center: Vec3, radius: number, axis: 0 | 1 | 2): Uint8Array {
  const out = new Uint8Array(shape[0] * shape[1] * shape[2]);
  const c = [...center];
  c[axis] = Math.round(c[axis]!);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        if ((axis === 0 ? z : axis === 1 ? y : x) !== c[axis]) continue;
        const d2 = (z - c[0]!) ** 2 + (y - c[1]!) ** 2 + (x - c[2]!) ** 2;
        if (d2 <= radius * radius) out[flat(shape, z, y, x)] = 1;
      }
  return out;
}

const whole = (shape: Vec3) => ({ start: [0, 0, 0] as Vec3, shape });

/** Blocks per axis of a 2048³ store. */
const BLOCK_GRID = 2048 / BLOCK;

/**
 * Bytes of the typed arrays and array buffers `root` holds, followed through its fields, arrays,
 * maps and sets (each buffer counted once): what a store keeps, unlike the process's memory,
 * which other work on the machine moves.
 */
function heldBytes(root: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return void buffers.add(value.buffer);
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return void buffers.add(value);
    if (value instanceof Map)
      for (const [key, item] of value) {
        visit(key);
        visit(item);
      }
    if (value instanceof Set) for (const item of value) visit(item);
    for (const item of Object.values(value)) visit(item);
  };
  visit(root);
  return [...buffers].reduce((sum, buffer) => sum + buffer.byteLength, 0);
}

/** (index, value) of the labelled voxels: a short list that compares fast and prints readably. */
const labelled = (a: Uint8Array): number[][] => [...a.keys()].filter((i) => a[i] !== 0).map((i) => [i, a[i]!]);

describe('LabelStore', () => {
  it('paints discs in each plane exactly like a dense reference, across block borders and clipped at edges', () => {
    const shape: Vec3 = [40, 50, 70];
    for (const [axis, name] of [
      [0, 'z'],
      [1, 'y'],
      [2, 'x'],
    ] as const) {
      for (const center of [
        [20, 31.5, 33],
        [1, 2, 68],
        [39, 0, 0],
      ] as Vec3[]) {
        const store = new LabelStore(shape);
        store.paint({ value: 1, shapes: [{ kind: 'disc', axis: name, center, radius: 6.2 }] });
        expect(labelled(store.read(whole(shape)))).toEqual(labelled(denseDisc(shape, center, 6.2, axis)));
      }
    }
  });

  it('paints a sphere with the voxels within the radius', () => {
    const shape: Vec3 = [20, 20, 20];
    const store = new LabelStore(shape);
    const diff = store.paint({ value: 3, shapes: [{ kind: 'sphere', center: [10, 10, 10], radius: 3 }] });
    let expected = 0;
    for (let z = 0; z < 20; z++)
      for (let y = 0; y < 20; y++)
        for (let x = 0; x < 20; x++) if ((z - 10) ** 2 + (y - 10) ** 2 + (x - 10) ** 2 <= 9) expected++;
    expect(store.labelledCount).toBe(expected);
    expect(diff.indices.length).toBe(expected);
    expect(diff.bounds).toEqual({ start: [7, 7, 7], shape: [7, 7, 7] });
    expect(store.classCounts()[3]).toBe(expected);
  });

  it('paints a mask region and points, clipping everything outside the volume without error', () => {
    const shape: Vec3 = [4, 8, 8];
    const store = new LabelStore(shape);
    const mask = new Uint8Array(1 * 4 * 4).fill(1);
    mask[5] = 0;
    store.paint({
      value: 2,
      shapes: [
        { kind: 'mask', region: { start: [1, -2, 6], shape: [1, 4, 4] }, mask },
        { kind: 'points', points: [0, 0, 0, -1, 0, 0, 3, 7, 7, 3, 7, 8, 99, 99, 99] },
      ],
    });
    const labels = store.read(whole(shape));
    // Mask rows y = -2..1 and columns x = 6..9 clip to y 0..1, x 6..7; mask byte 5 is (y=-1, x=7), clipped anyway.
    const painted = [
      flat(shape, 1, 0, 6),
      flat(shape, 1, 0, 7),
      flat(shape, 1, 1, 6),
      flat(shape, 1, 1, 7),
      0,
      flat(shape, 3, 7, 7),
    ];
    expect([...labels.keys()].filter((i) => labels[i] !== 0).sort((a, b) => a - b)).toEqual(
      painted.sort((a, b) => a - b),
    );
    expect(store.labelledCount).toBe(6);
  });

  it('keeps class counts right through painting, erasing, undo and loading', () => {
    const shape: Vec3 = [40, 40, 40];
    const store = new LabelStore(shape);
    const history = new LabelHistory(store);
    const dense = (s: LabelStore): number[] => {
      const counts = new Array<number>(256).fill(0);
      for (const v of s.read(whole(shape))) if (v) counts[v]!++;
      return counts;
    };
    history.paint({ value: 1, shapes: [{ kind: 'sphere', center: [20, 20, 20], radius: 8 }] });
    history.paint({ value: 2, shapes: [{ kind: 'sphere', center: [25, 20, 20], radius: 6 }] });
    history.paint({ value: 0, shapes: [{ kind: 'disc', axis: 'y', center: [20, 20, 20], radius: 5 }] });
    expect(store.classCounts()).toEqual(dense(store));
    history.undo();
    expect(store.classCounts()).toEqual(dense(store));
    const copy = new LabelStore(shape);
    for (const key of store.blockKeys()) copy.loadBlock(key, store.block(key)!);
    for (const key of store.blockKeys()) copy.loadBlock(key, store.block(key)!); // replacing counts once
    expect(copy.classCounts()).toEqual(dense(store));
    expect(copy.labelledCount).toBe(store.labelledCount);
  });

  it('lists labelled voxels sorted by flat index with their classes', () => {
    const shape: Vec3 = [70, 70, 70];
    const store = new LabelStore(shape);
    const points = [69, 69, 69, 0, 0, 1, 33, 2, 40, 0, 0, 0];
    store.paint({ value: 5, shapes: [{ kind: 'points', points: points.slice(0, 6) }] });
    store.paint({ value: 255, shapes: [{ kind: 'points', points: points.slice(6) }] });
    const { indices, classes } = store.labelledVoxels();
    expect([...indices]).toEqual([0, 1, flat(shape, 33, 2, 40), flat(shape, 69, 69, 69)]);
    expect([...classes]).toEqual([255, 5, 255, 5]);

    // A dense reference over many blocks: same voxels, same order.
    store.paint({ value: 3, shapes: [{ kind: 'sphere', center: [35, 35, 35], radius: 20 }] });
    const labels = store.read(whole(shape));
    const all = store.labelledVoxels();
    expect([...all.indices]).toEqual([...labels.keys()].filter((i) => labels[i] !== 0));
    expect([...all.classes]).toEqual([...labels].filter((v) => v !== 0));
  });

  it('paints a 2048³ volume without allocating it, with flat indices beyond 2³²', () => {
    const shape: Vec3 = [2048, 2048, 2048];
    const store = new LabelStore(shape);
    // empty, it holds what an empty 64³ store holds: nothing grows with the volume
    const empty = heldBytes(store);
    expect(empty).toBe(heldBytes(new LabelStore([64, 64, 64])));
    const diff = store.paint({
      value: 1,
      shapes: [{ kind: 'disc', axis: 'z', center: [2047, 2040, 2040], radius: 20 }],
    });
    // The disc (clipped to y, x ≥ 2020) lies in the last block alone: the store holds that block,
    // the stroke's undo record and little else, whatever the volume's size.
    const last = (BLOCK_GRID - 1) * (BLOCK_GRID * BLOCK_GRID + BLOCK_GRID + 1);
    expect(store.blockKeys()).toEqual([last]);
    const bound = empty + BLOCK ** 3 + 16 * diff.indices.length + 4096;
    expect(heldBytes(store)).toBeLessThanOrEqual(bound);
    expect(Math.max(...diff.indices)).toBeGreaterThan(2 ** 32);
    const { indices } = store.labelledVoxels();
    expect(indices[indices.length - 1]).toBe(flat(shape, 2047, 2047, 2047));
    expect(store.read({ start: [2047, 2047, 2047], shape: [1, 1, 1] })).toEqual(Uint8Array.of(1));
    expect(heldBytes(store)).toBeLessThanOrEqual(bound); // reading keeps nothing more
  });

  it('tracks dirty blocks, including blocks erased to nothing', () => {
    const shape: Vec3 = [BLOCK * 2, BLOCK, BLOCK];
    const store = new LabelStore(shape);
    store.paint({ value: 1, shapes: [{ kind: 'points', points: [0, 0, 0, BLOCK, 0, 0] }] });
    expect(store.dirtyBlocks().sort()).toEqual([0, 1]);
    store.markClean();
    expect(store.dirtyBlocks()).toEqual([]);
    store.paint({ value: 0, shapes: [{ kind: 'points', points: [BLOCK, 0, 0] }] });
    expect(store.dirtyBlocks()).toEqual([1]);
    expect(store.block(1)).toBeUndefined();
    expect(store.blockOrigin(1)).toEqual([BLOCK, 0, 0]);
  });

  it('tells which blocks changed since a version: painting, erasing to nothing, undo, redo, loading', () => {
    const shape: Vec3 = [BLOCK * 2, BLOCK, BLOCK * 2]; // blocks 0, 1 (x) and 2, 3 (z)
    const store = new LabelStore(shape);
    const history = new LabelHistory(store);
    const start = store.version;
    store.paint({ value: 1, shapes: [{ kind: 'points', points: [0, 0, 0, BLOCK, 0, 0] }] });
    expect(store.blocksChangedSince(start).sort()).toEqual([0, 2]);
    const painted = store.version;
    expect(store.blocksChangedSince(painted)).toEqual([]);
    history.paint({ value: 0, shapes: [{ kind: 'points', points: [BLOCK, 0, 0] }] });
    expect(store.block(2)).toBeUndefined();
    expect(store.blocksChangedSince(painted)).toEqual([2]);
    const erased = store.version;
    history.undo();
    expect(store.blocksChangedSince(erased)).toEqual([2]);
    const undone = store.version;
    history.redo();
    expect(store.blocksChangedSince(undone)).toEqual([2]);
    const redone = store.version;
    store.loadBlock(1, new Uint8Array(BLOCK ** 3).fill(3));
    expect(store.blocksChangedSince(redone)).toEqual([1]);
    expect(store.blocksChangedSince(start).sort()).toEqual([0, 1, 2]);
  });

  it('loads saved blocks and refuses blocks that do not fit the volume', () => {
    const a = new LabelStore([40, 40, 40]);
    a.paint({ value: 7, shapes: [{ kind: 'sphere', center: [30, 30, 30], radius: 9 }] });
    const b = new LabelStore([40, 40, 40]);
    for (const key of a.blockKeys()) b.loadBlock(key, a.block(key)!);
    expect(b.read(whole([40, 40, 40]))).toEqual(a.read(whole([40, 40, 40])));
    expect(b.labelledCount).toBe(a.labelledCount);
    expect(b.dirtyBlocks()).toEqual([]);
    const smaller = new LabelStore([35, 40, 40]);
    const lastKey = Math.max(...a.blockKeys());
    expect(() => smaller.loadBlock(lastKey, a.block(lastKey)!)).toThrow(/outside the volume/);
    expect(() => b.loadBlock(999, new Uint8Array(BLOCK ** 3))).toThrow(/block grid/);
    expect(() => b.loadBlock(0, new Uint8Array(10))).toThrow(/bytes/);
  });

  it('refuses bad classes, shapes and read regions with clear errors', () => {
    expect(() => new LabelStore([0, 1, 1])).toThrow(/shape/);
    const store = new LabelStore([4, 4, 4]);
    expect(() => store.paint({ value: 256, shapes: [] })).toThrow(/0\.\.255/);
    expect(() => store.read({ start: [0, 0, 0], shape: [5, 1, 1] })).toThrow(/outside the volume/);
    expect(() =>
      store.paint({ value: 1, shapes: [{ kind: 'mask', region: whole([1, 2, 2]), mask: new Uint8Array(3) }] }),
    ).toThrow(/mask/);
  });
});
