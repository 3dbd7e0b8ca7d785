// A segmentation split into parts (`tomoseg predict --part i/N`, issue 21) against one process:
// a phantom tomogram (TIFF) and a model with the default four scales, predicted by
//   - one process, `predict --threads 1` and `--threads 2` (the baseline);
//   - 1 and 2 parts of one thread each, as plain processes at once (what SLURM runs), plus the
//     finishing step (pyramid, mark complete);
//   - the same through a real single-node SLURM (`tomoseg cluster submit`, 1 CPU per task), where
//     one can be started here (root, Debian's slurm-wlm and munge): scheduling included.
// Figures: wall time, throughput (Mvoxel/s), ratio to the single process with 2 threads (target:
// the 2-part run within 10 %, i.e. the split costs nothing), the overhead of a task (start-up,
// model load, opening the image: a part that is already done), and peak RSS per process.
//   npx tsx scripts/bench/cluster.ts [--shape 128,256,256] [--no-slurm]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3 } from '../../src/shared/volume';
import { compareOutputs, phantomAndModel } from '../../src/main/cluster/cluster.test-helper';
import { type SlurmCluster, startSlurm, waitForJobs } from '../../src/main/cluster/slurm-cluster.test-helper';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const shape = arg('shape', '128,256,256').split(',').map(Number) as Vec3;
const useSlurm = !process.argv.includes('--no-slurm');
const voxels = shape[0] * shape[1] * shape[2];

const entry = new URL('../../src/main/cli/main.ts', import.meta.url).pathname;
const repository = new URL('../../', import.meta.url).pathname;
/** Every Tomoseg process prints its peak RSS on exit (kept in the batch scripts too: `--import` options travel). */
const RSS_HOOK =
  "data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>writeSync(2,'\\nPEAK_RSS_KB '+process.resourceUsage().maxRSS+'\\n'))";
const NODE = [process.execPath, '--import', 'tsx', '--import', RSS_HOOK, entry];

interface Run {
  seconds: number;
  /** Peak RSS of each process, MiB. */
  rss: number[];
}

const peakRss = (text: string): number[] =>
  [...text.matchAll(/PEAK_RSS_KB (\d+)/g)].map((m) => Number(m[1]) / 1024).filter((n) => n > 0);

/** Runs tomoseg; its output and peak RSS. */
function tomoseg(args: string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; rss: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE[0]!, [...NODE.slice(1), ...args], { cwd: repository, env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve({ stdout, stderr, rss: peakRss(stderr) })
        : reject(new Error(`tomoseg ${args.join(' ')} failed (${code}):\n${stderr.slice(-2000)}`)),
    );
  });
}

async function timed(work: () => Promise<number[]>): Promise<Run> {
  const start = performance.now();
  const rss = await work();
  return { seconds: (performance.now() - start) / 1000, rss };
}

const dir = await mkdtemp(join(tmpdir(), 'tomoseg-bench-cluster-'));
let cluster: SlurmCluster | undefined;
try {
  const image = join(dir, 'img.tif');
  const model = join(dir, 'm.json');
  console.log(`phantom ${shape.join('×')} (${(voxels / 1e6).toFixed(1)} Mvoxel), model with scales 1, 1.6, 3.5, 5`);
  await phantomAndModel(shape, image, model, [1, 1.6, 3.5, 5]);
  const common = ['--image', image, '--model', model];

  const single = async (threads: number): Promise<Run> =>
    timed(
      async () =>
        (await tomoseg(['predict', ...common, '--out', join(dir, `one-${threads}.zarr`), '--threads', String(threads)]))
          .rss,
    );

  /** `parts` processes of one thread at once, then the finishing step. */
  const inParts = async (parts: number): Promise<Run & { finish: number; overhead: number }> => {
    const out = join(dir, `parts-${parts}.zarr`);
    await tomoseg(['predict', ...common, '--out', out, '--prepare', String(parts)]);
    const predicting = await timed(async () => {
      const results = await Promise.all(
        Array.from({ length: parts }, (_, i) =>
          tomoseg(['predict', ...common, '--out', out, '--part', `${i + 1}/${parts}`, '--threads', '1']),
        ),
      );
      return results.flatMap((r) => r.rss);
    });
    // A part already done: start-up, model load and opening the image, nothing predicted.
    const overhead = await timed(
      async () => (await tomoseg(['predict', ...common, '--out', out, '--part', `1/${parts}`])).rss,
    );
    const finish = await timed(async () => (await tomoseg(['cluster', 'finish', out])).rss);
    const problems = await compareOutputs(join(dir, 'one-2.zarr'), out);
    if (problems.length > 0) throw new Error(`${parts} parts differ from one process: ${problems.join('; ')}`);
    return {
      seconds: predicting.seconds + finish.seconds,
      rss: [...predicting.rss, ...finish.rss],
      finish: finish.seconds,
      overhead: overhead.seconds,
    };
  };

  /** Through SLURM: submit to complete. */
  const submitted = async (tasks: number, cpus: number): Promise<Run> => {
    const out = join(dir, `slurm-${tasks}.zarr`);
    return timed(async () => {
      const { stdout } = await tomoseg(
        ['cluster', 'submit', ...common, '--out', out, '--tasks', String(tasks), '--cpus', String(cpus)],
        cluster!.env,
      );
      const ids = [...stdout.matchAll(/submitted job (?:array )?(\d+)/g)].map((m) => m[1]!);
      await waitForJobs(ids, cluster!.env, 1_800_000);
      const logs = join(`${out}.slurm`, 'logs');
      const texts = await Promise.all((await readdir(logs)).map((n) => readFile(join(logs, n), 'utf8')));
      const problems = await compareOutputs(join(dir, 'one-2.zarr'), out);
      if (problems.length > 0)
        throw new Error(`SLURM ${tasks} tasks differ: ${problems.join('; ')}\n${texts.join('\n')}`);
      return texts.flatMap(peakRss);
    });
  };

  const rows: [string, Run, string][] = [];
  const one = await single(1);
  const two = await single(2);
  rows.push(['1 process, --threads 1', one, '']);
  rows.push(['1 process, --threads 2 (baseline)', two, '']);
  const p1 = await inParts(1);
  const p2 = await inParts(2);
  rows.push(['1 part × 1 thread + finish', p1, `finish ${p1.finish.toFixed(1)} s`]);
  rows.push(['2 parts × 1 thread + finish', p2, `finish ${p2.finish.toFixed(1)} s`]);
  if (useSlurm) {
    try {
      cluster = await startSlurm(join(dir, 'slurm'));
    } catch (error) {
      console.log(`SLURM not started here (${(error as Error).message}): its rows are left out`);
    }
    if (cluster) {
      rows.push(['SLURM: 1 task × 1 CPU', await submitted(1, 1), 'submit → complete']);
      rows.push(['SLURM: 2 tasks × 1 CPU', await submitted(2, 1), 'submit → complete']);
    }
  }

  console.log(
    '\nrun                                 wall s   Mvoxel/s   vs baseline   peak RSS per process (MiB)   note',
  );
  for (const [name, run, note] of rows) {
    const rss = run.rss.length ? `${Math.round(Math.max(...run.rss))} max of ${run.rss.length}` : '-';
    console.log(
      `${name.padEnd(36)}${run.seconds.toFixed(1).padStart(6)}   ${(voxels / 1e6 / run.seconds).toFixed(2).padStart(8)}   ${(two.seconds / run.seconds).toFixed(2).padStart(8)} ×   ${rss.padEnd(28)} ${note}`,
    );
  }
  console.log(
    `\noverhead of a task (start-up, model load, opening the image; nothing predicted): ${p1.overhead.toFixed(2)} s, ${p2.overhead.toFixed(2)} s`,
  );
  const ratio = p2.seconds / two.seconds;
  console.log(
    `2 parts vs 1 process --threads 2: ${ratio.toFixed(2)} × the time (target ≤ 1.10: ${ratio <= 1.1 ? 'met' : 'not met'})`,
  );
  console.log('every output above is identical, file for file, to the single process');
} finally {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
}
