// Label efficiency: accuracy against the number of painted voxels, ours and the reference trained
// on the same whole strokes, for the benchmark (scripts/bench/engine.ts). A person paints little;
// what counts is how good the result is after 100, 300, 1000 voxels, not only after many.
//   phantoms    strokes = paintLabels' discs (more of them than the accuracy table paints), kept
//               up to each budget; mean Dice against the truth on the voxels the full painting
//               left unlabelled (the same voxels at every budget); one curve per seed (phantom and
//               strokes drawn again), and with several their mean, checked like a draw
//   real scans  the test set of src/main/evaluation: 3 folds by whole stroke, the budget's strokes
//               kept from the training folds only; mean accuracy on the held-out strokes
import type { TrainOptions } from '../../src/main/engine';
import { MemoryVolume } from '../../src/main/engine';
import {
  REAL_SCANS,
  type Segmenter,
  type Stroke,
  crossValidateStrokes,
  engineSegmenter,
  findStrokes,
  keepStrokes,
  loadRealScan,
  paintedVoxels,
  strokeLabels,
} from '../../src/main/evaluation';
import {
  PHANTOM_KINDS,
  type PhantomKind,
  type PhantomSettings,
  diceScores,
  makePhantom,
  paintLabels,
} from '../../src/main/phantoms';
import { paintedSlices } from './phantom-slices';
import { referenceSegmenter } from './reference';

export const BUDGETS = [100, 300, 1000, 3000];

/** Discs per class and slice painted on the phantoms: enough strokes for the largest budget. */
const PHANTOM_DISCS = 30;

/** Characters of a row's name ("bone_slice_16bit mean"). */
const NAME_WIDTH = 21;

/** Ours counts as matching the reference within this much. */
const TOLERANCE = 0.01;

export interface EfficiencyOptions {
  /** Phantom edge length (voxels). */
  size: number;
  /** Draws of the phantoms and their strokes, and of the real scans' folds: a curve each. */
  seeds: number[];
  threads: number;
  training: TrainOptions;
  phantom: PhantomSettings;
  budgets: number[];
  /** Run the reference too (it is the slow part). */
  reference: boolean;
  /** Compare with this instead of the reference (e.g. ours with labels through surfaces). */
  against?: { name: string; segmenter: Segmenter };
  log: (line: string) => void;
}

interface Point {
  budget: number;
  /** Painted voxels trained on (real scans: mean over the folds). */
  painted: number;
  ours: number;
  theirs: number;
  /** Failed trainings, ours / reference (a failed phantom run or fold scores nothing). */
  failed: [number, number];
}

export async function labelEfficiency(options: EfficiencyOptions): Promise<void> {
  const { log } = options;
  log(
    `\n## Label efficiency: accuracy against painted voxels, ours and ${options.against?.name ?? 'the reference'} with the same whole strokes (budgets ${options.budgets.join(', ')}), ${options.threads} threads`,
  );
  log(
    `phantoms (${options.size}³, ${PHANTOM_DISCS} discs per class and slice, each disc a stroke): mean Dice on the voxels the full painting left unlabelled`,
  );
  log(
    'real scans (test/data/real-scans): mean accuracy (mean per-class recall) on held-out strokes, 3 folds by whole stroke, strokes kept from the training folds; painted = mean over the folds',
  );
  const against = options.against?.name ?? 'reference';
  log(
    `${'scan'.padEnd(NAME_WIDTH)} | budget | painted | ours  | ${against.padEnd(9)} | Δ      | failed (ours/${against})`,
  );
  const summary: string[] = [];
  const fewer: string[] = [];
  const ours = engineSegmenter(options.training, options.threads);
  const theirs = options.against?.segmenter ?? (options.reference ? referenceSegmenter(options.threads) : undefined);
  for (const kind of PHANTOM_KINDS) {
    let shapeDefined = false;
    const { draws, mean } = await overSeeds(kind, summary, options, async (seed) => {
      const curve = await phantomCurve(kind, seed, ours, theirs, options);
      shapeDefined = curve.shapeDefined;
      return curve.points;
    });
    if (!shapeDefined) continue;
    for (const { name, points } of draws) fewer.push(...withFewerStrokes(name, points));
    if (mean) fewer.push(...withFewerStrokes(`${kind} mean`, mean));
  }
  for (const scan of REAL_SCANS)
    await overSeeds(scan.name, summary, options, (seed) => scanCurve(scan.name, seed, ours, theirs, options));
  if (theirs) {
    log(`\nwhere ours ≥ ${against} − ${TOLERANCE} (a budget that keeps no more than a smaller one is left out)`);
    for (const line of summary) log(line);
    if (!options.against) {
      log(
        '\nshape-defined phantoms with a third of the strokes: ours against the reference with all of them (target Δ ≥ 0)',
      );
      for (const line of fewer) log(line);
    }
  }
}

/**
 * A curve per seed, each its own rows (named with its seed when there are several), and their
 * mean's; each adds its line to `summary`.
 */
async function overSeeds(
  name: string,
  summary: string[],
  options: EfficiencyOptions,
  curve: (seed: number) => Promise<Point[]>,
): Promise<{ draws: { name: string; points: Point[] }[]; mean?: Point[] }> {
  const draws: { name: string; points: Point[] }[] = [];
  for (const seed of options.seeds) {
    const draw = { name: options.seeds.length > 1 ? `${name} #${seed}` : name, points: await curve(seed) };
    summary.push(report(draw.name, draw.points, options));
    draws.push(draw);
  }
  if (draws.length === 1) return { draws };
  const mean = meanCurve(draws.map((d) => d.points));
  summary.push(report(`${name} mean`, mean, options));
  return { draws, mean };
}

/**
 * The mean of several draws' curves, budget by budget (those every draw reached): one draw of
 * strokes moves a point by a few hundredths (rotated fibres at 1000 voxels, seeds 11-16: ours
 * 0.862-0.921), more than the differences the check looks for.
 */
function meanCurve(curves: Point[][]): Point[] {
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  return curves[0]!.flatMap(({ budget }) => {
    const points = curves.map((curve) => curve.find((p) => p.budget === budget));
    if (points.some((p) => p === undefined)) return [];
    const all = points as Point[];
    return [
      {
        budget,
        painted: Math.round(mean(all.map((p) => p.painted))),
        ours: mean(all.map((p) => p.ours)),
        theirs: mean(all.map((p) => p.theirs)),
        failed: [0, 1].map((k) => all.reduce((n, p) => n + p.failed[k]!, 0)) as [number, number],
      },
    ];
  });
}

/** Ours at each budget against theirs at three times it, where both were run. */
function withFewerStrokes(name: string, points: Point[]): string[] {
  return points.flatMap((p) => {
    const all = points.find((q) => q.budget === 3 * p.budget);
    if (!all || Number.isNaN(all.theirs)) return [];
    const delta = p.ours - all.theirs;
    return [
      `${name.padEnd(NAME_WIDTH)} | ours ${p.ours.toFixed(3)} with ${p.painted} painted voxels | reference ${all.theirs.toFixed(3)} with ${all.painted} | Δ ${(delta >= 0 ? '+' : '') + delta.toFixed(3)}`,
    ];
  });
}

async function phantomCurve(
  kind: PhantomKind,
  seed: number,
  ours: Segmenter,
  theirs: Segmenter | undefined,
  options: EfficiencyOptions,
): Promise<{ points: Point[]; shapeDefined: boolean }> {
  const { size } = options;
  const phantom = await makePhantom(kind, [size, size, size], seed, options.phantom);
  const K = phantom.classNames.length;
  const painted = paintLabels(phantom.truth, phantom.shape, K, {
    slices: paintedSlices(kind, size),
    discs: PHANTOM_DISCS,
  });
  const strokes = findStrokes(painted, phantom.shape);
  const image = new MemoryVolume(phantom.image, phantom.shape);
  const kept = (budget: number): Stroke[] => keepStrokes(strokes, budget, seed);
  const meanDice = async (segment: Segmenter | undefined, labels: Stroke[]): Promise<number> => {
    if (!segment) return NaN;
    try {
      return diceScores(await segment(image, strokeLabels(labels, phantom.shape)), phantom.truth, painted, K).meanDice;
    } catch {
      return NaN;
    }
  };
  const points: Point[] = [];
  for (const budget of distinctBudgets(options.budgets, (b) => paintedVoxels(kept(b)))) {
    const labels = kept(budget);
    const [a, b] = [await meanDice(ours, labels), await meanDice(theirs, labels)];
    points.push({
      budget,
      painted: paintedVoxels(labels),
      ours: a,
      theirs: b,
      failed: [Number(Number.isNaN(a)), Number(theirs !== undefined && Number.isNaN(b))],
    });
  }
  return { points, shapeDefined: phantom.shapeClasses.length > 0 };
}

async function scanCurve(
  name: string,
  seed: number,
  ours: Segmenter,
  theirs: Segmenter | undefined,
  options: EfficiencyOptions,
): Promise<Point[]> {
  const scan = REAL_SCANS.find((s) => s.name === name)!;
  const { image, strokes } = await loadRealScan(scan, 3);
  const settings = (budget: number) => ({ folds: 3, seed, budget });
  // what each budget keeps, without training anything
  const nothing: Segmenter = async () => new Uint8Array(0);
  const painted = new Map<number, number>();
  for (const budget of [...options.budgets, Infinity])
    painted.set(budget, (await crossValidateStrokes(image, strokes, nothing, settings(budget))).trainingVoxels);
  const points: Point[] = [];
  for (const budget of distinctBudgets(options.budgets, (b) => painted.get(b)!)) {
    const a = await crossValidateStrokes(image, strokes, ours, settings(budget));
    const b = theirs ? await crossValidateStrokes(image, strokes, theirs, settings(budget)) : undefined;
    points.push({
      budget,
      painted: a.trainingVoxels,
      ours: a.meanAccuracy,
      theirs: b?.meanAccuracy ?? NaN,
      failed: [a.failed, b?.failed ?? 0],
    });
  }
  return points;
}

/**
 * The budgets that train on something new: up to the first that keeps every stroke, and none that
 * keeps as much as the one before (every class's smallest stroke may already exceed a budget).
 */
function distinctBudgets(budgets: number[], painted: (budget: number) => number): number[] {
  const all = painted(Infinity);
  const chosen: number[] = [];
  for (const budget of [...budgets].sort((a, b) => a - b)) {
    if (chosen.length > 0 && painted(budget) === painted(chosen.at(-1)!)) continue;
    chosen.push(budget);
    if (painted(budget) >= all) break;
  }
  return chosen;
}

/** Prints a curve's rows; returns its summary line. */
function report(name: string, points: Point[], options: EfficiencyOptions): string {
  const fmt = (x: number): string => (Number.isNaN(x) ? '  –  ' : x.toFixed(3));
  for (const p of points) {
    const delta = p.ours - p.theirs;
    options.log(
      `${name.padEnd(NAME_WIDTH)} | ${String(p.budget).padStart(6)} | ${p.painted.toFixed(0).padStart(7)} | ${fmt(p.ours)} | ${fmt(p.theirs).padEnd(9)} | ${Number.isNaN(delta) ? '  –   ' : (delta >= 0 ? '+' : '') + delta.toFixed(3)} | ${p.failed.join('/')}`,
    );
  }
  const matched = points.filter((p) => p.ours >= p.theirs - TOLERANCE).map((p) => p.budget);
  return `${name.padEnd(NAME_WIDTH)} | at ${matched.length ? matched.join(', ') : 'no budget'} (${matched.length} of ${points.length})`;
}
