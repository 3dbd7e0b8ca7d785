// The sparse record of what a stroke changed (napari's labels undo): flat voxel indices, their old
// values and the new one, with a bounding box. The undo history keeps them; the store reverts them.
import type { Region, Vec3 } from '../../shared/volume';

/** The voxels a stroke changed: flat indices (z·ny·nx + y·nx + x), their values before, the value after. */
export interface StrokeDiff {
  indices: Float64Array;
  old: Uint8Array;
  value: number;
  /** Bounding box of the changed voxels, null when nothing changed. */
  bounds: Region | null;
}

/** Collects a diff while painting: growable arrays plus a running bounding box. */
export class DiffBuilder {
  indices = new Float64Array(256);
  old = new Uint8Array(256);
  length = 0;
  private readonly lo: Vec3 = [Infinity, Infinity, Infinity];
  private readonly hi: Vec3 = [-Infinity, -Infinity, -Infinity];

  push(index: number, old: number, z: number, y: number, x: number): void {
    if (this.length === this.indices.length) {
      const indices = new Float64Array(this.length * 2);
      indices.set(this.indices);
      this.indices = indices;
      const olds = new Uint8Array(this.length * 2);
      olds.set(this.old);
      this.old = olds;
    }
    this.indices[this.length] = index;
    this.old[this.length++] = old;
    this.extend(z, y, x);
  }

  private extend(z: number, y: number, x: number): void {
    const { lo, hi } = this;
    if (z < lo[0]) lo[0] = z;
    if (y < lo[1]) lo[1] = y;
    if (x < lo[2]) lo[2] = x;
    if (z > hi[0]) hi[0] = z;
    if (y > hi[1]) hi[1] = y;
    if (x > hi[2]) hi[2] = x;
  }

  finish(value: number): StrokeDiff {
    const { lo, hi } = this;
    const bounds: Region | null =
      this.length === 0 ? null : { start: [...lo], shape: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
    return { indices: this.indices.slice(0, this.length), old: this.old.slice(0, this.length), value, bounds };
  }
}
