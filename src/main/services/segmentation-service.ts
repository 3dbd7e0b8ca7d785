// Interactive segmentation of the open volumes: classes, painting with undo, training, live
// prediction of the visible slices, segment-all into a chunked result, accepting a prediction as
// labels, export. Transport-free: the API handlers call these methods; long work runs as jobs.
import type {
  JobStarted,
  LabelSlice,
  PredictionSlice,
  SegmentationClass,
  SegmentationResults,
  SegmentationSlice,
  SegmentationState,
  StrokeResult,
} from '../../shared/api/segmentation';
import type { VolumeOverview } from '../../shared/api/volume';
import { TomosegError, badInput, cancelled } from '../../shared/errors';
import type { Handlers } from '../api/dispatch';
import { type Axis, type Region, axisIndex, voxelCount } from '../../shared/volume';
import { LabelOverviewCache, LabelStore, type Stroke } from '../labels';
import { ClassList } from '../segmentation/classes';
import type { SegmentationEngine } from '../segmentation/engine';
import { LabelsHistory } from '../segmentation/labels-history';
import {
  type FinishedResult,
  type ProbabilityMaps,
  copyVolume,
  createExportTarget,
  createResultStore,
} from '../segmentation/outputs';
import { brushShapes, clipRegion, floodFill, sliceRegion } from '../segmentation/slices';
import { predictInTiles } from '../segmentation/tiles';
import { withTimeLeft } from '../segmentation/time-left';
import { refuseExisting } from '../volume/output';
import { readOverview } from '../volume/overview';
import type { Volume } from '../volume/volume';
import type { JobContext, Jobs } from './jobs';
import { sliceSize } from './volume-service';

export interface SegmentationServiceOptions {
  volumes: { get(volumeId: string): Volume };
  jobs: Jobs;
  engine: SegmentationEngine;
  /** The label store of a volume (the project's, when one is open); a fresh one in memory by default. */
  labelsFor?: (volumeId: string, volume: Volume) => LabelStore;
  /** Called after every change of a volume's labels (to save the changed blocks). */
  labelsChanged?: (volumeId: string, store: LabelStore) => void;
  /** A volume's saved classes (the project's); "Background" and "Material 1" when none. */
  classesFor?: (volumeId: string) => SegmentationClass[] | undefined;
  /** Called after every change of a volume's classes (to save them). */
  classesChanged?: (volumeId: string, classes: SegmentationClass[]) => void;
  /** Segment-all results beyond `memoryLimit` voxels go to a temporary OME-Zarr in `folder` (the system's temp folder by default). */
  results?: { folder?: string; memoryLimit?: number };
}

interface TrainedModel {
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

interface Session {
  volume: Volume;
  history: LabelsHistory;
  classes: ClassList;
  model?: TrainedModel;
  modelCount: number;
  /** Prediction slices of the current model, by "axis:index", oldest first. */
  slices: Map<string, Promise<PredictionSlice>>;
  result?: { stored: FinishedResult; modelVersion: number; smooth: boolean };
  running: { train?: string; segmentAll?: string; export?: string };
  /** Settles when the newest training job ends; the ids of a training waiting for the one before it and of a preview training now. */
  training: { last?: Promise<void>; waiting?: string; preview?: { id: string } };
}

/** Prediction slices kept per volume: the three visible ones and some scrolling around them. */
const SLICE_CACHE = 48;
/** Largest region accepted as labels in one go (a 256³ box; predicted tile by tile, about 100 MiB of work arrays). */
const MAX_ACCEPT_VOXELS = 256 ** 3;

export class SegmentationService {
  private readonly sessions = new Map<string, Session>();
  /** Each label store's last overview, so the 3D view's read after a stroke recounts only what it changed. */
  private readonly labelOverviews = new WeakMap<LabelStore, LabelOverviewCache>();

  constructor(private readonly options: SegmentationServiceOptions) {}

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
    const { shape } = session.volume;
    const value = args.erase ? 0 : args.classId!;
    if (value !== 0) session.classes.get(value);
    let stroke: Stroke;
    if (args.mode === 'fill') {
      // Brushes are clipped by the label store; a fill needs a slice to fill.
      const [width, height] = sliceSize(shape, args.axis);
      const [column, row] = [Math.round(args.points[0]!), Math.round(args.points[1]!)];
      if (args.index >= shape[axisIndex(args.axis)] || column < 0 || column >= width || row < 0 || row >= height)
        return this.unchanged(session);
      const region = sliceRegion(shape, args.axis, args.index);
      const mask = floodFill(session.history.store.read(region), width, height, column, row);
      stroke = { value, shapes: [{ kind: 'mask', region, mask }] };
    } else {
      stroke = { value, shapes: brushShapes(args.axis, args.index, args.points, args.radius, args.mode) };
    }
    return this.changed(args.volumeId, session, session.history.paint([stroke], args.continueStroke));
  }

  undoStroke(volumeId: string): StrokeResult {
    const session = this.session(volumeId);
    return this.changed(volumeId, session, session.history.undo());
  }

  redoStroke(volumeId: string): StrokeResult {
    const session = this.session(volumeId);
    return this.changed(volumeId, session, session.history.redo());
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
    const { training } = session;
    this.checkTrainable(session);
    if (training.waiting) this.options.jobs.cancel(training.waiting);
    if (training.preview) this.options.jobs.cancel(training.preview.id);
    const before = training.last;
    let finished = (): void => undefined;
    const settled = new Promise<void>((resolve) => (finished = resolve));
    training.last = settled;
    const self = { id: '' }; // the job's id, known once it started
    const job = this.options.jobs.start('train', async (context) => {
      try {
        if (before) {
          context.progress(0, 1, 'waiting for the running training');
          await before;
          if (training.waiting === job.id) delete training.waiting;
          if (context.signal.aborted) throw cancelled('training replaced by a newer request');
        }
        if (options.preview) training.preview = self;
        return (await this.trainNow(session, options, context)).version;
      } finally {
        if (training.preview === self) delete training.preview;
        if (training.last === settled) delete training.last;
        finished();
      }
    });
    self.id = job.id;
    if (before) training.waiting = job.id;
    this.track(session, 'train', job.id, job.result);
    return job;
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

  /** The current model's prediction of a slice; null before the first training. */
  async readPredictionSlice(volumeId: string, axis: Axis, index: number): Promise<PredictionSlice | null> {
    const session = this.session(volumeId);
    const trained = session.model;
    if (!trained) return null;
    const region = sliceRegion(session.volume.shape, axis, index);
    const key = `${axis}:${index}`;
    let slice = session.slices.get(key);
    if (slice)
      session.slices.delete(key); // re-inserted below as the most recent
    else {
      const predicted = this.predictSlice(session, trained, axis, region).catch((error: unknown) => {
        if (session.slices.get(key) === predicted) session.slices.delete(key); // a failure is not cached
        throw error;
      });
      slice = predicted;
    }
    session.slices.set(key, slice);
    while (session.slices.size > SLICE_CACHE) session.slices.delete(session.slices.keys().next().value!);
    return slice;
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
    { threads, smooth = false }: { threads?: number | undefined; smooth?: boolean } = {},
  ): { id: string; result: Promise<number> } {
    const session = this.session(volumeId);
    this.requireModel(session);
    if (session.running.segmentAll)
      throw new TomosegError(
        'conflict',
        `segment-all of this volume is already running (job ${session.running.segmentAll})`,
      );
    const job = this.options.jobs.start('segment-all', async (context) => {
      const { signal, progress } = context;
      const trained = await this.fullModel(session, context);
      const store = await createResultStore(
        session.volume,
        this.options.results?.folder,
        this.options.results?.memoryLimit,
        trained.classes, // their probabilities too, for sub-voxel meshes
      );
      let stored: FinishedResult;
      try {
        await this.options.engine.predictVolume(trained.model, session.volume, store.outputs, {
          threads,
          smooth,
          signal,
          progress: withTimeLeft(progress, 'segmenting'),
        });
        if (signal.aborted) throw cancelled('segment-all cancelled');
        stored = await store.finish();
      } catch (error) {
        await store.discard();
        throw error;
      }
      const previous = session.result;
      session.result = { stored, modelVersion: trained.version, smooth };
      await previous?.stored.dispose();
      return trained.version;
    });
    this.track(session, 'segmentAll', job.id, job.result);
    return job;
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
    const existing = session.history.store.read(region);
    const strokes: Stroke[] = [];
    for (const value of trained.classes) {
      const mask = new Uint8Array(classes.length);
      let any = false;
      for (let i = 0; i < classes.length; i++)
        if (classes[i] === value && existing[i] === 0) {
          mask[i] = 1;
          any = true;
        }
      if (any) strokes.push({ value, shapes: [{ kind: 'mask', region, mask }] });
    }
    return this.changed(volumeId, session, session.history.paint(strokes));
  }

  /** Writes the segmentation, from the segment-all result when it is current, else by predicting. */
  exportSegmentation(args: { volumeId: string; path: string; probabilities?: string; overwrite: boolean }): {
    id: string;
    result: Promise<string>;
  } {
    const session = this.session(args.volumeId);
    this.requireModel(session);
    if (session.running.export)
      throw new TomosegError('conflict', `an export of this volume is already running (job ${session.running.export})`);
    const job = this.options.jobs.start('export', async (context) => {
      const { signal, progress } = context;
      // Before any training or prediction: an output that exists, unless the user confirmed.
      for (const path of [args.path, args.probabilities]) if (path) await refuseExisting(path, args.overwrite);
      const trained = await this.fullModel(session, context);
      const classes = trained.classes.map((id) =>
        session.classes.has(id) ? session.classes.get(id) : { id, name: `class ${id}`, colour: '#808080' },
      );
      const target = await createExportTarget({ ...args, volume: session.volume, classes });
      try {
        const result = session.result;
        const current = result && result.modelVersion === trained.version;
        if (current && !args.probabilities)
          await copyVolume(result.stored.volume, target.outputs.classes, {
            signal,
            progress: withTimeLeft(progress, 'exporting'),
          });
        else
          await this.options.engine.predictVolume(trained.model, session.volume, target.outputs, {
            smooth: current && result.smooth, // as the result shown, if there is one
            signal,
            progress: withTimeLeft(progress, 'segmenting for export'),
          });
        if (signal.aborted) throw cancelled('export cancelled');
        progress(1, 1, 'writing the file');
        await target.commit();
      } catch (error) {
        await target.discard();
        throw error;
      }
      return args.path;
    });
    this.track(session, 'export', job.id, job.result);
    return job;
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
        ? { modelVersion: result.modelVersion, stale: result.modelVersion !== trained?.version }
        : null,
      running: { ...session.running },
    };
  }

  /** Forgets a closed volume: cancels its jobs, drops its model and result. */
  async forget(volumeId: string): Promise<void> {
    const session = this.sessions.get(volumeId);
    if (!session) return;
    this.sessions.delete(volumeId);
    for (const id of Object.values(session.running)) this.options.jobs.cancel(id);
    await session.result?.stored.dispose();
  }

  // ---- Internals ----

  private session(volumeId: string): Session {
    let session = this.sessions.get(volumeId);
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
        history: new LabelsHistory(store),
        classes: new ClassList(saved),
        modelCount: 0,
        slices: new Map(),
        running: {},
        training: {},
      };
      this.sessions.set(volumeId, session);
    } else if (session.history.store !== store) session.history = new LabelsHistory(store); // the project swapped it (e.g. relink)
    return session;
  }

  /** Class names by label value; refuses labels the model could not learn from. */
  private checkTrainable(session: Session): Map<number, string> {
    const classes = session.classes.list();
    if (classes.length < 2)
      throw badInput(
        `training needs at least two classes; this volume has ${classes.length}: define another class and paint it`,
      );
    const counts = session.history.store.classCounts();
    const empty = classes.filter((c) => counts[c.id] === 0);
    if (empty.length > 0)
      throw badInput(
        `class${empty.length > 1 ? 'es' : ''} ${empty.map((c) => `"${c.name}"`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no labelled voxels: paint ${empty.length > 1 ? 'them' : 'it'} or remove ${empty.length > 1 ? 'them' : 'the class'}`,
      );
    const unknown = counts.findIndex((n, value) => n > 0 && !session.classes.has(value));
    if (unknown > 0)
      throw badInput(
        `${counts[unknown]} voxels are labelled with value ${unknown}, which is no class (classes: ${session.classes.describe()})`,
      );
    return new Map(classes.map((c) => [c.id, c.name]));
  }

  private requireModel(session: Session): TrainedModel {
    if (!session.model) throw badInput('no model yet: paint at least two classes and train first');
    return session.model;
  }

  private track(session: Session, kind: keyof Session['running'], id: string, result: Promise<unknown>): void {
    session.running[kind] = id;
    void result
      .catch(() => undefined)
      .finally(() => {
        if (session.running[kind] === id) delete session.running[kind];
      });
  }

  private changed(volumeId: string, session: Session, result: StrokeResult): StrokeResult {
    if (result.voxels > 0) this.options.labelsChanged?.(volumeId, session.history.store);
    return result;
  }

  private unchanged(session: Session): StrokeResult {
    return { changed: null, voxels: 0, canUndo: session.history.canUndo, canRedo: session.history.canRedo };
  }
}

/** The API handlers of the segmentation methods; jobs answer with their id at once. */
export function segmentationHandlers(service: SegmentationService): Pick<Handlers, keyof SegmentationResults> {
  return {
    listClasses: async ({ volumeId }) => service.listClasses(volumeId),
    defineClass: async ({ volumeId, name, colour }) => service.defineClass(volumeId, name, colour),
    renameClass: async ({ volumeId, classId, name }) => service.renameClass(volumeId, classId, name),
    recolourClass: async ({ volumeId, classId, colour }) => service.recolourClass(volumeId, classId, colour),
    removeClass: async ({ volumeId, classId }) => service.removeClass(volumeId, classId),
    paintStroke: async (args) => service.paintStroke(args),
    undoStroke: async ({ volumeId }) => service.undoStroke(volumeId),
    redoStroke: async ({ volumeId }) => service.redoStroke(volumeId),
    readLabelSlice: async ({ volumeId, axis, index }) => service.readLabelSlice(volumeId, axis, index),
    readLabelOverview: async ({ volumeId, maxEdge }) => service.readLabelOverview(volumeId, maxEdge),
    train: async ({ volumeId, seed, preview }) => started(service.train(volumeId, { seed, preview })),
    readPredictionSlice: ({ volumeId, axis, index }) => service.readPredictionSlice(volumeId, axis, index),
    segmentAll: async ({ volumeId, threads, smooth }) => started(service.segmentAll(volumeId, { threads, smooth })),
    readSegmentationSlice: ({ volumeId, axis, index }) => service.readSegmentationSlice(volumeId, axis, index),
    readSegmentationOverview: ({ volumeId, maxEdge }) => service.readSegmentationOverview(volumeId, maxEdge),
    acceptPrediction: ({ volumeId, ...where }) => service.acceptPrediction(volumeId, where),
    exportSegmentation: async (args) => started(service.exportSegmentation(args)),
    segmentationState: async ({ volumeId }) => service.segmentationState(volumeId),
  };
}

/** A job's id for the caller; its outcome reaches the UI as job events, so the promise is not awaited here. */
function started(job: { id: string; result: Promise<unknown> }): JobStarted {
  void job.result.catch(() => undefined);
  return { jobId: job.id };
}
