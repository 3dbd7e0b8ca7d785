// The first step of a run in parts: creates the outputs' metadata, exactly what a single-process
// `predict` writes (same writer, same group and level metadata, no chunks yet), marked incomplete
// with the run record, and the empty folder of part markers. Run once, before any part (by
// `tomoseg predict --prepare N`, or by `tomoseg cluster submit` on the login node), so parts
// never race to create it.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { badInput } from '../../shared/errors';
import type { Model } from '../engine';
import { type Volume, createVolume } from '../volume';
import { exists, publish } from '../volume/output';
import type { VolumeSpec } from '../volume/spec';
import { MARKERS, type RunMark, type RunRecord, levelZero, readNode, writeNode } from './layout';
import { partTiles } from './parts';

export interface PrepareOptions {
  parts: number;
  /** The image and model files, as given (recorded absolute). */
  imagePath: string;
  modelPath: string;
  dataset?: string | undefined;
  smooth: boolean;
  force: boolean;
}

export const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** The outputs' specs, as `writeSegmentation` (src/main/cli/commands/shared.ts) gives them. */
export function outputSpecs(model: Model, image: Volume): { labels: VolumeSpec; probabilities: VolumeSpec } {
  const common = { shape: image.shape, voxelSize: image.voxelSize, unit: image.unit };
  return {
    labels: { ...common, dtype: 'uint8', kind: 'labels' },
    probabilities: {
      ...common,
      dtype: 'uint8',
      kind: 'image',
      channels: model.classes.length,
      channelNames: model.classes.map((c) => c.name),
    },
  };
}

/** The run record that the parts of `out` check their flags against. */
export async function runRecord(
  options: Omit<PrepareOptions, 'parts' | 'force'>,
  probabilities: string | undefined,
): Promise<RunRecord> {
  return {
    image: resolve(options.imagePath),
    ...(options.dataset ? { dataset: options.dataset } : {}),
    model: resolve(options.modelPath),
    modelSha256: await sha256(options.modelPath),
    smooth: options.smooth,
    ...(probabilities ? { probabilities: resolve(probabilities) } : {}),
    compression: 'gzip',
  };
}

/** Creates `paths.out` (and `paths.probabilities`) for `options.parts` parts, marked incomplete. */
export async function prepareOutputs(
  model: Model,
  image: Volume,
  paths: { out: string; probabilities?: string | undefined },
  options: PrepareOptions,
): Promise<void> {
  if (!/\.zarr$/i.test(paths.out) || (paths.probabilities && !/\.zarr$/i.test(paths.probabilities)))
    throw badInput('a segmentation written in parts is an OME-Zarr: name its outputs *.zarr');
  const specs = outputSpecs(model, image);
  const run = await runRecord(options, paths.probabilities);
  const out = resolve(paths.out);
  const markers = (node: string): string => relative(node, join(out, MARKERS)) || '.';
  const staged: Staged[] = [];
  try {
    staged.push(
      await stage(
        paths.out,
        specs.labels,
        (node) => ({ parts: options.parts, markers: markers(node), ...(node === out ? { run } : {}) }),
        MARKERS,
      ),
    );
    // Refuses more parts than chunks before anything is in place.
    const { shape, chunk } = await levelZero(staged[0]!.temp);
    partTiles(shape, chunk, options.parts, options.parts);
    if (paths.probabilities)
      staged.unshift(
        await stage(paths.probabilities, specs.probabilities, (node) => ({
          parts: options.parts,
          markers: markers(node),
          of: out,
        })),
      );
    // The probabilities first: the segmentation's mark is what says the run is prepared.
    for (const { temp, path } of staged) {
      if (!options.force && (await exists(path))) throw badInput(`${path} already exists (use --force to overwrite)`);
      await publish(temp, path);
    }
  } finally {
    await Promise.all(staged.map((s) => rm(s.folder, { recursive: true, force: true })));
  }
}

interface Staged {
  /** The scratch folder, the output in it, and where it goes. */
  folder: string;
  temp: string;
  path: string;
}

/**
 * Writes an empty output with the writer (so its metadata is what a single-process run writes),
 * under its own name in a scratch folder beside it (same file system, so it can be renamed into
 * place), and marks every zarr.json in it.
 */
async function stage(
  path: string,
  spec: VolumeSpec,
  mark: (node: string) => RunMark,
  markersFolder?: string,
): Promise<Staged> {
  const finalPath = resolve(path);
  const folder = await mkdtemp(join(dirname(finalPath), `.${basename(finalPath)}.prepare-`));
  const temp = join(folder, basename(finalPath));
  try {
    const writer = await createVolume(temp, spec);
    await writer.commit();
    const levels = (await readdir(temp, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const name of ['', ...levels]) {
      const node = await readNode(join(temp, name));
      node.attributes = { ...(node.attributes ?? {}), tomoseg: { incomplete: mark(join(finalPath, name)) } };
      await writeNode(join(temp, name), node);
    }
    if (markersFolder) await mkdir(join(temp, markersFolder));
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { folder, temp, path: finalPath };
}
