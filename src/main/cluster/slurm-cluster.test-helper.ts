// A real single-node SLURM cluster for the tests, in a temporary folder: munge (started only where
// none answers), slurmctld and slurmd as root with their state, spool, logs and pid files in the
// folder, on free ports, so nothing of the machine's own configuration is used or changed.
// Debian's `slurm-wlm` and `munge` packages (scripts/setup-tests.mjs installs them).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SlurmCluster {
  /** The environment for sbatch, squeue and every process that submits: SLURM_CONF points at the cluster. */
  env: NodeJS.ProcessEnv;
  /** CPUs of the node. */
  cpus: number;
  stop(): Promise<void>;
}

/** A program on the PATH or in the sbin folders, where daemons live. */
function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => p && existsSync(p));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function munge(): Promise<{ started?: string }> {
  const answers = (): boolean => {
    try {
      execFileSync('sh', ['-c', 'munge -n | unmunge'], { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  };
  if (answers()) return {};
  const munged = which('munged');
  if (!munged) throw new Error('munged is not installed (Debian package munge)');
  await mkdir('/run/munge', { recursive: true });
  execFileSync('chown', ['munge:munge', '/run/munge']);
  // munged runs as the munge user when started as root with --force (no systemd here).
  execFileSync(munged, ['--force'], { stdio: 'pipe' });
  for (let i = 0; i < 50 && !answers(); i++) await sleep(100);
  if (!answers()) throw new Error('munged started but does not answer (munge -n | unmunge)');
  return { started: '/run/munge/munged.pid' };
}

async function pidOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the daemon whose pid is in `file` (TERM, then KILL after 10 s). */
async function stopDaemon(file: string): Promise<void> {
  const pid = await pidOf(file);
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Starts a one-node cluster in `folder` (partition `main`), waits until its node is idle. Throws
 * with the reason where it cannot: not root, packages missing, a daemon that does not come up.
 */
export async function startSlurm(folder: string): Promise<SlurmCluster> {
  if (process.getuid?.() !== 0) throw new Error('the daemons of a test cluster run as root, and this is not root');
  for (const program of ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'munge'])
    if (!which(program)) throw new Error(`${program} is not installed (Debian packages slurm-wlm and munge)`);
  const { started } = await munge();
  const node = hostname().split('.')[0]!;
  const cpus = Math.min(availableParallelism(), 4);
  const memory = Math.min(20_000, Math.floor((totalmem() / 2 ** 20) * 0.5));
  // Ports of their own, so another test cluster on the machine does not answer.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  for (const sub of ['state', 'spool', 'log']) await mkdir(join(folder, sub), { recursive: true });
  const conf = join(folder, 'slurm.conf');
  const pids = { controller: join(folder, 'slurmctld.pid'), node: join(folder, 'slurmd.pid') };
  await writeFile(
    conf,
    [
      `ClusterName=tomoseg${port}`,
      `SlurmctldHost=${node}`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      'AuthType=auth/munge',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'MpiDefault=none',
      'SlurmUser=root',
      'SlurmdUser=root',
      'ReturnToService=2',
      // A cancelled task gets SIGKILL 2 s after SIGTERM; finished jobs are forgotten soon.
      'KillWait=2',
      'MinJobAge=30',
      'SchedulerParameters=sched_interval=1',
      `SlurmctldPidFile=${pids.controller}`,
      `SlurmdPidFile=${pids.node}`,
      `SlurmdSpoolDir=${join(folder, 'spool')}`,
      `StateSaveLocation=${join(folder, 'state')}`,
      `SlurmctldLogFile=${join(folder, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(folder, 'log', 'slurmd.log')}`,
      `NodeName=${node} CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`,
      'PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const stop = async (): Promise<void> => {
    await stopDaemon(pids.node);
    await stopDaemon(pids.controller);
    if (started) await stopDaemon(started);
  };
  try {
    await run(which('slurmctld')!, [], { env });
    await run(which('slurmd')!, [], { env });
    let state = '';
    for (let i = 0; i < 300; i++) {
      state = (await run('sinfo', ['--noheader', '--format=%t'], { env }).catch(() => ({ stdout: '' }))).stdout.trim();
      if (state === 'idle') return { env, cpus, stop };
      await sleep(100);
    }
    const logs = await readFile(join(folder, 'log', 'slurmctld.log'), 'utf8').catch(() => '');
    throw new Error(
      `the node is '${state || 'unknown'}', not idle, 30 s after start; slurmctld.log ends:\n${logs.slice(-1500)}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until none of `ids` (jobs or array tasks) is queued or running any more. */
export async function waitForJobs(ids: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const { stdout } = await run('squeue', ['--noheader', '--array', `--jobs=${ids.join(',')}`, '--format=%i %T'], {
      env,
    }).catch(() => ({ stdout: '' }));
    const active = stdout
      .trim()
      .split('\n')
      .filter((line) => line && !/\b(COMPLETED|CANCELLED|FAILED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL)\b/.test(line));
    if (active.length === 0) return;
    await sleep(250);
  }
  throw new Error(`jobs ${ids.join(', ')} still queued or running after ${timeoutMs / 1000} s`);
}
