// What the segmentation service keeps per open volume (a session): the labels with their undo
// history, the classes, the current model and its slice predictions, the last segment-all result
// and the training queue. A session is made on first use, follows the label store the project
// hands out, and is dropped, its jobs cancelled and its result deleted, when its volume closes.
import type { PredictionSlice, SegmentationClass, SurfaceSettings } from '../../shared/api/segmentation';
import type { PostprocessStep } from '../../shared/postprocess';
import { LabelHistory, LabelStore } from '../labels';
import { ClassList } from '../segmentation/classes';
import type { FinishedResult } from '../segmentation/outputs';
import { PredictionCache } from '../segmentation/prediction-cache';
import type { Volume } from '../volume/volume';
import type { Jobs } from './jobs';
import { TrainingQueue } from './training-queue';

/** The jobs the segmentation service runs on a volume. */
export const SEGMENTATION_JOBS = ['train', 'segment-all', 'postprocess', 'export'] as const;

/** Prediction slices kept per volume: the three visible ones and some scrolling around them. */
const SLICE_CACHE = 48;

export interface TrainedModel {
  model: unknown;
  version: number;
  seed?: number;
  /** A quick model for the live overlay; segment-all and export train a full one first. */
  preview: boolean;
  /** Label store version it was trained on, to tell when it is stale. */
  labelsVersion: number;
  classes: number[];
  trainedAt: Date;
  seconds: number;
}

export interface Session {
  volume: Volume;
  history: LabelHistory;
  classes: ClassList;
  model?: TrainedModel;
  modelCount: number;
  /** The current model's predictions of the slices the views show. */
  slices: PredictionCache<PredictionSlice>;
  result?: SegmentAllResult;
  training: TrainingQueue;
}

/** The segment-all result the views show, the mesher meshes, export writes and a project saves. */
export interface SegmentAllResult {
  stored: FinishedResult;
  modelVersion: number;
  smooth: boolean;
  /** The post-processing `stored` had, in order. */
  steps: PostprocessStep[];
  /** Labelled through surfaces (before any post-processing), and how. */
  surfaces?: SurfaceSettings;
  /** The result before post-processing, kept for undo while there are steps (not saved in projects). */
  original?: FinishedResult;
}

/** Deletes what a result stored (once nothing holds it), the result before post-processing too. */
export async function disposeResult(result: SegmentAllResult | undefined): Promise<void> {
  await result?.stored.dispose();
  if (result?.original && result.original !== result.stored) await result.original.dispose();
}

export interface SessionOptions {
  volumes: { get(volumeId: string): Volume };
  jobs: Jobs;
  /** The label store of a volume (the project's, when one is open); a fresh one in memory by default. */
  labelsFor?: (volumeId: string, volume: Volume) => LabelStore;
  /** A volume's saved classes (the project's); "Background" and "Material 1" when none. */
  classesFor?: (volumeId: string) => SegmentationClass[] | undefined;
}

export class Sessions {
  private readonly open = new Map<string, Session>();

  constructor(private readonly options: SessionOptions) {}

  /** The session of an open volume, made on first use; refused once the volume is closed. */
  get(volumeId: string): Session {
    let session = this.open.get(volumeId);
    let volume: Volume;
    try {
      volume = this.options.volumes.get(volumeId);
    } catch (error) {
      if (session) void this.forget(volumeId).catch(() => undefined); // closed elsewhere (e.g. with its project)
      throw error;
    }
    if (session && session.volume !== volume) {
      void this.forget(volumeId).catch(() => undefined);
      session = undefined;
    }
    const store = this.options.labelsFor?.(volumeId, volume) ?? session?.history.store ?? new LabelStore(volume.shape);
    if (!session) {
      const saved = this.options.classesFor?.(volumeId);
      session = {
        volume,
        history: new LabelHistory(store),
        classes: new ClassList(saved),
        modelCount: 0,
        slices: new PredictionCache(SLICE_CACHE),
        training: new TrainingQueue(this.options.jobs, volumeId),
      };
      this.open.set(volumeId, session);
    } else if (session.history.store !== store) session.history = new LabelHistory(store); // the project swapped it (e.g. relink)
    return session;
  }

  /** The session of a volume, if it has one (never makes one). */
  peek(volumeId: string): Session | undefined {
    return this.open.get(volumeId);
  }

  /** Forgets a closed volume: cancels its jobs, drops its model and result. */
  async forget(volumeId: string): Promise<void> {
    const session = this.open.get(volumeId);
    if (!session) return;
    this.open.delete(volumeId);
    this.options.jobs.cancelOn(volumeId, SEGMENTATION_JOBS);
    await disposeResult(session.result);
  }
}
