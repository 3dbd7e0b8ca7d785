// Whether a volume is worth converting to OME-Zarr before browsing, and where the copy would go.
// A volume stored slice by slice (TIFF pages, numbered files, raw) serves a slice across those
// slices only by reading a piece of every one of them: past a size that is too slow to browse.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ImportAdvice } from '../../shared/api';
import { bytesPerElement, voxelCount } from '../../shared/volume';
import { exists } from './output';
import type { Volume } from './volume';

/**
 * From this size on, a slice across the stored slices reads about this much: at the 1-2 GB/s of
 * a warm page cache that is already past the ~200 ms an interactive view allows (far more from disk).
 */
export const SLOW_BROWSE_BYTES = 256 * 1024 ** 2;

export interface AdviceOptions {
  /** See SLOW_BROWSE_BYTES. */
  slowBytes?: number;
  /** Where the copy goes when the source's folder is not writable. */
  fallbackDir: string;
}

export async function importAdvice(volume: Volume, options: AdviceOptions): Promise<ImportAdvice> {
  const bytes = voxelCount(volume.shape) * bytesPerElement(volume.dtype);
  // One stored slice per z: a y or x slice touches all of them.
  const sliceBySlice = volume.chunkShape[0] === 1 && volume.shape[0] > 1;
  const slow = sliceBySlice && bytes >= (options.slowBytes ?? SLOW_BROWSE_BYTES);
  return { slow, sliceBySlice, bytes, format: volume.format, dest: await destinationFor(volume.path, options) };
}

/** `name.zarr` next to the source (a free name: `name-2.zarr`…), or in `fallbackDir` when that folder is read-only. */
async function destinationFor(path: string, { fallbackDir }: AdviceOptions): Promise<string> {
  const stem = basename(path).replace(/\.(ome\.)?(tiff?|zarr|raw|bin)$/i, '');
  const besides = dirname(path);
  const writable = await access(besides, constants.W_OK).then(
    () => true,
    () => false,
  );
  const folder = writable ? besides : fallbackDir;
  if (!writable) await mkdir(folder, { recursive: true });
  for (let n = 1; ; n++) {
    const candidate = join(folder, `${stem}${n === 1 ? '' : `-${n}`}.zarr`);
    if (!(await exists(candidate))) return candidate;
  }
}
