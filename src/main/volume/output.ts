// Atomic outputs: everything is written under a temporary name beside the destination and renamed
// into place only when complete, so a crash or a cancel never leaves a half-written volume. An
// output that exists is replaced only when the caller says so (the user confirmed), and a folder
// only when Tomoseg wrote it: its marker file says so. A folder of the user's is never deleted.
import { randomBytes } from 'node:crypto';
import { type Stats } from 'node:fs';
import { access, lstat, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TomosegError } from '../../shared/errors';

/** The file in every folder Tomoseg writes (an OME-Zarr): only a folder holding it may be replaced. */
export const OUTPUT_MARKER = '.tomoseg-output';
const MARKER_TEXT =
  'Written by Tomoseg. Tomoseg replaces this folder only when told to overwrite it, and no folder without this file.\n';

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** A hidden sibling name for work in progress on `path`. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
}

/** Refuses an output that exists, unless `force`; even then, a folder Tomoseg did not write. */
export async function refuseExisting(path: string, force: boolean | undefined): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (!info) return;
  if (!force) throw new TomosegError('conflict', `${path}: already exists (choose another name or overwrite)`);
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
