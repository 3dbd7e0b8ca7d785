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

/** Loads the app afresh and opens `path` in it. */
export async function openFresh(page: Page, path: string): Promise<void> {
  await page.goto(appUrl());
  await openPath(page, path);
}

/** Opens `path` through the app's Open dialog (in the page as it is). */
export async function openPath(page: Page, path: string): Promise<void> {
  await page.getByTestId('open-file').first().click();
  await page.getByTestId('path-input').fill(path);
  await page.getByTestId('path-open').click();
}

/** Waits until the view shows `index` and a frame has been drawn since. */
export async function waitForSlice(page: Page, axis: Axis, index: number): Promise<void> {
  await expect(page.getByTestId(`slice-index-${axis}`)).toContainText(String(index));
  await expect(page.getByTestId(`canvas-${axis}`)).toHaveAttribute('data-shown-slice', String(index));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** The exact window/level (the inputs show them rounded to the data's precision). */
export async function windowLevel(page: Page): Promise<{ window: number; level: number }> {
  const panel = page.getByTestId('display-panel');
  return {
    window: Number(await panel.getAttribute('data-window')),
    level: Number(await panel.getAttribute('data-level')),
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

/** Screen offsets tried when comparing: the page may place the canvas off whole pixels. */
const OFFSETS = [-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => [dx, dy] as const));

/** Mean absolute difference of RGB at `points` from `expected`, at the best offset within a pixel. */
export function bestDiff(image: PNG, points: { x: number; y: number; expected: number[] }[]): number {
  let best = Infinity;
  for (const [dx, dy] of OFFSETS) {
    let total = 0;
    for (const { x, y, expected } of points) {
      const px = Math.min(image.width - 1, Math.max(0, x + dx));
      const py = Math.min(image.height - 1, Math.max(0, y + dy));
      const at = (py * image.width + px) * 4;
      for (let c = 0; c < 3; c++) total += Math.abs(image.data[at + c]! - expected[c]!);
    }
    best = Math.min(best, total / (points.length * 3));
  }
  return best;
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
 * skipping the crosshair's row and column (drawn over the image) and their neighbours, at the
 * best alignment within one screen pixel.
 */
export async function compareView(
  page: Page,
  volume: TestVolume,
  axis: Axis,
  index: number,
  /** Full-resolution voxels per voxel of `volume`, when it is a coarse pyramid level of the one shown. */
  factor = 1,
): Promise<Comparison> {
  const canvas = page.getByTestId(`canvas-${axis}`);
  const png = await canvas.screenshot();
  const image = PNG.sync.read(png);
  const [left, top, width, height] = await imageRect(page, axis);
  const { window, level } = await windowLevel(page);
  const cursor = (await crosshair(page)).map((c) => Math.floor(c / factor)) as [number, number, number];
  const slice = sliceOf(volume, axis, index);
  const [skipColumn, skipRow] =
    axis === 'z' ? [cursor[2], cursor[1]] : axis === 'y' ? [cursor[2], cursor[0]] : [cursor[1], cursor[0]];
  const points: { x: number; y: number; expected: number[] }[] = [];
  for (let row = 0; row < slice.height; row++) {
    if (Math.abs(row - skipRow) <= 1) continue;
    for (let column = 0; column < slice.width; column++) {
      if (Math.abs(column - skipColumn) <= 1) continue;
      const x = Math.floor(left + ((column + 0.5) * width) / slice.width);
      const y = Math.floor(top + ((row + 0.5) * height) / slice.height);
      if (x < 1 || y < 1 || x >= image.width - 1 || y >= image.height - 1) continue;
      const g = grey(slice.at(column, row), window, level);
      points.push({ x, y, expected: [g, g, g] });
    }
  }
  const samples = points.length;
  return { meanAbsDiff: samples ? bestDiff(image, points) : Infinity, samples, png };
}

/**
 * Voxels of the z view of a 128 × 128 slice (crosshair left out) whose colour leans to red, yellow
 * or orange (red well above blue): the uncertainty heat, or the orange class's overlay.
 */
export async function reddishVoxels(page: Page): Promise<number> {
  const image = PNG.sync.read(await page.getByTestId('canvas-z').screenshot());
  const [left, top, width, height] = await imageRect(page, 'z');
  let count = 0;
  for (let r = 0; r < 128; r++)
    for (let c = 0; c < 128; c++) {
      if (Math.abs(r - 64) <= 1 || Math.abs(c - 64) <= 1) continue;
      const x = Math.floor(left + ((c + 0.5) * width) / 128);
      const y = Math.floor(top + ((r + 0.5) * height) / 128);
      const at = (y * image.width + x) * 4;
      if (image.data[at]! - image.data[at + 2]! > 40) count++;
    }
  return count;
}
