// What a project keeps of a volume's work besides its labels: the current model and the last
// segment-all result (its labels and class probabilities). Save stores what changed since the last
// save; opening the project gives them back, so the overlay and the result show without retraining.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { type SurfaceSettings, surfaceSettings } from '../../shared/api/segmentation';
import { type PostprocessStep, postprocessStep } from '../../shared/postprocess';
import type { Volume } from '../volume/volume';
import type { ProjectFile } from './project-file';
import { loadVoxels, resultsFolder, storeVoxels } from './result-files';
import type { ModelRecord } from './tables';

/** A result's probability of each class: label values in channel order, one volume per channel. */
export interface ClassProbabilities {
  classes: number[];
  channels: Volume[];
}

/** The model as the project keeps it. */
export interface KeptModel {
  payload: Uint8Array;
  preview: boolean;
  seed?: number | undefined;
  /** Trained on the labels as they are now (else the UI says "labels changed since"). */
  fresh: boolean;
  /** When it was trained (ISO) and in how many seconds, as the model panel says. */
  trainedAt: string;
  seconds: number;
}

/** A volume's work as the segmentation service has it; `token`s tell whether it changed since the last save. */
export interface VolumeWork {
  model?: { token: object; name: string; keep(): KeptModel };
  result?: {
    token: object;
    volume: Volume;
    probabilities?: ClassProbabilities | undefined;
    smooth: boolean;
    /** Labelled through surfaces, and how. */
    surfaces?: SurfaceSettings | undefined;
    /** The post-processing it had, in order. */
    postprocess: PostprocessStep[];
    /** Made by the current model. */
    ofModel: boolean;
    /** Keeps the result readable while it is copied (a newer one may replace it meanwhile). */
    hold(): () => void;
  };
}

/** Saved work given back to the segmentation service. */
export interface RestoredWork {
  model?: KeptModel & { source: string };
  result?: {
    volume: Volume;
    probabilities?: ClassProbabilities | undefined;
    smooth: boolean;
    surfaces?: SurfaceSettings | undefined;
    postprocess: PostprocessStep[];
    ofModel: boolean;
    /** Closes the volumes (the project's files stay). */
    close(): Promise<void>;
  };
}

/** The segmentation service, as the project sees it. */
export interface WorkHost {
  workOf(openVolumeId: string): VolumeWork;
  restore(openVolumeId: string, work: RestoredWork): Promise<void>;
}

/** What was last saved of a volume's work, by token, and the rows it went to. */
export interface SavedMarks {
  model?: { token: object; id: string };
  result?: { token: object; ids: string[] };
}

const RESULT_KINDS = ['segmentation', 'probabilities'];

/** Stores the model and result of project volume `volumeId` that are new since `marks`; returns the new marks. */
export async function storeWork(
  file: ProjectFile,
  volumeId: string,
  work: VolumeWork,
  marks: SavedMarks,
  inProjectBytes?: number,
): Promise<SavedMarks> {
  const next: SavedMarks = { ...marks };
  if (work.model && work.model.token !== marks.model?.token) {
    const kept = work.model.keep();
    const record = file.addModel({
      name: work.model.name,
      volumeId,
      labelsVersion: kept.fresh ? file.volume(volumeId).labelsVersion : null,
      payload: kept.payload,
      meta: {
        preview: kept.preview,
        fresh: kept.fresh,
        trainedAt: kept.trainedAt,
        seconds: kept.seconds,
        ...(kept.seed !== undefined && { seed: kept.seed }),
      },
    });
    next.model = { token: work.model.token, id: record.id };
  }
  const result = work.result;
  if (result && result.token !== marks.result?.token) {
    const release = result.hold();
    const written: string[] = [];
    try {
      const modelId = result.ofModel ? (next.model?.id ?? null) : null;
      const ids = { labels: randomUUID(), probabilities: randomUUID() };
      const rows = [];
      if (result.probabilities) {
        const stored = await storeVoxels(file.path, ids.probabilities, result.probabilities.channels, {
          kind: 'image',
          inProjectBytes,
        });
        if (stored.relativePath) written.push(stored.relativePath);
        rows.push({
          ...stored,
          id: ids.probabilities,
          name: 'class probabilities',
          kind: 'probabilities',
          volumeId,
          modelId,
          meta: { ...stored.meta, classes: result.probabilities.classes },
        });
      }
      const stored = await storeVoxels(file.path, ids.labels, [result.volume], { kind: 'labels', inProjectBytes });
      if (stored.relativePath) written.push(stored.relativePath);
      rows.push({
        ...stored,
        id: ids.labels,
        name: 'segment all',
        kind: 'segmentation',
        volumeId,
        modelId,
        meta: {
          ...stored.meta,
          smooth: result.smooth,
          ...(result.surfaces && { surfaces: result.surfaces }),
          postprocess: result.postprocess,
          ...(result.probabilities && { probabilities: ids.probabilities }),
        },
      });
      const older = file.results().filter((r) => r.volumeId === volumeId && RESULT_KINDS.includes(r.kind));
      file.replaceResults(
        rows,
        older.map((r) => r.id),
      );
      written.length = 0;
      await removeOwnFiles(file, older);
      next.result = { token: result.token, ids: rows.map((r) => r.id) };
    } finally {
      release();
      // a failed save leaves no file that no row names
      await Promise.all(
        written.map((p) => rm(file.resultPath({ relativePath: p })!, { recursive: true, force: true })),
      );
    }
  }
  // Each Save with a new model adds one: older ones that no result names are dead weight.
  const stored = next.model !== marks.model || next.result !== marks.result;
  if (next.model && stored) file.pruneModels(volumeId, next.model.id);
  return next;
}

/** The latest model and segment-all result saved for project volume `volumeId`; notices say what could not be read. */
export async function loadWork(
  file: ProjectFile,
  volumeId: string,
  volume: Volume,
): Promise<{ work: RestoredWork; ids: { model?: string; result?: string[] }; notices: string[] }> {
  const work: RestoredWork = {};
  const ids: { model?: string; result?: string[] } = {};
  const notices: string[] = [];
  const name = file.volume(volumeId).name;
  const summary = file
    .models()
    .filter((m) => m.volumeId === volumeId)
    .at(-1);
  let record: ModelRecord | undefined;
  try {
    record = summary && file.model(summary.id);
  } catch (error) {
    notices.push(`The saved model of "${name}" could not be read (${(error as Error).message}); train again.`);
  }
  if (record) {
    const meta = record.meta as {
      preview?: boolean;
      fresh?: boolean;
      seed?: number;
      trainedAt?: string;
      seconds?: number;
    };
    work.model = {
      payload: record.payload,
      preview: meta.preview ?? false,
      trainedAt: meta.trainedAt ?? record.createdAt,
      seconds: meta.seconds ?? 0,
      ...(meta.seed !== undefined && { seed: meta.seed }),
      // trained on the labels as saved, and none painted since
      fresh: meta.fresh === true && record.labelsVersion === file.volume(volumeId).labelsVersion,
      source: `the model of "${name}" in ${file.path}`,
    };
    ids.model = record.id;
  }
  const results = file.results().filter((r) => r.volumeId === volumeId);
  const labels = results.filter((r) => r.kind === 'segmentation').at(-1);
  if (labels) {
    const opened: Volume[] = [];
    try {
      opened.push(...(await loadVoxels(file.path, file.result(labels.id), volume)));
      const probabilitiesId = labels.meta.probabilities as string | undefined;
      const probabilities = results.find((r) => r.id === probabilitiesId);
      let channels: Volume[] = [];
      if (probabilities) channels = await loadVoxels(file.path, file.result(probabilities.id), volume);
      opened.push(...channels);
      if (opened.some((v) => v.shape.some((n, a) => n !== volume.shape[a])))
        throw new Error(`it is not of the volume's shape [${volume.shape.join(', ')}]`);
      work.result = {
        volume: opened[0]!,
        ...(probabilities && {
          probabilities: { classes: probabilities.meta.classes as number[], channels },
        }),
        smooth: labels.meta.smooth === true,
        // older projects saved none
        surfaces: surfaceSettings.optional().catch(undefined).parse(labels.meta.surfaces),
        // older projects saved none
        postprocess: postprocessStep
          .array()
          .catch([])
          .parse(labels.meta.postprocess ?? []),
        ofModel: labels.modelId !== null && labels.modelId === record?.id,
        close: async () => {
          await Promise.all(opened.map((v) => v.close()));
        },
      };
      ids.result = [labels.id, ...(probabilities ? [probabilities.id] : [])];
    } catch (error) {
      await Promise.all(opened.map((v) => v.close()));
      notices.push(
        `The saved segmentation of "${name}" could not be read (${(error as Error).message}); run Segment all again.`,
      );
    }
  }
  return { work, ids, notices };
}

/** Deletes the files of removed results that lie in this project's own results folder (never another project's). */
async function removeOwnFiles(file: ProjectFile, removed: { relativePath: string | null }[]): Promise<void> {
  const own = resultsFolder(file.path);
  for (const result of removed) {
    const path = file.resultPath(result);
    const inside = path && relative(own, path);
    if (inside && !inside.startsWith('..') && !isAbsolute(inside))
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
