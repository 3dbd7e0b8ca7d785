// Strokes: the connected pieces a person paints. Evaluation without ground truth holds out whole
// strokes (neighbouring voxels of one stroke look alike, so holding out single voxels of it would
// test nothing), and label-efficiency curves keep whole strokes up to a budget.
import type { Vec3 } from '../../shared/volume';
import type { SparseLabels } from '../engine/labels';
import { Random } from '../engine/random';

export interface Stroke {
  /** Class value 1..255. */
  value: number;
  /** C-order linear indices of its voxels, ascending. */
  indices: Uint32Array;
}

/** The strokes of a label volume: 26-connected components of each class's painted voxels. */
export function findStrokes(labels: ArrayLike<number>, shape: Vec3): Stroke[] {
  const [nz, ny, nx] = shape;
  const seen = new Uint8Array(labels.length);
  const strokes: Stroke[] = [];
  const queue = new Uint32Array(labels.length);
  for (let seed = 0; seed < labels.length; seed++) {
    const value = labels[seed]!;
    if (value === 0 || seen[seed]) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    seen[seed] = 1;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const [zz, yy, xx] = [z + dz, y + dy, x + dx];
            if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
            const j = (zz * ny + yy) * nx + xx;
            if (seen[j] || labels[j] !== value) continue;
            seen[j] = 1;
            queue[tail++] = j;
          }
    }
    strokes.push({ value, indices: queue.slice(0, tail).sort() });
  }
  return strokes;
}

/**
 * Gives every class at least `perClass` strokes by cutting its largest stroke into pieces along
 * its longest extent, dropping `gap` voxel layers at each cut so the pieces do not touch. For
 * classes painted in one stroke (randen15B): whole-stroke folds need several per class.
 */
export function splitStrokes(strokes: Stroke[], shape: Vec3, perClass: number, gap = 3): Stroke[] {
  const out = [...strokes];
  for (const value of classValues(strokes)) {
    const own = out.filter((s) => s.value === value);
    if (own.length >= perClass) continue;
    const largest = own.reduce((a, b) => (b.indices.length > a.indices.length ? b : a));
    out.splice(out.indexOf(largest), 1, ...cutStroke(largest, shape, perClass - own.length + 1, gap));
  }
  return out;
}

/** `pieces` parts of about equal size along the axis on which the stroke extends furthest. */
function cutStroke(stroke: Stroke, shape: Vec3, pieces: number, gap: number): Stroke[] {
  const [, ny, nx] = shape;
  const coordinates = [
    (i: number) => Math.floor(i / (nx * ny)),
    (i: number) => Math.floor(i / nx) % ny,
    (i: number) => i % nx,
  ];
  const extent = (c: (i: number) => number): number => {
    let [low, high] = [Infinity, -Infinity];
    for (const i of stroke.indices) [low, high] = [Math.min(low, c(i)), Math.max(high, c(i))];
    return high - low;
  };
  const along = coordinates.reduce((a, b) => (extent(b) > extent(a) ? b : a));
  const sorted = Array.from(stroke.indices).sort((a, b) => along(a) - along(b));
  const parts: number[][] = Array.from({ length: pieces }, () => []);
  const cuts = Array.from({ length: pieces - 1 }, (_, p) =>
    along(sorted[Math.floor(((p + 1) * sorted.length) / pieces)]!),
  );
  for (const i of sorted) {
    const c = along(i);
    if (cuts.some((cut) => c >= cut - Math.floor(gap / 2) && c < cut + Math.ceil(gap / 2))) continue;
    parts[cuts.filter((cut) => c >= cut).length]!.push(i);
  }
  return parts.filter((p) => p.length > 0).map((p) => ({ value: stroke.value, indices: Uint32Array.from(p).sort() }));
}

/** The class values present, ascending. */
export const classValues = (strokes: Stroke[]): number[] =>
  [...new Set(strokes.map((s) => s.value))].sort((a, b) => a - b);

export const paintedVoxels = (strokes: Stroke[]): number => strokes.reduce((sum, s) => sum + s.indices.length, 0);

/**
 * The fold (0..k-1) of each stroke, balanced per class: each class's strokes, largest first, are
 * dealt round-robin from a seeded fold. A class with at least two strokes is then in every
 * training split (all folds but one).
 */
export function strokeFolds(strokes: Stroke[], k: number, seed: number): number[] {
  const random = new Random(seed);
  const folds = new Array<number>(strokes.length).fill(0);
  for (const value of classValues(strokes)) {
    const own = strokes.flatMap((s, i) => (s.value === value ? [i] : []));
    own.sort((a, b) => strokes[b]!.indices.length - strokes[a]!.indices.length || a - b);
    const start = random.int(k);
    own.forEach((i, n) => (folds[i] = (start + n) % k));
  }
  return folds;
}

/**
 * Whole strokes adding up to about `budget` painted voxels, as a person who painted less would
 * have: every class keeps its smallest stroke, then classes take turns (in a seeded order) adding
 * their next stroke (in a seeded order) that still fits the budget, until none fits.
 */
export function keepStrokes(strokes: Stroke[], budget: number, seed: number): Stroke[] {
  const random = new Random(seed);
  const classes = shuffle(classValues(strokes), random);
  const kept: Stroke[] = [];
  const waiting = classes.map((value) => {
    const own = strokes.filter((s) => s.value === value);
    const smallest = own.reduce((a, b) => (b.indices.length < a.indices.length ? b : a));
    kept.push(smallest);
    return shuffle(
      own.filter((s) => s !== smallest),
      random,
    );
  });
  let total = paintedVoxels(kept);
  for (let added = true; added;) {
    added = false;
    for (const queue of waiting) {
      const next = queue.findIndex((s) => total + s.indices.length <= budget);
      if (next < 0) continue;
      const [stroke] = queue.splice(next, 1);
      kept.push(stroke!);
      total += stroke!.indices.length;
      added = true;
    }
  }
  return kept;
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The strokes as the engine's sparse training labels. */
export function strokeLabels(strokes: Stroke[], shape: Vec3): SparseLabels {
  const pairs = strokes.flatMap((s) => Array.from(s.indices, (i) => [i, s.value] as const));
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    shape,
    indices: Float64Array.from(pairs, (p) => p[0]),
    values: Uint8Array.from(pairs, (p) => p[1]),
  };
}

/** The strokes painted into a label volume (0 elsewhere). */
export function strokeVolume(strokes: Stroke[], shape: Vec3): Uint8Array {
  const labels = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (const s of strokes) for (const i of s.indices) labels[i] = s.value;
  return labels;
}
