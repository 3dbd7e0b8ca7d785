// The slice viewer on the bundled sample: each view must show the right slice, checked pixel by
// pixel against the sample read independently, through scrolling, window/level and the crosshair.
import { type Page, expect, test } from './support/test';
import { compareView, crosshair, imageRect, openSample, waitForSlice, windowLevel } from './support/viewer';
import { type Axis, type TestVolume, readSample, valueAt } from './support/volume';

/** Rendered vs expected grey levels, mean over a slice's voxel centres. */
const RIGHT_SLICE_MAX_DIFF = 2;
/** The neighbouring slice must differ by at least this much, so an off-by-one fails the check. */
const WRONG_SLICE_MIN_DIFF = 3;

let volume: TestVolume;
test.beforeAll(async () => {
  volume = await readSample();
});

async function expectShows(page: Page, axis: Axis, index: number): Promise<void> {
  await waitForSlice(page, axis, index);
  const right = await compareView(page, volume, axis, index);
  const wrongIndex = index > 0 ? index - 1 : index + 1;
  const wrong = await compareView(page, volume, axis, wrongIndex);
  const report = `${axis} view, slice ${index}: diff ${right.meanAbsDiff.toFixed(2)} over ${right.samples} voxels; against slice ${wrongIndex}: ${wrong.meanAbsDiff.toFixed(2)}`;
  test.info().annotations.push({ type: 'pixels', description: report });
  if (right.meanAbsDiff > RIGHT_SLICE_MAX_DIFF || wrong.meanAbsDiff < WRONG_SLICE_MIN_DIFF)
    await test.info().attach(`view-${axis}-slice-${index}.png`, { body: right.png, contentType: 'image/png' });
  expect(right.samples, report).toBeGreaterThan(100 * 100);
  expect(right.meanAbsDiff, report).toBeLessThan(RIGHT_SLICE_MAX_DIFF);
  expect(wrong.meanAbsDiff, report).toBeGreaterThan(WRONG_SLICE_MIN_DIFF);
}

/** Screen point (page coordinates) of a voxel's centre in a view. */
async function voxelCentre(
  page: Page,
  axis: Axis,
  column: number,
  row: number,
  dims: [number, number],
): Promise<[number, number]> {
  const box = (await page.getByTestId(`canvas-${axis}`).boundingBox())!;
  const [left, top, width, height] = await imageRect(page, axis);
  return [box.x + left + ((column + 0.5) * width) / dims[0], box.y + top + ((row + 0.5) * height) / dims[1]];
}

test('opens the sample and shows its shape, type and voxel size', async ({ page }) => {
  await openSample(page);
  await expect(page.getByTestId('volume-name')).toHaveText('bone_128x128x128.tif');
  await expect(page.getByTestId('volume-shape')).toContainText('128 × 128 × 128');
  await expect(page.getByTestId('volume-dtype')).toHaveText('uint8');
  await expect(page.getByTestId('volume-voxel-size')).toContainText('1.953 × 1.953 × 1.953');
});

test('the three views show the middle slices', async ({ page }) => {
  await openSample(page);
  expect(await crosshair(page)).toEqual([64, 64, 64]);
  for (const axis of ['z', 'y', 'x'] as const) await expectShows(page, axis, 64);
});

test('wheel, keys and slider move through slices', async ({ page }) => {
  await openSample(page);
  const z = page.getByTestId('canvas-z');
  await z.hover();
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 100);
  await expectShows(page, 'z', 69);

  await page.getByTestId('canvas-y').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('PageDown');
  await expectShows(page, 'y', 51);

  await page.getByTestId('slider-x').focus();
  await page.keyboard.press('End');
  await expectShows(page, 'x', 127);
  expect(await crosshair(page)).toEqual([69, 51, 127]);
});

test('window/level typed in changes the grey mapping', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('window-input').fill('80');
  await page.getByTestId('window-input').press('Enter');
  await page.getByTestId('level-input').fill('150');
  await page.getByTestId('level-input').press('Enter');
  await expect(page.getByTestId('window-input')).toHaveValue('80');
  await expectShows(page, 'z', 64);
});

test('clicking a view moves the crosshair and the other views follow', async ({ page }) => {
  await openSample(page);
  const [x, y] = await voxelCentre(page, 'z', 20, 100, [128, 128]);
  await page.mouse.click(x, y);
  expect(await crosshair(page)).toEqual([64, 100, 20]);
  await expectShows(page, 'y', 100);
  await expectShows(page, 'x', 20);
});

test('the cursor readout gives the voxel and its value', async ({ page }) => {
  await openSample(page);
  const probes: [Axis, number, number][] = [
    ['z', 30, 90],
    ['z', 100, 12],
    ['y', 64, 5],
    ['x', 7, 120],
  ];
  for (const [axis, column, row] of probes) {
    await page.mouse.move(...(await voxelCentre(page, axis, column, row, [128, 128])));
    const [z, yy, xx] = axis === 'z' ? [64, row, column] : axis === 'y' ? [row, 64, column] : [row, column, 64];
    await expect(page.getByTestId('cursor-voxel')).toHaveText(`z ${z} · y ${yy} · x ${xx}`);
    await expect(page.getByTestId('cursor-value')).toHaveText(String(valueAt(volume, z, yy, xx)));
  }
  // the wheel changes the slice under a pointer that stays put: the readout follows
  await page.mouse.move(...(await voxelCentre(page, 'z', 30, 90, [128, 128])));
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, 100);
  await expectShows(page, 'z', 67);
  await expect(page.getByTestId('cursor-voxel')).toHaveText('z 67 · y 90 · x 30');
  await expect(page.getByTestId('cursor-value')).toHaveText(String(valueAt(volume, 67, 90, 30)));
});

test('window/level dragged with the right button shows whole numbers for integer data', async ({ page }) => {
  await openSample(page);
  const box = (await page.getByTestId('canvas-z').boundingBox())!;
  await page.mouse.move(box.x + 100, box.y + 100);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(box.x + 137, box.y + 83, { steps: 3 });
  await page.mouse.up({ button: 'right' });
  const exact = await windowLevel(page);
  expect(Number.isInteger(exact.window) && Number.isInteger(exact.level)).toBe(false); // a drag gives fractions
  await expect(page.getByTestId('window-input')).toHaveValue(String(Math.round(exact.window)));
  await expect(page.getByTestId('level-input')).toHaveValue(String(Math.round(exact.level)));
  await expect(page.getByTestId('display-panel')).toContainText(
    `Shows ${Math.round(exact.level - exact.window / 2)} … ${Math.round(exact.level + exact.window / 2)} as black … white`,
  );
});

test('zoom and pan keep the pixels on the right voxels', async ({ page }) => {
  await openSample(page);
  const z = page.getByTestId('canvas-z');
  await z.hover();
  await page.keyboard.down('Control');
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  const box = (await z.boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 200, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + 260, box.y + 190, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  const [, , width] = await imageRect(page, 'z');
  expect(width).toBeGreaterThan(1.5 * Math.min(box.width, box.height));
  await page.mouse.move(box.x + 5, box.y + 5);
  const comparison = await compareView(page, volume, 'z', 64);
  expect(comparison.meanAbsDiff).toBeLessThan(RIGHT_SLICE_MAX_DIFF);
});
