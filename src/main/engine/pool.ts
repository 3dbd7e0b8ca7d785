// The process-wide pools of worker threads running predictBlock (worker.ts).
import { WorkerPool } from '../worker-pool';
import { workerStarter } from '../worker-starter';
import type { BlockReply, BlockRequest } from './block-predict';

/** How long idle workers are kept for the next prediction before they are ended. */
const KEEP_IDLE_MS = 5 * 60_000;

/**
 * Worker threads for predictBlock. Workers are kept between predictions (starting one and
 * compiling its kernels costs more than a small prediction), and ended after five minutes without
 * work. Cancelling a block ends the worker running it.
 */
export type BlockPool = WorkerPool<BlockRequest, BlockReply>;

const startWorker = workerStarter(import.meta.url, './worker.ts', 'engine-worker.js');

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
  if (!pool) pools.set(size, (pool = new WorkerPool(startWorker, size, KEEP_IDLE_MS)));
  return pool;
}
