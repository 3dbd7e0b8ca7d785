// Every job of the service, as its events report it, keyed by id: the one place in the UI that
// follows jobs. A store starts one with `startJob`, keeps its id, and reads its status here; the
// job's events may come before its id does (they are kept), and `ended` runs once either way.
import { create } from 'zustand';
import type { JobKind, JobStatus } from '../../../shared/api';
import type { Client } from '../api/client';

/** Ended jobs kept, besides the newest of each kind (the one a panel shows), so a panel can still say how one ended. */
const ENDED_KEPT = 100;

export const useJobs = create<{ byId: Record<string, JobStatus> }>()(() => ({ byId: {} }));

/** What runs when a followed job ends, by job id. */
const endings = new Map<string, (job: JobStatus) => void>();

/** The status of job `id`; undefined for no id. */
export const useJob = (id: string | null | undefined): JobStatus | undefined =>
  useJobs((state) => (id ? state.byId[id] : undefined));

export const jobStatus = (id: string | null | undefined): JobStatus | undefined =>
  id ? useJobs.getState().byId[id] : undefined;

function record(job: JobStatus): void {
  useJobs.setState((state) => {
    const byId = { ...state.byId, [job.id]: job };
    // ids in the order their jobs were first seen: the last of each kind is its newest
    const keep = new Set(new Map(Object.values(byId).map((j) => [j.kind, j.id])).values());
    const ended = Object.keys(byId).filter((id) => byId[id]!.state !== 'running' && !keep.has(id) && !endings.has(id));
    for (const id of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT))) delete byId[id];
    return { byId };
  });
  if (job.state === 'running') return;
  const ended = endings.get(job.id);
  endings.delete(job.id);
  ended?.(job);
}

/** Records every job event the service sends; returns the unsubscribe. */
export function watchJobs(client: Client): () => void {
  return client.onEvent((event) => {
    if (event.type === 'job') record(event.job);
  });
}

/** What a store does with a job it starts: keep its id, and settle how it ended. */
export interface JobFollower {
  /** Runs first, with the id, once the service answered. */
  started?(jobId: string): void;
  /** Runs once when the job ends, also when it ended before its id came back. */
  ended?(job: JobStatus): void;
}

/** Starts a job with `begin` and follows it; resolves with its id once started (a refusal rejects). */
export async function startJob(
  kind: JobKind,
  begin: () => Promise<{ jobId: string }>,
  { started, ended }: JobFollower = {},
): Promise<string> {
  const { jobId } = await begin();
  const known = jobStatus(jobId);
  if (!known) record({ id: jobId, kind, state: 'running', done: 0, total: 0, message: '' });
  started?.(jobId);
  if (ended) {
    if (known && known.state !== 'running') ended(known);
    else endings.set(jobId, ended);
  }
  return jobId;
}
