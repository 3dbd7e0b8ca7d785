// The engine's in-memory volume, made writable: the segment-all result of a volume small enough
// to hold (and test volumes).
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import { allocate, voxelCount } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { checkRegion, copyBox } from '../volume/chunked';
import type { WritableVolume } from '../volume/volume';

export class WritableMemoryVolume extends MemoryVolume implements WritableVolume {
  /** A zero-filled uint8 volume of `shape`, with the voxel size of `like`. */
  static uint8(shape: Vec3, like: { voxelSize: Vec3; unit: string }): WritableMemoryVolume {
    return new WritableMemoryVolume(allocate('uint8', voxelCount(shape)), shape, 'memory', like);
  }

  async write(region: Region, data: TypedArray): Promise<void> {
    checkRegion(this, region);
    copyBox(data, region.start, region.shape, this.data, [0, 0, 0], this.shape);
  }
}
