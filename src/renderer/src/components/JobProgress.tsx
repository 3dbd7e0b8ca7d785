// A service job as the panels show it: while it runs, its progress bar, its message (the service's
// gives the time left) and Cancel; once it stops, its end state.
import type { ReactNode } from 'react';
import type { JobStatus } from '../../../shared/api';
import { useServices } from '../api/ClientContext';

interface RunningJobProps {
  job: JobStatus;
  /** What the message says; by default the job's own, or "starting…" before it has one. */
  message?: ReactNode;
  messageTestId?: string;
  cancelTestId: string;
}

/** A running job's bar, message and Cancel button; the row around them is the caller's. */
export function RunningJob({ job, message, messageTestId, cancelTestId }: RunningJobProps) {
  const { client } = useServices();
  return (
    <>
      <progress max={job.total || 1} value={job.done} />
      <span className="muted" data-testid={messageTestId}>
        {message ?? (job.message || 'starting…')}
      </span>
      <button
        type="button"
        className="small"
        // a job that ended meanwhile has nothing left to cancel
        onClick={() => void client.api.cancelJob({ jobId: job.id }).catch(() => undefined)}
        data-testid={cancelTestId}
      >
        Cancel
      </button>
    </>
  );
}

/** A job's row (`testId`, its state in data-state): the running job, then how it ended. */
export function JobProgress({
  job,
  testId,
  cancelTestId = `${testId}-cancel`,
}: {
  job: JobStatus | null | undefined;
  testId: string;
  cancelTestId?: string;
}) {
  if (!job) return null;
  return (
    <div className="history-row" data-testid={testId} data-state={job.state}>
      {job.state === 'running' ? (
        <RunningJob job={job} messageTestId={`${testId}-message`} cancelTestId={cancelTestId} />
      ) : (
        <span className="muted">{job.state === 'done' ? 'Done' : job.state}</span>
      )}
    </div>
  );
}
