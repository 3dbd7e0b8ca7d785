// The downsampled whole-volume copies the 3D view shows: the tomogram's, loaded once per volume,
// and the segment-all result's, loaded again whenever a segment-all run completes.
import { useEffect, useState } from 'react';
import type { VolumeOverview } from '../../../shared/api';
import type { Services } from '../api/ClientContext';
import { useTraining } from './training';
import { useViewer } from './viewer';

/** Longest edge of an overview: 128³ voxels render at interactive rates even in software WebGL. */
export const OVERVIEW_EDGE = 128;

/** What `load` gives for `key`; null until it has answered for this key. */
function useLoaded<T>(key: string, load: () => Promise<T>, what: string): T | null {
  const [loaded, setLoaded] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ key, value }),
      (error: unknown) =>
        current &&
        useViewer.getState().setError({
          title: `Could not load ${what} for the 3D view`,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
    return () => {
      current = false;
    };
    // `load` is derived from `key`: a new key is a new load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded && loaded.key === key ? loaded.value : null;
}

export function useVolumeOverview({ client }: Services, volumeId: string): VolumeOverview | null {
  return useLoaded(
    volumeId,
    () => client.api.readVolumeOverview({ volumeId, maxEdge: OVERVIEW_EDGE }),
    'the volume overview',
  );
}

export function useSegmentationOverview(
  { client }: Services,
  volumeId: string,
): (VolumeOverview & { modelVersion: number }) | null {
  const run = useTraining((state) => state.jobs['segment-all']);
  const done = run?.state === 'done' ? run.id : '';
  return useLoaded(
    `${volumeId}:${done}`,
    () => client.api.readSegmentationOverview({ volumeId, maxEdge: OVERVIEW_EDGE }),
    'the segmentation overview',
  );
}
