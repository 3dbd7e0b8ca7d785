/// <reference lib="dom" />
// Slice scrolling as a user does it, timed: for the scrolling figures of the e2e workflow and the
// app benchmark.
import type { Page } from './test';

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

/**
 * Presses ↑/↓ on the z view, each time waiting until the view shows the new slice, until `until`
 * says stop: the frame intervals meanwhile and the time from each key press to the slice shown (ms).
 */
export async function scrollTimes(
  page: Page,
  until: (presses: number) => Promise<boolean>,
): Promise<{ frames: number[]; steps: number[] }> {
  await page.evaluate(() => {
    const w = window as unknown as { frames: number[]; stopFrames: boolean };
    w.frames = [];
    w.stopFrames = false;
    let last = performance.now();
    const tick = (now: number): void => {
      w.frames.push(now - last);
      last = now;
      if (!w.stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const canvas = page.getByTestId('canvas-z');
  await canvas.focus();
  const steps: number[] = [];
  let index = Number(await canvas.getAttribute('data-shown-slice'));
  for (let i = 0; !(await until(i)); i++) {
    const up = i % 40 < 20;
    index += up ? 1 : -1;
    const start = Date.now();
    await page.keyboard.press(up ? 'ArrowUp' : 'ArrowDown');
    await page.waitForFunction(
      (wanted) => document.querySelector('[data-testid="canvas-z"]')?.getAttribute('data-shown-slice') === wanted,
      String(index),
      { polling: 'raf' },
    );
    steps.push(Date.now() - start);
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { frames: number[]; stopFrames: boolean };
    w.stopFrames = true;
    return w.frames.slice(1);
  });
  return { frames, steps };
}
