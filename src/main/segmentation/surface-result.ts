// Segment-all's "Refine with surfaces": each voxel's probabilities predicted (no labels: the
// surfaces smooth and decide), then the result's labels made from its classes' surfaces
// (mesh/surface-labels), stored as a result is. The probabilities stay as predicted: a mesh made
// from them with the same smoothness and minimum volume is the surface the labels came from (in a
// volume larger than a window, they came from the windows' surfaces: the same labels, mesh/windows.ts).
import type { SurfaceSettings } from '../../shared/api/segmentation';
import { labelsFromSurfaces, surfaceClasses } from '../mesh/surface-labels';
import type { Volume } from '../volume/volume';
import { type FinishedResult, createProbabilityStore, createResultStore, held } from './outputs';
import type { RunOptions, SegmentationEngine } from './segmentation-engine';
import { type ResultPlace, type WholeVolumeModel, predictAll } from './whole-volume';

/** Segments the whole volume through its classes' surfaces, keeping labels and probabilities; the caller disposes it. */
export async function segmentThroughSurfaces(
  engine: SegmentationEngine,
  trained: WholeVolumeModel,
  volume: Volume,
  settings: SurfaceSettings,
  { threads, place }: { threads?: number | undefined; place?: ResultPlace | undefined },
  { signal, progress }: RunOptions,
): Promise<FinishedResult> {
  const probabilities = await createProbabilityStore(volume, trained.classes, place?.folder, place?.memoryLimit);
  try {
    const outputs = { probabilities: probabilities.writer };
    await predictAll(engine, trained, volume, outputs, { threads, smooth: false }, { signal, progress });
    const maps = await probabilities.finish();
    const labels = await createResultStore(volume, place?.folder, place?.memoryLimit);
    let stored: FinishedResult;
    try {
      const [vz, vy, vx] = volume.voxelSize;
      await labelsFromSurfaces(surfaceClasses(maps), labels.outputs.classes, {
        smooth: settings.smoothness,
        minVolume: settings.minVoxels * vx * vy * vz,
        signal,
        progress,
      });
      stored = await labels.finish();
    } catch (error) {
      await labels.discard();
      throw error;
    }
    return {
      volume: stored.volume,
      probabilities: maps,
      ...held(async () => {
        await stored.dispose();
        await probabilities.dispose();
      }),
    };
  } catch (error) {
    await probabilities.dispose();
    throw error;
  }
}
