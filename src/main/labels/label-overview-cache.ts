// A label store's overview kept between reads: the 3D view rereads it after every stroke, and
// recounting everything painted (millions of voxels) would block the service while the user paints.
// So the last overview is kept with the store version it reflects, and a read recounts only the
// overview voxels over the blocks changed since; another edge or voxel size starts afresh.
import type { VolumeOverview } from '../../shared/api';
import type { Vec3 } from '../../shared/volume';
import { labelOverview, updateLabelOverview } from './label-overview';
import type { LabelStore } from './label-store';

export class LabelOverviewCache {
  private last?: { maxEdge: number; voxelSize: Vec3; version: number; overview: VolumeOverview };

  constructor(private readonly store: LabelStore) {}

  /** The same as `labelOverview(store, voxelSize, maxEdge)`; its data is the caller's to keep. */
  read(voxelSize: Vec3, maxEdge: number): VolumeOverview {
    const { store, last } = this;
    let overview: VolumeOverview;
    if (last && last.maxEdge === maxEdge && last.voxelSize.every((v, a) => v === voxelSize[a])) {
      overview = last.overview;
      updateLabelOverview(store, overview, maxEdge, store.blocksChangedSince(last.version));
    } else overview = labelOverview(store, voxelSize, maxEdge);
    this.last = { maxEdge, voxelSize: [...voxelSize], version: store.version, overview };
    // A copy: the kept one changes with the next read.
    return { ...overview, data: overview.data.slice() };
  }
}
