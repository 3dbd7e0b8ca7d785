// The app as a user meets it, in Chromium (web mode, software WebGL): runs the e2e workflow on the
// bundled sample (e2e/segmentation.spec.ts: paint, train, live retraining, segment-all while
// scrolling, export) and prints what it measured: mouse-up to updated prediction overlay (target
// about 1 s) and the frame time of slice scrolling, idle and during segment-all (target 60 fps).
// Needs the built app (`npm run build`) and Chromium, as the e2e tests do.
//   node --import tsx scripts/bench/app.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
if (!existsSync(join(root, 'out/renderer/index.html'))) {
  console.error('the app is not built: run `npm run build` first');
  process.exit(2);
}
const before = loadavg()[0]!;
const run = spawnSync(
  'npx',
  ['playwright', 'test', 'e2e/segmentation.spec.ts', '--reporter=line', '--output', join(root, 'e2e/artifacts/bench')],
  { cwd: root, encoding: 'utf8' },
);
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
