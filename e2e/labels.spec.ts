/// <reference lib="dom" />
// Painting labels on the sample: the overlay must show each class's colour, blended over the grey
// slice, exactly on the voxels painted; undo, fill and the 3D sphere brush change the right voxels.
import { type Page, expect, test } from './support/test';
import { PNG } from 'pngjs';
import { bestDiff, imageRect, openSample, waitForSlice, windowLevel } from './support/viewer';
import { type TestVolume, grey, readSample, sliceOf } from './support/volume';

let volume: TestVolume;
test.beforeAll(async () => {
  volume = await readSample();
});

/** Default overlay opacity of a class (0.5, stored as an 8-bit alpha). */
const ALPHA = 128 / 255;
const ORANGE = [0xe6, 0x9f, 0x00]; // "Material 1", the class active at start
const BLUE = [0x00, 0x72, 0xb2]; // "Background", class 1
const MAX_DIFF = 6;

type Pixel = [number, number];

/** Page position of a z-view voxel centre. */
async function screenOf(page: Page, [column, row]: Pixel): Promise<[number, number]> {
  const box = (await page.getByTestId('canvas-z').boundingBox())!;
  const [left, top, width, height] = await imageRect(page, 'z');
  return [box.x + left + ((column + 0.5) * width) / 128, box.y + top + ((row + 0.5) * height) / 128];
}

async function stroke(page: Page, from: Pixel, to: Pixel): Promise<void> {
  await page.mouse.move(...(await screenOf(page, from)));
  await page.mouse.down();
  await page.mouse.move(...(await screenOf(page, to)), { steps: 8 });
  await page.mouse.up();
  await settled(page);
}

/** Waits until the service has painted and the views show the new labels. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('brush-preview').locator('polyline')).toHaveCount(0);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/**
 * Mean absolute RGB difference between the z view at `pixels` and the expected colour: the grey of
 * slice `index` blended with `colour` (or plain grey where `colour` is null), best alignment within a pixel.
 */
async function overlayDiff(page: Page, index: number, pixels: Pixel[], colour: number[] | null): Promise<number> {
  const image = PNG.sync.read(await page.getByTestId('canvas-z').screenshot());
  const [left, top, width, height] = await imageRect(page, 'z');
  const { window, level } = await windowLevel(page);
  const slice = sliceOf(volume, 'z', index);
  const points = pixels.map(([column, row]) => {
    const g = grey(slice.at(column, row), window, level);
    return {
      x: Math.floor(left + ((column + 0.5) * width) / 128),
      y: Math.floor(top + ((row + 0.5) * height) / 128),
      expected: [0, 1, 2].map((c) => (colour ? ALPHA * colour[c]! + (1 - ALPHA) * g : g)),
    };
  });
  return bestDiff(image, points);
}

const row = (r: number, from: number, to: number): Pixel[] =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, r] as Pixel);

test('two classes painted with the brush show in their colours; undo removes a stroke', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('tool-paint').click();
  await expect(page.getByTestId('brush-radius')).toHaveText('3');
  await stroke(page, [20, 30], [60, 30]);
  await page.keyboard.press('1');
  await stroke(page, [20, 100], [60, 100]);

  // Inside each stroke (2 voxels from its ends), its class colour; away from both, plain grey.
  expect(await overlayDiff(page, 64, row(30, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(100, 22, 58), BLUE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(30, 22, 58), BLUE)).toBeGreaterThan(30);
  expect(await overlayDiff(page, 64, row(75, 22, 58), null)).toBeLessThan(MAX_DIFF);
  // A radius of 3 covers the rows 2 away all along, and nothing 4 away.
  expect(await overlayDiff(page, 64, row(32, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(34, 22, 58), null)).toBeLessThan(MAX_DIFF);

  await page.keyboard.press('Control+z');
  await settled(page);
  await expect(page.getByTestId('redo')).toBeEnabled();
  await expect.poll(() => overlayDiff(page, 64, row(100, 22, 58), null)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(30, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);

  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => overlayDiff(page, 64, row(100, 22, 58), BLUE)).toBeLessThan(MAX_DIFF);
});

test('hiding a class and the eraser', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('tool-paint').click();
  await stroke(page, [20, 30], [60, 30]);
  await page.getByTestId('class-visible-2').click();
  await expect.poll(() => overlayDiff(page, 64, row(30, 22, 58), null)).toBeLessThan(MAX_DIFF);
  await page.getByTestId('class-visible-2').click();
  await expect.poll(() => overlayDiff(page, 64, row(30, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);

  await page.getByTestId('tool-erase').click();
  await stroke(page, [40, 30], [60, 30]);
  await expect.poll(() => overlayDiff(page, 64, row(30, 44, 58), null)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(30, 22, 34), ORANGE)).toBeLessThan(MAX_DIFF);
});

test('fill paints the connected unlabelled area of the slice', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('tool-paint').click();
  await stroke(page, [20, 30], [60, 30]);
  await page.keyboard.press('1');
  await page.getByTestId('tool-fill').click();
  await page.mouse.click(...(await screenOf(page, [100, 100])));
  await settled(page);
  await expect.poll(() => overlayDiff(page, 64, row(110, 5, 120), BLUE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(30, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);
});

test('the 3D sphere brush paints neighbouring slices, the 2D disc does not', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('tool-paint').click();
  await stroke(page, [20, 30], [60, 30]);
  await page.getByTestId('shape-sphere').click();
  await stroke(page, [20, 90], [60, 90]);
  await page.getByTestId('canvas-z').hover();
  await page.mouse.wheel(0, 100);
  await page.mouse.wheel(0, 100);
  await waitForSlice(page, 'z', 66);
  await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-labels', '66');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(await overlayDiff(page, 66, row(90, 24, 56), ORANGE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 66, row(30, 22, 58), null)).toBeLessThan(MAX_DIFF);
});
