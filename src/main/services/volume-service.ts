import { randomUUID } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type {
  FolderListing,
  ImportAdvice,
  SliceData,
  VolumeDatasets,
  VolumeLevel,
  VolumeOverview,
} from '../../shared/api';
import { TomosegError, badInput } from '../../shared/errors';
import { coarsestLevel } from '../../shared/pyramid';
import { sliceRegion, sliceSize } from '../../shared/slice';
import { type Axis, type Vec3, type VolumeInfo, axisIndex } from '../../shared/volume';
import { withTimeLeft } from '../segmentation/time-left';
import { HDF5_EXTENSION, listHdf5Volumes } from '../volume/hdf5/reader';
import { type DeadlineOptions, FileSystemDeadline } from '../volume/deadline';
import { listFolder } from '../volume/folders';
import { importToZarr } from '../volume/import';
import { refuseExisting } from '../volume/output';
import { importAdvice } from '../volume/import-advice';
import { openVolume } from '../volume/open';
import { readOverview } from '../volume/overview';
import type { Volume } from '../volume/volume';
import { estimateRange } from '../volume/statistics';
import type { Jobs } from './jobs';
import type { RecentList } from './recent';

export interface VolumeServiceOptions {
  /** Where converted copies go when the source's folder is read-only; the system's temporary folder by default. */
  convertedDir?: string;
  /** Volumes stored slice by slice from this many bytes on are slow to browse in place (see import-advice). */
  slowBrowseBytes?: number;
  /** Deadlines of opens and folder listings, against file systems that stop answering. */
  deadline?: DeadlineOptions;
}

interface OpenEntry {
  volume: Volume;
  info: VolumeInfo;
  /** Coarser pyramid levels, opened on first use. */
  levels: Map<number, Promise<Volume>>;
}

/** The volumes the UI has open, by id. */
export class VolumeService {
  private readonly open = new Map<string, OpenEntry>();
  private readonly deadline: FileSystemDeadline;

  constructor(
    private readonly recent: RecentList,
    private readonly options: VolumeServiceOptions = {},
  ) {
    this.deadline = new FileSystemDeadline(options.deadline);
  }

  /** Opens `path` (of an HDF5 file: `dataset`, else its default dataset) and remembers it among the recent volumes. */
  async openPath(path: string, remember = true, dataset?: string): Promise<VolumeInfo> {
    const entry = await this.deadline.run(
      path,
      () => openEntry(path, dataset),
      (late) => closeAll(late.volume, late.levels),
    );
    this.open.set(entry.info.id, entry);
    if (remember) await this.recent.add(path);
    return entry.info;
  }

  /**
   * A folder for the file browser (the most recent volume's, else home, when none is given), with
   * places to jump to; through the deadline like an open, since browsing meets dead shares first.
   */
  async listFolder(path?: string): Promise<FolderListing> {
    const recentFolders = [...new Set((await this.recent.list()).map((p) => dirname(p)))];
    const folder = resolve(path ?? recentFolders[0] ?? homedir());
    const listing = await this.deadline.run(folder, () => listFolder(folder));
    const places = [{ name: 'Home', path: homedir() }, ...recentFolders.map((p) => ({ name: basename(p), path: p }))];
    return { ...listing, places };
  }

  /** The 3D datasets of an HDF5 / NeXus file and its default one; none for other formats. */
  async datasets(path: string): Promise<VolumeDatasets> {
    if (!HDF5_EXTENSION.test(path)) return { datasets: [], defaultDataset: null };
    const { volumes, chosen } = await this.deadline.run(path, () => listHdf5Volumes(path));
    return {
      datasets: volumes.map(({ path, shape, dtype, chunks }) => ({ path, shape, dtype, chunks })),
      defaultDataset: chosen ?? null,
    };
  }

  get(volumeId: string): Volume {
    return this.entry(volumeId).volume;
  }

  info(volumeId: string): VolumeInfo {
    return this.entry(volumeId).info;
  }

  async close(volumeId: string): Promise<boolean> {
    const entry = this.open.get(volumeId);
    if (!entry) return false;
    this.open.delete(volumeId);
    await closeAll(entry.volume, entry.levels);
    return true;
  }

  levels(volumeId: string): VolumeLevel[] {
    const volume = this.get(volumeId);
    return (
      volume.levels?.map(({ shape, voxelSize }) => ({ shape, voxelSize })) ?? [
        { shape: volume.shape, voxelSize: volume.voxelSize },
      ]
    );
  }

  async readSlice(volumeId: string, axis: Axis, index: number, level = 0): Promise<SliceData> {
    const volume = await this.level(volumeId, level);
    const a = axisIndex(axis);
    if (index >= volume.shape[a])
      throw badInput(`slice ${index} is outside ${axis} = 0..${volume.shape[a] - 1} of ${volume.path}`);
    // no deadline here: a slice across the pages of a large TIFF stack may rightly take long
    const data = await volume.read(sliceRegion(volume.shape, axis, index));
    const [width, height] = sliceSize(volume.shape, axis);
    return { width, height, dtype: volume.dtype, data };
  }

  /**
   * The whole volume at most `maxEdge` voxels per edge, for the 3D view: from the coarsest pyramid
   * level whose longest edge is still `maxEdge` (fewest bytes read for the detail wanted).
   */
  async readOverview(volumeId: string, maxEdge: number): Promise<VolumeOverview> {
    const { volume: full } = this.entry(volumeId);
    const volume = await this.level(
      volumeId,
      coarsestLevel(full.levels ?? [], ({ shape }) => Math.max(...shape) >= maxEdge),
    );
    // A coarser level's voxel 0 covers several full-resolution voxels: its centre lies between them.
    const origin = volume.voxelSize.map((size, a) => (size - full.voxelSize[a]!) / 2) as Vec3;
    return readOverview(volume, { maxEdge, reduce: 'mean', origin });
  }

  /** Whether the open volume is worth converting to OME-Zarr, and where the copy would go. */
  importAdvice(volumeId: string): Promise<ImportAdvice> {
    return importAdvice(this.get(volumeId), {
      slowBytes: this.options.slowBrowseBytes,
      fallbackDir: this.options.convertedDir ?? join(tmpdir(), 'tomoseg-converted'),
    });
  }

  /**
   * Starts converting `path` to OME-Zarr at `dest` as a job; returns the job id at once. An
   * existing `dest` is refused first (kind `exists`), so the UI can ask to replace it.
   */
  async importVolume(jobs: Jobs, path: string, dest: string, overwrite: boolean): Promise<{ jobId: string }> {
    await refuseExisting(dest, overwrite);
    const { id } = jobs.start('import', (job) =>
      importToZarr(path, dest, {
        signal: job.signal,
        progress: withTimeLeft(job.progress, 'converting'),
        force: overwrite,
      }),
    );
    return { jobId: id };
  }

  private entry(volumeId: string): OpenEntry {
    const entry = this.open.get(volumeId);
    if (!entry) throw new TomosegError('not-found', `no open volume with id ${volumeId}`);
    return entry;
  }

  private level(volumeId: string, level: number): Promise<Volume> {
    const { volume, info, levels } = this.entry(volumeId);
    const open = (): Promise<Volume> => openLevel(volume, info.path, levels, level);
    // opening a new level goes to the file system (one opened late stays in `levels` for the next call)
    return level === 0 || levels.has(level) ? open() : this.deadline.run(info.path, open);
  }
}

/** What the renderer is told of a volume opened from `path`, under a new id. */
export function describeVolume(volume: Volume, path: string, range: [number, number]): VolumeInfo {
  return {
    id: randomUUID(),
    path,
    name: basename(path),
    format: volume.format,
    shape: volume.shape,
    dtype: volume.dtype,
    voxelSize: volume.voxelSize,
    unit: volume.unit,
    chunkShape: volume.chunkShape,
    range,
  };
}

async function openEntry(path: string, dataset: string | undefined): Promise<OpenEntry> {
  const volume = await openVolume(path, { dataset });
  const levels = new Map<number, Promise<Volume>>();
  try {
    // the level the range comes from is usually the slice views' stand-in: kept open for them
    const range = await rangeOf(volume, (level) => openLevel(volume, path, levels, level));
    return { volume, info: describeVolume(volume, path, range), levels };
  } catch (error) {
    await closeAll(volume, levels);
    throw error;
  }
}

/** Pyramid level `level` of `volume` (0: the volume itself), opened once and kept in `levels`. */
function openLevel(volume: Volume, path: string, levels: Map<number, Promise<Volume>>, level: number): Promise<Volume> {
  if (level === 0) return Promise.resolve(volume);
  const count = volume.levels?.length ?? 1;
  if (level >= count) throw badInput(`level ${level} does not exist: ${path} has ${count}`);
  let opened = levels.get(level);
  if (!opened) {
    opened = openVolume(path, { level });
    levels.set(level, opened);
    opened.catch(() => levels.delete(level));
  }
  return opened;
}

async function closeAll(volume: Volume, levels: Map<number, Promise<Volume>>): Promise<void> {
  await volume.close();
  for (const level of levels.values()) await (await level.catch(() => undefined))?.close();
}

/** Slices this large give estimateRange all the samples it takes. */
const RANGE_SLICE_VOXELS = 256 * 256;

/**
 * The initial window/level range, from the coarsest pyramid level whose slices are still large
 * enough: the same percentiles from a few chunks, where five full slices of a 2048³ Zarr take
 * seconds each.
 */
async function rangeOf(volume: Volume, level: (level: number) => Promise<Volume>): Promise<[number, number]> {
  return estimateRange(
    await level(coarsestLevel(volume.levels ?? [], ({ shape }) => shape[1] * shape[2] >= RANGE_SLICE_VOXELS)),
  );
}
