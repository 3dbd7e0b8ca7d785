// Prediction of a region (live slice previews, in the calling thread) and of a whole volume
// (blockwise, in worker threads, streaming to label and probability writers).
import { availableParallelism } from 'node:os';
import { cancelled } from '../../shared/errors';
import { type Region, type Vec3, voxelAspect, voxelCount } from '../../shared/volume';
import type { Progress } from '../progress';
import { copyBox } from '../volume/chunked';
import type { RegionWriter } from '../volume/spec';
import type { Volume } from '../volume/volume';
import {
  type BlockResult,
  SMOOTHING_HALO,
  predictPaddedBlock,
  quantiseProbabilities,
  smoothPrediction,
  thinAxisFirst,
} from './block-predict';
import { blockCount, blockGrid, borrow, giveBack, readPadded } from './blocks';
import { dropUnfilled, keptRings } from './kept-rings';
import type { Model } from './model';
import { sharedPool } from './pool';
import { featuresHalo } from './texture';
import { loadGpuTf, predictBlockTf } from './tfjs';

export interface PredictOptions {
  /** Worker threads; 0 computes in the calling thread. Default: the number of CPU cores. */
  threads?: number;
  /** Block size (z, y, x); default 64×128×128 (about 150 MB per block in flight at 3 scales). */
  blockShape?: Vec3;
  /** Predict only these blocks (a cluster task's share of the volume), in this order; default: all. */
  blocks?: Region[];
  /** 'auto' uses the GPU through tfjs-node-gpu where it loads, else the CPU kernels. */
  backend?: 'auto' | 'cpu';
  /**
   * Smooth the class probabilities over 3×3×3 voxels before choosing the class (smoothPrediction);
   * default: as the model chose in training (model.smooth).
   */
  smooth?: boolean | undefined;
  signal?: AbortSignal;
  progress?: Progress;
}

export const DEFAULT_BLOCK: Vec3 = [64, 128, 128];

/** DEFAULT_BLOCK, made thinner in z until a small volume still gives every thread two blocks. */
function defaultBlock(shape: Vec3, threads: number): Vec3 {
  const block: Vec3 = [...DEFAULT_BLOCK];
  const count = (): number => blockCount(shape, block);
  while (block[0] > 8 && count() < 2 * threads) block[0] /= 2;
  return block;
}

/** Regions smaller than this are predicted in the calling thread (a worker round trip costs more). */
const PARALLEL_REGION_VOXELS = 1 << 16;

/** The neighbourhood a prediction reads around each voxel. */
const predictionHalo = (model: Model, smooth: boolean | undefined): number =>
  featuresHalo(model.basis.scales, model.basis.texture) + (smooth ? SMOOTHING_HALO : 0);

/**
 * The model with its filters fitted to the voxels of `volume`: its scales are in units of the
 * shortest voxel edge, and longer edges are followed (older models, without `basis.aspect`, took
 * every voxel as a cube, and still do).
 */
export function fitToVoxels(model: Model, volume: Volume): Model {
  if (!model.basis.aspect) return model;
  return { ...model, basis: { ...model.basis, aspect: voxelAspect(volume.voxelSize, volume.unit) } };
}

/** Relative voxel edges differing by more than this factor are a mismatch worth a note. */
const ASPECT_TOLERANCE = 1.1;

/**
 * Why a prediction of `volume` may disappoint, where the model was trained on voxels of other
 * proportions (in practice: one of the two files lacks or misstates its voxel size), else undefined.
 */
export function voxelMismatch(model: Model, volume: Volume): string | undefined {
  const trained = model.basis.aspect;
  if (!trained) return undefined;
  const here = voxelAspect(volume.voxelSize, volume.unit);
  if (here.every((a, i) => Math.max(a / trained[i]!, trained[i]! / a) <= ASPECT_TOLERANCE)) return undefined;
  const edges = (aspect: Vec3): string => aspect.map((a) => Number(a.toPrecision(3))).join(' × ');
  return (
    `the model was trained on voxels of edges ${edges(trained)} and these are ${edges(here)} (z × y × x, relative to ` +
    'the shortest): its filters follow these voxels, so if either voxel size is wrong, correct it and train again'
  );
}

/** A buffer for `region` and its halo, reused from an earlier block where one is free. */
const paddedBuffer = (region: Region, halo: number): Float32Array =>
  borrow('float32', voxelCount(region.shape.map((n) => n + 2 * halo) as Vec3)) as Float32Array;

/**
 * Predicts one region (e.g. the visible slice after a retrain), reading only the neighbourhood it
 * needs. A large region is split along its longest axis over `threads` workers (default: the
 * number of CPU cores; 0 computes in the calling thread), with the same result. Thin regions are
 * filtered along their thin axis first, which is fast but rounds slightly differently from
 * `predictVolume` (labels agree except at exact ties).
 */
export async function predictRegion(
  trained: Model,
  volume: Volume,
  region: Region,
  options: { threads?: number | undefined; smooth?: boolean | undefined } = {},
): Promise<BlockResult> {
  const model = fitToVoxels(trained, volume);
  const { smooth } = options;
  const halo = predictionHalo(model, smooth);
  const axisOrder = thinAxisFirst(region.shape);
  const threads = options.threads ?? availableParallelism();
  const parts =
    threads < 2 || voxelCount(region.shape) < PARALLEL_REGION_VOXELS
      ? [region]
      : blockGrid(volume.shape, partShape(region.shape, threads), region);
  const pool = parts.length > 1 ? sharedPool(threads) : undefined;
  const replies = [];
  for (const part of parts) {
    const kept = keptRings(volume, part, model, halo, axisOrder);
    const input = kept?.filled
      ? { data: new Float32Array(0), shape: part.shape.map((n) => n + 2 * halo) as Vec3 }
      : await readPadded(volume, part, halo, model.normalisation, paddedBuffer(part, halo));
    const request = { model, input: input.data, shape: input.shape, halo, axisOrder, smooth, kept };
    const reply = pool
      ? pool.run({ ...request, probabilities: 'float32' }, [input.data.buffer as ArrayBuffer])
      : Promise.resolve().then(() => ({
          ...predictPaddedBlock(model, input.data, input.shape, halo, { ...request, probabilities: true }),
          input: input.data,
        }));
    const settled = reply.then(
      (result) => {
        if (kept) kept.filled = true;
        if (result.input.length > 0) giveBack(result.input);
        return result;
      },
      (error: unknown) => {
        dropUnfilled(kept);
        throw error;
      },
    );
    settled.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    replies.push(settled);
  }
  if (parts.length === 1) {
    const { labels, probabilities } = await replies[0]!;
    return { shape: region.shape, labels, probabilities: probabilities as Float32Array };
  }
  const n = voxelCount(region.shape);
  const K = model.classes.length;
  const labels = new Uint8Array(n);
  const probabilities = new Float32Array(K * n);
  for (const [i, part] of parts.entries()) {
    const reply = await replies[i]!;
    const m = voxelCount(part.shape);
    copyBox(reply.labels, part.start, part.shape, labels, region.start, region.shape);
    for (let k = 0; k < K; k++)
      copyBox(
        reply.probabilities!.subarray(k * m, (k + 1) * m),
        part.start,
        part.shape,
        probabilities.subarray(k * n, (k + 1) * n),
        region.start,
        region.shape,
      );
  }
  return { shape: region.shape, labels, probabilities };
}

/** A large region is split along its longest axis, one part per thread. */
function partShape(shape: Vec3, threads: number): Vec3 {
  const longest = shape.indexOf(Math.max(...shape));
  const part: Vec3 = [...shape];
  part[longest] = Math.ceil(part[longest]! / threads);
  return part;
}

/**
 * Predicts every voxel of `volume` block by block (each with a halo of the largest kernel radius,
 * so the result is identical to one unblocked run) and writes class values (uint8) to
 * `outputs.labels` and per-class probabilities (uint8, 255 = 1, one channel per class) to
 * `outputs.probabilities`. Blocks are written in order (z slabs first).
 */
export async function predictVolume(
  trained: Model,
  volume: Volume,
  outputs: { labels?: RegionWriter; probabilities?: RegionWriter },
  options: PredictOptions = {},
): Promise<void> {
  const model = fitToVoxels(trained, volume);
  const { signal, progress } = options;
  const smooth = options.smooth ?? model.smooth ?? false;
  const threads = options.threads ?? availableParallelism();
  const halo = predictionHalo(model, smooth);
  const blocks = options.blocks ?? blockGrid(volume.shape, options.blockShape ?? defaultBlock(volume.shape, threads));
  // textures (texture.ts) are computed by the CPU kernels only
  const tf = options.backend === 'cpu' || model.basis.texture ? undefined : await loadGpuTf();
  const total = options.blocks
    ? options.blocks.reduce((sum, block) => sum + voxelCount(block.shape), 0)
    : volume.shape[0] * volume.shape[1] * volume.shape[2];
  const K = model.classes.length;
  const wantProbabilities = outputs.probabilities !== undefined;
  const pool = threads > 0 && !tf ? sharedPool(threads) : undefined;
  // Blocks still in the workers when this run stops early (cancel, a failed write) are abandoned.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort);
  const pending: {
    region: Region;
    result: Promise<{
      labels: Uint8Array;
      probabilities?: Uint8Array | Float32Array | undefined;
      input: Float32Array;
    }>;
  }[] = [];
  let done = 0;
  const writeNext = async (): Promise<void> => {
    const { region, result } = pending.shift()!;
    const { labels, probabilities, input } = await result;
    giveBack(input);
    if (signal?.aborted) throw cancelled();
    await outputs.labels?.write(region, labels);
    const n = labels.length;
    if (probabilities && outputs.probabilities)
      for (let k = 0; k < K; k++)
        await outputs.probabilities.write(region, probabilities.subarray(k * n, (k + 1) * n), k);
    done += n;
    progress?.(done, total, 'predicting');
  };
  try {
    progress?.(0, total, 'predicting');
    for (const region of blocks) {
      if (signal?.aborted) throw cancelled();
      const input = await readPadded(volume, region, halo, model.normalisation, paddedBuffer(region, halo));
      const result = tf
        ? Promise.resolve(
            smooth
              ? smoothPrediction(model, predictBlockTf(tf, model, input.data, input.shape, halo - SMOOTHING_HALO), true)
              : predictBlockTf(tf, model, input.data, input.shape, halo),
          ).then((r) => ({
            labels: r.labels,
            probabilities: wantProbabilities ? quantiseProbabilities(r.probabilities) : undefined,
            input: input.data,
          }))
        : pool
          ? pool.run(
              {
                model,
                input: input.data,
                shape: input.shape,
                halo,
                probabilities: wantProbabilities && 'uint8',
                smooth,
              },
              [input.data.buffer as ArrayBuffer],
              stop.signal,
            )
          : Promise.resolve(
              predictPaddedBlock(model, input.data, input.shape, halo, { probabilities: wantProbabilities, smooth }),
            ).then((r) => ({
              labels: r.labels,
              probabilities: wantProbabilities ? quantiseProbabilities(r.probabilities) : undefined,
              input: input.data,
            }));
      result.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
      pending.push({ region, result });
      // the next block is read while the workers compute, so they rarely wait for the reading
      while (pending.length > Math.max(1, threads)) await writeNext();
    }
    while (pending.length > 0) await writeNext();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (pending.length > 0) stop.abort();
  }
  if (signal?.aborted) throw cancelled();
}
