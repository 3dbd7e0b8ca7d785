import { describe, expect, it } from 'vitest';
import type { ApiEvent, JobStatus } from '../../shared/api';
import { cancelled } from '../../shared/errors';
import { EventBus } from './events';
import { Jobs } from './jobs';

function recordJobs(): { jobs: Jobs; seen: JobStatus[] } {
  const events = new EventBus();
  const seen: JobStatus[] = [];
  events.subscribe((event: ApiEvent) => seen.push(event.job));
  return { jobs: new Jobs(events), seen };
}

describe('Jobs', () => {
  it('reports progress and completion', async () => {
    const { jobs, seen } = recordJobs();
    const { id, result } = jobs.start('import', async (job) => {
      job.progress(1, 2, 'half');
      job.progress(2, 2, 'all');
      return 42;
    });
    await expect(result).resolves.toBe(42);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.every((s) => s.id === id)).toBe(true);
    expect(seen.some((s) => s.message === 'all' && s.done === 2)).toBe(true);
    expect(seen.at(-1)?.state).toBe('done');
  });

  it('cancels through the signal and reports the job cancelled', async () => {
    const { jobs, seen } = recordJobs();
    const { id, result } = jobs.start('train', (job) => {
      return new Promise((_resolve, reject) => {
        job.signal.addEventListener('abort', () => reject(cancelled()));
      });
    });
    expect(jobs.cancel(id)).toBe(true);
    await expect(result).rejects.toMatchObject({ kind: 'cancelled' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.at(-1)?.state).toBe('cancelled');
    expect(jobs.cancel(id)).toBe(false);
  });

  it('ends a cancelled job where it was cancelled, whatever progress still arrives', async () => {
    const { jobs, seen } = recordJobs();
    let report = (): void => undefined;
    const { id, result } = jobs.start('mesh', (job) => {
      job.progress(3, 10, 'meshing');
      report = () => job.progress(10, 10, 'meshed'); // a worker's report sent before it heard of the cancel
      return new Promise((_resolve, reject) => job.signal.addEventListener('abort', () => reject(cancelled())));
    });
    jobs.cancel(id);
    report();
    await expect(result).rejects.toMatchObject({ kind: 'cancelled' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.at(-1)).toMatchObject({ state: 'cancelled', done: 3, total: 10, message: 'meshing' });
  });

  it('reports failures with their message', async () => {
    const { jobs, seen } = recordJobs();
    const { result } = jobs.start('mesh', async () => {
      throw new Error('disk full');
    });
    await expect(result).rejects.toThrow('disk full');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.at(-1)).toMatchObject({ state: 'failed', error: 'disk full' });
  });

  it('knows the jobs running on a volume, and cancels those of the kinds asked when it closes', async () => {
    const { jobs } = recordJobs();
    const waitForCancel = (job: { signal: AbortSignal }): Promise<never> =>
      new Promise((_resolve, reject) => job.signal.addEventListener('abort', () => reject(cancelled())));
    const first = jobs.start('train', waitForCancel, 'a');
    const second = jobs.start('train', waitForCancel, 'a');
    const mesh = jobs.start('mesh', waitForCancel, 'a');
    const other = jobs.start('train', waitForCancel, 'b');
    expect(jobs.runningOn('a', 'train')).toBe(second.id);
    expect(jobs.runningOn('a', 'export')).toBeUndefined();
    jobs.cancelOn('a', ['train', 'export']);
    await expect(first.result).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(second.result).rejects.toMatchObject({ kind: 'cancelled' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(jobs.runningOn('a', 'train')).toBeUndefined();
    expect(jobs.runningOn('a', 'mesh')).toBe(mesh.id);
    expect(jobs.runningOn('b', 'train')).toBe(other.id);
    jobs.cancel(mesh.id);
    jobs.cancel(other.id);
    await Promise.allSettled([mesh.result, other.result]);
  });
});
