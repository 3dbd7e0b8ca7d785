import { z } from 'zod';
import type { Dtype, TypedArray, Vec3, VolumeInfo } from '../volume';

const volumeId = z.string().min(1);

export const volumeArgs = {
  openVolume: z.object({ path: z.string().min(1) }),
  openSample: z.object({}),
  closeVolume: z.object({ volumeId }),
  recentVolumes: z.object({}),
  /** One 2D slice perpendicular to `axis`, as stored (rows = next axis, columns = last). */
  readSlice: z.object({
    volumeId,
    axis: z.enum(['z', 'y', 'x']),
    /** In the coordinates of `level`. */
    index: z.number().int().nonnegative(),
    /** Pyramid level (see volumeLevels): 0, the default, is full resolution. */
    level: z.number().int().nonnegative().optional(),
  }),
  /** The resolution levels of an open volume, full resolution first (one for TIFF and raw). */
  volumeLevels: z.object({ volumeId }),
  /**
   * Converts a volume (typically a large TIFF stack, slow to slice across its pages) to a chunked
   * OME-Zarr with a pyramid at `dest` (a new `.zarr` folder). Runs as a job: progress events,
   * cancelJob stops it and leaves nothing at `dest`.
   */
  importVolume: z.object({ path: z.string().min(1), dest: z.string().min(1), overwrite: z.boolean().default(false) }),
};

export interface VolumeLevel {
  shape: Vec3;
  voxelSize: Vec3;
}

export interface SliceData {
  /** Columns and rows of the slice image: for z (x, y), for y (x, z), for x (y, z). */
  width: number;
  height: number;
  dtype: Dtype;
  data: TypedArray;
}

export interface VolumeResults {
  openVolume: VolumeInfo;
  openSample: VolumeInfo;
  closeVolume: boolean;
  recentVolumes: string[];
  readSlice: SliceData;
  volumeLevels: VolumeLevel[];
  importVolume: { jobId: string };
}
