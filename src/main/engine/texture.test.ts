import { beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { memorySink } from '../evaluation/segmenter';
import { makePhantom, paintLabels, type Phantom } from '../phantoms';
import { basisHalo } from './basis';
import { predictBlock } from './block-predict';
import { readPadded } from './blocks';
import { sparseLabelsFromVolume } from './labels';
import { MemoryVolume } from './memory-volume';
import { type Model, parseModel } from './model';
import { Network } from './network';
import { predictRegion, predictVolume } from './predict';
import { Random } from './random';
import { chooseVoxels, gatherSamples } from './samples';
import { textureHalo, textureRings } from './texture';
import { trainModel } from './train';

let phantom: Phantom;
let labels: Uint8Array;
let model: Model;

beforeAll(async () => {
  phantom = await makePhantom('fibres-pores', [30, 28, 34], 5);
  labels = paintLabels(phantom.truth, phantom.shape, 3, { discs: 5 });
  model = await trainModel(new MemoryVolume(phantom.image, phantom.shape), new MemoryVolume(labels, phantom.shape), {
    scales: [1, 2],
    texture: [0.7, 1.5],
    iterations: 40,
  });
}, 120_000);

describe('texture', () => {
  it('is the gradient energy at the fine scale, pooled: τ² c² on a ramp of slope c, per physical length', () => {
    const shape: Vec3 = [24, 23, 22];
    const [tau, c] = [1.5, 0.25];
    const halo = basisHalo([1]) + textureHalo([tau]);
    const ramp = (axis: 0 | 1 | 2): Float32Array => {
      const padded = new Float32Array(shape[0] * shape[1] * shape[2]);
      for (let i = 0; i < padded.length; i++)
        padded[i] =
          c * [Math.floor(i / (shape[1] * shape[2])), Math.floor(i / shape[2]) % shape[1], i % shape[2]][axis]!;
      return padded;
    };
    // halo 4 + 6: the interior is 4 × 3 × 2, its ring 6 × 5 × 4
    for (const [axis, aspect, expected] of [
      [2, [1, 1, 1], (tau * c) ** 2],
      // along voxels twice as long, the same step in grey is half the slope per length
      [0, [2, 1, 1], ((tau * c) / 2) ** 2],
    ] as const) {
      const [rings] = textureRings(ramp(axis), shape, halo, [1], [tau], [...aspect], [0, 1, 2]);
      expect(rings!.length).toBe(6 * 5 * 4);
      for (const value of rings!) expect(value).toBeCloseTo(expected, 5);
    }
  });

  it('records its texture scales, and a model file whose weights do not fit them is refused', () => {
    expect(model.basis.texture).toEqual([0.7, 1.5]);
    // 2 scales: g and Laplacian each, 3 gradient norms, 3 × 3 eigenvalues, and 2 × 2 energies
    expect(model.weights.shift).toHaveLength(2 * 2 + 3 + 9 + 4);
    expect(parseModel(JSON.parse(JSON.stringify(model)), 'm.json')).toEqual(model);
    const { texture: _, ...plain } = model.basis;
    expect(() => parseModel({ ...model, basis: plain }, 'm.json')).toThrow(
      /m\.json is a damaged model file: .*wrong size/,
    );
  });

  it('is computed alike for training (at the painted voxels) and for prediction', async () => {
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const sparse = await sparseLabelsFromVolume(new MemoryVolume(labels, phantom.shape));
    const chosen = chooseVoxels(sparse, 3, 200, new Random(1));
    const spec = { scales: model.basis.scales, texture: model.basis.texture! };
    const samples = await gatherSamples(image, sparse, chosen, spec, [1, 1, 1], model.normalisation, new Random(1));
    const all = await predictRegion(model, image, { start: [0, 0, 0], shape: phantom.shape }, { threads: 0 });
    const network = new Network(model);
    const probs = new Float64Array(3);
    const n = labels.length;
    let largest = 0;
    for (let r = 0; r < samples.count; r++) {
      network.predict(samples.rows, r * network.width, probs);
      const i = samples.positions[r]!;
      for (let k = 0; k < 3; k++) largest = Math.max(largest, Math.abs(probs[k]! - all.probabilities[k * n + i]!));
    }
    expect(samples.count).toBe(chosen.length);
    // float32 filtering in another block layout and axis order
    expect(largest).toBeLessThan(1e-3);
  });

  it('gives the same result blockwise as in one piece, in the calling thread and in workers', async () => {
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const halo = basisHalo(model.basis.scales) + textureHalo(model.basis.texture!);
    const whole = await readPadded(image, { start: [0, 0, 0], shape: phantom.shape }, halo, model.normalisation);
    const reference = predictBlock(model, whole.data, whole.shape, halo);
    for (const threads of [0, 2]) {
      const sink = memorySink(phantom.shape);
      await predictVolume(model, image, { labels: sink }, { threads, blockShape: [8, 12, 16] });
      expect(sink.data).toEqual(reference.labels);
    }
  });

  it('is equivariant to a 90° rotation: predictions rotate with the volume', async () => {
    const [nz, ny, nx] = phantom.shape;
    const rotated = new Uint16Array(phantom.image.length);
    const to = (z: number, y: number, x: number): number => (z * nx + x) * ny + (ny - 1 - y); // (y, x) -> (x, ny-1-y)
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, i++) rotated[to(z, y, x)] = phantom.image[i]!;
    const a = await predictRegion(model, new MemoryVolume(phantom.image, phantom.shape), {
      start: [0, 0, 0],
      shape: phantom.shape,
    });
    const b = await predictRegion(model, new MemoryVolume(rotated, [nz, nx, ny]), {
      start: [0, 0, 0],
      shape: [nz, nx, ny],
    });
    const n = nz * ny * nx;
    let largest = 0;
    for (let z = 0, i = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++)
          for (let k = 0; k < 3; k++)
            largest = Math.max(largest, Math.abs(a.probabilities[k * n + i]! - b.probabilities[k * n + to(z, y, x)]!));
    // not bit-exact: the rotated volume is filtered in another axis order (float32 rounding)
    expect(largest).toBeLessThan(2e-3);
  });
});
