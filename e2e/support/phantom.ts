// A volume where grey value cannot tell two classes apart: fibres and pores of the same grey value
// in a brighter matrix (src/main/phantoms, with scanner blur, rings and noise), what the network is
// for. Discs to paint inside each class on one slice, and the scores of a segmentation against the
// truth, beside the best any grey-value threshold reaches on the same voxels.
import { type Phantom, makePhantom } from '../../src/main/phantoms';
import type { Pixel } from './painting';

export type { Phantom };
/** The phantom's classes: values of its truth, and the app's class ids they are painted as. */
export const MATRIX_CLASS = 1;
export const FIBRE_CLASS = 2;
export const PORE_CLASS = 3;

/** 48 slices of 128 × 128 voxels (the views' helpers assume 128 columns); deterministic. */
export const fibresAndPores = (): Promise<Phantom> => makePhantom('fibres-pores', [48, 128, 128], 1);

const index = ({ shape }: Phantom, z: number, y: number, x: number): number => (z * shape[1] + y) * shape[2] + x;

/**
 * Up to `count` centres on slice `z` where a disc of `radius`, and one voxel around it, lies all in
 * `classValue`, at least 20 voxels apart: where a careful person clicks with that brush.
 */
export function discCentres(phantom: Phantom, z: number, classValue: number, radius: number, count: number): Pixel[] {
  const [, ny, nx] = phantom.shape;
  const margin = radius + 1;
  const fits = (y: number, x: number): boolean => {
    for (let dy = -margin; dy <= margin; dy++)
      for (let dx = -margin; dx <= margin; dx++) {
        if (dy * dy + dx * dx > margin * margin) continue;
        const [yy, xx] = [y + dy, x + dx];
        if (yy < 0 || xx < 0 || yy >= ny || xx >= nx || phantom.truth[index(phantom, z, yy, xx)] !== classValue)
          return false;
      }
    return true;
  };
  const chosen: Pixel[] = [];
  for (let y = 4; y < ny - 4 && chosen.length < count; y++)
    for (let x = 4; x < nx - 4 && chosen.length < count; x++)
      if (fits(y, x) && chosen.every(([cx, cy]) => Math.hypot(cy - y, cx - x) >= 20)) chosen.push([x, y]);
  return chosen;
}

/**
 * The voxels scored: off slice `painted` (no painted voxel counts), and cores only, whose 3×3×3
 * neighbourhood is all one class (a class boundary is a matter of blur, not of shape).
 */
function scoredVoxels(phantom: Phantom, painted: number): number[] {
  const [nz, ny, nx] = phantom.shape;
  const voxels: number[] = [];
  for (let z = 1; z < nz - 1; z++)
    for (let y = 1; y < ny - 1; y++)
      for (let x = 1; x < nx - 1; x++) {
        if (z === painted) continue;
        const value = phantom.truth[index(phantom, z, y, x)];
        let core = true;
        for (let dz = -1; dz <= 1 && core; dz++)
          for (let dy = -1; dy <= 1 && core; dy++)
            for (let dx = -1; dx <= 1 && core; dx++)
              core = phantom.truth[index(phantom, z + dz, y + dy, x + dx)] === value;
        if (core) voxels.push(index(phantom, z, y, x));
      }
  return voxels;
}

export interface Scores {
  /** Per class value (matrix, fibre, pore): the share of its scored voxels given that class. */
  recall: Record<number, number>;
  /**
   * The best a plain threshold on the grey value reaches on the same fibre and pore voxels: the
   * largest, over every threshold and either way round, of the smaller of the two recalls.
   */
  threshold: number;
}

export function score(phantom: Phantom, classes: Uint8Array, painted: number): Scores {
  const voxels = scoredVoxels(phantom, painted);
  const right: Record<number, number> = { [MATRIX_CLASS]: 0, [FIBRE_CLASS]: 0, [PORE_CLASS]: 0 };
  const all: Record<number, number> = { [MATRIX_CLASS]: 0, [FIBRE_CLASS]: 0, [PORE_CLASS]: 0 };
  for (const i of voxels) {
    const value = phantom.truth[i]!;
    all[value]!++;
    if (classes[i] === value) right[value]!++;
  }
  const recall = Object.fromEntries([MATRIX_CLASS, FIBRE_CLASS, PORE_CLASS].map((v) => [v, right[v]! / all[v]!]));
  // grey values of the fibre and pore voxels, sorted: a threshold splits them into a lower and an upper part
  const dark = voxels
    .filter((i) => phantom.truth[i] !== MATRIX_CLASS)
    .map((i) => [phantom.image[i]!, phantom.truth[i]!] as const)
    .sort((a, b) => a[0] - b[0]);
  const fibres = dark.filter(([, value]) => value === FIBRE_CLASS).length;
  const pores = dark.length - fibres;
  let best = 0;
  let [fibresBelow, poresBelow] = [0, 0];
  for (let k = 0; k <= dark.length; k++) {
    // only between different grey values
    if (k === 0 || k === dark.length || dark[k]![0] !== dark[k - 1]![0]) {
      const poresLow = Math.min(poresBelow / pores, (fibres - fibresBelow) / fibres);
      const fibresLow = Math.min(fibresBelow / fibres, (pores - poresBelow) / pores);
      best = Math.max(best, poresLow, fibresLow);
    }
    if (k < dark.length) {
      if (dark[k]![1] === FIBRE_CLASS) fibresBelow++;
      else poresBelow++;
    }
  }
  return { recall, threshold: best };
}
