// The service with the real engine and real files: paint → train → live slice → segment all →
// export .tif / .zarr → read the files back.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import { MemoryVolume, type Model, predictVolume } from '../engine';
import { meshFromVolume } from '../mesh';
import { labelsFromSurfaces, surfaceClasses } from '../mesh/surface-labels';
import { scaleMesh } from '../mesh/trimesh';
import { TriangleGrid, fillRow } from '../mesh/winding';
import { engine } from '../segmentation/engine-adapter';
import { WritableMemoryVolume } from '../segmentation/memory-volume';
import { openVolume } from '../volume';
import type { Volume } from '../volume/volume';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { SegmentationService } from './segmentation-service';
import { createBackend } from '.';
import { dispatch } from '../api/dispatch';
import type { JobStatus, LabelSlice, PredictionSlice, SliceData } from '../../shared/api';

const SHAPE: Vec3 = [32, 40, 44];
const folder = mkdtempSync(join(tmpdir(), 'tomoseg-segmentation-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Bright noisy slabs (material, class 2) alternating with dark noisy ones (background, class 1) along x. */
const truth = (_z: number, _y: number, x: number): number => (Math.floor(x / 11) % 2 === 1 ? 2 : 1);

async function twoPhaseVolume(): Promise<Volume> {
  const volume = WritableMemoryVolume.uint8(SHAPE, { voxelSize: [2, 2, 2], unit: 'micrometer' });
  const data = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  let seed = 11;
  const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 40;
  for (let z = 0, i = 0; z < SHAPE[0]; z++)
    for (let y = 0; y < SHAPE[1]; y++)
      for (let x = 0; x < SHAPE[2]; x++, i++) data[i] = Math.round((truth(z, y, x) === 2 ? 170 : 70) + noise());
  await volume.write({ start: [0, 0, 0], shape: SHAPE }, data);
  return volume;
}

async function setup(results?: { memoryLimit: number }, withEngine = engine) {
  const volume = await twoPhaseVolume();
  const jobs = new Jobs(new EventBus());
  const service = new SegmentationService({
    volumes: { get: () => volume },
    jobs,
    engine: withEngine,
    results: { folder, ...results },
  });
  // Strokes as a person paints them: a line in the middle of one material slab and of one background slab, on two slices.
  for (const index of [8, 24]) {
    const base = {
      volumeId: 'v',
      axis: 'z' as const,
      index,
      mode: 'disc' as const,
      radius: 2,
      erase: false,
      continueStroke: false,
    };
    service.paintStroke({ ...base, points: [16, 5, 16, 35], classId: 2 });
    service.paintStroke({ ...base, points: [5, 5, 5, 35], classId: 1 });
  }
  return { service, jobs, volume };
}

/** Share of a slice's voxels at least 3 voxels from a slab boundary that get their true class. */
function accuracy(classes: Uint8Array, axis: 'z' | 'x', index: number): number {
  let right = 0;
  let counted = 0;
  for (let i = 0; i < classes.length; i++) {
    const [z, y, x] =
      axis === 'z' ? [index, Math.floor(i / SHAPE[2]), i % SHAPE[2]] : [Math.floor(i / SHAPE[1]), i % SHAPE[1], index];
    if (x % 11 < 3 || x % 11 > 7) continue;
    counted++;
    if (classes[i] === truth(z, y, x)) right++;
  }
  return right / counted;
}

describe('segmentation with the engine', () => {
  it('paint → train → the predicted slice gives the painted classes back at the painted voxels', async () => {
    const { service } = await setup();
    expect(await service.train('v', { seed: 5 }).result).toBe(1);
    for (const index of [8, 24]) {
      const labels = service.readLabelSlice('v', 'z', index).data;
      const prediction = (await service.readPredictionSlice('v', 'z', index))!;
      for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) expect(prediction.classes[i]).toBe(labels[i]);
    }
    // An unpainted slice: right away from the slab boundaries.
    const other = (await service.readPredictionSlice('v', 'x', 27))!; // x = 27 is 5 voxels into a slab
    expect(accuracy(other.classes, 'x', 27)).toBeGreaterThan(0.9);
  });

  it('fails a training that learned nothing, saying why, and keeps no model to segment with', async () => {
    const { service, volume } = await setup();
    // a uniform scan: nothing tells the painted classes apart
    await (volume as WritableMemoryVolume).write(
      { start: [0, 0, 0], shape: SHAPE },
      new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]).fill(100),
    );
    await expect(service.train('v', { seed: 5 }).result).rejects.toThrow(
      /learned nothing usable from these labels: it gives .* to too few/,
    );
    expect(service.segmentationState('v').model).toBeFalsy();
    expect(() => service.segmentAll('v', { threads: 0 })).toThrow(/no model yet/);
  });

  it('segments all, exports .tif and .zarr, and the files read back as the classes', async () => {
    const { service } = await setup();
    await service.train('v', { seed: 5 }).result;
    await service.segmentAll('v', { threads: 0 }).result;
    const slice = (await service.readSegmentationSlice('v', 'z', 16))!;
    expect(accuracy(slice.classes, 'z', 16)).toBeGreaterThan(0.9);

    const whole = await readAll(service);
    for (const name of ['seg.tif', 'seg.zarr']) {
      const path = join(folder, name);
      await (
        await service.exportSegmentation({ volumeId: 'v', path, overwrite: false })
      ).result;
      const exported = await openVolume(path);
      expect(exported.shape).toEqual(SHAPE);
      expect(exported.dtype).toBe('uint8');
      expect(await exported.read({ start: [0, 0, 0], shape: SHAPE })).toEqual(whole);
      await exported.close();
    }
    await expect(
      service.exportSegmentation({ volumeId: 'v', path: join(folder, 'seg.tif'), overwrite: false }),
    ).rejects.toMatchObject({
      kind: 'exists',
    });
  });

  it('exports probabilities by predicting, one channel per class', async () => {
    const { service } = await setup();
    await service.train('v', { seed: 5 }).result;
    const path = join(folder, 'p-seg.tif');
    const probabilities = join(folder, 'p-prob.zarr');
    await (
      await service.exportSegmentation({ volumeId: 'v', path, probabilities, overwrite: false })
    ).result;
    const labels = await openVolume(path);
    const background = await openVolume(probabilities, { channel: 0 });
    const material = await openVolume(probabilities, { channel: 1 });
    const region = { start: [16, 0, 0] as Vec3, shape: [1, SHAPE[1], SHAPE[2]] as Vec3 };
    const [l, p0, p1] = await Promise.all([labels.read(region), background.read(region), material.read(region)]);
    for (let i = 0; i < l.length; i++) {
      expect(Math.abs(p0[i]! + p1[i]! - 255)).toBeLessThanOrEqual(1);
      if (Math.abs(p1[i]! - p0[i]!) > 2) expect(l[i]).toBe(p1[i]! > p0[i]! ? 2 : 1);
    }
    await Promise.all([labels.close(), background.close(), material.close()]);
  });

  it('trains a quick preview for the live overlay, and a full model before segmenting all', async () => {
    const { service } = await setup();
    expect(await service.train('v', { seed: 5, preview: true }).result).toBe(1);
    expect(service.segmentationState('v').model).toMatchObject({ version: 1, preview: true });
    const preview = (await service.readPredictionSlice('v', 'z', 8))!;
    const labels = service.readLabelSlice('v', 'z', 8).data;
    for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) expect(preview.classes[i]).toBe(labels[i]);
    expect(await service.segmentAll('v', { threads: 0 }).result).toBe(2);
    expect(service.segmentationState('v')).toMatchObject({
      model: { version: 2, preview: false },
      segmentation: { modelVersion: 2, stale: false },
    });
  });

  it('smooths the segment-all result when asked, and an export copies it, probabilities too, without predicting again', async () => {
    const calls: { model: Model; smooth: boolean | undefined }[] = [];
    const recording: typeof engine = {
      ...engine,
      predictVolume: (model, on, outputs, options) => {
        calls.push({ model, smooth: options.smooth });
        return engine.predictVolume(model, on, outputs, options);
      },
    };
    const { service, volume } = await setup(undefined, recording);
    await service.train('v', { seed: 5 }).result;
    await service.segmentAll('v', { threads: 0, smooth: true }).result;
    expect(calls.map((c) => c.smooth)).toEqual([true]);
    const expected = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
    const sink = { write: async (_region: Region, block: TypedArray) => void expected.set(block) };
    const options = { threads: 0, smooth: true, blockShape: SHAPE }; // one block: the sink takes it whole
    await predictVolume(calls[0]!.model, volume, { labels: sink }, options);
    expect(await readAll(service)).toEqual(expected);
    const path = join(folder, 'smoothed.tif');
    const exporting = await service.exportSegmentation({
      volumeId: 'v',
      path,
      probabilities: join(folder, 'smoothed-p.zarr'),
      overwrite: false,
    });
    await exporting.result;
    expect(calls.map((c) => c.smooth)).toEqual([true]);
    const exported = await openVolume(path);
    expect(await exported.read({ start: [0, 0, 0], shape: SHAPE })).toEqual(expected);
    await exported.close();
    const { probabilities } = service.segmentationResult('v')!;
    for (const [channel, kept] of probabilities!.channels.entries()) {
      const written = await openVolume(join(folder, 'smoothed-p.zarr'), { channel });
      expect(await written.read({ start: [0, 0, 0], shape: SHAPE })).toEqual(
        await kept.read({ start: [0, 0, 0], shape: SHAPE }),
      );
      await written.close();
    }
    await service.segmentAll('v', { threads: 0, smooth: false }).result;
    expect(calls.map((c) => c.smooth)).toEqual([true, false]);
  });

  it('segments all smoothed as the engine chose in training, unless told otherwise', async () => {
    const calls: (boolean | undefined)[] = [];
    const choosing: typeof engine = {
      ...engine,
      smoothsByDefault: () => true,
      predictVolume: (model, on, outputs, options) => {
        calls.push(options.smooth);
        return engine.predictVolume(model, on, outputs, options);
      },
    };
    const { service } = await setup(undefined, choosing);
    await service.train('v', { seed: 5 }).result;
    await service.segmentAll('v', { threads: 0 }).result;
    expect(service.segmentationState('v').segmentation).toMatchObject({ smooth: true });
    await new Promise((resolve) => setImmediate(resolve)); // the job leaves the running list once settled
    await service.segmentAll('v', { threads: 0, smooth: false }).result;
    expect(calls).toEqual([true, false]);
    await new Promise((resolve) => setImmediate(resolve));
    await service.segmentAll('v', { threads: 0, surfaces: { minVoxels: 4, smoothness: 0.5 } }).result;
    expect(calls).toEqual([true, false, false]); // surfaces smooth by themselves
  });

  it('keeps a large result in a temporary OME-Zarr and deletes it when replaced', async () => {
    const { service } = await setup({ memoryLimit: 1000 });
    await service.train('v', { seed: 5 }).result;
    await service.segmentAll('v', { threads: 0 }).result;
    const stored = () => readdirSync(folder).filter((n) => n.startsWith('tomoseg-segmentation-'));
    expect(stored()).toHaveLength(2); // the labels and the class probabilities
    const slice = (await service.readSegmentationSlice('v', 'x', 27))!;
    expect(accuracy(slice.classes, 'x', 27)).toBeGreaterThan(0.9);
    // the probability of the material is high where it is segmented as material (uint8, 255 = 1)
    const { probabilities } = service.segmentationResult('v')!;
    expect(probabilities!.classes).toEqual([1, 2]);
    const material = await probabilities!.channels[1]!.read({ start: [0, 0, 27], shape: [SHAPE[0], SHAPE[1], 1] });
    expect(material.every((p, i) => Math.abs(p - 127.5) < 2 || (slice.classes[i] === 2) === p > 127)).toBe(true);
    await service.segmentAll('v', { threads: 0 }).result;
    expect(stored()).toHaveLength(2);
    await service.forget('v');
    expect(stored()).toHaveLength(0);
  });

  it('refines the result with surfaces: the labels the surfaces enclose, meshes that agree, stores deleted when replaced', async () => {
    const { service } = await setup({ memoryLimit: 1000 });
    await service.train('v', { seed: 5 }).result;
    await service.segmentAll('v', { threads: 0 }).result;
    // the same model predicts the same probabilities: what the surfaces are made from
    const maps = service.segmentationResult('v')!.probabilities!;
    const channels = await Promise.all(
      maps.channels.map(async (c) => new MemoryVolume(await c.read({ start: [0, 0, 0], shape: SHAPE }), SHAPE, 'p', c)),
    );
    const expected = WritableMemoryVolume.uint8(SHAPE, { voxelSize: [2, 2, 2], unit: 'micrometer' });
    const settings = { minVoxels: 20, smoothness: 0.5 };
    await labelsFromSurfaces(surfaceClasses({ classes: maps.classes, channels }), expected, {
      smooth: settings.smoothness,
      minVolume: settings.minVoxels * 8,
    });
    await service.segmentAll('v', { threads: 0, surfaces: settings }).result;
    expect(service.segmentationState('v').segmentation).toMatchObject({ surfaces: settings, postprocess: [] });
    const labels = await readAll(service);
    expect(labels).toEqual(expected.data);
    expect(accuracy(labels.subarray(0, SHAPE[1] * SHAPE[2]), 'z', 0)).toBeGreaterThan(0.9);
    const stored = () => readdirSync(folder).filter((n) => n.startsWith('tomoseg-segmentation-'));
    expect(stored()).toHaveLength(2); // the probabilities and the labels of their surfaces: no voxel-wise labels
    // a mesh of the material from the result's probabilities encloses the voxels labelled material
    const material = service.segmentationResult('v')!.probabilities!.channels[1]!;
    const { objects } = await meshFromVolume(material, {
      smooth: settings.smoothness,
      minVolume: settings.minVoxels * 8,
    });
    const grid = new TriangleGrid(objects.map((o) => scaleMesh(o.mesh, [0.5, 0.5, 0.5])));
    const inside = new Uint8Array(SHAPE[2]);
    let disagree = 0;
    for (let z = 0; z < SHAPE[0]; z++)
      for (let y = 0; y < SHAPE[1]; y++) {
        fillRow(grid, y, z, inside);
        for (let x = 0; x < SHAPE[2]; x++)
          if ((labels[(z * SHAPE[1] + y) * SHAPE[2] + x] === 2) !== (inside[x] === 1)) disagree++;
      }
    expect(disagree).toBe(0);
    await service.segmentAll('v', { threads: 0 }).result;
    expect(service.segmentationState('v').segmentation!.surfaces).toBeNull();
    expect(stored()).toHaveLength(2);
    await service.forget('v');
    expect(stored()).toHaveLength(0);
  });

  it('cancels a segment-all in worker threads and an export, leaving no file behind', async () => {
    // the engine's progress as it reports it (before the jobs' throttling): the run is cancelled
    // when its first block is written, the next ones still in the workers
    const reports: number[] = [];
    let cancel = (): void => undefined;
    const reporting: typeof engine = {
      ...engine,
      predictVolume: (model, volume, outputs, options) =>
        engine.predictVolume(model, volume, outputs, {
          ...options,
          progress: (done, total, message) => {
            reports.push(done);
            options.progress(done, total, message);
            if (done > 0 && done < total) cancel();
          },
        }),
    };
    const { service, jobs } = await setup(undefined, reporting);
    await service.train('v', { seed: 5 }).result;
    const run = service.segmentAll('v', { threads: 2 });
    cancel = () => void jobs.cancel(run.id);
    await expect(run.result).rejects.toMatchObject({ kind: 'cancelled' });
    // one block written, then nothing more: the blocks in the workers were dropped
    expect(reports).toHaveLength(2);
    expect(reports[1]).toBeGreaterThan(0);
    expect(service.segmentationState('v')).toMatchObject({ segmentation: null, running: {} });
    const path = join(folder, 'cancelled.tif');
    const exporting = await service.exportSegmentation({ volumeId: 'v', path, overwrite: false });
    jobs.cancel(exporting.id);
    await expect(exporting.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(readdirSync(folder).filter((n) => n.includes('cancelled'))).toEqual([]);
  });
});

describe('through the app API', () => {
  it('opens the sample, paints two classes, trains a preview and shows it, and forgets it on close', async () => {
    const backend = createBackend({
      shell: 'web',
      version: 'test',
      dataDir: folder,
      resourcesDir: join(import.meta.dirname, '../../../resources'),
    });
    const call = (method: string, args: unknown) => dispatch(backend.handlers, method, args);
    const finished = new Map<string, JobStatus>();
    backend.events.subscribe(({ job }) => job.state !== 'running' && finished.set(job.id, job));
    const { id: volumeId } = (await call('openSample', {})) as { id: string };
    const slice = (await call('readSlice', { volumeId, axis: 'z', index: 64 })) as SliceData;
    // Paint where the 5×5 neighbourhood is all bright (bone) or all dark (pore), a few spots each.
    const spots: Record<number, number[]> = { 1: [], 2: [] };
    for (let y = 8; y < 120; y += 8)
      for (let x = 8; x < 120; x += 8) {
        const around = [-2, -1, 0, 1, 2].flatMap((dy) =>
          [-2, -1, 0, 1, 2].map((dx) => slice.data[(y + dy) * 128 + x + dx]!),
        );
        const classId = Math.min(...around) > 180 ? 2 : Math.max(...around) < 40 ? 1 : 0;
        if (classId && spots[classId]!.length < 8) spots[classId]!.push(x, y);
      }
    for (const classId of [1, 2])
      for (let i = 0; i < spots[classId]!.length; i += 2)
        await call('paintStroke', {
          volumeId,
          axis: 'z',
          index: 64,
          points: spots[classId]!.slice(i, i + 2),
          radius: 1.5,
          mode: 'disc',
          classId,
        });
    const { jobId } = (await call('train', { volumeId, preview: true })) as { jobId: string };
    await expect.poll(() => finished.get(jobId)?.state, { timeout: 60_000, interval: 50 }).toBe('done');
    const labels = (await call('readLabelSlice', { volumeId, axis: 'z', index: 64 })) as LabelSlice;
    const prediction = (await call('readPredictionSlice', { volumeId, axis: 'z', index: 64 })) as PredictionSlice;
    let painted = 0;
    for (let i = 0; i < labels.data.length; i++)
      if (labels.data[i] !== 0) {
        painted++;
        expect(prediction.classes[i]).toBe(labels.data[i]);
      }
    expect(painted).toBeGreaterThan(50);
    await call('closeVolume', { volumeId });
    await expect(call('segmentationState', { volumeId })).rejects.toMatchObject({ kind: 'not-found' });
  });
});

async function readAll(service: SegmentationService): Promise<Uint8Array> {
  const whole = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  for (let z = 0; z < SHAPE[0]; z++)
    whole.set((await service.readSegmentationSlice('v', 'z', z))!.classes, z * SHAPE[1] * SHAPE[2]);
  return whole;
}
