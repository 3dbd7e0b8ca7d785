// A box of a volume read as a volume of its own (surfaces are made window by window: mesh/windows.ts).
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
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
    const outside = box.start.some((s, a) => s < 0 || box.shape[a]! < 1 || s + box.shape[a]! > inner.shape[a]!);
    if (outside) throw new RangeError(`box ${box.start.join(',')} + ${box.shape.join('×')} outside ${inner.path}`);
    this.path = inner.path;
    this.shape = box.shape;
    this.dtype = inner.dtype;
    this.voxelSize = inner.voxelSize;
    this.unit = inner.unit;
    this.chunkShape = inner.chunkShape.map((n, a) => Math.min(n, box.shape[a]!)) as Vec3;
    this.format = inner.format;
    this.dataId = `${dataIdOf(inner)}[${box.start.join(',')}+${box.shape.join('×')}]`;
  }

  read(region: Region, into?: TypedArray): Promise<TypedArray> {
    const { start, shape } = region;
    if (start.some((s, a) => s < 0 || s + shape[a]! > this.shape[a]!))
      return Promise.reject(new RangeError(`region outside the box of ${this.path}`));
    return this.inner.read({ start: start.map((s, a) => s + this.box.start[a]!) as Vec3, shape }, into);
  }

  /** The volume it crops stays open: its owner closes it. */
  async close(): Promise<void> {}
}
