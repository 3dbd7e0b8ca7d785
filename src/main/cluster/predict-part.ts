// One task of a run in parts: predicts its tiles (whole output chunks, see parts.ts) and stores
// their chunks straight into the prepared outputs' full-resolution arrays, then writes its part
// marker, last, once every chunk is on disk. Killed at any point before that, the part stays
// missing and runs again whole; no chunk is shared with another part, so no lock is needed.
// Each tile is predicted by predictVolume with its halo read from the whole image (mirrored only
// at the image's own borders), so every voxel comes out as in a single-process run.
import { join, resolve } from 'node:path';
import { badInput, cancelled } from '../../shared/errors';
import { type Model, predictVolume } from '../engine';
import type { Volume } from '../volume';
import { exists } from '../volume/output';
import { chunkCodec } from '../volume/zarr/codecs';
import { ArrayWriter } from '../volume/zarr/array-writer';
import { type RunRecord, levelZero, markPartDone, partMarker, preparedRun, readNode, runMark } from './layout';
import { sha256 } from './prepare';
import { partTiles } from './parts';

export interface PartOptions {
  part: number;
  parts: number;
  /** What the command line gave: checked against the run record, so parts of two runs never mix. */
  given: Omit<RunRecord, 'modelSha256' | 'compression'>;
  threads?: number | undefined;
  signal?: AbortSignal | undefined;
  progress?: ((done: number, total: number, message?: string) => void) | undefined;
}

/** Predicts part `options.part` of the prepared `out`; 'done' where it had been done before. */
export async function predictPart(
  model: Model,
  image: Volume,
  out: string,
  options: PartOptions,
): Promise<'predicted' | 'done'> {
  const { part, parts, signal, progress } = options;
  const state = await preparedRun(out);
  const run = state.run;
  if (state.parts !== parts)
    throw badInput(`${out} was prepared for ${state.parts} parts, not ${parts}: use --part i/${state.parts}`);
  await checkAgainst(run, options.given, out);
  if (await exists(partMarker(out, part, parts))) return 'done';

  const { shape, chunk } = await levelZero(out);
  if (shape.some((n, a) => n !== image.shape[a]))
    throw badInput(`${out} was prepared for a ${shape.join('×')} image; ${image.path} is ${image.shape.join('×')}`);
  const codec = chunkCodec(run.compression, 'uint8');
  const labels = new ArrayWriter(join(out, '0'), shape, chunk, 'uint8', undefined, codec);
  let probabilities: ArrayWriter | undefined;
  if (run.probabilities) {
    const mark = runMark(await readNode(run.probabilities));
    const level = await levelZero(run.probabilities);
    if (mark?.of !== resolve(out) || mark.parts !== parts || level.channels !== model.classes.length)
      throw badInput(`${run.probabilities}: not the probabilities prepared with ${out}`);
    probabilities = new ArrayWriter(join(run.probabilities, '0'), shape, chunk, 'uint8', level.channels, codec);
  }
  const tiles = partTiles(shape, chunk, part, parts);
  try {
    await predictVolume(
      model,
      image,
      { labels, probabilities },
      { blocks: tiles, threads: options.threads, smooth: run.smooth, signal, progress },
    );
    await labels.finish();
    await probabilities?.finish();
  } catch (error) {
    await Promise.all([labels.settle(), probabilities?.settle()]).catch(() => undefined);
    throw error;
  }
  if (signal?.aborted) throw cancelled();
  progress?.(1, 1, 'marking the part done');
  await markPartDone(out, part, parts);
  return 'predicted';
}

async function checkAgainst(run: RunRecord, given: PartOptions['given'], out: string): Promise<void> {
  const differ = (what: string, prepared: unknown, now: unknown): never => {
    throw badInput(
      `${out} was prepared with ${what} ${String(prepared ?? 'none')}, not ${String(now ?? 'none')}: give the same flags to every part (or prepare again with --force)`,
    );
  };
  if (run.image !== given.image) differ('--image', run.image, given.image);
  if ((run.dataset ?? '') !== (given.dataset ?? '')) differ('--dataset', run.dataset, given.dataset);
  if (run.model !== given.model) differ('--model', run.model, given.model);
  if (run.smooth !== given.smooth) differ('--smooth', run.smooth, given.smooth);
  if ((run.probabilities ?? '') !== (given.probabilities ?? ''))
    differ('--probabilities', run.probabilities, given.probabilities);
  if ((await sha256(given.model)) !== run.modelSha256)
    throw badInput(`${given.model} changed since ${out} was prepared: its parts would come from two models`);
}
