import { describe, expect, it } from 'vitest';
import type { Region, TypedArray } from '../../shared/volume';
import { makePhantom, paintLabels } from '../phantoms';
import { MemoryVolume } from './memory-volume';
import { predictRegion } from './predict';
import { trainModel } from './train';

/** A memory volume that counts what is read from it. */
class CountingVolume extends MemoryVolume {
  reads = 0;
  override read(region: Region): Promise<TypedArray> {
    this.reads++;
    return super.read(region);
  }
}

describe('slice previews after a retrain', () => {
  it.each([{ texture: undefined }, { texture: [0.7] }])(
    'reuse the smoothed scales (and textures) of the slice, with exactly the result of a fresh prediction (%o)',
    async ({ texture }) => {
      const phantom = await makePhantom('fibres-pores', [24, 256, 256], 7);
      const image = () => new CountingVolume(phantom.image, phantom.shape);
      const labels = new MemoryVolume(paintLabels(phantom.truth, phantom.shape, 3, { discs: 6 }), phantom.shape);
      const basis = { scales: [1, 1.6, 3.5, 5], texture };
      const first = await trainModel(image(), labels, { seed: 1, iterations: 40, ...basis });
      const retrained = await trainModel(image(), labels, { seed: 2, iterations: 40, ...basis });
      expect(retrained.weights.w1).not.toEqual(first.weights.w1);
      const slices: Region[] = [
        { start: [12, 0, 0], shape: [1, 256, 256] }, // 65,536 voxels: two parts in the workers
        { start: [0, 100, 0], shape: [24, 1, 256] }, // in the calling thread
        { start: [0, 0, 37], shape: [24, 256, 1] },
      ];
      for (const threads of [2, 0])
        for (const slice of slices) {
          const shown = image();
          await predictRegion(first, shown, slice, { threads });
          const reads = shown.reads;
          expect(reads).toBeGreaterThan(0);
          const again = await predictRegion(retrained, shown, slice, { threads });
          expect(shown.reads).toBe(reads); // nothing read again: the smoothing was kept
          const fresh = await predictRegion(retrained, image(), slice, { threads });
          expect(again.labels).toEqual(fresh.labels);
          expect(again.probabilities).toEqual(fresh.probabilities);
          // another basis is not served from the kept rings
          const otherBasis = { ...retrained, basis: { ...retrained.basis, scales: [1, 1.6, 3.5, 5.5] } };
          await predictRegion(otherBasis, shown, slice, { threads });
          expect(shown.reads).toBeGreaterThan(reads);
        }
    },
  );
});
