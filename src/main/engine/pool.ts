// A pool of worker threads running predictBlock. Workers are interchangeable and stateless: a
// crash fails only the block it was working on, and `close` (on cancel) simply terminates them.
//
// Where the worker code is: built, electron-vite emits it as out/main/engine-worker.js (an entry in
// electron.vite.config.ts); from TypeScript sources (vitest, tsx) it is ./worker.ts next to this
// file, started by a one-line bootstrap that registers tsx's loader first (Node 20 ignores
// `--import tsx` for a worker's .ts entry, but not for what the entry imports).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { cancelled, deserializeError } from '../../shared/errors';
import type { BlockReply, BlockRequest } from './block-predict';

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

interface Pending {
  request: BlockRequest;
  resolve: (reply: Extract<BlockReply, { labels: Uint8Array }>) => void;
  reject: (error: Error) => void;
}

export class BlockPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly start = workerStarter(import.meta.url, './worker.ts', 'engine-worker.js');
  private closed = false;
  private nextId = 0;

  constructor(private readonly size: number) {}

  run(request: Omit<BlockRequest, 'id'>): Promise<Extract<BlockReply, { labels: Uint8Array }>> {
    if (this.closed) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running blocks fail as cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of [...this.queue, ...this.busy.values()]) pending.reject(cancelled());
    this.queue.length = 0;
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.size)) {
      const worker = this.idle.pop() ?? this.spawn();
      const pending = this.queue.shift()!;
      this.busy.set(worker, pending);
      worker.postMessage(pending.request, [pending.request.input.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Worker {
    const worker = this.start();
    worker.on('message', (reply: BlockReply) => {
      const pending = this.busy.get(worker);
      if (!pending) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      if (reply.error) pending.reject(deserializeError(reply.error));
      else pending.resolve(reply);
      this.dispatch();
    });
    worker.on('error', (error) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      pending?.reject(error);
      if (!this.closed) this.dispatch();
    });
    return worker;
  }
}
