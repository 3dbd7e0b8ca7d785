import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobStatus } from '../../shared/api';
import type { MeshSummary } from '../../shared/api/mesh';
import type { SegmentationClass } from '../../shared/api/segmentation';
import type { Vec3 } from '../../shared/volume';
import { type Handlers, dispatch } from '../api/dispatch';
import { WritableMemoryVolume } from '../segmentation/memory-volume';
import { createResultStore } from '../segmentation/outputs';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { meshHandlers } from './mesh-handlers';
import { MeshService } from './mesh-service';

const CLASSES: SegmentationClass[] = [
  { id: 1, name: 'Background', colour: '#000000' },
  { id: 2, name: 'Pore', colour: '#ff0000' },
  { id: 3, name: 'Empty', colour: '#00ff00' },
];
const VOXEL = 2; // µm
const BALL = { centre: [14, 15, 16] as Vec3, radius: 7 }; // voxels, (z, y, x)

/** A label volume: class 2 in a ball, class 1 around it; class 3 nowhere. */
async function ballSegmentation(shape: Vec3 = [28, 30, 32]) {
  const volume = WritableMemoryVolume.uint8(shape, { voxelSize: [VOXEL, VOXEL, VOXEL], unit: 'µm' });
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0, i = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++, i++) {
        const [cz, cy, cx] = BALL.centre;
        data[i] = (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= BALL.radius ** 2 ? 2 : 1;
      }
  await volume.write({ start: [0, 0, 0], shape }, data);
  return volume;
}

/**
 * What segment-all keeps of the same ball: labels and, per class, a probability map (uint8,
 * 255 = 1) with a logistic edge across the true sphere, as a classifier gives.
 */
async function ballResult(shape: Vec3 = [28, 30, 32]) {
  const n = shape[0] * shape[1] * shape[2];
  const [labels, background, pore] = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
  for (let z = 0, i = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++, i++) {
        const [cz, cy, cx] = BALL.centre;
        const inside = BALL.radius - Math.sqrt((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2);
        pore[i] = Math.round(255 / (1 + Math.exp(-inside / 0.7)));
        background[i] = 255 - pore[i]!;
        labels[i] = pore[i]! > 127 ? 2 : 1;
      }
  const like = { voxelSize: [VOXEL, VOXEL, VOXEL] as Vec3, unit: 'µm' };
  const volumes = [labels, background, pore].map((data) => new WritableMemoryVolume(data, shape, 'memory', like));
  return { labels: volumes[0]!, probabilities: { classes: [1, 2], channels: volumes.slice(1) } };
}

async function setup(options: { segmented?: boolean; shape?: Vec3 } = {}) {
  const volume = await ballSegmentation(options.shape);
  const events = new EventBus();
  const jobs = new Jobs(events);
  const service = new MeshService({
    jobs,
    segmentationOf: () => (options.segmented === false ? null : { volume, modelVersion: 3 }),
    classesOf: () => CLASSES,
  });
  const call = (method: string, args: unknown) => dispatch(meshHandlers(service) as Handlers, method, args);
  return { service, jobs, events, call };
}

const folders: string[] = [];
const tempFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), 'tomoseg-mesh-service-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('meshing a segmentation', () => {
  it('meshes a ball as one watertight object of the right volume, in physical units', async () => {
    const { service } = await setup();
    const summary = await service.meshSegmentation({ volumeId: 'v', classId: 2 }).result;
    expect(summary).toMatchObject({ classId: 2, modelVersion: 3, unit: 'µm', removed: 0, touchesBorder: false });
    expect(summary.objects).toHaveLength(1);
    const [ball] = summary.objects;
    const radius = BALL.radius * VOXEL;
    expect(ball!.watertight).toBe(true);
    expect(ball!.volume / ((4 / 3) * Math.PI * radius ** 3)).toBeCloseTo(1, 1);
    expect(ball!.sphericity).toBeGreaterThan(0.95);
    const [cz, cy, cx] = BALL.centre.map((c) => c * VOXEL);
    expect(ball!.centroid[0]).toBeCloseTo(cx!, 0);
    expect(ball!.centroid[1]).toBeCloseTo(cy!, 0);
    expect(ball!.centroid[2]).toBeCloseTo(cz!, 0);
    expect(service.meshMeasurements(summary.meshId)).toBe(summary);
  });

  it('meshes a segmentation stored on disk (a large result) the same way', async () => {
    const memory = await ballSegmentation();
    const store = await createResultStore(memory, tempFolder(), 0); // an OME-Zarr, as beyond the memory limit
    await store.outputs.classes.write(
      { start: [0, 0, 0], shape: memory.shape },
      await memory.read({ start: [0, 0, 0], shape: memory.shape }),
    );
    const stored = await store.finish();
    try {
      expect(stored.volume.format).not.toBe('memory');
      const service = new MeshService({
        jobs: new Jobs(new EventBus()),
        segmentationOf: () => ({ volume: stored.volume, modelVersion: 1 }),
        classesOf: () => CLASSES,
      });
      const summary = await service.meshSegmentation({ volumeId: 'v', classId: 2, iterations: 5 }).result;
      expect(summary.objects).toHaveLength(1);
      expect(summary.objects[0]!.watertight).toBe(true);
      expect(summary.unit).toBe('µm');
    } finally {
      await stored.dispose();
    }
  });

  it('reads back all triangles with per-object ranges for display', async () => {
    const { service } = await setup();
    const { meshId, objects } = await service.meshSegmentation({ volumeId: 'v', classId: 1, iterations: 3 }).result;
    // the background is a box with a ball-shaped hole: one object (outer and inner surface)
    const data = service.readMesh(meshId);
    expect(data.positions).toBeInstanceOf(Float32Array);
    expect(data.triangles).toBeInstanceOf(Uint32Array);
    expect(data.objects).toHaveLength(objects.length);
    const vertices = objects.reduce((n, o) => n + o.vertices, 0);
    expect(data.positions.length).toBe(vertices * 3);
    expect(data.triangles.length).toBe(objects.reduce((n, o) => n + o.triangles, 0) * 3);
    expect(Math.max(...data.triangles)).toBeLessThan(vertices);
    expect(data.objects.at(-1)!.vertexStart + data.objects.at(-1)!.vertexCount).toBe(vertices);
    expect(data.shape).toEqual([28, 30, 32]);
  });

  it('exports a binary STL and a CSV, refuses to overwrite, and rejects unknown formats', async () => {
    const { service, call } = await setup();
    const { meshId, objects } = await service.meshSegmentation({ volumeId: 'v', classId: 2, iterations: 5 }).result;
    const folder = tempFolder();
    const [path, csv] = [join(folder, 'ball.stl'), join(folder, 'ball.csv')];
    expect(await call('exportMesh', { meshId, path, csv })).toEqual({ path, csv });
    const stl = readFileSync(path);
    const triangles = stl.readUInt32LE(80);
    expect(triangles).toBe(objects[0]!.triangles);
    expect(stl.length).toBe(84 + 50 * triangles);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/^1,/);

    await expect(call('exportMesh', { meshId, path })).rejects.toMatchObject({ kind: 'exists' });
    writeFileSync(path, 'old');
    await call('exportMesh', { meshId, path, overwrite: true });
    expect(readFileSync(path).length).toBe(84 + 50 * triangles);
    const wrong = join(folder, 'ball.vtk');
    await expect(call('exportMesh', { meshId, path: wrong })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/unknown mesh format '\.vtk'/),
    });
  });

  it('stops when cancelled, before or while the worker meshes: ends the worker, keeps no mesh', async () => {
    const { service, jobs, events } = await setup({ shape: [64, 64, 64] });
    const early = service.meshSegmentation({ volumeId: 'v', classId: 1 });
    jobs.cancel(early.id);
    await expect(early.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(() => service.readMesh(early.id)).toThrow(/no mesh/);

    // Cancelled on the worker's first progress report, in the same turn of the event loop.
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const seen: JobStatus[] = [];
    let cancelledAt: JobStatus | undefined;
    const stop = events.subscribe(({ job }) => {
      if (job.kind !== 'mesh' || job.id === early.id) return;
      seen.push(job);
      if (!cancelledAt && job.state === 'running' && job.done > 0 && job.done < job.total) {
        cancelledAt = job;
        jobs.cancel(job.id);
      }
    });
    try {
      const job = service.meshSegmentation({ volumeId: 'v', classId: 1 });
      await expect(job.result).rejects.toMatchObject({ kind: 'cancelled' });
      expect(cancelledAt).toMatchObject({ id: job.id });
      // the worker was told to stop, and stops: it does not mesh on unseen
      expect(terminate).toHaveBeenCalledTimes(1);
      await expect(terminate.mock.results[0]!.value).resolves.toBeTypeOf('number');
      await vi.waitFor(() => expect(seen.at(-1)!.state).toBe('cancelled'));
      // the job ended where it was cancelled, short of its total: not after the worker finished
      const last = seen.at(-1)!;
      expect(last).toMatchObject({ id: job.id, done: cancelledAt!.done, total: cancelledAt!.total });
      expect(last.done).toBeLessThan(last.total);
      expect(() => service.readMesh(job.id)).toThrow(/no mesh/);
    } finally {
      stop();
      terminate.mockRestore();
    }
  });
});

describe('bad requests', () => {
  it('say what is missing or wrong', async () => {
    const { call, service } = await setup();
    await expect(call('meshSegmentation', { volumeId: 'v', classId: 2, edgeLength: 0 })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/meshSegmentation: edgeLength/),
    });
    await expect(call('meshSegmentation', { volumeId: 'v', classId: 2, smooth: 2 })).rejects.toMatchObject({
      kind: 'bad-input',
    });
    await expect(call('meshSegmentation', { volumeId: 'v', classId: 9 })).rejects.toThrow(/class 9 does not exist/);
    await expect(service.meshSegmentation({ volumeId: 'v', classId: 3 }).result).rejects.toThrow(
      /class "Empty" has no voxels/,
    );
    await expect(service.meshSegmentation({ volumeId: 'v', classId: 2, minVolume: 1e9 }).result).rejects.toThrow(
      /smaller than the minimum volume/,
    );
    // the engine's own check: an edge length far below the voxel size
    await expect(service.meshSegmentation({ volumeId: 'v', classId: 2, edgeLength: 0.01 }).result).rejects.toThrow(
      /below a tenth of the voxel size/,
    );
    await expect(call('readMesh', { meshId: 'nope' })).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuse to mesh before segment-all', async () => {
    const { call } = await setup({ segmented: false });
    await expect(call('meshSegmentation', { volumeId: 'v', classId: 2 })).rejects.toThrow(/no segmentation yet/);
  });
});

describe('meshing from probabilities', () => {
  const sphereArea = 4 * Math.PI * (BALL.radius * VOXEL) ** 2;
  const total = (summary: MeshSummary): number => summary.objects.reduce((a, o) => a + o.surfaceArea, 0);

  it('uses the class probability when segment-all kept it: sub-voxel, a far smaller area error than the labels', async () => {
    const { labels, probabilities } = await ballResult();
    const service = new MeshService({
      jobs: new Jobs(new EventBus()),
      segmentationOf: () => ({ volume: labels, probabilities, modelVersion: 2 }),
      classesOf: () => CLASSES,
    });
    // raw extraction (no refinement), so the difference is the field's alone
    const fromProbabilities = await service.meshSegmentation({ volumeId: 'v', classId: 2, iterations: 0 }).result;
    const fromLabels = await service.meshSegmentation({ volumeId: 'v', classId: 2, iterations: 0, source: 'labels' })
      .result;
    expect(fromProbabilities.source).toBe('probabilities');
    expect(fromLabels.source).toBe('labels');
    for (const summary of [fromProbabilities, fromLabels]) {
      expect(summary.objects).toHaveLength(1);
      expect(summary.objects[0]!.watertight).toBe(true);
    }
    const areaError = (summary: MeshSummary): number => Math.abs(total(summary) / sphereArea - 1);
    const [errorP, errorL] = [areaError(fromProbabilities), areaError(fromLabels)];
    expect(errorL).toBeGreaterThan(0.03); // the staircase (about 5 %)
    expect(errorP).toBeLessThan(errorL / 3);
    expect(total(fromProbabilities)).toBeLessThan(total(fromLabels));

    // class 3 has no probability channel: asked for, that is an error; by default, the labels
    await expect(
      Promise.resolve().then(() => service.meshSegmentation({ volumeId: 'v', classId: 3, source: 'probabilities' })),
    ).rejects.toThrow(/kept no probabilities of "Empty"/);
    await expect(service.meshSegmentation({ volumeId: 'v', classId: 3 }).result).rejects.toThrow(
      /class "Empty" has no voxels in the segmentation/,
    );
  });

  it('reads a probability channel of the temporary OME-Zarr, kept while meshed though a newer result replaced it', async () => {
    const { labels, probabilities } = await ballResult();
    const folder = tempFolder();
    const store = await createResultStore(labels, folder, 0, [1, 2]); // on disk, as beyond the memory limit
    const whole = { start: [0, 0, 0] as Vec3, shape: labels.shape };
    await store.outputs.classes.write(whole, await labels.read(whole));
    for (const [channel, volume] of probabilities.channels.entries())
      await store.outputs.probabilities!.write(whole, await volume.read(whole), channel);
    const stored = await store.finish();
    expect(readdirSync(folder)).toHaveLength(2);
    try {
      expect(stored.probabilities!.classes).toEqual([1, 2]);
      expect(stored.probabilities!.channels.map((c) => c.format)).not.toContain('memory');
      const service = new MeshService({
        jobs: new Jobs(new EventBus()),
        segmentationOf: () => ({ ...stored, modelVersion: 1 }),
        classesOf: () => CLASSES,
      });
      const job = service.meshSegmentation({ volumeId: 'v', classId: 2, iterations: 5 });
      // segment-all finished again meanwhile: the old result is disposed, its files wait for the mesh
      await stored.dispose();
      expect(readdirSync(folder)).toHaveLength(2);
      const summary = await job.result;
      await vi.waitFor(() => expect(readdirSync(folder)).toEqual([]));
      expect(summary.source).toBe('probabilities');
      expect(summary.objects).toHaveLength(1);
      expect(summary.objects[0]!.watertight).toBe(true);
      expect(total(summary) / sphereArea).toBeCloseTo(1, 1);
    } finally {
      await stored.dispose();
    }
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('closing a volume', () => {
  it('drops its meshes and cancels its mesh jobs; other volumes keep theirs', async () => {
    const volume = await ballSegmentation([64, 64, 64]);
    const jobs = new Jobs(new EventBus());
    const service = new MeshService({
      jobs,
      segmentationOf: () => ({ volume, modelVersion: 1 }),
      classesOf: () => CLASSES,
    });
    const closing = await service.meshSegmentation({ volumeId: 'a', classId: 2, iterations: 2 }).result;
    const other = await service.meshSegmentation({ volumeId: 'b', classId: 2, iterations: 2 }).result;
    const running = service.meshSegmentation({ volumeId: 'a', classId: 1 });
    service.forget('a');
    await expect(running.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(() => service.readMesh(closing.meshId)).toThrow(/no mesh/);
    expect(() => service.meshMeasurements(running.id)).toThrow(/no mesh/);
    expect(service.meshMeasurements(other.meshId)).toBe(other);
  });
});

describe('measuring objects from the voxels', () => {
  it('writes the ball as one object of its voxel volume, refuses an existing table, and a class without voxels', async () => {
    const { call } = await setup();
    const csv = join(tempFolder(), 'objects.csv');
    const { jobId } = (await call('measureObjects', { volumeId: 'v', classId: 2, csv })) as { jobId: string };
    expect(jobId).toBeTruthy();
    await vi.waitFor(() => expect(readdirSync(join(csv, '..'))).toEqual(['objects.csv']));
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(2);
    const [, voxels, volume] = rows[1]!.split(',').map(Number);
    expect(volume).toBe(voxels! * VOXEL ** 3);
    expect(volume! / ((4 / 3) * Math.PI * (BALL.radius * VOXEL) ** 3)).toBeCloseTo(1, 1);
    expect(rows[1]!.endsWith(',µm')).toBe(true);
    await expect(call('measureObjects', { volumeId: 'v', classId: 2, csv })).rejects.toMatchObject({ kind: 'exists' });
    const { service } = await setup();
    await expect(
      service
        .measureObjects({ volumeId: 'v', classId: 3, csv: `${csv}.3.csv`, overwrite: false })
        .then((j) => j.result),
    ).rejects.toThrow('class "Empty" has no voxels in the segmentation');
  });
});
