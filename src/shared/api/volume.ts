import { z } from 'zod';
import type { Dtype, TypedArray, Vec3, VolumeInfo } from '../volume';

const volumeId = z.string().min(1);
/** Overviews stay small enough to send and render at once (192³ float32 is 27 MiB). */
export const MAX_OVERVIEW_EDGE = 192;
export const overviewEdge = z.number().int().min(8).max(MAX_OVERVIEW_EDGE).default(128);

export const volumeArgs = {
  /** `dataset`: which dataset of an HDF5 / NeXus file (see volumeDatasets); the file's default when absent. */
  openVolume: z.object({ path: z.string().min(1), dataset: z.string().min(1).optional() }),
  /**
   * The 3D datasets of an HDF5 / NeXus file, one of which `openVolume` opens, and the one it opens
   * by default; none for other formats (nothing to choose).
   */
  volumeDatasets: z.object({ path: z.string().min(1) }),
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
  /** Whether an open volume is slow to browse in place (see ImportAdvice) and where a converted copy would go. */
  importAdvice: z.object({ volumeId }),
  /**
   * A small copy of the whole volume for the 3D view, at most `maxEdge` voxels per edge: read from
   * the coarsest pyramid level that is still that large, block-averaged, never the whole volume.
   */
  readVolumeOverview: z.object({ volumeId, maxEdge: overviewEdge }),
  /**
   * A folder of the machine that runs Tomoseg, for web mode's file browser: its subfolders and the
   * volumes Tomoseg reads. Without `path`: the folder of the most recent volume, else the home folder.
   */
  listFolder: z.object({ path: z.string().min(1).optional() }),
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

/** A downsampled copy of a whole volume, placed in the volume's physical coordinates. */
export interface VolumeOverview {
  /** (z, y, x) voxels of `data`. */
  shape: Vec3;
  /** Physical distance between neighbouring overview voxels (z, y, x). */
  voxelSize: Vec3;
  /** Physical position of overview voxel (0, 0, 0); the volume's voxel (0, 0, 0) centre is at 0. */
  origin: Vec3;
  dtype: Dtype;
  /** C order (z, y, x). */
  data: TypedArray;
}

/** Whether converting a volume to OME-Zarr would make it fast to browse. */
export interface ImportAdvice {
  /** Browsing in place is slow: stored slice by slice and so large that a slice across them takes long. */
  slow: boolean;
  /** Stored one z slice after another (TIFF pages, numbered files, raw): converting helps. */
  sliceBySlice: boolean;
  /** Bytes of the volume's voxels. */
  bytes: number;
  format: string;
  /** A free place for the copy: next to the source, or Tomoseg's own folder when that one is read-only. */
  dest: string;
}

/** A 3D dataset of an HDF5 / NeXus file. */
export interface VolumeDataset {
  /** Its path inside the file, e.g. "/entry/data/data". */
  path: string;
  /** (z, y, x) as stored. */
  shape: number[];
  /** Our dtype name where Tomoseg reads it, else HDF5's description (e.g. "compound"). */
  dtype: string;
  /** HDF5 chunk shape; null when stored contiguous. */
  chunks: number[] | null;
}

export interface VolumeDatasets {
  /** Empty for a file that is not HDF5. */
  datasets: VolumeDataset[];
  /** The dataset opened when none is named (NeXus default, known beamline path, the only one); null when there is none to take. */
  defaultDataset: string | null;
}

export interface FolderEntry {
  name: string;
  /** A folder to go into, or a volume to open (a TIFF or HDF5 file, a .zarr folder). */
  kind: 'folder' | 'volume';
}

export interface FolderListing {
  /** The folder listed, absolute. */
  path: string;
  /** Its parent; null at the root. */
  parent: string | null;
  entries: FolderEntry[];
  /** Entries left out of a very large folder. */
  more: number;
  /** Places to jump to: home, the folders of recent volumes. */
  places?: { name: string; path: string }[];
}

export interface VolumeResults {
  openVolume: VolumeInfo;
  volumeDatasets: VolumeDatasets;
  openSample: VolumeInfo;
  closeVolume: boolean;
  recentVolumes: string[];
  readSlice: SliceData;
  volumeLevels: VolumeLevel[];
  importVolume: { jobId: string };
  importAdvice: ImportAdvice;
  readVolumeOverview: VolumeOverview;
  listFolder: FolderListing;
}
