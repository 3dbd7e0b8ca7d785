// Converts any volume we read (typically a large TIFF stack) to a chunked OME-Zarr with a
// pyramid, so it browses fast. Copies slab by slab in bounded memory; a cancel leaves nothing.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { badInput, cancelled } from '../../shared/errors';
import { type Vec3, allocate, voxelCount } from '../../shared/volume';
import { ChunkCache } from './cache';
import { createVolume } from './create';
import { openVolume } from './open';
import type { ProgressOptions } from '../progress';
import type { VolumeSpec } from './spec';

export interface ImportOptions extends ProgressOptions {
  /** Output chunk size (z, y, x); 64³ by default. */
  chunkShape?: Vec3;
  compression?: VolumeSpec['compression'];
  force?: boolean;
  /** The dataset of an HDF5 / NeXus source (see OpenOptions). */
  dataset?: string | undefined;
}

const COPY_CACHE_BYTES = 64 * 1024 ** 2;

export async function importToZarr(sourcePath: string, destPath: string, options: ImportOptions = {}): Promise<void> {
  const { signal, progress } = options;
  if (await samePlace(sourcePath, destPath))
    throw badInput(`${destPath} is also the source: Tomoseg never writes over its input data`);
  // A cache of its own: an import must not evict what the viewer is showing.
  const source = await openVolume(sourcePath, { dataset: options.dataset, cache: new ChunkCache(COPY_CACHE_BYTES) });
  try {
    const channels = source.channels ?? 1;
    const writer = await createVolume(destPath, {
      shape: source.shape,
      dtype: source.dtype,
      voxelSize: source.voxelSize,
      unit: source.unit,
      channels,
      chunkShape: options.chunkShape,
      compression: options.compression,
      force: options.force,
    });
    try {
      const chunk = (options.chunkShape ?? [64, 64, 64]).map((c, a) => Math.min(c, source.shape[a]!)) as Vec3;
      // Slabs two chunks deep and one chunk tall, the full width: every output chunk they touch is
      // complete after one write, each source voxel is read once, and the chunks of the first
      // pyramid level are complete after two slabs (the writer builds the pyramid as it goes).
      const [depth, height, width] = source.shape;
      const slabDepth = 2 * chunk[0];
      const slabs = Math.ceil(depth / slabDepth) * Math.ceil(height / chunk[1]) * channels;
      // One more step for the last chunks of every level, stored at the end.
      const total = slabs + 1;
      // One buffer for every slab: fresh memory costs as much to fault in as the reads.
      const buffer = allocate(source.dtype, Math.min(slabDepth, depth) * chunk[1] * width);
      let done = 0;
      for (let c = 0; c < channels; c++) {
        const input =
          c === 0
            ? source
            : await openVolume(sourcePath, {
                channel: c,
                dataset: options.dataset,
                cache: new ChunkCache(COPY_CACHE_BYTES),
              });
        try {
          for (let z = 0; z < depth; z += slabDepth) {
            for (let y = 0; y < height; y += chunk[1]) {
              if (signal?.aborted) throw cancelled('import cancelled');
              const region = {
                start: [z, y, 0] as Vec3,
                shape: [Math.min(slabDepth, depth - z), Math.min(chunk[1], height - y), width] as Vec3,
              };
              const data = await input.read(region, buffer.subarray(0, voxelCount(region.shape)));
              // The writer has copied what it needs when this resolves: the buffer can be refilled.
              await writer.write(region, data, c);
              progress?.(++done, total, `copying slices ${z}–${z + region.shape[0] - 1}`);
            }
          }
        } finally {
          if (input !== source) await input.close();
        }
      }
      await writer.commit({
        signal,
        progress: (levelsDone, levels, message) => progress?.(levelsDone < levels ? slabs : total, total, message),
      });
    } catch (error) {
      await writer.abort();
      throw signal?.aborted ? cancelled('import cancelled') : error;
    }
  } finally {
    await source.close();
  }
}

/** Whether two paths name the same file or folder (through links, or spelt differently). */
async function samePlace(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [x, y] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return x !== null && y !== null && x.dev === y.dev && x.ino === y.ino;
}
