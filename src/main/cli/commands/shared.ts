// Pieces the segment, train and predict commands share: flags, input checks, writing outputs.
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { TomosegError, badInput } from '../../../shared/errors';
import { voxelUnitsNote } from '../../../shared/volume';
import { type Model, endIdleWorkers, predictVolume, voxelMismatch } from '../../engine';
import { type Volume, createVolume, openVolume, sharedCache } from '../../volume';
import { refuseExisting } from '../../volume/output';
import {
  type SurfaceLabelClass,
  labelsFromSurfaces,
  predictionSmooths,
  surfaceClasses,
  surfaceRefusal,
} from '../../mesh/surface-labels';
import { WINDOW } from '../../mesh/windows';
import { createProbabilityStore } from '../../segmentation/outputs';
import type { RegionWriter } from '../../volume/spec';
import type { CliContext, Flag } from '../command';

export const FLAGS = {
  image: {
    type: 'string',
    value: 'IMG',
    description: 'the tomogram: .tif/.tiff file, folder of TIFF slices, .zarr, or .h5/.hdf5/.nxs (HDF5, NeXus)',
    required: true,
  },
  dataset: {
    type: 'string',
    value: 'PATH',
    description:
      'the 3D dataset of an HDF5 / NeXus image, e.g. /entry/data/data (default: the NeXus default, a known beamline path, or the only 3D dataset; `tomoseg info` lists them)',
  },
  labels: {
    type: 'string',
    value: 'LAB',
    description: 'sparse labels, same shape as IMG: 0 = unlabelled, 1..K = classes (.tif or .zarr)',
    required: true,
  },
  out: {
    type: 'string',
    value: 'SEG',
    description: 'segmentation to write: .tif (uint8 ImageJ TIFF) or .zarr (OME-Zarr label image)',
    required: true,
  },
  probabilities: {
    type: 'string',
    value: 'PROB',
    description: 'also write per-class probabilities (uint8, 255 = 1): one channel per class, .tif or .zarr',
  },
  threads: {
    type: 'string',
    value: 'N',
    description: `worker threads for prediction (default: ${availableParallelism()}, the CPU cores)`,
  },
  seed: {
    type: 'string',
    value: 'S',
    description: 'random seed of training; the same seed gives the same model (default 1)',
  },
  smooth: {
    type: 'boolean',
    description:
      'choose each class from the probabilities averaged over the voxel and its 26 neighbours (1-2-1 weights per axis): stray voxels on object rims go, but features one or two voxels thin (cracks) may thin out or vanish. Default: as training chose by cross-validation on the labels (never with --refine, whose surfaces smooth)',
  },
  'no-smooth': {
    type: 'boolean',
    description: "each voxel's own most likely class, whatever training chose",
  },
  force: {
    type: 'boolean',
    description: 'overwrite outputs that already exist (a folder only where Tomoseg wrote it)',
  },
  refine: {
    type: 'boolean',
    description:
      'refine with surfaces: mesh each class but the first from its probabilities, smooth it, drop objects and cavities below --min-volume, and label the voxels the surfaces enclose (the segmentation then agrees with the meshes)',
  },
  'min-volume': {
    type: 'string',
    value: 'V',
    description:
      "with surfaces: drop objects and fill cavities smaller than V physical units³ (default: one voxel's volume)",
  },
  smoothness: {
    type: 'string',
    value: 'W',
    description: 'with surfaces: smoothing weight 0-1 (default 0.5; 0 follows the probabilities only)',
  },
} satisfies Record<string, Flag>;

export function numberFlag(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n))
    throw badInput(`--${name} must be a number, not '${String(value)}'`);
  return n;
}

/** How to refine with surfaces, from --min-volume and --smoothness. */
export function surfaceOptions(flags: Record<string, string | boolean | undefined>): RefineOptions {
  return {
    minVolume: numberFlag(flags['min-volume'], 'min-volume'),
    smooth: numberFlag(flags.smoothness, 'smoothness'),
  };
}

/** --threads of the commands that mesh: threads, not worker threads for prediction (≥ 1). */
export const MESH_THREADS: Flag = {
  ...FLAGS.threads,
  description: `threads to mesh on (default: ${availableParallelism()}, the CPU cores); the result does not depend on it`,
};

export const NOTES = [
  'Outputs appear only when complete (written under a temporary name, then renamed).',
  'Progress goes to stderr; on failure the exit code is non-zero with a one-line reason.',
];

/** The --dataset flag's value, where given. */
export function datasetFlag(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw badInput('--dataset needs a dataset path, e.g. /entry/data/data');
  return value.startsWith('/') ? value : `/${value}`;
}

export function integerFlag(value: string | boolean | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw badInput(`--${name} must be an integer ≥ ${min}, not '${String(value)}'`);
  return n;
}

export interface RefineOptions {
  minVolume?: number | undefined;
  smooth?: number | undefined;
  threads?: number | undefined;
}

/** How `segment` and `predict` write their outputs, from their flags. */
export interface OutputOptions {
  threads?: number | undefined;
  /** --smooth / --no-smooth; undefined: as the model chose (smoothing), never with `refine`. */
  smooth: boolean | undefined;
  force: boolean;
  /** Labels through surfaces, where asked. */
  refine?: RefineOptions | undefined;
}

export function outputOptions(flags: Record<string, string | boolean | undefined>): OutputOptions {
  if (flags.refine !== true && (flags['min-volume'] !== undefined || flags.smoothness !== undefined))
    throw badInput('--min-volume and --smoothness shape the surfaces of --refine: add --refine');
  const threads = integerFlag(flags.threads, 'threads', 0);
  return {
    threads,
    smooth: smoothFlag(flags),
    force: flags.force === true,
    // the surfaces are meshed on as many threads (at least this one) as the prediction runs on
    refine:
      flags.refine === true
        ? { ...surfaceOptions(flags), threads: threads === undefined ? undefined : Math.max(1, threads) }
        : undefined,
  };
}

/** --smooth or --no-smooth: true or false; neither: undefined (as the model chose in training). */
export function smoothFlag(flags: Record<string, string | boolean | undefined>): boolean | undefined {
  if (flags.smooth === true && flags['no-smooth'] === true)
    throw badInput('--smooth and --no-smooth: give one of them');
  return flags.smooth === true ? true : flags['no-smooth'] === true ? false : undefined;
}

/** Whether a prediction with `model` smooths, given --smooth / --no-smooth (see smoothFlag) and --refine. */
export const smoothing = (model: Model, flag: boolean | undefined, refine = false): boolean =>
  predictionSmooths(flag, model.smooth ?? false, refine);

/** Refuses outputs that exist (unless forced) or that would overwrite an input, before any work. */
export async function checkOutputs(outputs: (string | undefined)[], inputs: string[], force: boolean): Promise<void> {
  const given = outputs.filter((p): p is string => p !== undefined);
  for (const output of given) {
    if (inputs.some((input) => resolve(input) === resolve(output)))
      throw badInput(`${output} is also an input: Tomoseg never writes over its input data`);
    await refuseExisting(output, force).catch((error: unknown) => {
      // Forced, the conflict is a folder Tomoseg did not write: its own message says so.
      throw error instanceof TomosegError && error.kind === 'exists'
        ? new TomosegError('exists', `${output} already exists (use --force to overwrite)`)
        : error;
    });
  }
  if (new Set(given.map((p) => resolve(p))).size < given.length) throw badInput('two outputs have the same path');
}

/**
 * Opens the inputs (the image first), runs `work` on them and closes them whatever happens. Says
 * where the image's voxels are far from cubic (voxelUnitsNote).
 */
export async function withVolumes<T>(
  paths: string[],
  context: CliContext,
  work: (...volumes: Volume[]) => Promise<T>,
  /** The --dataset of the image (the first path), for HDF5 files. */
  dataset?: string,
): Promise<T> {
  const volumes: Volume[] = [];
  try {
    for (const [i, path] of paths.entries()) volumes.push(await openVolume(path, i === 0 ? { dataset } : {}));
    const note = voxelUnitsNote(volumes[0]!.voxelSize, volumes[0]!.unit);
    if (note) context.out(`note: ${paths[0]}: ${note}`);
    return await work(...volumes);
  } finally {
    await Promise.all(volumes.map((v) => v.close()));
  }
}

/** Predicts `image` into SEG (and PROB); neither appears unless both are complete. */
export async function writeSegmentation(
  model: Model,
  image: Volume,
  paths: { out: string; probabilities?: string | undefined },
  options: OutputOptions,
  context: CliContext,
): Promise<void> {
  const mismatch = voxelMismatch(model, image);
  if (mismatch) context.out(`note: ${mismatch}`);
  const refusal = options.refine && surfaceRefusal(image.shape);
  if (refusal) throw badInput(refusal);
  const common = { shape: image.shape, voxelSize: image.voxelSize, unit: image.unit, force: options.force };
  const labels = await createVolume(paths.out, { ...common, dtype: 'uint8', kind: 'labels' });
  const probabilities = paths.probabilities
    ? await createVolume(paths.probabilities, {
        ...common,
        dtype: 'uint8',
        kind: 'image',
        channels: model.classes.length,
        channelNames: model.classes.map((c) => c.name),
      }).catch(async (error: unknown) => {
        await labels.abort();
        throw error;
      })
    : undefined;
  const writers = probabilities ? [labels, probabilities] : [labels];
  try {
    const predict = (outputs: PredictOutputs): Promise<void> =>
      predictVolume(model, image, outputs, {
        threads: options.threads,
        smooth: smoothing(model, options.smooth, options.refine !== undefined),
        signal: context.signal,
        progress: context.progress,
      });
    if (options.refine)
      await labelThroughSurfaces(model, image, predict, { labels, probabilities }, options.refine, paths.out, context);
    else await predict({ labels, probabilities });
    for (const writer of writers) await writer.commit({ signal: context.signal, progress: context.progress });
  } catch (error) {
    await Promise.all(writers.map((w) => w.abort().catch(() => undefined)));
    if (
      (error as { code?: string }).code === 'ENOSPC' ||
      /ENOSPC|no space left/i.test(String((error as Error).message))
    )
      throw new TomosegError('bad-input', `the disk is full: ${paths.out} was not written (partial output removed)`);
    throw error;
  }
}

type PredictOutputs = { labels?: RegionWriter | undefined; probabilities?: RegionWriter | undefined };

/**
 * The prediction kept for the surfaces stays in memory up to this many voxels (bytes, all classes
 * counted), else in a temporary OME-Zarr: the surfaces read it a window at a time, so the memory
 * then follows the window, not the volume (512³, 3 classes: 1,479 → 1,025 MiB, 187 → 191 s).
 */
const SURFACE_INPUT_VOXELS = 64 * 1024 * 1024;

/**
 * Predicts the probabilities into a temporary store beside SEG (and into PROB, where asked), then
 * writes SEG's labels through the classes' surfaces.
 */
async function labelThroughSurfaces(
  model: Model,
  image: Volume,
  predict: (outputs: PredictOutputs) => Promise<void>,
  writers: { labels: RegionWriter; probabilities?: RegionWriter | undefined },
  refine: RefineOptions,
  out: string,
  context: CliContext,
): Promise<void> {
  const classes = model.classes.map((c) => c.value);
  const store = await createProbabilityStore(image, classes, dirname(resolve(out)), SURFACE_INPUT_VOXELS);
  try {
    const file = writers.probabilities;
    await predict({
      probabilities: file
        ? {
            write: (region, data, channel) =>
              Promise.all([store.writer, file].map((w) => w.write(region, data, channel))).then(() => {}),
          }
        : store.writer,
    });
    const probabilities = await store.finish();
    // what the prediction keeps for a next one (the workers' scratch memory, the image's cached
    // chunks) goes to the meshes: nothing reads the image again
    endIdleWorkers();
    sharedCache.clear();
    const summary = await labelsFromSurfaces(surfaceClasses(probabilities), writers.labels, {
      ...refine,
      signal: context.signal,
      progress: context.progress,
    });
    context.out(describeSurfaces(summary));
  } finally {
    await store.dispose();
  }
}

/** One line on what the surfaces hold, per class. */
export function describeSurfaces(classes: SurfaceLabelClass[]): string {
  const dropped = (c: SurfaceLabelClass): string => `${c.removed} below the minimum volume dropped`;
  const parts = classes.map((c) =>
    c.objects === undefined
      ? `class ${c.value}: ${dropped(c)}`
      : `class ${c.value}: ${c.objects} objects${c.removed ? ` (${dropped(c)})` : ''}`,
  );
  const windows = classes.some((c) => c.objects === undefined)
    ? ` (meshed in windows of ${WINDOW}³, which see an object across them in pieces: \`tomoseg measure\` counts the objects)`
    : '';
  return `surfaces: ${parts.join(', ')}${windows}`;
}

export function describeModel(model: Model): string {
  const classes = model.classes.map((c) => `${c.value}=${c.name}`).join(', ');
  const counts = model.training.labelledVoxels.join('/');
  const texture = model.basis.texture ? `, texture ${model.basis.texture.join(', ')}` : '';
  const smooth = model.smooth ? ", smoothed (chosen on the labels; --no-smooth to keep each voxel's own class)" : '';
  return `model: ${model.classes.length} classes (${classes}), labelled voxels ${counts}, scales ${model.basis.scales.join(', ')}${texture}${smooth}`;
}
