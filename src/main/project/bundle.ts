// "Export for sharing": a folder holding the project (unlocked, paths re-based) and, optionally,
// copies of its volumes under data/. Import copies such a folder to where the user wants it.
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { TomosegError, badInput, cancelled } from '../../shared/errors';
import type { JobContext } from '../services/jobs';
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
});

export interface ExportOptions {
  /** Copy the volumes into the bundle (they can be large). */
  includeData: boolean;
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
    await project.copyTo(join(temporary, BUNDLE_PROJECT), {
      volumePaths: finalPaths,
      finalPath: join(target, BUNDLE_PROJECT),
      history: { action: 'exported', detail: { includeData: options.includeData } },
    });
    const manifest: z.infer<typeof manifestSchema> = {
      format: 'tomoseg-bundle',
      version: 1,
      project: BUNDLE_PROJECT,
      createdAt: new Date().toISOString(),
      data,
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

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${i}-${name}`;
  taken.add(candidate);
  return candidate;
}
