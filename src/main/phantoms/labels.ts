import type { Vec3 } from '../../shared/volume';
import { Random } from '../engine/random';

export interface PaintOptions {
  seed?: number;
  /** z slices to paint on; default three slices at 1/4, 1/2 and 3/4 of the depth. */
  slices?: number[];
  /** Discs per class per slice. */
  discs?: number;
  /** Disc radius in voxels; a smaller disc is used where the larger one does not fit. */
  radius?: number;
}

/**
 * Sparse labels like a person paints them: a few discs per class on a few z slices, placed
 * inside the structures (a careful person does not paint across a boundary). 0 = unlabelled.
 */
export function paintLabels(
  truth: Uint8Array,
  shape: Vec3,
  classCount: number,
  options: PaintOptions = {},
): Uint8Array {
  const [nz, ny, nx] = shape;
  const random = new Random(options.seed ?? 7);
  const slices = options.slices ?? [Math.floor(nz / 4), Math.floor(nz / 2), Math.floor((3 * nz) / 4)];
  const discs = options.discs ?? 6;
  const labels = new Uint8Array(truth.length);
  for (const z of slices) {
    for (let value = 1; value <= classCount; value++) {
      let painted = 0;
      for (let attempt = 0; attempt < 4000 && painted < discs; attempt++) {
        const y = random.int(ny);
        const x = random.int(nx);
        for (let radius = options.radius ?? 3; radius >= 1; radius--) {
          if (!discFits(truth, shape, z, y, x, radius, value)) continue;
          forDisc(shape, y, x, radius, (yy, xx) => (labels[(z * ny + yy) * nx + xx] = value));
          painted++;
          break;
        }
      }
    }
  }
  return labels;
}

/**
 * Not how a person paints: the true class of a random `fraction` of all voxels, boundaries
 * included. What a method reaches from these bounds what better strokes could give it.
 */
export function sampleLabels(truth: Uint8Array, fraction: number, seed = 7): Uint8Array {
  const random = new Random(seed);
  const labels = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) if (random.next() < fraction) labels[i] = truth[i]!;
  return labels;
}

function forDisc(shape: Vec3, cy: number, cx: number, radius: number, visit: (y: number, x: number) => void): boolean {
  for (let y = cy - radius; y <= cy + radius; y++)
    for (let x = cx - radius; x <= cx + radius; x++) {
      if ((y - cy) ** 2 + (x - cx) ** 2 > radius * radius) continue;
      if (y < 0 || x < 0 || y >= shape[1] || x >= shape[2]) return false;
      visit(y, x);
    }
  return true;
}

function discFits(
  truth: Uint8Array,
  shape: Vec3,
  z: number,
  cy: number,
  cx: number,
  radius: number,
  value: number,
): boolean {
  let fits = true;
  const inside = forDisc(shape, cy, cx, radius, (y, x) => {
    if (truth[(z * shape[1] + y) * shape[2] + x] !== value) fits = false;
  });
  return inside && fits;
}
