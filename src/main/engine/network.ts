// The learned part, per voxel: rotation-invariant mixing of the basis (gradient fields with
// gradient fields, Hessians with Hessians, one weight per field), invariants of the mixed fields,
// then a one-hidden-layer head with softmax. Training and every backend-free prediction path run
// this same code, so they cannot drift apart.
import { CHANNELS_PER_SCALE, CUBIC } from './basis';
import { symmetricEigenvalues } from './invariants';
import type { Vec3 } from '../../shared/volume';
import { type Model, featureCount } from './model';
import { TEXTURE_CHANNELS } from './texture';

/** Guards the norm of a mixed gradient against a zero vector (keeps it differentiable). */
export const NORM_EPSILON = 1e-8;

/** A model unpacked into flat Float64Arrays for the per-voxel loops. */
export class Network {
  readonly scales: number;
  readonly vectors: number;
  readonly tensors: number;
  readonly hidden: number;
  /** Texture values per basis scale (texture.ts): TEXTURE_CHANNELS per texture scale. */
  readonly textures: number;
  /** Values per scale in a sample row: the basis channels, then the texture values. */
  readonly channels: number;
  /** Values per sample row (scales × channels). */
  readonly width: number;
  /** K, the number of classes. */
  readonly classCount: number;
  readonly features: number;
  readonly vectorMix: Float64Array;
  readonly tensorMix: Float64Array;
  readonly shift: Float64Array;
  readonly scale: Float64Array;
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  /** Per axis (z, y, x), what a difference of neighbours is divided by: the voxel edge (model.basis.aspect). */
  readonly edge: Vec3;
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
    this.textures = TEXTURE_CHANNELS * (model.basis.texture?.length ?? 0);
    this.channels = CHANNELS_PER_SCALE + this.textures;
    this.width = this.scales * this.channels;
    this.classCount = model.classes.length;
    this.features = featureCount(this.scales, this.vectors, this.tensors, model.basis.texture?.length);
    this.vectorMix = Float64Array.from(w.vectorMix.flat());
    this.tensorMix = Float64Array.from(w.tensorMix.flat());
    this.shift = Float64Array.from(w.shift);
    this.scale = Float64Array.from(w.scale);
    this.w1 = Float64Array.from(w.w1.flat());
    this.b1 = Float64Array.from(w.b1);
    this.w2 = Float64Array.from(w.w2.flat());
    this.b2 = Float64Array.from(w.b2);
    this.edge = [...(model.basis.aspect ?? CUBIC)];
    this.raw = new Float64Array(this.features);
    this.input = new Float64Array(this.features);
    this.activation = new Float64Array(this.hidden);
  }

  /**
   * Unstandardised invariant features of one voxel, from its sample row (scale-major, `channels`
   * each, starting at `o`). Also fills the mixed fields when `mixed` is given (vectors×3 then
   * tensors×6), which training needs for the backward pass.
   */
  invariants(row: ArrayLike<number>, o: number, out: Float64Array, mixed?: Float64Array): void {
    const S = this.scales;
    const C = this.channels;
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
    for (let t = 0; t < this.textures; t++)
      for (let s = 0; s < S; s++) out[f++] = amplitude(row[o + s * C + CHANNELS_PER_SCALE + t]!);
  }

  /**
   * The mixed fields of a smoothed block, on its interior plus a one-voxel ring: one volume per
   * mixed gradient field, then one per mixed Hessian field. Central differences are linear, so
   * differencing a mixture of the smoothed scales equals mixing the differenced basis channels:
   * one difference per field instead of one per scale, and no basis channels stored. The
   * scale normalisation of the basis (sigma/2 for the gradient, sigma² for the Hessian) is folded
   * into the mixing weights here. `fields` (vectors + tensors arrays of the ring size) is reused.
   */
  mixFields(smoothed: Float32Array[], sigmas: readonly number[], fields: Float32Array[]): void {
    const S = this.scales;
    const weights = (mix: Float64Array, k: number, power: number, factor: number): number[] =>
      Array.from({ length: S }, (_, s) => mix[k * S + s]! * sigmas[s]! ** power * factor);
    for (let k = 0; k < this.vectors; k++) mixScales(smoothed, weights(this.vectorMix, k, 1, 0.5), fields[k]!);
    for (let k = 0; k < this.tensors; k++)
      mixScales(smoothed, weights(this.tensorMix, k, 2, 1), fields[this.vectors + k]!);
  }

  /**
   * The same invariants as `invariants`, for `size` consecutive voxels of one x row, from the
   * smoothed scales, the mixed fields and the pooled texture values (ring layout `ring`, first
   * voxel at ring index `i0`), written feature-major: out[j * stride + t]. Loops run along the row,
   * with no allocation. Differences are per length along each axis (`edge`), as in the basis.
   */
  rowInvariants(
    smoothed: Float32Array[],
    sigmas: readonly number[],
    fields: Float32Array[],
    pooled: Float32Array[],
    ring: Vec3,
    i0: number,
    size: number,
    out: Float64Array,
    stride: number,
    eig: Float64Array,
  ): void {
    const S = this.scales;
    const sy = ring[2];
    const sz = ring[1] * ring[2];
    const [ez, ey, ex] = this.edge;
    const [gz, gy, gx] = [1 / ez, 1 / ey, 1 / ex];
    const [hzz, hyy, hxx] = [gz * gz, gy * gy, gx * gx];
    const [hzy, hzx, hyx] = [0.25 / (ez * ey), 0.25 / (ez * ex), 0.25 / (ey * ex)];
    let f = 0;
    for (let s = 0; s < S; s++, f++) {
      const g = smoothed[s]!;
      const base = f * stride;
      for (let t = 0; t < size; t++) out[base + t] = g[i0 + t]!;
    }
    for (let s = 0; s < S; s++, f++) {
      const g = smoothed[s]!;
      const d2 = sigmas[s]! * sigmas[s]!;
      const base = f * stride;
      for (let t = 0; t < size; t++) {
        const i = i0 + t;
        const v = 2 * g[i]!;
        out[base + t] =
          ((g[i + sz]! + g[i - sz]! - v) * hzz +
            (g[i + sy]! + g[i - sy]! - v) * hyy +
            (g[i + 1]! + g[i - 1]! - v) * hxx) *
          d2;
      }
    }
    for (let k = 0; k < this.vectors; k++, f++) {
      const m = fields[k]!;
      const base = f * stride;
      for (let t = 0; t < size; t++) {
        const i = i0 + t;
        const vz = (m[i + sz]! - m[i - sz]!) * gz;
        const vy = (m[i + sy]! - m[i - sy]!) * gy;
        const vx = (m[i + 1]! - m[i - 1]!) * gx;
        out[base + t] = Math.sqrt(vz * vz + vy * vy + vx * vx + NORM_EPSILON);
      }
    }
    for (let k = 0; k < this.tensors; k++, f += 3) {
      const m = fields[this.vectors + k]!;
      const base = f * stride;
      for (let t = 0; t < size; t++) {
        const i = i0 + t;
        const v = m[i]!;
        const zp = i + sz;
        const zm = i - sz;
        symmetricEigenvalues(
          (m[zp]! - 2 * v + m[zm]!) * hzz,
          (m[i + sy]! - 2 * v + m[i - sy]!) * hyy,
          (m[i + 1]! - 2 * v + m[i - 1]!) * hxx,
          (m[zp + sy]! - m[zp - sy]! - m[zm + sy]! + m[zm - sy]!) * hzy,
          (m[zp + 1]! - m[zp - 1]! - m[zm + 1]! + m[zm - 1]!) * hzx,
          (m[i + sy + 1]! - m[i + sy - 1]! - m[i - sy + 1]! + m[i - sy - 1]!) * hyx,
          eig,
          0,
        );
        out[base + t] = eig[0]!;
        out[base + stride + t] = eig[1]!;
        out[base + 2 * stride + t] = eig[2]!;
      }
    }
    for (const energy of pooled) {
      const base = f++ * stride;
      for (let t = 0; t < size; t++) out[base + t] = amplitude(energy[i0 + t]!);
    }
  }

  /**
   * Class probabilities of one voxel into `probs` (length classCount) from its basis values; returns
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
    const K = this.classCount;
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

/** A pooled tensor's eigenvalue as the feature: its square root, the typical size of the gradient along its direction (rounding can make it a hair below 0). */
const amplitude = (energy: number): number => Math.sqrt(Math.max(0, energy));

/**
 * out = sum over s of w[s] * smoothed[s], two scales per sweep (an odd last scale is paired with
 * itself at weight 0, which adds exactly 0). Each sweep is its own small function: V8 compiles it
 * once for every call, instead of recompiling a larger one whose later loops it has not yet seen.
 */
function mixScales(smoothed: Float32Array[], w: number[], out: Float32Array): void {
  const S = smoothed.length;
  for (let s = 0; s < S; s += 2) {
    const [g0, w0] = [smoothed[s]!, w[s]!];
    const [g1, w1] = s + 1 < S ? [smoothed[s + 1]!, w[s + 1]!] : [g0, 0];
    if (s === 0) mixPair(g0, w0, g1, w1, out);
    else addPair(g0, w0, g1, w1, out);
  }
}

function mixPair(g0: Float32Array, w0: number, g1: Float32Array, w1: number, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = w0 * g0[i]! + w1 * g1[i]!;
}

function addPair(g0: Float32Array, w0: number, g1: Float32Array, w1: number, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + w0 * g0[i]! + w1 * g1[i]!;
}
