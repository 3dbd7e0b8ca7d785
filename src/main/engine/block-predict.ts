// The pure per-block computation: padded normalised block → smoothed scales → mixed fields →
// invariants → head, one x row at a time. Worker threads call exactly this function, and so do
// the tests.
import type { SerializedError } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { smoothRings } from './basis';
import type { Model } from './model';
import { Network } from './network';

export interface BlockResult {
  shape: Vec3;
  /** Class values (model.classes[k].value) of the most likely class, C order. */
  labels: Uint8Array;
  /** Class-major probabilities: probabilities[k * n + i] for class k at voxel i. */
  probabilities: Float32Array;
}

/** What the worker wrapper receives and answers. */
export interface BlockRequest {
  id: number;
  model: Model;
  /** Normalised block with its halo. */
  input: Float32Array;
  shape: Vec3;
  halo: number;
  /** Also return probabilities (uint8, 0..255 = 0..1). */
  probabilities: boolean;
}

export type BlockReply =
  | { id: number; labels: Uint8Array; probabilities?: Uint8Array | undefined; error?: undefined }
  | { id: number; error: SerializedError };

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

/** z slices per basis computation inside a block. */
const SLAB = 16;

export function predictBlock(
  model: Model,
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
  axisOrder: AxisOrder = [0, 1, 2],
): BlockResult {
  const shape: Vec3 = [paddedShape[0] - 2 * halo, paddedShape[1] - 2 * halo, paddedShape[2] - 2 * halo];
  const network = new Network(model);
  const n = shape[0] * shape[1] * shape[2];
  const { features: F, hidden: H, classes: K } = network;
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
  const probabilities = new Float32Array(K * n);
  // one x row at a time, feature-major: the layer loops run along voxels with one weight at a time
  const row = shape[2];
  const features = new Float64Array(F * row);
  const hidden = new Float64Array(H * row);
  const logits = new Float64Array(K * row);
  const eig = new Float64Array(3);
  const sigmas = model.basis.scales;
  let fields: Float32Array[] = [];
  // With z filtered first, slabs of a few z slices give exactly the same values as the whole
  // block at no extra cost, and keep the smoothed scales and mixed fields small in memory.
  const slab = axisOrder[0] === 0 ? SLAB : shape[0];
  const plane = paddedShape[1] * paddedShape[2];
  for (let z0 = 0; z0 < shape[0]; z0 += slab) {
    const nz = Math.min(slab, shape[0] - z0);
    const slabInput = input.subarray(z0 * plane, (z0 + nz + 2 * halo) * plane);
    const { ring, smoothed } = smoothRings(
      slabInput,
      [nz + 2 * halo, paddedShape[1], paddedShape[2]],
      halo,
      sigmas,
      axisOrder,
    );
    const ringSize = ring[0] * ring[1] * ring[2];
    if (fields[0]?.length !== ringSize)
      fields = Array.from({ length: network.vectors + network.tensors }, () => new Float32Array(ringSize));
    network.mixFields(smoothed, sigmas, fields);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < shape[1]; y++) {
        const i0 = ((z + 1) * ring[1] + y + 1) * ring[2] + 1;
        network.rowInvariants(smoothed, sigmas, fields, ring, i0, row, features, row, eig);
        denseLayer(features, w1, b1, F, H, row, hidden, true);
        denseLayer(hidden, network.w2, network.b2, H, K, row, logits, false);
        const offset = ((z0 + z) * shape[1] + y) * row;
        for (let t = 0; t < row; t++) {
          let best = 0;
          let max = logits[t]!;
          for (let k = 1; k < K; k++) {
            const v = logits[k * row + t]!;
            if (v > max) {
              max = v;
              best = k;
            }
          }
          let sum = 0;
          for (let k = 0; k < K; k++) {
            const e = Math.exp(logits[k * row + t]! - max);
            logits[k * row + t] = e;
            sum += e;
          }
          const i = offset + t;
          const inverse = 1 / sum;
          for (let k = 0; k < K; k++) probabilities[k * n + i] = logits[k * row + t]! * inverse;
          labels[i] = values[best]!;
        }
      }
  }
  return { shape, labels, probabilities };
}

/**
 * out[o][t] = b[o] + sum_i w[o][i] * x[i][t] for the `size` voxels of a row (feature-major,
 * stride `size`), optional ReLU.
 * Four inputs per sweep over the voxels: a quarter of the loads and stores of `out`, which is
 * what bounds this loop in V8 (about 3× faster than one input per sweep).
 */
function denseLayer(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  inputs: number,
  outputs: number,
  size: number,
  out: Float64Array,
  relu: boolean,
): void {
  for (let o = 0; o < outputs; o++) {
    const base = o * size;
    const row = o * inputs;
    const bias = b[o]!;
    for (let t = 0; t < size; t++) out[base + t] = bias;
    let i = 0;
    for (; i + 3 < inputs; i += 4) {
      const [w0, w1, w2, w3] = [w[row + i]!, w[row + i + 1]!, w[row + i + 2]!, w[row + i + 3]!];
      const f0 = i * size;
      const f1 = f0 + size;
      const f2 = f1 + size;
      const f3 = f2 + size;
      for (let t = 0; t < size; t++)
        out[base + t]! += w0 * x[f0 + t]! + w1 * x[f1 + t]! + w2 * x[f2 + t]! + w3 * x[f3 + t]!;
    }
    for (; i < inputs; i++) {
      const wi = w[row + i]!;
      const f = i * size;
      for (let t = 0; t < size; t++) out[base + t]! += wi * x[f + t]!;
    }
    if (relu) for (let t = 0; t < size; t++) if (out[base + t]! < 0) out[base + t] = 0;
  }
}
