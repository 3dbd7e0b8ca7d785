import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool';

// A worker that doubles `n`, fails on a negative one, exits on 0 and never answers NaN.
const doubler = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ n }) => {
  if (n === 0) process.exit(3);
  if (Number.isNaN(n)) return;
  if (n < 0) parentPort.postMessage({ error: { kind: 'bad-input', message: 'negative ' + n } });
  else parentPort.postMessage({ doubled: 2 * n });
});`;
const start = (): Worker => new Worker(doubler, { eval: true });

describe('worker pool', () => {
  it('runs more requests than workers, each answered by its own reply, and keeps the workers idle', async () => {
    const pool = new WorkerPool<{ n: number }, { doubled: number }>(start, 2);
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run({ n })));
    expect(replies.map((r) => r.doubled)).toEqual([2, 4, 6, 8, 10]);
    expect(pool.idleWorkers).toBe(2);
    pool.close();
    expect(pool.idleWorkers).toBe(0);
  });

  it('fails only the request whose worker reported an error or stopped', async () => {
    const pool = new WorkerPool<{ n: number }, { doubled: number }>(start, 2);
    const results = await Promise.allSettled([-1, 7, 0, 8].map((n) => pool.run({ n })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/negative -1/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/stopped \(exit code 3\)/);
    expect(await pool.run({ n: 9 })).toEqual({ doubled: 18 });
    pool.close();
  });

  it('cancels a running request by ending its worker, and rejects what is left on close', async () => {
    const pool = new WorkerPool<{ n: number }, { doubled: number }>(start, 1);
    const abort = new AbortController();
    const stuck = pool.run({ n: NaN }, [], abort.signal);
    const queued = pool.run({ n: 4 });
    abort.abort();
    await expect(stuck).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await queued).toEqual({ doubled: 8 });
    const left = [pool.run({ n: NaN }), pool.run({ n: 5 })];
    pool.close();
    for (const request of left) await expect(request).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
