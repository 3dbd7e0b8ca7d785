// Saved work across a restart: the model and the segment-all result a project keeps (in the file
// when small, as OME-Zarr beside it when large), given back by a fresh app instance that opens it.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { exportBundle } from '../project/bundle';
import { MIGRATIONS } from '../project/migrations';
import { ProjectFile } from '../project/project-file';
import { resultsFolder } from '../project/result-files';
import { TestVolumes, writeTestVolume } from '../project/test-volumes.test-helper';
import { NearestMeanEngine } from '../segmentation/nearest-mean-engine.test-helper';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { ProjectService } from './project-service';
import { RecentList } from './recent';
import { SegmentationService } from './segmentation-service';

const SHAPE: Vec3 = [8, 32, 40];

let dir: string;
let apps: App[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tomoseg-saved-work-'));
  apps = [];
});
afterEach(async () => {
  for (const a of apps) await a.projects.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

interface App {
  volumes: TestVolumes;
  projects: ProjectService;
  segmentation: SegmentationService;
  events: EventBus;
}

/** A fresh app instance wired as createBackend wires it (a restarted server). */
function app(inProjectBytes?: number): App {
  const volumes = new TestVolumes();
  const events = new EventBus();
  const jobs = new Jobs(events);
  const segmentation: SegmentationService = new SegmentationService({
    volumes,
    jobs,
    engine: new NearestMeanEngine(),
    labelsFor: (volumeId, volume) => projects.labelsFor(volumeId, volume),
    labelsChanged: (volumeId) => projects.recordStroke(volumeId),
    classesFor: (volumeId) => projects.classesFor(volumeId),
    classesChanged: (volumeId, classes) => projects.saveClasses(volumeId, classes),
  });
  const projects = new ProjectService(
    volumes,
    new RecentList(join(dir, `recent-${apps.length}.json`)),
    jobs,
    {
      workOf: (volumeId) => segmentation.workOf(volumeId),
      restore: (volumeId, work) => segmentation.restoreWork(volumeId, work),
    },
    inProjectBytes,
  );
  const instance = { volumes, projects, segmentation, events };
  apps.push(instance);
  return instance;
}

const whole = { start: [0, 0, 0] as Vec3, shape: SHAPE };

/** Paints two classes on a project volume, trains, segments all and saves; returns what it showed. */
async function trainedProject(a: App, name = 'study') {
  const data = join(dir, 'data', 'scan.vol');
  mkdirSync(join(dir, 'data'), { recursive: true });
  if (!existsSync(data)) writeTestVolume(data, SHAPE);
  const info = await a.volumes.openPath(data);
  await a.projects.newProject(join(dir, name), undefined, [info.id]);
  const base = { volumeId: info.id, axis: 'z' as const, index: 2, mode: 'disc' as const, erase: false };
  a.segmentation.paintStroke({ ...base, points: [5, 5], radius: 2, classId: 1, continueStroke: false });
  a.segmentation.paintStroke({ ...base, points: [30, 25], radius: 2, classId: 2, continueStroke: false });
  await a.segmentation.train(info.id).result;
  await a.segmentation.segmentAll(info.id).result;
  const prediction = await a.segmentation.readPredictionSlice(info.id, 'z', 3);
  const result = await a.segmentation.segmentationResult(info.id)!.volume.read(whole);
  const state = await a.projects.saveProject();
  return { info, state, prediction: prediction!, result, path: state.path };
}

describe('a project keeps the model and the segment-all result', () => {
  it('gives them back after a restart: the prediction and the result show without training', async () => {
    const first = app();
    const saved = await trainedProject(first);
    expect(saved.state.models).toHaveLength(1);
    expect(saved.state.results.map((r) => r.kind).sort()).toEqual(['probabilities', 'segmentation']);
    // Saving again without changes adds nothing.
    expect((await first.projects.saveProject()).models).toHaveLength(1);
    await first.projects.closeProject();
    expect(existsSync(resultsFolder(saved.path))).toBe(false); // small: inside the project file

    const second = app();
    const state = await second.projects.openProject(saved.path);
    const volumeId = state.volumes[0]!.volume!.id;
    const segmentation = second.segmentation.segmentationState(volumeId);
    expect(segmentation.model).toMatchObject({ stale: false, preview: false });
    expect(segmentation.segmentation).toEqual({
      modelVersion: segmentation.model!.version,
      stale: false,
      postprocess: [],
      smooth: false,
      surfaces: null,
      canUndoPostprocess: false,
    });
    const prediction = await second.segmentation.readPredictionSlice(volumeId, 'z', 3);
    expect(prediction!.classes).toEqual(saved.prediction.classes);
    const result = await second.segmentation.segmentationResult(volumeId)!.volume.read(whole);
    expect(result).toEqual(saved.result);
    expect(state.notices).toEqual([]);
    expect((await second.projects.saveProject()).models).toHaveLength(1); // restored is saved
  });

  it('keeps a post-processed result with its steps; the result before them is not saved', async () => {
    const first = app();
    const saved = await trainedProject(first);
    const step = { op: 'open', classValue: 2, radius: 3 } as const;
    await first.segmentation.postprocessResult(saved.info.id, { add: step }).result;
    const cleaned = await first.segmentation.segmentationResult(saved.info.id)!.volume.read(whole);
    expect(cleaned).not.toEqual(saved.result);
    await first.projects.saveProject();
    await first.projects.closeProject();

    const second = app();
    const volumeId = (await second.projects.openProject(saved.path)).volumes[0]!.volume!.id;
    expect(second.segmentation.segmentationState(volumeId).segmentation).toMatchObject({
      postprocess: [step],
      canUndoPostprocess: false,
    });
    expect(await second.segmentation.segmentationResult(volumeId)!.volume.read(whole)).toEqual(cleaned);
    expect(() => second.segmentation.postprocessResult(volumeId, 'undo')).toThrow(/was not kept/);
  });

  it('keeps a result refined with surfaces, and says so after reopening', async () => {
    const first = app();
    const saved = await trainedProject(first);
    const surfaces = { minVoxels: 4, smoothness: 0.3 };
    await first.segmentation.segmentAll(saved.info.id, { surfaces }).result;
    const refined = await first.segmentation.segmentationResult(saved.info.id)!.volume.read(whole);
    await first.projects.saveProject();
    await first.projects.closeProject();

    const second = app();
    const volumeId = (await second.projects.openProject(saved.path)).volumes[0]!.volume!.id;
    expect(second.segmentation.segmentationState(volumeId).segmentation).toMatchObject({ surfaces, postprocess: [] });
    expect(await second.segmentation.segmentationResult(volumeId)!.volume.read(whole)).toEqual(refined);
  });

  it('keeps a large result as OME-Zarr beside the project, replaces it on the next save, and exports it', async () => {
    const first = app(0);
    const saved = await trainedProject(first);
    const folder = resultsFolder(saved.path);
    const files = readdirSync(folder).sort();
    expect(files).toHaveLength(2); // the labels and the class probabilities
    const raw = new Database(saved.path, { readonly: true });
    const stored = raw.prepare('SELECT relative_path FROM results ORDER BY relative_path').pluck().all();
    expect(stored).toEqual(files.map((f) => `study.results/${f}`));
    raw.close();

    // A new segment-all replaces the saved one: its file goes, the new one stays.
    await first.segmentation.segmentAll(saved.info.id).result;
    await first.projects.saveProject();
    const after = readdirSync(folder).sort();
    expect(after).toHaveLength(2);
    expect(after.filter((f) => files.includes(f))).toEqual([]);

    // The bundle carries the result file; a project opened from it finds it there.
    const bundle = join(dir, 'share');
    const file = first.projects.project();
    await exportBundle(file, bundle, { includeData: true, volumePaths: new Map() });
    await first.projects.closeProject();
    rmSync(folder, { recursive: true });
    expect(readdirSync(join(bundle, 'results')).sort()).toEqual(after);

    const second = app(0);
    const state = await second.projects.openProject(join(bundle, 'project.tomoseg'));
    const volumeId = state.volumes[0]!.volume!.id;
    expect(state.notices).toEqual([]);
    const result = await second.segmentation.segmentationResult(volumeId)!.volume.read(whole);
    expect(result).toEqual(saved.result);
  });

  it('says so when a saved result file is gone, and still restores the model', async () => {
    const first = app(0);
    const saved = await trainedProject(first);
    await first.projects.closeProject();
    rmSync(resultsFolder(saved.path), { recursive: true });

    const second = app(0);
    const state = await second.projects.openProject(saved.path);
    expect(state.notices.join(' ')).toMatch(/saved segmentation of "scan.vol" could not be read/);
    const volumeId = state.volumes[0]!.volume!.id;
    expect(second.segmentation.segmentationState(volumeId).model).not.toBeNull();
    expect(second.segmentation.segmentationResult(volumeId)).toBeNull();
  });

  it('opens a project whose saved model and a label block are damaged, saying so, with the rest of its work', async () => {
    const first = app();
    const saved = await trainedProject(first);
    await first.projects.closeProject();
    const db = new Database(saved.path);
    db.prepare("UPDATE models SET payload = CAST('{}' AS BLOB)").run();
    db.prepare(
      'UPDATE label_blocks SET block = block + 1000 WHERE block = (SELECT min(block) FROM label_blocks)',
    ).run();
    db.close();

    const second = app();
    const state = await second.projects.openProject(saved.path);
    const notices = state.notices.join(' ');
    expect(notices).toMatch(
      /saved model of "scan.vol" could not be read \(.*is damaged \(its content does not match its checksum\)\); train again/,
    );
    expect(notices).toMatch(
      /Damaged in the file: 1 label block\(s\) of "scan.vol" \(the 32³ block at z, y, x = \d+, \d+, \d+: its content does not match its checksum\)\. Their labels were left out; the rest are loaded\./,
    );
    const volumeId = state.volumes[0]!.volume!.id;
    expect(second.segmentation.segmentationState(volumeId).model).toBeNull();
    // the saved result still comes back
    expect(await second.segmentation.segmentationResult(volumeId)!.volume.read(whole)).toEqual(saved.result);
  });

  it('keeps one model per volume, and an older one only while the saved result names it', async () => {
    const a = app();
    const saved = await trainedProject(a);
    const models = (): { id: string; named: number }[] => {
      const raw = new Database(saved.path, { readonly: true });
      try {
        return raw
          .prepare('SELECT id, (SELECT count(*) FROM results WHERE model_id = models.id) AS named FROM models')
          .all() as { id: string; named: number }[];
      } finally {
        raw.close();
      }
    };
    expect(models()).toEqual([{ id: expect.any(String), named: 2 }]); // the labels and the probabilities name it
    const first = models()[0]!.id;
    // trained again and saved: the result still comes from the first model, so both stay
    await a.segmentation.train(saved.info.id, { seed: 9 }).result;
    await a.projects.saveProject();
    expect(models().map((m) => m.id)).toContain(first);
    expect(models()).toHaveLength(2);
    // segment all again and saved: the first model is named by nothing and goes
    await a.segmentation.segmentAll(saved.info.id).result;
    await a.projects.saveProject();
    expect(models()).toEqual([{ id: expect.not.stringMatching(first), named: 2 }]);
  });

  it('restores a model trained on other labels than the saved ones as stale', async () => {
    const first = app();
    const saved = await trainedProject(first);
    const base = { volumeId: saved.info.id, axis: 'z' as const, index: 4, mode: 'disc' as const, erase: false };
    first.segmentation.paintStroke({ ...base, points: [10, 10], radius: 1, classId: 1, continueStroke: false });
    await first.projects.saveProject();
    await first.projects.closeProject();

    const second = app();
    const state = await second.projects.openProject(saved.path);
    const volumeId = state.volumes[0]!.volume!.id;
    expect(second.segmentation.segmentationState(volumeId).model).toMatchObject({ stale: true });
  });

  it('Save As carries the work into the copy', async () => {
    const first = app();
    const saved = await trainedProject(first);
    const copy = await first.projects.saveProjectAs(join(dir, 'copy'));
    expect(copy.models).toHaveLength(1);
    expect(copy.results).toHaveLength(2);
    await first.projects.closeProject();

    const second = app();
    const state = await second.projects.openProject(copy.path);
    const volumeId = state.volumes[0]!.volume!.id;
    expect(await second.segmentation.segmentationResult(volumeId)!.volume.read(whole)).toEqual(saved.result);
  });
});

describe('projects record the HDF5 dataset of a volume', () => {
  it('adds a dataset column to an older project, which still opens with its labels', async () => {
    const path = join(dir, 'old.tomoseg');
    const old = await ProjectFile.create(path, 'old', { migrations: MIGRATIONS.slice(0, 1) });
    old.close();
    const upgraded = await ProjectFile.open(path);
    expect(upgraded.migrated?.fromVersion).toBe(1);
    const id = upgraded.addVolume(join(dir, 'scan.h5'), {
      name: 'scan.h5',
      fingerprint: { shape: SHAPE, dtype: 'uint8', sampleHash: '0'.repeat(64) },
      voxelSize: [1, 1, 1],
      unit: '',
      dataset: '/entry/data/data',
    });
    expect(upgraded.volume(id).dataset).toBe('/entry/data/data');
    upgraded.close();
  });
});

describe('a new project', () => {
  it('creates its folder when missing, and names the problem when a file stands in the way', async () => {
    const a = app();
    const state = await a.projects.newProject(join(dir, 'a', 'b', 'study'), undefined, []);
    expect(state.path).toBe(join(dir, 'a', 'b', 'study.tomoseg'));
    await a.projects.closeProject();
    await expect(a.projects.newProject(join(dir, 'a', 'b', 'study.tomoseg', 'x'), undefined, [])).rejects.toThrow(
      /part of its folder path is a file, not a folder/,
    );
  });
});

describe('a volume read from an HDF5 dataset', () => {
  it('is recorded with its dataset, which reopening the project asks for again', async () => {
    const data = join(dir, 'scan.vol');
    writeTestVolume(data, SHAPE);
    const asked: (string | undefined)[] = [];
    /** Test volumes that stand in for an HDF5 reader: they carry the dataset they were read from. */
    class Hdf5Volumes extends TestVolumes {
      override async openPath(path: string, _remember?: boolean, dataset?: string) {
        asked.push(dataset);
        const info = await super.openPath(path);
        Object.assign(this.get(info.id), { datasetPath: dataset ?? '/entry/data/data' });
        return info;
      }
    }
    const volumes = new Hdf5Volumes();
    const projects = new ProjectService(volumes, new RecentList(join(dir, 'recent.json')), new Jobs(new EventBus()));
    apps.push({ projects } as App);
    const info = await volumes.openPath(data, true, '/entry/other');
    const state = await projects.newProject(join(dir, 'h5'), undefined, [info.id]);
    expect(projects.project().volume(state.volumes[0]!.id).dataset).toBe('/entry/other');
    await projects.closeProject();
    await projects.openProject(state.path);
    expect(asked.at(-1)).toBe('/entry/other');
  });
});
