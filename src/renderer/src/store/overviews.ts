// The downsampled whole-volume copies the 3D view shows: the tomogram's, loaded once per volume,
// the segment-all result's, loaded again whenever a segment-all run completes, and the user's
// labels, loaded again after the labels change (while the 3D view shows them).
import { useEffect, useState } from 'react';
import { create } from 'zustand';
import type { VolumeOverview } from '../../../shared/api';
import type { Services } from '../api/ClientContext';
import { useJob } from './jobs';
import { sayError } from './messages';
import { useTraining } from './training';

/** Longest edge of an overview: 128³ voxels render at interactive rates even in software WebGL. */
export const OVERVIEW_EDGE = 128;
/** The labels' overview is loaded once the edits pause (e.g. Ctrl+Z held), not after each. */
const LABEL_EDITS_PAUSE_MS = 250;

export type LabelOverview = VolumeOverview & { labelsVersion: number };

/** Counts the label edits made here (strokes, undo, redo, accepted predictions). */
export const useLabelEdits = create<{ edits: number; edited(): void }>()((set) => ({
  edits: 0,
  edited: () => set((state) => ({ edits: state.edits + 1 })),
}));

const reportFailure = (what: string) => (error: unknown) =>
  sayError('app', error, `Could not load ${what} for the 3D view`);

/** What `load` gives for `key`; null until it has answered for this key. */
function useLoaded<T>(key: string, load: () => Promise<T>, what: string): T | null {
  const [loaded, setLoaded] = useState<{ key: string; value: T } | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ key, value }),
      (error: unknown) => current && reportFailure(what)(error),
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
  // a finished segment-all or post-processing changes the result
  const run = useJob(useTraining((state) => state.jobIds['segment-all']));
  const cleaned = useJob(useTraining((state) => state.jobIds.postprocess));
  const done = [run, cleaned].map((job) => (job?.state === 'done' ? job.id : '')).join(':');
  return useLoaded(
    `${volumeId}:${done}`,
    () => client.api.readSegmentationOverview({ volumeId, maxEdge: OVERVIEW_EDGE }),
    'the segmentation overview',
  );
}

/**
 * The user's labels, while `enabled`: reloaded after the edits pause; the one shown stays until the
 * next arrives, and is kept as it is when the labels' version has not changed.
 */
export function useLabelOverview({ client }: Services, volumeId: string, enabled: boolean): LabelOverview | null {
  const edits = useLabelEdits((state) => state.edits);
  const [loaded, setLoaded] = useState<{ volumeId: string; overview: LabelOverview } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    const timer = setTimeout(() => {
      client.api.readLabelOverview({ volumeId, maxEdge: OVERVIEW_EDGE }).then(
        (overview) =>
          current &&
          setLoaded((shown) =>
            shown?.volumeId === volumeId && shown.overview.labelsVersion === overview.labelsVersion
              ? shown
              : { volumeId, overview },
          ),
        (error: unknown) => current && reportFailure('the labels')(error),
      );
    }, LABEL_EDITS_PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, volumeId, enabled, edits]);
  return enabled && loaded?.volumeId === volumeId ? loaded.overview : null;
}
