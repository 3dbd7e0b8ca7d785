import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { RecentList } from '../services/recent';
import { VolumeService } from '../services/volume-service';
import { createVolume } from './create';
import { FileSystemDeadline } from './deadline';
import { openVolume } from './open';
import { pattern, tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A call into a file system that answers only when `answer` is called. */
function hanging<T>(): { call: () => Promise<T>; answer: (value: T) => void; started: () => boolean } {
  let answer!: (value: T) => void;
  let started = false;
  const promise = new Promise<T>((resolve) => {
    answer = resolve;
  });
  const call = () => {
    started = true;
    return promise;
  };
  return { call, answer, started: () => started };
}

async function smallImage(name: string): Promise<string> {
  const path = join(dir, name);
  const shape: Vec3 = [2, 8, 8];
  const writer = await createVolume(path, { shape, dtype: 'uint8' });
  await writer.write({ start: [0, 0, 0], shape }, pattern('uint8', shape));
  await writer.commit();
  return path;
}

const shareOrLocal = (path: string) => (path.startsWith('/share/') ? '/share' : '/');

const openThrough = async (deadline: FileSystemDeadline, path: string): Promise<Vec3> => {
  const volume = await deadline.run(path, () => openVolume(path));
  await volume.close();
  return volume.shape;
};

describe('FileSystemDeadline', () => {
  it('tells the callers of a mount that does not answer, and reads other mounts as usual', async () => {
    const deadline = new FileSystemDeadline({ ms: 100, perMount: 2, mountOf: shareOrLocal });
    const image = await smallImage('image.tif');
    const share = Array.from({ length: 5 }, () => hanging<string>());
    const outcomes = share.map((s, k) => deadline.run(`/share/scan${k}.tif`, s.call).catch((e: unknown) => e));
    // two run (each would hold an I/O thread), three wait their turn
    expect(share.map((s) => s.started())).toEqual([true, true, false, false, false]);
    expect(await openThrough(deadline, image)).toEqual([2, 8, 8]);
    const messages = (await Promise.all(outcomes)).map((e) => (e as Error).message);
    expect(messages).toEqual([
      '/share/scan0.tif: the file system did not answer within 100 ms (a slow or unreachable network share?); try again when it answers',
      '/share/scan1.tif: the file system did not answer within 100 ms (a slow or unreachable network share?); try again when it answers',
      ...[2, 3, 4].map(
        (k) =>
          `/share/scan${k}.tif: not tried: a call to /share still waits for an answer (a slow or unreachable network share?); try again when it answers`,
      ),
    ]);
    expect(share.map((s) => s.started())).toEqual([true, true, false, false, false]);
    expect(await openThrough(deadline, image)).toEqual([2, 8, 8]);
  });

  it('refuses new calls to a mount at once while one is overdue, and takes them again once it answers', async () => {
    const deadline = new FileSystemDeadline({ ms: 50, mountOf: shareOrLocal });
    const stuck = hanging<{ close(): void }>();
    const closed: string[] = [];
    await expect(deadline.run('/share/a.tif', stuck.call, (late) => late.close())).rejects.toMatchObject({
      kind: 'timeout',
    });
    const next = hanging<string>();
    await expect(deadline.run('/share/b.tif', next.call)).rejects.toMatchObject({
      kind: 'timeout',
      message: expect.stringContaining('/share/b.tif: not tried: a call to /share still waits'),
    });
    expect(next.started()).toBe(false); // refused before it could take one more thread

    // the share answers after all: what the overdue call opened is closed, nobody waits for it
    stuck.answer({ close: () => closed.push('a.tif') });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toEqual(['a.tif']);
    await expect(deadline.run('/share/b.tif', () => Promise.resolve('read'))).resolves.toBe('read');
  });

  it('passes a call that answers in time through unchanged, errors included', async () => {
    const deadline = new FileSystemDeadline({ ms: 5000 });
    await expect(deadline.run('/x', () => Promise.resolve(7))).resolves.toBe(7);
    const missing = join(dir, 'missing.tif');
    await expect(deadline.run(missing, () => openVolume(missing))).rejects.toMatchObject({ kind: 'not-found' });
  });

  it.runIf(process.platform === 'linux')('groups calls by the mount in the system table', async () => {
    const deadline = new FileSystemDeadline({ ms: 50, perMount: 1 });
    await expect(deadline.run('/proc/self/status', hanging<string>().call)).rejects.toMatchObject({ kind: 'timeout' });
    await expect(deadline.run('/proc/version', () => Promise.resolve('v'))).rejects.toMatchObject({
      message: expect.stringContaining('a call to /proc still waits'),
    });
    expect(await openThrough(deadline, await smallImage('elsewhere.tif'))).toEqual([2, 8, 8]);
  });
});

describe('VolumeService', () => {
  it('opens volumes through a deadline', async () => {
    const image = await smallImage('service.tif');
    // no turns at all: the open can only end by its deadline
    const service = new VolumeService(new RecentList(join(dir, 'recent.json')), { deadline: { ms: 50, perMount: 0 } });
    await expect(service.openPath(image, false)).rejects.toMatchObject({
      kind: 'timeout',
      message: `${image}: the file system did not answer within 50 ms (a slow or unreachable network share?); try again when it answers`,
    });
  });
});
