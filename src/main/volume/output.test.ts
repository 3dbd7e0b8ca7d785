import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { createVolume } from './create';
import { OUTPUT_MARKER, publish, refuseExisting, removeLeftovers, temporaryPath } from './output';
import { pattern, tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder Tomoseg did not write, with a file of the user's inside. */
function foreignFolder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'notes.txt'), 'mine');
  return path;
}

/** A finished folder output under its temporary name. */
function finishedFolder(path: string, content: string): string {
  const temp = temporaryPath(path);
  mkdirSync(temp);
  writeFileSync(join(temp, 'data'), content);
  return temp;
}

describe('outputs', () => {
  it('refuses an output that exists unless told to overwrite, naming it', async () => {
    const file = join(dir, 'exists.tif');
    writeFileSync(file, 'old');
    await expect(refuseExisting(file, false)).rejects.toMatchObject({
      kind: 'exists',
      message: `${file}: already exists (choose another name or overwrite)`,
    });
    await expect(refuseExisting(file, true)).resolves.toBeUndefined();
    await expect(refuseExisting(join(dir, 'new.tif'), false)).resolves.toBeUndefined();
  });

  it('never replaces a folder it did not write, even when told to overwrite', async () => {
    const path = foreignFolder('foreign.zarr');
    const empty = join(dir, 'empty.zarr');
    mkdirSync(empty);
    for (const folder of [path, empty])
      await expect(refuseExisting(folder, true)).rejects.toMatchObject({
        kind: 'conflict',
        message: expect.stringMatching(new RegExp(`^${folder}: a folder Tomoseg did not write`)) as unknown,
      });
    // Nor when it appears while the output is written: publish checks again.
    const temp = finishedFolder(path, 'new');
    await expect(publish(temp, path)).rejects.toMatchObject({ kind: 'conflict' });
    const file = join(dir, 'file.partial');
    writeFileSync(file, 'x');
    await expect(publish(file, path)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(publish(finishedFolder(empty, 'new'), empty)).rejects.toMatchObject({ kind: 'conflict' });
    expect(readFileSync(join(path, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(path)).toEqual(['notes.txt']);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('marks the folders it writes, and replaces only those', async () => {
    const path = join(dir, 'own.zarr');
    await publish(finishedFolder(path, 'first'), path);
    expect(existsSync(join(path, OUTPUT_MARKER))).toBe(true);
    await expect(refuseExisting(path, false)).rejects.toMatchObject({ kind: 'exists' });
    await expect(refuseExisting(path, true)).resolves.toBeUndefined();
    await publish(finishedFolder(path, 'second'), path);
    expect(readFileSync(join(path, 'data'), 'utf8')).toBe('second');
    expect(readdirSync(dir).filter((n) => n.includes('own.zarr.partial'))).toEqual([]);
  });

  it('replaces a file when told to overwrite', async () => {
    const path = join(dir, 'replace.tif');
    writeFileSync(path, 'old');
    const temp = temporaryPath(path);
    writeFileSync(temp, 'new');
    await publish(temp, path);
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('an OME-Zarr written over a foreign folder is refused before any work, and over its own replaced', async () => {
    const shape: Vec3 = [4, 6, 8];
    const path = foreignFolder('image.zarr');
    await expect(createVolume(path, { shape, dtype: 'uint8', force: true })).rejects.toMatchObject({
      kind: 'conflict',
    });
    expect(readdirSync(path)).toEqual(['notes.txt']);
    expect(readdirSync(dir).filter((n) => n.includes('image.zarr.partial'))).toEqual([]);

    const own = join(dir, 'own-image.zarr');
    for (const force of [false, true]) {
      const writer = await createVolume(own, { shape, dtype: 'uint8', force });
      await writer.write({ start: [0, 0, 0], shape }, pattern('uint8', shape));
      await writer.commit();
    }
    expect(readdirSync(own)).toContain(OUTPUT_MARKER);
  });

  it("removes what a killed run left of the same output, never a live run's or another host's", async () => {
    const path = join(dir, 'killed.seg.zarr');
    // a process that has exited: its pid names no live process (pids are not reused at once)
    const gone = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    const leftover = join(dir, `.killed.seg.zarr.partial-${host}-${gone}-0123abcd`);
    const live = temporaryPath(path);
    const elsewhere = join(dir, `.killed.seg.zarr.partial-${host}x-${gone}-0123abcd`);
    const other = join(dir, `.killed2.seg.zarr.partial-${host}-${gone}-0123abcd`);
    for (const folder of [leftover, live, elsewhere, other]) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'chunk'), 'half');
    }
    expect(await removeLeftovers(path)).toEqual([leftover]);
    expect([leftover, live, elsewhere, other].map((p) => existsSync(p))).toEqual([false, true, true, true]);
    // every writer checks its destination first, so the next run to it clears the leftovers
    mkdirSync(leftover);
    await refuseExisting(path, false);
    expect(existsSync(leftover)).toBe(false);
  });
});
