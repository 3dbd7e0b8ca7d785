import { describe, expect, it } from 'vitest';
import { type PostprocessStep, describeStep, parseStep } from '../../shared/postprocess';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { Random } from '../engine/random';
import { agreeingProbabilities, postprocess } from './postprocess';

const indexer =
  ([, ny, nx]: Vec3) =>
  (z: number, y: number, x: number): number =>
    (z * ny + y) * nx + x;

async function run(data: Uint8Array, shape: Vec3, steps: PostprocessStep[], memoryLimit?: number): Promise<Uint8Array> {
  const result = await postprocess(new MemoryVolume(data, shape), steps, {
    place: memoryLimit === undefined ? undefined : { memoryLimit },
  });
  try {
    return (await result.volume.read({ start: [0, 0, 0], shape })) as Uint8Array;
  } finally {
    await result.dispose();
  }
}

/** Opening or closing by brute force: every voxel's ball read in full (outside the volume ignored). */
function bruteMorphology(data: Uint8Array, shape: Vec3, K: number, r: number, op: 'open' | 'close'): Uint8Array {
  const at = indexer(shape);
  const ball = (test: (i: number) => boolean, every: boolean) => {
    const out = new Uint8Array(data.length);
    for (let z = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[2]; x++) {
          let all = true;
          let any = false;
          for (let dz = -r; dz <= r; dz++)
            for (let dy = -r; dy <= r; dy++)
              for (let dx = -r; dx <= r; dx++) {
                const [zz, yy, xx] = [z + dz, y + dy, x + dx];
                if (dz * dz + dy * dy + dx * dx > r * r) continue;
                if (zz < 0 || yy < 0 || xx < 0 || zz >= shape[0] || yy >= shape[1] || xx >= shape[2]) continue;
                if (test(at(zz, yy, xx))) any = true;
                else all = false;
              }
          out[at(z, y, x)] = (every ? all : any) ? 1 : 0;
        }
    return out;
  };
  const inK = (i: number) => data[i] === K;
  const out = data.slice();
  if (op === 'open') {
    const eroded = ball(inK, true);
    const opened = ball((i) => eroded[i] === 1, false);
    for (let i = 0; i < data.length; i++) if (inK(i) && !opened[i]) out[i] = K === 1 ? 2 : 1;
  } else {
    const dilated = ball(inK, false);
    const closed = ball((i) => dilated[i] === 1, true);
    for (let i = 0; i < data.length; i++) if (closed[i]) out[i] = K;
  }
  return out;
}

describe('post-processing', () => {
  it('fills what the class encloses, in 3D and in a single slice, but not what reaches the edge', async () => {
    const shape: Vec3 = [9, 9, 9];
    const at = indexer(shape);
    const data = new Uint8Array(9 ** 3).fill(1);
    // a hollow cube of class 2 holding a cavity of class 1 with a class-3 speck in it
    for (let z = 1; z < 8; z++)
      for (let y = 1; y < 8; y++)
        for (let x = 1; x < 8; x++) data[at(z, y, x)] = z > 2 && z < 6 && y > 2 && y < 6 && x > 2 && x < 6 ? 1 : 2;
    data[at(4, 4, 4)] = 3;
    const filled = await run(data, shape, [{ op: 'fill-holes', classValue: 2 }]);
    expect(filled[at(4, 4, 4)]).toBe(2);
    expect(filled[at(3, 3, 5)]).toBe(2);
    expect(filled[at(0, 0, 0)]).toBe(1); // outside stays
    // opened to the edge by a channel: no longer a hole
    for (let x = 5; x < 9; x++) data[at(4, 4, x)] = 1;
    const open = await run(data, shape, [{ op: 'fill-holes', classValue: 2 }]);
    expect(open[at(4, 4, 4)]).toBe(3);
    expect(open[at(3, 3, 3)]).toBe(1);

    // one slice: a ring's inside is a hole although the slice has no thickness
    const ring = new Uint8Array(81).fill(1);
    for (let y = 2; y < 7; y++)
      for (let x = 2; x < 7; x++) ring[y * 9 + x] = y === 2 || y === 6 || x === 2 || x === 6 ? 2 : 1;
    const disc = await run(ring, [1, 9, 9], [{ op: 'fill-holes', classValue: 2 }]);
    expect(disc[4 * 9 + 4]).toBe(2);
    expect(disc[0]).toBe(1);
  });

  it('removes small objects and keeps the largest, giving their voxels the class around them', async () => {
    const shape: Vec3 = [6, 12, 12];
    const at = indexer(shape);
    const data = new Uint8Array(6 * 144).fill(1);
    for (let z = 0; z < 6; z++) for (let y = 0; y < 12; y++) for (let x = 6; x < 12; x++) data[at(z, y, x)] = 3;
    for (let z = 1; z < 5; z++) for (let y = 1; y < 5; y++) for (let x = 1; x < 5; x++) data[at(z, y, x)] = 2; // 64 in class 1
    data[at(2, 8, 9)] = data[at(3, 8, 9)] = 2; // 2 voxels inside class 3
    data[at(2, 8, 2)] = 2; // 1 voxel inside class 1, joined to nothing
    const small = await run(data, shape, [{ op: 'remove-small', classValue: 2, minVoxels: 3 }]);
    expect([small[at(2, 8, 9)], small[at(3, 8, 9)], small[at(2, 8, 2)], small[at(2, 2, 2)]]).toEqual([3, 3, 1, 2]);
    const largest = await run(data, shape, [{ op: 'keep-largest', classValue: 2 }]);
    expect(largest).toEqual(small);
    const kept = await run(data, shape, [{ op: 'remove-small', classValue: 2, minVoxels: 2 }]);
    expect([kept[at(2, 8, 9)], kept[at(2, 8, 2)]]).toEqual([2, 1]);
  });

  it('opens and closes exactly as balls read in full, across block borders', async () => {
    // 70 slices: two blocks in z, so the halo between them is exercised
    const shape: Vec3 = [70, 14, 13];
    const random = new Random(5);
    const data = new Uint8Array(70 * 14 * 13);
    for (let i = 0; i < data.length; i++) data[i] = random.next() < 0.7 ? 1 : 2;
    for (const op of ['open', 'close'] as const)
      for (const r of [1, 2]) {
        const got = await run(data, shape, [{ op, classValue: 1, radius: r }]);
        const want = bruteMorphology(data, shape, 1, r, op);
        let wrong = 0;
        for (let i = 0; i < data.length; i++) if (got[i] !== want[i]) wrong++;
        expect(wrong, `${op} radius ${r}`).toBe(0);
        expect(got).not.toEqual(data);
      }
  });

  it('runs steps in order through temporary OME-Zarr stores, as large results do', async () => {
    const shape: Vec3 = [8, 16, 16];
    const at = indexer(shape);
    const data = new Uint8Array(8 * 256).fill(1);
    for (let z = 2; z < 6; z++) for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) data[at(z, y, x)] = 2;
    data[at(4, 6, 6)] = 1; // a hole
    data[at(0, 14, 14)] = 2; // a speck
    const steps: PostprocessStep[] = [
      { op: 'fill-holes', classValue: 2 },
      { op: 'remove-small', classValue: 2, minVoxels: 10 },
    ];
    const inMemory = await run(data, shape, steps);
    expect([inMemory[at(4, 6, 6)], inMemory[at(0, 14, 14)]]).toEqual([2, 1]);
    expect(await run(data, shape, steps, 0)).toEqual(inMemory);
  });

  it('makes the probabilities agree with the cleaned labels where a step changed them', async () => {
    const shape: Vec3 = [1, 1, 4];
    const before = new MemoryVolume(new Uint8Array([1, 2, 2, 1]), shape);
    const after = new MemoryVolume(new Uint8Array([1, 2, 1, 2]), shape);
    const channels = [new Uint8Array([200, 90, 100, 150]), new Uint8Array([55, 165, 155, 105])].map(
      (c) => new MemoryVolume(c, shape),
    );
    const agreeing = agreeingProbabilities({ volume: before, probabilities: { classes: [1, 2], channels } }, after);
    const read = (c: number) => agreeing.channels[c]!.read({ start: [0, 0, 0], shape });
    expect(Array.from(await read(0))).toEqual([200, 90, 255, 0]);
    expect(Array.from(await read(1))).toEqual([55, 165, 0, 255]);
  });

  it('reads steps as the CLI writes them, and refuses what it cannot read', () => {
    expect(parseStep('remove-small:2:100')).toEqual({ op: 'remove-small', classValue: 2, minVoxels: 100 });
    expect(parseStep('fill-holes:3')).toEqual({ op: 'fill-holes', classValue: 3 });
    expect(describeStep(parseStep('open:1:2'), 'Pores')).toBe('Open Pores (radius 2)');
    for (const bad of ['fill-holes', 'fill-holes:2:5', 'open:2', 'open:2:0', 'erode:2:1', 'remove-small:0:5'])
      expect(() => parseStep(bad), bad).toThrow(/is not one of/);
  });

  it('refuses labels that are not uint8', async () => {
    await expect(
      postprocess(
        new MemoryVolume(new Uint16Array(8), [2, 2, 2], 'seg.tif'),
        [{ op: 'fill-holes', classValue: 1 }],
        {},
      ),
    ).rejects.toThrow(/seg.tif: .* uint16/);
  });
});
