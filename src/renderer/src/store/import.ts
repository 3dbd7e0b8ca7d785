// Converting the open volume to OME-Zarr: whether it is advised (a large file stored slice by
// slice is slow to slice across), where the copy goes, the conversion job, and opening the copy.
import { create } from 'zustand';
import type { ImportAdvice, JobStatus } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { errorMessage, startedJob } from './calls';
import { openVolume } from './open';
import { refresh, useProject } from './project';
import { useViewer } from './viewer';

interface ImportState {
  /** The open volume the advice is about. */
  volumeId: string | null;
  advice: ImportAdvice | null;
  /** The prompt is shown: advised on opening, or asked for from the volume panel. */
  prompt: boolean;
  dest: string;
  /** The conversion of this volume, once its id or first event is known. */
  job: JobStatus | null;
  /** A conversion was asked for and its id is not back yet: its first events are ours. */
  starting: boolean;
  notice: string | null;
}

/** Nothing advised, asked or running. */
const IDLE: ImportState = {
  volumeId: null,
  advice: null,
  prompt: false,
  dest: '',
  job: null,
  starting: false,
  notice: null,
};

export const useImport = create<ImportState>()(() => IDLE);

/** Asks whether the newly opened volume is slow to browse; prompts for conversion when it is. */
export async function adviseImport({ client }: Services, volume: VolumeInfo): Promise<void> {
  useImport.setState({ ...IDLE, volumeId: volume.id });
  try {
    const advice = await client.api.importAdvice({ volumeId: volume.id });
    if (useImport.getState().volumeId === volume.id)
      useImport.setState({ advice, prompt: advice.slow, dest: advice.dest });
  } catch {
    // Without advice the volume panel still offers conversion; the views work as they are.
  }
}

export async function startImport(services: Services): Promise<void> {
  const volume = useViewer.getState().volume;
  const { dest } = useImport.getState();
  if (!volume || !dest.trim()) return;
  try {
    useImport.setState({ notice: null, job: null, starting: true });
    const { jobId } = await services.client.api.importVolume({ path: volume.path, dest: dest.trim() });
    // Its first events may have arrived before this answer.
    if (useImport.getState().job?.id !== jobId) useImport.setState({ job: startedJob(jobId, 'import') });
  } catch (error) {
    useImport.setState({ notice: errorMessage(error) });
  } finally {
    useImport.setState({ starting: false });
  }
}

/** Follows the conversion of the shown volume; opens the copy once it is done. */
export function watchImportJobs(services: Services): () => void {
  return services.client.onEvent((event) => {
    const { job, starting } = useImport.getState();
    if (event.type !== 'job' || event.job.kind !== 'import' || (job ? job.id !== event.job.id : !starting)) return;
    useImport.setState({ job: event.job });
    if (event.job.state === 'failed') useImport.setState({ notice: event.job.error ?? 'conversion failed' });
    if (event.job.state === 'cancelled') useImport.setState({ notice: 'Conversion cancelled: nothing was written.' });
    if (event.job.state === 'done') void openConverted(services);
  });
}

/**
 * Shows the converted copy instead of the source. The source is closed first, so that a project
 * volume hands its labels to the copy (same shape and content: the project relinks it). Labels
 * painted outside a project would not follow: then the source stays open and the user is told.
 */
export async function openConverted(services: Services): Promise<void> {
  const { client } = services;
  const source = useViewer.getState().volume;
  const { dest } = useImport.getState();
  if (!source) return;
  const inProject = useProject.getState().project?.volumes.some((v) => v.volume?.id === source.id) ?? false;
  const labelled = await client.api
    .segmentationState({ volumeId: source.id })
    .then((state) => Object.values(state.labelled).some((n) => n > 0))
    .catch(() => false);
  if (labelled && !inProject)
    return useImport.setState({
      notice: `Converted to ${dest}. Your labels on ${source.name} are not in a project, so they would not follow: add the volume to a project, then open the copy here.`,
    });
  await client.api.closeVolume({ volumeId: source.id }).catch(() => undefined);
  await openVolume(services, { path: dest });
  if (useViewer.getState().volume?.id === source.id) {
    // The copy did not open: back to the source rather than to nothing, keeping the copy's error.
    const failure = useViewer.getState().error;
    await openVolume(services, { path: source.path });
    if (failure) useViewer.getState().setError(failure);
  }
  if (inProject) await refresh(services).catch(() => undefined);
}
