// The engine in worker threads gives what it gives in the calling thread, reads and writes the
// caller's volume and outputs, and stops when aborted.
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import type { LabelledVoxels } from '../labels';
import type { RegionWriter } from '../volume/spec';
import { engine } from './engine-adapter';
import { WorkerEngine } from './worker-engine';

const SHAPE: Vec3 = [12, 24, 28];
/** Dark and bright slabs along x with deterministic noise, enough that some voxels' grey values overlap (smoothing changes something). */
const data = Uint8Array.from({ length: SHAPE[0] * SHAPE[1] * SHAPE[2] }, (_, i) => {
  const x = i % SHAPE[2];
  return (Math.floor(x / 7) % 2 === 1 ? 120 : 60) + ((i * 7919) % 81);
});
const volume = new MemoryVolume(data, SHAPE, 'slabs');
/** A line of labels across the middle of a dark (value 1) and a bright (value 3) slab on slice z = 6. */
const labels: LabelledVoxels = (() => {
  const indices: number[] = [];
  const classes: number[] = [];
  for (const [x, value] of [
    [3, 1],
    [10, 3],
  ] as const)
    for (let y = 4; y < 20; y++) {
      indices.push((6 * SHAPE[1] + y) * SHAPE[2] + x);
      classes.push(value);
    }
  const order = indices.map((_, i) => i).sort((a, b) => indices[a]! - indices[b]!);
  return { indices: Float64Array.from(order, (i) => indices[i]!), classes: Uint8Array.from(order, (i) => classes[i]!) };
})();
const classNames = new Map([
  [1, 'dark'],
  [3, 'bright'],
]);
const run = () => ({ signal: new AbortController().signal, progress: () => undefined });

/** Collects what the engine writes, per channel, into arrays of the whole volume. */
function collector(): RegionWriter & { channels: Map<number, Uint8Array> } {
  const channels = new Map<number, Uint8Array>();
  return {
    channels,
    write: async (region: Region, values: TypedArray, channel = 0) => {
      const target = channels.get(channel) ?? new Uint8Array(data.length);
      channels.set(channel, target);
      const [z0, y0, x0] = region.start;
      const [dz, dy, dx] = region.shape;
      let i = 0;
      for (let z = z0; z < z0 + dz; z++)
        for (let y = y0; y < y0 + dy; y++)
          for (let x = x0; x < x0 + dx; x++) target[(z * SHAPE[1] + y) * SHAPE[2] + x] = values[i++]!;
    },
  };
}

describe('WorkerEngine', () => {
  const workers = new WorkerEngine({ liveThreads: 2 });
  afterAll(() => workers.close());

  it('trains and predicts as the engine does in the calling thread', async () => {
    const options = { seed: 3, preview: true, classNames, ...run() };
    const [here, there] = await Promise.all([
      engine.train(volume, labels, options),
      workers.train(volume, labels, options),
    ]);
    expect(there).toEqual(here);
    expect(workers.classesOf(there)).toEqual([1, 3]);
    const slice: Region = { start: [0, 5, 0], shape: [SHAPE[0], 1, SHAPE[2]] };
    const predicted = await workers.predictRegion(there, volume, slice);
    expect(predicted).toEqual(await engine.predictRegion(here, volume, slice));
    // Two calls at once go to both workers and still each get their own answer.
    const other: Region = { start: [2, 0, 0], shape: [1, SHAPE[1], SHAPE[2]] };
    const [a, b] = await Promise.all([
      workers.predictRegion(there, volume, slice),
      workers.predictRegion(there, volume, other),
    ]);
    expect(a).toEqual(predicted);
    expect(b).toEqual(await engine.predictRegion(here, volume, other));
  });

  it('keeps a previewed slice’s smoothing across calls, for the preview after a retrain', async () => {
    const reads: Region[] = [];
    const counted = Object.assign(new MemoryVolume(data, SHAPE, 'slabs'), {
      read(region: Region) {
        reads.push(region);
        return MemoryVolume.prototype.read.call(this, region);
      },
    });
    const first = await workers.train(counted, labels, { seed: 3, preview: true, classNames, ...run() });
    const retrained = await workers.train(counted, labels, { seed: 4, preview: true, classNames, ...run() });
    expect(retrained).not.toEqual(first);
    const slice: Region = { start: [0, 5, 0], shape: [SHAPE[0], 1, SHAPE[2]] };
    await workers.predictRegion(first, counted, slice);
    const readBefore = reads.length;
    expect(readBefore).toBeGreaterThan(0);
    const after = await workers.predictRegion(retrained, counted, slice);
    expect(reads.length).toBe(readBefore); // the worker read nothing: it kept the slice's smoothing
    expect(after).toEqual(await engine.predictRegion(retrained, new MemoryVolume(data, SHAPE), slice));
  });

  it('predicts the whole volume in the background into the caller’s outputs', async () => {
    const model = await workers.train(volume, labels, { seed: 3, preview: true, classNames, ...run() });
    const expected = { classes: collector(), probabilities: collector() };
    await engine.predictVolume(model, volume, expected, { threads: 0, ...run() });
    const got = { classes: collector(), probabilities: collector() };
    let done = 0;
    await workers.predictVolume(model, volume, got, {
      threads: 1,
      signal: new AbortController().signal,
      progress: (d) => (done = d),
    });
    expect(done).toBe(data.length);
    expect(got.classes.channels).toEqual(expected.classes.channels);
    expect(got.probabilities.channels).toEqual(expected.probabilities.channels);
    // The painted slabs come back as their classes.
    const classes = got.classes.channels.get(0)!;
    expect(classes[(6 * SHAPE[1] + 12) * SHAPE[2] + 3]).toBe(1);
    expect(classes[(6 * SHAPE[1] + 12) * SHAPE[2] + 10]).toBe(3);
    // smoothing reaches the worker: as in the calling thread, and not the unsmoothed result
    const smoothedHere = { classes: collector() };
    await engine.predictVolume(model, volume, smoothedHere, { threads: 0, smooth: true, ...run() });
    const smoothedThere = { classes: collector() };
    await workers.predictVolume(model, volume, smoothedThere, { threads: 1, smooth: true, ...run() });
    expect(smoothedThere.classes.channels).toEqual(smoothedHere.classes.channels);
    expect(smoothedThere.classes.channels).not.toEqual(got.classes.channels);
    // probabilities alone (what surfaces are made from): the same, and no labels asked for
    const alone = { probabilities: collector() };
    await workers.predictVolume(model, volume, alone, { threads: 1, ...run() });
    expect(alone.probabilities.channels).toEqual(expected.probabilities.channels);
  });

  it('pauses a whole-volume prediction while the user is active, and stops it when aborted meanwhile', async () => {
    let active = true;
    const waiting: (() => void)[] = [];
    // what happens, in order: the waits for the user, the volume's reads, the user going idle
    const log: string[] = [];
    const user = {
      idle: (signal?: AbortSignal) =>
        new Promise<void>((resolve) => {
          log.push('wait');
          if (!active) return resolve();
          waiting.push(resolve);
          signal?.addEventListener('abort', () => resolve());
        }),
    };
    class LoggedVolume extends MemoryVolume {
      override read(region: Region): Promise<TypedArray> {
        log.push('read');
        return super.read(region);
      }
    }
    const pausing = new WorkerEngine({ liveThreads: 1, user });
    try {
      const model = await pausing.train(volume, labels, { seed: 3, preview: true, classNames, ...run() });
      const got = { classes: collector() };
      const logged = new LoggedVolume(data, SHAPE, 'slabs');
      const prediction = pausing.predictVolume(model, logged, got, { threads: 1, ...run() });
      // its first read waits for the user (the worker takes a moment to start): nothing is read
      // before the wait, nor written
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0), { timeout: 20_000 });
      expect(log.filter((event) => event !== 'wait')).toEqual([]);
      expect(got.classes.channels.size).toBe(0);
      active = false;
      log.push('idle');
      for (const resume of waiting.splice(0)) resume();
      await prediction;
      expect(log.indexOf('read')).toBeGreaterThan(log.indexOf('idle'));
      expect(got.classes.channels.get(0)!.filter((v) => v === 0)).toHaveLength(0);

      active = true;
      const controller = new AbortController();
      const stopped = pausing.predictVolume(
        model,
        volume,
        { classes: collector() },
        {
          threads: 1,
          signal: controller.signal,
          progress: () => undefined,
        },
      );
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0), { timeout: 20_000 });
      controller.abort(); // the user still active: the cancel must not wait for them
      await expect(stopped).rejects.toMatchObject({ kind: 'cancelled' });
    } finally {
      await pausing.close();
    }
  });

  it('stops a training when aborted and keeps working afterwards', async () => {
    const controller = new AbortController();
    const training = workers.train(volume, labels, {
      classNames,
      signal: controller.signal,
      progress: (_done, _total, message) => {
        if (message === 'training') controller.abort();
      },
    });
    await expect(training).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(
      workers.train(volume, labels, { seed: 3, preview: true, classNames, ...run() }),
    ).resolves.toBeDefined();
  });

  it('passes on a failed read as the call’s error', async () => {
    const model = await workers.train(volume, labels, { seed: 3, preview: true, classNames, ...run() });
    const broken = Object.assign(Object.create(volume) as MemoryVolume, {
      read: () => Promise.reject(new Error('disk unplugged')),
    });
    await expect(workers.predictRegion(model, broken, { start: [0, 0, 0], shape: [1, 4, 4] })).rejects.toThrow(
      'disk unplugged',
    );
  });
});
