import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { overviewStep } from '../volume/overview';
import { labelOverview } from './label-overview';
import { LabelHistory } from './history';
import { LabelStore } from './label-store';

/** The same reduction done densely over every voxel: the reference for the sparse one. */
function denseReference(store: LabelStore, maxEdge: number): Uint8Array {
  const [nz, ny, nx] = store.shape;
  const step = overviewStep(store.shape, maxEdge);
  const [oz, oy, ox] = store.shape.map((n, a) => Math.ceil(n / step[a]!));
  const labels = store.read({ start: [0, 0, 0], shape: store.shape });
  const counts = new Map<number, number[]>();
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (labels[i] === 0) continue;
        const at = (Math.floor(z / step[0]) * oy! + Math.floor(y / step[1])) * ox! + Math.floor(x / step[2]);
        const perClass = counts.get(at) ?? new Array<number>(256).fill(0);
        perClass[labels[i]!]!++;
        counts.set(at, perClass);
      }
  const out = new Uint8Array(oz! * oy! * ox!);
  for (const [at, perClass] of counts) out[at] = perClass.indexOf(Math.max(...perClass));
  return out;
}

describe('labelOverview', () => {
  it('keeps a one-voxel stroke that a most-frequent vote would lose', () => {
    const shape: Vec3 = [100, 130, 70]; // steps 5, 7, 4 at edge 20: blocks cross label-block borders
    const store = new LabelStore(shape);
    // One voxel thick, along x through z = 52, y = 66.
    const line = Array.from({ length: 70 }, (_, x) => [52, 66, x]).flat();
    store.paint({ value: 3, shapes: [{ kind: 'points', points: line }] });
    const overview = labelOverview(store, [1, 1, 1], 20);
    expect(overview.shape).toEqual([20, 19, 18]);
    const [, oy, ox] = overview.shape;
    const at = (k: number, j: number, i: number): number => overview.data[(k * oy + j) * ox + i]!;
    for (let i = 0; i < ox; i++) expect(at(10, 9, i)).toBe(3); // z 50-54, y 63-69: every column
    expect(overview.data.filter((v) => v !== 0).length).toBe(ox);
  });

  it('shows the class painted most where several are, like a dense count, whatever the blocks', () => {
    const shape: Vec3 = [45, 77, 90];
    const store = new LabelStore(shape);
    store.paint({ value: 1, shapes: [{ kind: 'disc', axis: 'z', center: [20, 38, 45], radius: 20 }] });
    store.paint({ value: 2, shapes: [{ kind: 'sphere', center: [22, 40, 50], radius: 8 }] });
    store.paint({ value: 7, shapes: [{ kind: 'disc', axis: 'x', center: [10, 10, 88], radius: 9 }] });
    for (const edge of [8, 13, 32, 90])
      expect(labelOverview(store, [1, 1, 1], edge).data).toEqual(denseReference(store, edge));
    // A 3×3×3 block with 2 voxels of class 2 and 2 of class 5: the tie goes to the lower class.
    const small = new LabelStore([3, 3, 3]);
    small.paint({ value: 5, shapes: [{ kind: 'points', points: [0, 0, 0, 2, 2, 2] }] });
    small.paint({ value: 2, shapes: [{ kind: 'points', points: [1, 1, 1, 0, 2, 1] }] });
    expect([...labelOverview(small, [1, 1, 1], 1).data]).toEqual([2]);
    small.paint({ value: 5, shapes: [{ kind: 'points', points: [1, 0, 0] }] });
    expect([...labelOverview(small, [1, 1, 1], 1).data]).toEqual([5]);
  });

  it('places each overview voxel at the centre of the voxels it stands for', () => {
    const shape: Vec3 = [64, 96, 200];
    const voxelSize: Vec3 = [2, 0.5, 0.25];
    const store = new LabelStore(shape);
    store.paint({ value: 4, shapes: [{ kind: 'points', points: [40, 70, 150] }] });
    const overview = labelOverview(store, voxelSize, 50); // steps 2, 2, 4
    expect(overview.shape).toEqual([32, 48, 50]);
    expect(overview.voxelSize).toEqual([4, 1, 1]);
    expect(overview.dtype).toBe('uint8');
    // Overview voxel (k, j, i) spans voxels [k·2, k·2 + 1] × [j·2, j·2 + 1] × [i·4, i·4 + 3].
    expect(overview.origin).toEqual([0.5 * 2, 0.5 * 0.5, 1.5 * 0.25]);
    const painted = overview.data.findIndex((v) => v !== 0);
    const [k, j, i] = [Math.floor(painted / (48 * 50)), Math.floor(painted / 50) % 48, painted % 50];
    expect([k, j, i]).toEqual([20, 35, 37]);
    const centre = [k, j, i].map((n, a) => overview.origin[a]! + n * overview.voxelSize[a]!);
    const voxel = [40, 70, 150].map((n, a) => n * voxelSize[a]!);
    for (let a = 0; a < 3; a++)
      expect(Math.abs(centre[a]! - voxel[a]!)).toBeLessThanOrEqual(overview.voxelSize[a]! / 2);
  });

  it('is empty where nothing is painted, and again after the stroke is undone', () => {
    const store = new LabelStore([40, 40, 40]);
    const history = new LabelHistory(store);
    expect(labelOverview(store, [1, 1, 1], 10).data.every((v) => v === 0)).toBe(true);
    history.paint({ value: 2, shapes: [{ kind: 'disc', axis: 'y', center: [20, 20, 20], radius: 5 }] });
    expect(labelOverview(store, [1, 1, 1], 10).data.some((v) => v === 2)).toBe(true);
    history.undo();
    expect(labelOverview(store, [1, 1, 1], 10).data.every((v) => v === 0)).toBe(true);
  });
});
