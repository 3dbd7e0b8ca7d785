// Opens any volume we read, by what the path is: a TIFF file, an HDF5 / NeXus file, a folder of
// TIFF slices, a Zarr folder (OME-Zarr or plain array), or raw binary when the caller gives its layout.
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkCache } from './cache';
import { explain, fileProblem } from './errors';
import { HDF5_EXTENSION, openHdf5 } from './hdf5/reader';
import { type RawLayout, openRaw } from './raw';
import { openTiffFile, openTiffSequence } from './tiff/reader';
import type { Volume } from './volume';
import { openZarr } from './zarr/reader';

export interface OpenOptions {
  /** Multiscale level of an OME-Zarr pyramid: 0 (default) is full resolution. */
  level?: number;
  /** Channel of a multi-channel image (ImageJ hyperstack, OME-Zarr with a `c` axis). */
  channel?: number;
  /** Layout of a raw binary file; required for raw files, ignored otherwise. */
  raw?: RawLayout;
  /** Path of the dataset inside an HDF5 / NeXus file; chosen from the file's defaults when absent. */
  dataset?: string | undefined;
  /** The decoded-chunk cache to use; the shared one by default. */
  cache?: ChunkCache;
}

const TIFF = /\.tiff?$/i;

export async function openVolume(path: string, options: OpenOptions = {}): Promise<Volume> {
  const info = await stat(path).catch((error: unknown) => {
    throw explain(path, error);
  });
  // Opening a FIFO waits for a writer and holds a thread of the pool meanwhile: a few of them
  // would block every later file access. Only regular files and folders are opened.
  if (!info.isFile() && !info.isDirectory())
    throw fileProblem(path, `is ${special(info)}, not a file or folder: only regular files and folders are opened`);
  if (options.raw) return openRaw(path, options.raw, options.cache);
  if (info.isDirectory()) {
    const names = await readdir(path).catch((error: unknown) => {
      throw explain(path, error);
    });
    if (
      names.some((n) => n === 'zarr.json' || n === '.zarray' || n === '.zgroup' || n === '.zattrs') ||
      /\.zarr$/i.test(path)
    )
      return openZarr(path, options);
    const slices = names.filter((n) => TIFF.test(n)).sort(naturalCompare);
    if (slices.length > 0)
      return openTiffSequence(
        path,
        slices.map((n) => join(path, n)),
        options.cache,
      );
    throw fileProblem(path, 'folder holds neither a Zarr array nor TIFF slices');
  }
  if (TIFF.test(path)) return openTiffFile(path, options.channel, options.cache);
  if (HDF5_EXTENSION.test(path)) return openHdf5(path, { dataset: options.dataset, cache: options.cache });
  throw fileProblem(
    path,
    'unknown volume format: expected .tif/.tiff, .h5/.hdf5/.nxs (HDF5, NeXus), a .zarr folder, a folder of TIFF slices, or raw with its layout',
  );
}

function special(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  return info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file';
}

/** Orders "slice_2.tif" before "slice_10.tif". */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}
