// What the stores that call the service share: the status of a job whose id came back before any
// of its events, and a refused call as the notice says it.
import type { JobStatus } from '../../../shared/api';

/** A job just started: running, nothing done yet (its first event fills in the rest). */
export const startedJob = (id: string, kind: string): JobStatus => ({
  id,
  kind,
  state: 'running',
  done: 0,
  total: 0,
  message: '',
});

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
