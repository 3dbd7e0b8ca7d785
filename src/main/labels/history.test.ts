import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { LabelHistory } from './history';
import { LabelStore } from './label-store';

const whole = (shape: Vec3) => ({ start: [0, 0, 0] as Vec3, shape });

describe('LabelHistory', () => {
  it('returns a sparse diff of only changed voxels and undoes/redoes per stroke', () => {
    const shape: Vec3 = [10, 64, 64];
    const store = new LabelStore(shape);
    const history = new LabelHistory(store);
    const a = history.paint({ value: 1, shapes: [{ kind: 'disc', axis: 'z', center: [5, 30, 30], radius: 5 }] });
    const afterA = store.read(whole(shape));
    const b = history.paint({ value: 2, shapes: [{ kind: 'disc', axis: 'z', center: [5, 30, 34], radius: 5 }] });
    const afterB = store.read(whole(shape));
    expect(b.indices.length).toBeGreaterThan(0);
    // The overlapping voxels record class 1 as their old value.
    expect(b.old.filter((v) => v === 1).length).toBeGreaterThan(0);
    const same = history.paint({ value: 2, shapes: [{ kind: 'disc', axis: 'z', center: [5, 30, 34], radius: 5 }] });
    expect(same.indices.length).toBe(0);
    expect(same.bounds).toBeNull();

    expect(history.undo()).toEqual([b]);
    expect(store.read(whole(shape))).toEqual(afterA);
    expect(history.undo()).toEqual([a]);
    expect(store.labelledCount).toBe(0);
    expect(store.blockKeys()).toEqual([]);
    expect(history.undo()).toEqual([]);
    history.redo();
    history.redo();
    expect(store.read(whole(shape))).toEqual(afterB);
    expect(history.canRedo).toBe(false);
  });

  it('joins the pieces of one drag into one undo step and erases with 0', () => {
    const shape: Vec3 = [1, 40, 40];
    const store = new LabelStore(shape);
    const history = new LabelHistory(store);
    history.paint({ value: 1, shapes: [{ kind: 'disc', axis: 'z', center: [0, 10, 10], radius: 3 }] });
    const before = store.read(whole(shape));
    history.paint({ value: 0, shapes: [{ kind: 'disc', axis: 'z', center: [0, 10, 8], radius: 2 }] });
    history.paint(
      { value: 0, shapes: [{ kind: 'disc', axis: 'z', center: [0, 10, 12], radius: 2 }] },
      { continueStroke: true },
    );
    expect(store.labelledCount).toBeLessThan(before.filter((v) => v).length);
    history.undo();
    expect(store.read(whole(shape))).toEqual(before);
  });

  it('a new stroke clears redo; the undo limit forgets the oldest strokes', () => {
    const store = new LabelStore([1, 1, 10]);
    const history = new LabelHistory(store, 3);
    for (let x = 0; x < 5; x++) history.paint({ value: 1, shapes: [{ kind: 'points', points: [0, 0, x] }] });
    let undone = 0;
    while (history.undo().length > 0) undone++;
    expect(undone).toBe(3);
    expect(store.labelledCount).toBe(2);
    history.paint({ value: 4, shapes: [{ kind: 'points', points: [0, 0, 9] }] });
    expect(history.canRedo).toBe(false);
  });

  it('undoes strokes painted together (one per class) as one step, which a continued drag does not join', () => {
    const shape: Vec3 = [1, 1, 10];
    const store = new LabelStore(shape);
    const history = new LabelHistory(store);
    const point = (x: number) => [{ kind: 'points' as const, points: [0, 0, x] }];
    history.paint({ value: 1, shapes: point(0) });
    const before = store.read(whole(shape));
    const diffs = history.paintTogether([
      { value: 2, shapes: point(1) },
      { value: 3, shapes: point(2) },
      { value: 3, shapes: point(2) }, // changes nothing: not kept
    ]);
    expect(diffs.map((d) => d.indices.length)).toEqual([1, 1, 0]);
    history.paint({ value: 3, shapes: point(3) }, { continueStroke: true });
    expect(history.result(history.undo())).toMatchObject({ voxels: 1, canUndo: true, canRedo: true });
    expect(history.result(history.undo())).toMatchObject({
      voxels: 2,
      changed: { start: [0, 0, 1], shape: [1, 1, 2] },
    });
    expect(store.read(whole(shape))).toEqual(before);
  });
});
