/// <reference lib="dom" />
// Files that cannot be opened: a message names the file and the problem, and the app keeps going.
import { expect, test } from './support/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyTiff } from './support/tiff';
import { appUrl, openPath } from './support/viewer';
import { SAMPLE_PATH } from './support/volume';

let folder: string;
test.beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-bad-'));
});
test.afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const cases: { name: string; file: string; problem: RegExp; make(): Promise<Buffer> }[] = [
  {
    name: 'not a TIFF',
    file: 'notes.tif',
    problem: /not a TIFF/i,
    make: async () => Buffer.from('these are my notes\n'),
  },
  {
    name: 'a truncated TIFF',
    file: 'cut.tif',
    problem: /truncated/i,
    make: async () => (await readFile(SAMPLE_PATH)).subarray(0, 1_000_000),
  },
  {
    name: 'an unsupported sample format',
    file: 'complex.tif',
    problem: /not supported/i,
    make: async () => tinyTiff({ width: 4, height: 4, bitsPerSample: 64, sampleFormat: 6, data: new Uint8Array(128) }),
  },
  {
    name: 'dimensions that do not match the data',
    file: 'liar.tif',
    problem: /size|truncated|past the end/i,
    make: async () => tinyTiff({ width: 64, height: 64, bitsPerSample: 8, sampleFormat: 1, data: new Uint8Array(100) }),
  },
];

for (const bad of cases) {
  test(`${bad.name} gives a message naming the file`, async ({ page }) => {
    const path = join(folder, bad.file);
    await writeFile(path, await bad.make());
    await page.goto(appUrl());
    await openPath(page, path);
    const error = page.getByTestId('app-message');
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute('data-kind', 'error');
    await expect(error).toContainText(bad.file);
    await expect(page.getByTestId('app-message-text')).toHaveText(bad.problem);
    // Still usable: the sample opens afterwards and the message goes.
    await page.getByTestId('open-sample').first().click();
    await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
    await expect(error).toBeHidden();
  });
}

test('a missing file says it does not exist', async ({ page }) => {
  await page.goto(appUrl());
  await openPath(page, join(folder, 'nowhere.tif'));
  await expect(page.getByTestId('app-message')).toContainText('nowhere.tif');
  await expect(page.getByTestId('app-message-text')).toContainText('does not exist');
});

test('a file dropped on the browser gets an honest message', async ({ page }) => {
  await page.goto(appUrl());
  const transfer = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['II*\0'], 'scan.tif', { type: 'image/tiff' }));
    return data;
  });
  await page.getByTestId('app').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('app-message')).toContainText('scan.tif');
  await expect(page.getByTestId('app-message-text')).toContainText('Open…');
});

test('a file opened by path is offered again under Recent', async ({ page }) => {
  const path = join(folder, 'copy.tif');
  await writeFile(path, await readFile(SAMPLE_PATH));
  await page.goto(appUrl());
  await openPath(page, path);
  await expect(page.getByTestId('volume-name')).toHaveText('copy.tif');
  await page.getByTestId('open-file').first().click();
  await expect(page.getByTestId('recent-item').first()).toHaveText(path);
});
