// Converting the open volume to OME-Zarr: whether it is advised (a large file stored slice by
// slice is slow to slice across), where the copy goes, the conversion job, and opening the copy.
import { create } from 'zustand';
import type { ImportAdvice, JobStatus } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { replaceIfAsked } from '../lib/replace';
import { startJob } from './jobs';
import { clearMessage, messageAt, say, sayError } from './messages';
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
  /** The conversion of this volume (see store/jobs). */
  jobId: string | null;
}

/** Nothing advised, asked or running. */
const IDLE: ImportState = {
  volumeId: null,
  advice: null,
  prompt: false,
  dest: '',
  jobId: null,
};

export const useImport = create<ImportState>()(() => IDLE);

/** Shows the prompt (asked for from the volume panel) or hides it, with its last message. */
export function showImportPrompt(prompt: boolean): void {
  useImport.setState({ prompt });
  clearMessage('import');
}

/** Asks whether the newly opened volume is slow to browse; prompts for conversion when it is. */
export async function adviseImport({ client }: Services, volume: VolumeInfo): Promise<void> {
  useImport.setState({ ...IDLE, volumeId: volume.id });
  clearMessage('import');
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
    clearMessage('import');
    useImport.setState({ jobId: null });
    const begin = (): Promise<{ jobId: string }> =>
      replaceIfAsked((overwrite) =>
        services.client.api.importVolume({ path: volume.path, dest: dest.trim(), overwrite }),
      );
    await startJob('import', begin, {
      started: (jobId) => useImport.setState({ jobId }),
      ended: (job) => settle(services, job),
    });
  } catch (error) {
    sayError('import', error);
  }
}

/** Opens the copy once the conversion of the shown volume is done. */
function settle(services: Services, job: JobStatus): void {
  if (useImport.getState().jobId !== job.id) return; // another volume is shown now
  if (job.state === 'failed') say('import', 'error', job.error ?? 'conversion failed');
  if (job.state === 'cancelled') say('import', 'warning', 'Conversion cancelled: nothing was written.');
  if (job.state === 'done') void openConverted(services);
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
    return say(
      'import',
      'warning',
      `Converted to ${dest}. Your labels on ${source.name} are not in a project, so they would not follow: add the volume to a project, then open the copy here.`,
    );
  await client.api.closeVolume({ volumeId: source.id }).catch(() => undefined);
  await openVolume(services, { path: dest });
  if (useViewer.getState().volume?.id === source.id) {
    // The copy did not open: back to the source rather than to nothing, keeping the copy's error.
    const failure = messageAt('app');
    await openVolume(services, { path: source.path });
    if (failure) say('app', failure.kind, failure.text, failure.title);
  }
  if (inProject) await refresh(services).catch(() => undefined);
}
