// An opened project: its file, and per volume the label store and where (whether) the volume was
// found. Attached once on open; the project service keeps it, and the renderer is shown its state.
import type { ProjectState, ProjectVolumeState } from '../../shared/api/project';
import type { VolumeInfo } from '../../shared/volume';
import { BLOCK, LabelStore } from '../labels';
import { locateVolume } from '../project/locate';
import type { ProjectFile } from '../project/project-file';
import type { SavedMarks } from '../project/saved-work';
import type { Volume } from '../volume/volume';

/** What the project needs from the volume service. */
export interface ProjectVolumeHost {
  /** `dataset`: the one to read in an HDF5 file (recorded by the project), else the file's default. */
  openPath(path: string, remember?: boolean, dataset?: string): Promise<VolumeInfo>;
  get(volumeId: string): Volume;
  info(volumeId: string): VolumeInfo;
  close(volumeId: string): Promise<boolean>;
}

export interface Member {
  /** The project's volume id. */
  id: string;
  store: LabelStore;
  status: ProjectVolumeState['status'];
  foundBy: ProjectVolumeState['foundBy'];
  /** The open volume's info; null while missing or closed. */
  open: VolumeInfo | null;
  /** Where it was open before the UI closed it, to take it back even if its content differed. */
  lastPath?: string;
  /** The model and result saved last (or restored), so Save stores each once. */
  saved: SavedMarks;
}

export interface OpenProject {
  file: ProjectFile;
  members: Member[];
  notices: string[];
}

/** Loads the labels and finds the volumes of a freshly opened file (opening each through `volumes`). */
export async function attachProject(file: ProjectFile, volumes: ProjectVolumeHost): Promise<OpenProject> {
  const notices: string[] = [];
  if (file.readOnly)
    notices.push(`Read-only: ${file.readOnlyReason}. Changes are not saved; use Save As to keep them.`);
  if (file.migrated) notices.push(`Upgraded from an older Tomoseg; the original was kept as ${file.migrated.backup}`);
  const members: Member[] = [];
  try {
    for (const record of file.volumes()) {
      // Labels live on the recorded grid: a volume of another shape never receives them.
      const store = new LabelStore(record.fingerprint.shape as [number, number, number]);
      const damaged = file.loadLabels(record.id, store);
      if (damaged.length > 0)
        notices.push(
          `Damaged in the file: ${damaged.length} label block(s) of "${record.name}" (${damaged
            .slice(0, 3)
            .map(
              ({ block, problem }) =>
                `the ${BLOCK}³ block at z, y, x = ${store.blockOrigin(block).join(', ')}: ${problem}`,
            )
            .join('; ')}${damaged.length > 3 ? '; …' : ''}). Their labels were left out; the rest are loaded.`,
        );
      const located = await locateVolume(
        file.path,
        record,
        async (path) => {
          const info = await volumes.openPath(path, false, record.dataset ?? undefined);
          return { info, volume: volumes.get(info.id) };
        },
        (opened) => volumes.close(opened.info.id),
      );
      members.push({
        id: record.id,
        store,
        status: located ? (located.match === 'same' ? 'found' : 'content-differs') : 'missing',
        foundBy: located?.foundBy ?? null,
        open: located?.opened.info ?? null,
        saved: {},
      });
      // Found somewhere else than recorded: remember where, so the next open is direct.
      if (located && located.foundBy !== 'relative' && !file.readOnly) file.setVolumePath(record.id, located.path);
    }
  } catch (error) {
    for (const m of members) if (m.open) await volumes.close(m.open.id);
    throw error;
  }
  return { file, members, notices };
}

/** What the renderer is shown of the open project: its volumes, notices, models, results and history. */
export function projectState(project: OpenProject): ProjectState {
  const { file } = project;
  const records = new Map(file.volumes().map((v) => [v.id, v]));
  const volumes = project.members.map((m): ProjectVolumeState => {
    const r = records.get(m.id)!;
    return {
      id: m.id,
      name: r.name,
      relativePath: r.relativePath,
      absolutePath: r.absolutePath,
      shape: r.fingerprint.shape as ProjectVolumeState['shape'],
      dtype: r.fingerprint.dtype as ProjectVolumeState['dtype'],
      status: m.status,
      foundBy: m.foundBy,
      volume: m.open,
      labelledVoxels: m.store.labelledCount,
    };
  });
  const missing = volumes.filter((v) => v.status === 'missing').map((v) => `"${v.name}"`);
  const differs = volumes.filter((v) => v.status === 'content-differs').map((v) => `"${v.name}"`);
  const notices = [
    ...project.notices,
    ...(missing.length ? [`Not found: ${missing.join(', ')}. Relink to show them; their labels are kept.`] : []),
    ...(differs.length
      ? [
          `The data of ${differs.join(', ')} differ from when they were labelled (same shape): check they are the same scans.`,
        ]
      : []),
  ];
  return {
    path: file.path,
    name: file.name,
    readOnly: file.readOnly,
    notices,
    volumes,
    models: file
      .models()
      .map(({ id, name, volumeId, labelsVersion, createdAt }) => ({ id, name, volumeId, labelsVersion, createdAt })),
    results: file.results().map(({ id, name, kind, volumeId, createdAt }) => ({ id, name, kind, volumeId, createdAt })),
    history: file.history(50).map(({ at, action, detail }) => ({ at, action, detail })),
  };
}
