import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { makePhantom, paintLabels } from '../phantoms';
import { basisHalo } from './basis';
import { predictBlock } from './block-predict';
import { readPadded } from './blocks';
import { MemoryVolume } from './memory-volume';
import { predictBlockTf } from './tfjs';
import { trainModel } from './train';

describe('tfjs path', () => {
  it('matches the TypeScript kernels on tfjs’s CPU backend (labels equal, probabilities within 1e-3), on cubic voxels and on longer ones', async () => {
    await tf.setBackend('cpu');
    const phantom = await makePhantom('fibres-pores', [20, 24, 28], 8);
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const labels = paintLabels(phantom.truth, phantom.shape, 3, { discs: 4 });
    const trained = await trainModel(image, new MemoryVolume(labels, phantom.shape), { iterations: 60 });
    const halo = basisHalo(trained.basis.scales);
    const input = await readPadded(image, { start: [0, 0, 0], shape: phantom.shape }, halo, trained.normalisation);
    for (const aspect of [trained.basis.aspect!, [1, 1.5, 3] as Vec3]) {
      const model = { ...trained, basis: { ...trained.basis, aspect } };
      const cpu = predictBlock(model, input.data, input.shape, halo);
      const gpuPath = predictBlockTf(tf, model, input.data, input.shape, halo);
      const n = cpu.labels.length;
      let maxDifference = 0;
      let mismatches = 0;
      for (let i = 0; i < n; i++) {
        const p = [0, 1, 2].map((k) => cpu.probabilities[k * n + i]!).sort((a, b) => b - a);
        // a voxel whose two best classes are within the tolerance may go either way
        if (cpu.labels[i] !== gpuPath.labels[i] && p[0]! - p[1]! > 2e-3) mismatches++;
        for (let k = 0; k < 3; k++)
          maxDifference = Math.max(
            maxDifference,
            Math.abs(cpu.probabilities[k * n + i]! - gpuPath.probabilities[k * n + i]!),
          );
      }
      expect(mismatches, `aspect ${aspect.join(', ')}`).toBe(0);
      expect(maxDifference, `aspect ${aspect.join(', ')}`).toBeLessThan(1e-3);
    }
  });
});
