// Progress on stderr: a redrawn bar on a terminal, plain lines (every 10 %) otherwise.
export type ProgressReporter = (done: number, total: number, message?: string) => void;

export function progressReporter(stream: { write(text: string): unknown; isTTY?: boolean }): ProgressReporter & {
  finish(): void;
} {
  let phase = '';
  let lastDecile = -1;
  let lastDraw = 0;
  let drawn = false;
  const report = (done: number, total: number, message = ''): void => {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const percent = Math.floor(fraction * 100);
    if (stream.isTTY) {
      const now = Date.now();
      if (message === phase && now - lastDraw < 100 && done < total) return;
      if (message !== phase && drawn) stream.write('\n');
      phase = message;
      lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${message}`);
      drawn = true;
      return;
    }
    const decile = Math.floor(percent / 10);
    if (message === phase && decile === lastDecile) return;
    if (message !== phase) lastDecile = -1;
    phase = message;
    lastDecile = decile;
    stream.write(`${message} ${percent}%\n`);
  };
  return Object.assign(report, {
    finish: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  });
}
