// Atomic outputs: everything is written under a temporary name beside the destination and renamed
// into place only when complete, so a crash or a cancel never leaves a half-written volume.
import { randomBytes } from 'node:crypto';
import { access, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TomosegError } from '../../shared/errors';

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** A hidden sibling name for work in progress on `path`. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
}

export async function refuseExisting(path: string, force: boolean | undefined): Promise<void> {
  if (!force && (await exists(path)))
    throw new TomosegError('conflict', `${path}: already exists (choose another name or overwrite)`);
}

/** Moves the finished `temp` to `path`, replacing what is there (files and folders alike). */
export async function publish(temp: string, path: string): Promise<void> {
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
