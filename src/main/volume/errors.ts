import { TomosegError, badInput } from '../../shared/errors';

/** A problem with the user's file or folder: the message names it first. */
export const fileProblem = (path: string, problem: string): TomosegError => badInput(`${path}: ${problem}`);

/** A valid file that uses something we do not read (codec, dtype, layout). */
export const unsupported = (path: string, what: string): TomosegError =>
  new TomosegError('unsupported', `${path}: ${what} is not supported`);

/** Wraps a low-level failure (fs, codec) so the message says which file or chunk failed. */
export function explain(path: string, error: unknown, problem = 'cannot be read'): TomosegError {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return new TomosegError('not-found', `${path}: does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return fileProblem(path, 'permission denied');
  return fileProblem(path, `${problem} (${detail})`);
}
