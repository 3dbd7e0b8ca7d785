// What can be known of a project file without writing to it (is it a Tomoseg project, of which
// schema version, intact, writable here), and errors of SQLite and the file system as a user reads
// them, naming the file.
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { TomosegError, badInput } from '../../shared/errors';
import type { LockHolder } from './lock';
import { APPLICATION_ID, REQUIRED_TABLES } from './migrations';

/**
 * Checks, without writing, that `target` is an intact Tomoseg project this version can read;
 * returns its schema version.
 */
export function inspect(target: string, shown: string, known: number): number {
  let size: number;
  try {
    const info = statSync(target);
    if (info.isDirectory()) throw badInput(`${shown} is a folder, not a Tomoseg project file`);
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TomosegError('not-found', `project file not found: ${shown}`);
    throw error;
  }
  if (size < 100 || !hasSqliteHeader(target))
    throw badInput(`${shown} is not a Tomoseg project (not a SQLite database)`);

  let probe: Database.Database | undefined;
  try {
    probe = new Database(target, { readonly: true, fileMustExist: true });
    const applicationId = probe.pragma('application_id', { simple: true }) as number;
    const version = probe.pragma('user_version', { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) throw badInput(`${shown} is a SQLite database but not a Tomoseg project`);
    if (version > known)
      throw new TomosegError(
        'unsupported',
        `${shown} was saved by a newer Tomoseg (project schema v${version}; this version reads up to v${known}). Update Tomoseg to open it; the file was left unchanged.`,
      );
    // integrity_check, not quick_check: only it sees a damaged index that drops rows (labels lost without a word)
    const check = probe.pragma('integrity_check', { simple: true }) as string;
    if (check !== 'ok') throw badInput(`${shown} is damaged (integrity check: ${check}); the file was left unchanged`);
    if (version === known) {
      const tables = new Set(
        probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
      );
      const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
      if (missing.length > 0)
        throw badInput(`${shown} is damaged: it lacks the table(s) ${missing.join(', ')}; the file was left unchanged`);
    }
    return version;
  } catch (error) {
    throw damaged(shown, error);
  } finally {
    probe?.close();
  }
}

function hasSqliteHeader(path: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.toString('latin1') === 'SQLite format 3\0';
}

/** Why this process cannot write the project where it is, or undefined when it can. */
export function unwritableReason(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    accessSync(dirname(path), constants.W_OK); // SQLite writes its journal next to the file
    return undefined;
  } catch {
    return 'the file or its folder is read-only';
  }
}

export function lockedNotice(holder: LockHolder): string {
  return `another Tomoseg (process ${holder.pid} on ${holder.hostname}) has it open for writing`;
}

export function backupName(path: string, version: number): string {
  const base = `${path}.schema-v${version}.bak`;
  return existsSync(base) ? `${path}.schema-v${version}.${Date.now()}.bak` : base;
}

/** SQLite's own errors say a file is damaged; ours pass through. */
export function damaged(shown: string, error: unknown): Error {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB')
    return badInput(`${shown} is not a Tomoseg project (not a SQLite database); the file was left unchanged`);
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_IOERR'))
    return badInput(`${shown} is damaged (${(error as Error).message}); the file was left unchanged`);
  return error as Error;
}

export function writeProblem(path: string, error: unknown): Error {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code))
    return new TomosegError('bad-input', `cannot write ${path}: the location is read-only or not allowed (${code})`);
  if (['ENOTDIR', 'EEXIST'].includes(code))
    return new TomosegError('bad-input', `cannot write ${path}: part of its folder path is a file, not a folder`);
  return error as Error;
}
