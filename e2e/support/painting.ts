/// <reference lib="dom" />
// Painting on the z view of the sample and reading its colours back: screen positions of voxels,
// a brush stroke, and how far the rendered pixels are from grey blended with a class colour.
import { type Page, expect } from './test';
import { PNG } from 'pngjs';
import { bestDiff, imageRect, windowLevel } from './viewer';
import { type TestVolume, grey, readTiff, sliceOf } from './volume';

export type Pixel = [number, number];

/** Default overlay opacity of a class (0.5, stored as an 8-bit alpha). */
export const ALPHA = 128 / 255;
export const ORANGE = [0xe6, 0x9f, 0x00]; // "Material 1", class 2
export const BLUE = [0x00, 0x72, 0xb2]; // "Background", class 1, the class active at start

// On slice z = 64 of the sample these lines and 3 voxels around them are all bone (≥ 195) or all
// pore (≤ 25); see the values with any TIFF reader.
export const BONE: [Pixel, Pixel] = [
  [18, 72],
  [38, 72],
];
export const PORE: [Pixel, Pixel] = [
  [92, 102],
  [120, 102],
];

/** Page position of a z-view voxel centre (the sample is 128 voxels wide). */
export async function screenOf(page: Page, [column, row]: Pixel): Promise<[number, number]> {
  const box = (await page.getByTestId('canvas-z').boundingBox())!;
  const [left, top, width, height] = await imageRect(page, 'z');
  return [box.x + left + ((column + 0.5) * width) / 128, box.y + top + ((row + 0.5) * height) / 128];
}

/** Drags from `from` to `to`; `beforeUp` runs with the button still down (to time what follows). */
export async function stroke(page: Page, from: Pixel, to: Pixel, beforeUp?: () => Promise<void>): Promise<void> {
  await page.mouse.move(...(await screenOf(page, from)));
  await page.mouse.down();
  await page.mouse.move(...(await screenOf(page, to)), { steps: 8 });
  await beforeUp?.();
  await page.mouse.up();
  await settled(page);
}

export const nextFrames = (page: Page): Promise<unknown> =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/**
 * With the paint tool: the bone stroke as "Material 1" (key 2), the pore stroke as "Background"
 * (key 1), then Train, until the model is done.
 */
export async function trainOnBoneAndPore(page: Page, timeout = 60_000): Promise<void> {
  await page.getByTestId('tool-paint').click();
  await page.keyboard.press('2');
  await stroke(page, ...BONE);
  await page.keyboard.press('1');
  await stroke(page, ...PORE);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout });
}

/** Waits until the service has painted and the views show the new labels. */
export async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('brush-preview').locator('polyline')).toHaveCount(0);
  await nextFrames(page);
}

/**
 * Mean absolute RGB difference between the z view at `pixels` and the expected colour: the grey of
 * slice `index` blended with `colour` at `alpha` (or plain grey where `colour` is null), best
 * alignment within a pixel.
 */
export async function overlayDiff(
  page: Page,
  volume: TestVolume,
  index: number,
  pixels: Pixel[],
  colour: number[] | null,
  alpha = ALPHA,
): Promise<number> {
  const image = PNG.sync.read(await page.getByTestId('canvas-z').screenshot());
  const [left, top, width, height] = await imageRect(page, 'z');
  const { window, level } = await windowLevel(page);
  const slice = sliceOf(volume, 'z', index);
  const points = pixels.map(([column, row]) => {
    const g = grey(slice.at(column, row), window, level);
    return {
      x: Math.floor(left + ((column + 0.5) * width) / 128),
      y: Math.floor(top + ((row + 0.5) * height) / 128),
      expected: [0, 1, 2].map((c) => (colour ? alpha * colour[c]! + (1 - alpha) * g : g)),
    };
  });
  return bestDiff(image, points);
}

export const row = (r: number, from: number, to: number): Pixel[] =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, r] as Pixel);

/** The prediction overlay's default opacity (0.4 as an 8-bit alpha); the segment-all result's too. */
export const PREDICTION_ALPHA = 102 / 255;

/**
 * Share of the z view's bone voxels (≥ 180) on slice `index` shown nearer grey + orange than grey +
 * blue at `alpha`, and of its pore voxels (≤ 40) nearer grey + blue; the crosshair's row and column
 * are left out. How a class overlay (prediction or segment-all result) is checked by its pixels.
 */
export async function boneAndPoreAgreement(
  page: Page,
  volume: TestVolume,
  index: number,
  alpha: number,
): Promise<{ bone: number; pore: number }> {
  const image = PNG.sync.read(await page.getByTestId('canvas-z').screenshot());
  const [left, top, width, height] = await imageRect(page, 'z');
  const { window, level } = await windowLevel(page);
  const slice = sliceOf(volume, 'z', index);
  const counts = { bone: { right: 0, all: 0 }, pore: { right: 0, all: 0 } };
  for (let r = 0; r < 128; r++)
    for (let c = 0; c < 128; c++) {
      if (Math.abs(r - 64) <= 1 || Math.abs(c - 64) <= 1) continue;
      const value = slice.at(c, r);
      const kind = value >= 180 ? 'bone' : value <= 40 ? 'pore' : null;
      if (!kind) continue;
      const at =
        (Math.floor(top + ((r + 0.5) * height) / 128) * image.width + Math.floor(left + ((c + 0.5) * width) / 128)) * 4;
      const g = grey(value, window, level);
      const distance = (colour: number[]): number =>
        [0, 1, 2].reduce((sum, k) => sum + Math.abs(image.data[at + k]! - (alpha * colour[k]! + (1 - alpha) * g)), 0);
      counts[kind].all++;
      if ((distance(ORANGE) < distance(BLUE) ? 'bone' : 'pore') === kind) counts[kind].right++;
    }
  return { bone: counts.bone.right / counts.bone.all, pore: counts.pore.right / counts.pore.all };
}

/** Exports the segmentation shown to `path` (TIFF) through the training panel and reads it back. */
export async function exportSegmentationTo(page: Page, path: string): Promise<Uint8Array> {
  await page.getByTestId('export-path').fill(path);
  await page.getByTestId('export-segmentation').click();
  await expect(page.getByTestId('training-notice')).toContainText(`Exported to ${path}`, { timeout: 120_000 });
  return (await readTiff(path)).data;
}
