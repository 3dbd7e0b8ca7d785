// The pure per-block computation: padded normalised block → smoothed scales → mixed fields →
// invariants → head, one x row at a time. Worker threads call exactly this function, and so do
// the tests.
import type { Vec3 } from '../../shared/volume';
import { CUBIC, smoothRings } from './basis';
import type { Model } from './model';
import { Network } from './network';
import { textureRings } from './texture';

export interface BlockResult {
  shape: Vec3;
  /** Class values (model.classes[k].value) of the most likely class, C order. */
  labels: Uint8Array;
  /** Class-major probabilities: probabilities[k * n + i] for class k at voxel i (empty if not asked for). */
  probabilities: Float32Array;
}

/** What the worker wrapper receives and answers. */
export interface BlockRequest {
  model: Model;
  /** Normalised block with its halo. */
  input: Float32Array;
  shape: Vec3;
  halo: number;
  /** Pass order of the smoothing (default z, y, x). */
  axisOrder?: AxisOrder | undefined;
  /** Also return probabilities: as uint8 (0..255 = 0..1), or as float32. */
  probabilities: false | 'uint8' | 'float32';
  /** Smooth the probabilities before choosing the class (see smoothPrediction; the halo holds one more voxel). */
  smooth?: boolean | undefined;
  /** Smoothed scales kept by the caller (shared memory): used as they are when filled, else filled here. */
  kept?: KeptRings | undefined;
}

/**
 * A region's smoothed scales, kept between predictions with the same basis: a slice preview after
 * a retrain then costs only the network (the smoothing is about half of a preview). One per
 * scale, then the pooled texture values (texture.ts) in their order, each of the ring shape
 * (the region plus one voxel on every side).
 */
export interface KeptRings {
  rings: Float32Array[];
  filled: boolean;
}

/** A worker's result also hands the request's input back, so the caller can reuse its memory. */
export interface BlockReply {
  labels: Uint8Array;
  probabilities?: Uint8Array | Float32Array | undefined;
  input: Float32Array;
}

/** Probabilities 0..1 to uint8 0..255 (the stored form: 1/255 resolution is plenty for a map). */
export function quantiseProbabilities(probabilities: Float32Array): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(probabilities[i]! * 255);
  return out;
}

export type AxisOrder = readonly [0 | 1 | 2, 0 | 1 | 2, 0 | 1 | 2];

/** The fastest pass order for a region: its thinnest axis first (a slice costs little then). */
export function thinAxisFirst(shape: Vec3): AxisOrder {
  return ([0, 1, 2] as const).slice().sort((a, b) => shape[a] - shape[b] || a - b) as unknown as AxisOrder;
}

/**
 * The smoothing and field buffers, kept between calls in this thread (predictBlock runs to the end
 * without yielding, so calls never share them): faulting in fresh pages for them costs more than
 * the arithmetic that fills them. They stay the size of the largest block seen.
 */
const workspace: Float32Array[] = [];
const fieldBuffers: Float32Array[] = [];

/** z slices per basis computation inside a block. */
const SLAB = 32;
/** Voxels per pass through the network: its per-voxel rows (features, hidden) stay in L1 cache. */
const RUN = 128;

/**
 * Labels (and, unless `withProbabilities` is false, probabilities) of the interior of a padded
 * block. Without probabilities the softmax is skipped: the label is the largest logit either way.
 */
export function predictBlock(
  model: Model,
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  axisOrder: AxisOrder = [0, 1, 2],
  withProbabilities = true,
  kept?: KeptRings,
): BlockResult {
  const shape: Vec3 = [paddedShape[0] - 2 * halo, paddedShape[1] - 2 * halo, paddedShape[2] - 2 * halo];
  const network = new Network(model);
  const n = shape[0] * shape[1] * shape[2];
  const { features: F, hidden: H, classCount: K } = network;
  // The standardisation folded into the first layer: one multiply-add per weight and voxel.
  const w1 = new Float64Array(H * F);
  const b1 = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    let bias = network.b1[h]!;
    for (let j = 0; j < F; j++) {
      const w = network.w1[h * F + j]! / network.scale[j]!;
      w1[h * F + j] = w;
      bias -= w * network.shift[j]!;
    }
    b1[h] = bias;
  }
  const values = Uint8Array.from(model.classes.map((c) => c.value));
  const labels = new Uint8Array(n);
  const probabilities = new Float32Array(withProbabilities ? K * n : 0);
  // a run of voxels along x at a time, feature-major: the layer loops run along voxels with one
  // weight at a time
  const features = new Float64Array(F * RUN);
  const hidden = new Float64Array((H + 1) * RUN); // + 1: room for denseLayer's pairs
  const logits = new Float64Array((K + 1) * RUN);
  const eig = new Float64Array(3);
  const sigmas = model.basis.scales;
  // With z filtered first, slabs of a few z slices give exactly the same values as the whole
  // block at no extra cost, and keep the smoothed scales and mixed fields small in memory.
  const slab = axisOrder[0] === 0 && !kept ? SLAB : shape[0];
  const plane = paddedShape[1] * paddedShape[2];
  for (let z0 = 0; z0 < shape[0]; z0 += slab) {
    const nz = Math.min(slab, shape[0] - z0);
    const slabInput = input.subarray(z0 * plane, (z0 + nz + 2 * halo) * plane);
    const { ring, smoothed } = kept?.filled
      ? { ring: shape.map((n) => n + 2) as Vec3, smoothed: kept.rings.slice(0, sigmas.length) }
      : smoothInto(
          slabInput,
          [nz + 2 * halo, paddedShape[1], paddedShape[2]],
          halo,
          sigmas,
          network.edge,
          axisOrder,
          kept,
        );
    const ringSize = ring[0] * ring[1] * ring[2];
    const fields = Array.from({ length: network.vectors + network.tensors }, (_, k) => {
      if ((fieldBuffers[k]?.length ?? -1) < ringSize) fieldBuffers[k] = new Float32Array(ringSize);
      return fieldBuffers[k]!.subarray(0, ringSize);
    });
    network.mixFields(smoothed, sigmas, fields);
    const pooled = pooledInto(model, slabInput, [nz + 2 * halo, paddedShape[1], paddedShape[2]], halo, axisOrder, kept);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x0 = 0; x0 < shape[2]; x0 += RUN) {
          const size = Math.min(RUN, shape[2] - x0);
          const i0 = ((z + 1) * ring[1] + y + 1) * ring[2] + 1 + x0;
          network.rowInvariants(smoothed, sigmas, fields, pooled, ring, i0, size, features, RUN, eig);
          denseLayer(features, w1, b1, F, H, size, RUN, hidden, true);
          denseLayer(hidden, network.w2, network.b2, H, K, size, RUN, logits, false);
          const offset = ((z0 + z) * shape[1] + y) * shape[2] + x0;
          for (let t = 0; t < size; t++) {
            let best = 0;
            let max = logits[t]!;
            for (let k = 1; k < K; k++) {
              const v = logits[k * RUN + t]!;
              if (v > max) {
                max = v;
                best = k;
              }
            }
            const i = offset + t;
            labels[i] = values[best]!;
            if (!withProbabilities) continue;
            let sum = 0;
            for (let k = 0; k < K; k++) {
              const e = k === best ? 1 : Math.exp(logits[k * RUN + t]! - max); // exp(0) needs no call
              logits[k * RUN + t] = e;
              sum += e;
            }
            const inverse = 1 / sum;
            for (let k = 0; k < K; k++) probabilities[k * n + i] = logits[k * RUN + t]! * inverse;
          }
        }
  }
  return { shape, labels, probabilities };
}

/** The pooled texture values of a slab (textureRings): the kept ones, or computed, and kept where asked. */
function pooledInto(
  model: Model,
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  axisOrder: AxisOrder,
  kept: KeptRings | undefined,
): Float32Array[] {
  const { scales, texture = [], aspect = CUBIC } = model.basis;
  if (!texture.length) return [];
  if (kept?.filled) return kept.rings.slice(scales.length);
  const pooled = textureRings(input, paddedShape, halo, scales, texture, aspect, axisOrder);
  if (!kept) return pooled;
  pooled.forEach((energy, j) => kept.rings[scales.length + j]!.set(energy));
  return kept.rings.slice(scales.length);
}

/** smoothRings, into the `kept` rings where given (this thread's workspace otherwise). */
function smoothInto(
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  sigmas: readonly number[],
  edge: Vec3,
  axisOrder: AxisOrder,
  kept: KeptRings | undefined,
): { ring: Vec3; smoothed: Float32Array[] } {
  if (!kept) return smoothRings(input, paddedShape, halo, sigmas, edge, axisOrder, workspace);
  const buffers = [workspace[0]!, workspace[1]!, ...kept.rings]; // the first two are scratch
  const result = smoothRings(input, paddedShape, halo, sigmas, edge, axisOrder, buffers);
  [workspace[0], workspace[1]] = [buffers[0]!, buffers[1]!];
  if (result.smoothed.some((ring, s) => ring.buffer !== kept.rings[s]!.buffer))
    throw new RangeError('kept rings are not of the ring shape of this block');
  return result;
}

/** What smoothing adds to a block's halo: the 3-tap passes need the predictions one voxel around it. */
export const SMOOTHING_HALO = 1;

/**
 * predictBlock, or with `smooth` the prediction of the block grown by SMOOTHING_HALO (which
 * `halo` includes), smoothed.
 */
export function predictPaddedBlock(
  model: Model,
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  options: {
    axisOrder?: AxisOrder | undefined;
    probabilities: boolean;
    smooth?: boolean | undefined;
    kept?: KeptRings | undefined;
  },
): BlockResult {
  const { axisOrder, kept } = options;
  if (!options.smooth) return predictBlock(model, input, paddedShape, halo, axisOrder, options.probabilities, kept);
  const wide = predictBlock(model, input, paddedShape, halo - SMOOTHING_HALO, axisOrder, true, kept);
  return smoothPrediction(model, wide, options.probabilities);
}

/**
 * Averages each class's probability over the voxel's 3×3×3 neighbourhood (binomial weights
 * 1-2-1 per axis: close to an isotropic Gaussian of sigma 0.7, so still rotation-invariant), then
 * takes the most likely class. Objects are solids, so a voxel that its neighbours contradict (a
 * fibre's rim read as pore) is most often wrong; but a feature one or two voxels thin (a crack)
 * is outweighed by its neighbours, hence opt-in. `wide` is the prediction of the block grown by
 * one voxel on every side; the result is the block's. Each voxel's value depends only on its
 * neighbours' probabilities, so blocked and unblocked runs agree exactly.
 */
export function smoothPrediction(model: Model, wide: BlockResult, withProbabilities: boolean): BlockResult {
  const [wz, wy, wx] = wide.shape;
  const shape: Vec3 = [wz - 2, wy - 2, wx - 2];
  const n = shape[0] * shape[1] * shape[2];
  const K = model.classes.length;
  const wideN = wz * wy * wx;
  const [alongX, alongY, plane, best] = smoothingScratch([wz * wy * shape[2], wz * shape[1] * shape[2], n, n]);
  const smoothed = withProbabilities ? new Float32Array(K * n) : new Float32Array(0);
  const labels = new Uint8Array(n);
  const rowX = shape[2];
  const sliceY = shape[1] * shape[2];
  for (let k = 0; k < K; k++) {
    const p = wide.probabilities.subarray(k * wideN, (k + 1) * wideN);
    let o = 0;
    for (let r = 0; r < wz * wy; r++)
      for (let x = 0, i = r * wx; x < rowX; x++, i++) alongX[o++] = 0.25 * p[i]! + 0.5 * p[i + 1]! + 0.25 * p[i + 2]!;
    o = 0;
    for (let z = 0; z < wz; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0, i = (z * wy + y) * rowX; x < rowX; x++, i++)
          alongY[o++] = 0.25 * alongX[i]! + 0.5 * alongX[i + rowX]! + 0.25 * alongX[i + 2 * rowX]!;
    const out = withProbabilities ? smoothed.subarray(k * n, (k + 1) * n) : plane;
    const value = model.classes[k]!.value;
    for (let i = 0; i < n; i++) {
      out[i] = 0.25 * alongY[i]! + 0.5 * alongY[i + sliceY]! + 0.25 * alongY[i + 2 * sliceY]!;
      // compared as stored (float32), so the label is the most likely class of the probabilities returned
      if (k === 0 || out[i]! > best[i]!) {
        best[i] = out[i]!;
        labels[i] = value;
      }
    }
  }
  return { shape, labels, probabilities: smoothed };
}

/** smoothPrediction's buffers, kept between calls in this thread as predictBlock keeps its own. */
const smoothingBuffers: Float32Array[] = [];

function smoothingScratch<T extends number[]>(sizes: [...T]): { [B in keyof T]: Float32Array } {
  return sizes.map((size, b) => {
    if ((smoothingBuffers[b]?.length ?? -1) < size) smoothingBuffers[b] = new Float32Array(size);
    return smoothingBuffers[b]!.subarray(0, size);
  }) as { [B in keyof T]: Float32Array };
}

/**
 * out[o][t] = b[o] + sum_i w[o][i] * x[i][t] for the `size` voxels of a run (feature-major,
 * stride `stride`), optional ReLU.
 * Two outputs and four inputs per sweep over the voxels: each input row is loaded once for two
 * outputs, and each output is loaded and stored once per four inputs, which is what bounds this
 * loop in V8 (several times faster than one input and one output per sweep). With an odd number
 * of outputs the last one is also computed into row `outputs` of `out`, which must have room for it.
 */
function denseLayer(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  inputs: number,
  outputs: number,
  size: number,
  stride: number,
  out: Float64Array,
  relu: boolean,
): void {
  for (let o = 0; o < outputs; o += 2) {
    const p = Math.min(o + 1, outputs - 1);
    const [base, baseP, row, rowP, bias, biasP] = [o * stride, (o + 1) * stride, o * inputs, p * inputs, b[o]!, b[p]!];
    for (let t = 0; t < size; t++) {
      out[base + t] = bias;
      out[baseP + t] = biasP;
    }
    let i = 0;
    for (; i + 3 < inputs; i += 4) {
      const [w0, w1, w2, w3] = [w[row + i]!, w[row + i + 1]!, w[row + i + 2]!, w[row + i + 3]!];
      const [v0, v1, v2, v3] = [w[rowP + i]!, w[rowP + i + 1]!, w[rowP + i + 2]!, w[rowP + i + 3]!];
      const f0 = i * stride;
      const f1 = f0 + stride;
      const f2 = f1 + stride;
      const f3 = f2 + stride;
      for (let t = 0; t < size; t++) {
        const x0 = x[f0 + t]!;
        const x1 = x[f1 + t]!;
        const x2 = x[f2 + t]!;
        const x3 = x[f3 + t]!;
        out[base + t]! += w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3;
        out[baseP + t]! += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
      }
    }
    for (; i < inputs; i++) {
      const [wi, vi, f] = [w[row + i]!, w[rowP + i]!, i * stride];
      for (let t = 0; t < size; t++) {
        out[base + t]! += wi * x[f + t]!;
        out[baseP + t]! += vi * x[f + t]!;
      }
    }
    if (relu)
      for (let t = 0; t < size; t++) {
        if (out[base + t]! < 0) out[base + t] = 0;
        if (out[baseP + t]! < 0) out[baseP + t] = 0;
      }
  }
}
