import { describe, expect, it } from 'vitest';
import type { ApiEvent, JobStatus } from '../../../shared/api';
import type { Client } from '../api/client';
import { jobStatus, startJob, watchJobs } from './jobs';

/** A client that only delivers events pushed with `emit`. */
function fakeClient(): { client: Client; emit(job: JobStatus): void } {
  const listeners = new Set<(event: ApiEvent) => void>();
  const client = {
    onEvent: (listener: (event: ApiEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as Client;
  return { client, emit: (job) => listeners.forEach((listener) => listener({ type: 'job', job })) };
}

const status = (id: string, state: JobStatus['state']): JobStatus => ({
  id,
  kind: 'mesh',
  state,
  done: 1,
  total: 1,
  message: '',
});

describe('the job store', () => {
  it('settles a job once, whether it ended before or after its id came back', async () => {
    const { client, emit } = fakeClient();
    const stop = watchJobs(client);
    const seen: string[] = [];
    const follow = {
      started: (id: string) => seen.push(`started ${id}`),
      ended: (j: JobStatus) => seen.push(`${j.state} ${j.id}`),
    };

    // its events all came before the answer
    await startJob(
      'mesh',
      async () => {
        emit(status('early', 'running'));
        emit(status('early', 'done'));
        return { jobId: 'early' };
      },
      follow,
    );
    // its events come after
    await startJob('mesh', async () => ({ jobId: 'late' }), follow);
    expect(jobStatus('late')).toMatchObject({ state: 'running', done: 0 });
    emit(status('late', 'failed'));
    emit(status('late', 'failed'));
    stop();
    expect(seen).toEqual(['started early', 'done early', 'started late', 'failed late']);
    expect(jobStatus('late')?.state).toBe('failed');
  });

  it('passes a refusal on and follows nothing', async () => {
    await expect(
      startJob('train', async () => {
        throw new Error('class "Background" has no labelled voxels');
      }),
    ).rejects.toThrow('no labelled voxels');
  });
});
