// "Export for sharing": a folder holding the project (unlocked, paths re-based), the result files
// it keeps beside it under results/ (a large segment-all result) and, optionally, copies of its
// volumes under data/ and half-resolution previews under preview/ (small enough to send when the
// data is not). Import copies such a folder to where the user wants it.
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { TomosegError, badInput, cancelled } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { Progress } from '../progress';
import type { JobContext } from '../services/jobs';
import { createVolume, openVolume } from '../volume';
import { reduce } from '../volume/zarr/writer';
import type { ProjectFile } from './project-file';

export const BUNDLE_PROJECT = 'project.tomoseg';
const MANIFEST = 'tomoseg-bundle.json';

const manifestSchema = z.object({
  format: z.literal('tomoseg-bundle'),
  version: z.literal(1),
  project: z.string().min(1),
  createdAt: z.string(),
  /** Volumes copied into the bundle, relative to it ('/' separators). */
  data: z.array(z.object({ volumeId: z.string(), path: z.string() })),
  /** Half-resolution copies (OME-Zarr), to look at; the project's labels stay on the full data. */
  previews: z.array(z.object({ volumeId: z.string(), path: z.string(), factor: z.number() })).default([]),
  /** Result files of the project (OME-Zarr), relative to the bundle. */
  results: z.array(z.object({ resultId: z.string(), path: z.string() })).default([]),
});

export interface ExportOptions {
  /** Copy the volumes into the bundle (they can be large). */
  includeData: boolean;
  /** Add a copy of each volume at half resolution per axis (1/8 of the voxels). */
  preview?: boolean;
  /** Where each volume is now, by id: found volumes only; the others are referenced as recorded. */
  volumePaths: Map<string, string>;
}

const noJob: JobContext = { signal: new AbortController().signal, progress: () => undefined };

export async function exportBundle(
  project: ProjectFile,
  dest: string,
  options: ExportOptions,
  job: JobContext = noJob,
): Promise<string> {
  const target = resolve(dest);
  if (existsSync(target))
    throw new TomosegError('conflict', `${dest} already exists; choose another name for the bundle`);
  const temporary = `${target}.partial-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  try {
    await mkdir(temporary, { recursive: true });
    const finalPaths = new Map(options.volumePaths);
    const data: z.infer<typeof manifestSchema>['data'] = [];
    if (options.includeData) {
      const names = new Set<string>();
      const volumes = [...options.volumePaths];
      for (const [index, [volumeId, source]] of volumes.entries()) {
        job.progress(index, volumes.length, `copying ${basename(source)}`);
        const name = uniqueName(basename(source), names);
        // The filter runs per file, which makes a long copy stop soon after a cancel.
        await cp(source, join(temporary, 'data', name), {
          recursive: true,
          filter: () => {
            if (job.signal.aborted) throw cancelled();
            return true;
          },
        });
        finalPaths.set(volumeId, join(target, 'data', name));
        data.push({ volumeId, path: `data/${name}` });
      }
    }
    const { results, resultPaths } = await copyResults(project, temporary, target, job.signal);
    const previews: z.infer<typeof manifestSchema>['previews'] = [];
    if (options.preview) {
      const names = new Set<string>();
      const volumes = [...options.volumePaths];
      for (const [index, [volumeId, source]] of volumes.entries()) {
        const name = uniqueName(`${basename(source).replace(/\.[^.]*$/, '')}-half.zarr`, names);
        const message = `half-resolution copy of ${basename(source)} (${index + 1} of ${volumes.length})`;
        await writeHalfResolution(
          source,
          join(temporary, 'preview', name),
          (done, total) => job.progress(done, total, message),
          job.signal,
        );
        previews.push({ volumeId, path: `preview/${name}`, factor: 2 });
      }
    }
    await project.copyTo(join(temporary, BUNDLE_PROJECT), {
      volumePaths: finalPaths,
      resultPaths,
      finalPath: join(target, BUNDLE_PROJECT),
      history: { action: 'exported', detail: { includeData: options.includeData, preview: !!options.preview } },
    });
    const manifest: z.infer<typeof manifestSchema> = {
      format: 'tomoseg-bundle',
      version: 1,
      project: BUNDLE_PROJECT,
      createdAt: new Date().toISOString(),
      data,
      previews,
      results,
    };
    await writeFile(join(temporary, MANIFEST), JSON.stringify(manifest, null, 2));
    await rename(temporary, target);
    job.progress(1, 1, 'exported');
    return target;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Copies the project's result files into `temporary`/results/; where they will be once the bundle is at `target`. */
async function copyResults(
  project: ProjectFile,
  temporary: string,
  target: string,
  signal: AbortSignal,
): Promise<{ results: z.infer<typeof manifestSchema>['results']; resultPaths: Map<string, string> }> {
  const results: z.infer<typeof manifestSchema>['results'] = [];
  const resultPaths = new Map<string, string>();
  const names = new Set<string>();
  for (const result of project.results()) {
    const source = project.resultPath(result);
    if (!source || !existsSync(source)) continue; // a result whose file is gone stays as recorded
    const name = uniqueName(basename(source), names);
    await cp(source, join(temporary, 'results', name), {
      recursive: true,
      filter: () => {
        if (signal.aborted) throw cancelled();
        return true;
      },
    });
    resultPaths.set(result.id, join(target, 'results', name));
    results.push({ resultId: result.id, path: `results/${name}` });
  }
  return { results, resultPaths };
}

/** Copies a bundle into `destFolder`; returns the path of the project inside the copy. */
export async function importBundle(bundle: string, destFolder: string, job: JobContext = noJob): Promise<string> {
  const source = resolve(bundle);
  const manifest = await readManifest(source, bundle);
  const target = join(resolve(destFolder), basename(source));
  if (existsSync(target)) throw new TomosegError('conflict', `${target} already exists; import into another folder`);
  const temporary = `${target}.partial-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  try {
    job.progress(0, 1, `copying ${basename(source)}`);
    await cp(source, temporary, {
      recursive: true,
      filter: () => {
        if (job.signal.aborted) throw cancelled();
        return true;
      },
    });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  job.progress(1, 1, 'imported');
  return join(target, ...manifest.project.split('/'));
}

async function readManifest(folder: string, shown: string): Promise<z.infer<typeof manifestSchema>> {
  let text: string;
  try {
    text = await readFile(join(folder, MANIFEST), 'utf8');
  } catch {
    throw badInput(`${shown} is not a Tomoseg bundle (no ${MANIFEST} inside)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badInput(`${shown}: ${MANIFEST} is not valid JSON`);
  }
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success)
    throw badInput(
      `${shown}: ${MANIFEST} is not a bundle manifest this version reads (${manifest.error.issues[0]?.message})`,
    );
  if (manifest.data.project.split('/').includes('..'))
    throw badInput(`${shown}: the manifest points outside the bundle`);
  if (!existsSync(join(folder, ...manifest.data.project.split('/'))))
    throw badInput(`${shown}: the project file ${manifest.data.project} is missing from the bundle`);
  return manifest.data;
}

/** Output tile of the preview: one 64³ chunk of the OME-Zarr, so each write completes chunks. */
const TILE: Vec3 = [64, 64, 64];

/** Writes `source` at half resolution per axis (mean of 2×2×2 voxels) as OME-Zarr at `dest`. */
export async function writeHalfResolution(
  source: string,
  dest: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  const volume = await openVolume(source);
  try {
    const inShape = volume.shape;
    const shape = inShape.map((n) => Math.ceil(n / 2)) as Vec3;
    const writer = await createVolume(dest, {
      shape,
      dtype: volume.dtype,
      voxelSize: volume.voxelSize.map((v) => v * 2) as Vec3,
      unit: volume.unit,
      chunkShape: TILE,
    });
    try {
      const counts = shape.map((n, a) => Math.ceil(n / TILE[a]!)) as Vec3;
      const total = counts[0] * counts[1] * counts[2];
      let done = 0;
      for (let z = 0; z < shape[0]; z += TILE[0])
        for (let y = 0; y < shape[1]; y += TILE[1])
          for (let x = 0; x < shape[2]; x += TILE[2]) {
            if (signal.aborted) throw cancelled();
            const start: Vec3 = [z, y, x];
            const size = start.map((s, a) => Math.min(TILE[a]!, shape[a]! - s)) as Vec3;
            const from = start.map((s) => s * 2) as Vec3;
            const fromSize = size.map((n, a) => Math.min(n * 2, inShape[a]! - from[a]!)) as Vec3;
            const input = await volume.read({ start: from, shape: fromSize });
            await writer.write({ start, shape: size }, reduce(input, fromSize, size, [2, 2, 2], false));
            progress(++done, total);
          }
      await writer.commit({ signal });
    } catch (error) {
      await writer.abort();
      throw error;
    }
  } finally {
    await volume.close();
  }
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${i}-${name}`;
  taken.add(candidate);
  return candidate;
}
