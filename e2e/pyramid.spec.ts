// A multiscale OME-Zarr, written here without Tomoseg: each slice view reads the coarsest level
// that still fills its screen pixels (a small one stands in first), goes to full resolution when
// zoomed in, and shows the level's pixels where the full-resolution slice would be.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect, test } from './support/test';
import { compareView, openFresh, waitForSlice } from './support/viewer';
import type { Axis, TestVolume } from './support/volume';

const SHAPE: [number, number, number] = [32, 1024, 1024];
const CHUNK: [number, number, number] = [32, 256, 256];
const LEVELS = 3;
/** Same bound as the viewer e2e: mean grey-level difference of the right slice. */
const MAX_DIFF = 2;

/** Smooth and asymmetric, so that a level drawn at the wrong place or scale shows. */
const valueOf = (z: number, y: number, x: number): number =>
  Math.round(40 + 180 * (0.5 + 0.5 * Math.sin(x / 90 + z / 6)) * (0.5 + 0.5 * Math.cos(y / 130)));

/** Level 0 and its 2× block means, as an OME-Zarr writer would store them. */
function pyramid(): TestVolume[] {
  const levels: TestVolume[] = [];
  let shape = SHAPE;
  let data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0, i = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++, i++) data[i] = valueOf(z, y, x);
  levels.push({ shape, data });
  for (let level = 1; level < LEVELS; level++) {
    const [, ny, nx] = shape;
    const half = shape.map((n) => n / 2) as [number, number, number];
    const next = new Uint8Array(half[0] * half[1] * half[2]);
    for (let z = 0, o = 0; z < half[0]; z++)
      for (let y = 0; y < half[1]; y++)
        for (let x = 0; x < half[2]; x++, o++) {
          let sum = 0;
          for (let d = 0; d < 8; d++)
            sum += data[((2 * z + (d >> 2)) * ny + 2 * y + ((d >> 1) & 1)) * nx + 2 * x + (d & 1)]!;
          next[o] = Math.round(sum / 8);
        }
    shape = half;
    data = next;
    levels.push({ shape, data });
  }
  return levels;
}

/** Zarr v2, uncompressed, OME-Zarr 0.4 multiscales; chunk (c, b, a) holds its part of each level. */
async function writeOmeZarr(path: string, levels: TestVolume[]): Promise<void> {
  await mkdir(path);
  await writeFile(join(path, '.zgroup'), JSON.stringify({ zarr_format: 2 }));
  const axes = ['z', 'y', 'x'].map((name) => ({ name, type: 'space', unit: 'micrometer' }));
  const datasets = levels.map((_, level) => ({
    path: String(level),
    coordinateTransformations: [{ type: 'scale', scale: [1, 1, 1].map(() => 2 ** level) }],
  }));
  await writeFile(join(path, '.zattrs'), JSON.stringify({ multiscales: [{ version: '0.4', axes, datasets }] }));
  for (const [level, { shape, data }] of levels.entries()) {
    const folder = join(path, String(level));
    await mkdir(folder);
    const chunks = shape.map((n, a) => Math.min(n, CHUNK[a]!)) as [number, number, number];
    const zarray = {
      zarr_format: 2,
      shape,
      chunks,
      dtype: '|u1',
      compressor: null,
      fill_value: 0,
      order: 'C',
      filters: null,
    };
    await writeFile(join(folder, '.zarray'), JSON.stringify(zarray));
    const [cz, cy, cx] = chunks;
    for (let z0 = 0; z0 < shape[0]; z0 += cz)
      for (let y0 = 0; y0 < shape[1]; y0 += cy)
        for (let x0 = 0; x0 < shape[2]; x0 += cx) {
          const chunk = new Uint8Array(cz * cy * cx);
          for (let z = 0; z < cz; z++)
            for (let y = 0; y < cy; y++)
              chunk.set(
                data.subarray(
                  ((z0 + z) * shape[1] + y0 + y) * shape[2] + x0,
                  ((z0 + z) * shape[1] + y0 + y) * shape[2] + x0 + cx,
                ),
                (z * cy + y) * cx,
              );
          await writeFile(join(folder, `${z0 / cz}.${y0 / cy}.${x0 / cx}`), chunk);
        }
  }
}

let folder: string;
let levels: TestVolume[];
test.beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-pyramid-'));
  levels = pyramid();
  await writeOmeZarr(join(folder, 'scan.zarr'), levels);
});
test.afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The level the view should read at its fitted zoom: the coarsest whose voxels fit in a screen pixel. */
async function fittedLevel(page: Page, axis: Axis): Promise<number> {
  const [, , width] = (await page.getByTestId(`canvas-${axis}`).getAttribute('data-image-rect'))!
    .split(',')
    .map(Number);
  const voxelsPerPixel = SHAPE[2] / width!;
  return Math.min(LEVELS - 1, Math.floor(Math.log2(voxelsPerPixel)));
}

async function expectLevel(page: Page, axis: Axis, level: number, index: number): Promise<void> {
  await expect(page.getByTestId(`canvas-${axis}`)).toHaveAttribute('data-shown-level', String(level));
  await waitForSlice(page, axis, index);
  const factor = 2 ** level;
  const comparison = await compareView(page, levels[level]!, axis, Math.floor(index / factor), factor);
  const report = `${axis} view at level ${level}: diff ${comparison.meanAbsDiff.toFixed(2)} over ${comparison.samples} voxels`;
  test.info().annotations.push({ type: 'pixels', description: report });
  expect(comparison.samples, report).toBeGreaterThan(500);
  expect(comparison.meanAbsDiff, report).toBeLessThan(MAX_DIFF);
}

test('slice views read the pyramid level their zoom needs', async ({ page }) => {
  await openFresh(page, join(folder, 'scan.zarr'));
  await expect(page.getByTestId('volume-name')).toHaveText('scan.zarr');

  const level = await fittedLevel(page, 'z');
  // A 1024² slice shown in a few hundred screen pixels: reading full resolution would be waste.
  expect(level).toBeGreaterThan(0);
  await expectLevel(page, 'z', level, 16);
  await expectLevel(page, 'y', await fittedLevel(page, 'y'), 512);

  // Zoomed in far enough, the view goes to full resolution.
  await page.getByTestId('canvas-z').hover();
  await page.keyboard.down('Control');
  for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await expectLevel(page, 'z', 0, 16);
});
