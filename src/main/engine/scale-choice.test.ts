import { describe, expect, it } from 'vitest';
import { REAL_SCANS, loadRealScan, strokeLabels } from '../evaluation';
import { makePhantom, paintLabels } from '../phantoms';
import { MemoryVolume } from './memory-volume';
import { DEFAULT_TRAINING, trainModel } from './train';

describe('choosing the basis scales on the labels', () => {
  it('trains the chosen scales exactly as if they had been given', async () => {
    const phantom = await makePhantom('binary', [24, 40, 40], 3);
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const labels = new MemoryVolume(paintLabels(phantom.truth, phantom.shape, 2, { discs: 8 }), phantom.shape);
    const chosen = await trainModel(image, labels, {
      scaleCandidates: [{ scales: [1, 2] }, { scales: [1, 2, 8] }],
      iterations: 40,
    });
    // the choice ran (two candidates scored), on responses gathered at σ 1, 2 and 8 together
    expect(chosen.training.scaleChoice!.scores).toHaveLength(2);
    const given = await trainModel(image, labels, { scales: chosen.basis.scales, iterations: 40 });
    expect(given.training.scaleChoice).toBeUndefined();
    expect(given.weights).toEqual(chosen.weights);
    expect(given.training.priors).toEqual(chosen.training.priors);
  });

  it('keeps the default scales where the strokes are too few or too close together to cross-validate', async () => {
    const phantom = await makePhantom('binary', [24, 40, 40], 3);
    const image = new MemoryVolume(phantom.image, phantom.shape);
    // both classes painted inside one 16³ corner: one cell of space, nothing to hold out
    const corner = paintLabels(phantom.truth, phantom.shape, 2, { discs: 8 }).map((v, i) => {
      const [z, y, x] = [Math.floor(i / 1600), Math.floor(i / 40) % 40, i % 40];
      return z < 16 && y < 16 && x < 16 ? v : 0;
    });
    const model = await trainModel(image, new MemoryVolume(corner, phantom.shape), { iterations: 20 });
    expect(model.training.scaleChoice).toBeUndefined();
    expect(model.basis.scales).toEqual(DEFAULT_TRAINING.scales);
  });

  it('adds context (σ 8) and the texture measure for textures, and keeps the default scales where classes differ locally', async () => {
    const trainOn = async (name: string) => {
      const loaded = await loadRealScan(
        REAL_SCANS.find((s) => s.name === name)!,
        3,
      );
      return trainModel(loaded.image, strokeLabels(loaded.strokes, loaded.shape));
    };
    // randen15B: five textures of one grey level, told apart only over a wider window
    const texture = await trainOn('randen15B');
    expect(texture.basis.scales).toEqual([...DEFAULT_TRAINING.scales, 8]);
    expect(texture.basis.texture).toEqual([0.7]);
    const [plain, context] = texture.training.scaleChoice!.scores;
    expect(context! - plain!).toBeGreaterThan(0.03);
    // cement_slice: air voids in matrix, told apart by their grey level and edges
    const local = await trainOn('cement_slice');
    expect(local.basis.scales).toEqual(DEFAULT_TRAINING.scales);
    expect(local.basis.texture).toBeUndefined();
    expect(local.training.scaleChoice!.scores).toHaveLength(2);
  });

  it('smooths the prediction of solids, and not where the strokes lie on structures a voxel or two thin', async () => {
    // fibres and pores: solids whose rims a voxel-by-voxel prediction frays
    const phantom = await makePhantom('fibres-pores', [48, 64, 64], 5);
    const image = new MemoryVolume(phantom.image, phantom.shape);
    const painted = paintLabels(phantom.truth, phantom.shape, 3, { slices: [12, 24, 36], discs: 12 });
    const solids = await trainModel(image, new MemoryVolume(painted, phantom.shape));
    const { scores, smoothedScore } = solids.training.scaleChoice!;
    expect(solids.smooth).toBe(true);
    expect(smoothedScore).toBeGreaterThan(scores[0]!);
    // InSegt's nerve slice: myelin painted as thin lines along thin sheaths
    const nerve = await loadRealScan(
      REAL_SCANS.find((s) => s.name === 'insegt_slice1')!,
      3,
    );
    const thin = await trainModel(nerve.image, strokeLabels(nerve.strokes, nerve.shape));
    expect(thin.smooth).toBeUndefined();
    const choice = thin.training.scaleChoice!;
    expect(choice.smoothedScore).toBeLessThan(choice.scores[0]!);
  });
});
