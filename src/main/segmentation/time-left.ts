// Progress with an estimate of the time left, for long jobs the user watches (segment-all, export).
import type { Progress } from '../progress';

/** Wraps `progress` so each message ends with "about N s left", from the rate so far. */
export function withTimeLeft(progress: Progress, what: string, now: () => number = Date.now): Progress {
  const started = now();
  return (done, total) => {
    const elapsed = (now() - started) / 1000;
    const left = done > 0 && total > done ? (elapsed * (total - done)) / done : undefined;
    const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
    progress(
      done,
      total,
      left === undefined ? `${what} ${percent}%` : `${what} ${percent}%, about ${formatSeconds(left)} left`,
    );
  };
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
