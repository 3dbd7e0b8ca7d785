// The user's labels downsampled for the 3D view: per block of the overview grid, the class painted
// most in it, 0 where nothing is. Any painted voxel marks its block, because strokes are thin: a
// most-frequent vote would lose them among the unlabelled voxels. Only labelled blocks of the store
// are visited, one overview plane at a time, so the cost follows what was painted, not the volume.
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
  const [outZ, outY, outX] = shape;
  const data = new Uint8Array(outZ * outY * outX);

  // A counter per overview voxel of one plane for each class that labels anything (few, usually).
  const classes = store.classCounts().flatMap((count, value) => (count > 0 ? [value] : []));
  const slot = new Uint8Array(256);
  classes.forEach((value, i) => (slot[value] = i));
  const counts = new Uint32Array(outY * outX * classes.length);
  const slabs = new Map<number, number[]>(); // label blocks by their z position in blocks
  for (const key of store.blockKeys()) {
    const bz = store.blockOrigin(key)[0] / BLOCK;
    const slab = slabs.get(bz);
    if (slab) slab.push(key);
    else slabs.set(bz, [key]);
  }

  const rowOf = new Uint32Array(BLOCK);
  const columnOf = new Uint32Array(BLOCK);
  for (let k = 0; k < outZ; k++) {
    const z0 = k * step[0],
      z1 = Math.min(store.shape[0], z0 + step[0]);
    let painted = false;
    for (let bz = Math.floor(z0 / BLOCK); bz * BLOCK < z1; bz++)
      for (const key of slabs.get(bz) ?? []) {
        if (!painted) counts.fill(0);
        painted = true;
        const block = store.block(key)!;
        // Four voxels at a time, to skip the unlabelled ones quickly (blocks start word-aligned).
        const words = new Uint32Array(block.buffer, block.byteOffset, block.length / 4);
        const [oz, oy, ox] = store.blockOrigin(key);
        for (let i = 0; i < BLOCK; i++) {
          rowOf[i] = Math.floor((oy + i) / step[1]) * outX;
          columnOf[i] = Math.floor((ox + i) / step[2]);
        }
        for (let z = Math.max(z0, oz); z < Math.min(z1, oz + BLOCK); z++)
          for (let y = 0; y < BLOCK; y++) {
            const row = ((z - oz) * BLOCK + y) * BLOCK;
            for (let w = row >> 2; w < (row + BLOCK) >> 2; w++) {
              if (words[w] === 0) continue;
              for (let i = w << 2; i < (w + 1) << 2; i++) {
                const value = block[i]!;
                if (value !== 0) counts[(rowOf[y]! + columnOf[i - row]!) * classes.length + slot[value]!]!++;
              }
            }
          }
      }
    if (painted) pickMostPainted(counts, classes, data.subarray(k * outY * outX, (k + 1) * outY * outX));
  }
  return {
    shape,
    voxelSize: voxelSize.map((v, a) => v * step[a]!) as Vec3,
    // An overview voxel stands for its whole block: its centre.
    origin: voxelSize.map((v, a) => ((step[a]! - 1) / 2) * v) as Vec3,
    dtype: 'uint8',
    data,
  };
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
    if (best >= 0) out[i] = classes[best]!;
  }
}
