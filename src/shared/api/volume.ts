import { z } from 'zod';
import type { Dtype, TypedArray, VolumeInfo } from '../volume';

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
    index: z.number().int().nonnegative(),
  }),
};

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
}
