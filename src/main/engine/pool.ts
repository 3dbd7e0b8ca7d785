// A pool of worker threads running predictBlock. Workers are interchangeable and stateless: a
// crash fails only the block it was working on, and cancelling a block simply terminates its
// worker (a new one starts for the next block).
import type { Worker } from 'node:worker_threads';
import { cancelled, deserializeError } from '../../shared/errors';
import type { BlockReply, BlockRequest } from './block-predict';
import { workerStarter } from '../worker-starter';

interface Pending {
  request: BlockRequest;
  signal: AbortSignal | undefined;
  resolve: (reply: Extract<BlockReply, { labels: Uint8Array }>) => void;
  reject: (error: Error) => void;
}

/** How long idle workers are kept for the next prediction before they are ended. */
const KEEP_IDLE_MS = 5 * 60_000;

/**
 * Worker threads for predictBlock. Workers are kept between predictions (starting one and
 * compiling its kernels costs more than a small prediction), without keeping the process alive,
 * and ended after five minutes without work. Cancelling a block ends the worker running it.
 */
export class BlockPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private readonly start = workerStarter(import.meta.url, './worker.ts', 'engine-worker.js');
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 0;

  constructor(readonly size: number) {}

  /** Runs one block; rejects as cancelled if `signal` aborts first (ending its worker). */
  run(request: Omit<BlockRequest, 'id'>, signal?: AbortSignal): Promise<Extract<BlockReply, { labels: Uint8Array }>> {
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const pending: Pending = { request: { ...request, id: this.nextId++ }, signal, resolve, reject };
      const onAbort = (): void => this.cancel(pending);
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.resolve = (reply) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      pending.reject = (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      this.queue.push(pending);
      this.dispatch();
    });
  }

  private cancel(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const [worker, running] of this.busy)
      if (running === pending) {
        this.busy.delete(worker);
        void worker.terminate();
      }
    pending.reject(cancelled());
    this.dispatch();
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.size)) {
      const worker = this.idle.pop() ?? this.spawn();
      const pending = this.queue.shift()!;
      this.busy.set(worker, pending);
      worker.ref();
      worker.postMessage(pending.request, [pending.request.input.buffer as ArrayBuffer]);
    }
    if (this.busy.size === 0 && this.idle.length > 0) {
      this.idleTimer = setTimeout(() => this.endIdle(), KEEP_IDLE_MS);
      this.idleTimer.unref();
    }
  }

  /** Ends the idle workers now, and the scratch memory they keep for the next block with them. */
  endIdle(): void {
    clearTimeout(this.idleTimer);
    for (const worker of this.idle.splice(0)) void worker.terminate();
  }

  get idleWorkers(): number {
    return this.idle.length;
  }

  private spawn(): Worker {
    const worker = this.start();
    worker.on('message', (reply: BlockReply) => {
      const pending = this.busy.get(worker);
      if (!pending) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if (reply.error) pending.reject(deserializeError(reply.error));
      else pending.resolve(reply);
      this.dispatch();
    });
    worker.on('error', (error) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const idle = this.idle.indexOf(worker);
      if (idle >= 0) this.idle.splice(idle, 1);
      pending?.reject(error);
      this.dispatch();
    });
    return worker;
  }
}

const pools = new Map<number, BlockPool>();

/**
 * Ends every shared pool's idle workers now: a worker keeps its scratch memory for the next
 * prediction (about 115 MB each after a 256³ segment), which work that follows a prediction
 * without another, as meshing its surfaces, needs more. A later prediction starts new ones.
 */
export function endIdleWorkers(): void {
  for (const pool of pools.values()) pool.endIdle();
}

/** The process-wide pool of `size` workers (kept between predictions, ended when idle). */
export function sharedPool(size: number): BlockPool {
  let pool = pools.get(size);
  if (!pool) pools.set(size, (pool = new BlockPool(size)));
  return pool;
}
