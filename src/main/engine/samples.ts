// The training samples: which labelled voxels to train on, their basis responses (and those of
// unlabelled context voxels), and views of them by rows (the folds of a cross-validation) or by
// scales (a candidate basis read out of the responses of a larger one, without filtering again).
import { cancelled } from '../../shared/errors';
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import type { Volume } from '../volume/volume';
import { type Aspect, CHANNELS_PER_SCALE, basisHalo, computeBasis } from './basis';
import { type AxisOrder, thinAxisFirst } from './block-predict';
import { blockGrid, readPadded } from './blocks';
import type { SparseLabels } from './labels';
import type { Random } from './random';

/** Basis responses of the chosen labelled voxels: rows × (scales × CHANNELS_PER_SCALE). */
export interface Samples {
  rows: Float64Array;
  /** Each row's class as an index 0..K-1 (the model's class order), not its label value. */
  classIndex: Uint8Array;
  /** C-order linear index of each row's voxel. */
  positions: Float64Array;
  count: number;
  /** Basis responses of a random sample of all voxels around the labels, labelled or not: `context.length / width` rows. */
  context: Float64Array;
}

/** The rows of `samples` for which `keep(row)` holds (context unchanged). */
export function selectRows(samples: Samples, width: number, keep: (row: number) => boolean): Samples {
  const picked: number[] = [];
  for (let r = 0; r < samples.count; r++) if (keep(r)) picked.push(r);
  const rows = new Float64Array(picked.length * width);
  picked.forEach((r, i) => rows.set(samples.rows.subarray(r * width, (r + 1) * width), i * width));
  return {
    rows,
    classIndex: Uint8Array.from(picked, (r) => samples.classIndex[r]!),
    positions: Float64Array.from(picked, (r) => samples.positions[r]!),
    count: picked.length,
    context: samples.context,
  };
}

/**
 * The responses of the basis at `scales`, read out of samples gathered at `all` (which holds every
 * one of `scales`): each scale's channels are computed on their own, so they are the same either way.
 */
export function selectScales(samples: Samples, all: readonly number[], scales: readonly number[]): Samples {
  const C = CHANNELS_PER_SCALE;
  const from = scales.map((s) => {
    const index = all.indexOf(s);
    if (index < 0) throw new RangeError(`scale ${s} was not gathered`);
    return index;
  });
  const pick = (source: Float64Array): Float64Array => {
    const n = source.length / (all.length * C);
    const out = new Float64Array(n * scales.length * C);
    for (let r = 0; r < n; r++)
      from.forEach((index, s) =>
        out.set(
          source.subarray((r * all.length + index) * C, (r * all.length + index + 1) * C),
          (r * scales.length + s) * C,
        ),
      );
    return out;
  };
  return { ...samples, rows: pick(samples.rows), context: pick(samples.context) };
}

/** Unlabelled voxels sampled for the prior estimate: enough for fractions of a few per cent. */
const CONTEXT_VOXELS = 20_000;

/** A seeded subset of at most `cap` labelled voxels per class, as positions into `sparse`. */
export function chooseVoxels(sparse: SparseLabels, K: number, cap: number, random: Random): Uint32Array {
  const perClass: number[][] = Array.from({ length: K }, () => []);
  sparse.values.forEach((v, i) => perClass[v - 1]!.push(i));
  const chosen: number[] = [];
  for (const members of perClass) {
    for (let i = 0; i < Math.min(cap, members.length); i++) {
      const j = i + random.int(members.length - i);
      [members[i], members[j]] = [members[j]!, members[i]!];
      chosen.push(members[i]!);
    }
  }
  return Uint32Array.from(chosen).sort();
}

/**
 * Computes the basis only around the chosen voxels: runs of consecutive labelled z slices, each
 * cropped to the y/x box of its labels (and split into blocks), with the thin axis filtered first.
 */
export async function gatherSamples(
  image: Volume,
  sparse: SparseLabels,
  chosen: Uint32Array,
  scales: number[],
  aspect: Aspect,
  normalisation: { low: number; high: number },
  random: Random,
  signal?: AbortSignal,
): Promise<Samples> {
  const [, ny, nx] = image.shape;
  const width = scales.length * CHANNELS_PER_SCALE;
  const rows = new Float64Array(chosen.length * width);
  const context: number[] = [];
  const classIndex = new Uint8Array(chosen.length);
  const positions = new Float64Array(chosen.length);
  const halo = basisHalo(scales);
  const position = (i: number): Vec3 => {
    const index = sparse.indices[i]!;
    return [Math.floor(index / (ny * nx)), Math.floor(index / nx) % ny, index % nx];
  };
  const runs: { first: number; last: number; region: Region }[] = [];
  for (let first = 0; first < chosen.length;) {
    // one run of consecutive z slices
    let last = first;
    while (last + 1 < chosen.length && position(chosen[last + 1]!)[0] - position(chosen[last]!)[0] <= 1) last++;
    const lo: Vec3 = [Infinity, Infinity, Infinity];
    const hi: Vec3 = [-1, -1, -1];
    for (let i = first; i <= last; i++) {
      const p = position(chosen[i]!);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, p[a]!);
        hi[a] = Math.max(hi[a]!, p[a]! + 1);
      }
    }
    runs.push({ first, last, region: { start: lo, shape: [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] } });
    first = last + 1;
  }
  // One context voxel in each stretch of `stride`, at a random place in it.
  const stride = Math.max(1, runs.reduce((sum, { region }) => sum + voxelCount(region.shape), 0) / CONTEXT_VOXELS);
  let row = 0;
  for (const { first, last, region: run } of runs) {
    for (const block of blockGrid(image.shape, [32, 256, 256], run)) {
      if (signal?.aborted) throw cancelled();
      const members: number[] = [];
      for (let i = first; i <= last; i++) if (inside(position(chosen[i]!), block)) members.push(chosen[i]!);
      if (members.length === 0) continue;
      const input = await readPadded(image, block, halo, normalisation);
      const order: AxisOrder = thinAxisFirst(block.shape);
      const basis = computeBasis(input.data, input.shape, halo, scales, aspect, order);
      const [, by, bx] = block.shape;
      for (const i of members) {
        const p = position(i);
        const local = ((p[0] - block.start[0]) * by + (p[1] - block.start[1])) * bx + (p[2] - block.start[2]);
        for (let c = 0; c < width; c++) rows[row * width + c] = basis.channels[c]![local]!;
        classIndex[row] = sparse.values[i]! - 1;
        positions[row] = sparse.indices[i]!;
        row++;
      }
      const voxels = voxelCount(block.shape);
      for (let start = 0; start < voxels; start += stride) {
        const local = Math.min(voxels - 1, Math.floor(start + random.next() * stride));
        for (let c = 0; c < width; c++) context.push(basis.channels[c]![local]!);
      }
    }
  }
  return { rows, classIndex, positions, count: row, context: Float64Array.from(context) };
}

const inside = (p: Vec3, r: Region): boolean => p.every((v, a) => v >= r.start[a]! && v < r.start[a]! + r.shape[a]!);
