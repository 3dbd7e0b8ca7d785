// The open project: its file, its volumes (opened through the volume service), and one label
// store per volume, saved per stroke; new, open, save, close, relink and bundles. What an opened
// project holds, and how it is attached and shown, is in open-project.ts. Transport-free: the API
// handlers call these methods.
import { basename, extname, resolve } from 'node:path';
import type { ProjectState } from '../../shared/api/project';
import type { SegmentationClass } from '../../shared/api/segmentation';
import { TomosegError, badInput } from '../../shared/errors';
import type { VolumeInfo } from '../../shared/volume';
import { LabelStore } from '../labels';
import { exportBundle, importBundle } from '../project/bundle';
import { compareFingerprints, fingerprint } from '../project/fingerprint';
import { resolveStoredPath } from '../project/paths';
import { PROJECT_EXTENSION, ProjectFile } from '../project/project-file';
import { type WorkHost, loadWork, storeWork } from '../project/saved-work';
import type { ModelRecord, ResultRecord } from '../project/tables';
import type { Volume } from '../volume/volume';
import type { Jobs } from './jobs';
import { type Member, type OpenProject, type ProjectVolumeHost, attachProject, projectState } from './open-project';
import type { RecentList } from './recent';

export class ProjectService {
  private current: OpenProject | undefined;
  /** Labels painted on volumes that belong to no project yet, by open volume id. */
  private readonly loose = new Map<string, LabelStore>();

  constructor(
    private readonly volumes: ProjectVolumeHost,
    private readonly recent: RecentList,
    private readonly jobs: Jobs,
    /** The segmentation service's models and results, which Save stores and opening restores. */
    private readonly work?: WorkHost,
    /** Results up to this many bytes go into the project file, larger ones beside it (tests lower it). */
    private readonly inProjectBytes?: number,
  ) {}

  // ---- Labels (the segmentation service paints through these) ----

  /** The label store of an open volume: the project's when the volume belongs to it. */
  labelsFor(volumeId: string, volume: Volume = this.volumes.get(volumeId)): LabelStore {
    const member = this.memberByOpenId(volumeId);
    if (member) return member.store;
    let store = this.loose.get(volumeId);
    if (!store) {
      store = new LabelStore(volume.shape);
      this.loose.set(volumeId, store);
    }
    return store;
  }

  /** Saves a volume's changed label blocks at once (called after each stroke); no-op outside a writable project. */
  recordStroke(volumeId: string): void {
    const member = this.memberByOpenId(volumeId);
    if (member && this.current && !this.current.file.readOnly) this.current.file.saveLabels(member.id, member.store);
  }

  // ---- Volumes the UI opens and closes ----

  /**
   * The UI closed a volume: a project volume keeps its labels (saved now) until it is opened again;
   * the labels of a volume in no project are dropped.
   */
  forget(volumeId: string): void {
    const member = this.memberByOpenId(volumeId);
    if (!member) {
      this.loose.delete(volumeId);
      return;
    }
    if (!this.current!.file.readOnly) this.current!.file.saveLabels(member.id, member.store);
    Object.assign(member, {
      open: null,
      status: 'closed',
      foundBy: null,
      lastPath: resolve(member.open!.path),
      saved: {},
    });
  }

  /**
   * The UI opened a volume: a project volume that is not open (closed or missing) takes it back,
   * with its labels, when the fingerprint matches, or when it is the file it was closed at and only
   * the sampled content differs (as it did then). Never a volume of another shape.
   */
  async attachOpened(info: VolumeInfo): Promise<VolumeInfo> {
    const project = this.current;
    const waiting = project?.members.filter((m) => !m.open) ?? [];
    if (!project || waiting.length === 0) return info;
    const actual = await fingerprint(this.volumes.get(info.id)).catch(() => undefined);
    if (!actual) return info;
    const path = resolve(info.path);
    const matches = waiting.map((member) => {
      const record = project.file.volume(member.id);
      return { member, record, match: compareFingerprints(record.fingerprint, actual) };
    });
    const chosen =
      matches.find((m) => m.match === 'same') ??
      matches.find((m) => m.match === 'content-differs' && m.member.lastPath === path);
    if (!chosen) return info;
    const { member, record, match } = chosen;
    Object.assign(member, { open: info, status: match === 'same' ? 'found' : 'content-differs', foundBy: 'reopened' });
    // A missing volume the user opened from somewhere else: remember where.
    if (!project.file.readOnly && resolveStoredPath(project.file.path, record.relativePath) !== path) {
      project.file.setVolumePath(member.id, path);
      project.file.addHistory('volume relinked', { id: member.id, path, match });
    }
    await this.restoreWork(project, member);
    return info;
  }

  // ---- Models, results, classes (stored for the engine and the segmentation service) ----

  saveModel(volumeId: string, model: { name: string; labelsVersion: number | null; payload: Uint8Array }): ModelRecord {
    const { file } = this.requireProject();
    const record = file.addModel({ ...model, volumeId: this.memberByOpenId(volumeId)?.id ?? null });
    file.addHistory('model saved', { id: record.id, name: record.name });
    return record;
  }

  saveResult(volumeId: string, result: Omit<ResultRecord, 'id' | 'createdAt' | 'volumeId'>): ResultRecord {
    const { file } = this.requireProject();
    const record = file.addResult({ ...result, volumeId: this.memberByOpenId(volumeId)?.id ?? null });
    file.addHistory('result saved', { id: record.id, name: record.name, kind: record.kind });
    return record;
  }

  classesFor(volumeId: string): SegmentationClass[] | undefined {
    const member = this.memberByOpenId(volumeId);
    return member && this.current?.file.classes(member.id);
  }

  saveClasses(volumeId: string, classes: SegmentationClass[]): void {
    const member = this.memberByOpenId(volumeId);
    if (member && this.current && !this.current.file.readOnly) this.current.file.setClasses(member.id, classes);
  }

  /** The open project file, for reading models and results. */
  project(): ProjectFile {
    return this.requireProject().file;
  }

  // ---- Project lifecycle ----

  async newProject(path: string, name: string | undefined, adopt: string[]): Promise<ProjectState> {
    const target = withExtension(path);
    const file = await ProjectFile.create(target, name ?? basename(target, PROJECT_EXTENSION));
    await this.switchTo({ file, members: [], notices: [] });
    for (const volumeId of adopt) await this.addVolume(volumeId);
    await this.recent.add(file.path);
    return this.state()!;
  }

  async openProject(path: string): Promise<ProjectState> {
    if (this.current && resolve(path) === this.current.file.path) return this.state()!;
    const file = await ProjectFile.open(path);
    let opened: OpenProject;
    try {
      opened = await attachProject(file, this.volumes);
    } catch (error) {
      file.close();
      throw error;
    }
    await this.switchTo(opened);
    for (const member of opened.members) await this.restoreWork(opened, member);
    await this.recent.add(file.path);
    return this.state()!;
  }

  async saveProject(): Promise<ProjectState> {
    const project = this.requireProject();
    if (project.file.readOnly)
      throw new TomosegError(
        'conflict',
        `${project.file.path} is read-only (${project.file.readOnlyReason}); use Save As`,
      );
    this.flush(project);
    await this.storeWork(project);
    project.file.checkpoint();
    return this.state()!;
  }

  /** Writes a copy at `path` and continues there; unsaved labels of a read-only project go into the copy. */
  async saveProjectAs(path: string): Promise<ProjectState> {
    const project = this.requireProject();
    const target = withExtension(path);
    // Replacing the open file under its own handle would lose later writes.
    if (resolve(target) === project.file.path) return this.saveProject();
    if (!project.file.readOnly) {
      this.flush(project);
      await this.storeWork(project);
    }
    await project.file.copyTo(target, {
      volumePaths: this.foundPaths(project),
      history: { action: 'saved as', detail: { from: project.file.path } },
    });
    const copy = await ProjectFile.open(target);
    if (copy.readOnly) {
      copy.close();
      throw new TomosegError(
        'conflict',
        `${target} was written but cannot be opened for writing (${copy.readOnlyReason})`,
      );
    }
    project.file.close();
    project.file = copy;
    project.notices = project.notices.filter((n) => !n.startsWith('Read-only'));
    this.flush(project); // what a read-only project had painted, trained and segmented
    await this.storeWork(project);
    await this.recent.add(copy.path);
    return this.state()!;
  }

  async closeProject(): Promise<boolean> {
    const project = this.current;
    if (!project) return false;
    this.current = undefined;
    try {
      if (!project.file.readOnly) this.flush(project);
    } finally {
      project.file.close();
      for (const member of project.members) if (member.open) await this.volumes.close(member.open.id);
    }
    return true;
  }

  recentProjects(): Promise<string[]> {
    return this.recent.list();
  }

  /** Adds an open volume and its labels so far to the project. */
  async addVolume(volumeId: string): Promise<ProjectState> {
    const project = this.requireProject();
    if (this.memberByOpenId(volumeId)) return this.state()!;
    const volume = this.volumes.get(volumeId);
    const info = this.volumes.info(volumeId);
    const id = project.file.addVolume(volume.path, {
      name: info.name,
      fingerprint: await fingerprint(volume),
      voxelSize: volume.voxelSize,
      unit: volume.unit,
      dataset: datasetOf(volume),
    });
    const store = this.loose.get(volumeId) ?? new LabelStore(volume.shape);
    this.loose.delete(volumeId);
    project.members.push({ id, store, status: 'found', foundBy: 'added', open: info, saved: {} });
    project.file.saveLabels(id, store);
    project.file.addHistory('volume added', { id, name: info.name });
    return this.state()!;
  }

  async relinkVolume(projectVolumeId: string, path: string, acceptDifferentContent: boolean): Promise<ProjectState> {
    const project = this.requireProject();
    const member = project.members.find((m) => m.id === projectVolumeId);
    if (!member) throw new TomosegError('not-found', `the project has no volume ${projectVolumeId}`);
    const record = project.file.volume(projectVolumeId);
    const info = await this.volumes.openPath(path, false, record.dataset ?? undefined);
    try {
      const match = compareFingerprints(record.fingerprint, await fingerprint(this.volumes.get(info.id)));
      if (match === 'shape-differs')
        throw badInput(
          `${path} has shape [${info.shape.join(', ')}] but "${record.name}" was [${record.fingerprint.shape.join(', ')}]: its labels would land on the wrong voxels, so it cannot be linked`,
        );
      if (match === 'content-differs' && !acceptDifferentContent)
        throw new TomosegError(
          'conflict',
          `${path} has the shape of "${record.name}" but different data where sampled: link it anyway only if it is the same scan (e.g. re-exported)`,
        );
      if (member.open) await this.volumes.close(member.open.id);
      Object.assign(member, {
        open: info,
        status: match === 'same' ? 'found' : 'content-differs',
        foundBy: 'relink',
        saved: {},
      });
      if (!project.file.readOnly) {
        project.file.setVolumePath(projectVolumeId, info.path);
        project.file.addHistory('volume relinked', { id: projectVolumeId, path: info.path, match });
      }
    } catch (error) {
      if (member.open?.id !== info.id) await this.volumes.close(info.id);
      throw error;
    }
    await this.restoreWork(project, member);
    return this.state()!;
  }

  exportBundle(path: string, includeData: boolean, preview = false): { jobId: string } {
    const project = this.requireProject();
    if (!project.file.readOnly) this.flush(project);
    const { id } = this.jobs.start('export-bundle', (job) =>
      exportBundle(project.file, path, { includeData, preview, volumePaths: this.foundPaths(project) }, job),
    );
    return { jobId: id };
  }

  importBundle(bundlePath: string, destFolder: string): { jobId: string } {
    const { id } = this.jobs.start('import-bundle', async (job) =>
      this.openProject(await importBundle(bundlePath, destFolder, job)),
    );
    return { jobId: id };
  }

  state(): ProjectState | null {
    return this.current ? projectState(this.current) : null;
  }

  // ---- Internals ----

  private async switchTo(next: OpenProject): Promise<void> {
    await this.closeProject();
    this.current = next;
  }

  private flush(project: OpenProject): void {
    for (const member of project.members) project.file.saveLabels(member.id, member.store);
  }

  /** Stores each open volume's model and result that changed since they were last saved. */
  private async storeWork(project: OpenProject): Promise<void> {
    if (!this.work) return;
    for (const member of project.members) {
      if (!member.open) continue;
      const work = this.work.workOf(member.open.id);
      member.saved = await storeWork(project.file, member.id, work, member.saved, this.inProjectBytes);
    }
  }

  /** Gives an open project volume its saved model and result; what cannot be read becomes a notice. */
  private async restoreWork(project: OpenProject, member: Member): Promise<void> {
    if (!this.work || !member.open) return;
    const openId = member.open.id;
    const { work, ids, notices } = await loadWork(project.file, member.id, this.volumes.get(openId));
    try {
      await this.work.restore(openId, work);
    } catch (error) {
      await work.result?.close();
      const name = project.file.volume(member.id).name;
      notices.push(`The saved model of "${name}" could not be used (${(error as Error).message}); train again.`);
    }
    project.notices.push(...notices);
    // What came back is what is saved: the next Save stores only what changes.
    const now = this.work.workOf(openId);
    member.saved = {
      ...(now.model && ids.model && work.model && { model: { token: now.model.token, id: ids.model } }),
      ...(now.result && ids.result && work.result && { result: { token: now.result.token, ids: ids.result } }),
    };
  }

  private foundPaths(project: OpenProject): Map<string, string> {
    return new Map(project.members.filter((m) => m.open).map((m) => [m.id, m.open!.path]));
  }

  private memberByOpenId(volumeId: string): Member | undefined {
    return this.current?.members.find((m) => m.open?.id === volumeId);
  }

  private requireProject(): OpenProject {
    if (!this.current) throw new TomosegError('not-found', 'no project is open');
    return this.current;
  }
}

/** The dataset an HDF5 volume was read from (its reader's `datasetPath`); null for other formats. */
function datasetOf(volume: Volume): string | null {
  const dataset = (volume as Volume & { datasetPath?: unknown }).datasetPath;
  return typeof dataset === 'string' ? dataset : null;
}

function withExtension(path: string): string {
  return extname(path).toLowerCase() === PROJECT_EXTENSION ? path : `${path}${PROJECT_EXTENSION}`;
}
