/// <reference lib="dom" />
// HDF5 files written by another tool (h5py): one with two 3D datasets asks which to open, and the
// slice views then show the picked dataset's voxels; one with a single 3D dataset opens directly.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python } from '../src/main/volume/testing/python';
import { type Page, expect, test } from './support/test';
import { compareView, imageRect, openFresh, openPath, waitForSlice } from './support/viewer';
import type { TestVolume } from './support/volume';

const SHAPE: [number, number, number] = [12, 40, 48];
/** Same bound as the viewer e2e: mean grey-level difference of the right slice. */
const MAX_DIFF = 2;

/** Distinct smooth patterns, so that the wrong dataset shows. */
const first = (z: number, y: number, x: number): number => (20 + 3 * z + y + x) % 256;
const second = (z: number, y: number, x: number): number =>
  Math.round(30 + 100 * (1 + Math.sin(x / 7 + z / 3)) * (0.5 + 0.5 * Math.cos(y / 9)));

function volumeOf(value: (z: number, y: number, x: number) => number): TestVolume {
  const data = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  for (let z = 0, i = 0; z < SHAPE[0]; z++)
    for (let y = 0; y < SHAPE[1]; y++) for (let x = 0; x < SHAPE[2]; x++, i++) data[i] = value(z, y, x);
  return { shape: SHAPE, data };
}

/** Writes `datasets` (path → voxels, uint8, chunked and gzip-compressed) into a new HDF5 file with h5py. */
function writeHdf5(file: string, datasets: Record<string, TestVolume>): void {
  const raw = Object.fromEntries(
    Object.entries(datasets).map(([path, volume]) => [path, Buffer.from(volume.data).toString('base64')]),
  );
  python(
    `
import base64, json, sys, numpy as np, h5py
shape = tuple(json.loads(sys.argv[2]))
with h5py.File(sys.argv[1], 'w') as f:
    for path, data in json.loads(sys.argv[3]).items():
        a = np.frombuffer(base64.b64decode(data), np.uint8).reshape(shape)
        f.create_dataset(path, data=a, chunks=(4, 16, 16), compression='gzip')
`,
    file,
    JSON.stringify(SHAPE),
    JSON.stringify(raw),
  );
}

let folder: string;
test.beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-hdf5-'));
});
test.afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The z view shows `volume` (pixels at every voxel centre), and the readout gives a voxel's own value. */
async function expectShown(page: Page, volume: TestVolume): Promise<void> {
  // A volume opens at its centre.
  const shown = Math.floor(SHAPE[0] / 2);
  await waitForSlice(page, 'z', shown);
  const { meanAbsDiff, samples } = await compareView(page, volume, 'z', shown);
  expect(samples).toBeGreaterThan(1000);
  expect(meanAbsDiff).toBeLessThan(MAX_DIFF);
  // The readout under the pointer: voxel (shown, 5, 30).
  const [left, top, width, height] = await imageRect(page, 'z');
  const box = (await page.getByTestId('canvas-z').boundingBox())!;
  const [row, column] = [5, 30];
  await page.mouse.move(
    box.x + left + ((column + 0.5) * width) / SHAPE[2],
    box.y + top + ((row + 0.5) * height) / SHAPE[1],
  );
  await expect(page.getByTestId('cursor-voxel')).toHaveText(`z ${shown} · y ${row} · x ${column}`);
  const value = volume.data[(shown * SHAPE[1] + row) * SHAPE[2] + column]!;
  await expect(page.getByTestId('cursor-value')).toHaveText(String(value));
}

test('a file with two 3D datasets asks which to open and shows the one picked', async ({ page }) => {
  const file = join(folder, 'two-scans.h5');
  const picked = volumeOf(second);
  writeHdf5(file, { '/scans/first': volumeOf(first), '/scans/second': picked });
  await openFresh(page, file);

  const picker = page.getByTestId('dataset-picker');
  await expect(picker).toBeVisible();
  const options = picker.getByTestId('dataset-option');
  await expect(options).toHaveCount(2);
  await expect(options.nth(0)).toHaveAttribute('data-path', '/scans/first');
  await expect(options.nth(1)).toContainText('/scans/second');
  await expect(options.nth(1)).toContainText(`${SHAPE.join('×')} uint8, chunks 4×16×16`);
  // No NeXus default nor known path: nothing is marked default.
  await expect(picker.getByTestId('dataset-default')).toHaveCount(0);

  await options.nth(1).click();
  await picker.getByTestId('dataset-open').click();
  await expect(picker).toBeHidden();
  await expect(page.getByTestId('volume-dtype')).toHaveText('uint8');
  await expect(page.getByTestId('volume-panel')).toContainText('HDF5 /scans/second');
  await expectShown(page, picked);
});

test('cancelling the choice opens nothing; a file with one 3D dataset opens directly', async ({ page }) => {
  const two = join(folder, 'cancel.h5');
  writeHdf5(two, { '/a': volumeOf(first), '/b': volumeOf(second) });
  await openFresh(page, two);
  await expect(page.getByTestId('dataset-picker')).toBeVisible();
  await page.getByTestId('dataset-cancel').click();
  await expect(page.getByTestId('dataset-picker')).toBeHidden();
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByTestId('app-message')).toBeHidden();

  const one = join(folder, 'one-scan.h5');
  const only = volumeOf(second);
  writeHdf5(one, { '/entry/scan': only });
  await openPath(page, one);
  await expect(page.getByTestId('volume-panel')).toContainText('HDF5 /entry/scan');
  await expect(page.getByTestId('dataset-picker')).toBeHidden();
  await expectShown(page, only);
});
