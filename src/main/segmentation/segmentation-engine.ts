// The seam between the interactive service and the segmentation engine: what the service needs,
// nothing more, so the service is tested with any engine and the engine knows nothing of the UI.
import type { Region } from '../../shared/volume';
import type { LabelledVoxels } from '../labels';
import type { Progress } from '../progress';
import type { RegionWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';

/** How a whole-volume prediction runs. */
export interface VolumePredictionOptions {
  threads?: number;
  /** Classes from the probabilities averaged over 3×3×3 voxels (the engine's `smooth`). */
  smooth?: boolean;
}

export interface RunOptions {
  signal: AbortSignal;
  progress: Progress;
}

export interface SegmentationTrainOptions extends RunOptions {
  /** The engine's default when absent; the same seed gives the same model. */
  seed?: number;
  /** A quick model for the live overlay (fewer training iterations), not the final one. */
  preview?: boolean;
  /** Names of the label values present, for the model file. */
  classNames: ReadonlyMap<number, string>;
}

/** Per voxel of a region, C order: the predicted label value and the largest class probability. */
export interface RegionPrediction {
  classes: Uint8Array;
  confidence: Float32Array;
}

export interface VolumeOutputs {
  /** uint8 label values, where wanted (surfaces make their own from the probabilities). */
  classes?: RegionWriter | undefined;
  /** uint8 probability × 255, one channel per class in `classesOf(model)` order. */
  probabilities?: RegionWriter;
}

export interface SegmentationEngine<M = unknown> {
  train(volume: Volume, labels: LabelledVoxels, options: SegmentationTrainOptions): Promise<M>;
  /** Label values the model predicts, in its output order. */
  classesOf(model: M): number[];
  /** Whether a whole-volume prediction smooths when not told (the engine's choice in training). */
  smoothsByDefault(model: M): boolean;
  /** The model as bytes a project keeps, and back (`source` names it in errors). */
  modelToBytes(model: M): Uint8Array;
  modelFromBytes(bytes: Uint8Array, source: string): M;
  /** Prediction of one small region (a slice), fast enough for the live view. */
  predictRegion(model: M, volume: Volume, region: Region, signal?: AbortSignal): Promise<RegionPrediction>;
  /** Blockwise prediction of the whole volume into chunked outputs. */
  predictVolume(
    model: M,
    volume: Volume,
    outputs: VolumeOutputs,
    options: RunOptions & VolumePredictionOptions,
  ): Promise<void>;
}
