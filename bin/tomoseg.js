#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js, made by `npm run build`, which `npm install` runs through
// the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('tomoseg: the CLI is not built yet: run `npm run build` in the Tomoseg folder\n');
  process.exit(1);
}
await import(cli.href);
