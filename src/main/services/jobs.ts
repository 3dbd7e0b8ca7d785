import { randomUUID } from 'node:crypto';
import type { JobKind, JobStarted, JobStatus } from '../../shared/api';
import { serializeError } from '../../shared/errors';
import type { Progress } from '../progress';
import type { EventBus } from './events';

/** What a long operation gets: a way to report progress and a signal that says stop. */
export interface JobContext {
  signal: AbortSignal;
  progress: Progress;
}

interface Running {
  controller: AbortController;
  kind: JobKind;
  /** The volume the job works on, so closing the volume cancels it. */
  volumeId?: string;
}

/**
 * Runs long operations with progress events and cancellation by id; knows which volume each job
 * works on, so a service asks here which of its jobs run on a volume and cancels them when it closes.
 */
export class Jobs {
  private readonly running = new Map<string, Running>();

  constructor(private readonly events: EventBus) {}

  /** Starts `work` (on `volumeId`, if it works on one), returns its id at once and the promise of its result. */
  start<T>(
    kind: JobKind,
    work: (job: JobContext) => Promise<T>,
    volumeId?: string,
  ): { id: string; result: Promise<T> } {
    const id = randomUUID();
    const controller = new AbortController();
    this.running.set(id, { controller, kind, ...(volumeId === undefined ? {} : { volumeId }) });
    const status: JobStatus = { id, kind, state: 'running', done: 0, total: 0, message: '' };
    const publish = (): void => this.events.emit({ type: 'job', job: { ...status } });
    let lastPublished = 0;
    const context: JobContext = {
      signal: controller.signal,
      progress: (done, total, message = status.message) => {
        // a worker's reports already on their way when it was cancelled: the job stays where it stopped
        if (controller.signal.aborted) return;
        Object.assign(status, { done, total, message });
        const now = Date.now();
        if (now - lastPublished > 100 || done === total) {
          lastPublished = now;
          publish();
        }
      },
    };
    publish();
    const result = work(context).then(
      (value) => {
        status.state = 'done';
        return value;
      },
      (error: unknown) => {
        const serialized = serializeError(error);
        status.state = controller.signal.aborted || serialized.kind === 'cancelled' ? 'cancelled' : 'failed';
        status.error = serialized.message;
        throw error;
      },
    );
    void result
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(id);
        publish();
      });
    return { id, result };
  }

  cancel(id: string): boolean {
    const controller = this.running.get(id)?.controller;
    controller?.abort();
    return controller !== undefined;
  }

  /** The newest job of `kind` still running on the volume. */
  runningOn(volumeId: string, kind: JobKind): string | undefined {
    let newest: string | undefined;
    for (const [id, job] of this.running) if (job.volumeId === volumeId && job.kind === kind) newest = id;
    return newest;
  }

  /** Cancels the jobs running on a volume that is closing: those of `kinds`. */
  cancelOn(volumeId: string, kinds: readonly JobKind[]): void {
    for (const [id, job] of this.running) if (job.volumeId === volumeId && kinds.includes(job.kind)) this.cancel(id);
  }
}

/** A job's id for the API caller; its outcome reaches the UI as job events, so the promise is not awaited. */
export function jobStarted(job: { id: string; result: Promise<unknown> }): JobStarted {
  void job.result.catch(() => undefined);
  return { jobId: job.id };
}
