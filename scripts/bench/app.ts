// The app as a user meets it, in Chromium (web mode, software WebGL): runs the e2e workflow on the
// bundled sample (e2e/segmentation.spec.ts: paint, train, live retraining, segment-all while
// scrolling, export) and slice scrolling during a segment-all of the sample tiled 2×2×2 (256³,
// e2e/scrolling.spec.ts: long enough to outlast the scrolling), and prints what they measured:
// mouse-up to updated prediction overlay (target about 1 s) and the frame time of slice scrolling,
// idle and during segment-all (target 60 fps).
// Needs the built app (`npm run build`) and Chromium, as the e2e tests do.
//   node --import tsx scripts/bench/app.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3 } from '../../src/shared/volume';
import { createVolume, openVolume } from '../../src/main/volume';

const root = join(import.meta.dirname, '../..');
if (!existsSync(join(root, 'out/renderer/index.html'))) {
  console.error('the app is not built: run `npm run build` first');
  process.exit(2);
}

/** The bundled sample repeated `times` along every axis, as a TIFF at `path`. */
async function tiledSample(path: string, times: number): Promise<void> {
  const sample = await openVolume(join(root, 'resources/sample/bone_128x128x128.tif'));
  const [nz, ny, nx] = sample.shape;
  const data = (await sample.read({ start: [0, 0, 0], shape: sample.shape })) as Uint8Array;
  await sample.close();
  const shape: Vec3 = [nz * times, ny * times, nx * times];
  const writer = await createVolume(path, { shape, dtype: 'uint8', kind: 'image' });
  const slab = new Uint8Array(nz * shape[1] * shape[2]);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++)
        slab[(z * shape[1] + y) * shape[2] + x] = data[(z * ny + (y % ny)) * nx + (x % nx)]!;
  for (let t = 0; t < times; t++) await writer.write({ start: [t * nz, 0, 0], shape: [nz, shape[1], shape[2]] }, slab);
  await writer.commit();
}

const folder = await mkdtemp(join(tmpdir(), 'tomoseg-bench-app-'));
const big = join(folder, 'bone_256.tif');
await tiledSample(big, 2);
const before = loadavg()[0]!;
const run = spawnSync(
  'npx',
  [
    'playwright',
    'test',
    'e2e/segmentation.spec.ts',
    'e2e/scrolling.spec.ts',
    '--reporter=line',
    '--output',
    join(root, 'e2e/artifacts/bench'),
  ],
  { cwd: root, encoding: 'utf8', env: { ...process.env, TOMOSEG_BENCH_VOLUME: big } },
);
await rm(folder, { recursive: true, force: true });
const figures = run.stdout
  .split('\n')
  .filter((line) => /^(live:|slice scrolling|prediction on|uncertainty on)/.test(line));
for (const line of figures) console.log(line);
console.log(
  `load average ${before.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (2 cores: above 2 the figures are pessimistic)`,
);
if (run.status !== 0 || figures.length === 0) {
  console.error(run.stdout.slice(-4000), run.stderr.slice(-2000));
  process.exit(1);
}
