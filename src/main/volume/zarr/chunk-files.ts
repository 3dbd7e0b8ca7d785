// Whether an array's chunk files are there at all. A missing chunk reads as the fill value, so an
// array copied without its data, or whose metadata names the other key separator ('.' for '/'),
// would read as one flat value with nothing said: refused at open instead, saying which it is.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileProblem } from '../errors';
import type { ArrayLayout } from './metadata';

export async function checkChunkFiles(folder: string, layout: ArrayLayout): Promise<void> {
  const origin = layout.shape.map(() => 0);
  const expected = layout.key(origin);
  if (await anyChunk(folder, expected)) return;
  const other = layout.key(origin, layout.separator === '.' ? '/' : '.');
  if (await anyChunk(folder, other))
    throw fileProblem(
      folder,
      `chunk files are named like ${other} but its ${layout.name} says ${expected} (${layout.separatorField} "${layout.separator}"): the metadata does not match the data`,
    );
  throw fileProblem(
    folder,
    `no chunk files (such as ${expected}): its data is missing, or was not copied with its ${layout.name}`,
  );
}

/** Whether a file named like `sample` (its numbers any numbers) exists: stops at the first one. */
async function anyChunk(folder: string, sample: string): Promise<boolean> {
  const levels = sample.split('/').map(
    (part) =>
      new RegExp(
        `^${part
          .split('.')
          .map((t) => (t === '0' ? '\\d+' : t))
          .join('\\.')}$`,
      ),
  );
  const search = async (dir: string, depth: number): Promise<boolean> => {
    const last = depth === levels.length - 1;
    const entries = await opendir(dir).catch(() => undefined);
    if (!entries) return false;
    // Leaving the loop early closes the directory.
    for await (const entry of entries) {
      if (!levels[depth]!.test(entry.name)) continue;
      if (last ? !entry.isDirectory() : entry.isDirectory() && (await search(join(dir, entry.name), depth + 1)))
        return true;
    }
    return false;
  };
  return search(folder, 0);
}
