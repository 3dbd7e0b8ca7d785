import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { greyHistograms } from './histograms';

describe('greyHistograms', () => {
  it('bins the volume and each class’s painted voxels over one range, and splits the classes between them', async () => {
    const shape: Vec3 = [6, 20, 30];
    // dark on the left (20..39), bright on the right (200..219)
    const data = Uint8Array.from({ length: 6 * 20 * 30 }, (_, i) => {
      const x = i % 30;
      return (x < 15 ? 20 : 200) + (i % 20);
    });
    const volume = new MemoryVolume(data, shape);
    const indices: number[] = [];
    const classes: number[] = [];
    for (const z of [1, 4])
      for (let y = 2; y < 18; y++) {
        indices.push((z * 20 + y) * 30 + 5, (z * 20 + y) * 30 + 25);
        classes.push(1, 3);
      }
    const order = indices.map((_, i) => i).sort((a, b) => indices[a]! - indices[b]!);
    const labels = {
      indices: Float64Array.from(order, (i) => indices[i]!),
      classes: Uint8Array.from(order, (i) => classes[i]!),
    };
    const result = await greyHistograms(volume, labels, [1, 2, 3], 64);
    expect([result.volume.low, result.volume.high]).toEqual([20, 219]);
    expect(result.volume.counts.reduce((a, n) => a + n, 0)).toBe(5 * 20 * 30); // five whole z slices
    const painted = (id: number) =>
      result.classes.find((c) => c.id === id)!.histogram.counts.reduce((a, n) => a + n, 0);
    expect([painted(1), painted(2), painted(3)]).toEqual([32, 0, 32]);
    expect(result.thresholds).toHaveLength(1);
    const [threshold] = result.thresholds;
    expect(threshold).toMatchObject({ below: 1, above: 3, misread: 0 });
    expect(threshold!.value).toBeGreaterThan(39);
    expect(threshold!.value).toBeLessThanOrEqual(200);
  });
});
