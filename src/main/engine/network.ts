// The learned part, per voxel: rotation-invariant mixing of the basis (gradient fields with
// gradient fields, Hessians with Hessians, one weight per field), invariants of the mixed fields,
// then a one-hidden-layer head with softmax. Training and every backend-free prediction path run
// this same code, so they cannot drift apart.
import { CHANNELS_PER_SCALE } from './basis';
import { symmetricEigenvalues } from './invariants';
import { type Model, featureCount } from './model';

/** Guards the norm of a mixed gradient against a zero vector (keeps it differentiable). */
export const NORM_EPSILON = 1e-8;

/** A model unpacked into flat Float64Arrays for the per-voxel loops. */
export class Network {
  readonly scales: number;
  readonly vectors: number;
  readonly tensors: number;
  readonly hidden: number;
  readonly classes: number;
  readonly features: number;
  readonly vectorMix: Float64Array;
  readonly tensorMix: Float64Array;
  readonly shift: Float64Array;
  readonly scale: Float64Array;
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  /** Intermediate values of the last `predict` call (training reads them for the backward pass). */
  readonly raw: Float64Array;
  readonly input: Float64Array;
  readonly activation: Float64Array;

  constructor(model: Pick<Model, 'basis' | 'architecture' | 'weights' | 'classes'>) {
    const w = model.weights;
    this.scales = model.basis.scales.length;
    this.vectors = model.architecture.vectors;
    this.tensors = model.architecture.tensors;
    this.hidden = model.architecture.hidden;
    this.classes = model.classes.length;
    this.features = featureCount(this.scales, this.vectors, this.tensors);
    this.vectorMix = Float64Array.from(w.vectorMix.flat());
    this.tensorMix = Float64Array.from(w.tensorMix.flat());
    this.shift = Float64Array.from(w.shift);
    this.scale = Float64Array.from(w.scale);
    this.w1 = Float64Array.from(w.w1.flat());
    this.b1 = Float64Array.from(w.b1);
    this.w2 = Float64Array.from(w.w2.flat());
    this.b2 = Float64Array.from(w.b2);
    this.raw = new Float64Array(this.features);
    this.input = new Float64Array(this.features);
    this.activation = new Float64Array(this.hidden);
  }

  /**
   * Unstandardised invariant features of one voxel, from its basis values `row` (scale-major,
   * CHANNELS_PER_SCALE each, starting at `o`). Also fills the mixed fields when `mixed` is given
   * (vectors×3 then tensors×6), which training needs for the backward pass.
   */
  invariants(row: ArrayLike<number>, o: number, out: Float64Array, mixed?: Float64Array): void {
    const S = this.scales;
    const C = CHANNELS_PER_SCALE;
    let f = 0;
    for (let s = 0; s < S; s++) out[f++] = row[o + s * C]!;
    for (let s = 0; s < S; s++) {
      const b = o + s * C;
      out[f++] = row[b + 4]! + row[b + 5]! + row[b + 6]!;
    }
    for (let k = 0; k < this.vectors; k++) {
      let vz = 0;
      let vy = 0;
      let vx = 0;
      for (let s = 0; s < S; s++) {
        const w = this.vectorMix[k * S + s]!;
        const b = o + s * C;
        vz += w * row[b + 1]!;
        vy += w * row[b + 2]!;
        vx += w * row[b + 3]!;
      }
      out[f++] = Math.sqrt(vz * vz + vy * vy + vx * vx + NORM_EPSILON);
      if (mixed) {
        mixed[3 * k] = vz;
        mixed[3 * k + 1] = vy;
        mixed[3 * k + 2] = vx;
      }
    }
    for (let k = 0; k < this.tensors; k++) {
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      let e = 0;
      let g = 0;
      for (let s = 0; s < S; s++) {
        const w = this.tensorMix[k * S + s]!;
        const i = o + s * C + 4;
        a += w * row[i]!;
        b += w * row[i + 1]!;
        c += w * row[i + 2]!;
        d += w * row[i + 3]!;
        e += w * row[i + 4]!;
        g += w * row[i + 5]!;
      }
      symmetricEigenvalues(a, b, c, d, e, g, out, f);
      f += 3;
      if (mixed) {
        const m = 3 * this.vectors + 6 * k;
        mixed[m] = a;
        mixed[m + 1] = b;
        mixed[m + 2] = c;
        mixed[m + 3] = d;
        mixed[m + 4] = e;
        mixed[m + 5] = g;
      }
    }
  }

  /**
   * The same invariants as `invariants`, for `size` voxels at once straight from the basis channel
   * arrays (voxels start..start+size), written feature-major: out[j * stride + t]. Loops run along
   * voxels, which is several times faster than voxel by voxel. `scratch` holds 6 × stride values.
   */
  invariantsChunk(
    channels: Float32Array[],
    start: number,
    size: number,
    out: Float64Array,
    stride: number,
    scratch: Float64Array,
  ): void {
    const S = this.scales;
    const C = CHANNELS_PER_SCALE;
    let f = 0;
    for (let s = 0; s < S; s++, f++) {
      const g = channels[s * C]!;
      for (let t = 0; t < size; t++) out[f * stride + t] = g[start + t]!;
    }
    for (let s = 0; s < S; s++, f++) {
      const [a, b, c] = [channels[s * C + 4]!, channels[s * C + 5]!, channels[s * C + 6]!];
      for (let t = 0; t < size; t++) out[f * stride + t] = a[start + t]! + b[start + t]! + c[start + t]!;
    }
    // two scales per sweep over the voxels (fewer loads and stores of the sum)
    const mixInto = (k: number, mix: Float64Array, channel: number, slot: number): void => {
      const base = slot * stride;
      for (let t = 0; t < size; t++) scratch[base + t] = 0;
      let s = 0;
      for (; s + 1 < S; s += 2) {
        const [w0, w1] = [mix[k * S + s]!, mix[k * S + s + 1]!];
        const [c0, c1] = [channels[s * C + channel]!, channels[(s + 1) * C + channel]!];
        for (let t = 0; t < size; t++) scratch[base + t]! += w0 * c0[start + t]! + w1 * c1[start + t]!;
      }
      if (s < S) {
        const w = mix[k * S + s]!;
        const source = channels[s * C + channel]!;
        for (let t = 0; t < size; t++) scratch[base + t]! += w * source[start + t]!;
      }
    };
    for (let k = 0; k < this.vectors; k++, f++) {
      for (let q = 0; q < 3; q++) mixInto(k, this.vectorMix, 1 + q, q);
      const base = f * stride;
      for (let t = 0; t < size; t++) {
        const vz = scratch[t]!;
        const vy = scratch[stride + t]!;
        const vx = scratch[2 * stride + t]!;
        out[base + t] = Math.sqrt(vz * vz + vy * vy + vx * vx + NORM_EPSILON);
      }
    }
    const eig = new Float64Array(3);
    for (let k = 0; k < this.tensors; k++, f += 3) {
      for (let q = 0; q < 6; q++) mixInto(k, this.tensorMix, 4 + q, q);
      for (let t = 0; t < size; t++) {
        symmetricEigenvalues(
          scratch[t]!,
          scratch[stride + t]!,
          scratch[2 * stride + t]!,
          scratch[3 * stride + t]!,
          scratch[4 * stride + t]!,
          scratch[5 * stride + t]!,
          eig,
          0,
        );
        out[f * stride + t] = eig[0]!;
        out[(f + 1) * stride + t] = eig[1]!;
        out[(f + 2) * stride + t] = eig[2]!;
      }
    }
  }

  /**
   * Class probabilities of one voxel into `probs` (length classes) from its basis values; returns
   * the index of the most likely class (the first one on a tie). `mixed` as in `invariants`.
   */
  predict(row: ArrayLike<number>, o: number, probs: Float64Array, mixed?: Float64Array): number {
    const raw = this.raw;
    const input = this.input;
    this.invariants(row, o, raw, mixed);
    const F = this.features;
    for (let j = 0; j < F; j++) input[j] = (raw[j]! - this.shift[j]!) / this.scale[j]!;
    const H = this.hidden;
    const act = this.activation;
    for (let h = 0; h < H; h++) {
      let z = this.b1[h]!;
      const base = h * F;
      for (let j = 0; j < F; j++) z += this.w1[base + j]! * input[j]!;
      act[h] = z > 0 ? z : 0;
    }
    const K = this.classes;
    let best = 0;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let z = this.b2[k]!;
      const base = k * H;
      for (let h = 0; h < H; h++) z += this.w2[base + h]! * act[h]!;
      probs[k] = z;
      if (z > max) {
        max = z;
        best = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const p = Math.exp(probs[k]! - max);
      probs[k] = p;
      sum += p;
    }
    for (let k = 0; k < K; k++) probs[k] = probs[k]! / sum;
    return best;
  }
}
