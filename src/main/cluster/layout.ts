// What a segmentation written in parts holds besides its chunks, and how its state is read: the
// run record (image, model, parts…) in the incomplete mark of its zarr.json, one marker file per
// finished part, and whether the last step has made it complete. Every step of a cluster run
// (prepare, each part, finish, status, submit) reads the state through here.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TomosegError, badInput } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { exists } from '../volume/output';
import {
  type IncompleteMark,
  incompleteMark,
  listParts,
  missingParts,
  partMarkerName,
} from '../volume/zarr/incomplete';

/** The folder inside the segmentation (SEG.zarr) that holds the part markers until it is complete. */
export const MARKERS = '.tomoseg-parts';

/** What every part of a run must agree on; kept in the segmentation's mark until it is complete. */
export interface RunRecord {
  /** Absolute paths. */
  image: string;
  dataset?: string | undefined;
  model: string;
  /** sha256 of the model file: a part refuses another model saved under the same name. */
  modelSha256: string;
  smooth: boolean;
  /** The probabilities output (absolute), written in the same parts. */
  probabilities?: string | undefined;
  /** Chunk compression of both outputs. */
  compression: 'gzip';
}

export interface RunMark extends IncompleteMark {
  /** In the segmentation's group only. */
  run?: RunRecord;
  /** In the probabilities' group: the segmentation it belongs to (absolute). */
  of?: string;
}

/** The state of a segmentation that may be written in parts. */
export type RunState =
  | { state: 'absent' }
  | { state: 'complete' }
  | { state: 'incomplete'; parts: number; run: RunRecord; done: number[]; missing: number[] };

/** Reads a Zarr node's metadata (zarr.json). */
export async function readNode(folder: string): Promise<Record<string, unknown> & { attributes?: object }> {
  const file = join(folder, 'zarr.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw badInput(`${folder}: not an OME-Zarr written by Tomoseg (no zarr.json)`);
    throw badInput(`${file}: cannot be read (${(error as Error).message})`);
  }
}

/** Writes a Zarr node's metadata whole or not at all (a temporary file renamed over it). */
export async function writeNode(folder: string, node: object): Promise<void> {
  await writeAtomically(join(folder, 'zarr.json'), JSON.stringify(node, null, 2));
}

/** Writes `text` to `file` through a temporary file, flushed to disk before it is renamed. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The run mark of a node's metadata, where it has one. */
export function runMark(node: { attributes?: object }): RunMark | undefined {
  return incompleteMark(node.attributes) as RunMark | undefined;
}

/** Shape and chunk size of the Zarr array in `folder` (z, y, x), and its channels where it has a c axis. */
export async function arrayInfo(folder: string): Promise<{ shape: Vec3; chunk: Vec3; channels?: number }> {
  const node = (await readNode(folder)) as {
    shape?: number[];
    chunk_grid?: { configuration?: { chunk_shape?: number[] } };
  };
  const shape = node.shape ?? [];
  const chunk = node.chunk_grid?.configuration?.chunk_shape ?? [];
  if (shape.length < 3 || shape.length > 4 || chunk.length !== shape.length)
    throw badInput(`${folder}: not a 3D Zarr array`);
  return {
    shape: shape.slice(-3) as Vec3,
    chunk: chunk.slice(-3) as Vec3,
    ...(shape.length === 4 ? { channels: shape[0] } : {}),
  };
}

/** The full-resolution array (level 0) of an OME-Zarr output. */
export const levelZero = (out: string): ReturnType<typeof arrayInfo> => arrayInfo(join(out, '0'));

/** Where the segmentation `out` stands: absent, complete, or which parts are done. */
export async function runState(out: string): Promise<RunState> {
  if (!(await exists(join(out, 'zarr.json')))) {
    if (await exists(out)) throw badInput(`${out}: not an OME-Zarr written by Tomoseg (no zarr.json)`);
    return { state: 'absent' };
  }
  const mark = runMark(await readNode(out));
  if (!mark) return { state: 'complete' };
  if (!mark.run)
    throw badInput(`${out}: is the probabilities of ${mark.of ?? 'another output'}; ask about that segmentation`);
  const missing = await missingParts(out, mark);
  const done = Array.from({ length: mark.parts }, (_, i) => i + 1).filter((p) => !missing.includes(p));
  return { state: 'incomplete', parts: mark.parts, run: mark.run, done, missing };
}

/** The state of a segmentation that must have been prepared for parts, else an error saying what to do. */
export async function preparedRun(out: string): Promise<Extract<RunState, { state: 'incomplete' }>> {
  const state = await runState(out);
  if (state.state === 'absent')
    throw new TomosegError(
      'not-found',
      `${out}: not prepared: run \`tomoseg predict --prepare N …\` (or \`tomoseg cluster submit\`) first`,
    );
  if (state.state === 'complete')
    throw new TomosegError('conflict', `${out}: already complete (not an output being written in parts)`);
  return state;
}

/** The marker of `part`: written last, once all of the part's chunks are on disk. */
export const partMarker = (out: string, part: number, parts: number): string =>
  join(out, MARKERS, partMarkerName(part, parts));

export async function markPartDone(out: string, part: number, parts: number): Promise<void> {
  await writeAtomically(partMarker(out, part, parts), `part ${part} of ${parts} done ${new Date().toISOString()}\n`);
}

/** A few lines for `tomoseg cluster status`. */
export function describeState(out: string, state: RunState): string[] {
  if (state.state === 'absent') return [`${out}: does not exist (nothing prepared or submitted)`];
  if (state.state === 'complete') return [`${out}: complete`];
  const lines = [
    `${out}: incomplete, ${state.done.length} of ${state.parts} parts done`,
    `  done     ${state.done.length ? listParts(state.done) : 'none'}`,
    `  missing  ${state.missing.length ? listParts(state.missing) : 'none'}`,
  ];
  lines.push(
    state.missing.length
      ? '  run the missing parts again with `tomoseg cluster submit` (same flags), or `tomoseg predict --part i/N`'
      : '  every part is done: `tomoseg cluster finish` builds the pyramid and marks it complete',
  );
  return lines;
}
