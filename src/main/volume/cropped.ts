// A box of a volume read as a volume of its own (surfaces are made window by window: mesh/windows.ts).
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import { checkRegion } from './chunked';
import { type Volume, dataIdOf } from './volume';

export class CroppedVolume implements Volume {
  readonly path: string;
  readonly shape: Vec3;
  readonly dtype;
  readonly voxelSize: Vec3;
  readonly unit: string;
  readonly chunkShape: Vec3;
  readonly format: string;
  readonly dataId: string;

  constructor(
    private readonly inner: Volume,
    private readonly box: Region,
  ) {
    checkRegion(inner, box);
    this.path = inner.path;
    this.shape = box.shape;
    this.dtype = inner.dtype;
    this.voxelSize = inner.voxelSize;
    this.unit = inner.unit;
    this.chunkShape = inner.chunkShape.map((n, a) => Math.min(n, box.shape[a]!)) as Vec3;
    this.format = inner.format;
    this.dataId = `${dataIdOf(inner)}[${box.start.join(',')}+${box.shape.join('×')}]`;
  }

  async read(region: Region, into?: TypedArray): Promise<TypedArray> {
    checkRegion(this, region);
    const start = region.start.map((s, a) => s + this.box.start[a]!) as Vec3;
    return this.inner.read({ start, shape: region.shape }, into);
  }

  /** The volume it crops stays open: its owner closes it. */
  async close(): Promise<void> {}
}
