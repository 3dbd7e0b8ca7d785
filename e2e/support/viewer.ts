/// <reference lib="dom" />
// Reading the app: which slice a view shows, and its rendered pixels compared with the expected
// picture, sampled at every voxel centre of the slice.
import { type Page, appUrl, expect } from './test';
import { PNG } from 'pngjs';
import { type Axis, type TestVolume, grey, sliceOf } from './volume';

export { appUrl };

export async function openSample(page: Page): Promise<void> {
  await page.goto(appUrl());
  await page.getByTestId('open-sample').first().click();
  for (const axis of ['z', 'y', 'x'] as const)
    await expect(page.getByTestId(`canvas-${axis}`)).toHaveAttribute('data-shown-slice', '64');
}

/** Waits until the view shows `index` and a frame has been drawn since. */
export async function waitForSlice(page: Page, axis: Axis, index: number): Promise<void> {
  await expect(page.getByTestId(`slice-index-${axis}`)).toContainText(String(index));
  await expect(page.getByTestId(`canvas-${axis}`)).toHaveAttribute('data-shown-slice', String(index));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

export async function windowLevel(page: Page): Promise<{ window: number; level: number }> {
  return {
    window: Number(await page.getByTestId('window-input').inputValue()),
    level: Number(await page.getByTestId('level-input').inputValue()),
  };
}

export async function crosshair(page: Page): Promise<[number, number, number]> {
  const text = await page.getByTestId('app').getAttribute('data-cursor');
  return text!.split(',').map(Number) as [number, number, number];
}

/** The image's outline inside the view's canvas box, in CSS pixels. */
export async function imageRect(page: Page, axis: Axis): Promise<[number, number, number, number]> {
  const text = await page.getByTestId(`canvas-${axis}`).getAttribute('data-image-rect');
  return text!.split(',').map(Number) as [number, number, number, number];
}

export interface Comparison {
  /** Mean absolute difference in grey levels (0..255) over the compared voxels. */
  meanAbsDiff: number;
  samples: number;
  /** The view's pixels, to attach when a check fails. */
  png: Buffer;
}

/**
 * Compares the view of `axis` with slice `index` of `volume`: one sample at each voxel centre,
 * skipping the crosshair's row and column (drawn over the image) and their neighbours.
 */
export async function compareView(page: Page, volume: TestVolume, axis: Axis, index: number): Promise<Comparison> {
  const canvas = page.getByTestId(`canvas-${axis}`);
  const png = await canvas.screenshot();
  const image = PNG.sync.read(png);
  const [left, top, width, height] = await imageRect(page, axis);
  const { window, level } = await windowLevel(page);
  const cursor = await crosshair(page);
  const slice = sliceOf(volume, axis, index);
  const [skipColumn, skipRow] =
    axis === 'z' ? [cursor[2], cursor[1]] : axis === 'y' ? [cursor[2], cursor[0]] : [cursor[1], cursor[0]];
  let total = 0;
  let samples = 0;
  for (let row = 0; row < slice.height; row++) {
    if (Math.abs(row - skipRow) <= 1) continue;
    for (let column = 0; column < slice.width; column++) {
      if (Math.abs(column - skipColumn) <= 1) continue;
      const x = Math.floor(left + ((column + 0.5) * width) / slice.width);
      const y = Math.floor(top + ((row + 0.5) * height) / slice.height);
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
      const at = (y * image.width + x) * 4;
      const shown = (image.data[at]! + image.data[at + 1]! + image.data[at + 2]!) / 3;
      total += Math.abs(shown - grey(slice.at(column, row), window, level));
      samples++;
    }
  }
  return { meanAbsDiff: samples ? total / samples : Infinity, samples, png };
}
