// The one volume abstraction every format implements: shape, dtype, voxel size, and reads of
// chunk-aligned or arbitrary regions in C order (z, y, x). Nothing here holds the whole volume.
import { threadId } from 'node:worker_threads';
import type { Dtype, Region, TypedArray, Vec3 } from '../../shared/volume';

export interface VolumeMeta {
  shape: Vec3;
  dtype: Dtype;
  /** Physical voxel size (z, y, x) in `unit`; 1 where the file says nothing. */
  voxelSize: Vec3;
  unit: string;
  /** The natural read unit of the storage (a TIFF page is [1, y, x]). */
  chunkShape: Vec3;
  /** Short format name for the UI, e.g. "TIFF", "OME-Zarr 0.5". */
  format: string;
  /** Pyramid levels of a multiscale image, full resolution first (open one with `level`). */
  levels?: LevelInfo[];
  /** Channels of a multi-channel image; a Volume reads one of them. */
  channels?: number;
  /**
   * Names the data read, the same for each stand-in of one opened volume (a worker thread's
   * volume that reads through messages), so that caches of derived data hold across calls.
   */
  dataId?: string;
}

export interface LevelInfo {
  path: string;
  shape: Vec3;
  voxelSize: Vec3;
}

export interface Volume extends VolumeMeta {
  /** The file or folder it reads from. */
  readonly path: string;
  /**
   * Reads a region as a C-order array of `dtype`. Out-of-range regions throw. With `into` (of
   * `dtype`, exactly the region's size) chunked volumes fill and return it, so a pass over the
   * volume reuses one buffer instead of faulting in fresh memory per read; always use the result.
   */
  read(region: Region, into?: TypedArray): Promise<TypedArray>;
  close(): Promise<void>;
}

export interface WritableVolume extends Volume {
  write(region: Region, data: TypedArray): Promise<void>;
}

const dataIds = new WeakMap<Volume, string>();
let nextDataId = 0;

/** The volume's dataId, else a name for this volume object (unique across threads). */
export function dataIdOf(volume: Volume): string {
  if (volume.dataId) return volume.dataId;
  if (!dataIds.has(volume)) dataIds.set(volume, `${threadId}:${nextDataId++}`);
  return dataIds.get(volume)!;
}
