// Paths stored in a project must work on Windows and POSIX alike: relative paths are stored with
// '/' and either separator is accepted when resolving them.
import { dirname, isAbsolute, relative, resolve } from 'node:path';

/** `target` relative to the folder holding `projectFile`, with '/' separators. */
export function storedRelativePath(projectFile: string, target: string): string {
  return relative(dirname(resolve(projectFile)), resolve(target))
    .split(/[\\/]/)
    .join('/');
}

/** Resolves a stored relative path (written on any OS) against the project's folder. */
export function resolveStoredPath(projectFile: string, stored: string): string {
  const parts = stored.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  // A relative path across Windows drives comes out absolute: use it as it is.
  if (isAbsolute(stored) || /^[A-Za-z]:[\\/]/.test(stored)) return stored;
  return resolve(dirname(resolve(projectFile)), ...parts);
}
