/// <reference lib="dom" />
// Painting labels on the sample: the overlay must show each class's colour, blended over the grey
// slice, exactly on the voxels painted; undo, fill and the 3D sphere brush change the right voxels.
import { type Page, expect, test } from './support/test';
import { BLUE, ORANGE, type Pixel, overlayDiff as diffOf, row, screenOf, settled, stroke } from './support/painting';
import { openSample, waitForSlice } from './support/viewer';
import { type TestVolume, readSample } from './support/volume';

let volume: TestVolume;
test.beforeAll(async () => {
  volume = await readSample();
});

const MAX_DIFF = 6;
const overlayDiff = (
  page: Page,
  index: number,
  pixels: Pixel[],
  colour: number[] | null,
  alpha?: number,
): Promise<number> => diffOf(page, volume, index, pixels, colour, alpha);

test('two classes painted with the brush show in their colours; undo removes a stroke', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('tool-paint').click();
  await page.keyboard.press('2'); // "Material 1" (the first class, Background, is active at start)
  await expect(page.getByTestId('brush-radius')).toHaveText('3');
  await stroke(page, [20, 30], [60, 30]);
  await page.keyboard.press('1');
  await stroke(page, [20, 100], [60, 100]);

  // Inside each stroke (2 voxels from its ends), its class colour; away from both, plain grey.
  expect(await overlayDiff(page, 64, row(30, 22, 58), ORANGE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(100, 22, 58), BLUE)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(30, 22, 58), BLUE)).toBeGreaterThan(30);
  expect(await overlayDiff(page, 64, row(75, 22, 58), null)).toBeLessThan(MAX_DIFF);
  // A radius of 3 covers the rows 3 away all along (brushes sit on the voxel grid), and nothing 4 away.
  // Those rows are the stroke's outline, drawn opaque: strokes stand out from a prediction in the
  // same colours.
  expect(await overlayDiff(page, 64, row(33, 22, 58), ORANGE, 1)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(27, 22, 58), ORANGE, 1)).toBeLessThan(MAX_DIFF);
  expect(await overlayDiff(page, 64, row(32, 22, 58), ORANGE, 1)).toBeGreaterThan(30);
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
  await page.keyboard.press('2'); // "Material 1" (the first class, Background, is active at start)
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
  await page.keyboard.press('2'); // "Material 1" (the first class, Background, is active at start)
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
  await page.keyboard.press('2'); // "Material 1" (the first class, Background, is active at start)
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
