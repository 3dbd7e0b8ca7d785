// Finding a project's volume on this machine: its relative path, then its absolute path, then a
// search near the project for a file or folder with the same fingerprint.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { cancelled } from '../../shared/errors';
import type { Volume } from '../volume/volume';
import { type Fingerprint, type FingerprintMatch, compareFingerprints, fingerprint } from './fingerprint';
import { resolveStoredPath } from './paths';

/** Opens volumes for the project; what it opens, the caller closes (or keeps, when it matched). */
export type OpenForCheck<T extends { volume: Volume }> = (path: string) => Promise<T>;

export interface Located<T> {
  path: string;
  foundBy: 'relative' | 'absolute' | 'search';
  match: Exclude<FingerprintMatch, 'shape-differs'>;
  opened: T;
}

/** How far the search looks: the project's folder and its parent, this many levels down. */
const SEARCH_DEPTH = 2;
/** Candidates opened at most, so a project next to a huge folder still opens quickly. */
const MAX_CANDIDATES = 32;

/**
 * The best place for a volume: the first with the same fingerprint; failing that, the first of the
 * same shape whose sampled content differs (the caller warns). Never a volume of another shape.
 */
export async function locateVolume<T extends { volume: Volume }>(
  projectFile: string,
  record: { relativePath: string; absolutePath: string; fingerprint: Fingerprint },
  open: OpenForCheck<T>,
  close: (opened: T) => Promise<unknown>,
  signal?: AbortSignal,
): Promise<Located<T> | undefined> {
  let fallback: Located<T> | undefined;
  const tried = new Set<string>();
  const consider = async (path: string, foundBy: Located<T>['foundBy']): Promise<Located<T> | undefined> => {
    if (signal?.aborted) throw cancelled();
    const key = resolve(path);
    if (tried.has(key) || !existsSync(key)) return undefined;
    tried.add(key);
    let opened: T;
    try {
      opened = await open(key);
    } catch {
      return undefined; // not a volume we can read: not this one
    }
    // A volume whose samples cannot be read is not the one we look for.
    const actual = await fingerprint(opened.volume, signal).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      return undefined;
    });
    const match = actual ? compareFingerprints(record.fingerprint, actual) : 'shape-differs';
    const found: Located<T> = { path: key, foundBy, match: match === 'same' ? 'same' : 'content-differs', opened };
    if (match === 'same') return found;
    if (match === 'content-differs' && !fallback) fallback = found;
    else await close(opened);
    return undefined;
  };

  const direct =
    (await consider(resolveStoredPath(projectFile, record.relativePath), 'relative')) ??
    (await consider(record.absolutePath, 'absolute'));
  if (direct) return finish(direct);

  for (const candidate of await searchNear(projectFile, record.absolutePath)) {
    const found = await consider(candidate, 'search');
    if (found) return finish(found);
  }
  return fallback;

  async function finish(found: Located<T>): Promise<Located<T>> {
    if (fallback && fallback !== found) await close(fallback.opened);
    return found;
  }
}

/** Files and folders near the project that could be the volume: same name first, then same extension. */
async function searchNear(projectFile: string, recordedPath: string): Promise<string[]> {
  const name = basename(
    recordedPath
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '',
  );
  const extension = extname(name).toLowerCase();
  const projectDir = dirname(resolve(projectFile));
  const roots = [projectDir, dirname(projectDir)];
  const sameName: string[] = [];
  const sameExtension: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.name === name) sameName.push(path);
      else if (extension && extname(entry.name).toLowerCase() === extension) sameExtension.push(path);
      // Volumes can be folders (Zarr, TIFF series): look inside folders that are not volumes themselves.
      else if (entry.isDirectory() && depth < SEARCH_DEPTH && !entry.name.startsWith('.')) await walk(path, depth + 1);
    }
  };
  for (const root of roots) await walk(root, 0);
  return [...new Set([...sameName, ...sameExtension])].slice(0, MAX_CANDIDATES);
}
