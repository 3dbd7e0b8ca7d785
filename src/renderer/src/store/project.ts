// The open project as the UI shows it, and the calls that change it: each refreshes the state,
// shows a project volume in the views, and turns a refusal into a message naming the file.
import { create } from 'zustand';
import type { JobStatus, ProjectState } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { errorMessage } from './calls';
import { fileName, openVolume, showVolume } from './open';
import { useViewer } from './viewer';

export interface ProjectError {
  /** The file as the user named it. */
  file: string;
  message: string;
}

interface ProjectStore {
  project: ProjectState | null;
  /** What is running now ("Opening study.tomoseg"), while it does. */
  busy: string | null;
  error: ProjectError | null;
  /** Something that went well and is worth saying (an export's place). */
  message: string | null;
  /** Latest status of the project's jobs (export, import), by id. */
  jobs: Record<string, JobStatus>;
  /** The export or import the panel follows, and the bundle it writes or reads. */
  jobId: string | null;
  jobPath: string | null;
}

export const useProject = create<ProjectStore>()(() => ({
  project: null,
  busy: null,
  error: null,
  message: null,
  jobs: {},
  jobId: null,
  jobPath: null,
}));

const PROJECT_JOBS = new Set(['export-bundle', 'import-bundle']);

/** Keeps the status of project jobs; the one the panel follows is settled when it ends. */
export function watchProjectJobs(services: Services): () => void {
  return services.client.onEvent((event) => {
    if (event.type !== 'job' || !PROJECT_JOBS.has(event.job.kind)) return;
    const { job } = event;
    useProject.setState((state) => ({ jobs: { ...state.jobs, [job.id]: job } }));
    if (job.id === useProject.getState().jobId) void settle(services, job);
  });
}

/** Follows job `jobId`; it may have ended before its id came back. */
function follow(services: Services, jobId: string, jobPath: string): void {
  useProject.setState({ jobId, jobPath });
  const known = useProject.getState().jobs[jobId];
  if (known) void settle(services, known);
}

/** An ended import shows the project it opened; a failure becomes the panel's error. */
async function settle(services: Services, job: JobStatus): Promise<void> {
  const file = fileName(useProject.getState().jobPath ?? 'bundle');
  if (job.state === 'failed') useProject.setState({ error: { file, message: job.error ?? `${job.kind} failed` } });
  if (job.state === 'cancelled') useProject.setState({ message: `Cancelled: ${file} was not written` });
  if (job.state === 'done' && job.kind === 'import-bundle') await refresh(services, true);
  if (job.state === 'done' && job.kind === 'export-bundle')
    useProject.setState({ message: `Exported to ${useProject.getState().jobPath}` });
}

/** Runs a project call; a refusal becomes the panel's error, naming `file`. */
async function run<T>(busy: string, file: string, work: () => Promise<T>): Promise<T | undefined> {
  useProject.setState({ busy, error: null, message: null });
  try {
    return await work();
  } catch (error) {
    useProject.setState({ error: { file, message: errorMessage(error) } });
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

export async function newProject(services: Services, path: string): Promise<void> {
  const shown = useViewer.getState().volume;
  const current = useProject.getState().project;
  // A volume of the open project goes with that project's labels: the new one opens the file afresh.
  const inCurrent = !!shown && !!current?.volumes.some((v) => v.volume?.id === shown.id);
  await run(`Creating ${fileName(path)}`, fileName(path), async () => {
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
  });
}

export async function openProject(services: Services, path: string): Promise<void> {
  await run(`Opening ${fileName(path)}`, fileName(path), async () =>
    apply(services, await services.client.api.openProject({ path }), true),
  );
}

export async function saveProject(services: Services): Promise<void> {
  const file = fileName(useProject.getState().project?.path ?? 'project');
  await run(`Saving ${file}`, file, async () => apply(services, await services.client.api.saveProject({}), false));
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
  await run(`Exporting ${fileName(path)}`, fileName(path), async () => {
    const { jobId } = await services.client.api.exportBundle({ path, ...options });
    follow(services, jobId, path);
  });
}

export async function importBundle(services: Services, bundlePath: string, destFolder: string): Promise<void> {
  await run(`Importing ${fileName(bundlePath)}`, fileName(bundlePath), async () => {
    const { jobId } = await services.client.api.importBundle({ bundlePath, destFolder });
    follow(services, jobId, bundlePath);
  });
}
