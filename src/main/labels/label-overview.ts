// The user's labels downsampled for the 3D view: per block of the overview grid, the class painted
// most in it, 0 where nothing is. Any painted voxel marks its block, because strokes are thin: a
// most-frequent vote would lose them among the unlabelled voxels. Only labelled blocks of the store
// are read (an unpainted one is a missed lookup), one overview plane at a time, so the cost follows
// what was painted; after a stroke, only the overview voxels over the blocks it changed are recounted.
import type { VolumeOverview } from '../../shared/api';
import { badInput } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { overviewStep } from '../volume/overview';
import { BLOCK, type LabelStore } from './label-store';

/** `voxelSize`: the volume's, to place the overview in its physical coordinates. */
export function labelOverview(store: LabelStore, voxelSize: Vec3, maxEdge: number): VolumeOverview {
  if (!Number.isInteger(maxEdge) || maxEdge < 1) throw badInput(`overview edge ${maxEdge} must be a positive integer`);
  const step = overviewStep(store.shape, maxEdge);
  const shape = store.shape.map((n, a) => Math.ceil(n / step[a]!)) as Vec3;
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  recount(new Tally(store, step, shape, data), [0, 0, 0], shape);
  return {
    shape,
    voxelSize: voxelSize.map((v, a) => v * step[a]!) as Vec3,
    // An overview voxel stands for its whole block: its centre.
    origin: voxelSize.map((v, a) => ((step[a]! - 1) / 2) * v) as Vec3,
    dtype: 'uint8',
    data,
  };
}

/**
 * Brings `overview` (made by `labelOverview` with the same store and `maxEdge`) up to date in place
 * after the given label blocks changed: only the overview voxels over them are recounted.
 */
export function updateLabelOverview(
  store: LabelStore,
  overview: VolumeOverview,
  maxEdge: number,
  changedBlocks: Iterable<number>,
): void {
  const step = overviewStep(store.shape, maxEdge);
  const tally = new Tally(store, step, overview.shape, overview.data as Uint8Array);
  for (const key of changedBlocks) {
    const origin = store.blockOrigin(key);
    const lo = origin.map((o, a) => Math.floor(o / step[a]!)) as Vec3;
    const hi = origin.map((o, a) => Math.floor((Math.min(store.shape[a]!, o + BLOCK) - 1) / step[a]!) + 1) as Vec3;
    recount(tally, lo, hi);
  }
}

/** What recounting needs, worked out once per overview or update. */
class Tally {
  /** Classes that label anything (few, usually), in increasing order: one counter each per overview voxel. */
  readonly classes: number[];
  readonly slot = new Uint8Array(256);

  constructor(
    readonly store: LabelStore,
    readonly step: Vec3,
    readonly shape: Vec3,
    readonly data: Uint8Array,
  ) {
    this.classes = store.classCounts().flatMap((count, value) => (count > 0 ? [value] : []));
    this.classes.forEach((value, i) => (this.slot[value] = i));
  }
}

/**
 * Recounts overview voxels lo..hi-1 (z, y, x) from every label block under them, one overview
 * plane at a time. Blocks reaching beyond the box (where overview and label blocks do not align)
 * are read whole, their voxels outside it skipped.
 */
function recount(tally: Tally, lo: Vec3, hi: Vec3): void {
  const { store, step, shape, data, classes, slot } = tally;
  const n = classes.length;
  const [nz, ny, nx] = store.shape;
  const [, gy, gx] = store.grid;
  const [, outY, outX] = shape;
  const height = hi[1] - lo[1],
    width = hi[2] - lo[2];
  const counts = new Uint32Array(height * width * n);
  // The box's voxels in y and x.
  const y0 = lo[1] * step[1],
    y1 = Math.min(ny, hi[1] * step[1]);
  const x0 = lo[2] * step[2],
    x1 = Math.min(nx, hi[2] * step[2]);
  // A block's row and column → its counters' row and column in the box; -1 outside.
  const rowOf = new Int32Array(BLOCK);
  const columnOf = new Int32Array(BLOCK);
  for (let k = lo[0]; k < hi[0]; k++) {
    const z0 = k * step[0],
      z1 = Math.min(nz, z0 + step[0]);
    let painted = false;
    for (let bz = Math.floor(z0 / BLOCK); bz * BLOCK < z1; bz++)
      for (let by = Math.floor(y0 / BLOCK); by * BLOCK < y1; by++)
        for (let bx = Math.floor(x0 / BLOCK); bx * BLOCK < x1; bx++) {
          const block = store.block((bz * gy + by) * gx + bx);
          if (!block) continue;
          if (!painted) counts.fill(0);
          painted = true;
          const [oz, oy, ox] = [bz * BLOCK, by * BLOCK, bx * BLOCK];
          for (let i = 0; i < BLOCK; i++) {
            const y = oy + i,
              x = ox + i;
            rowOf[i] = y >= y0 && y < y1 ? (Math.floor(y / step[1]) - lo[1]) * width : -1;
            columnOf[i] = x >= x0 && x < x1 ? Math.floor(x / step[2]) - lo[2] : -1;
          }
          // Four voxels at a time, to skip the unlabelled ones quickly (blocks start word-aligned).
          const words = new Uint32Array(block.buffer, block.byteOffset, block.length / 4);
          for (let z = Math.max(z0, oz); z < Math.min(z1, oz + BLOCK); z++)
            for (let y = 0; y < BLOCK; y++) {
              if (rowOf[y]! < 0) continue;
              const row = ((z - oz) * BLOCK + y) * BLOCK;
              for (let w = row >> 2; w < (row + BLOCK) >> 2; w++) {
                if (words[w] === 0) continue;
                for (let i = w << 2; i < (w + 1) << 2; i++) {
                  const value = block[i]!;
                  const column = columnOf[i - row]!;
                  if (value !== 0 && column >= 0) counts[(rowOf[y]! + column) * n + slot[value]!]!++;
                }
              }
            }
        }
    for (let j = 0; j < height; j++) {
      const start = (k * outY + lo[1] + j) * outX + lo[2];
      const out = data.subarray(start, start + width);
      if (painted) pickMostPainted(counts.subarray(j * width * n, (j + 1) * width * n), classes, out);
      else out.fill(0);
    }
  }
}

/** Per overview voxel, the class with the most voxels (the lowest on a tie); 0 where none. */
function pickMostPainted(counts: Uint32Array, classes: number[], out: Uint8Array): void {
  const n = classes.length;
  for (let i = 0; i < out.length; i++) {
    let best = -1,
      most = 0;
    for (let c = 0; c < n; c++)
      if (counts[i * n + c]! > most) {
        most = counts[i * n + c]!;
        best = c;
      }
    out[i] = best >= 0 ? classes[best]! : 0;
  }
}
