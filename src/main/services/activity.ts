// What the user is doing now, for background work to step aside: while they scroll or paint, a
// segment-all that keeps every core busy would make each slice wait for the CPU (thread priorities
// do not help where the browser is scheduled apart from this process, as Linux does per session).
import type { Method } from '../../shared/api';
import type { Handlers } from '../api/dispatch';

/** The API calls of scrolling and painting: each marks the user as active. */
export const INTERACTIVE_METHODS = [
  'userActive', // scrolling through slices the renderer already holds
  'readSlice',
  'readLabelSlice',
  'readPredictionSlice',
  'readSegmentationSlice',
  'paintStroke',
  'undoStroke',
  'redoStroke',
  'train',
] as const satisfies readonly Method[];

export class Activity {
  private last = -Infinity;

  /**
   * `quietMs`: how long after the last interactive call the user counts as idle again. Longer than
   * a step to an uncached slice takes in a busy, software-rendered view (about a second): with a
   * shorter wait a block starts between steps, and the steps stay slow.
   */
  constructor(readonly quietMs = 2000) {}

  touch(): void {
    this.last = performance.now();
  }

  /** Resolves once the user has been idle for `quietMs` (at once if they are), or when `signal` aborts. */
  async idle(signal?: AbortSignal): Promise<void> {
    for (let wait = this.remaining(); wait > 0 && !signal?.aborted; wait = this.remaining())
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        signal?.addEventListener('abort', done, { once: true });
      });
  }

  private remaining(): number {
    return this.last + this.quietMs - performance.now();
  }
}

/** `handlers`, with the interactive ones marking `activity` when called. */
export function markingActivity(activity: Activity, handlers: Handlers): Handlers {
  const marked = { ...handlers } as Record<Method, (args: unknown) => Promise<unknown>>;
  for (const method of INTERACTIVE_METHODS) {
    const handler = marked[method];
    marked[method] = (args) => {
      activity.touch();
      return handler(args);
    };
  }
  return marked as Handlers;
}
