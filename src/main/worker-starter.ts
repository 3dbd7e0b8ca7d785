// Where a worker's code is: built, electron-vite emits each worker as an entry in out/main (listed
// in electron.vite.config.ts); from TypeScript sources (vitest, tsx) it is the .ts file itself,
// started by a one-line bootstrap that registers tsx's loader first (Node 20 ignores `--import tsx`
// for a worker's .ts entry, but not for what the entry imports).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts workers of `source` (a path relative to `caller`, the caller's import.meta.url) when
 * running from TypeScript, else of the built entry `bundled` (e.g. engine-worker.js).
 */
export function workerStarter(caller: string, source: string, bundled: string): (options?: WorkerOptions) => Worker {
  if (caller.endsWith('.ts')) {
    // tsx's ESM API, found through its package.json (a bare specifier would resolve from the cwd)
    const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
    const api = (
      JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
    ).exports['./esm/api']!.import.default;
    const tsx = pathToFileURL(join(dirname(manifest), api)).href;
    const entry = new URL(source, caller).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    return (options) => new Worker(bootstrap, { ...options, eval: true });
  }
  // bundled: this code sits in out/main or in a chunk folder below it
  for (const candidate of [`./${bundled}`, `../${bundled}`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (options) => new Worker(url, options);
  }
  throw new Error(`${bundled} not found beside ${fileURLToPath(import.meta.url)}: rebuild with electron-vite`);
}
