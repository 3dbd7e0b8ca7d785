#!/usr/bin/env node
// `npm run bench [name…]`: runs the benchmark scripts in scripts/bench one after another; each
// prints its own figures and ratios against its targets. Names pick a subset (volume, engine…);
// arguments after `--` go to every script.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, 'bench');
const separator = process.argv.indexOf('--');
const names = (separator < 0 ? process.argv.slice(2) : process.argv.slice(2, separator)).filter(Boolean);
const extra = separator < 0 ? [] : process.argv.slice(separator + 1);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const chosen = names.length ? names : available;
const unknown = chosen.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`), ...extra], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
