import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import type { RegionWriter } from '../volume/spec';
import { predictVolume } from '../engine/predict';
import { type TrainOptions, trainModel } from '../engine/train';
import { type SurfaceLabelOptions, labelsFromSurfaces, surfaceClasses } from '../mesh/surface-labels';
import { createProbabilityStore } from '../segmentation/outputs';
import type { Segmenter } from './held-out';

/** The engine as a Segmenter: trainModel, then predictVolume into memory. */
export function engineSegmenter(training: TrainOptions = {}, threads = 2): Segmenter {
  return async (image, labels) => {
    const model = await trainModel(image, labels, training);
    const sink = memorySink(image.shape);
    await predictVolume(model, image, { labels: sink }, { threads });
    return sink.data;
  };
}

/** The engine with labels through surfaces (`--refine`): probabilities kept in memory, then surfaces. */
export function surfaceSegmenter(
  training: TrainOptions = {},
  threads = 2,
  refine: Omit<SurfaceLabelOptions, 'signal' | 'progress'> = {},
): Segmenter {
  return async (image, labels) => {
    const model = await trainModel(image, labels, training);
    const classes = model.classes.map((c) => c.value);
    const store = await createProbabilityStore(image, classes);
    try {
      // as `--refine`: each voxel's own probabilities (the surfaces smooth), no labels
      await predictVolume(model, image, { probabilities: store.writer }, { threads, smooth: false });
      const sink = memorySink(image.shape);
      await labelsFromSurfaces(surfaceClasses(await store.finish()), sink, refine);
      return sink.data;
    } finally {
      await store.dispose();
    }
  };
}

/** Collects predicted blocks into one C-order array of the whole volume. */
export function memorySink(shape: Vec3): RegionWriter & { data: Uint8Array } {
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  return {
    data,
    async write(region: Region, block: TypedArray) {
      let i = 0;
      for (let z = 0; z < region.shape[0]; z++)
        for (let y = 0; y < region.shape[1]; y++) {
          const o = ((region.start[0] + z) * shape[1] + region.start[1] + y) * shape[2] + region.start[2];
          data.set(block.subarray(i, i + region.shape[2]), o);
          i += region.shape[2];
        }
    },
  };
}
