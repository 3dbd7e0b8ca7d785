// Interactive segmentation: classes, painting labels with undo, training, live prediction of the
// visible slices, segment-all, accepting a prediction as labels, export. Slices use the layout of
// `readSlice`: perpendicular to `axis`, columns and rows as in `SliceData` (z: x, y; y: x, z; x: y, z).
import { z } from 'zod';
import type { Histogram, Threshold } from '../histogram';
import { type PostprocessStep, postprocessStep } from '../postprocess';
import type { Region } from '../volume';
import { type VolumeOverview, overviewEdge } from './volume';

const volumeId = z.string().min(1);
const axis = z.enum(['z', 'y', 'x']);
const sliceIndex = z.number().int().nonnegative();
/** A class is a label value 1..255; 0 means unlabelled. */
const classId = z.number().int().min(1).max(255);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb');
const className = z.string().trim().min(1).max(100);
const position = z.tuple([z.number().int(), z.number().int(), z.number().int()]);
const size = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);
const region = z.object({ start: position, shape: size });
const outputPath = z
  .string()
  .min(1)
  .regex(/\.(tiff?|zarr)$/i, 'the file name must end in .tif, .tiff (TIFF stack) or .zarr (OME-Zarr)');
/** Brush limits that keep one stroke to at most a few million voxels. */
export const MAX_DISC_RADIUS = 1000;
export const MAX_SPHERE_RADIUS = 64;

/**
 * Labels through surfaces (segment-all's "Refine with surfaces", `tomoseg segment --refine`): each
 * class but the first is meshed from its probabilities, smoothed, and voxelised back.
 */
export const surfaceSettings = z.object({
  /** Objects and cavities of fewer voxels than this go (the hole filled, the speck given to the class around). */
  minVoxels: z
    .number()
    .int()
    .min(1)
    .max(2 ** 40)
    .default(1),
  /** Smoothing weight of the surfaces in [0, 1]; 0 follows the probabilities only. */
  smoothness: z.number().min(0).max(1).default(0.5),
});
export type SurfaceSettings = z.infer<typeof surfaceSettings>;

export const segmentationArgs = {
  /** The classes of a volume's labels, in label order ("Background", "Material 1" to start). */
  listClasses: z.object({ volumeId }),
  /** Adds a class; name and colour default to "Material N" and a distinct colour. */
  defineClass: z.object({ volumeId, name: className.optional(), colour: colour.optional() }),
  renameClass: z.object({ volumeId, classId, name: className }),
  recolourClass: z.object({ volumeId, classId, colour }),
  /** Removes a class that has no labelled voxels (erase them first: that stays undoable). */
  removeClass: z.object({ volumeId, classId }),

  /**
   * Paints one stroke on the slice `index` perpendicular to `axis`. `points` are slice pixel
   * positions (column, row, column, row, ...), joined into a continuous line. Modes: 'disc' paints a
   * disc of `radius` in the slice, 'sphere' a ball of `radius` in 3D, 'fill' the 4-connected area of
   * the slice that has the same label as the first point. Paints `classId`, or erases with
   * `erase: true`. Parts outside the volume are clipped. `continueStroke` joins the previous undo
   * step when it painted the same class (a drag sent in pieces).
   */
  paintStroke: z
    .object({
      volumeId,
      axis,
      index: sliceIndex,
      points: z.array(z.number().finite()).min(2),
      radius: z.number().nonnegative().max(MAX_DISC_RADIUS).default(0),
      mode: z.enum(['disc', 'sphere', 'fill']),
      classId: classId.optional(),
      erase: z.boolean().default(false),
      continueStroke: z.boolean().default(false),
    })
    .refine((s) => s.erase || s.classId !== undefined, {
      message: 'give a classId to paint, or erase: true',
      path: ['classId'],
    })
    .refine((s) => s.points.length % 2 === 0, { message: 'points are (column, row) pairs', path: ['points'] })
    .refine((s) => s.mode !== 'sphere' || s.radius <= MAX_SPHERE_RADIUS, {
      message: `a sphere brush has a radius of at most ${MAX_SPHERE_RADIUS} voxels`,
      path: ['radius'],
    }),
  undoStroke: z.object({ volumeId }),
  redoStroke: z.object({ volumeId }),
  /** The user's labels on one slice, one byte per pixel (class id, 0 = unlabelled). */
  readLabelSlice: z.object({ volumeId, axis, index: sliceIndex }),
  /**
   * The user's labels downsampled for the 3D view: a block shows a class when any voxel in it is
   * painted (the class painted most when several are), so thin strokes stay visible.
   */
  readLabelOverview: z.object({ volumeId, maxEdge: overviewEdge }),

  /**
   * Trains a model on the current labels as a job (progress, cancel). One training runs at a time
   * per volume: a request while one runs waits for it and replaces any request already waiting, so
   * live retraining after each stroke always ends with a model of the newest labels. `preview`
   * trains a quick model for the live overlay; segment-all and export first train a full model
   * when the current one is a preview. Refused at once when fewer than two classes exist or a class
   * has no labelled voxel.
   */
  train: z.object({ volumeId, seed: z.number().int().nonnegative().optional(), preview: z.boolean().default(false) }),
  /** The current model's prediction of one slice (computed on demand, cached per model); null before training. */
  readPredictionSlice: z.object({ volumeId, axis, index: sliceIndex }),
  /**
   * Predicts the whole volume blockwise as a job (progress with time left, cancel) into a chunked
   * result; `smooth` takes each class from the probabilities averaged over 3×3×3 voxels (absent: as
   * the engine chose in training, where cross-validation on the labels showed it helps); with
   * `surfaces` the labels then come from the classes' refined surfaces (the meshes agree with them).
   */
  segmentAll: z.object({
    volumeId,
    threads: z.number().int().positive().max(256).optional(),
    smooth: z.boolean().optional(),
    surfaces: surfaceSettings.optional(),
  }),
  /**
   * Post-processes the segment-all result shown as a job: applies `step` after those it had, or
   * with `undo` takes the last back. Views, meshes, exports and saves then use the new result.
   */
  postprocessResult: z
    .object({ volumeId, step: postprocessStep.optional(), undo: z.boolean().default(false) })
    .refine((a) => (a.step !== undefined) !== a.undo, { message: 'give a step, or undo: true' }),
  /** One slice of the last segment-all result; null when there is none. */
  readSegmentationSlice: z.object({ volumeId, axis, index: sliceIndex }),
  /** The last segment-all result downsampled for the 3D view (most frequent class per block); null when there is none. */
  readSegmentationOverview: z.object({ volumeId, maxEdge: overviewEdge }),
  /**
   * Writes the current model's prediction of a region (or of one slice) into the labels as one
   * undoable stroke. Voxels the user already labelled keep their label.
   */
  acceptPrediction: z
    .object({ volumeId, region: region.optional(), axis: axis.optional(), index: sliceIndex.optional() })
    .refine((a) => a.region !== undefined || (a.axis !== undefined && a.index !== undefined), {
      message: 'give a region, or an axis and index for one slice',
    }),
  /**
   * Writes the segmentation (uint8 class ids) to `path`, format by extension: .tif/.tiff or .zarr
   * (OME-Zarr label image). With `probabilities`, also writes per-class probabilities (uint8 0-255)
   * to that path. Uses the segment-all result when it is from the current model, else predicts.
   */
  exportSegmentation: z.object({
    volumeId,
    path: outputPath,
    probabilities: outputPath.optional(),
    overwrite: z.boolean().default(false),
  }),
  /** Everything the segmentation panel shows: classes, label counts, undo state, model and result. */
  segmentationState: z.object({ volumeId }),
  /**
   * Grey-value histograms over one range: of a sample of the volume, of each class's painted
   * voxels, and the thresholds between classes neighbouring in grey value they imply.
   */
  readHistograms: z.object({ volumeId, bins: z.number().int().min(8).max(1024).default(128) }),
};

export interface SegmentationClass {
  /** The label value painted for this class, 1..255. */
  id: number;
  name: string;
  /** #rrggbb */
  colour: string;
}

export interface StrokeResult {
  /** Box of the voxels that changed (refresh the overlay there); null when nothing changed. */
  changed: Region | null;
  /** Voxels changed. */
  voxels: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Labelled voxels per label value after the change; values without any are left out. */
  labelled: Record<number, number>;
}

export interface LabelSlice {
  width: number;
  height: number;
  /** Class id per pixel, row by row; 0 = unlabelled. */
  data: Uint8Array;
}

export interface PredictionSlice {
  width: number;
  height: number;
  /** Which model predicted it (increases with every training). */
  modelVersion: number;
  /** Predicted class id per pixel. */
  classes: Uint8Array;
  /** (1 − max class probability) × 255 per pixel: high where the model is unsure. */
  uncertainty: Uint8Array;
}

export interface SegmentationSlice {
  width: number;
  height: number;
  modelVersion: number;
  classes: Uint8Array;
}

export interface JobStarted {
  jobId: string;
}

export interface SegmentationState {
  classes: SegmentationClass[];
  /** Labelled voxels per class id (classes without labels count 0). */
  labelled: Record<number, number>;
  canUndo: boolean;
  canRedo: boolean;
  /** The current model; `preview` when it is a quick one for the live overlay. */
  model: {
    version: number;
    trainedAt: string;
    seconds: number;
    classes: number[];
    stale: boolean;
    preview: boolean;
  } | null;
  /** The last complete segment-all result: whether a newer model exists, the post-processing it had. */
  segmentation: {
    modelVersion: number;
    stale: boolean;
    postprocess: PostprocessStep[];
    /** Each class taken from the probabilities smoothed over 3×3×3 voxels. */
    smooth: boolean;
    /** Labelled through surfaces, and how; null when voxel by voxel. */
    surfaces: SurfaceSettings | null;
    /** The result before post-processing is kept (not after a project reopens). */
    canUndoPostprocess: boolean;
  } | null;
  /** Jobs of this volume still running. */
  running: { train?: string; segmentAll?: string; postprocess?: string; export?: string };
}

export interface GreyHistograms {
  volume: Histogram;
  classes: { id: number; histogram: Histogram }[];
  thresholds: Threshold[];
}

export interface SegmentationResults {
  listClasses: SegmentationClass[];
  defineClass: SegmentationClass;
  renameClass: SegmentationClass;
  recolourClass: SegmentationClass;
  removeClass: boolean;
  paintStroke: StrokeResult;
  undoStroke: StrokeResult;
  redoStroke: StrokeResult;
  readLabelSlice: LabelSlice;
  /** `labelsVersion` changes with every change of the labels (stroke, undo, redo, load). */
  readLabelOverview: VolumeOverview & { labelsVersion: number };
  train: JobStarted;
  readPredictionSlice: PredictionSlice | null;
  segmentAll: JobStarted;
  postprocessResult: JobStarted;
  readSegmentationSlice: SegmentationSlice | null;
  readSegmentationOverview: (VolumeOverview & { modelVersion: number }) | null;
  acceptPrediction: StrokeResult;
  exportSegmentation: JobStarted;
  segmentationState: SegmentationState;
  readHistograms: GreyHistograms;
}
