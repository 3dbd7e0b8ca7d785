// Sparse training labels: the painted voxels only (0 = unlabelled is never stored), validated the
// way a user needs to hear about mistakes: wrong shape, values outside 1..255, a missing class.
import { TomosegError, badInput, cancelled } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { Volume } from '../volume/volume';
import { blockGrid } from './blocks';

export interface SparseLabels {
  shape: Vec3;
  /** C-order linear voxel indices, ascending. */
  indices: Float64Array;
  /** Class value (1..255) of each index. */
  values: Uint8Array;
}

const sameShape = (a: Vec3, b: Vec3): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
const fmt = (s: Vec3): string => s.join('×');

/** Reads a label volume slab by slab and keeps its non-zero voxels. */
export async function sparseLabelsFromVolume(labels: Volume, signal?: AbortSignal): Promise<SparseLabels> {
  const [, ny, nx] = labels.shape;
  const indices: number[] = [];
  const values: number[] = [];
  const slab: Vec3 = [Math.max(1, Math.min(labels.shape[0], Math.floor(16_000_000 / (ny * nx)))), ny, nx];
  for (const region of blockGrid(labels.shape, slab)) {
    if (signal?.aborted) throw cancelled();
    const data = await labels.read(region);
    const offset = region.start[0] * ny * nx;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === 0) continue;
      if (!(Number.isInteger(v) && v >= 1 && v <= 255)) {
        const z = region.start[0] + Math.floor(i / (ny * nx));
        const y = Math.floor(i / nx) % ny;
        throw badInput(
          `${labels.path} has label ${String(v)} at (z, y, x) = (${z}, ${y}, ${i % nx}); labels must be integers 1..255 (0 = unlabelled)`,
        );
      }
      indices.push(offset + i);
      values.push(v);
    }
  }
  return { shape: labels.shape, indices: Float64Array.from(indices), values: Uint8Array.from(values) };
}

/**
 * Checks the labels against the image and returns the class values 1..K. Every class up to the
 * largest label must have at least one voxel, and there must be two classes at least.
 */
export function validateLabels(labels: SparseLabels, imageShape: Vec3, source = 'the labels'): number[] {
  if (!sameShape(labels.shape, imageShape))
    throw badInput(`${source} have shape ${fmt(labels.shape)} (z×y×x) but the image has ${fmt(imageShape)}`);
  const counts = new Array<number>(256).fill(0);
  for (const v of labels.values) counts[v]!++;
  const largest = counts.findLastIndex((c) => c > 0);
  if (largest < 1) throw badInput(`${source} contain no labelled voxel: paint at least two classes`);
  if (largest === 1) throw badInput(`${source} contain only one class (1): paint at least two classes`);
  const missing = [];
  for (let v = 1; v <= largest; v++) if (counts[v] === 0) missing.push(v);
  if (missing.length > 0)
    throw new TomosegError(
      'bad-input',
      `${source} use classes 1..${largest} but class ${missing.join(', ')} has no labelled voxel`,
    );
  return Array.from({ length: largest }, (_, i) => i + 1);
}
