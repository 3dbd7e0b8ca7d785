// Which basis scales suit these labels. Scans differ in the context their classes need: textures
// are told apart only over σ 8, and fine phases blur together there (measured on the real-scan
// test set: no one set of scales wins on every scan). So each candidate is cross-validated on the
// user's own painted voxels, folds made of whole cells of space (neighbouring voxels of one
// stroke look alike, so holding out single voxels would test nothing), and another candidate
// replaces the default only where it wins clearly, and in every fold. The same folds then say
// whether smoothing the chosen one's prediction over 3×3×3 voxels pays (solids: yes; structures a
// voxel or two thin: no).
import type { Vec3 } from '../../shared/volume';
import type { Network } from './network';
import { Random } from './random';
import {
  type BasisSpec,
  type Neighbourhoods,
  type Samples,
  positionOf,
  rowWidth,
  selectBasis,
  selectRows,
} from './samples';

/** Edge of the cells of space that go to one fold whole (voxels). */
const CELL = 32;
const FOLDS = 3;
/** Below this many painted voxels of a class in the held-out folds, a choice would be noise. */
const MIN_HELD_OUT = 30;
/** Each cross-validation fit uses at most this many voxels per class: the choice, not the final fit. */
const CHOICE_VOXELS_PER_CLASS = 500;
/**
 * Another candidate replaces the first (the default) only when it wins by this much: on the
 * real-scan test set smaller differences were noise (they picked the worse one as often as not).
 */
const MIN_GAIN = 0.03;

export interface ScaleChoice {
  candidates: number[][];
  /** Each candidate's texture scales. */
  texture: number[][];
  /** Each candidate's mean held-out recall over the classes (in the candidates' order). */
  scores: number[];
  /** The chosen candidate's, with the prediction smoothed over 3×3×3 voxels. */
  smoothedScore: number;
}

/** Fits a network on `samples` (whose rows hold the basis `spec`). */
export type FitNetwork = (samples: Samples, spec: BasisSpec) => Promise<Network>;

/** The 3×3×3 neighbourhoods of the voxels at `positions`, their rows holding the basis `spec`. */
export type NeighbourhoodsOf = (positions: Float64Array, spec: BasisSpec) => Promise<Neighbourhoods>;

/**
 * The candidate with the best cross-validated mean recall if it beats the first by MIN_GAIN, else
 * the first; undefined when the labels are too few or too clustered to tell (the caller keeps its
 * default). Also whether smoothing the chosen one's prediction pays.
 */
export async function chooseScales(
  samples: Samples,
  gathered: BasisSpec,
  candidates: BasisSpec[],
  shape: Vec3,
  K: number,
  seed: number,
  fitNetwork: FitNetwork,
  neighbourhoodsOf: NeighbourhoodsOf,
): Promise<{ spec: BasisSpec; choice: ScaleChoice; smooth: boolean } | undefined> {
  const random = new Random(seed);
  samples = capPerClass(samples, K, random);
  const fold = foldOfRows(samples, shape, K, random);
  // a fold counts where it holds voxels out and the others teach every class
  const usable = [...Array(FOLDS).keys()].filter((f) => fold.includes(f) && trainingHasEveryClass(samples, fold, f, K));
  const heldOut = new Array<number>(K).fill(0);
  for (let r = 0; r < samples.count; r++) if (usable.includes(fold[r]!)) heldOut[samples.classIndex[r]!]!++;
  if (usable.length < 2 || heldOut.some((n) => n < MIN_HELD_OUT)) return undefined;
  const scores: number[] = [];
  const foldScores: number[][] = [];
  const networks: Network[][] = []; // per candidate, per usable fold
  for (const spec of candidates) {
    const own = selectBasis(samples, gathered, spec);
    const width = rowWidth(spec);
    const pooled = new Recalls(K);
    const perFold: number[] = [];
    networks.push([]);
    for (const f of usable) {
      const network = await fitNetwork(
        selectRows(own, width, (r) => fold[r] !== f),
        spec,
      );
      networks.at(-1)!.push(network);
      const probs = new Float64Array(K);
      const recalls = new Recalls(K);
      for (let r = 0; r < own.count; r++) {
        if (fold[r] !== f) continue;
        const y = own.classIndex[r]!;
        const hit = network.predict(own.rows, r * width, probs) === y;
        recalls.add(y, hit);
        pooled.add(y, hit);
      }
      perFold.push(recalls.mean());
    }
    scores.push(pooled.mean());
    foldScores.push(perFold);
  }
  // a candidate must win clearly overall and lose in no fold: with few painted cells one lucky
  // fold can carry the mean (on the 64³ phantoms it picked σ 8 at 300 voxels, and lost 0.02 Dice)
  const wins = (c: number): boolean =>
    scores[c]! - scores[0]! >= MIN_GAIN && foldScores[c]!.every((score, f) => score >= foldScores[0]![f]!);
  const best = scores.reduce((b, score, c) => (wins(c) && (b === 0 || score > scores[b]!) ? c : b), 0);
  const spec = candidates[best]!;
  // the chosen candidate's fold networks again, on the held-out voxels' neighbourhoods
  const around = await neighbourhoodsOf(samples.positions, spec);
  const width = rowWidth(spec);
  const smoothed = new Recalls(K);
  usable.forEach((f, i) => {
    const smoothedClass = smoothedPredictor(networks[best]![i]!, around, width);
    for (let r = 0; r < samples.count; r++)
      if (fold[r] === f) smoothed.add(samples.classIndex[r]!, smoothedClass(r) === samples.classIndex[r]);
  });
  const choice: ScaleChoice = {
    candidates: candidates.map((c) => c.scales),
    texture: candidates.map((c) => c.texture),
    scores,
    smoothedScore: smoothed.mean(),
  };
  // Smoothing must earn its place: it helps solids (the shape phantoms' rims) and costs features a
  // voxel or two thin, and these folds underrate that cost (a long stroke crosses cells of every
  // fold): on InSegt's nerve slice, with myelin painted in thin lines, they put it at −0.004 where
  // whole held-out strokes lose 0.04.
  return { spec, choice, smooth: choice.smoothedScore > scores[best]! };
}

/**
 * The class of a sample row from its neighbourhood's probabilities averaged with smoothPrediction's
 * 1-2-1 weights per axis; each neighbour predicted once.
 */
export function smoothedPredictor(network: Network, around: Neighbourhoods, width: number): (row: number) => number {
  const K = network.classCount;
  const distinct = around.rows.length / width;
  const probabilities = new Float64Array(distinct * K).fill(NaN);
  const probs = new Float64Array(K);
  const mean = new Float64Array(K);
  const weight = [0.25, 0.5, 0.25];
  return (row) => {
    mean.fill(0);
    for (let m = 0; m < 27; m++) {
      const n = around.members[row * 27 + m]!;
      if (Number.isNaN(probabilities[n * K]!)) {
        network.predict(around.rows, n * width, probs);
        probabilities.set(probs, n * K);
      }
      const w = weight[Math.floor(m / 9)]! * weight[Math.floor(m / 3) % 3]! * weight[m % 3]!;
      for (let k = 0; k < K; k++) mean[k]! += w * probabilities[n * K + k]!;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if (mean[k]! > mean[best]!) best = k;
    return best;
  };
}

/** Per-class hits and totals; their mean recall over the classes present. */
class Recalls {
  private readonly hits: number[];
  private readonly totals: number[];
  constructor(K: number) {
    this.hits = new Array<number>(K).fill(0);
    this.totals = new Array<number>(K).fill(0);
  }
  add(k: number, hit: boolean): void {
    this.totals[k]!++;
    if (hit) this.hits[k]!++;
  }
  mean(): number {
    const recalls = this.hits.flatMap((h, k) => (this.totals[k] ? [h / this.totals[k]!] : []));
    return recalls.reduce((a, b) => a + b, 0) / recalls.length;
  }
}

/** A seeded subset of at most CHOICE_VOXELS_PER_CLASS rows per class. */
function capPerClass(samples: Samples, K: number, random: Random): Samples {
  const left = new Array<number>(K).fill(0);
  for (let r = 0; r < samples.count; r++) left[samples.classIndex[r]!]!++;
  const wanted = left.map((n) => Math.min(n, CHOICE_VOXELS_PER_CLASS));
  // selection sampling: a row is kept with probability (still wanted) / (rows of its class still to come)
  return selectRows(samples, samples.rows.length / samples.count, (r) => {
    const k = samples.classIndex[r]!;
    const keep = random.next() * left[k]!-- < wanted[k]!;
    if (keep) wanted[k]!--;
    return keep;
  });
}

/**
 * Each row's fold: cells of space dealt out to the folds in turn, grouped by the class most painted
 * in them (in a seeded random order within each group), so every class is spread over the folds.
 */
function foldOfRows(samples: Samples, shape: Vec3, K: number, random: Random): Uint8Array {
  const cellOf = (index: number): string =>
    positionOf(index, shape)
      .map((v) => Math.floor(v / CELL))
      .join(',');
  const counts = new Map<string, number[]>();
  samples.positions.forEach((index, r) => {
    const cell = cellOf(index);
    if (!counts.has(cell)) counts.set(cell, new Array<number>(K).fill(0));
    counts.get(cell)![samples.classIndex[r]!]!++;
  });
  const mostPainted = (n: number[]): number => n.indexOf(Math.max(...n));
  const cells = [...counts.keys()].sort();
  for (let i = cells.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [cells[i], cells[j]] = [cells[j]!, cells[i]!];
  }
  cells.sort((a, b) => mostPainted(counts.get(a)!) - mostPainted(counts.get(b)!)); // stable: random within a class
  const foldOfCell = new Map(cells.map((cell, i) => [cell, i % FOLDS]));
  return Uint8Array.from(samples.positions, (index) => foldOfCell.get(cellOf(index))!);
}

function trainingHasEveryClass(samples: Samples, fold: Uint8Array, f: number, K: number): boolean {
  const seen = new Array<boolean>(K).fill(false);
  for (let r = 0; r < samples.count; r++) if (fold[r] !== f) seen[samples.classIndex[r]!] = true;
  return seen.every(Boolean);
}
