/// <reference lib="dom" />
// Cleaning the segment-all result up, as a user does after Segment all: a step on the bone class
// changes what the z view shows and what an export writes (an opening only ever removes bone), and
// undo brings the result back as it was.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './support/test';
import { exportSegmentationTo, nextFrames, trainOnBoneAndPore } from './support/painting';
import { openSample, reddishVoxels } from './support/viewer';

const BONE_CLASS = 2; // "Material 1", orange

test('a clean-up step changes the result shown and exported, and undo takes it back', async ({ page }) => {
  test.setTimeout(240_000);
  await openSample(page);
  await trainOnBoneAndPore(page);
  await expect(page.getByTestId('postprocess')).toBeHidden(); // nothing to clean before Segment all
  await page.getByTestId('segment-all').click();
  await expect(page.getByTestId('segment-all-job')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await page.getByTestId('prediction-visible').uncheck();
  await expect(page.getByTestId('canvas-z')).not.toHaveAttribute('data-result-model', '');
  await nextFrames(page);
  const shownBefore = await reddishVoxels(page);
  await expect(page.getByTestId('postprocess-undo')).toBeDisabled();

  const folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-postprocess-'));
  try {
    const raw = await exportSegmentationTo(page, join(folder, 'raw.tif'));
    await page.getByTestId('postprocess-op').selectOption('open');
    await page.getByTestId('postprocess-class').selectOption(String(BONE_CLASS));
    await page.getByTestId('postprocess-amount').fill('2');
    await page.getByTestId('postprocess-apply').click();
    await expect(page.getByTestId('postprocess-job')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('postprocess-steps')).toHaveText('Open Material 1 (radius 2)');
    // the thin struts are gone from the view (most of the slice's bone is thick cortex, which stays)
    await expect.poll(() => reddishVoxels(page)).toBeLessThan(shownBefore - 50);
    const shownOpened = await reddishVoxels(page);

    const opened = await exportSegmentationTo(page, join(folder, 'opened.tif'));
    let [boneBefore, boneAfter, gained] = [0, 0, 0];
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === BONE_CLASS) boneBefore++;
      if (opened[i] === BONE_CLASS) boneAfter++;
      if (opened[i] === BONE_CLASS && raw[i] !== BONE_CLASS) gained++;
    }
    console.log(
      `opening bone by radius 2: ${boneBefore} → ${boneAfter} bone voxels exported; z view ${shownBefore} → ${shownOpened} orange pixels`,
    );
    expect(gained).toBe(0);
    expect(boneAfter).toBeLessThan(boneBefore * 0.99);
    expect(boneAfter).toBeGreaterThan(0);

    await page.getByTestId('postprocess-undo').click();
    await expect(page.getByTestId('postprocess-job')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('postprocess-steps')).toBeHidden();
    await expect.poll(() => reddishVoxels(page)).toBe(shownBefore);
    await expect(page.getByTestId('postprocess-undo')).toBeDisabled();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
