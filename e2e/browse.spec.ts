// Web mode's Open…: a browser over the folders of the machine that runs Tomoseg, starting where the
// last volume was, that goes up and into folders and opens a volume with a double click.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './support/test';
import { openFresh } from './support/viewer';

const SAMPLE = join('resources', 'sample', 'bone_128x128x128.tif');

test('browses the server’s folders from the last volume’s, and opens a volume with a double click', async ({
  page,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'tomoseg-browse-'));
  try {
    await mkdir(join(dir, 'scans'));
    await copyFile(SAMPLE, join(dir, 'scans', 'bone.tif'));
    await copyFile(SAMPLE, join(dir, 'other.tif'));
    await openFresh(page, join(dir, 'scans', 'bone.tif'));
    await expect(page.getByTestId('status')).toHaveText(join(dir, 'scans', 'bone.tif'));

    await page.getByTestId('open-file').first().click();
    const browser = page.getByTestId('folder-browser');
    await expect(browser).toHaveAttribute('data-folder', join(dir, 'scans'));
    await expect(page.getByTestId('folder-entry')).toHaveText(['bone.tif']);
    await page.getByTestId('folder-up').click();
    await expect(browser).toHaveAttribute('data-folder', dir);
    await expect(page.getByTestId('folder-entry')).toHaveText(['scans/', 'other.tif']);
    await page.getByTestId('folder-entry').filter({ hasText: 'other.tif' }).click();
    await expect(page.getByTestId('path-input')).toHaveValue(join(dir, 'other.tif'));
    await page.getByTestId('folder-entry').filter({ hasText: 'other.tif' }).dblclick();
    await expect(page.getByTestId('open-dialog')).toHaveCount(0);
    await expect(page.getByTestId('status')).toHaveText(join(dir, 'other.tif'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
