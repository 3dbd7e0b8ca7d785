import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportAdvice, JobStatus } from '../../shared/api';
import type { TomosegError } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { fingerprint as projectFingerprint } from '../project/fingerprint';
import { EventBus } from '../services/events';
import { Jobs } from '../services/jobs';
import { RecentList } from '../services/recent';
import { VolumeService } from '../services/volume-service';
import { runHelper } from '../testing/nobody';
import { createVolume } from './create';
import { importToZarr } from './import';
import { importAdvice } from './import-advice';
import { openVolume } from './open';
import { fingerprint, pattern, readAll, sameBytes, tempDir } from './testing/data';

const HELPER = join(import.meta.dirname, 'import-advice.test-helper.ts');
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shape: Vec3 = [40, 50, 30];

async function tiffStack(name: string): Promise<string> {
  const path = join(dir, name);
  const writer = await createVolume(path, { shape, dtype: 'uint16', voxelSize: [3, 1.5, 1.5], unit: 'micrometer' });
  await writer.write({ start: [0, 0, 0], shape }, pattern('uint16', shape));
  await writer.commit();
  return path;
}

describe('importToZarr', () => {
  it('converts a TIFF stack to a chunked OME-Zarr with a pyramid, reporting progress', async () => {
    const source = await tiffStack('stack.tif');
    const before = fingerprint(source);
    const dest = join(dir, 'stack.zarr');
    const reports: [number, number][] = [];
    await importToZarr(source, dest, {
      chunkShape: [16, 16, 16],
      progress: (done, total) => reports.push([done, total]),
    });
    const volume = await openVolume(dest);
    expect(volume).toMatchObject({
      format: 'OME-Zarr 0.5',
      shape,
      chunkShape: [16, 16, 16],
      voxelSize: [3, 1.5, 1.5],
      unit: 'micrometer',
    });
    expect(volume.levels?.map((l) => l.shape)).toEqual([shape, [20, 25, 15], [10, 13, 8]]);
    expect(sameBytes(await readAll(volume), pattern('uint16', shape))).toBe(true);
    await volume.close();
    expect(reports.length).toBeGreaterThan(3);
    expect(reports.every(([done], i) => i === 0 || done >= reports[i - 1]![0])).toBe(true);
    expect(reports.at(-1)![0]).toBe(reports.at(-1)![1]);
    expect(fingerprint(source)).toBe(before);
  });

  it('gives a copy with the project fingerprint of its source, so a project hands the labels over to it', async () => {
    const source = await tiffStack('labelled.tif');
    await importToZarr(source, join(dir, 'labelled.zarr'), { chunkShape: [16, 16, 16] });
    const [tiff, zarr] = await Promise.all([openVolume(source), openVolume(join(dir, 'labelled.zarr'))]);
    expect(await projectFingerprint(zarr)).toEqual(await projectFingerprint(tiff));
    await Promise.all([tiff.close(), zarr.close()]);
  });

  it('stops when cancelled and leaves no output, partial or final', async () => {
    const source = await tiffStack('cancel.tif');
    const dest = join(dir, 'cancel.zarr');
    const controller = new AbortController();
    const run = importToZarr(source, dest, {
      chunkShape: [8, 8, 8],
      signal: controller.signal,
      progress: (done) => done === 3 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ kind: 'cancelled' });
    expect(readdirSync(dir).filter((n) => n.includes('cancel.zarr'))).toEqual([]);
  });

  it('runs as a job from the volume service, with progress events', async () => {
    const source = await tiffStack('job.tif');
    const events = new EventBus();
    const seen: JobStatus[] = [];
    events.subscribe((event) => seen.push(event.job));
    const jobs = new Jobs(events);
    const service = new VolumeService(new RecentList(join(dir, 'recent.json')));
    const dest = join(dir, 'job.zarr');
    const { jobId } = await service.importVolume(jobs, source, dest, false);
    await expect.poll(() => seen.at(-1)?.state, { timeout: 30_000 }).toBe('done');
    expect(seen.every((job) => job.id === jobId && job.kind === 'import')).toBe(true);
    expect(seen.some((job) => job.state === 'running' && job.total > 0)).toBe(true);

    const opened = await service.openPath(dest, false);
    expect(service.levels(opened.id)).toEqual([{ shape, voxelSize: [3, 1.5, 1.5] }]);
    await expect(service.readSlice(opened.id, 'z', 0, 1)).rejects.toThrow(`level 1 does not exist: ${dest} has 1`);
    await service.close(opened.id);

    // A pyramid serves coarse slices for fast browsing.
    const pyramid = await service.openPath(join(dir, 'stack.zarr'), false);
    expect(service.levels(pyramid.id).map((l) => l.shape)).toEqual([shape, [20, 25, 15], [10, 13, 8]]);
    const coarse = await service.readSlice(pyramid.id, 'y', 4, 1);
    expect([coarse.width, coarse.height]).toEqual([15, 20]);
    await service.close(pyramid.id);
  });
});

describe('importVolume over what exists', () => {
  let stack: string | undefined;
  /** The import job's end, or how it was refused before it started (an output in the way). */
  async function importJob(
    dest: string,
    overwrite: boolean,
    source?: string,
  ): Promise<JobStatus | { state: 'refused'; kind: string; error: string }> {
    const events = new EventBus();
    let last: JobStatus | undefined;
    events.subscribe((event) => (last = event.job));
    const service = new VolumeService(new RecentList(join(dir, 'recent-overwrite.json')));
    try {
      await service.importVolume(new Jobs(events), source ?? (stack ??= await tiffStack('over.tif')), dest, overwrite);
    } catch (error) {
      return { state: 'refused', kind: (error as TomosegError).kind, error: (error as Error).message };
    }
    await expect.poll(() => last?.state, { timeout: 30_000 }).not.toBe('running');
    return last!;
  }

  it('refuses a folder that exists, and even when told to overwrite, one Tomoseg did not write', async () => {
    const dest = join(dir, 'theirs.zarr');
    mkdirSync(dest);
    writeFileSync(join(dest, 'notes.txt'), 'mine');
    expect(await importJob(dest, false)).toMatchObject({
      state: 'refused',
      kind: 'exists',
      error: `${dest}: already exists (choose another name or overwrite)`,
    });
    const forced = await importJob(dest, true);
    expect(forced).toMatchObject({ state: 'refused', kind: 'conflict' });
    expect(forced.error).toMatch(new RegExp(`^${dest}: a folder Tomoseg did not write, so it is not replaced`));
    expect(readdirSync(dest)).toEqual(['notes.txt']);
    expect(readFileSync(join(dest, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(dir).filter((n) => n.includes('theirs.zarr.partial'))).toEqual([]);
  });

  it('replaces a copy it wrote when told to overwrite', async () => {
    const dest = join(dir, 'ours.zarr');
    expect(await importJob(dest, false)).toMatchObject({ state: 'done' });
    expect(await importJob(dest, false)).toMatchObject({ state: 'refused', kind: 'exists' });
    expect(await importJob(dest, true)).toMatchObject({ state: 'done' });
    const volume = await openVolume(dest);
    expect(sameBytes(await readAll(volume), pattern('uint16', shape))).toBe(true);
    await volume.close();
  });

  it('never writes over its source', async () => {
    const dest = join(dir, 'self.zarr');
    expect(await importJob(dest, false)).toMatchObject({ state: 'done' });
    expect(await importJob(dest, true, dest)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/is also the source/) as unknown,
    });
  });
});

describe('importAdvice', () => {
  const fallbackDir = join(dir, 'converted');

  it('advises converting a TIFF stack from the size on where slicing across its pages is slow', async () => {
    const source = await tiffStack('advice.tif');
    const bytes = 40 * 50 * 30 * 2;
    const volume = await openVolume(source);
    expect(await importAdvice(volume, { slowBytes: bytes, fallbackDir })).toEqual({
      slow: true,
      sliceBySlice: true,
      bytes,
      format: volume.format,
      dest: join(dir, 'advice.zarr'),
    });
    expect(await importAdvice(volume, { slowBytes: bytes + 1, fallbackDir })).toMatchObject({
      slow: false,
      sliceBySlice: true,
    });
    await volume.close();
  });

  it('never advises converting a chunked Zarr, and picks a free name for the copy', async () => {
    const source = await tiffStack('chunked.tif');
    await importToZarr(source, join(dir, 'chunked.zarr'), { chunkShape: [16, 16, 16] });
    const volume = await openVolume(join(dir, 'chunked.zarr'));
    expect(await importAdvice(volume, { slowBytes: 1, fallbackDir })).toMatchObject({
      slow: false,
      sliceBySlice: false,
      dest: join(dir, 'chunked-2.zarr'),
    });
    await volume.close();
  });

  // Looked at from another process, which is nobody where the tests run as root (root may write anywhere).
  it('puts the copy in its own folder when the source folder is read-only', async () => {
    const folder = join(dir, 'read-only');
    mkdirSync(folder);
    const source = await tiffStack('read-only/stack.tif');
    const fallback = join(dir, 'fallback');
    mkdirSync(fallback);
    // Open to whoever looks: only the source folder's own mode differs between the two answers.
    for (const d of [dir, folder, fallback]) chmodSync(d, 0o777);
    const advice = async (): Promise<string> =>
      (JSON.parse(await runHelper(HELPER, [source, fallback])) as ImportAdvice).dest;
    expect(await advice()).toBe(join(folder, 'stack.zarr'));
    chmodSync(folder, 0o555);
    try {
      expect(await advice()).toBe(join(fallback, 'stack.zarr'));
    } finally {
      chmodSync(folder, 0o755);
    }
  });
});
