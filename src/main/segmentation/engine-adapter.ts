// The real engine behind the service's seam. The engine wants class values 1..K without gaps; the
// user's classes may have gaps (a class removed), so training renumbers them and the model then
// gets the user's values back, which its predictions carry from then on.
import type { Region } from '../../shared/volume';
import { badInput } from '../../shared/errors';
import { DEFAULT_TRAINING, type Model, parseModel, predictRegion, predictVolume, trainModel } from '../engine';
import type { LabelledVoxels } from '../labels';
import type { Volume } from '../volume/volume';
import type {
  RegionPrediction,
  RunOptions,
  SegmentationEngine,
  SegmentationTrainOptions,
  VolumeOutputs,
  VolumePredictionOptions,
} from './segmentation-engine';

/**
 * Training iterations of a preview model: fewer than a full training's (the engine's default), so
 * the live overlay follows the strokes; `npm run bench interactive` times that loop.
 */
export const PREVIEW_ITERATIONS = 60;

export const engine: SegmentationEngine<Model> = {
  async train(
    volume: Volume,
    labels: LabelledVoxels,
    { seed, preview, classNames, signal, progress }: SegmentationTrainOptions,
  ): Promise<Model> {
    const values = [...classNames.keys()].sort((a, b) => a - b);
    const renumber = new Uint8Array(256);
    values.forEach((value, i) => (renumber[value] = i + 1));
    const sparse = { shape: volume.shape, indices: labels.indices, values: labels.classes.map((v) => renumber[v]!) };
    const model = await trainModel(volume, sparse, {
      seed,
      // a preview keeps the default scales: choosing them on the strokes triples the training time
      ...(preview ? { iterations: PREVIEW_ITERATIONS, scales: DEFAULT_TRAINING.scales } : {}),
      classNames: values.map((v) => classNames.get(v)!),
      signal,
      progress,
    });
    model.classes = model.classes.map((c, i) => ({ ...c, value: values[i]! }));
    return model;
  },

  classesOf: (model) => model.classes.map((c) => c.value),

  smoothsByDefault: (model) => model.smooth ?? false,

  // the model file's JSON, validated on the way back like a model file
  modelToBytes: (model) => new TextEncoder().encode(JSON.stringify(model)),
  modelFromBytes(bytes, source) {
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw badInput(`${source} is damaged: not valid JSON`);
    }
    return parseModel(data, source);
  },

  async predictRegion(model: Model, volume: Volume, region: Region): Promise<RegionPrediction> {
    const { labels, probabilities } = await predictRegion(model, volume, region);
    const n = labels.length;
    const confidence = new Float32Array(n);
    for (let k = 0; k < model.classes.length; k++)
      for (let i = 0; i < n; i++)
        if (probabilities[k * n + i]! > confidence[i]!) confidence[i] = probabilities[k * n + i]!;
    return { classes: labels, confidence };
  },

  predictVolume(
    model: Model,
    volume: Volume,
    outputs: VolumeOutputs,
    options: RunOptions & VolumePredictionOptions,
  ): Promise<void> {
    return predictVolume(model, volume, { labels: outputs.classes, probabilities: outputs.probabilities }, options);
  },
};
