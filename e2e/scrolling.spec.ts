/// <reference lib="dom" />
// A benchmark, not a check (scripts/bench/app.ts runs it; `npm test` leaves it out): slice scrolling
// while a segment-all of a volume large enough to outlast it runs, as on real data. Prints the
// frame intervals and the time from each key press to the slice shown.
import { expect, test } from './support/test';
import { trainOnBoneAndPore } from './support/painting';
import { openFresh } from './support/viewer';
import { percentile, median, scrollTimes } from './support/scrolling';

const volume = process.env.TOMOSEG_BENCH_VOLUME;

test('slice scrolling during a long segment-all', async ({ page }) => {
  if (!volume) throw new Error('a benchmark: run it with scripts/bench/app.ts, which sets TOMOSEG_BENCH_VOLUME');
  test.setTimeout(600_000);
  await openFresh(page, volume!);
  await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', /\d+/, { timeout: 60_000 });
  await trainOnBoneAndPore(page, 120_000);
  await page.keyboard.press('v');
  await page.getByTestId('segment-all').click();
  const job = page.getByTestId('segment-all-job');
  await expect(job).toHaveAttribute('data-state', 'running');
  const start = Date.now();
  const { frames, steps } = await scrollTimes(
    page,
    async (presses) => presses >= 60 || (await job.getAttribute('data-state')) !== 'running',
  );
  const scrolled = (Date.now() - start) / 1000;
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 400_000 });
  const total = (Date.now() - start) / 1000;
  expect(steps.length).toBeGreaterThan(0);
  console.log(
    `slice scrolling during a long segment-all (${scrolled.toFixed(1)} s of its ${total.toFixed(1)} s): ${frames.length} frames, median ${median(frames).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms; key press to slice shown: ${steps.length} steps, median ${median(steps)} ms, p95 ${percentile(steps, 95)} ms`,
  );
});
