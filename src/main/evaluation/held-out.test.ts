import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine/memory-volume';
import type { SparseLabels } from '../engine/labels';
import { makePhantom, paintLabels } from '../phantoms';
import { crossValidateStrokes } from './held-out';
import { findStrokes, paintedVoxels, strokeFolds } from './strokes';

async function setup() {
  const shape: Vec3 = [16, 40, 40];
  const phantom = await makePhantom('binary', shape, 4);
  const strokes = findStrokes(paintLabels(phantom.truth, shape, 2, { discs: 4 }), shape);
  return { phantom, strokes, image: new MemoryVolume(phantom.image, shape) };
}

describe('crossValidateStrokes', () => {
  it('trains only on the other folds and scores the held-out strokes', async () => {
    const { phantom, strokes, image } = await setup();
    const trainedOn: SparseLabels[] = [];
    const oracle = async (_: unknown, labels: SparseLabels): Promise<Uint8Array> => {
      trainedOn.push(labels);
      return phantom.truth;
    };
    const result = await crossValidateStrokes(image, strokes, oracle, { folds: 3, seed: 2 });
    expect(result.failed).toBe(0);
    expect(result.meanAccuracy).toBe(1);
    expect(result.recall).toEqual([1, 1]);
    const folds = strokeFolds(strokes, 3, 2);
    trainedOn.forEach((labels, fold) => {
      const used = new Set(labels.indices);
      strokes.forEach((s, i) => {
        for (const v of s.indices) expect(used.has(v)).toBe(folds[i] !== fold);
      });
    });
  });

  it('trains on whole strokes up to the budget', async () => {
    const { phantom, strokes, image } = await setup();
    const sizes: number[] = [];
    const segment = async (_: unknown, labels: SparseLabels): Promise<Uint8Array> => {
      sizes.push(labels.indices.length);
      return phantom.truth;
    };
    const result = await crossValidateStrokes(image, strokes, segment, { budget: 150 });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(150);
    expect(Math.max(...sizes)).toBeLessThan(paintedVoxels(strokes) / 2);
    expect(result.trainingVoxels).toBeCloseTo(sizes.reduce((a, b) => a + b) / 3);
  });

  it('reports a fold whose training throws as failed, with the reason', async () => {
    const { strokes, image } = await setup();
    const refuse = async (): Promise<Uint8Array> => {
      throw new Error('the model learned nothing');
    };
    const result = await crossValidateStrokes(image, strokes, refuse);
    expect(result.failed).toBe(3);
    expect(result.folds.map((f) => f.error)).toEqual(new Array(3).fill('the model learned nothing'));
    expect(result.meanAccuracy).toBeNaN();
  });
});
