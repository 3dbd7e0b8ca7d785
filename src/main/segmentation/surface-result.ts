// Segment-all's "Refine with surfaces": the result's labels made anew from its classes' surfaces
// (mesh/surface-labels), stored as a result is. The probabilities stay as predicted: a mesh made
// from them with the same smoothness and minimum volume is the surface the labels came from (in a
// volume larger than a window, they came from the windows' surfaces: the same labels, mesh/windows.ts).
import type { SurfaceSettings } from '../../shared/api/segmentation';
import { TomosegError } from '../../shared/errors';
import { labelsFromSurfaces, surfaceClasses } from '../mesh/surface-labels';
import type { ProgressOptions } from '../progress';
import { type FinishedResult, createResultStore } from './outputs';
import type { ResultPlace } from './whole-volume';

/** `result` labelled through surfaces; the new result owns `result` (disposing it disposes both). */
export async function refineResult(
  result: FinishedResult,
  settings: SurfaceSettings,
  place: ResultPlace | undefined,
  { signal, progress }: ProgressOptions,
): Promise<FinishedResult> {
  const { probabilities, volume } = result;
  if (!probabilities) throw new TomosegError('internal', 'refining with surfaces needs the result’s probabilities');
  const [vz, vy, vx] = volume.voxelSize;
  let labels: FinishedResult;
  try {
    const store = await createResultStore(volume, place?.folder, place?.memoryLimit);
    try {
      await labelsFromSurfaces(surfaceClasses(probabilities), store.outputs.classes, {
        smooth: settings.smoothness,
        minVolume: settings.minVoxels * vx * vy * vz,
        signal,
        progress,
      });
      labels = await store.finish();
    } catch (error) {
      await store.discard();
      throw error;
    }
  } catch (error) {
    await result.dispose();
    throw error;
  }
  return {
    volume: labels.volume,
    probabilities,
    hold: () => {
      const releases = [labels.hold(), result.hold()];
      return () => releases.forEach((release) => release());
    },
    dispose: async () => {
      await labels.dispose();
      await result.dispose();
    },
  };
}
