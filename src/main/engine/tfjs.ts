// The same network as block-predict.ts, written with tfjs ops, so it runs on a GPU through
// @tensorflow/tfjs-node-gpu where that loads. Tested here on tfjs's pure-JS CPU backend for parity
// with the TypeScript kernels (tfjs.test.ts). Training stays on the CPU kernels: it touches a few
// thousand voxels, which a GPU does not speed up.
import type * as Tf from '@tensorflow/tfjs';
import type { Vec3 } from '../../shared/volume';
import { CUBIC, gaussianHalfKernel } from './basis';
import type { BlockResult } from './block-predict';
import type { Model } from './model';
import { NORM_EPSILON } from './network';

type TfModule = typeof Tf;

let gpu: Promise<TfModule | undefined> | undefined;

/** tfjs with the CUDA backend, or undefined where @tensorflow/tfjs-node-gpu does not load. */
export function loadGpuTf(): Promise<TfModule | undefined> {
  const name = '@tensorflow/tfjs-node-gpu'; // optional: not installed on most machines
  gpu ??= import(/* @vite-ignore */ name).then(
    (module: { default?: TfModule } & Partial<TfModule>) => (module.default ?? module) as TfModule,
    () => undefined,
  );
  return gpu;
}

export function predictBlockTf(
  tf: TfModule,
  model: Model,
  input: Float32Array,
  paddedShape: Vec3,
  halo: number,
): BlockResult {
  // predictVolume keeps such models on the CPU kernels
  if (model.basis.texture) throw new RangeError('textures are computed by the CPU kernels only');
  const shape: Vec3 = [paddedShape[0] - 2 * halo, paddedShape[1] - 2 * halo, paddedShape[2] - 2 * halo];
  const n = shape[0] * shape[1] * shape[2];
  const { labels, probabilities } = tf.tidy(() => {
    const x = tf.tensor5d(input, [1, ...paddedShape, 1]);
    const crop = halo - 1;
    const ring: Vec3 = [shape[0] + 2, shape[1] + 2, shape[2] + 2];
    const scalars: Tf.Tensor[] = [];
    const laplacians: Tf.Tensor[] = [];
    const gradients: Tf.Tensor[][] = [];
    const hessians: Tf.Tensor[][] = [];
    const edge = model.basis.aspect ?? CUBIC;
    for (const sigma of model.basis.scales) {
      let g: Tf.Tensor5D = x;
      for (const axis of [0, 1, 2] as const) {
        const half = Array.from(gaussianHalfKernel(sigma / edge[axis]));
        const r = half.length - 1;
        const full = [...half.slice(1).reverse(), ...half];
        const begin = [0, 0, 0, 0, 0];
        const size = [...g.shape];
        begin[axis + 1] = crop - r;
        size[axis + 1] = ring[axis] + 2 * r;
        const kernelShape: [number, number, number, number, number] = [1, 1, 1, 1, 1];
        kernelShape[axis] = 2 * r + 1;
        g = tf.conv3d(tf.slice(g, begin, size), tf.tensor5d(full, kernelShape), 1, 'valid');
      }
      const smooth = tf.reshape(g, ring);
      const at = (dz: number, dy: number, dx: number): Tf.Tensor =>
        tf.reshape(tf.slice(smooth, [1 + dz, 1 + dy, 1 + dx], shape), [n]);
      const c = at(0, 0, 0);
      // differences per length along each axis, scale-normalised (as basis.ts)
      const [ez, ey, ex] = edge;
      const d1 = (a: Tf.Tensor, b: Tf.Tensor, e: number): Tf.Tensor => tf.mul(tf.sub(a, b), sigma / 2 / e);
      const d2 = (a: Tf.Tensor, b: Tf.Tensor, e: number): Tf.Tensor =>
        tf.mul(tf.add(tf.sub(a, tf.mul(c, 2)), b), (sigma * sigma) / (e * e));
      const dm = (pp: Tf.Tensor, pm: Tf.Tensor, mp: Tf.Tensor, mm: Tf.Tensor, e: number): Tf.Tensor =>
        tf.mul(tf.add(tf.sub(tf.sub(pp, pm), mp), mm), (sigma * sigma) / 4 / e);
      const hessian = [
        d2(at(1, 0, 0), at(-1, 0, 0), ez),
        d2(at(0, 1, 0), at(0, -1, 0), ey),
        d2(at(0, 0, 1), at(0, 0, -1), ex),
        dm(at(1, 1, 0), at(1, -1, 0), at(-1, 1, 0), at(-1, -1, 0), ez * ey),
        dm(at(1, 0, 1), at(1, 0, -1), at(-1, 0, 1), at(-1, 0, -1), ez * ex),
        dm(at(0, 1, 1), at(0, 1, -1), at(0, -1, 1), at(0, -1, -1), ey * ex),
      ];
      scalars.push(c);
      laplacians.push(tf.addN(hessian.slice(0, 3)));
      gradients.push([
        d1(at(1, 0, 0), at(-1, 0, 0), ez),
        d1(at(0, 1, 0), at(0, -1, 0), ey),
        d1(at(0, 0, 1), at(0, 0, -1), ex),
      ]);
      hessians.push(hessian);
    }
    const mix = (fields: Tf.Tensor[][], weights: number[], component: number): Tf.Tensor =>
      tf.addN(fields.map((f, s) => tf.mul(f[component]!, weights[s]!)));
    const features: Tf.Tensor[] = [...scalars, ...laplacians];
    for (const weights of model.weights.vectorMix) {
      const [vz, vy, vx] = [0, 1, 2].map((q) => mix(gradients, weights, q)) as [Tf.Tensor, Tf.Tensor, Tf.Tensor];
      features.push(tf.sqrt(tf.addN([tf.square(vz), tf.square(vy), tf.square(vx), tf.fill([n], NORM_EPSILON)])));
    }
    for (const weights of model.weights.tensorMix) {
      const [a, b, c, d, e, f] = [0, 1, 2, 3, 4, 5].map((q) => mix(hessians, weights, q)) as Tf.Tensor[];
      features.push(...eigenvalues(tf, a!, b!, c!, d!, e!, f!));
    }
    const w = model.weights;
    const standard = tf.div(tf.sub(tf.stack(features, 1), tf.tensor1d(w.shift)), tf.tensor1d(w.scale));
    const hidden = tf.relu(tf.add(tf.matMul(standard, tf.tensor2d(w.w1), false, true), tf.tensor1d(w.b1)));
    const logits = tf.add(tf.matMul(hidden, tf.tensor2d(w.w2), false, true), tf.tensor1d(w.b2));
    const values = tf.tensor1d(
      model.classes.map((k) => k.value),
      'int32',
    );
    return {
      labels: tf.gather(values, tf.argMax(logits, 1)),
      probabilities: tf.transpose(tf.softmax(logits)),
    };
  });
  const result = {
    shape,
    labels: Uint8Array.from(labels.dataSync()),
    probabilities: Float32Array.from(probabilities.dataSync()),
  };
  labels.dispose();
  probabilities.dispose();
  return result;
}

/** Ascending eigenvalues of symmetric 3x3 fields: the closed form of invariants.ts, as tensor ops. */
function eigenvalues(
  tf: TfModule,
  a: Tf.Tensor,
  b: Tf.Tensor,
  c: Tf.Tensor,
  d: Tf.Tensor,
  e: Tf.Tensor,
  f: Tf.Tensor,
): Tf.Tensor[] {
  const q = tf.div(tf.addN([a, b, c]), 3);
  const [a0, b0, c0] = [tf.sub(a, q), tf.sub(b, q), tf.sub(c, q)];
  const off = tf.addN([tf.square(d), tf.square(e), tf.square(f)]);
  const p2 = tf.addN([tf.square(a0), tf.square(b0), tf.square(c0), tf.mul(off, 2)]);
  const p = tf.sqrt(tf.div(p2, 6));
  const det = tf.addN([
    tf.mul(a0, tf.sub(tf.mul(b0, c0), tf.square(f))),
    tf.neg(tf.mul(d, tf.sub(tf.mul(d, c0), tf.mul(f, e)))),
    tf.mul(e, tf.sub(tf.mul(d, f), tf.mul(b0, e))),
  ]);
  const flat = tf.less(p2, 1e-30);
  const r = tf.clipByValue(
    tf.where(flat, tf.zerosLike(det), tf.div(det, tf.mul(tf.pow(tf.maximum(p, 1e-15), 3), 2))),
    -1,
    1,
  );
  const cos = tf.cos(tf.div(tf.acos(r), 3));
  const sin = tf.sqrt(tf.relu(tf.sub(1, tf.square(cos))));
  const twoP = tf.mul(p, 2);
  const largest = tf.add(q, tf.mul(twoP, cos));
  const smallest = tf.add(q, tf.mul(twoP, tf.sub(tf.mul(cos, -0.5), tf.mul(sin, Math.sin((2 * Math.PI) / 3)))));
  const middle = tf.sub(tf.sub(tf.mul(q, 3), largest), smallest);
  return [smallest, middle, largest];
}
