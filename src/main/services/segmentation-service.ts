// Interactive segmentation of the open volumes: classes, painting with undo, training, live
// prediction of the visible slices, segment-all into a chunked result, accepting a prediction as
// labels, export. Transport-free: the API handlers (segmentation-handlers.ts) call these methods;
// long work runs as jobs. What it keeps per volume is a session (segmentation-sessions.ts); which
// training runs is the training queue's (training-queue.ts); the whole-volume runs, strokes on
// slices and the slice prediction cache are in segmentation/.
import type {
  GreyHistograms,
  LabelSlice,
  PredictionSlice,
  SegmentationClass,
  SegmentationSlice,
  SegmentationState,
  StrokeResult,
  SurfaceSettings,
} from '../../shared/api/segmentation';
import type { VolumeOverview } from '../../shared/api/volume';
import { TomosegError, badInput, cancelled } from '../../shared/errors';
import { sliceRegion, sliceSize } from '../../shared/slice';
import { type Axis, type Region, voxelCount } from '../../shared/volume';
import { LabelOverviewCache, type LabelStore } from '../labels';
import { ClassList } from '../segmentation/classes';
import { greyHistograms } from '../segmentation/histograms';
import type { SegmentationEngine } from '../segmentation/segmentation-engine';
import type { ProbabilityMaps } from '../segmentation/outputs';
import { clipRegion, predictionStrokes, strokeOnSlice } from '../segmentation/slices';
import { predictInTiles } from '../segmentation/tiles';
import { type ResultPlace, exportVolume, refuseExistingFiles, segmentVolume } from '../segmentation/whole-volume';
import { predictionSmooths, surfaceRefusal } from '../mesh/surface-labels';
import { segmentThroughSurfaces } from '../segmentation/surface-result';
import { readOverview } from '../volume/overview';
import type { Volume } from '../volume/volume';
import type { RestoredWork, VolumeWork } from '../project/saved-work';
import type { JobContext } from './jobs';
import { type ResultChange, postprocessResult } from './result-postprocess';
import { restoreWork, workOf } from './segmentation-work';
import {
  type Session,
  type SessionOptions,
  Sessions,
  SEGMENTATION_JOBS,
  type TrainedModel,
  disposeResult,
} from './segmentation-sessions';

export interface SegmentationServiceOptions extends SessionOptions {
  engine: SegmentationEngine;
  /** Called after every change of a volume's labels (to save the changed blocks). */
  labelsChanged?: (volumeId: string, store: LabelStore) => void;
  /** Called after every change of a volume's classes (to save them). */
  classesChanged?: (volumeId: string, classes: SegmentationClass[]) => void;
  /** Segment-all results beyond `memoryLimit` voxels go to a temporary OME-Zarr in `folder` (the system's temp folder by default). */
  results?: ResultPlace;
}

/** Largest region accepted as labels in one go (a 256³ box; predicted tile by tile, about 100 MiB of work arrays). */
const MAX_ACCEPT_VOXELS = 256 ** 3;

export class SegmentationService {
  private readonly sessions: Sessions;
  /** Each label store's last overview, so the 3D view's read after a stroke recounts only what it changed. */
  private readonly labelOverviews = new WeakMap<LabelStore, LabelOverviewCache>();

  constructor(private readonly options: SegmentationServiceOptions) {
    this.sessions = new Sessions(options);
  }

  /** Forgets a closed volume: cancels its jobs, drops its model and result. */
  forget(volumeId: string): Promise<void> {
    return this.sessions.forget(volumeId);
  }

  // ---- Classes ----

  listClasses(volumeId: string): SegmentationClass[] {
    return this.session(volumeId).classes.list();
  }

  defineClass(volumeId: string, name?: string, colour?: string): SegmentationClass {
    return this.classChange(volumeId, (classes) => classes.define(name, colour));
  }

  renameClass(volumeId: string, classId: number, name: string): SegmentationClass {
    return this.classChange(volumeId, (classes) => classes.rename(classId, name));
  }

  recolourClass(volumeId: string, classId: number, colour: string): SegmentationClass {
    return this.classChange(volumeId, (classes) => classes.recolour(classId, colour));
  }

  removeClass(volumeId: string, classId: number): boolean {
    const session = this.session(volumeId);
    const { name } = session.classes.get(classId);
    const count = session.history.store.classCounts()[classId]!;
    if (count > 0) throw badInput(`class "${name}" still labels ${count} voxels: erase them before removing the class`);
    return this.classChange(volumeId, (classes) => {
      classes.remove(classId);
      return true;
    });
  }

  private classChange<T>(volumeId: string, change: (classes: ClassList) => T): T {
    const { classes } = this.session(volumeId);
    const result = change(classes);
    this.options.classesChanged?.(volumeId, classes.list());
    return result;
  }

  // ---- Labels ----

  paintStroke(args: {
    volumeId: string;
    axis: Axis;
    index: number;
    points: number[];
    radius: number;
    mode: 'disc' | 'sphere' | 'fill';
    classId?: number;
    erase: boolean;
    continueStroke: boolean;
  }): StrokeResult {
    const session = this.session(args.volumeId);
    const { history } = session;
    const value = args.erase ? 0 : args.classId!;
    if (value !== 0) session.classes.get(value);
    const stroke = strokeOnSlice(history.store, value, args);
    if (!stroke) return history.result([]);
    const diff = history.paint(stroke, { continueStroke: args.continueStroke });
    return this.changed(args.volumeId, session, history.result([diff]));
  }

  undoStroke(volumeId: string): StrokeResult {
    const session = this.session(volumeId);
    return this.changed(volumeId, session, session.history.result(session.history.undo()));
  }

  redoStroke(volumeId: string): StrokeResult {
    const session = this.session(volumeId);
    return this.changed(volumeId, session, session.history.result(session.history.redo()));
  }

  readLabelSlice(volumeId: string, axis: Axis, index: number): LabelSlice {
    const session = this.session(volumeId);
    const [width, height] = sliceSize(session.volume.shape, axis);
    return { width, height, data: session.history.store.read(sliceRegion(session.volume.shape, axis, index)) };
  }

  /** The labels downsampled for the 3D view (any painted voxel marks its block), and their version. */
  readLabelOverview(volumeId: string, maxEdge: number): VolumeOverview & { labelsVersion: number } {
    const session = this.session(volumeId);
    const store = session.history.store;
    let cache = this.labelOverviews.get(store);
    if (!cache) this.labelOverviews.set(store, (cache = new LabelOverviewCache(store)));
    return { ...cache.read(session.volume.voxelSize, maxEdge), labelsVersion: store.version };
  }

  // ---- Training and prediction ----

  /**
   * Trains on the labels as they are when the training starts. One training runs at a time per
   * volume; a request while one runs replaces any request still waiting and stops a preview
   * training (its labels are older), else waits for it. So live retraining after every stroke
   * trains on the newest labels as soon as possible, and a full training is never lost.
   */
  train(volumeId: string, options: { seed?: number; preview?: boolean } = {}): { id: string; result: Promise<number> } {
    const session = this.session(volumeId);
    this.checkTrainable(session);
    return session.training.add(options.preview ?? false, async (context) => {
      return (await this.trainNow(session, options, context)).version;
    });
  }

  private async trainNow(
    session: Session,
    { seed, preview = false }: { seed?: number; preview?: boolean },
    { signal, progress }: JobContext,
  ): Promise<TrainedModel> {
    const store = session.history.store;
    const classNames = this.checkTrainable(session); // the labels may have changed while waiting
    const labels = store.labelledVoxels();
    const labelsVersion = store.version;
    const started = performance.now();
    progress(0, 1, `training ${preview ? 'a preview' : 'the model'} on ${labels.indices.length} labelled voxels`);
    const model = await this.options.engine.train(session.volume, labels, {
      seed,
      preview,
      classNames,
      signal,
      progress,
    });
    if (signal.aborted) throw cancelled('training cancelled'); // keep the model we had
    const trained: TrainedModel = {
      model,
      version: ++session.modelCount,
      seed,
      preview,
      labelsVersion,
      classes: this.options.engine.classesOf(model),
      trainedAt: new Date(),
      seconds: (performance.now() - started) / 1000,
    };
    session.model = trained;
    session.slices.clear();
    progress(1, 1, `model ${trained.version} trained`);
    return trained;
  }

  /** The current model, or a full one trained now on the current labels when it is a preview. */
  private async fullModel(session: Session, context: JobContext): Promise<TrainedModel> {
    const current = this.requireModel(session);
    return current.preview ? this.trainNow(session, { seed: current.seed }, context) : current;
  }

  /** The current model (the engine's own object, with its version and whether it is a preview); undefined before training. */
  currentModel(volumeId: string): TrainedModel | undefined {
    return this.session(volumeId).model;
  }

  /** The current model's prediction of a slice; null before the first training. */
  async readPredictionSlice(volumeId: string, axis: Axis, index: number): Promise<PredictionSlice | null> {
    const session = this.session(volumeId);
    const trained = session.model;
    if (!trained) return null;
    const region = sliceRegion(session.volume.shape, axis, index);
    return session.slices.get(axis, index, () => this.predictSlice(session, trained, axis, region));
  }

  private async predictSlice(
    session: Session,
    trained: TrainedModel,
    axis: Axis,
    region: Region,
  ): Promise<PredictionSlice> {
    const { classes, confidence } = await predictInTiles(this.options.engine, trained.model, session.volume, region);
    const uncertainty = new Uint8Array(confidence.length);
    for (let i = 0; i < confidence.length; i++) uncertainty[i] = Math.round(255 * (1 - confidence[i]!));
    const [width, height] = sliceSize(session.volume.shape, axis);
    return { width, height, modelVersion: trained.version, classes, uncertainty };
  }

  /** Predicts the whole volume into a chunked result; the previous result stays until this one completes. */
  segmentAll(
    volumeId: string,
    {
      threads,
      smooth,
      surfaces,
    }: { threads?: number | undefined; smooth?: boolean; surfaces?: SurfaceSettings | undefined } = {},
  ): { id: string; result: Promise<number> } {
    const session = this.session(volumeId);
    this.requireModel(session);
    const running = this.options.jobs.runningOn(volumeId, 'segment-all');
    if (running) throw new TomosegError('conflict', `segment-all of this volume is already running (job ${running})`);
    const refusal = surfaces && surfaceRefusal(session.volume.shape);
    if (refusal) throw badInput(refusal);
    const job = this.options.jobs.start(
      'segment-all',
      async (context) => {
        const trained = await this.fullModel(session, context);
        const place = this.options.results;
        const smoothed = predictionSmooths(
          smooth,
          this.options.engine.smoothsByDefault(trained.model),
          surfaces !== undefined,
        );
        const { engine } = this.options;
        const stored = surfaces
          ? await segmentThroughSurfaces(engine, trained, session.volume, surfaces, { threads, place }, context)
          : await segmentVolume(engine, trained, session.volume, { threads, smooth: smoothed, place }, context);
        const previous = session.result;
        session.result = {
          stored,
          modelVersion: trained.version,
          smooth: smoothed,
          steps: [],
          ...(surfaces && { surfaces }),
        };
        await disposeResult(previous);
        return trained.version;
      },
      volumeId,
    );
    return job;
  }

  /** Applies a post-processing step to the segment-all result, or undoes the last, as a job. */
  postprocessResult(volumeId: string, change: ResultChange): { id: string; result: Promise<number> } {
    return postprocessResult(this.session(volumeId), volumeId, change, {
      jobs: this.options.jobs,
      place: this.options.results,
    });
  }

  async readSegmentationSlice(volumeId: string, axis: Axis, index: number): Promise<SegmentationSlice | null> {
    const session = this.session(volumeId);
    const result = session.result;
    if (!result) return null;
    const [width, height] = sliceSize(session.volume.shape, axis);
    const classes = (await result.stored.volume.read(sliceRegion(session.volume.shape, axis, index))) as Uint8Array;
    return { width, height, modelVersion: result.modelVersion, classes };
  }

  /** The last segment-all result downsampled for the 3D view (most frequent class per block); null when there is none. */
  async readSegmentationOverview(
    volumeId: string,
    maxEdge: number,
  ): Promise<(VolumeOverview & { modelVersion: number }) | null> {
    const result = this.session(volumeId).result;
    if (!result) return null;
    const overview = await readOverview(result.stored.volume, { maxEdge, reduce: 'mode' });
    return { ...overview, modelVersion: result.modelVersion };
  }

  /** The last complete segment-all result (class id per voxel, class probabilities) and its model version; null when there is none. */
  segmentationResult(
    volumeId: string,
  ): { volume: Volume; probabilities?: ProbabilityMaps; modelVersion: number; hold(): () => void } | null {
    const result = this.session(volumeId).result;
    if (!result) return null;
    const { volume, probabilities, hold } = result.stored;
    return { volume, probabilities, modelVersion: result.modelVersion, hold };
  }

  /**
   * Writes the current model's prediction of a region (clipped to the volume) into the labels as
   * one undoable step. Voxels the user labelled keep their label: they are the ground truth.
   */
  async acceptPrediction(
    volumeId: string,
    where: { region?: Region; axis?: Axis; index?: number },
  ): Promise<StrokeResult> {
    const session = this.session(volumeId);
    const trained = this.requireModel(session);
    const { shape } = session.volume;
    const region = where.region ? clipRegion(where.region, shape) : sliceRegion(shape, where.axis!, where.index!);
    if (!region)
      throw badInput(
        `region [${where.region!.start.join(', ')}] + [${where.region!.shape.join(', ')}] lies outside the volume [${shape.join(', ')}]`,
      );
    if (voxelCount(region.shape) > MAX_ACCEPT_VOXELS)
      throw badInput(
        `accepting ${voxelCount(region.shape)} voxels at once is too many (at most ${MAX_ACCEPT_VOXELS}): choose a smaller region`,
      );
    const { classes } = await predictInTiles(this.options.engine, trained.model, session.volume, region);
    const strokes = predictionStrokes(region, classes, session.history.store.read(region), trained.classes);
    return this.changed(volumeId, session, session.history.result(session.history.paintTogether(strokes)));
  }

  /** Writes the segmentation, from the segment-all result when it is current, else by predicting. */
  /** Starts the export; an existing output is refused at once (kind `exists`), so the UI can ask to replace it. */
  async exportSegmentation(args: {
    volumeId: string;
    path: string;
    probabilities?: string;
    overwrite: boolean;
  }): Promise<{
    id: string;
    result: Promise<string>;
  }> {
    const session = this.session(args.volumeId);
    this.requireModel(session);
    const running = this.options.jobs.runningOn(args.volumeId, 'export');
    if (running) throw new TomosegError('conflict', `an export of this volume is already running (job ${running})`);
    await refuseExistingFiles(args);
    const job = this.options.jobs.start(
      'export',
      async (context) => {
        await refuseExistingFiles(args); // again: one may have appeared meanwhile
        const trained = await this.fullModel(session, context);
        const classes = trained.classes.map((id) =>
          session.classes.has(id) ? session.classes.get(id) : { id, name: `class ${id}`, colour: '#808080' },
        );
        const result = session.result;
        const current = result?.modelVersion === trained.version ? result : undefined;
        const shown = current && { ...current.stored, smooth: current.smooth };
        // kept readable while it is copied, though a new segment-all may replace it meanwhile
        const release = current?.stored.hold();
        try {
          await exportVolume(this.options.engine, trained, session.volume, classes, args, shown, context);
        } finally {
          release?.();
        }
        return args.path;
      },
      args.volumeId,
    );
    return job;
  }

  /** The window/level panel's histograms (see segmentation/histograms). */
  readHistograms(volumeId: string, bins: number): Promise<GreyHistograms> {
    const session = this.session(volumeId);
    const classIds = session.classes.list().map((c) => c.id);
    return greyHistograms(session.volume, session.history.store.labelledVoxels(), classIds, bins);
  }

  segmentationState(volumeId: string): SegmentationState {
    const session = this.session(volumeId);
    const store = session.history.store;
    const counts = store.classCounts();
    const classes = session.classes.list();
    const labelled: Record<number, number> = {};
    for (const c of classes) labelled[c.id] = counts[c.id]!;
    const trained = session.model;
    const result = session.result;
    return {
      classes,
      labelled,
      canUndo: session.history.canUndo,
      canRedo: session.history.canRedo,
      model: trained
        ? {
            version: trained.version,
            trainedAt: trained.trainedAt.toISOString(),
            seconds: trained.seconds,
            classes: trained.classes,
            stale: trained.labelsVersion !== store.version,
            preview: trained.preview,
          }
        : null,
      segmentation: result
        ? {
            modelVersion: result.modelVersion,
            stale: result.modelVersion !== trained?.version,
            postprocess: result.steps,
            smooth: result.smooth,
            surfaces: result.surfaces ?? null,
            canUndoPostprocess: result.steps.length > 0 && result.original !== undefined,
          }
        : null,
      running: this.running(volumeId),
    };
  }

  /** The jobs of this service still running on the volume. */
  private running(volumeId: string): SegmentationState['running'] {
    const { jobs } = this.options;
    const [train, segmentAll, postprocess, exporting] = SEGMENTATION_JOBS.map((kind) => jobs.runningOn(volumeId, kind));
    return {
      ...(train && { train }),
      ...(segmentAll && { segmentAll }),
      ...(postprocess && { postprocess }),
      ...(exporting && { export: exporting }),
    };
  }

  // ---- Saved work (a project's) ----

  /** The model and result a project saves of this volume; nothing before its first use. */
  workOf(volumeId: string): VolumeWork {
    return workOf(this.sessions.peek(volumeId), this.options.engine);
  }

  /** Takes back a project's saved model and result: the views predict and show them at once. */
  restoreWork(volumeId: string, work: RestoredWork): Promise<void> {
    return restoreWork(this.session(volumeId), this.options.engine, work);
  }

  // ---- Internals ----

  private session(volumeId: string): Session {
    return this.sessions.get(volumeId);
  }

  /** Class names by label value; refuses labels the model could not learn from. */
  private checkTrainable(session: Session): Map<number, string> {
    return session.classes.trainable(session.history.store.classCounts());
  }

  private requireModel(session: Session): TrainedModel {
    if (!session.model) throw badInput('no model yet: paint at least two classes and train first');
    return session.model;
  }

  private changed(volumeId: string, session: Session, result: StrokeResult): StrokeResult {
    if (result.voxels > 0) this.options.labelsChanged?.(volumeId, session.history.store);
    return result;
  }
}
