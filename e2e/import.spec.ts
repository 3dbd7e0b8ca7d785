// Converting a TIFF that is slow to slice across its pages: the app offers it on opening, converts
// with progress, opens the OME-Zarr copy (whose views show the original's pixels), and a cancel
// leaves nothing behind. The server is told that 1 MiB is "large", so small files are offered it.
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect, test } from './support/test';
import { compareView, openFresh, waitForSlice } from './support/viewer';
import { SAMPLE_PATH, type TestVolume, readSample } from './support/volume';
import { stackTiff } from './support/tiff';

// A conversion runs in the test: allow for a busy machine.
test.setTimeout(120_000);

let folder: string;
let sample: TestVolume;
test.beforeAll(async () => {
  process.env.TOMOSEG_SLOW_BROWSE_BYTES = String(1024 ** 2);
  folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-import-'));
  sample = await readSample();
});
test.afterAll(async () => {
  delete process.env.TOMOSEG_SLOW_BROWSE_BYTES;
  await rm(folder, { recursive: true, force: true });
});

interface JobEvent {
  kind: string;
  state: string;
  done: number;
  total: number;
  message: string;
}

/** The import job events the server sends the page (frames: u32 header length, JSON header, payloads). */
function importEvents(page: Page): JobEvent[] {
  const seen: JobEvent[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') return;
      const header = JSON.parse(payload.subarray(4, 4 + payload.readUInt32LE(0)).toString('utf8')) as {
        event?: { type: string; job?: JobEvent };
      };
      if (header.event?.type === 'job' && header.event.job?.kind === 'import') seen.push(header.event.job);
    }),
  );
  return seen;
}

/** An 8-bit multi-page TIFF, one strip per page, written without Tomoseg. */
function patternTiff(shape: [number, number, number]): Buffer {
  const [depth, height, width] = shape;
  const data = new Uint8Array(depth * height * width);
  for (let z = 0, i = 0; z < depth; z++) for (let p = 0; p < height * width; p++, i++) data[i] = (p * 7 + z * 13) & 255;
  return stackTiff(shape, data);
}

test('offers to convert a TIFF slow to slice across its pages; the copy opens and shows the same pixels', async ({
  page,
}) => {
  const path = join(folder, 'scan.tif');
  await copyFile(SAMPLE_PATH, path);
  const events = importEvents(page);
  await openFresh(page, path);
  await expect(page.getByTestId('import-reason')).toContainText(
    'Slicing across pages of this 2 MiB TIFF reads every one of them; convert to OME-Zarr',
  );
  await expect(page.getByTestId('import-dest')).toHaveValue(join(folder, 'scan.zarr'));
  await page.getByTestId('import-start').click();

  await expect(page.getByTestId('volume-name')).toHaveText('scan.zarr', { timeout: 60_000 });
  await expect(page.getByTestId('volume-dtype')).toHaveText('uint8');
  await expect(page.getByTestId('import-banner')).toHaveCount(0);
  // Progress went out while it ran, with the time left, and ended complete.
  expect(events.some((e) => e.state === 'running' && e.total > 0 && /converting \d+%/.test(e.message))).toBe(true);
  expect(events.at(-1)).toMatchObject({ state: 'done' });
  expect(events.at(-1)!.done).toBe(events.at(-1)!.total);

  for (const axis of ['z', 'y', 'x'] as const) {
    await waitForSlice(page, axis, 64);
    const { meanAbsDiff, samples } = await compareView(page, sample, axis, 64);
    expect(samples).toBeGreaterThan(100 * 100);
    expect(meanAbsDiff, `${axis} view of the copy against the original`).toBeLessThan(2);
  }
  // The source is untouched, and no longer offered conversion from the copy.
  expect((await readFile(path)).equals(await readFile(SAMPLE_PATH))).toBe(true);
  await expect(page.getByTestId('convert-volume')).toHaveCount(0);
});

test('the volume panel offers conversion; a cancel leaves nothing behind', async ({ page }) => {
  // Large enough that the conversion is still running when Cancel is pressed.
  const path = join(folder, 'big.tif');
  await writeFile(path, patternTiff([256, 512, 512]));
  await openFresh(page, path);
  await expect(page.getByTestId('import-banner')).toBeVisible();
  await page.getByTestId('import-dismiss').click();
  await expect(page.getByTestId('import-banner')).toHaveCount(0);

  await page.getByTestId('convert-volume').click();
  await expect(page.getByTestId('import-dest')).toHaveValue(join(folder, 'big.zarr'));
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await expect(page.getByTestId('import-message')).toContainText(/converting \d+%, about .+ left/);
  await page.getByTestId('import-cancel').click();

  await expect(page.getByTestId('import-notice')).toHaveText('Conversion cancelled: nothing was written.');
  await expect(page.getByTestId('import-notice')).toHaveAttribute('data-kind', 'warning');
  await expect(page.getByTestId('volume-name')).toHaveText('big.tif');
  expect((await readdir(folder)).filter((name) => name.includes('big.zarr'))).toEqual([]);
});
