// Atomic outputs: everything is written under a temporary name beside the destination and renamed
// into place only when complete, so a crash or a cancel never leaves a half-written volume. An
// output that exists is replaced only when the caller says so (the user confirmed), and a folder
// only when Tomoseg wrote it: its marker file says so. A folder of the user's is never deleted.
// A run killed mid-write (SIGKILL, a crash, a node failure) leaves its temporary output behind:
// its name says which host and process wrote it, so the next run to the same destination removes
// it once that process is gone.
import { randomBytes } from 'node:crypto';
import { type Stats } from 'node:fs';
import { access, lstat, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TomosegError } from '../../shared/errors';
import { processExists } from '../processes';

/** The file in every folder Tomoseg writes (an OME-Zarr): only a folder holding it may be replaced. */
export const OUTPUT_MARKER = '.tomoseg-output';
const MARKER_TEXT =
  'Written by Tomoseg. Tomoseg replaces this folder only when told to overwrite it, and no folder without this file.\n';

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** A hidden sibling name for work in progress on `path`, naming this host and process. */
export function temporaryPath(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.partial-${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** The host name as it may stand in a file name. */
const hostTag = (): string => hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';

/**
 * Removes what runs on this host left of `path` when they were killed mid-write (their process is
 * gone), and returns their paths. Work in progress of a live process, or of another host (a
 * shared file system), is left alone.
 */
export async function removeLeftovers(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}.partial-${hostTag()}-`;
  const names = await readdir(dirname(path)).catch(() => []);
  const removed: string[] = [];
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid === undefined || processExists(Number(pid))) continue;
    await rm(join(dirname(path), name), { recursive: true, force: true });
    removed.push(join(dirname(path), name));
  }
  return removed;
}

/**
 * Refuses an output that exists, unless `force`; even then, a folder Tomoseg did not write. Removes
 * the leftovers of killed runs to the same output first (removeLeftovers).
 */
export async function refuseExisting(path: string, force: boolean | undefined): Promise<void> {
  await removeLeftovers(path);
  const info = await lstat(path).catch(() => null);
  if (!info) return;
  if (!force) throw new TomosegError('exists', `${path}: already exists (choose another name or overwrite)`);
  await refuseForeignFolder(path, info);
}

/**
 * Moves the finished `temp` to `path`, replacing what is there: a file, a link, or a folder Tomoseg
 * wrote. A folder output is marked as Tomoseg's first.
 */
export async function publish(temp: string, path: string): Promise<void> {
  if ((await lstat(temp)).isDirectory()) await writeFile(join(temp, OUTPUT_MARKER), MARKER_TEXT);
  // Checked again: the folder may have appeared while the output was written.
  const existing = await lstat(path).catch(() => null);
  if (existing) await refuseForeignFolder(path, existing);
  try {
    await rename(temp, path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw error;
    // A folder cannot be renamed over another: move the old one aside first, then delete it.
    const old = temporaryPath(path);
    await rename(path, old);
    await rename(temp, path);
    await rm(old, { recursive: true, force: true });
  }
}

async function refuseForeignFolder(path: string, info: Stats): Promise<void> {
  if (!info.isDirectory()) return;
  const marker = await lstat(join(path, OUTPUT_MARKER)).catch(() => null);
  if (marker?.isFile()) return;
  throw new TomosegError(
    'conflict',
    `${path}: a folder Tomoseg did not write, so it is not replaced: choose another name, or move the folder away yourself`,
  );
}
