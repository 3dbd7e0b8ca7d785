// The training samples: which labelled voxels to train on, their basis responses (and those of
// unlabelled context voxels, and of the neighbourhoods the smoothing choice predicts), and views of
// them by rows (the folds of a cross-validation) or by scales (a candidate basis read out of the
// responses of a larger one, without filtering again).
import { cancelled } from '../../shared/errors';
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import type { Volume } from '../volume/volume';
import { type Aspect, CHANNELS_PER_SCALE, computeBasis } from './basis';
import { type AxisOrder, thinAxisFirst } from './block-predict';
import { blockGrid, readPadded, reflectIndex } from './blocks';
import type { SparseLabels } from './labels';
import type { Random } from './random';
import { TEXTURE_CHANNELS, featuresHalo, textureRings } from './texture';

/** The scales of a basis, and the texture scales pooled by them (texture.ts). */
export interface BasisSpec {
  scales: number[];
  texture: number[];
}

/** Values per scale in a sample row of `spec`: the basis channels, then TEXTURE_CHANNELS per texture scale. */
export const channelsOf = (spec: BasisSpec): number => CHANNELS_PER_SCALE + TEXTURE_CHANNELS * spec.texture.length;

/** Values per sample row of `spec`: its scales × channelsOf(spec). */
export const rowWidth = (spec: BasisSpec): number => spec.scales.length * channelsOf(spec);

/**
 * Basis responses of the chosen labelled voxels: rows × (scales × channelsOf(spec)), scale-major.
 */
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
 * The responses of the basis `wanted`, read out of samples gathered at `all` (which holds every one
 * of its scales and texture scales): each scale's channels are computed on their own, so they are
 * the same either way.
 */
export function selectBasis(samples: Samples, all: BasisSpec, wanted: BasisSpec): Samples {
  const indexIn = (list: number[], value: number): number => {
    const index = list.indexOf(value);
    if (index < 0) throw new RangeError(`scale ${value} was not gathered`);
    return index;
  };
  const fromScale = wanted.scales.map((s) => indexIn(all.scales, s));
  // per wanted scale, the basis channels then the wanted textures' values
  const fromChannel = [
    ...Array.from({ length: CHANNELS_PER_SCALE }, (_, c) => c),
    ...wanted.texture.flatMap((t) =>
      Array.from(
        { length: TEXTURE_CHANNELS },
        (_, c) => CHANNELS_PER_SCALE + TEXTURE_CHANNELS * indexIn(all.texture, t) + c,
      ),
    ),
  ];
  const allChannels = channelsOf(all);
  const [allWidth, width] = [rowWidth(all), wanted.scales.length * fromChannel.length];
  const pick = (source: Float64Array): Float64Array => {
    const n = source.length / allWidth;
    const out = new Float64Array(n * width);
    let o = 0;
    for (let r = 0; r < n; r++)
      for (const index of fromScale) {
        const base = r * allWidth + index * allChannels;
        for (const c of fromChannel) out[o++] = source[base + c]!;
      }
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

/** Writes the sample row of the voxel at `local` (C order in `block`) value by value. */
type RowWriter = (local: number, out: (value: number) => void) => void;

/**
 * Computes the basis only around `indices` (C-order voxel indices, ascending): runs of consecutive
 * z slices, each cropped to the y/x box of its voxels (and split into blocks), with the thin axis
 * filtered first. `visit` gets each block that holds any of them, their positions in `indices`,
 * and a writer of one voxel's sample row.
 */
async function basisAround(
  image: Volume,
  indices: ArrayLike<number>,
  spec: BasisSpec,
  aspect: Aspect,
  normalisation: { low: number; high: number },
  signal: AbortSignal | undefined,
  visit: (block: Region, members: number[], write: RowWriter) => void,
): Promise<void> {
  const { scales, texture } = spec;
  const halo = featuresHalo(scales, texture);
  for (const { first, last, region: run } of runsOf(indices, image.shape)) {
    for (const block of blockGrid(image.shape, [32, 256, 256], run)) {
      if (signal?.aborted) throw cancelled();
      const members: number[] = [];
      for (let i = first; i <= last; i++) if (inside(positionOf(indices[i]!, image.shape), block)) members.push(i);
      if (members.length === 0) continue;
      const input = await readPadded(image, block, halo, normalisation);
      const order: AxisOrder = thinAxisFirst(block.shape);
      const basis = computeBasis(input.data, input.shape, halo, scales, aspect, order);
      const pooled = textureRings(input.data, input.shape, halo, scales, texture, aspect, order);
      const [, by, bx] = block.shape;
      // one sample row: per scale its basis channels (interior layout), then its texture values (ring layout)
      visit(block, members, (local, out) => {
        const x = local % bx;
        const y = Math.floor(local / bx) % by;
        const z = Math.floor(local / (bx * by));
        const inRing = ((z + 1) * (by + 2) + y + 1) * (bx + 2) + x + 1;
        for (let s = 0; s < scales.length; s++) {
          for (let c = 0; c < CHANNELS_PER_SCALE; c++) out(basis.channels[s * CHANNELS_PER_SCALE + c]![local]!);
          for (let j = 0; j < TEXTURE_CHANNELS * texture.length; j++) out(pooled[j * scales.length + s]![inRing]!);
        }
      });
    }
  }
}

/** Runs of consecutive z slices among `indices` (ascending), each with the box of its voxels. */
function runsOf(indices: ArrayLike<number>, shape: Vec3): { first: number; last: number; region: Region }[] {
  const runs: { first: number; last: number; region: Region }[] = [];
  for (let first = 0; first < indices.length;) {
    let last = first;
    while (
      last + 1 < indices.length &&
      positionOf(indices[last + 1]!, shape)[0] - positionOf(indices[last]!, shape)[0] <= 1
    )
      last++;
    const lo: Vec3 = [Infinity, Infinity, Infinity];
    const hi: Vec3 = [-1, -1, -1];
    for (let i = first; i <= last; i++) {
      const p = positionOf(indices[i]!, shape);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, p[a]!);
        hi[a] = Math.max(hi[a]!, p[a]! + 1);
      }
    }
    runs.push({ first, last, region: { start: lo, shape: [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] } });
    first = last + 1;
  }
  return runs;
}

/** The (z, y, x) of C-order voxel `index`. */
export const positionOf = (index: number, [, ny, nx]: Vec3): Vec3 => [
  Math.floor(index / (ny * nx)),
  Math.floor(index / nx) % ny,
  index % nx,
];

/** The position of voxel `index` in `block`, C order. */
function localIndex(index: number, shape: Vec3, block: Region): number {
  const [z, y, x] = positionOf(index, shape);
  return ((z - block.start[0]) * block.shape[1] + (y - block.start[1])) * block.shape[2] + (x - block.start[2]);
}

/** The basis responses of the chosen labelled voxels, and of context voxels sampled around them. */
export async function gatherSamples(
  image: Volume,
  sparse: SparseLabels,
  chosen: Uint32Array,
  spec: BasisSpec,
  aspect: Aspect,
  normalisation: { low: number; high: number },
  random: Random,
  signal?: AbortSignal,
): Promise<Samples> {
  const width = rowWidth(spec);
  const rows = new Float64Array(chosen.length * width);
  const context: number[] = [];
  const classIndex = new Uint8Array(chosen.length);
  const positions = new Float64Array(chosen.length);
  const indices = Float64Array.from(chosen, (i) => sparse.indices[i]!);
  // One context voxel in each stretch of `stride` of the blocks' voxels, at a random place in it.
  const gathered = runsOf(indices, image.shape).reduce((sum, { region }) => sum + voxelCount(region.shape), 0);
  const stride = Math.max(1, gathered / CONTEXT_VOXELS);
  let row = 0; // rows in the order the blocks hold them
  await basisAround(image, indices, spec, aspect, normalisation, signal, (block, members, write) => {
    for (const i of members) {
      let c = row * width;
      write(localIndex(indices[i]!, image.shape, block), (value) => (rows[c++] = value));
      classIndex[row] = sparse.values[chosen[i]!]! - 1;
      positions[row++] = indices[i]!;
    }
    const voxels = voxelCount(block.shape);
    for (let start = 0; start < voxels; start += stride) {
      const local = Math.min(voxels - 1, Math.floor(start + random.next() * stride));
      write(local, (value) => context.push(value));
    }
  });
  return { rows, classIndex, positions, count: chosen.length, context: Float64Array.from(context) };
}

/**
 * The 3×3×3 neighbourhoods of some voxels: what a prediction smoothed over them (smoothPrediction)
 * is made of. Beyond the volume a neighbour is its mirror image inside, as prediction reads it.
 */
export interface Neighbourhoods {
  /** Per voxel, its 27 neighbours (z, then y, then x from −1 to +1) as rows of `rows`. */
  members: Int32Array;
  /** Basis responses of the distinct neighbours, one row each. */
  rows: Float64Array;
}

/** Gathers the neighbourhoods of the voxels at `positions` (C-order indices). */
export async function gatherNeighbourhoods(
  image: Volume,
  positions: ArrayLike<number>,
  spec: BasisSpec,
  aspect: Aspect,
  normalisation: { low: number; high: number },
  signal?: AbortSignal,
): Promise<Neighbourhoods> {
  const [nz, ny, nx] = image.shape;
  const rowOf = new Map<number, number>();
  const members = new Int32Array(positions.length * 27);
  let m = 0;
  for (let i = 0; i < positions.length; i++) {
    const [z, y, x] = positionOf(positions[i]!, image.shape);
    for (let dz = -1; dz <= 1; dz++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const at = (reflectIndex(z + dz, nz) * ny + reflectIndex(y + dy, ny)) * nx + reflectIndex(x + dx, nx);
          if (!rowOf.has(at)) rowOf.set(at, rowOf.size);
          members[m++] = rowOf.get(at)!;
        }
  }
  const distinct = Float64Array.from(rowOf.keys()).sort();
  const width = rowWidth(spec);
  const rows = new Float64Array(distinct.length * width);
  await basisAround(image, distinct, spec, aspect, normalisation, signal, (block, inBlock, write) => {
    for (const i of inBlock) {
      let c = rowOf.get(distinct[i]!)! * width;
      write(localIndex(distinct[i]!, image.shape, block), (value) => (rows[c++] = value));
    }
  });
  return { members, rows };
}

const inside = (p: Vec3, r: Region): boolean => p.every((v, a) => v >= r.start[a]! && v < r.start[a]! + r.shape[a]!);
