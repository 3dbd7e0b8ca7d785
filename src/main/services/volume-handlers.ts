// The API handlers of the volume methods beyond open, close and readSlice (those are wired with
// the project in services/index.ts): arguments (checked by the contract) to service calls.
import type { Handlers } from '../api/dispatch';
import type { Jobs } from './jobs';
import type { VolumeService } from './volume-service';

/** API handlers of the volume methods beyond open/close/readSlice. */
export function volumeHandlers(
  service: VolumeService,
  jobs: Jobs,
): Pick<
  Handlers,
  'volumeDatasets' | 'volumeLevels' | 'importVolume' | 'readVolumeOverview' | 'importAdvice' | 'listFolder'
> {
  return {
    volumeDatasets: ({ path }) => service.datasets(path),
    volumeLevels: async ({ volumeId }) => service.levels(volumeId),
    readVolumeOverview: ({ volumeId, maxEdge }) => service.readOverview(volumeId, maxEdge),
    importVolume: async ({ path, dest, overwrite }) => service.importVolume(jobs, path, dest, overwrite),
    importAdvice: ({ volumeId }) => service.importAdvice(volumeId),
    listFolder: ({ path }) => service.listFolder(path),
  };
}
