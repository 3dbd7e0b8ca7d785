import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { SliceData } from '../../shared/api';
import { TomosegError, badInput } from '../../shared/errors';
import { type Axis, type Region, type VolumeInfo, axisIndex } from '../../shared/volume';
import { openVolume } from '../volume/open';
import type { Volume } from '../volume/volume';
import { estimateRange } from '../volume/statistics';
import type { RecentList } from './recent';

/** The volumes the UI has open, by id. */
export class VolumeService {
  private readonly open = new Map<string, { volume: Volume; info: VolumeInfo }>();

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
    this.open.set(info.id, { volume, info });
    if (remember) await this.recent.add(path);
    return info;
  }

  get(volumeId: string): Volume {
    const entry = this.open.get(volumeId);
    if (!entry) throw new TomosegError('not-found', `no open volume with id ${volumeId}`);
    return entry.volume;
  }

  async close(volumeId: string): Promise<boolean> {
    const entry = this.open.get(volumeId);
    if (!entry) return false;
    this.open.delete(volumeId);
    await entry.volume.close();
    return true;
  }

  async readSlice(volumeId: string, axis: Axis, index: number): Promise<SliceData> {
    const volume = this.get(volumeId);
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
}

/** Image size of a slice perpendicular to `axis`: columns are the last remaining axis. */
export function sliceSize(shape: readonly number[], axis: Axis): [number, number] {
  const [z, y, x] = shape as [number, number, number];
  return axis === 'z' ? [x, y] : axis === 'y' ? [x, z] : [y, z];
}
