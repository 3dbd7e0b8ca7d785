import { dirname } from 'node:path';
import { TomosegError, badInput } from '../../shared/errors';

/** A problem with the user's file or folder: the message names it first. */
export const fileProblem = (path: string, problem: string): TomosegError => badInput(`${path}: ${problem}`);

/** A valid file that uses something we do not read (codec, dtype, layout). */
export const unsupported = (path: string, what: string): TomosegError =>
  new TomosegError('unsupported', `${path}: ${what} is not supported`);

/** System errors a person can act on, in words (Node's own text names the system call, not the cause). */
const IN_WORDS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is larger than the file system allows',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'it is in use',
  EIO: 'input/output error (a failing disk or network share)',
};

/** Wraps a low-level failure (fs, codec) so the message says which file or chunk failed. */
export function explain(path: string, error: unknown, problem = 'cannot be read'): TomosegError {
  if (error instanceof TomosegError) return error;
  const code = (error as { code?: string }).code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return new TomosegError('not-found', `${path}: does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return fileProblem(path, 'permission denied');
  return fileProblem(path, `${problem} (${(code && IN_WORDS[code]) ?? detail})`);
}

/**
 * Like `explain`, for creating or writing an output at `path`: what is missing there is the
 * folder it goes into, and permission is refused to write.
 */
export function explainWrite(path: string, error: unknown, problem = 'cannot be written'): TomosegError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return fileProblem(path, `${problem} (the folder ${dirname(path)} does not exist)`);
  if (code === 'EACCES' || code === 'EPERM') return fileProblem(path, `${problem} (permission denied)`);
  return explain(path, error, problem);
}
