// Worker threads as a pool of interchangeable, stateless workers, one request at a time each: a
// crash fails only the request its worker was running, cancelling a request ends its worker (a new
// one starts for the next), and idle workers wait for more work without keeping the process alive.
import { type Worker, parentPort } from 'node:worker_threads';
import { type SerializedError, TomosegError, cancelled, deserializeError, serializeError } from '../shared/errors';

/** What a pool's worker posts for each request: its reply, or the error that stopped it. */
type WorkerReply<Reply> = Reply | { error: SerializedError };

/**
 * In a pool's worker thread: answers each request with `handle`'s reply (the buffers in `transfer`
 * handed over with it), or with the error it threw.
 */
export function answerRequests<Request, Reply>(
  handle: (request: Request) => { reply: Reply; transfer?: ArrayBuffer[] },
): void {
  parentPort?.on('message', (request: Request) => {
    try {
      const { reply, transfer } = handle(request);
      parentPort!.postMessage(reply, transfer ?? []);
    } catch (error) {
      parentPort!.postMessage({ error: serializeError(error) } satisfies WorkerReply<Reply>);
    }
  });
}

interface Pending<Request, Reply> {
  request: Request;
  transfer: ArrayBuffer[];
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export class WorkerPool<Request, Reply extends object> {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending<Request, Reply>>();
  private readonly queue: Pending<Request, Reply>[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /** Up to `size` workers from `start`; idle ones end after `keepIdleMs` without work (default: when told). */
  constructor(
    private readonly start: () => Worker,
    readonly size: number,
    private readonly keepIdleMs = Infinity,
  ) {}

  /**
   * Runs `request` on the next free worker, handing it the buffers in `transfer`; rejects as
   * cancelled if `signal` aborts first (ending the worker running it).
   */
  run(request: Request, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<Reply> {
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.cancel(pending);
      const pending: Pending<Request, Reply> = {
        request,
        transfer,
        resolve: (reply) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(reply);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Ends the idle workers now, and the scratch memory they keep for the next request with them. */
  endIdle(): void {
    clearTimeout(this.idleTimer);
    for (const worker of this.idle.splice(0)) void worker.terminate();
  }

  /** Ends every worker now; the requests queued or running are rejected as cancelled. */
  close(): void {
    this.endIdle();
    for (const pending of this.queue.splice(0)) pending.reject(cancelled());
    for (const [worker, pending] of this.busy) {
      this.busy.delete(worker);
      void worker.terminate();
      pending.reject(cancelled());
    }
  }

  get idleWorkers(): number {
    return this.idle.length;
  }

  private cancel(pending: Pending<Request, Reply>): void {
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
      worker.postMessage(pending.request, pending.transfer);
    }
    if (this.busy.size === 0 && this.idle.length > 0 && Number.isFinite(this.keepIdleMs)) {
      this.idleTimer = setTimeout(() => this.endIdle(), this.keepIdleMs);
      this.idleTimer.unref();
    }
  }

  /** The worker's request fails with `error` (a worker that failed is not used again). */
  private fail(worker: Worker, error: Error): void {
    const pending = this.busy.get(worker);
    this.busy.delete(worker);
    const idle = this.idle.indexOf(worker);
    if (idle >= 0) this.idle.splice(idle, 1);
    pending?.reject(error);
    this.dispatch();
  }

  private spawn(): Worker {
    const worker = this.start();
    worker.on('message', (reply: WorkerReply<Reply>) => {
      const pending = this.busy.get(worker);
      if (!pending) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if ('error' in reply && reply.error) pending.reject(deserializeError(reply.error));
      else pending.resolve(reply as Reply);
      this.dispatch();
    });
    worker.on('error', (error) => this.fail(worker, error));
    // (a worker this pool ended is no longer busy or idle: nothing to fail)
    worker.on('exit', (code) =>
      this.fail(worker, new TomosegError('internal', `a worker thread stopped (exit code ${code})`)),
    );
    return worker;
  }
}
