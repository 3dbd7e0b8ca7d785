// The SLURM commands a submission uses (sbatch, squeue, scancel), run as child processes with the
// caller's environment (SLURM_CONF and the like pass through), their failures told in words.
import { execFile } from 'node:child_process';
import { TomosegError } from '../../shared/errors';

/** Runs a SLURM command; its stdout, or an error quoting its stderr. */
export function slurm(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT')
        return reject(
          new TomosegError(
            'not-found',
            `${command} not found: run this on a SLURM login node (or use --dry-run to print the scripts)`,
          ),
        );
      const reason = stderr.trim().split('\n').at(-1) || error.message;
      reject(new TomosegError('bad-input', `${command} ${args.join(' ')} failed: ${reason}`));
    });
  });
}

/** Submits a batch script (given as a file); the job id. */
export async function sbatch(script: string, options: string[] = [], env?: NodeJS.ProcessEnv): Promise<string> {
  const out = await slurm('sbatch', ['--parsable', ...options, script], env);
  // --parsable prints "jobid" or "jobid;cluster".
  const id = out.trim().split('\n').at(-1)?.split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new TomosegError('internal', `sbatch printed no job id: ${out.trim()}`);
  return id;
}

export interface QueuedJob {
  /** e.g. 123_4 for a task of an array, 125 for a job. */
  id: string;
  state: string;
  reason: string;
}

/** The jobs (and array tasks) among `ids` that are still queued or running. */
export async function queued(ids: string[], env?: NodeJS.ProcessEnv): Promise<QueuedJob[]> {
  if (ids.length === 0) return [];
  let out: string;
  try {
    out = await slurm('squeue', ['--noheader', '--array', `--jobs=${ids.join(',')}`, '--format=%i|%T|%r'], env);
  } catch (error) {
    // squeue refuses a list of job ids it has all forgotten: none of them is queued.
    if (/Invalid job id/i.test((error as Error).message)) return [];
    throw error;
  }
  // Given job ids, squeue also lists the ones that have ended, for a while.
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', state = '', reason = ''] = line.split('|');
      return { id, state, reason };
    })
    .filter((job) => !ENDED.has(job.state));
}

const ENDED = new Set([
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'TIMEOUT',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
  'SPECIAL_EXIT',
]);

export async function scancel(ids: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  if (ids.length > 0) await slurm('scancel', ids, env);
}
