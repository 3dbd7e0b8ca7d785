// Predicting a whole volume with a trained model: segment-all into a result the views and the
// mesher read (segment-all), and export into files, which copies the segment-all result when it
// is from the same model and holds all that is asked. Either way nothing half-written stays.
import type { SegmentationClass } from '../../shared/api/segmentation';
import { cancelled } from '../../shared/errors';
import { refuseExisting } from '../volume/output';
import type { Volume } from '../volume/volume';
import type { RunOptions, SegmentationEngine, VolumeOutputs } from './segmentation-engine';
import {
  type FinishedResult,
  type ProbabilityMaps,
  copyVolume,
  createExportTarget,
  createResultStore,
} from './outputs';
import { withTimeLeft } from './time-left';

/** A trained model as these runs need it. */
export interface WholeVolumeModel {
  model: unknown;
  /** Label values it predicts, in its output order. */
  classes: number[];
}

/** Where a segment-all result is stored: memory up to `memoryLimit` voxels, else a temporary OME-Zarr in `folder`. */
export interface ResultPlace {
  folder?: string | undefined;
  memoryLimit?: number | undefined;
}

/** Segments the whole volume, keeping labels and every class's probability; the caller disposes it. */
export async function segmentVolume(
  engine: SegmentationEngine,
  trained: WholeVolumeModel,
  volume: Volume,
  { threads, smooth, place }: { threads?: number | undefined; smooth: boolean; place?: ResultPlace | undefined },
  { signal, progress }: RunOptions,
): Promise<FinishedResult> {
  // their probabilities too, for sub-voxel meshes
  const store = await createResultStore(volume, place?.folder, place?.memoryLimit, trained.classes);
  try {
    await predictAll(engine, trained, volume, store.outputs, { threads, smooth }, { signal, progress });
    return await store.finish();
  } catch (error) {
    await store.discard();
    throw error;
  }
}

/** Segment-all's prediction of the whole volume into `outputs`, with the time left; throws if cancelled. */
export async function predictAll(
  engine: SegmentationEngine,
  trained: WholeVolumeModel,
  volume: Volume,
  outputs: VolumeOutputs,
  { threads, smooth }: { threads?: number | undefined; smooth: boolean },
  { signal, progress }: RunOptions,
): Promise<void> {
  await engine.predictVolume(trained.model, volume, outputs, {
    threads,
    smooth,
    signal,
    progress: withTimeLeft(progress, 'segmenting'),
  });
  if (signal.aborted) throw cancelled('segment-all cancelled');
}

export interface ExportFiles {
  path: string;
  /** Where per-class probabilities go, if wanted. */
  probabilities?: string | undefined;
  overwrite: boolean;
}

/**
 * Writes the segmentation of `volume` to files: copies `result` (the segment-all result of this
 * model, post-processed or not, if there is one) when it holds all that is asked, else predicts,
 * smoothed as `result` was.
 */
export async function exportVolume(
  engine: SegmentationEngine,
  trained: WholeVolumeModel,
  volume: Volume,
  classes: SegmentationClass[],
  files: ExportFiles,
  result: { volume: Volume; probabilities?: ProbabilityMaps | undefined; smooth: boolean } | undefined,
  { signal, progress }: RunOptions,
): Promise<void> {
  const target = await createExportTarget({ ...files, volume, classes });
  try {
    const kept = result && (!files.probabilities || result.probabilities) ? result : undefined;
    if (kept) {
      const parts = [kept.volume, ...(files.probabilities ? kept.probabilities!.channels : [])];
      for (const [n, part] of parts.entries())
        await copyVolume(
          part,
          n === 0 ? target.outputs.classes : target.outputs.probabilities!,
          { signal, progress: withTimeLeft(progress, `exporting part ${n + 1} of ${parts.length}`) },
          Math.max(0, n - 1),
        );
    } else
      await engine.predictVolume(trained.model, volume, target.outputs, {
        smooth: result?.smooth ?? false, // as the result shown, if there is one
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
}

/** Refuses outputs that exist, unless the user confirmed: before any training or prediction. */
export async function refuseExistingFiles({ path, probabilities, overwrite }: ExportFiles): Promise<void> {
  for (const file of [path, probabilities]) if (file) await refuseExisting(file, overwrite);
}
