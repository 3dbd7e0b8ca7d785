// For real: a single-node SLURM cluster on this machine (slurm-cluster.test-helper.ts) runs
// `tomoseg cluster submit` as a 4-task job array on a 128 × 256 × 256 phantom stored as a
// deflate-compressed TIFF of 16-row strips; the result is the files of a single-process `predict`,
// byte for byte. Then one task is killed while it writes its chunks: its part stays missing, the
// output refuses to open, and a second submission runs only that part, with the same result.
//
// Where SLURM cannot start (not root, packages missing), the test is skipped saying why; in CI
// (CI=true) it fails instead, since `.ci/run` installs everything it needs.
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { cliOutput } from '../testing/cli';
import { makePhantom } from '../phantoms';
import { python } from '../volume/testing/python';
import { compareOutputs, trainSmallModel } from './cluster.test-helper';
import { partTiles } from './parts';
import { type SlurmCluster, startSlurm, waitForJobs } from './slurm-cluster.test-helper';

const exec = promisify(execFile);
const entry = new URL('../cli/main.ts', import.meta.url).pathname;
const repository = new URL('../../../', import.meta.url).pathname;
const SHAPE: Vec3 = [128, 256, 256];

let dir: string;
let cluster: SlurmCluster | undefined;
let unavailable: string | undefined;

/**
 * `tomoseg cluster submit` as its own process (from the sources, through tsx), with the cluster's
 * environment: the jobs run the command that started it.
 */
async function tomoseg(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: repository,
      env: cluster?.env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The other commands in this process (they run no SLURM command). */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await cliOutput(...args);
  return { code, stdout: out, stderr: err };
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The job ids `cluster submit` printed: the array (where it submitted one), then the finishing job. */
function jobIds(stdout: string): { array?: string; finish: string } {
  const array = /submitted job array (\d+)/.exec(stdout)?.[1];
  const finish = /submitted job (\d+): completes/.exec(stdout)?.[1];
  if (!finish) throw new Error(`no job ids in:\n${stdout}`);
  return { ...(array ? { array } : {}), finish };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tomoseg-slurm-'));
  try {
    cluster = await startSlurm(join(dir, 'slurm'));
  } catch (error) {
    unavailable = (error as Error).message;
    if (process.env.CI === 'true')
      throw new Error(`SLURM must run in CI for this test, and it cannot start here: ${unavailable}`);
    return;
  }
  const phantom = await makePhantom('binary', SHAPE, 3);
  const raw = join(dir, 'img.raw');
  await writeFile(raw, phantom.image);
  python(
    `import sys, numpy, tifffile
a = numpy.fromfile(sys.argv[1], '<u2').reshape(${SHAPE.join(', ')})
tifffile.imwrite(sys.argv[2], a, rowsperstrip=16, compression='zlib', metadata={'axes': 'ZYX'})`,
    raw,
    join(dir, 'img.tif'),
  );
  await rm(raw);
  await trainSmallModel(phantom.image, phantom.truth, SHAPE, join(dir, 'm.json'));
  const single = await inProcess(
    'predict',
    '--image',
    join(dir, 'img.tif'),
    '--model',
    join(dir, 'm.json'),
    '--out',
    join(dir, 'one.zarr'),
    '--threads',
    '2',
  );
  if (single.code !== 0) throw new Error(single.stderr);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tomoseg cluster on a real SLURM', { timeout: 600_000 }, () => {
  const submit = (out: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    tomoseg(
      'cluster',
      'submit',
      '--image',
      join(dir, 'img.tif'),
      '--model',
      join(dir, 'm.json'),
      '--out',
      join(dir, out),
      '--tasks',
      '4',
      '--cpus',
      '1',
      '--time',
      '10:00',
    );

  it('segments as a 4-task job array, exactly as a single process; resubmitted after a task is killed, runs only its part', async (context) => {
    if (!cluster) {
      console.warn(`skipped: SLURM cannot start here: ${unavailable}`);
      context.skip();
      return;
    }
    const env = cluster.env;

    const first = await submit('seg.zarr');
    expect(first.code, first.stderr).toBe(0);
    const jobs = jobIds(first.stdout);
    expect(first.stdout).toMatch(/parts 1-4 of 4, 1 CPU each/);
    await waitForJobs([jobs.array!, jobs.finish], env, 240_000);
    const status = await inProcess('cluster', 'status', join(dir, 'seg.zarr'));
    expect(status.stdout, await logs()).toMatch(/seg\.zarr: complete/);
    expect(await compareOutputs(join(dir, 'one.zarr'), join(dir, 'seg.zarr'))).toEqual([]);

    // killed while it writes: task 4 once its first chunk is on disk
    const killed = 4;
    const [firstTile] = partTiles(SHAPE, [64, 64, 64], killed, 4);
    const chunk = join(dir, 'killed.zarr', '0', 'c', ...firstTile!.start.map((s) => String(s / 64)));
    const second = await submit('killed.zarr');
    expect(second.code, second.stderr).toBe(0);
    const ids = jobIds(second.stdout);
    const end = Date.now() + 240_000;
    while (!(await exists(chunk)) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(await exists(chunk), `task ${killed} stored no chunk:\n${await logs()}`).toBe(true);
    await exec('scancel', ['--signal=KILL', '--full', `${ids.array}_${killed}`], { env });
    await waitForJobs([ids.array!, ids.finish], env, 240_000);
    const marker = join(dir, 'killed.zarr', '.tomoseg-parts', `part-${killed}-of-4.done`);
    expect(await exists(marker), 'the task finished before it was killed: the test could not kill it mid-write').toBe(
      false,
    );
    const broken = await inProcess('cluster', 'status', join(dir, 'killed.zarr'));
    expect(broken.stdout).toMatch(/incomplete, 3 of 4 parts done\n\s+done\s+1-3\n\s+missing\s+4\n/);
    const refused = await inProcess('info', join(dir, 'killed.zarr'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/killed\.zarr: is incomplete: part 4 of 4 is not done/);

    const resubmitted = await submit('killed.zarr');
    expect(resubmitted.code, resubmitted.stderr).toBe(0);
    expect(resubmitted.stdout).toMatch(/submitted job array \d+: part 4 of 4, 1 CPU each/);
    expect(await readFile(join(dir, 'killed.zarr.slurm', 'predict.sbatch'), 'utf8')).toContain('#SBATCH --array=4\n');
    const rerun = jobIds(resubmitted.stdout);
    await waitForJobs([rerun.array!, rerun.finish], env, 240_000);
    // only part 4 ran in the second array: one log, of task 4
    const logNames = await readdir(join(dir, 'killed.zarr.slurm', 'logs'));
    expect(logNames.filter((n) => n.includes(`-job-${rerun.array}.`))).toEqual([`part-4-job-${rerun.array}.log`]);
    expect((await inProcess('cluster', 'status', join(dir, 'killed.zarr'))).stdout, await logs()).toMatch(
      /killed\.zarr: complete/,
    );
    expect(await compareOutputs(join(dir, 'one.zarr'), join(dir, 'killed.zarr'))).toEqual([]);
  });
});

/** The jobs' logs, for a failure message. */
async function logs(): Promise<string> {
  const texts: string[] = [];
  for (const out of ['seg.zarr', 'killed.zarr']) {
    const folder = join(dir, `${out}.slurm`, 'logs');
    for (const name of await readdir(folder).catch(() => [] as string[]))
      texts.push(`== ${name}\n${(await readFile(join(folder, name), 'utf8')).slice(-800)}`);
  }
  return texts.join('\n');
}
