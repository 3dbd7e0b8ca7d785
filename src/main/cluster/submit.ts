// `tomoseg cluster submit`: prepares the output (once), writes the two batch scripts beside it and
// submits them: the job array of the parts still missing, then the finishing job after it. A
// second submission of the same run submits only what is missing, and refuses while jobs of an
// earlier one are still queued or running (two tasks of one part would write the same chunks).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TomosegError, badInput } from '../../shared/errors';
import { listParts } from '../volume/zarr/incomplete';
import { type RunRecord, type RunState, runState, writeAtomically } from './layout';
import { sha256 } from './prepare';
import { type BatchSettings, type ClusterRun, finishScript, predictScript, shellQuote } from './sbatch';
import { queued, sbatch, scancel } from './slurm';

export interface SubmitRequest extends ClusterRun {
  /** Parts of the run, one array task each. */
  tasks: number;
  force: boolean;
  dryRun: boolean;
  /** Creates the output for `tasks` parts (predict --prepare). */
  prepare: () => Promise<void>;
  /** Prints a line for the user. */
  print: (line: string) => void;
  env?: NodeJS.ProcessEnv | undefined;
}

/** The folder beside the output with the batch scripts, the jobs' logs and the submitted job ids. */
export const jobsFolder = (out: string): string => `${resolve(out)}.slurm`;

interface Submission {
  at: string;
  array?: string;
  finish: string;
  parts: number[];
}

export async function submit(request: SubmitRequest): Promise<void> {
  const say = (...lines: string[]): void => lines.forEach((line) => request.print(line));
  const out = resolve(request.out);
  if (!/\.zarr$/i.test(out)) throw badInput('a segmentation written in parts is an OME-Zarr: name it *.zarr');
  const state = await runState(out);
  if (state.state === 'complete' && !request.force) {
    say(`${request.out} is complete: nothing to submit (use --force to segment it again)`);
    return;
  }
  if (state.state === 'incomplete' && !request.force) await checkSameRun(state, request);
  const resumed = state.state === 'incomplete' && !request.force ? state : undefined;
  const fresh = resumed === undefined;
  const parts = resumed?.parts ?? request.tasks;
  const missing = resumed?.missing ?? range(parts);
  const folder = jobsFolder(out);
  const settings: BatchSettings = {
    tomoseg: request.tomoseg,
    image: resolve(request.image),
    dataset: request.dataset,
    model: resolve(request.model),
    out,
    probabilities: request.probabilities && resolve(request.probabilities),
    smooth: request.smooth,
    parts,
    run: missing,
    cpus: request.cpus,
    partition: request.partition,
    time: request.time,
    mem: request.mem,
    extra: request.extra,
    logs: join(folder, 'logs'),
    name: `tomoseg-${out
      .split(/[/\\]/)
      .at(-1)!
      .replace(/\.zarr$/i, '')}`,
  };
  const scripts = { predict: join(folder, 'predict.sbatch'), finish: join(folder, 'finish.sbatch') };
  const finishOptions = (after: string | undefined): string[] =>
    after ? [`--dependency=afterok:${after}`, '--kill-on-invalid-dep=yes'] : [];
  if (request.dryRun) {
    if (fresh && state.state !== 'absent') say(`# --force: ${request.out} would be prepared again from scratch`);
    if (fresh) say(`# first: ${request.tomoseg.map(shellQuote).join(' ')} predict … --prepare ${parts}`);
    if (missing.length > 0) say(`# ${scripts.predict}`, predictScript(settings));
    say(`# ${scripts.finish}`, finishScript(settings));
    say(
      '# submitted with:',
      ...(missing.length > 0 ? [`sbatch --parsable ${scripts.predict}   # → ARRAY_ID`] : []),
      `sbatch --parsable ${[...finishOptions(missing.length > 0 ? 'ARRAY_ID' : undefined), scripts.finish].join(' ')}`,
    );
    return;
  }
  await refuseRunning(folder, request.env, say);
  if (fresh) await request.prepare();
  await mkdir(join(folder, 'logs'), { recursive: true });
  let array: string | undefined;
  if (missing.length > 0) {
    await writeFile(scripts.predict, predictScript(settings), { mode: 0o755 });
    array = await sbatch(scripts.predict, [], request.env);
    say(
      `submitted job array ${array}: part${missing.length > 1 ? 's' : ''} ${listParts(missing)} of ${parts}, ${request.cpus} CPU${request.cpus > 1 ? 's' : ''} each`,
    );
  } else say(`all ${parts} parts are done`);
  await writeFile(scripts.finish, finishScript(settings), { mode: 0o755 });
  const finish = await sbatch(scripts.finish, finishOptions(array), request.env);
  say(`submitted job ${finish}: completes ${request.out}${array ? ` once job ${array} has succeeded` : ''}`);
  await record(folder, { at: new Date().toISOString(), ...(array ? { array } : {}), finish, parts: missing });
  say(
    `scripts and logs: ${folder}`,
    `follow it with: squeue -j ${[array, finish].filter(Boolean).join(',')}; tomoseg cluster status ${request.out}`,
  );
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** A resubmission must be of the same run: same image, model, parts and outputs. */
async function checkSameRun(state: Extract<RunState, { state: 'incomplete' }>, request: SubmitRequest): Promise<void> {
  const run: RunRecord = state.run;
  const problems: string[] = [];
  if (run.image !== resolve(request.image)) problems.push(`image ${run.image}`);
  if ((run.dataset ?? '') !== (request.dataset ?? '')) problems.push(`dataset ${run.dataset ?? 'none'}`);
  if (run.model !== resolve(request.model) || run.modelSha256 !== (await sha256(request.model)))
    problems.push(`model ${run.model} (as it was then)`);
  if (run.smooth !== request.smooth) problems.push(run.smooth ? '--smooth' : '--no-smooth');
  if ((run.probabilities ?? '') !== (request.probabilities ? resolve(request.probabilities) : ''))
    problems.push(`probabilities ${run.probabilities ?? 'none'}`);
  if (state.parts !== request.tasks) problems.push(`${state.parts} tasks`);
  if (problems.length > 0)
    throw new TomosegError(
      'conflict',
      `${request.out} is being written by another run (${problems.join(', ')}): submit with the same flags to run its missing parts, or --force to start again`,
    );
}

/** Refuses while jobs of the last submission are queued or running; cancels finishing jobs whose parts failed. */
async function refuseRunning(
  folder: string,
  env: NodeJS.ProcessEnv | undefined,
  say: (...lines: string[]) => void,
): Promise<void> {
  const last = (await submissions(folder)).at(-1);
  if (!last) return;
  const jobs = await queued(
    [last.array, last.finish].filter((id): id is string => id !== undefined),
    env,
  );
  const stale = jobs.filter((j) => /DependencyNeverSatisfied/i.test(j.reason));
  if (stale.length > 0) {
    await scancel(
      stale.map((j) => j.id),
      env,
    );
    say(`cancelled job ${stale.map((j) => j.id).join(', ')}: it waited for parts that failed`);
  }
  const alive = jobs.filter((j) => !stale.includes(j));
  if (alive.length > 0)
    throw new TomosegError(
      'conflict',
      `jobs of the last submission are still ${alive.map((j) => `${j.id} ${j.state.toLowerCase()}`).join(', ')}: wait for them, or scancel them, then submit again`,
    );
}

async function submissions(folder: string): Promise<Submission[]> {
  try {
    return (JSON.parse(await readFile(join(folder, 'jobs.json'), 'utf8')) as { submissions: Submission[] }).submissions;
  } catch {
    return [];
  }
}

async function record(folder: string, submission: Submission): Promise<void> {
  const all = [...(await submissions(folder)), submission];
  await writeAtomically(join(folder, 'jobs.json'), `${JSON.stringify({ submissions: all }, null, 2)}\n`);
}
