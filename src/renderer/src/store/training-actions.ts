// Calls to the segmentation service's model side from the panel and the tools: training (also live
// after each stroke), segment-all, export and cancelling them. Their job events refresh what a
// finished job changed (the prediction or the result overlay) and turn a failure into a notice.
import type { JobStatus } from '../../../shared/api';
import type { Services } from '../api/ClientContext';
import { errorMessage, startedJob } from './calls';
import { TRAINING_JOB_KINDS, type TrainingJobKind, useTraining } from './training';
import { useViewer } from './viewer';

const volumeId = (): string | null => useViewer.getState().volume?.id ?? null;

/** Runs a call that starts a job; a refusal (e.g. "class X has no labelled voxels") becomes the notice. */
async function start(kind: TrainingJobKind, begin: (volumeId: string) => Promise<{ jobId: string }>): Promise<void> {
  const id = volumeId();
  if (!id) return;
  try {
    const { jobId } = await begin(id);
    const { jobs } = useTraining.getState();
    // The job's first event may have come before its id: keep what is known.
    if (jobs[kind]?.id !== jobId) useTraining.getState().set({ jobs: { ...jobs, [kind]: startedJob(jobId, kind) } });
    useTraining.getState().set({ notice: null });
  } catch (error) {
    useTraining.getState().set({ notice: errorMessage(error) });
  }
}

export const train = (services: Services, preview = false): Promise<void> =>
  start('train', (id) => services.client.api.train({ volumeId: id, preview }));

/** After a stroke (or undo/redo): a quick preview training when live is on. */
export function labelsChanged(services: Services): void {
  if (useTraining.getState().live) void train(services, true);
}

export const segmentAll = (services: Services): Promise<void> =>
  start('segment-all', (id) =>
    services.client.api.segmentAll({ volumeId: id, smooth: useTraining.getState().smoothResult }),
  );

export function exportSegmentation(services: Services, path: string, probabilities: boolean): Promise<void> {
  const probabilityPath = path.replace(/(\.\w+)$/, '-probabilities$1');
  return start('export', (id) =>
    services.client.api.exportSegmentation({
      volumeId: id,
      path,
      ...(probabilities ? { probabilities: probabilityPath } : {}),
    }),
  );
}

/** Follows the segmentation jobs' events; refreshes the overlays a finished job changed. */
export function watchTrainingJobs(services: Services): () => void {
  return services.client.onEvent((event) => {
    if (event.type !== 'job' || !TRAINING_JOB_KINDS.includes(event.job.kind)) return;
    const job = event.job;
    const kind = job.kind as TrainingJobKind;
    const { jobs } = useTraining.getState();
    const followed = jobs[kind];
    // The panel follows the newest job of a kind; an older one (a replaced training) only refreshes.
    const current = !followed || followed.id === job.id || (job.state === 'running' && followed.state !== 'running');
    if (current) useTraining.getState().set({ jobs: { ...jobs, [kind]: job } });
    if (job.state !== 'running') void settle(services, job, current);
  });
}

async function settle(services: Services, job: JobStatus, current: boolean): Promise<void> {
  const id = volumeId();
  if (current && job.state === 'failed') useTraining.getState().set({ notice: job.error ?? `${job.kind} failed` });
  if (current && job.state === 'cancelled' && job.kind !== 'train')
    useTraining.getState().set({ notice: `${job.kind} cancelled` });
  if (job.state !== 'done' || !id) return;
  // Every finished job may have trained a new model (segment-all and export train a full one).
  const refreshModel = services.client.api.segmentationState({ volumeId: id }).then(
    (state) => useTraining.getState().set({ model: state.model }),
    () => undefined,
  );
  await Promise.all([services.predictions.invalidate(id), refreshModel]);
  if (job.kind === 'segment-all') await services.results.invalidate(id);
  if (current && job.kind === 'export')
    useTraining.getState().set({ notice: `Exported to ${useTraining.getState().exportPath}` });
}
