// What a new user meets after opening a scan: the next step said in words, the mouse and key
// help one click away, and a sidebar whose controls fit a 1600 px window.
import { expect, test } from './support/test';
import { BONE, PORE, stroke } from './support/painting';
import { openSample } from './support/viewer';

test('says the next step until there is a model', async ({ page }) => {
  await openSample(page);
  const next = page.getByTestId('next-step');
  await expect(next).toHaveText(
    'Next: paint a few strokes of at least two classes (B: brush, 1, 2 …: class), then Train.',
  );
  await page.getByTestId('tool-paint').click();
  await stroke(page, [20, 30], [60, 30]);
  await expect(next).toHaveText('Next: paint another class (press 2 for Material 1), then Train.');
  await page.keyboard.press('2');
  await stroke(page, [20, 100], [60, 100]);
  await expect(next).toHaveText('Next: Train (or tick Live to retrain after every stroke).');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
  await expect(next).toHaveCount(0);
});

test('the mouse and key help opens from the top bar and with ?', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('open-help').click();
  const help = page.getByTestId('help-dialog');
  await expect(help).toContainText('Page Up / Down');
  await expect(help).toContainText('undo, redo');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await page.getByTestId('canvas-z').hover();
  await page.keyboard.press('?');
  await expect(help).toBeVisible();
});

test('no control of the sidebar runs past the edge of a 1600 px window', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
  await openSample(page);
  await page.getByTestId('surfaces-result').check(); // shows the surfaces' settings
  await expect(page.getByTestId('surface-settings')).toBeVisible();
  const sidebar = (await page.locator('.sidebar').boundingBox())!;
  const outside = await page
    .locator('.sidebar')
    .locator('input, select, button, label')
    .evaluateAll(
      (elements, right) =>
        elements
          .filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().right > right + 0.5)
          .map((e) => `${e.tagName} ${e.getAttribute('data-testid') ?? e.textContent?.slice(0, 20)}`),
      sidebar.x + sidebar.width,
    );
  expect(outside).toEqual([]);
});

test('the histogram under window/level shows the grey values and the threshold the strokes imply', async ({ page }) => {
  await openSample(page);
  const histogram = page.getByTestId('histogram');
  await expect(histogram).toHaveAttribute('data-bins', '128');
  await expect(histogram.locator('.histogram-bar')).toHaveCount(128);
  await expect(page.getByTestId('threshold')).toHaveCount(0);
  await page.getByTestId('tool-paint').click();
  await page.keyboard.press('2');
  await stroke(page, ...BONE);
  await page.keyboard.press('1');
  await stroke(page, ...PORE);
  const threshold = page.getByTestId('threshold');
  await expect(threshold).toContainText('Background | Material 1 by grey value alone: ≈ ');
  // the sample's pores are at most 40 and its bone at least 180
  const value = Number(/≈ (\d+)/.exec((await threshold.textContent())!)![1]);
  expect(value).toBeGreaterThan(40);
  expect(value).toBeLessThan(180);
  await expect(histogram.locator('polyline')).toHaveCount(2);
});
