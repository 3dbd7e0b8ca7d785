// The open project as the UI shows it, and the calls that change it: each refreshes the state,
// shows a project volume in the views, and turns a refusal into a message naming the file.
import { create } from 'zustand';
import type { JobKind, JobStatus, ProjectState } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { startJob } from './jobs';
import { clearMessage, errorMessage, say } from './messages';
import { fileName, openVolume, showVolume } from './open';
import { useViewer } from './viewer';

interface ProjectStore {
  project: ProjectState | null;
  /** What is running now ("Opening study.tomoseg"), while it does. */
  busy: string | null;
  /** The export or import the panel follows (see store/jobs), and the bundle it writes or reads. */
  jobId: string | null;
  jobPath: string | null;
}

export const useProject = create<ProjectStore>()(() => ({
  project: null,
  busy: null,
  jobId: null,
  jobPath: null,
}));

/** A refusal or failure about `file` (the file as the user named it). */
const problem = (file: string, text: string): void => say('project', 'error', text, `Problem with ${file}`);

/** Starts a bundle export or import and follows it until it ends. */
async function follow(services: Services, kind: JobKind, path: string, begin: () => Promise<{ jobId: string }>) {
  await startJob(kind, begin, {
    started: (jobId) => useProject.setState({ jobId, jobPath: path }),
    ended: (job) => void settle(services, job),
  });
}

/** An ended import shows the project it opened; a failure becomes the panel's error. */
async function settle(services: Services, job: JobStatus): Promise<void> {
  const { jobId, jobPath } = useProject.getState();
  if (job.id !== jobId) return;
  const file = fileName(jobPath ?? 'bundle');
  if (job.state === 'failed') problem(file, job.error ?? `${job.kind} failed`);
  if (job.state === 'cancelled') say('project', 'warning', `Cancelled: ${file} was not written`);
  if (job.state === 'done' && job.kind === 'import-bundle') await refresh(services, true);
  if (job.state === 'done' && job.kind === 'export-bundle') say('project', 'done', `Exported to ${jobPath}`);
}

/** Runs a project call; a refusal becomes the panel's error, naming `file`. */
async function run<T>(busy: string, file: string, work: () => Promise<T>): Promise<T | undefined> {
  useProject.setState({ busy });
  clearMessage('project');
  try {
    return await work();
  } catch (error) {
    problem(file, errorMessage(error));
    return undefined;
  } finally {
    useProject.setState({ busy: null });
  }
}

/** Takes a new project state; with `showFirst`, shows its first open volume (or none). */
async function apply(services: Services, project: ProjectState | null, showFirst: boolean): Promise<void> {
  useProject.setState({ project });
  if (!showFirst) return;
  const shown = useViewer.getState().volume;
  const open = project?.volumes.map((v) => v.volume).filter((v): v is VolumeInfo => v !== null) ?? [];
  if (shown && open.some((v) => v.id === shown.id)) return;
  await showVolume(services, open[0] ?? null);
}

export async function refresh(services: Services, showFirst = false): Promise<void> {
  await apply(services, await services.client.api.projectState({}), showFirst);
}

/**
 * Creates a project at `path` (its folder too) with the volume shown; with `save`, then saves into
 * it what was trained and segmented (Save without a project). Returns why it failed, or null: the
 * dialog that asked for the path shows the reason and stays open.
 */
export async function newProject(
  services: Services,
  path: string,
  { save = false }: { save?: boolean } = {},
): Promise<string | null> {
  const shown = useViewer.getState().volume;
  const current = useProject.getState().project;
  // A volume of the open project goes with that project's labels: the new one opens the file afresh.
  const inCurrent = !!shown && !!current?.volumes.some((v) => v.volume?.id === shown.id);
  useProject.setState({ busy: `Creating ${fileName(path)}` });
  clearMessage('project');
  try {
    const project = await services.client.api.newProject({
      path,
      volumeIds: shown && !inCurrent ? [shown.id] : [],
    });
    await apply(services, project, false);
    if (shown && inCurrent) {
      await openVolume(services, { path: shown.path });
      const reopened = useViewer.getState().volume;
      if (reopened) await apply(services, await services.client.api.addProjectVolume({ volumeId: reopened.id }), false);
    }
    if (save) {
      const saved = await services.client.api.saveProject({});
      await apply(services, saved, false);
      say('project', 'done', `Saved to ${saved.path}${savedWork(saved)}`);
    }
    return null;
  } catch (error) {
    return errorMessage(error);
  } finally {
    useProject.setState({ busy: null });
  }
}

export async function openProject(services: Services, path: string): Promise<void> {
  await run(`Opening ${fileName(path)}`, fileName(path), async () =>
    apply(services, await services.client.api.openProject({ path }), true),
  );
}

/** Saves the labels, the model and the segment-all result into the open project. */
export async function saveProject(services: Services): Promise<void> {
  const file = fileName(useProject.getState().project?.path ?? 'project');
  await run(`Saving ${file}`, file, async () => {
    const saved = await services.client.api.saveProject({});
    await apply(services, saved, false);
    say('project', 'done', `Saved ${file}${savedWork(saved)}`);
  });
}

/** " (model and segmentation included)", as far as the project holds them. */
function savedWork(project: ProjectState): string {
  const kept = [
    ...(project.models.length > 0 ? ['model'] : []),
    ...(project.results.some((r) => r.kind === 'segmentation') ? ['segmentation'] : []),
  ];
  return kept.length > 0 ? ` (${kept.join(' and ')} included)` : '';
}

export async function saveProjectAs(services: Services, path: string): Promise<void> {
  await run(`Saving ${fileName(path)}`, fileName(path), async () =>
    apply(services, await services.client.api.saveProjectAs({ path }), false),
  );
}

export async function closeProject(services: Services): Promise<void> {
  const file = fileName(useProject.getState().project?.path ?? 'project');
  await run(`Closing ${file}`, file, async () => {
    await services.client.api.closeProject({});
    await apply(services, null, true);
  });
}

/** Adds the volume the views show to the project, with what was painted on it. */
export async function addShownVolume(services: Services): Promise<void> {
  const shown = useViewer.getState().volume;
  if (!shown) return;
  await run(`Adding ${shown.name}`, shown.name, async () =>
    apply(services, await services.client.api.addProjectVolume({ volumeId: shown.id }), false),
  );
}

/** Shows a project volume: the open one, or the file it was closed at. */
export async function showProjectVolume(services: Services, projectVolumeId: string): Promise<void> {
  const member = useProject.getState().project?.volumes.find((v) => v.id === projectVolumeId);
  if (!member) return;
  if (member.volume) await showVolume(services, member.volume);
  else await openVolume(services, { path: member.absolutePath });
  await refresh(services);
}

export type RelinkOutcome =
  | { kind: 'linked'; status: 'found' | 'content-differs' }
  /** Same shape, other data where sampled: the user may still link it. */
  | { kind: 'differs'; message: string }
  /** Refused (another shape, unreadable file). */
  | { kind: 'refused'; message: string };

/** Points a project volume at `path`, checking its fingerprint; shows it when linked. */
export async function relinkVolume(
  services: Services,
  projectVolumeId: string,
  path: string,
  acceptDifferentContent: boolean,
): Promise<RelinkOutcome> {
  useProject.setState({ busy: `Checking ${fileName(path)}` });
  try {
    const project = await services.client.api.relinkVolume({ projectVolumeId, path, acceptDifferentContent });
    const linked = project.volumes.find((v) => v.id === projectVolumeId)!;
    await apply(services, project, false);
    if (linked.volume) await showVolume(services, linked.volume);
    return { kind: 'linked', status: linked.status === 'content-differs' ? 'content-differs' : 'found' };
  } catch (error) {
    const message = errorMessage(error);
    const kind = (error as { kind?: string }).kind;
    return kind === 'conflict' && !acceptDifferentContent ? { kind: 'differs', message } : { kind: 'refused', message };
  } finally {
    useProject.setState({ busy: null });
  }
}

export async function exportBundle(
  services: Services,
  path: string,
  options: { includeData: boolean; preview: boolean },
): Promise<void> {
  await run(`Exporting ${fileName(path)}`, fileName(path), async () =>
    follow(services, 'export-bundle', path, () => services.client.api.exportBundle({ path, ...options })),
  );
}

export async function importBundle(services: Services, bundlePath: string, destFolder: string): Promise<void> {
  await run(`Importing ${fileName(bundlePath)}`, fileName(bundlePath), async () =>
    follow(services, 'import-bundle', bundlePath, () => services.client.api.importBundle({ bundlePath, destFolder })),
  );
}
