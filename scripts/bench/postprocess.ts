// Post-processing figures: each step on one class of a fibres-and-pores phantom's truth (edge³,
// 256 by default), held in memory and stored as a temporary OME-Zarr (as results beyond 512 Mi
// voxels are), with the time per step, its throughput and the peak RSS growth. No target: the
// figures show a step costs seconds where segment-all of the same volume costs minutes.
//   npx tsx scripts/bench/postprocess.ts [--edge 256]
import type { PostprocessStep } from '../../src/shared/postprocess';
import type { Vec3 } from '../../src/shared/volume';
import { MemoryVolume } from '../../src/main/engine';
import { makePhantom } from '../../src/main/phantoms';
import { postprocess } from '../../src/main/postprocess/postprocess';

const at = process.argv.indexOf('--edge');
const edge = at >= 0 ? Number(process.argv[at + 1]) : 256;
const shape: Vec3 = [edge, edge, edge];
const { truth } = await makePhantom('fibres-pores', shape, 1);
const labels = new MemoryVolume(truth, shape, 'fibres-pores truth');
const FIBRE = 2;
const steps: PostprocessStep[] = [
  { op: 'fill-holes', classValue: FIBRE },
  { op: 'remove-small', classValue: FIBRE, minVoxels: 100 },
  { op: 'keep-largest', classValue: FIBRE },
  { op: 'open', classValue: FIBRE, radius: 1 },
  { op: 'close', classValue: FIBRE, radius: 2 },
];

for (const [place, memoryLimit] of [
  ['memory', undefined],
  ['OME-Zarr', 0],
] as const)
  for (const step of steps) {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    const result = await postprocess(labels, [step], { place: { memoryLimit } });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    let changed = 0;
    for (let z = 0; z < edge; z++) {
      const slice = await result.volume.read({ start: [z, 0, 0], shape: [1, edge, edge] });
      for (let i = 0; i < slice.length; i++) if (slice[i] !== truth[z * edge * edge + i]) changed++;
    }
    await result.dispose();
    console.log(
      `${place.padEnd(9)} ${JSON.stringify(step).padEnd(62)} ${seconds.toFixed(2).padStart(6)} s  ` +
        `${(edge ** 3 / seconds / 1e6).toFixed(1).padStart(5)} Mvoxel/s  RSS +${((peak - before) / 1024 ** 2).toFixed(0)} MiB  ` +
        `${changed} voxels changed`,
    );
  }
