import { randomUUID } from 'node:crypto';
import type { JobStatus } from '../../shared/api';
import { serializeError } from '../../shared/errors';
import type { EventBus } from './events';

/** What a long operation gets: a way to report progress and a signal that says stop. */
export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total: number, message?: string): void;
}

/** Runs long operations with progress events and cancellation by id. */
export class Jobs {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly events: EventBus) {}

  /** Starts `work`, returns its id at once and the promise of its result. */
  start<T>(kind: string, work: (job: JobContext) => Promise<T>): { id: string; result: Promise<T> } {
    const id = randomUUID();
    const controller = new AbortController();
    this.running.set(id, controller);
    const status: JobStatus = { id, kind, state: 'running', done: 0, total: 0, message: '' };
    const publish = (): void => this.events.emit({ type: 'job', job: { ...status } });
    let lastPublished = 0;
    const context: JobContext = {
      signal: controller.signal,
      progress: (done, total, message = status.message) => {
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
    const controller = this.running.get(id);
    controller?.abort();
    return controller !== undefined;
  }
}
