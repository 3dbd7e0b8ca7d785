import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/api';
import type { Vec3 } from '../../shared/volume';
import { LabelStore } from '../labels';
import { ProjectFile } from '../project/project-file';
import { testStroke } from '../project/strokes.test-helper';
import { TestVolumes, writeTestVolume } from '../project/test-volumes.test-helper';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { ProjectService } from './project-service';
import { RecentList } from './recent';

const SHAPE: Vec3 = [8, 64, 64];

let dir: string;
let services: { volumes: TestVolumes; projects: ProjectService; events: EventBus }[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tomoseg-service-'));
  services = [];
});
afterEach(async () => {
  for (const s of services) await s.projects.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh app instance (its own volume host, recent list and jobs). */
function app(): { volumes: TestVolumes; projects: ProjectService; events: EventBus } {
  const volumes = new TestVolumes();
  const events = new EventBus();
  const projects = new ProjectService(
    volumes,
    new RecentList(join(dir, `recent-${services.length}.json`)),
    new Jobs(events),
  );
  const instance = { volumes, projects, events };
  services.push(instance);
  return instance;
}

function finished(events: EventBus, jobId: string): Promise<JobStatus> {
  return new Promise((resolve) => {
    const stop = events.subscribe((event) => {
      if (event.job.id === jobId && event.job.state !== 'running') {
        stop();
        resolve(event.job);
      }
    });
  });
}

const labels = (store: LabelStore): Uint8Array => store.read({ start: [0, 0, 0], shape: store.shape });

/** Opens `scan.vol` in a project folder, paints `strokes`, and makes a project adopting it. */
async function paintedProject(strokes = 12): Promise<{ project: string; data: string; expected: Uint8Array }> {
  const data = join(dir, 'work', 'data', 'scan.vol');
  mkdirSync(join(dir, 'work', 'data'), { recursive: true });
  writeTestVolume(data, SHAPE);
  const { volumes, projects } = app();
  const info = await volumes.openPath(data);
  const store = projects.labelsFor(info.id);
  for (let k = 0; k < strokes; k++) store.paint(testStroke(k));
  const state = await projects.newProject(join(dir, 'work', 'study'), 'Study', [info.id]);
  expect(state.path).toBe(join(dir, 'work', 'study.tomoseg'));
  expect(state.volumes[0]).toMatchObject({
    name: 'scan.vol',
    relativePath: 'data/scan.vol',
    status: 'found',
    foundBy: 'added',
  });
  const expected = labels(store);
  await projects.closeProject();
  return { project: state.path, data, expected };
}

describe('ProjectService', () => {
  it('adopts an open volume with its labels and finds it again on open', async () => {
    const { project, expected } = await paintedProject();
    const { projects } = app();
    const state = await projects.openProject(project);
    expect(state.readOnly).toBe(false);
    expect(state.volumes[0]).toMatchObject({
      status: 'found',
      foundBy: 'relative',
      labelledVoxels: expected.filter((v) => v).length,
    });
    expect(labels(projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
    expect(await projects.recentProjects()).toEqual([project]);
  });

  it('saves each stroke as it is recorded', async () => {
    const { project } = await paintedProject(0);
    const { projects } = app();
    const state = await projects.openProject(project);
    const openId = state.volumes[0]!.volume!.id;
    const store = projects.labelsFor(openId);
    store.paint(testStroke(3));
    projects.recordStroke(openId);
    // Another reader sees it at once, without any save.
    const reader = await ProjectFile.open(project, { readOnly: true });
    const seen = new LabelStore(SHAPE);
    reader.loadLabels(state.volumes[0]!.id, seen);
    reader.close();
    expect(labels(seen)).toEqual(labels(store));
  });

  it('reopens a project moved with its data to another folder', async () => {
    const { project, expected } = await paintedProject();
    renameSync(join(dir, 'work'), join(dir, 'moved'));
    const { projects } = app();
    const state = await projects.openProject(join(dir, 'moved', 'study.tomoseg'));
    expect(state.volumes[0]).toMatchObject({ status: 'found', foundBy: 'relative' });
    expect(state.volumes[0]!.volume!.path).toBe(join(dir, 'moved', 'data', 'scan.vol'));
    expect(labels(projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
    expect(project).not.toBe(state.path);
  });

  it('finds a renamed volume near the project by its fingerprint, not a look-alike', async () => {
    const { project, data, expected } = await paintedProject();
    mkdirSync(join(dir, 'work', 'scans'));
    writeTestVolume(join(dir, 'work', 'scans', 'decoy.vol'), SHAPE, 11); // same shape, other data
    writeTestVolume(join(dir, 'work', 'scans', 'small.vol'), [4, 64, 64]);
    renameSync(data, join(dir, 'work', 'scans', 'scan-renamed.vol'));
    const { projects, volumes } = app();
    const state = await projects.openProject(project);
    expect(state.volumes[0]).toMatchObject({ status: 'found', foundBy: 'search' });
    expect(state.volumes[0]!.volume!.path).toBe(join(dir, 'work', 'scans', 'scan-renamed.vol'));
    expect(labels(projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
    expect(volumes.open.size).toBe(1); // candidates that did not match were closed
    // Where it was found is remembered.
    expect((await projects.saveProject()).volumes[0]!.relativePath).toBe('scans/scan-renamed.vol');
  });

  it('lists a missing volume, keeps its labels, and relinks only a volume of the same shape', async () => {
    const { project, data, expected } = await paintedProject();
    // Out of the search's reach (the project's folder and its parent, two levels down).
    mkdirSync(join(dir, 'a', 'b', 'outside'), { recursive: true });
    const outside = join(dir, 'a', 'b', 'outside');
    const elsewhere = join(outside, 'renamed.vol');
    renameSync(data, elsewhere);
    const { projects } = app();
    let state = await projects.openProject(project);
    const id = state.volumes[0]!.id;
    expect(state.volumes[0]).toMatchObject({
      status: 'missing',
      volume: null,
      labelledVoxels: expected.filter((v) => v).length,
    });
    expect(state.notices.join(' ')).toMatch(/Not found: "scan.vol"/);

    writeTestVolume(join(outside, 'small.vol'), [8, 64, 32]);
    await expect(projects.relinkVolume(id, join(outside, 'small.vol'), true)).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/shape \[8, 64, 32\].*\[8, 64, 64\]/),
    });
    writeTestVolume(join(outside, 'other.vol'), SHAPE, 3);
    await expect(projects.relinkVolume(id, join(outside, 'other.vol'), false)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/different data/),
    });

    state = await projects.relinkVolume(id, elsewhere, false);
    expect(state.volumes[0]).toMatchObject({ status: 'found', foundBy: 'relink' });
    expect(state.notices).toEqual([]);
    expect(labels(projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
    await projects.closeProject();

    const again = await app().projects.openProject(project);
    expect(again.volumes[0]).toMatchObject({
      status: 'found',
      foundBy: 'relative',
      relativePath: '../a/b/outside/renamed.vol',
    });
  });

  it('accepts a relink to different content when asked, and says so', async () => {
    const { project, data } = await paintedProject();
    rmSync(data);
    const other = join(dir, 'other.vol');
    writeTestVolume(other, SHAPE, 3);
    const { projects } = app();
    const id = (await projects.openProject(project)).volumes[0]!.id;
    const state = await projects.relinkVolume(id, other, true);
    expect(state.volumes[0]!.status).toBe('content-differs');
    expect(state.notices.join(' ')).toMatch(/differ from when they were labelled/);
  });

  it('resolves relative paths written on Windows', async () => {
    const { project, expected } = await paintedProject();
    const db = new Database(project);
    db.prepare("UPDATE volumes SET relative_path = 'data\\scan.vol', absolute_path = 'D:\\\\lab\\\\scan.vol'").run();
    db.close();
    const { projects } = app();
    const state = await projects.openProject(project);
    expect(state.volumes[0]).toMatchObject({ status: 'found', foundBy: 'relative' });
    expect(labels(projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
  });

  it('a second instance opens read-only with a notice; Save As keeps what it painted', async () => {
    const { project, expected } = await paintedProject();
    const first = app().projects;
    await first.openProject(project);
    const { projects } = app();
    let state = await projects.openProject(project);
    expect(state.readOnly).toBe(true);
    expect(state.notices[0]).toMatch(/^Read-only: another Tomoseg \(process \d+ on .+\) has it open/);
    const openId = state.volumes[0]!.volume!.id;
    projects.labelsFor(openId).paint({ value: 9, shapes: [{ kind: 'points', points: [0, 0, 0] }] });
    projects.recordStroke(openId); // not saved: read-only
    await expect(projects.saveProject()).rejects.toMatchObject({ kind: 'conflict' });

    state = await projects.saveProjectAs(join(dir, 'work', 'mine'));
    expect(state).toMatchObject({ readOnly: false, notices: [], path: join(dir, 'work', 'mine.tomoseg') });
    await projects.closeProject();
    const copy = await app().projects.openProject(join(dir, 'work', 'mine.tomoseg'));
    const copied = services.at(-1)!.projects.labelsFor(copy.volumes[0]!.volume!.id);
    expect(copied.read({ start: [0, 0, 0], shape: [1, 1, 1] })[0]).toBe(9);
    expect(labels(copied).filter((v, i) => v !== expected[i]).length).toBe(1);
    expect(copy.history.map((h) => h.action)).toContain('saved as');
  });

  it('Save As onto the open file itself just saves; New refuses to replace a file', async () => {
    const { project } = await paintedProject();
    const { projects } = app();
    await projects.openProject(project);
    expect((await projects.saveProjectAs(project)).path).toBe(project);
    expect(projects.state()!.readOnly).toBe(false);
    await expect(projects.newProject(project, 'again', [])).rejects.toMatchObject({ kind: 'conflict' });
    expect(projects.state()!.path).toBe(project); // still open
  });

  it('exports a bundle with its data that imports and opens elsewhere', async () => {
    const { project, expected } = await paintedProject();
    const { projects, events } = app();
    await projects.openProject(project);
    const bundle = join(dir, 'share', 'study.tomoseg-bundle');
    mkdirSync(join(dir, 'share'));
    const { jobId } = projects.exportBundle(bundle, true);
    expect(await finished(events, jobId)).toMatchObject({ state: 'done' });
    await projects.closeProject();
    rmSync(join(dir, 'work'), { recursive: true }); // the original is gone: the bundle must suffice

    const colleague = app();
    mkdirSync(join(dir, 'colleague'));
    const imported = colleague.projects.importBundle(bundle, join(dir, 'colleague'));
    expect(await finished(colleague.events, imported.jobId)).toMatchObject({ state: 'done' });
    const state = colleague.projects.state()!;
    expect(state.path).toBe(join(dir, 'colleague', 'study.tomoseg-bundle', 'project.tomoseg'));
    expect(state.volumes[0]).toMatchObject({ status: 'found', foundBy: 'relative', relativePath: 'data/scan.vol' });
    expect(labels(colleague.projects.labelsFor(state.volumes[0]!.volume!.id))).toEqual(expected);
    expect(state.history.map((h) => h.action)).toContain('exported');
  });

  it('a project volume closed by the UI keeps its labels and gets them back when opened again', async () => {
    const { project, data, expected } = await paintedProject(0);
    const { projects, volumes } = app();
    const state = await projects.openProject(project);
    const first = state.volumes[0]!.volume!.id;
    projects.labelsFor(first).paint(testStroke(1));
    const painted = labels(projects.labelsFor(first));
    expect(painted).not.toEqual(expected);
    projects.forget(first);
    await volumes.close(first);
    expect(projects.state()!.volumes[0]).toMatchObject({ status: 'closed', volume: null });
    // Saved on close: another reader sees the stroke.
    const reader = await ProjectFile.open(project, { readOnly: true });
    const seen = new LabelStore(SHAPE);
    reader.loadLabels(state.volumes[0]!.id, seen);
    reader.close();
    expect(labels(seen)).toEqual(painted);

    // A look-alike of the same shape does not take the labels; the same file does.
    writeTestVolume(join(dir, 'decoy.vol'), SHAPE, 11);
    const decoy = await projects.attachOpened(await volumes.openPath(join(dir, 'decoy.vol')));
    expect(projects.labelsFor(decoy.id).labelledCount).toBe(0);
    const again = await projects.attachOpened(await volumes.openPath(data));
    expect(projects.state()!.volumes[0]).toMatchObject({ status: 'found', foundBy: 'reopened', volume: again });
    expect(labels(projects.labelsFor(again.id))).toEqual(painted);
  });

  it('a missing volume opened from elsewhere rejoins the project, and its new place is kept', async () => {
    const { project, data, expected } = await paintedProject();
    mkdirSync(join(dir, 'a', 'b', 'far'), { recursive: true });
    const far = join(dir, 'a', 'b', 'far', 'copy.vol');
    renameSync(data, far);
    const { projects, volumes } = app();
    expect((await projects.openProject(project)).volumes[0]!.status).toBe('missing');
    const info = await projects.attachOpened(await volumes.openPath(far));
    const state = projects.state()!;
    expect(state.volumes[0]).toMatchObject({ status: 'found', relativePath: '../a/b/far/copy.vol' });
    expect(labels(projects.labelsFor(info.id))).toEqual(expected);
  });

  it('a volume in no project drops its labels when closed', async () => {
    const { projects, volumes } = app();
    writeTestVolume(join(dir, 'loose.vol'), SHAPE);
    const info = await volumes.openPath(join(dir, 'loose.vol'));
    const volume = volumes.get(info.id);
    projects.labelsFor(info.id).paint(testStroke(0));
    expect(projects.labelsFor(info.id).labelledCount).toBeGreaterThan(0);
    projects.forget(info.id);
    await volumes.close(info.id);
    // The store was let go: asking again for that id makes a new, empty one.
    expect(projects.labelsFor(info.id, volume).labelledCount).toBe(0);
  });

  it('refuses to import a folder that is not a bundle', async () => {
    const { projects, events } = app();
    mkdirSync(join(dir, 'empty'));
    const { jobId } = projects.importBundle(join(dir, 'empty'), dir);
    expect(await finished(events, jobId)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/not a Tomoseg bundle/),
    });
  });
});
