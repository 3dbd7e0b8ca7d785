import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { SliceData, VolumeLevel } from '../../shared/api';
import { TomosegError, badInput } from '../../shared/errors';
import { type Axis, type Region, type VolumeInfo, axisIndex } from '../../shared/volume';
import type { Handlers } from '../api/dispatch';
import { importToZarr } from '../volume/import';
import { openVolume } from '../volume/open';
import type { Volume } from '../volume/volume';
import { estimateRange } from '../volume/statistics';
import type { Jobs } from './jobs';
import type { RecentList } from './recent';

interface OpenEntry {
  volume: Volume;
  info: VolumeInfo;
  /** Coarser pyramid levels, opened on first use. */
  levels: Map<number, Promise<Volume>>;
}

/** The volumes the UI has open, by id. */
export class VolumeService {
  private readonly open = new Map<string, OpenEntry>();

  constructor(private readonly recent: RecentList) {}

  async openPath(path: string, remember = true): Promise<VolumeInfo> {
    const volume = await openVolume(path);
    const info: VolumeInfo = {
      id: randomUUID(),
      path,
      name: basename(path),
      format: volume.format,
      shape: volume.shape,
      dtype: volume.dtype,
      voxelSize: volume.voxelSize,
      unit: volume.unit,
      chunkShape: volume.chunkShape,
      range: await estimateRange(volume),
    };
    this.open.set(info.id, { volume, info, levels: new Map() });
    if (remember) await this.recent.add(path);
    return info;
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
    await entry.volume.close();
    for (const level of entry.levels.values()) await (await level.catch(() => undefined))?.close();
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
    const region: Region = { start: [0, 0, 0], shape: [...volume.shape] };
    region.start[a] = index;
    region.shape[a] = 1;
    const data = await volume.read(region);
    const [width, height] = sliceSize(volume.shape, axis);
    return { width, height, dtype: volume.dtype, data };
  }

  /** Starts converting `path` to OME-Zarr at `dest` as a job; returns the job id at once. */
  importVolume(jobs: Jobs, path: string, dest: string, overwrite: boolean): { jobId: string } {
    const { id } = jobs.start('import', (job) =>
      importToZarr(path, dest, { signal: job.signal, progress: job.progress, force: overwrite }),
    );
    return { jobId: id };
  }

  private entry(volumeId: string): OpenEntry {
    const entry = this.open.get(volumeId);
    if (!entry) throw new TomosegError('not-found', `no open volume with id ${volumeId}`);
    return entry;
  }

  private level(volumeId: string, level: number): Promise<Volume> {
    const entry = this.entry(volumeId);
    if (level === 0) return Promise.resolve(entry.volume);
    const count = entry.volume.levels?.length ?? 1;
    if (level >= count) throw badInput(`level ${level} does not exist: ${entry.info.path} has ${count}`);
    let opened = entry.levels.get(level);
    if (!opened) {
      opened = openVolume(entry.info.path, { level });
      entry.levels.set(level, opened);
      opened.catch(() => entry.levels.delete(level));
    }
    return opened;
  }
}

/** Image size of a slice perpendicular to `axis`: columns are the last remaining axis. */
export function sliceSize(shape: readonly number[], axis: Axis): [number, number] {
  const [z, y, x] = shape as [number, number, number];
  return axis === 'z' ? [x, y] : axis === 'y' ? [x, z] : [y, z];
}

/** API handlers of the volume methods beyond open/close/readSlice. */
export function volumeHandlers(service: VolumeService, jobs: Jobs): Pick<Handlers, 'volumeLevels' | 'importVolume'> {
  return {
    volumeLevels: async ({ volumeId }) => service.levels(volumeId),
    importVolume: async ({ path, dest, overwrite }) => service.importVolume(jobs, path, dest, overwrite),
  };
}
