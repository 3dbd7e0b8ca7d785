// Project file figures: time to open a project holding 1 million labelled voxels and 3 models,
// and time to save one brush stroke (per-stroke autosave, fsync'd). `npx tsx scripts/bench/project.ts`
// The volume is a simple test format read with positional reads, so the open time is the project's
// own work (integrity check, lock, labels decoded) plus the fingerprint's five small sample reads.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelStore } from '../../src/main/labels';
import { fingerprint } from '../../src/main/project/fingerprint';
import { ProjectFile } from '../../src/main/project/project-file';
import { TestVolumes, writeTestVolume } from '../../src/main/project/test-volumes.test-helper';
import { EventBus } from '../../src/main/services/events';
import { Jobs } from '../../src/main/services/jobs';
import { ProjectService } from '../../src/main/services/project-service';
import { RecentList } from '../../src/main/services/recent';
import type { Vec3 } from '../../src/shared/volume';

const SHAPE: Vec3 = [128, 512, 512];
const TARGET_LABELLED = 1_000_000;
const MODEL_BYTES = 200_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'tomoseg-bench-project-'));
try {
  mkdirSync(join(dir, 'data'));
  const dataPath = join(dir, 'data', 'scan.vol');
  writeTestVolume(dataPath, SHAPE);
  const volumes = new TestVolumes();
  const projects = new ProjectService(volumes, new RecentList(join(dir, 'recent.json')), new Jobs(new EventBus()));

  // Build: discs of radius 12 on every 4th slice until 1 million voxels are labelled, 3 classes.
  const info = await volumes.openPath(dataPath);
  const store = projects.labelsFor(info.id);
  for (let k = 0; store.labelledCount < TARGET_LABELLED; k++) {
    const center: Vec3 = [(k * 4) % SHAPE[0], 20 + ((k * 37) % 470), 20 + ((k * 91) % 470)];
    store.paint({ value: (k % 3) + 1, shapes: [{ kind: 'disc', axis: 'z', center, radius: 12 }] });
  }
  const projectPath = join(dir, 'bench.tomoseg');
  await projects.newProject(projectPath, 'bench', [info.id]);
  for (let m = 0; m < 3; m++) {
    const weights = Array.from({ length: MODEL_BYTES / 10 }, (_, i) => Math.sin(i + m).toFixed(6));
    projects.saveModel(info.id, {
      name: `model ${m + 1}`,
      labelsVersion: store.version,
      payload: Buffer.from(JSON.stringify({ weights })),
    });
  }
  await projects.closeProject();
  console.log(
    `project: ${store.labelledCount.toLocaleString('en')} labelled voxels in ${store.blockKeys().length} blocks of 32³, 3 models of ~${MODEL_BYTES / 1000} kB, volume ${SHAPE.join('×')} uint16`,
  );
  console.log(`file size: ${(statSync(projectPath).size / 1e6).toFixed(2)} MB`);

  // Open: the whole service path (file checks, lock, labels decoded, volume found and fingerprinted).
  const openTimes: number[] = [];
  const fileTimes: number[] = [];
  const labelTimes: number[] = [];
  const volumeTimes: number[] = [];
  for (let run = 0; run < 7; run++) {
    let t = performance.now();
    const state = await projects.openProject(projectPath);
    openTimes.push(performance.now() - t);
    if (state.volumes[0]!.labelledVoxels < TARGET_LABELLED || state.models.length !== 3)
      throw new Error('project did not round-trip');
    await projects.closeProject();

    t = performance.now();
    const file = await ProjectFile.open(projectPath);
    fileTimes.push(performance.now() - t);
    t = performance.now();
    const loaded = new LabelStore(SHAPE);
    file.loadLabels(file.volumes()[0]!.id, loaded);
    labelTimes.push(performance.now() - t);
    file.close();

    t = performance.now();
    const opened = await volumes.openPath(dataPath);
    await fingerprint(volumes.get(opened.id));
    await volumes.close(opened.id);
    volumeTimes.push(performance.now() - t);
  }
  console.log(`open project (service, 7 runs): median ${ms(median(openTimes))}, max ${ms(Math.max(...openTimes))}`);
  console.log(
    `  of which: file open + integrity check + lock ${ms(median(fileTimes))}, labels decoded ${ms(median(labelTimes))}, volume opened + fingerprinted ${ms(median(volumeTimes))}`,
  );

  // Save a stroke: a 2D disc of radius 10 painted, then its changed blocks saved (one fsync'd transaction).
  const state = await projects.openProject(projectPath);
  const openId = state.volumes[0]!.volume!.id;
  const live = projects.labelsFor(openId);
  const paintTimes: number[] = [];
  const saveTimes: number[] = [];
  for (let k = 0; k < 100; k++) {
    let t = performance.now();
    live.paint({
      value: 2,
      shapes: [{ kind: 'disc', axis: 'z', center: [(k * 3) % SHAPE[0], 100 + k * 3, 300 - k], radius: 10 }],
    });
    paintTimes.push(performance.now() - t);
    t = performance.now();
    projects.recordStroke(openId);
    saveTimes.push(performance.now() - t);
  }
  console.log(`paint a disc stroke (r = 10, 100 strokes): median ${ms(median(paintTimes))}`);
  console.log(
    `save a stroke (100 strokes): median ${ms(median(saveTimes))}, p95 ${ms(quantile(saveTimes, 0.95))}, max ${ms(Math.max(...saveTimes))}`,
  );
  let t = performance.now();
  const gathered = live.labelledVoxels();
  console.log(
    `labelledVoxels() of ${gathered.indices.length.toLocaleString('en')} voxels (training set): ${ms(performance.now() - t)}`,
  );
  t = performance.now();
  await projects.saveProject();
  console.log(`save project (flush + checkpoint): ${ms(performance.now() - t)}`);
  await projects.closeProject();
  console.log('(machine shared with other jobs: figures are noisy)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
