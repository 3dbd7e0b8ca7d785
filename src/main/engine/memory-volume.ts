import { badInput } from '../../shared/errors';
import { type Region, type TypedArray, type Vec3, allocate, dtypeOf, voxelCount } from '../../shared/volume';
import type { Volume } from '../volume/volume';

/** A volume held in memory (phantoms, tests, label arrays painted in the app). */
export class MemoryVolume implements Volume {
  readonly dtype;
  readonly format = 'memory';
  readonly unit: string;
  readonly voxelSize: Vec3;
  readonly chunkShape: Vec3;

  constructor(
    readonly data: TypedArray,
    readonly shape: Vec3,
    readonly path = 'memory',
    options: { voxelSize?: Vec3; unit?: string } = {},
  ) {
    if (data.length !== voxelCount(shape))
      throw badInput(`${path}: ${data.length} values do not fill ${shape.join('×')}`);
    this.dtype = dtypeOf(data);
    this.voxelSize = options.voxelSize ?? [1, 1, 1];
    this.unit = options.unit ?? 'voxel';
    this.chunkShape = [1, shape[1], shape[2]];
  }

  async read(region: Region): Promise<TypedArray> {
    const { start, shape } = region;
    for (let a = 0; a < 3; a++)
      if (start[a]! < 0 || shape[a]! < 0 || start[a]! + shape[a]! > this.shape[a]!)
        throw new RangeError(`region outside ${this.path}`);
    const out = allocate(this.dtype, voxelCount(shape));
    const [, ny, nx] = this.shape;
    let o = 0;
    for (let z = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++) {
        const from = ((start[0] + z) * ny + start[1] + y) * nx + start[2];
        out.set(this.data.subarray(from, from + shape[2]), o);
        o += shape[2];
      }
    return out;
  }

  async close(): Promise<void> {}
}
