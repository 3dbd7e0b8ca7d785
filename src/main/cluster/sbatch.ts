// The two batch scripts of a cluster run, as text a person can read and submit by hand: a job
// array whose task i runs `tomoseg predict --part i/N`, and the finishing job, submitted to start
// after every task of the array has succeeded. Pure: `tomoseg cluster submit` writes and submits
// them, `--dry-run` prints them.
import { listParts } from '../volume/zarr/incomplete';

/** What a cluster run predicts, and what each of its tasks asks of SLURM. */
export interface ClusterRun {
  /** The command that runs this same Tomoseg (node and its arguments, then the CLI's path). */
  tomoseg: string[];
  image: string;
  dataset?: string | undefined;
  model: string;
  out: string;
  probabilities?: string | undefined;
  smooth: boolean;
  /** CPUs per task. */
  cpus: number;
  partition?: string | undefined;
  time?: string | undefined;
  mem?: string | undefined;
  /** More sbatch options, each as one argument (e.g. --account=abc). */
  extra: string[];
}

/** A run's two scripts: its paths absolute, its parts and which of them to run. */
export interface BatchSettings extends ClusterRun {
  parts: number;
  /** The parts to run (1-based): all of them, or the ones still missing. */
  run: number[];
  /** Folder for the jobs' log files. */
  logs: string;
  /** Job name, shown by squeue. */
  name: string;
}

/** Quotes an argument for bash where it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The parts as an sbatch --array list: 1-4, or 2,5-7. */
export const arraySpec = (parts: number[]): string => listParts(parts).replace(/ /g, '');

function directives(settings: BatchSettings, name: string, log: string): string[] {
  const lines = [`#SBATCH --job-name=${shellQuote(name)}`, `#SBATCH --output=${shellQuote(log)}`];
  lines.push(`#SBATCH --cpus-per-task=${settings.cpus}`, '#SBATCH --ntasks=1');
  if (settings.partition) lines.push(`#SBATCH --partition=${shellQuote(settings.partition)}`);
  if (settings.time) lines.push(`#SBATCH --time=${shellQuote(settings.time)}`);
  if (settings.mem) lines.push(`#SBATCH --mem=${shellQuote(settings.mem)}`);
  for (const arg of settings.extra) lines.push(`#SBATCH ${shellQuote(arg)}`);
  return lines;
}

type Arg = string | { raw: string };

/**
 * A command over several lines: the program (node, its options, the CLI, the subcommand) on the
 * first, then one option with its value per line. `{ raw }` is written as it is (a job variable).
 */
function command(program: string[], options: Arg[][] = []): string {
  const text = (a: Arg): string => (typeof a === 'string' ? shellQuote(a) : a.raw);
  return [program.map(text).join(' '), ...options.map((o) => o.map(text).join(' '))].join(' \\\n  ');
}

/** The job array: task i predicts part i of N. */
export function predictScript(settings: BatchSettings): string {
  const { parts } = settings;
  const options: Arg[][] = [['--image', settings.image]];
  if (settings.dataset) options.push(['--dataset', settings.dataset]);
  options.push(['--model', settings.model], ['--out', settings.out]);
  if (settings.probabilities) options.push(['--probabilities', settings.probabilities]);
  options.push([settings.smooth ? '--smooth' : '--no-smooth']); // as prepared, whatever the model chose
  options.push(
    ['--part', { raw: `"\${SLURM_ARRAY_TASK_ID}/${parts}"` }],
    ['--threads', { raw: '"${SLURM_CPUS_PER_TASK:-1}"' }],
  );
  return [
    '#!/bin/bash',
    `# Tomoseg: segments ${settings.image} with ${settings.model} into ${settings.out},`,
    `# as ${parts} parts (SLURM array task i runs part i of ${parts}; this submission runs ${settings.run.length === parts ? 'all of them' : `part${settings.run.length > 1 ? 's' : ''} ${listParts(settings.run)}`}).`,
    '# Each part stores whole output chunks no other part writes, and marks itself done last.',
    `# Which parts are done: tomoseg cluster status ${settings.out}`,
    ...directives(settings, settings.name, `${settings.logs}/part-%a-job-%A.log`),
    `#SBATCH --array=${arraySpec(settings.run)}`,
    'set -euo pipefail',
    `exec ${command([...settings.tomoseg, 'predict'], options)}`,
    '',
  ].join('\n');
}

/** The finishing job: builds the pyramid and marks the output complete (submitted with afterok on the array). */
export function finishScript(settings: BatchSettings): string {
  return [
    '#!/bin/bash',
    `# Tomoseg: completes ${settings.out} once all ${settings.parts} parts are done`,
    '# (submitted with --dependency=afterok on the job array): builds the pyramid levels from the',
    "# parts' chunks, then marks the output complete, so that it opens.",
    ...directives(
      { ...settings, cpus: Math.min(settings.cpus, 4) },
      `${settings.name}-finish`,
      `${settings.logs}/finish-job-%j.log`,
    ),
    'set -euo pipefail',
    `exec ${command([...settings.tomoseg, 'cluster', 'finish', settings.out])}`,
    '',
  ].join('\n');
}
