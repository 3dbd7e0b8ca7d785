// Post-processing a segmentation: steps applied in order, each from the previous one's labels into
// a new stored result (memory or a temporary OME-Zarr, as segment-all's), and the probabilities
// made to agree with the cleaned labels where a step changed them (what meshes are made from).
import { badInput, cancelled } from '../../shared/errors';
import { type PostprocessStep, describeStep } from '../../shared/postprocess';
import type { Region, TypedArray } from '../../shared/volume';
import type { Progress } from '../progress';
import { type FinishedResult, type ProbabilityMaps, createResultStore } from '../segmentation/outputs';
import type { ResultPlace } from '../segmentation/whole-volume';
import type { Volume } from '../volume/volume';
import { componentStep } from './component-steps';
import { morphologyStep } from './morphology';

export interface PostprocessOptions {
  place?: ResultPlace | undefined;
  signal?: AbortSignal | undefined;
  progress?: Progress | undefined;
  /** Class names for progress messages. */
  className?: (value: number) => string;
}

/** `labels` (uint8) with `steps` applied, as a new result the caller disposes; at least one step. */
export async function postprocess(
  labels: Volume,
  steps: PostprocessStep[],
  { place, signal, progress, className }: PostprocessOptions,
): Promise<FinishedResult> {
  if (labels.dtype !== 'uint8')
    throw badInput(`${labels.path}: post-processing reads class values as uint8, but the file is ${labels.dtype}`);
  if (steps.length === 0) throw badInput('no post-processing step given');
  let current: FinishedResult | undefined;
  try {
    for (const [n, step] of steps.entries()) {
      const store = await createResultStore(labels, place?.folder, place?.memoryLimit);
      const name = describeStep(step, className?.(step.classValue));
      const stepProgress: Progress = (done, total, stage) =>
        progress?.(done, total, `${steps.length > 1 ? `step ${n + 1} of ${steps.length}, ` : ''}${name}: ${stage}`);
      try {
        const input = current?.volume ?? labels;
        const options = { signal, progress: stepProgress };
        if (step.op === 'open' || step.op === 'close')
          await morphologyStep(input, step, store.outputs.classes, options);
        else await componentStep(input, step, store.outputs.classes, options);
        if (signal?.aborted) throw cancelled('post-processing cancelled');
        const next = await store.finish();
        await current?.dispose();
        current = next;
      } catch (error) {
        await store.discard();
        throw error;
      }
    }
  } catch (error) {
    await current?.dispose();
    throw error;
  }
  return current!;
}

/**
 * The probabilities of `original` made to agree with `cleaned` labels: where a step changed a
 * voxel's class, its new class has probability 1 and every other 0, so a surface meshed from the
 * probabilities follows the cleaned result (elsewhere the sub-voxel detail stays).
 */
export function agreeingProbabilities(
  original: { volume: Volume; probabilities: ProbabilityMaps },
  cleaned: Volume,
): ProbabilityMaps {
  const { classes, channels } = original.probabilities;
  return {
    classes,
    channels: channels.map((channel, c) => new AgreeingChannel(channel, original.volume, cleaned, classes[c]!)),
  };
}

/** One class's probability, read as stored and set to 0 or 255 where the labels were changed. */
class AgreeingChannel implements Volume {
  readonly path: string;
  readonly shape;
  readonly dtype;
  readonly voxelSize;
  readonly unit;
  readonly chunkShape;
  readonly format;

  constructor(
    private readonly probability: Volume,
    private readonly before: Volume,
    private readonly after: Volume,
    private readonly classValue: number,
  ) {
    ({
      path: this.path,
      shape: this.shape,
      dtype: this.dtype,
      voxelSize: this.voxelSize,
      unit: this.unit,
      chunkShape: this.chunkShape,
      format: this.format,
    } = probability);
  }

  async read(region: Region, into?: TypedArray): Promise<TypedArray> {
    const [values, before, after] = await Promise.all([
      this.probability.read(region, into),
      this.before.read(region),
      this.after.read(region),
    ]);
    for (let i = 0; i < values.length; i++)
      if (before[i] !== after[i]) values[i] = after[i] === this.classValue ? 255 : 0;
    return values;
  }

  /** The stored result owns the channel: closing the view closes nothing. */
  async close(): Promise<void> {}
}
