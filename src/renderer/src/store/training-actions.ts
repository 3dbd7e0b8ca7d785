// Calls to the segmentation service's model side from the panel and the tools: training (also live
// after each stroke), segment-all, post-processing its result, export and cancelling them. A finished job refreshes what it
// changed (the prediction or the result overlay); how it ended becomes the panel's message.
import type { JobStatus } from '../../../shared/api';
import type { PostprocessStep } from '../../../shared/postprocess';
import type { Services } from '../api/ClientContext';
import { typedNumber } from '../lib/format';
import { replaceIfAsked } from '../lib/replace';
import { startJob } from './jobs';
import { clearMessage, say, sayError } from './messages';
import { type TrainingJobKind, useTraining } from './training';
import { useViewer } from './viewer';

const volumeId = (): string | null => useViewer.getState().volume?.id ?? null;

/** Runs a call that starts a job; a refusal (e.g. "class X has no labelled voxels") becomes the message. */
async function start(
  kind: TrainingJobKind,
  services: Services,
  begin: (volumeId: string) => Promise<{ jobId: string }>,
): Promise<void> {
  const id = volumeId();
  if (!id) return;
  try {
    await startJob(kind, () => begin(id), {
      started: (jobId) => {
        useTraining.getState().set({ jobIds: { ...useTraining.getState().jobIds, [kind]: jobId } });
        clearMessage('model');
      },
      ended: (job) => void settle(services, job),
    });
  } catch (error) {
    sayError('model', error);
  }
}

export const train = (services: Services, preview = false): Promise<void> =>
  start('train', services, (id) => services.client.api.train({ volumeId: id, preview }));

/** After a stroke (or undo/redo): a quick preview training when live is on. */
export function labelsChanged(services: Services): void {
  if (useTraining.getState().live) void train(services, true);
}

export function segmentAll(services: Services): Promise<void> {
  const { smoothResult, surfacesResult, surfaceSmoothness, surfaceMinVoxels } = useTraining.getState();
  return start('segment-all', services, (id) =>
    services.client.api.segmentAll({
      volumeId: id,
      ...(smoothResult !== 'as trained' && { smooth: smoothResult === 'always' }),
      ...(surfacesResult && {
        surfaces: {
          minVoxels: typedNumber(surfaceMinVoxels),
          smoothness: surfaceSmoothness,
        },
      }),
    }),
  );
}

/** Applies a post-processing step to the segment-all result, or takes the last one back. */
export const postprocessResult = (services: Services, change: PostprocessStep | 'undo'): Promise<void> =>
  start('postprocess', services, (id) =>
    services.client.api.postprocessResult(
      change === 'undo' ? { volumeId: id, undo: true } : { volumeId: id, step: change, undo: false },
    ),
  );

export function exportSegmentation(services: Services, path: string, probabilities: boolean): Promise<void> {
  const probabilityPath = path.replace(/(\.\w+)$/, '-probabilities$1');
  return start('export', services, (id) =>
    replaceIfAsked((overwrite) =>
      services.client.api.exportSegmentation({
        volumeId: id,
        path,
        ...(probabilities ? { probabilities: probabilityPath } : {}),
        overwrite,
      }),
    ),
  );
}

/**
 * Refreshes what an ended job changed. Only the newest job of a kind (the one the panel shows)
 * speaks: an older one, e.g. a training replaced by a newer request, ends quietly.
 */
async function settle(services: Services, job: JobStatus): Promise<void> {
  const id = volumeId();
  const current = useTraining.getState().jobIds[job.kind as TrainingJobKind] === job.id;
  if (current && job.state === 'failed') say('model', 'error', job.error ?? `${job.kind} failed`);
  if (current && job.state === 'cancelled' && job.kind !== 'train') say('model', 'warning', `${job.kind} cancelled`);
  if (job.state !== 'done' || !id) return;
  // Every finished job may have trained a new model (segment-all and export train a full one).
  const refreshModel = services.client.api.segmentationState({ volumeId: id }).then(
    (state) => useTraining.getState().set({ model: state.model, result: state.segmentation }),
    () => undefined,
  );
  await Promise.all([services.predictions.invalidate(id), refreshModel]);
  if (job.kind === 'segment-all' || job.kind === 'postprocess') await services.results.invalidate(id);
  if (current && job.kind === 'export') say('model', 'done', `Exported to ${useTraining.getState().exportPath}`);
}
