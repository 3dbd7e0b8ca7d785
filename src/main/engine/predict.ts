// Prediction of a region (live slice previews, in the calling thread) and of a whole volume
// (blockwise, in worker threads, streaming to label and probability writers).
import { availableParallelism } from 'node:os';
import { cancelled } from '../../shared/errors';
import type { Region, TypedArray, Vec3 } from '../../shared/volume';
import type { Volume } from '../volume/volume';
import { basisHalo } from './basis';
import { type BlockResult, predictBlock, quantiseProbabilities, thinAxisFirst } from './block-predict';
import { blockGrid, readPadded } from './blocks';
import type { Model } from './model';
import { BlockPool } from './pool';
import { loadGpuTf, predictBlockTf } from './tfjs';

/** Where predicted blocks go (a VolumeWriter from the volume layer fits). */
export interface BlockSink {
  write(region: Region, data: TypedArray, channel?: number): Promise<void>;
}

export interface PredictOptions {
  /** Worker threads; 0 computes in the calling thread. Default: the number of CPU cores. */
  threads?: number;
  /** Block size (z, y, x); default 64×128×128 (about 150 MB per block in flight at 3 scales). */
  blockShape?: Vec3;
  /** 'auto' uses the GPU through tfjs-node-gpu where it loads, else the CPU kernels. */
  backend?: 'auto' | 'cpu';
  signal?: AbortSignal;
  progress?: (done: number, total: number, message?: string) => void;
}

export const DEFAULT_BLOCK: Vec3 = [64, 128, 128];

/** DEFAULT_BLOCK, made thinner in z until a small volume still gives every thread two blocks. */
function defaultBlock(shape: Vec3, threads: number): Vec3 {
  const block: Vec3 = [...DEFAULT_BLOCK];
  const count = (): number => blockGrid(shape, block).length;
  while (block[0] > 8 && count() < 2 * threads) block[0] /= 2;
  return block;
}

/**
 * Predicts one region (e.g. the visible slice after a retrain) in the calling thread, reading
 * only the neighbourhood it needs. Thin regions are filtered along their thin axis first, which
 * is fast but rounds slightly differently from `predictVolume` (labels agree except at exact ties).
 */
export async function predictRegion(model: Model, volume: Volume, region: Region): Promise<BlockResult> {
  const halo = basisHalo(model.basis.scales);
  const input = await readPadded(volume, region, halo, model.normalisation);
  return predictBlock(model, input.data, input.shape, halo, thinAxisFirst(region.shape));
}

/**
 * Predicts every voxel of `volume` block by block (each with a halo of the largest kernel radius,
 * so the result is identical to one unblocked run) and writes class values (uint8) to
 * `outputs.labels` and per-class probabilities (uint8, 255 = 1, one channel per class) to
 * `outputs.probabilities`. Blocks are written in order (z slabs first).
 */
export async function predictVolume(
  model: Model,
  volume: Volume,
  outputs: { labels?: BlockSink; probabilities?: BlockSink },
  options: PredictOptions = {},
): Promise<void> {
  const { signal, progress } = options;
  const threads = options.threads ?? availableParallelism();
  const halo = basisHalo(model.basis.scales);
  const blocks = blockGrid(volume.shape, options.blockShape ?? defaultBlock(volume.shape, threads));
  const tf = options.backend === 'cpu' ? undefined : await loadGpuTf();
  const total = volume.shape[0] * volume.shape[1] * volume.shape[2];
  const K = model.classes.length;
  const wantProbabilities = outputs.probabilities !== undefined;
  const pool = threads > 0 && !tf ? new BlockPool(threads) : undefined;
  const onAbort = (): void => void pool?.close();
  signal?.addEventListener('abort', onAbort);
  const pending: { region: Region; result: Promise<{ labels: Uint8Array; probabilities?: Uint8Array | undefined }> }[] =
    [];
  let done = 0;
  const writeNext = async (): Promise<void> => {
    const { region, result } = pending.shift()!;
    const { labels, probabilities } = await result;
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
      const input = await readPadded(volume, region, halo, model.normalisation);
      const result = tf
        ? Promise.resolve(predictBlockTf(tf, model, input.data, input.shape, halo)).then((r) => ({
            labels: r.labels,
            probabilities: wantProbabilities ? quantiseProbabilities(r.probabilities) : undefined,
          }))
        : pool
          ? pool.run({ model, input: input.data, shape: input.shape, halo, probabilities: wantProbabilities })
          : Promise.resolve(predictBlock(model, input.data, input.shape, halo)).then((r) => ({
              labels: r.labels,
              probabilities: wantProbabilities ? quantiseProbabilities(r.probabilities) : undefined,
            }));
      result.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
      pending.push({ region, result });
      while (pending.length > Math.max(1, threads)) await writeNext();
    }
    while (pending.length > 0) await writeNext();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }
  if (signal?.aborted) throw cancelled();
}
