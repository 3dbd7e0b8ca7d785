import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/api';
import { segmentationArgs } from '../../shared/api/segmentation';
import type { Vec3 } from '../../shared/volume';
import { TomosegError } from '../../shared/errors';
import { WritableMemoryVolume } from '../segmentation/memory-volume';
import { NearestMeanEngine } from '../segmentation/nearest-mean-engine.test-helper';
import type { SegmentationEngine } from '../segmentation/segmentation-engine';
import { openVolume } from '../volume';
import type { Volume } from '../volume/volume';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { segmentationHandlers } from './segmentation-handlers';
import { SegmentationService } from './segmentation-service';
import { dispatch, type Handlers } from '../api/dispatch';

const SHAPE: Vec3 = [24, 40, 48];
const BALL = { center: [12, 20, 24] as Vec3, radius: 9 };
const [BACKGROUND, MATERIAL] = [1, 2];

/** A two-phase volume: a bright noisy ball (material) in a dark noisy background. */
async function twoPhaseVolume(): Promise<Volume> {
  const volume = WritableMemoryVolume.uint8(SHAPE, { voxelSize: [1, 1, 1], unit: 'voxel' });
  const data = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  let seed = 7;
  const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 30;
  for (let z = 0, i = 0; z < SHAPE[0]; z++)
    for (let y = 0; y < SHAPE[1]; y++)
      for (let x = 0; x < SHAPE[2]; x++, i++) data[i] = Math.round((inBall(z, y, x) ? 180 : 60) + noise());
  await volume.write({ start: [0, 0, 0], shape: SHAPE }, data);
  return volume;
}

const inBall = (z: number, y: number, x: number): boolean =>
  (z - BALL.center[0]) ** 2 + (y - BALL.center[1]) ** 2 + (x - BALL.center[2]) ** 2 <= BALL.radius ** 2;

async function setup(engine: SegmentationEngine = new NearestMeanEngine()) {
  const volume = await twoPhaseVolume();
  const events = new EventBus();
  const jobs = new Jobs(events);
  const service = new SegmentationService({ volumes: { get: () => volume }, jobs, engine });
  return { service, jobs, events, volume, id: 'v1' };
}

/** Paints a disc of the material inside the ball and one of background in a corner, on slice z = 12. */
function paintBothClasses(service: SegmentationService, id: string) {
  const base = {
    volumeId: id,
    axis: 'z' as const,
    index: 12,
    mode: 'disc' as const,
    erase: false,
    continueStroke: false,
  };
  service.paintStroke({ ...base, points: [24, 20], radius: 4, classId: MATERIAL });
  service.paintStroke({ ...base, points: [5, 5, 10, 5], radius: 3, classId: BACKGROUND });
}

describe('classes', () => {
  it('start with Background and Material 1, and can be defined, renamed, recoloured and removed', async () => {
    const { service, id } = await setup();
    expect(service.listClasses(id).map((c) => [c.id, c.name])).toEqual([
      [1, 'Background'],
      [2, 'Material 1'],
    ]);
    expect(service.defineClass(id)).toMatchObject({ id: 3, name: 'Material 2' });
    expect(service.renameClass(id, 3, 'Pores').name).toBe('Pores');
    expect(service.recolourClass(id, 3, '#112233').colour).toBe('#112233');
    expect(() => service.renameClass(id, 3, 'background')).toThrow(/already exists/);
    expect(() => service.renameClass(id, 9, 'x')).toThrow(/no class with id 9/);
    expect(service.removeClass(id, 3)).toBe(true);
    expect(service.listClasses(id)).toHaveLength(2);
  });

  it('keep their values for life: a new class never takes a value freed by a removed one', async () => {
    const { service, id } = await setup();
    expect(service.removeClass(id, 1)).toBe(true);
    expect(service.listClasses(id).map((c) => [c.id, c.name])).toEqual([[2, 'Material 1']]);
    expect(service.defineClass(id)).toMatchObject({ id: 3, name: 'Material 2' });
    expect(service.listClasses(id).map((c) => c.id)).toEqual([2, 3]);
  });

  it('refuses to remove a class that still has labels', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    expect(() => service.removeClass(id, MATERIAL)).toThrow(/still labels \d+ voxels/);
  });
});

describe('painting', () => {
  it('paints a disc on the slice, reads it back, and undo/redo restore it', async () => {
    const { service, id } = await setup();
    const stroke = service.paintStroke({
      volumeId: id,
      axis: 'z',
      index: 12,
      points: [24, 20],
      radius: 2,
      mode: 'disc',
      classId: MATERIAL,
      erase: false,
      continueStroke: false,
    });
    expect(stroke.voxels).toBe(13); // a radius-2 disc
    expect(stroke.labelled).toEqual({ [MATERIAL]: 13 });
    expect(stroke.changed).toEqual({ start: [12, 18, 22], shape: [1, 5, 5] });
    const slice = service.readLabelSlice(id, 'z', 12);
    expect([slice.width, slice.height]).toEqual([48, 40]);
    expect(slice.data[20 * 48 + 24]).toBe(MATERIAL);
    expect(service.readLabelSlice(id, 'z', 11).data.every((v) => v === 0)).toBe(true);

    expect(service.undoStroke(id)).toMatchObject({ voxels: 13, canUndo: false, canRedo: true, labelled: {} });
    expect(service.readLabelSlice(id, 'z', 12).data.every((v) => v === 0)).toBe(true);
    expect(service.redoStroke(id)).toMatchObject({ voxels: 13, canUndo: true, canRedo: false });
    expect(service.readLabelSlice(id, 'z', 12).data[20 * 48 + 24]).toBe(MATERIAL);
  });

  it('maps slice pixels to voxels on the y and x views, and paints spheres in 3D', async () => {
    const { service, id } = await setup();
    const base = {
      volumeId: id,
      mode: 'disc' as const,
      radius: 0,
      classId: MATERIAL,
      erase: false,
      continueStroke: false,
    };
    service.paintStroke({ ...base, axis: 'y', index: 7, points: [30, 5] }); // column x, row z
    service.paintStroke({ ...base, axis: 'x', index: 9, points: [3, 6] }); // column y, row z
    expect(service.readLabelSlice(id, 'y', 7).data[5 * 48 + 30]).toBe(MATERIAL);
    expect(service.readLabelSlice(id, 'z', 5).data[7 * 48 + 30]).toBe(MATERIAL);
    expect(service.readLabelSlice(id, 'z', 6).data[3 * 48 + 9]).toBe(MATERIAL);
    const sphere = service.paintStroke({ ...base, axis: 'z', index: 12, points: [24, 20], radius: 2, mode: 'sphere' });
    expect(sphere.changed).toEqual({ start: [10, 18, 22], shape: [5, 5, 5] });
  });

  it('clips strokes outside the volume and joins a continued drag into one undo step', async () => {
    const { service, id } = await setup();
    const base = { volumeId: id, axis: 'z' as const, index: 0, mode: 'disc' as const, classId: MATERIAL, erase: false };
    expect(
      service.paintStroke({ ...base, points: [-50, -50, 500, -50], radius: 3, continueStroke: false }).voxels,
    ).toBe(0);
    expect(service.paintStroke({ ...base, index: 99, points: [5, 5], radius: 3, continueStroke: false }).voxels).toBe(
      0,
    );
    expect(
      service.paintStroke({ ...base, index: 99, points: [5, 5], radius: 3, mode: 'fill', continueStroke: false })
        .voxels,
    ).toBe(0);
    const edge = service.paintStroke({ ...base, points: [0, 0], radius: 2, continueStroke: false });
    expect(edge.changed).toEqual({ start: [0, 0, 0], shape: [1, 3, 3] });
    service.paintStroke({ ...base, points: [40, 30], radius: 2, continueStroke: true });
    expect(service.undoStroke(id)).toMatchObject({ voxels: 13 + edge.voxels, canUndo: false });
  });

  it('erases, and fills the connected area of equal label on a slice', async () => {
    const { service, id } = await setup();
    const base = { volumeId: id, axis: 'z' as const, index: 3, erase: false, continueStroke: false };
    service.paintStroke({ ...base, mode: 'disc', points: [24, 20], radius: 4, classId: MATERIAL });
    const fill = service.paintStroke({ ...base, mode: 'fill', points: [0, 0], radius: 0, classId: BACKGROUND });
    const slice = service.readLabelSlice(id, 'z', 3).data;
    expect(fill.voxels).toBe(48 * 40 - 49); // everything but the radius-4 disc (49 voxels)
    expect(slice[20 * 48 + 24]).toBe(MATERIAL);
    expect(slice[0]).toBe(BACKGROUND);
    service.paintStroke({ ...base, mode: 'disc', points: [24, 20], radius: 1, erase: true });
    expect(service.readLabelSlice(id, 'z', 3).data[20 * 48 + 24]).toBe(0);
  });
});

describe('training and prediction', () => {
  it('refuses to train with an empty class or fewer than two classes, with a clear message', async () => {
    const { service, id } = await setup();
    service.paintStroke({
      volumeId: id,
      axis: 'z',
      index: 12,
      points: [3, 3],
      radius: 2,
      mode: 'disc',
      classId: BACKGROUND,
      erase: false,
      continueStroke: false,
    });
    expect(() => service.train(id)).toThrow(/"Material 1" has no labelled voxels/);
    service.removeClass(id, MATERIAL);
    expect(() => service.train(id)).toThrow(/at least two classes/);
    expect(() => service.segmentAll(id)).toThrow(/no model yet/);
    expect(await service.readPredictionSlice(id, 'z', 12)).toBeNull();
  });

  it('paint → train → predicted slice gives the painted classes back at the painted voxels', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    const { result } = service.train(id, { seed: 3 });
    expect(service.segmentationState(id).running.train).toBeDefined();
    expect(await result).toBe(1);
    const labels = service.readLabelSlice(id, 'z', 12).data;
    const prediction = (await service.readPredictionSlice(id, 'z', 12))!;
    expect(prediction).toMatchObject({ width: 48, height: 40, modelVersion: 1 });
    let painted = 0;
    for (let i = 0; i < labels.length; i++)
      if (labels[i] !== 0) {
        painted++;
        expect(prediction.classes[i]).toBe(labels[i]);
      }
    expect(painted).toBeGreaterThan(50);
    // Elsewhere in the volume the ball is found too, and the model is sure far from the boundary.
    const other = (await service.readPredictionSlice(id, 'y', 20))!;
    expect(other.classes[12 * 48 + 24]).toBe(MATERIAL);
    expect(other.classes[2 * 48 + 2]).toBe(BACKGROUND);
    expect(other.uncertainty[12 * 48 + 24]).toBeLessThan(30);
    expect(service.segmentationState(id)).toMatchObject({ model: { version: 1, stale: false }, running: {} });
  });

  it('marks the model stale after a stroke; a training request while one runs waits, and the newest replaces a waiting one', async () => {
    const { service, jobs, id } = await setup();
    paintBothClasses(service, id);
    await service.train(id).result;
    service.paintStroke({
      volumeId: id,
      axis: 'z',
      index: 5,
      points: [3, 3],
      radius: 1,
      mode: 'disc',
      classId: BACKGROUND,
      erase: false,
      continueStroke: false,
    });
    expect(service.segmentationState(id).model?.stale).toBe(true);
    const running = service.train(id);
    const replaced = service.train(id);
    const newest = service.train(id);
    await expect(replaced.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await running.result).toBe(2);
    expect(await newest.result).toBe(3);
    expect(service.segmentationState(id)).toMatchObject({ model: { version: 3, stale: false }, running: {} });
    expect((await service.readPredictionSlice(id, 'z', 12))!.modelVersion).toBe(3);
    // Cancelling a running training keeps the model there was.
    const cancelledRun = service.train(id);
    jobs.cancel(cancelledRun.id);
    await expect(cancelledRun.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(service.segmentationState(id).model?.version).toBe(3);
  });

  it('stops a running preview for a newer request (its labels are older), but lets a full training finish', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    const older = service.train(id, { preview: true });
    const newer = service.train(id, { preview: true });
    await expect(older.result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await newer.result).toBe(1);
    const full = service.train(id);
    const preview = service.train(id, { preview: true });
    expect(await full.result).toBe(2);
    expect(await preview.result).toBe(3);
    expect(service.segmentationState(id).model).toMatchObject({ version: 3, preview: true });
  });

  it('accepts a predicted slice as labels in one undoable step, keeping the painted labels', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    await service.train(id).result;
    const before = service.readLabelSlice(id, 'z', 12).data;
    const prediction = (await service.readPredictionSlice(id, 'z', 12))!;
    const accepted = await service.acceptPrediction(id, { axis: 'z', index: 12 });
    expect(accepted.voxels).toBe(before.filter((v) => v === 0).length);
    const after = service.readLabelSlice(id, 'z', 12).data;
    for (let i = 0; i < after.length; i++) expect(after[i]).toBe(before[i] !== 0 ? before[i] : prediction.classes[i]);
    service.undoStroke(id);
    expect(service.readLabelSlice(id, 'z', 12).data).toEqual(before);
    const clipped = await service.acceptPrediction(id, { region: { start: [20, 30, 40], shape: [10, 20, 20] } });
    expect(clipped.changed).toEqual({ start: [20, 30, 40], shape: [4, 10, 8] });
    await expect(service.acceptPrediction(id, { region: { start: [30, 0, 0], shape: [2, 2, 2] } })).rejects.toThrow(
      /outside the volume/,
    );
  });
});

describe('segment all', () => {
  it('predicts the whole volume into a result that serves slices', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    await service.train(id).result;
    expect(await service.readSegmentationSlice(id, 'z', 12)).toBeNull();
    expect(await service.segmentAll(id).result).toBe(1);
    for (const [axis, index] of [
      ['z', 12],
      ['x', 30],
    ] as const) {
      const segmented = (await service.readSegmentationSlice(id, axis, index))!;
      const predicted = (await service.readPredictionSlice(id, axis, index))!;
      expect(segmented.classes).toEqual(predicted.classes);
    }
    expect(service.segmentationState(id).segmentation).toEqual({
      modelVersion: 1,
      stale: false,
      postprocess: [],
      smooth: false,
      surfaces: null,
      canUndoPostprocess: false,
    });
  });

  it('post-processes the result: views, probabilities and export follow it, and undo takes it back', async () => {
    const { service, id } = await setup();
    paintBothClasses(service, id);
    await service.train(id).result;
    expect(() => service.postprocessResult(id, 'undo')).toThrow(/no segment-all result/);
    await service.segmentAll(id).result;
    const before = (await service.readSegmentationSlice(id, 'z', 12))!.classes;
    expect(before[20 * SHAPE[2] + 24]).toBe(MATERIAL);
    // no ball of radius 10 fits in the ball of radius 9: the opening removes it all
    const step = { op: 'open', classValue: MATERIAL, radius: 10 } as const;
    expect(await service.postprocessResult(id, { add: step }).result).toBe(1);
    const opened = (await service.readSegmentationSlice(id, 'z', 12))!.classes;
    expect(opened.every((c) => c === BACKGROUND)).toBe(true);
    expect(service.segmentationState(id).segmentation).toMatchObject({ postprocess: [step], canUndoPostprocess: true });
    const { probabilities } = service.segmentationResult(id)!;
    const centre = { start: [12, 20, 24] as Vec3, shape: [1, 1, 1] as Vec3 };
    const channel = probabilities!.classes.indexOf(MATERIAL);
    expect((await probabilities!.channels[channel]!.read(centre))[0]).toBe(0);
    expect((await probabilities!.channels[1 - channel]!.read(centre))[0]).toBe(255);

    const folder = mkdtempSync(join(tmpdir(), 'tomoseg-postprocess-'));
    try {
      const path = join(folder, 'opened.zarr');
      await service.exportSegmentation({ volumeId: id, path, overwrite: false }).then((job) => job.result);
      const exported = await openVolume(path);
      const slice = await exported.read({ start: [12, 0, 0], shape: [1, SHAPE[1], SHAPE[2]] });
      await exported.close();
      expect(Array.from(slice)).toEqual(Array.from(opened));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    expect(await service.postprocessResult(id, 'undo').result).toBe(0);
    expect((await service.readSegmentationSlice(id, 'z', 12))!.classes).toEqual(before);
    expect(service.segmentationState(id).segmentation).toMatchObject({ postprocess: [], canUndoPostprocess: false });
    expect(() => service.postprocessResult(id, 'undo')).toThrow(/no post-processing to undo/);
  });

  it('cancels mid-run, keeping the previous state, and can run again', async () => {
    const { service, jobs, events, id } = await setup();
    paintBothClasses(service, id);
    await service.train(id).result;
    // cancelled on its first progress report short of the total, in the same turn of the event loop
    const seen: JobStatus[] = [];
    let cancelledAt: JobStatus | undefined;
    const stop = events.subscribe(({ job }) => {
      if (job.kind !== 'segment-all') return;
      seen.push(job);
      if (!cancelledAt && job.state === 'running' && job.done > 0 && job.done < job.total) {
        cancelledAt = job;
        jobs.cancel(job.id);
      }
    });
    const run = service.segmentAll(id);
    expect(() => service.segmentAll(id)).toThrow(/already running/);
    await expect(run.result).rejects.toMatchObject({ kind: 'cancelled' });
    stop();
    expect(cancelledAt).toMatchObject({ id: run.id });
    // it stopped where it was cancelled: no slab predicted after the cancel
    const last = seen.filter((job) => job.id === run.id).at(-1)!;
    expect(last).toMatchObject({ state: 'cancelled', done: cancelledAt!.done, total: cancelledAt!.total });
    expect(service.segmentationState(id)).toMatchObject({ segmentation: null, running: {} });
    expect(await service.readSegmentationSlice(id, 'z', 0)).toBeNull();
    await expect(service.segmentAll(id).result).resolves.toBe(1);
  });
});

describe('export', () => {
  it('refuses an output that exists before any training, and never replaces a folder it did not write', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tomoseg-export-'));
    try {
      const { service, id } = await setup();
      paintBothClasses(service, id);
      await service.train(id, { preview: true }).result;
      /** Exports, and waits until the service no longer counts the export as running. */
      const exported = async (args: { path: string; probabilities?: string; overwrite: boolean }): Promise<unknown> => {
        const result = await service
          .exportSegmentation({ volumeId: id, ...args })
          .then((job) => job.result)
          .catch((error: unknown) => error);
        await expect.poll(() => service.segmentationState(id).running.export).toBeUndefined();
        return result;
      };
      const file = join(folder, 'seg.tif');
      writeFileSync(file, 'old');
      expect(await exported({ path: file, overwrite: false })).toMatchObject({
        kind: 'exists',
        message: `${file}: already exists (choose another name or overwrite)`,
      });
      expect(readFileSync(file, 'utf8')).toBe('old');
      // refused before the full training an export of a preview model starts with
      expect(service.segmentationState(id).model).toMatchObject({ version: 1, preview: true });

      const theirs = join(folder, 'theirs.zarr');
      mkdirSync(theirs);
      writeFileSync(join(theirs, 'notes.txt'), 'mine');
      for (const args of [{ path: theirs }, { path: join(folder, 'new.tif'), probabilities: theirs }])
        expect(await exported({ ...args, overwrite: true })).toMatchObject({
          kind: 'conflict',
          message: `${theirs}: a folder Tomoseg did not write, so it is not replaced: choose another name, or move the folder away yourself`,
        });
      expect(readdirSync(theirs)).toEqual(['notes.txt']);

      // Its own outputs, and a file, are replaced when the user confirmed.
      const ours = join(folder, 'ours.zarr');
      expect(await exported({ path: ours, overwrite: false })).toBe(ours);
      expect(await exported({ path: ours, overwrite: true })).toBe(ours);
      expect(await exported({ path: file, overwrite: true })).toBe(file);
      expect(readFileSync(file).subarray(0, 2).toString('latin1')).toMatch(/II|MM/);
      expect(readdirSync(folder).sort()).toEqual(['ours.zarr', 'seg.tif', 'theirs.zarr']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('volumes', () => {
  it('forgets the segmentation of a volume closed elsewhere, and starts afresh for one reopened under the id', async () => {
    let volume: Volume | undefined = await twoPhaseVolume();
    const volumes = {
      get: (): Volume => {
        if (!volume) throw new TomosegError('not-found', 'no open volume with id v1');
        return volume;
      },
    };
    const service = new SegmentationService({
      volumes,
      jobs: new Jobs(new EventBus()),
      engine: new NearestMeanEngine(),
    });
    paintBothClasses(service, 'v1');
    await service.train('v1').result;
    volume = undefined;
    expect(() => service.segmentationState('v1')).toThrow(/no open volume/);
    volume = await twoPhaseVolume();
    expect(service.segmentationState('v1')).toMatchObject({ model: null, canUndo: false, labelled: { 1: 0, 2: 0 } });
  });
});

describe('arguments', () => {
  it('reach the service through dispatch, and bad ones fail as bad input naming the parameter', async () => {
    const volume = await twoPhaseVolume();
    const jobs = new Jobs(new EventBus());
    const volumes = {
      get: (volumeId: string): Volume => {
        if (volumeId !== 'v1') throw new TomosegError('not-found', `no open volume with id ${volumeId}`);
        return volume;
      },
    };
    const handlers = segmentationHandlers(
      new SegmentationService({ volumes, jobs, engine: new NearestMeanEngine() }),
    ) as Handlers;
    const call = (method: string, args: unknown) => dispatch(handlers, method, args);
    const stroke = { volumeId: 'v1', axis: 'z', index: 12, points: [24, 20], radius: 3, mode: 'disc', classId: 2 };
    expect(await call('paintStroke', stroke)).toMatchObject({ voxels: 29, canUndo: true });
    await expect(call('paintStroke', { ...stroke, classId: 300 })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/paintStroke: classId/),
    });
    await expect(call('paintStroke', { ...stroke, classId: 7 })).rejects.toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/no class with id 7/),
    });
    await expect(call('readLabelSlice', { volumeId: 'v1', axis: 'z', index: 24 })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/slice 24 is outside z = 0..23/),
    });
    await expect(call('train', { volumeId: 'nope' })).rejects.toMatchObject({ kind: 'not-found' });
    await expect(call('train', { volumeId: 'v1' })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/"Background" has no labelled voxels/),
    });
    await expect(call('exportSegmentation', { volumeId: 'v1', path: '/tmp/x.tif' })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/no model yet/),
    });
    await call('paintStroke', { ...stroke, points: [2, 2], classId: 1 });
    const { jobId } = (await call('train', { volumeId: 'v1' })) as { jobId: string };
    expect(jobs.cancel(jobId)).toBe(true);
  });

  it('are validated with clear messages', () => {
    const paint = segmentationArgs.paintStroke;
    const ok = { volumeId: 'v', axis: 'z', index: 0, points: [1, 2], mode: 'disc', classId: 1 };
    expect(paint.safeParse(ok).success).toBe(true);
    expect(paint.safeParse({ ...ok, classId: undefined }).error?.issues[0]?.message).toMatch(
      /classId to paint, or erase/,
    );
    expect(paint.safeParse({ ...ok, classId: undefined, erase: true }).success).toBe(true);
    expect(paint.safeParse({ ...ok, points: [1, 2, 3] }).error?.issues[0]?.message).toMatch(/pairs/);
    expect(paint.safeParse({ ...ok, classId: 0 }).success).toBe(false);
    expect(paint.safeParse({ ...ok, mode: 'sphere', radius: 65 }).error?.issues[0]?.message).toMatch(
      /at most 64 voxels/,
    );
    expect(segmentationArgs.acceptPrediction.safeParse({ volumeId: 'v', axis: 'z' }).success).toBe(false);
    expect(
      segmentationArgs.exportSegmentation.safeParse({ volumeId: 'v', path: 'seg.png' }).error?.issues[0]?.message,
    ).toMatch(/must end in .tif, .tiff \(TIFF stack\) or .zarr/);
    expect(
      segmentationArgs.exportSegmentation.safeParse({ volumeId: 'v', path: 'a/seg.TIF', probabilities: 'p.zarr' })
        .success,
    ).toBe(true);
    expect(segmentationArgs.recolourClass.safeParse({ volumeId: 'v', classId: 1, colour: 'red' }).success).toBe(false);
  });
});
