import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { WritableMemoryVolume } from '../segmentation/memory-volume';
import { type Phantom, cylinder, probabilityVolume, sphere, torus, union } from './phantoms';
import { labelsFromSurfaces, predictionSmooths } from './surface-labels';

const shape: Vec3 = [30, 32, 34];

/** A phantom's probability map (logistic edge, noise ±0.1) with bright single-voxel specks added. */
async function probabilities(phantom: Phantom, specks: Vec3[] = []): Promise<MemoryVolume> {
  const data = (await probabilityVolume(shape, phantom, 1, 0.1).read({ start: [0, 0, 0], shape })) as Float32Array;
  for (const [z, y, x] of specks) data[(z * shape[1] + y) * shape[2] + x] = 0.9;
  return new MemoryVolume(data, shape);
}

async function label(classes: { value: number; probability: MemoryVolume }[], minVolume?: number) {
  const out = WritableMemoryVolume.uint8(shape, { voxelSize: [1, 1, 1], unit: 'µm' });
  const summary = await labelsFromSurfaces({ background: 1, classes }, out, { minVolume });
  return { labels: out.data as Uint8Array, summary };
}

describe('labels through surfaces', () => {
  it('follows the true surface, and drops specks that voxel-wise argmax keeps', async () => {
    const ball = sphere([15.2, 16.7, 16.1], 9.3);
    const specks: Vec3[] = [
      [3, 3, 3],
      [26, 4, 30],
      [5, 28, 6],
    ];
    const map = await probabilities(ball, specks);
    const { labels, summary } = await label([{ value: 2, probability: map }]);
    expect(summary).toEqual([{ value: 2, objects: 1, removed: 3 }]);
    let [wrong, argmaxWrong] = [0, 0];
    for (let z = 0, i = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[2]; x++, i++) {
          const truth = ball.distance(x, y, z) > 0 ? 2 : 1;
          if (Math.abs(ball.distance(x, y, z)) < 0.5) continue;
          if (labels[i] !== truth) wrong++;
          if ((map.data[i]! > 0.5 ? 2 : 1) !== truth) argmaxWrong++;
        }
    expect(argmaxWrong).toBe(specks.length);
    expect(wrong).toBe(0);
  });

  it('gives each class its own objects, the background everything else', async () => {
    const [left, right] = [sphere([15, 9, 9], 5.5), sphere([22, 22, 15], 6.2)];
    const { labels, summary } = await label([
      { value: 3, probability: await probabilities(left) },
      { value: 2, probability: await probabilities(right) },
    ]);
    expect(summary.map((c) => [c.value, c.objects])).toEqual([
      [3, 1],
      [2, 1],
    ]);
    const at = ([x, y, z]: Vec3): number => labels[(z * shape[1] + y) * shape[2] + x]!;
    expect([at([15, 9, 9]), at([22, 22, 15]), at([2, 2, 2]), at([30, 5, 25])]).toEqual([3, 2, 1, 1]);
    const counts = [0, 0, 0, 0];
    for (const value of labels) counts[value]!++;
    expect(counts[3]! / left.volume).toBeCloseTo(1, 1);
    expect(counts[2]! / right.volume).toBeCloseTo(1, 1);
  });

  it('refuses a volume too thin for surfaces (a slice), saying which axis', async () => {
    const slice = new MemoryVolume(new Float32Array(3 * 40 * 40), [3, 40, 40]);
    const out = WritableMemoryVolume.uint8([3, 40, 40], { voxelSize: [1, 1, 1], unit: 'µm' });
    await expect(
      labelsFromSurfaces({ background: 1, classes: [{ value: 2, probability: slice }] }, out),
    ).rejects.toThrow(/at least 8 voxels along each axis, but this one is 3 along z/);
  });

  it('gives a voxel both surfaces enclose to the more probable class', async () => {
    const [low, high] = [sphere([15, 16, 14], 7), sphere([15, 16, 20], 7)];
    // (the phantoms' noise is a function of position: scaled, one map never ties with the other)
    const lowMap = await probabilities(low);
    lowMap.data.forEach((p, i) => (lowMap.data[i] = 0.97 * p));
    const highMap = await probabilities(high);
    // in both orders: neither the first nor the last class listed may win by its place
    const classes = [
      { value: 2, probability: lowMap },
      { value: 3, probability: highMap },
    ];
    let both = 0;
    for (const order of [classes, [...classes].reverse()]) {
      const { labels } = await label(order);
      both = 0;
      for (let z = 0, i = 0; z < shape[0]; z++)
        for (let y = 0; y < shape[1]; y++)
          for (let x = 0; x < shape[2]; x++, i++) {
            if (low.distance(x, y, z) < 1 || high.distance(x, y, z) < 1) continue;
            both++;
            expect(labels[i]).toBe(lowMap.data[i]! > highMap.data[i]! ? 2 : 3);
          }
    }
    expect(both).toBeGreaterThan(20);
  });

  it('labels window by window as it labels the volume whole, each dropped object counted once', async () => {
    const tall: Vec3 = [60, 48, 48];
    // over the minimum volume: a thin tube along z whose part in the last row of windows' crops is
    // below it, a ring across four windows, a ball across a z face; below it, a ball on an x face
    // inside the margins of the windows on both sides
    const kept = union([cylinder([12, 12, 30], 1.6, 26), torus([30, 24, 12], 10, 3), sphere([36, 36, 24], 5)]);
    const small = sphere([24, 36, 40], 2.2);
    const minVolume = 300;
    expect(kept.volume - 1776.5 - 523.6).toBeGreaterThan(minVolume); // the tube, whole
    expect(small.volume).toBeLessThan(minVolume);
    const data = await probabilityVolume(tall, union([kept, small]), 1, 0.1).read({ start: [0, 0, 0], shape: tall });
    const classes = [{ value: 2, probability: new MemoryVolume(data, tall) }];
    const run = async (windowSide?: number) => {
      const out = WritableMemoryVolume.uint8(tall, { voxelSize: [1, 1, 1], unit: 'µm' });
      const summary = await labelsFromSurfaces({ background: 1, classes }, out, { minVolume, windowSide });
      return { labels: out.data as Uint8Array, summary };
    };
    const whole = await run();
    expect(whole.summary).toEqual([{ value: 2, objects: 3, removed: 1 }]);
    const windowed = await run(24); // 3 × 2 × 2 windows, margins of 16
    expect(windowed.summary).toEqual([{ value: 2, objects: undefined, removed: 1 }]);
    expect(windowed.labels).toEqual(whole.labels);
    // the objects kept, a voxel off their true surfaces
    let [wrong, checked] = [0, 0];
    for (let z = 0, i = 0; z < tall[0]; z++)
      for (let y = 0; y < tall[1]; y++)
        for (let x = 0; x < tall[2]; x++, i++) {
          if (Math.abs(kept.distance(x, y, z)) < 1) continue;
          checked++;
          if (whole.labels[i] !== (kept.distance(x, y, z) > 0 ? 2 : 1)) wrong++;
        }
    expect(checked).toBeGreaterThan(100_000);
    expect(wrong).toBe(0);
  });
});

describe('smoothing before a whole-volume prediction', () => {
  it('is as told, else as trained, but never before surfaces', () => {
    for (const trained of [true, false]) {
      expect(predictionSmooths(true, trained, true)).toBe(true);
      expect(predictionSmooths(false, trained, false)).toBe(false);
      expect(predictionSmooths(undefined, trained, false)).toBe(trained);
      expect(predictionSmooths(undefined, trained, true)).toBe(false);
    }
  });
});
