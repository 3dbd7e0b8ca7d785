// Where predictions go: the segment-all result (in memory when small, else a temporary OME-Zarr
// read back chunk by chunk) and export files (.tif / .zarr by extension, written under a temporary
// name and moved into place when complete).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentationClass } from '../../shared/api/segmentation';
import { badInput, cancelled } from '../../shared/errors';
import { type Region, voxelCount } from '../../shared/volume';
import { createVolume, openVolume } from '../volume';
import type { RegionWriter, VolumeWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';
import type { RunOptions, VolumeOutputs } from './segmentation-engine';
import { WritableMemoryVolume } from './memory-volume';

/** Results up to this many voxels (bytes) stay in memory; probabilities likewise, all classes counted. */
export const MEMORY_RESULT_VOXELS = 512 * 1024 * 1024;

/** Outputs that take labels, whatever else. */
export type LabelOutputs = VolumeOutputs & { classes: RegionWriter };

/** A segment-all result being written; `finish` gives the volumes to read it from. */
export interface ResultStore {
  outputs: LabelOutputs;
  finish(): Promise<FinishedResult>;
  discard(): Promise<void>;
}

export interface FinishedResult {
  /** Label value per voxel. */
  volume: Volume;
  /** Per-class probabilities, when the store was asked to keep them. */
  probabilities?: ProbabilityMaps;
  /**
   * Keeps what it stored until the returned release is called, for work that reads it (a mesh)
   * while a newer result replaces it: a dispose meanwhile deletes only after the last release.
   */
  hold(): () => void;
  /** Closes it and deletes what it stored (once nothing holds it). */
  dispose(): Promise<void>;
}

/** A result's probability of each class (uint8, 255 = 1): what sub-voxel surface meshes are made from. */
export interface ProbabilityMaps {
  /** Label values, in channel order. */
  classes: number[];
  /** One volume per channel: in memory, or channel c of the temporary OME-Zarr at their `path`. */
  channels: Volume[];
}

/**
 * Stores the segment-all result of `volume`: labels and, for each label value in `classes`, its
 * probability. Each part stays in memory up to `memoryLimit` bytes, else goes to a temporary
 * OME-Zarr in `folder`, deleted by `dispose` or `discard`.
 */
export async function createResultStore(
  volume: Volume,
  folder = tmpdir(),
  memoryLimit = MEMORY_RESULT_VOXELS,
  classes: number[] = [],
): Promise<ResultStore> {
  const labels = await temporaryStore(volume, 'labels', 1, folder, voxelCount(volume.shape) <= memoryLimit);
  let probabilities: ProbabilityStore | undefined;
  try {
    if (classes.length > 0) probabilities = await createProbabilityStore(volume, classes, folder, memoryLimit);
  } catch (error) {
    await labels.dispose();
    throw error;
  }
  const dispose = async (): Promise<void> => {
    await Promise.all([labels.dispose(), probabilities?.dispose()]);
  };
  return {
    outputs: { classes: labels.writer, ...(probabilities ? { probabilities: probabilities.writer } : {}) },
    finish: async () => {
      try {
        const [stored] = await labels.finish();
        const maps = await probabilities?.finish();
        return { volume: stored!, ...(maps ? { probabilities: maps } : {}), ...held(dispose) };
      } catch (error) {
        await dispose();
        throw error;
      }
    },
    discard: dispose,
  };
}

/** Per-class probabilities being written, without labels: all that surfaces are made from. */
export interface ProbabilityStore {
  writer: RegionWriter;
  finish(): Promise<ProbabilityMaps>;
  /** Deletes what was written, finished or not. */
  dispose(): Promise<void>;
}

/**
 * Stores the probability of each label value in `classes` for `volume`: in memory up to
 * `memoryLimit` bytes (all classes counted), else in a temporary OME-Zarr in `folder`.
 */
export async function createProbabilityStore(
  volume: Volume,
  classes: number[],
  folder = tmpdir(),
  memoryLimit = MEMORY_RESULT_VOXELS,
): Promise<ProbabilityStore> {
  const inMemory = voxelCount(volume.shape) * classes.length <= memoryLimit;
  const store = await temporaryStore(volume, 'image', classes.length, folder, inMemory);
  return {
    writer: store.writer,
    finish: async () => ({ classes, channels: await store.finish() }),
    dispose: store.dispose,
  };
}

/** `dispose` deferred while anything holds the result. */
export function held(dispose: () => Promise<void>): Pick<FinishedResult, 'hold' | 'dispose'> {
  let holders = 0;
  let wanted = false;
  let disposed: Promise<void> | undefined;
  const remove = (): Promise<void> => (disposed ??= dispose());
  return {
    hold: () => {
      holders++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // nobody awaits a late deletion: a failure leaves only a temporary file behind
        if (--holders === 0 && wanted) remove().catch(() => undefined);
      };
    },
    dispose: async () => {
      wanted = true;
      if (holders === 0) await remove();
    },
  };
}

/** `channels` uint8 volumes being written, then read: in memory, or a temporary OME-Zarr. */
interface TemporaryStore {
  writer: RegionWriter;
  /** Completes the writing; one volume per channel. */
  finish(): Promise<Volume[]>;
  /** Closes the volumes and deletes what was written, finished or not. */
  dispose(): Promise<void>;
}

async function temporaryStore(
  volume: Volume,
  kind: 'labels' | 'image',
  channels: number,
  folder: string,
  inMemory: boolean,
): Promise<TemporaryStore> {
  if (inMemory) {
    const memory = Array.from({ length: channels }, () => WritableMemoryVolume.uint8(volume.shape, volume));
    return {
      writer: { write: (region, data, channel = 0) => memory[channel]!.write(region, data) },
      finish: async () => memory,
      dispose: async () => {
        await Promise.all(memory.map((m) => m.close()));
      },
    };
  }
  const path = join(folder, `tomoseg-segmentation-${randomUUID()}.zarr`);
  const writer = await createVolume(path, {
    shape: volume.shape,
    dtype: 'uint8',
    kind,
    ...(channels > 1 ? { channels } : {}),
    voxelSize: volume.voxelSize,
    unit: volume.unit,
  });
  let opened: Volume[] = [];
  return {
    writer,
    finish: async () => {
      await writer.commit();
      for (let channel = 0; channel < channels; channel++)
        opened.push(await openVolume(path, channels > 1 ? { channel } : {}));
      return opened;
    },
    dispose: async () => {
      await writer.abort(); // nothing left to delete once committed
      await Promise.all(opened.map((v) => v.close()));
      opened = [];
      await rm(path, { recursive: true, force: true });
    },
  };
}

export interface ExportRequest {
  path: string;
  /** Where per-class probabilities go (uint8, one channel per class), if wanted. */
  probabilities?: string;
  volume: Volume;
  /** The classes the model predicts, in its output order. */
  classes: SegmentationClass[];
  overwrite: boolean;
}

/** The files of an export; nothing appears under their names until `commit`. */
export interface ExportTarget {
  outputs: LabelOutputs;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export async function createExportTarget({
  path,
  probabilities,
  volume,
  classes,
  overwrite,
}: ExportRequest): Promise<ExportTarget> {
  if (probabilities !== undefined && probabilities === path)
    throw badInput(`${path}: the segmentation and the probabilities need different files`);
  const common = {
    shape: volume.shape,
    dtype: 'uint8' as const,
    voxelSize: volume.voxelSize,
    unit: volume.unit,
    force: overwrite,
  };
  const writers: VolumeWriter[] = [];
  try {
    writers.push(await createVolume(path, { ...common, kind: 'labels', labelColors: classes.map(labelColour) }));
    if (probabilities !== undefined)
      writers.push(
        await createVolume(probabilities, {
          ...common,
          channels: classes.length,
          channelNames: classes.map((c) => c.name),
        }),
      );
  } catch (error) {
    await Promise.all(writers.map((w) => w.abort()));
    throw error;
  }
  return {
    outputs: { classes: writers[0]!, probabilities: writers[1] },
    commit: async () => {
      for (const writer of writers) await writer.commit();
    },
    discard: async () => {
      await Promise.all(writers.map((w) => w.abort()));
    },
  };
}

function labelColour(c: SegmentationClass): { value: number; rgba: [number, number, number, number] } {
  const n = Number.parseInt(c.colour.slice(1), 16);
  return { value: c.id, rgba: [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255] };
}

/** Voxels copied per step of `copyVolume`. */
const SLAB_VOXELS = 16 * 1024 * 1024;

/** Copies a volume slab by slab (whole chunk heights) into `channel` of `to`, so memory stays at one slab. */
export async function copyVolume(
  from: Volume,
  to: RegionWriter,
  { signal, progress }: RunOptions,
  channel = 0,
): Promise<void> {
  const [nz, ny, nx] = from.shape;
  const step = Math.max(from.chunkShape[0], Math.floor(SLAB_VOXELS / (ny * nx)), 1);
  for (let z = 0; z < nz; z += step) {
    if (signal.aborted) throw cancelled('copy cancelled');
    const region: Region = { start: [z, 0, 0], shape: [Math.min(step, nz - z), ny, nx] };
    await to.write(region, await from.read(region), channel);
    progress(Math.min(nz, z + step), nz);
  }
}
