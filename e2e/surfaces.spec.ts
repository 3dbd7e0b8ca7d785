/// <reference lib="dom" />
// Segment all with "Surfaces": the result comes from the bone's refined surfaces, the panel says
// so (with the smallest object asked for), and it differs from the voxel-by-voxel result only
// along the bone's boundary (a smoothed surface moves voxels that sit on it, not the bone's inside).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect, test } from './support/test';
import { exportSegmentationTo, trainOnBoneAndPore } from './support/painting';
import { openSample } from './support/viewer';

const BONE_CLASS = 2; // "Material 1"

/** Segment all, wait until `shown` says its result is the one shown, and export it. */
async function segmentAllAndExport(page: Page, path: string, shown: () => Promise<void>): Promise<Uint8Array> {
  await page.getByTestId('segment-all').click();
  await shown();
  await expect(page.getByTestId('segment-all-job')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  return exportSegmentationTo(page, path);
}

test('segment all with surfaces labels the bone through its refined surface', async ({ page }) => {
  test.setTimeout(300_000);
  await openSample(page);
  await trainOnBoneAndPore(page);
  const folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-surfaces-'));
  try {
    const voxelwise = await segmentAllAndExport(page, join(folder, 'voxelwise.tif'), () =>
      expect(page.getByTestId('postprocess')).toBeVisible({ timeout: 240_000 }),
    );
    await expect(page.getByTestId('result-surfaces')).toBeHidden();
    await page.getByTestId('surfaces-result').check();
    // specks and pinholes up to a 3×3×3 cube go
    await page.getByTestId('surface-min-voxels').fill('27');
    // (the first job's "done" still shows until the new one starts: wait for its result instead)
    const surfaces = await segmentAllAndExport(page, join(folder, 'surfaces.tif'), () =>
      expect(page.getByTestId('result-surfaces')).toContainText('Labelled through surfaces', { timeout: 240_000 }),
    );

    // voxels that changed class, and whether each lies on the voxel-wise bone's boundary
    const [nz, ny, nx] = [128, 128, 128];
    const bone = (i: number): boolean => voxelwise[i] === BONE_CLASS;
    let [changed, inside, boneVoxels] = [0, 0, 0];
    for (let z = 1, i = 0; z < nz - 1; z++)
      for (let y = 1; y < ny - 1; y++)
        for (let x = 1; x < nx - 1; x++) {
          i = (z * ny + y) * nx + x;
          if (bone(i)) boneVoxels++;
          if (surfaces[i] === voxelwise[i]) continue;
          changed++;
          const around = [i - 1, i + 1, i - nx, i + nx, i - nx * ny, i + nx * ny];
          if (around.every((j) => bone(j) === bone(i))) inside++;
        }
    await expect(page.getByTestId('result-surfaces')).toContainText('objects and cavities below 27 voxels dropped');
    console.log(`surfaces changed ${changed} of ${boneVoxels} bone voxels' classes; ${inside} not on the boundary`);
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(0.1 * boneVoxels);
    // what moves is boundary voxels, and specks and pinholes (whose voxels are all boundary too)
    expect(inside).toBeLessThan(0.05 * changed);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
