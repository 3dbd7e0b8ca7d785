// The 6-connected components of a set of voxels, found one z slice at a time: each voxel takes the
// provisional label of its left, upper or lower (previous slice) neighbour, or a new one, and
// labels that meet are joined (union-find). Memory holds two slices of labels and one parent per
// provisional label, whatever the volume's size. A second pass hands out the same provisional
// labels in the same order, so whatever was decided per component can be written voxel by voxel.
import { cancelled } from '../../shared/errors';
import type { Region, TypedArray } from '../../shared/volume';
import type { Progress } from '../progress';
import type { RegionWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';

export class ComponentScan {
  /** Union-find parent of each provisional label (index 0 unused). */
  readonly parent: number[] = [0];
  private previous: Int32Array;
  private current: Int32Array;
  private next = 1;
  private joining = true;

  constructor(
    private readonly ny: number,
    private readonly nx: number,
  ) {
    this.previous = new Int32Array(ny * nx);
    this.current = new Int32Array(ny * nx);
  }

  /** Provisional labels handed out so far (1..count). */
  get count(): number {
    return this.next - 1;
  }

  /** The labels of the slice before the one `slice` labelled last. */
  get below(): Int32Array {
    return this.previous;
  }

  /** Starts a pass from the first slice again: the same voxels get the same provisional labels. */
  restart(): void {
    this.current.fill(0);
    this.next = 1;
    this.joining = false;
  }

  /**
   * Labels the slice at `values[offset…]` (0 where `member` refuses the value); the labels of the
   * previous slice are what the returned array held before this call. The first pass joins labels
   * that meet; a repeat pass (after `restart`) only hands them out again.
   */
  slice(values: TypedArray, offset: number, member: (value: number) => boolean): Int32Array {
    const [ny, nx] = [this.ny, this.nx];
    [this.previous, this.current] = [this.current, this.previous];
    const [labels, below] = [this.current, this.previous];
    for (let y = 0, i = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (!member(values[offset + i]!)) {
          labels[i] = 0;
          continue;
        }
        const left = x > 0 ? labels[i - 1]! : 0;
        const up = y > 0 ? labels[i - nx]! : 0;
        const under = below[i]!;
        let label = left || up || under;
        if (label === 0) {
          label = this.next++;
          if (this.joining) this.parent.push(label);
        }
        if (this.joining) {
          if (up !== 0 && up !== label) this.union(label, up);
          if (under !== 0 && under !== label) this.union(label, under);
        }
        labels[i] = label;
      }
    return labels;
  }

  /** The label every label joined to `label` points to (the smallest of them). */
  find(label: number): number {
    const parent = this.parent;
    let root = label;
    while (parent[root] !== root) root = parent[root]!;
    while (label !== root) {
      const next = parent[label]!;
      parent[label] = root;
      label = next;
    }
    return root;
  }

  private union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Calls `visit` for each z slice of `volume` in order, its values at `data[offset…]`; reads whole
 * chunks of z at a time, so a chunked volume is not decoded once per slice. With `into`, each slab
 * of slices is written there after its visits (which may change `data`).
 */
export async function forEachSlice(
  volume: Volume,
  visit: (data: TypedArray, offset: number, z: number) => void,
  options: { signal?: AbortSignal | undefined; progress?: Progress | undefined; stage: string; into?: RegionWriter },
): Promise<void> {
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const slab = Math.max(1, Math.min(volume.chunkShape[0], Math.floor(2 ** 26 / plane)));
  for (let z0 = 0; z0 < nz; z0 += slab) {
    if (options.signal?.aborted) throw cancelled(`${options.stage} cancelled`);
    const region: Region = { start: [z0, 0, 0], shape: [Math.min(slab, nz - z0), ny, nx] };
    const data = await volume.read(region);
    for (let dz = 0; dz < region.shape[0]; dz++) visit(data, dz * plane, z0 + dz);
    await options.into?.write(region, data);
    options.progress?.(z0 + region.shape[0], nz, options.stage);
  }
}
