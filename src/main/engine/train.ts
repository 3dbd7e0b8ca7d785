// Training touches only the labelled voxels: their basis responses are gathered once (a few
// thousand rows, samples.ts), then the mixing weights and the head are fitted full-batch with Adam
// and hand-written gradients, and the model is checked (training-check.ts) before it is handed on.
// Seeded and deterministic: the same seed gives the same model.
import { badInput, cancelled } from '../../shared/errors';
import { voxelAspect } from '../../shared/volume';
import type { Progress } from '../progress';
import { estimateRange } from '../volume/statistics';
import type { Volume } from '../volume/volume';
import { addEigenvalueGradient } from './invariants';
import { type SparseLabels, sparseLabelsFromVolume, validateLabels } from './labels';
import { ENGINE_VERSION, MODEL_FORMAT, type Model, featureCount } from './model';
import { Network } from './network';
import { Random } from './random';
import {
  type BasisSpec,
  type Samples,
  chooseVoxels,
  gatherNeighbourhoods,
  gatherSamples,
  rowWidth,
  selectBasis,
} from './samples';
import { type ScaleChoice, chooseScales } from './scale-choice';
import { degeneracy, trainingRecall } from './training-check';
import { greySeparates } from './grey-separability';

export interface TrainOptions {
  seed?: number;
  /** Basis scales (Gaussian sigma in voxels); given, they are used as they are (with `texture`). */
  scales?: number[];
  /** Texture scales (texture.ts) pooled by the given `scales` (default: none). */
  texture?: number[];
  /**
   * Sets of scales (and texture scales) to choose from by cross-validation on the labels, when
   * `scales` is not given (default: the default scales, and those with σ 8 and texture added).
   */
  scaleCandidates?: { scales: number[]; texture?: number[] }[];
  /** Hidden units (default: 8, or 6 when few voxels are painted; see hiddenUnits). */
  hidden?: number;
  /**
   * The weight decay of the head's weights from the context features (every feature but the
   * smoothed grey values), as a multiple of `weightDecay`: the network explains the labels by grey
   * value where it can and by shape where it must. Unset: 10, or 100 where grey value alone tells
   * every pair of painted classes apart (GREY_SEPARATED_CONTEXT_DECAY).
   */
  contextDecay?: number;
  iterations?: number;
  learningRate?: number;
  weightDecay?: number;
  /** At most this many labelled voxels per class are used (a seeded random subset). */
  maxVoxelsPerClass?: number;
  /** Learn the mixing of the gradient and Hessian fields (else keep one field per scale). */
  learnMixing?: boolean;
  /** Weight the classes equally in the loss, however many voxels each has (default: per voxel). */
  balanceClasses?: boolean;
  /**
   * Re-estimate the class priors on unlabelled voxels near the labels and correct the output for
   * them (default on): painted amounts say little about how common a class is.
   */
  adaptPriors?: boolean;
  classNames?: string[];
  signal?: AbortSignal;
  progress?: Progress;
}

export const DEFAULT_TRAINING = {
  seed: 1,
  // Up to 5 (ilastik's largest): context that tells thin structures from round ones. None below 1:
  // central differences of a narrower Gaussian depend on the orientation, so fibres in orientations
  // that were not painted were misjudged.
  scales: [1, 1.6, 3.5, 5],
  hidden: 8, // 6 when few voxels are painted (hiddenUnits)
  // stopping early regularises: fewer iterations generalised better to unpainted orientations
  iterations: 100,
  learningRate: 0.03,
  weightDecay: 3e-3,
  // Grey value first: few strokes lie on few shapes (a person paints bone on thin struts, then it
  // is thick cortex elsewhere), and a head free to lean on shape extrapolated from them wrongly.
  // 10 on the test set (prior shift in full): real scans' held-out accuracy 0.858 → 0.882
  // (bone_slice, bone_slice_16bit, cement_crop, randen15B, insegt at 100/300/1000 voxels),
  // phantoms' mean Dice 0.886 → 0.884.
  contextDecay: 10,
  maxVoxelsPerClass: 4000,
  learnMixing: true,
  balanceClasses: false,
  adaptPriors: true,
};

type TrainingSettings = typeof DEFAULT_TRAINING & TrainOptions;

/** Trains a model on `image` from sparse labels (or a label volume of the same shape). */
export async function trainModel(
  image: Volume,
  labels: SparseLabels | Volume,
  options: TrainOptions = {},
): Promise<Model> {
  // An option given as `undefined` means "not set": it keeps the default.
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const settings = { ...DEFAULT_TRAINING, ...given } as TrainingSettings;
  const { signal, progress } = options;
  const sparse = 'indices' in labels ? labels : await sparseLabelsFromVolume(labels, signal);
  const classValues = validateLabels(sparse, image.shape, 'path' in labels ? labels.path : 'the labels');
  const K = classValues.length;
  const [low, high] = await estimateRange(image);
  const normalisation = { low, high };
  const random = new Random(settings.seed);
  const chosen = chooseVoxels(sparse, K, settings.maxVoxelsPerClass, random);
  if (options.hidden === undefined) settings.hidden = hiddenUnits(chosen.length);
  progress?.(0, settings.iterations, 'computing the basis at the labelled voxels');
  const candidates: BasisSpec[] = (
    options.scales
      ? [{ scales: settings.scales, texture: options.texture }]
      : (settings.scaleCandidates ?? defaultCandidates(settings.scales))
  ).map(({ scales, texture }) => ({ scales, texture: texture ?? [] }));
  const union = (lists: number[][]): number[] => [...new Set(lists.flat())].sort((a, b) => a - b);
  const gathered: BasisSpec = {
    scales: union(candidates.map((c) => c.scales)),
    texture: union(candidates.map((c) => c.texture)),
  };
  const aspect = voxelAspect(image.voxelSize, image.unit);
  const all = await gatherSamples(image, sparse, chosen, gathered, aspect, normalisation, random, signal);
  if (options.contextDecay === undefined && greySeparates(all, rowWidth(gathered), K))
    settings.contextDecay = GREY_SEPARATED_CONTEXT_DECAY;
  const counts = new Array<number>(K).fill(0);
  for (const v of sparse.values) counts[v - 1]!++;
  const classes = classValues.map((value, i) => ({ value, name: options.classNames?.[i] ?? `class ${value}` }));
  let scaleChoice: ScaleChoice | undefined;
  let spec = candidates[0]!;
  let smooth = false;
  if (candidates.length > 1) {
    progress?.(0, settings.iterations, 'choosing the basis scales on the labels');
    // each cross-validation fit starts from the same seed, so candidates differ only in their scales
    const fitNetwork = async (s: Samples, { scales, texture }: BasisSpec) =>
      new Network(
        await fitModel(
          s,
          classes,
          normalisation,
          counts,
          { ...settings, scales, texture, adaptPriors: false },
          new Random(settings.seed + CHOICE_SEED_STEP),
          signal,
          undefined,
        ),
      );
    const neighbourhoods = (positions: Float64Array, chosen: BasisSpec) =>
      gatherNeighbourhoods(image, positions, chosen, aspect, normalisation, signal);
    const picked = await chooseScales(
      all,
      gathered,
      candidates,
      image.shape,
      K,
      settings.seed,
      fitNetwork,
      neighbourhoods,
    );
    if (picked) spec = picked.spec;
    scaleChoice = picked?.choice;
    smooth = picked?.smooth ?? false;
  }
  Object.assign(settings, spec);
  const samples = selectBasis(all, gathered, spec);

  // A fit can end in a useless model (all hidden units dead, a class drowned by the others):
  // never hand one on. Try another initialisation, then equal class weights, then give up.
  let problem = '';
  for (const [restart, { attempt, how }] of recoveryAttempts(settings).entries()) {
    if (restart > 0) progress?.(0, settings.iterations, `training again ${how}: ${problem}`);
    const initial = restart === 0 ? random : new Random(settings.seed + RESTART_SEED_STEP * restart);
    const model = await fitModel(samples, classes, normalisation, counts, attempt, initial, signal, progress);
    model.basis.aspect = aspect;
    const network = new Network(model);
    const recall = trainingRecall(network, samples);
    model.training.check = { recall, restarts: restart };
    if (scaleChoice) model.training.scaleChoice = scaleChoice;
    if (smooth) model.smooth = true;
    problem = degeneracy(model, recall);
    if (!problem) return model;
  }
  throw badInput(`training learned nothing usable from these labels: ${problem}`);
}

/**
 * What to try, in order: the settings as given, another initialisation of them, then every
 * class weighted equally without prior correction, which keeps a rare class from being drowned.
 */
function recoveryAttempts(settings: TrainingSettings): { attempt: TrainingSettings; how: string }[] {
  return [
    { attempt: settings, how: '' },
    { attempt: settings, how: 'from another start' },
    { attempt: { ...settings, balanceClasses: true, adaptPriors: false }, how: 'with the classes weighted equally' },
  ];
}

/** Below this many painted voxels (those trained on) the network has FEW_HIDDEN hidden units. */
const FEW_VOXELS = 500;
const FEW_HIDDEN = 6;

/**
 * A smaller head when few voxels are painted: from a few strokes, 8 hidden units learnt whatever
 * the strokes happened to show (fibres vs pores at 96 painted voxels: mean Dice 0.735 with 8, 0.808
 * with 6 and 0.816 with 4), while with more strokes 8 are needed (bone_slice's three classes at
 * 1613 voxels: held-out accuracy 0.926 with 8, 0.904 with 6; randen15B's five textures 0.913 with
 * 8, 0.858 with 4).
 */
const hiddenUnits = (painted: number): number => (painted < FEW_VOXELS ? FEW_HIDDEN : DEFAULT_TRAINING.hidden);

/**
 * The context decay where grey value alone tells every pair of painted classes apart
 * (grey-separability.ts): the context features then only learn where the strokes happen to lie.
 * Held-out strokes, mean of 8 fold draws at 100 / 300 / 1000 / 3000 voxels, against 10 for all:
 * bone_slice_16bit 0.978 / 0.988 / 0.994 / 0.994 → 1.000 at each, cement_crop 0.981 → 0.996 and
 * bone_crop 0.990 → 1.000 at 100, bone_slice (where few strokes of its two bone classes happen to
 * be told apart) 0.885 / 0.906 / 0.929 / 0.919 → 0.926 / 0.936 / 0.925 / 0.917; the binary phantom's
 * Dice (3 seeds) within ±0.006. Boundaries move to the half-contrast level: the bundled bone
 * sample's bone fraction, trained on bone_crop's strokes, 0.505 → 0.476 (Otsu's threshold 0.472,
 * midway between the strokes' means 0.466). Classes told apart by shape alone keep 10.
 */
const GREY_SEPARATED_CONTEXT_DECAY = 100;

const RESTART_SEED_STEP = 7919;
const CHOICE_SEED_STEP = 104_729;

/**
 * The default scales, and with σ 8 and the texture at τ 0.7 added (texture.ts): the context and
 * the texture that textures need, and that blur fine phases together elsewhere. On randen15B's
 * five textures of one grey level, held-out accuracy at 3000 painted voxels: 0.929 with σ 8,
 * 0.969 with the texture's energy too (τ 1: 0.963, τ 2: 0.933, τ 0.7 and 1.5: 0.968; without σ 8:
 * 0.876), and with the structure tensor's eigenvalues instead of the energy 0.969 → 0.979 (mean
 * of 8 fold draws; every draw at least 0.975, the energy's 0.959-0.977). (A finer basis σ 0.7
 * never won by enough to be kept.)
 */
const defaultCandidates = (scales: number[]): { scales: number[]; texture?: number[] }[] => [
  { scales },
  { scales: [...scales, 8], texture: [0.7] },
];

/** One fit of a fresh network (initialised from `random`) to the gathered samples. */
async function fitModel(
  samples: Samples,
  classes: Model['classes'],
  normalisation: Model['normalisation'],
  counts: number[],
  settings: TrainingSettings,
  random: Random,
  signal: AbortSignal | undefined,
  progress: TrainOptions['progress'],
): Promise<Model> {
  const S = settings.scales.length;
  const V = S + 1;
  const T = S + 1;
  const model: Model = {
    format: MODEL_FORMAT,
    engineVersion: ENGINE_VERSION,
    classes,
    normalisation,
    basis: settings.texture?.length
      ? { scales: settings.scales, texture: settings.texture }
      : { scales: settings.scales },
    architecture: { vectors: V, tensors: T, hidden: settings.hidden },
    weights: initialWeights(
      featureCount(S, V, T, settings.texture?.length),
      S,
      V,
      T,
      settings.hidden,
      classes.length,
      random,
    ),
    training: {
      seed: settings.seed,
      iterations: settings.iterations,
      learningRate: settings.learningRate,
      weightDecay: settings.weightDecay,
      contextDecay: settings.contextDecay,
      balanceClasses: settings.balanceClasses,
      adaptPriors: settings.adaptPriors,
      labelledVoxels: counts,
      sampledVoxels: samples.count,
      finalLoss: 0,
    },
  };
  const network = new Network(model);
  standardise(network, samples);
  const loss = await fit(network, samples, settings, signal, progress);
  if (settings.adaptPriors) model.training.priors = adaptPriors(network, samples, settings.balanceClasses);
  model.weights = exportWeights(network);
  model.training.finalLoss = loss;
  return model;
}

/**
 * The loss weight of one sample of each class, and the class priors the network learns from them.
 * Each painted voxel counts once by default, so the painted amounts act as class priors (people
 * paint the common classes more). Balancing (every class counts equally) pushes ambiguous
 * boundary voxels to the rarer classes: on the phantoms it grew thin fibres by a voxel layer.
 */
function classWeighting(samples: Samples, K: number, balanced: boolean): { weight: number[]; prior: number[] } {
  const perClass = new Array<number>(K).fill(0);
  for (let r = 0; r < samples.count; r++) perClass[samples.classIndex[r]!]!++;
  const weight = perClass.map((n) => (n === 0 ? 0 : balanced ? 1 / (K * n) : 1 / samples.count));
  const total = perClass.reduce((sum, n, k) => sum + n * weight[k]!, 0);
  return { weight, prior: perClass.map((n, k) => (n * weight[k]!) / total) };
}

/**
 * Prior shift (Saerens, Latinne & Decaestecker 2002): the network learnt the class frequencies of
 * the painted voxels; EM on the context voxels estimates the true ones, and the output biases
 * move towards them (PRIOR_SHIFT of the log ratio), which rescales every prediction as Bayes' rule
 * asks. Returns both priors.
 */
function adaptPriors(net: Network, samples: Samples, balanced: boolean): { painted: number[]; estimated: number[] } {
  const K = net.classCount;
  const width = net.width;
  const trained = classWeighting(samples, K, balanced).prior;
  const n = samples.context.length / width;
  const probs = new Float64Array(K);
  const posteriors = new Float64Array(n * K);
  for (let r = 0; r < n; r++) {
    net.predict(samples.context, r * width, probs);
    posteriors.set(probs, r * K);
  }
  let estimated = trained.slice();
  for (let iteration = 0; iteration < 100; iteration++) {
    const next = new Array<number>(K).fill(0);
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += (posteriors[r * K + k]! * estimated[k]!) / trained[k]!;
      for (let k = 0; k < K; k++) next[k]! += (posteriors[r * K + k]! * estimated[k]!) / trained[k]! / sum;
    }
    // a class the sample lacks keeps a small prior: it may well exist elsewhere in the volume
    const change = Math.max(...next.map((p, k) => Math.abs(p / n - estimated[k]!)));
    estimated = next.map((p) => Math.max(p / n, MIN_PRIOR));
    if (change < 1e-6) break;
  }
  for (let k = 0; k < K; k++) net.b2[k] = net.b2[k]! + PRIOR_SHIFT * Math.log(estimated[k]! / trained[k]!);
  return { painted: trained, estimated };
}

const MIN_PRIOR = 1e-3;

/**
 * How far the output biases move from the painted priors to the estimated ones (in log ratio):
 * halfway, to their geometric mean. The estimate comes from the network's own posteriors on the
 * voxels near the strokes, and a rare class it misses there came out rarer still: fully shifted,
 * cement_crop's bright grains (21 held-out voxels of grey value 141, the training grains' 140)
 * went to the matrix. Halfway, on the test set: real scans' mean held-out accuracy 0.923 → 0.931,
 * phantoms' mean Dice 0.884 → 0.885; no shift at all lost the phantoms (0.881).
 */
const PRIOR_SHIFT = 0.5;

function initialWeights(
  F: number,
  S: number,
  V: number,
  T: number,
  H: number,
  K: number,
  random: Random,
): Model['weights'] {
  // Mixed fields start as the single scales (plus one random mixture), so training starts from
  // the classic per-scale invariants and learns better filters from there.
  const mix = (n: number): number[][] =>
    Array.from({ length: n }, (_, k) =>
      Array.from({ length: S }, (_, s) => (k < S ? (k === s ? 1 : 0) : random.normal() * 0.5)),
    );
  const gaussian = (rows: number, cols: number, std: number): number[][] =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => random.normal() * std));
  return {
    vectorMix: mix(V),
    tensorMix: mix(T),
    shift: new Array<number>(F).fill(0),
    scale: new Array<number>(F).fill(1),
    w1: gaussian(H, F, Math.sqrt(2 / F)),
    b1: new Array<number>(H).fill(0),
    w2: gaussian(K, H, Math.sqrt(1 / H)),
    b2: new Array<number>(K).fill(0),
  };
}

/** Fixes the feature standardisation to the mean and spread of the initial features on the samples. */
function standardise(network: Network, samples: Samples): void {
  const F = network.features;
  const width = network.width;
  const raw = new Float64Array(F);
  const sum = new Float64Array(F);
  const sum2 = new Float64Array(F);
  for (let r = 0; r < samples.count; r++) {
    network.invariants(samples.rows, r * width, raw);
    for (let j = 0; j < F; j++) {
      sum[j]! += raw[j]!;
      sum2[j]! += raw[j]! * raw[j]!;
    }
  }
  for (let j = 0; j < F; j++) {
    const mean = sum[j]! / samples.count;
    const variance = Math.max(0, sum2[j]! / samples.count - mean * mean);
    network.shift[j] = mean;
    network.scale[j] = Math.sqrt(variance) + 1e-6;
  }
}

/** Full-batch Adam on the class-balanced cross-entropy (+ L2 on the head, stronger from the context features). Returns the final loss. */
async function fit(
  net: Network,
  samples: Samples,
  settings: TrainingSettings,
  signal?: AbortSignal,
  progress?: TrainOptions['progress'],
): Promise<number> {
  const { count, rows, classIndex } = samples;
  const S = net.scales;
  const V = net.vectors;
  const F = net.features;
  const H = net.hidden;
  const K = net.classCount;
  const C = net.channels;
  const width = net.width;
  const classWeight = classWeighting(samples, K, settings.balanceClasses).weight;
  const mixing = settings.learnMixing ? [net.vectorMix, net.tensorMix] : [new Float64Array(0), new Float64Array(0)];
  const params = [...mixing, net.w1, net.b1, net.w2, net.b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const [gVector, gTensor, gW1, gB1, gW2, gB2] = grads as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const adamM = params.map((p) => new Float64Array(p.length));
  const adamV = params.map((p) => new Float64Array(p.length));
  const probs = new Float64Array(K);
  const mixed = new Float64Array(3 * V + 6 * net.tensors);
  const dAct = new Float64Array(H);
  const dRaw = new Float64Array(F);
  const dTensor = new Float64Array(6);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let loss = 0;
  for (let it = 0; it < settings.iterations; it++) {
    if (it % 10 === 0) {
      if (signal?.aborted) throw cancelled();
      progress?.(it, settings.iterations, 'training');
      await new Promise((resolve) => setImmediate(resolve)); // let an abort arrive
    }
    for (const g of grads) g.fill(0);
    loss = 0;
    for (let r = 0; r < count; r++) {
      const o = r * width;
      const y = classIndex[r]!;
      net.predict(rows, o, probs, mixed);
      const weight = classWeight[y]!;
      loss -= weight * Math.log(Math.max(probs[y]!, 1e-12));
      // head
      dAct.fill(0);
      for (let k = 0; k < K; k++) {
        const dz = (probs[k]! - (k === y ? 1 : 0)) * weight;
        gB2[k]! += dz;
        for (let h = 0; h < H; h++) {
          gW2[k * H + h]! += dz * net.activation[h]!;
          dAct[h]! += net.w2[k * H + h]! * dz;
        }
      }
      dRaw.fill(0);
      for (let h = 0; h < H; h++) {
        if (net.activation[h]! <= 0) continue;
        const d = dAct[h]!;
        gB1[h]! += d;
        for (let j = 0; j < F; j++) {
          gW1[h * F + j]! += d * net.input[j]!;
          dRaw[j]! += net.w1[h * F + j]! * d;
        }
      }
      for (let j = 0; j < F; j++) dRaw[j] = dRaw[j]! / net.scale[j]!;
      // mixing of the gradient fields: d|v|/dv = v / |v|
      for (let k = 0; k < V; k++) {
        const norm = net.raw[2 * S + k]!;
        const scaleGrad = dRaw[2 * S + k]! / norm;
        for (let s = 0; s < S; s++) {
          const b = o + s * C;
          const dot =
            mixed[3 * k]! * rows[b + 1]! + mixed[3 * k + 1]! * rows[b + 2]! + mixed[3 * k + 2]! * rows[b + 3]!;
          gVector[k * S + s]! += scaleGrad * dot;
        }
      }
      // mixing of the Hessian fields, through the eigenvalues
      for (let k = 0; k < net.tensors; k++) {
        const m = 3 * V + 6 * k;
        const [a, b, c, d, e, f] = [
          mixed[m]!,
          mixed[m + 1]!,
          mixed[m + 2]!,
          mixed[m + 3]!,
          mixed[m + 4]!,
          mixed[m + 5]!,
        ];
        dTensor.fill(0);
        const j0 = 2 * S + V + 3 * k;
        for (let q = 0; q < 3; q++) addEigenvalueGradient(a, b, c, d, e, f, net.raw[j0 + q]!, dRaw[j0 + q]!, dTensor);
        for (let s = 0; s < S; s++) {
          const base = o + s * C + 4;
          let dot = 0;
          for (let q = 0; q < 6; q++) dot += dTensor[q]! * rows[base + q]!;
          gTensor[k * S + s]! += dot;
        }
      }
    }
    for (const [w, g] of [
      [net.w1, gW1],
      [net.w2, gW2],
    ] as const) {
      for (let i = 0; i < w.length; i++) {
        const decay = settings.weightDecay * (w === net.w1 && i % F >= S ? settings.contextDecay : 1);
        g[i]! += 2 * decay * w[i]!;
        loss += decay * w[i]! * w[i]!;
      }
    }
    const step = it + 1;
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    params.forEach((p, n) => {
      const g = grads[n]!;
      const m = adamM[n]!;
      const v = adamV[n]!;
      for (let i = 0; i < p.length; i++) {
        m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
        v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
        p[i] = p[i]! - (settings.learningRate * (m[i]! / correction1)) / (Math.sqrt(v[i]! / correction2) + 1e-8);
      }
    });
  }
  progress?.(settings.iterations, settings.iterations, 'trained');
  return loss;
}

function exportWeights(net: Network): Model['weights'] {
  const rowsOf = (a: Float64Array, cols: number): number[][] =>
    Array.from({ length: a.length / cols }, (_, r) => Array.from(a.subarray(r * cols, (r + 1) * cols)));
  return {
    vectorMix: rowsOf(net.vectorMix, net.scales),
    tensorMix: rowsOf(net.tensorMix, net.scales),
    shift: Array.from(net.shift),
    scale: Array.from(net.scale),
    w1: rowsOf(net.w1, net.features),
    b1: Array.from(net.b1),
    w2: rowsOf(net.w2, net.hidden),
    b2: Array.from(net.b2),
  };
}
