/// <reference lib="dom" />
// Meshing the segmented sample: paint bone and pore, train, segment all (the model panel's
// buttons), then build the bone mesh in the mesh panel: from the bone's probability map by default,
// progress, the objects' table, the 3D view drawn in the objects' colours, a binary STL export
// checked on disk; then the same class meshed from the labels has more surface (the staircase);
// then the class's objects measured from its voxels, without a mesh.
import { expect, test } from './support/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { nextFrames, trainOnBoneAndPore } from './support/painting';
import { openSample } from './support/viewer';

test('build, show, measure and export the mesh of a segmented class', async ({ page }) => {
  test.setTimeout(900_000);
  await openSample(page);
  await trainOnBoneAndPore(page);

  // Before segment-all the mesh panel says what is missing.
  await expect(page.getByTestId('mesh-class')).toHaveValue('2');
  await page.getByTestId('build-mesh').click();
  await expect(page.getByTestId('mesh-notice')).toContainText('no segmentation yet');

  await page.getByTestId('segment-all').click();
  await expect(page.getByTestId('segment-all-job')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });

  // A bad parameter is refused with the engine's message.
  await page.getByTestId('mesh-edge-length').fill('0.01');
  await page.getByTestId('build-mesh').click();
  await expect(page.getByTestId('mesh-notice')).toContainText('below a tenth of the voxel size');
  await page.getByTestId('mesh-edge-length').fill('');

  // Cancel stops a build.
  await page.getByTestId('build-mesh').click();
  await page.getByTestId('mesh-cancel').click();
  await expect(page.getByTestId('mesh-job')).toHaveAttribute('data-state', 'cancelled');

  await page.getByTestId('mesh-min-volume').fill('1000');
  const started = Date.now();
  await page.getByTestId('build-mesh').click();
  await expect(page.getByTestId('mesh-job')).toHaveAttribute('data-state', 'done', { timeout: 400_000 });
  const summary = (await page.getByTestId('mesh-summary').textContent())!;
  console.log(`mesh of the bone class: ${summary}; ${Date.now() - started} ms from click to table`);
  await expect(page.getByTestId('mesh-source-used')).toHaveText('probabilities');
  const objects = Number(/^(\d+) object/.exec(summary)![1]);
  expect(objects).toBeGreaterThan(0);
  const rows = page.getByTestId('mesh-object');
  expect(await rows.count()).toBe(Math.min(objects, 200));
  const first = (await rows.first().locator('td').allTextContents()).map((text) => text.trim());
  expect(Number(first[1])).toBeGreaterThanOrEqual(1000); // volume ≥ the minimum
  expect(Number(first[2])).toBeGreaterThan(0); // area
  expect(Number(first[3])).toBeGreaterThan(0);
  expect(Number(first[3])).toBeLessThanOrEqual(1.0001); // sphericity

  // The 3D view draws the objects in the colours of their table swatches: lit surfaces keep
  // their colour's chromaticity (diffuse shading only scales it).
  const swatches = await rows
    .locator('.mesh-swatch')
    .evaluateAll((elements) => elements.map((e) => getComputedStyle(e).backgroundColor.match(/\d+/g)!.map(Number)));
  const chroma = ([r, g, b]: number[]): number[] => [r! / (r! + g! + b!), g! / (r! + g! + b!)];
  const palette = swatches.map(chroma);
  // The mesh alone in the 3D view.
  for (const layer of ['volume', 'segmentation', 'planes']) await page.getByTestId(`layer-${layer}`).uncheck();
  const view = page.getByTestId('canvas-3d');
  await expect(view).toHaveAttribute('data-shown-volume', '');
  await expect(view).toHaveAttribute('data-shown-segmentation', '');
  await expect(view).not.toHaveAttribute('data-shown-mesh', '');
  await nextFrames(page);
  const image = PNG.sync.read(await view.screenshot());
  let lit = 0;
  let inObjectColour = 0;
  for (let at = 0; at < image.data.length; at += 4) {
    const pixel = [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
    if (pixel[0]! + pixel[1]! + pixel[2]! < 90) continue; // background or surfaces seen edge-on
    lit++;
    const [x, y] = chroma(pixel);
    if (palette.some(([px, py]) => Math.hypot(x! - px!, y! - py!) < 0.04)) inObjectColour++;
  }
  const pixels = image.width * image.height;
  console.log(
    `3D view: ${((100 * lit) / pixels).toFixed(1)}% lit pixels, ${((100 * inObjectColour) / lit).toFixed(1)}% of them in an object colour`,
  );
  expect(lit / pixels).toBeGreaterThan(0.01);
  expect(inObjectColour / lit).toBeGreaterThan(0.8);

  // Export a binary STL and read its header back.
  const folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-mesh-'));
  try {
    const path = join(folder, 'bone.stl');
    await page.getByTestId('mesh-export-path').fill(path);
    await page.getByTestId('mesh-csv-path').fill(join(folder, 'bone.csv'));
    await page.getByTestId('export-mesh').click();
    await expect(page.getByTestId('mesh-notice')).toContainText(`Exported to ${path}`);
    await expect(page.getByTestId('mesh-notice')).toHaveAttribute('data-kind', 'done');
    const stl = await readFile(path);
    const triangles = stl.readUInt32LE(80);
    expect(triangles).toBeGreaterThan(0);
    expect(stl.length).toBe(84 + 50 * triangles);
    const csv = (await readFile(join(folder, 'bone.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(objects + 1);
    // exporting again asks before replacing the file; declined, nothing is written
    const asked: string[] = [];
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await writeFile(path, 'kept');
    await page.getByTestId('export-mesh').click();
    await expect.poll(() => asked).toEqual([`${path}: already exists.\n\nReplace it?`]);
    await expect(page.getByTestId('mesh-notice')).toHaveAttribute('data-kind', 'done');
    expect(await readFile(path, 'utf8')).toBe('kept');

    // The same class from its labels: refined on a smooth field built from them, the surface is
    // no staircase (whose area is about a quarter too large) and agrees with the probability
    // surface's.
    await page.getByTestId('mesh-source').selectOption('labels');
    await page.getByTestId('build-mesh').click();
    await expect(page.getByTestId('mesh-job')).toHaveAttribute('data-state', 'done', { timeout: 400_000 });
    await expect(page.getByTestId('mesh-source-used')).toHaveText('labels');
    await page.getByTestId('mesh-export-path').fill(join(folder, 'bone-labels.stl'));
    await page.getByTestId('mesh-csv-path').fill(join(folder, 'bone-labels.csv'));
    await page.getByTestId('export-mesh').click();
    await expect(page.getByTestId('mesh-notice')).toContainText('Exported to');
    const fromProbabilities = totalArea(await readFile(join(folder, 'bone.csv'), 'utf8'));
    const fromLabels = totalArea(await readFile(join(folder, 'bone-labels.csv'), 'utf8'));
    console.log(
      `bone surface area: ${fromProbabilities.toFixed(0)} from the probabilities, ${fromLabels.toFixed(0)} from the labels`,
    );
    expect(Math.abs(fromLabels / fromProbabilities - 1)).toBeLessThan(0.05);

    // The bone's objects measured from the voxels alone, without a mesh: every bone voxel in one
    // of them, so their volumes add up to the class's share of the scan.
    const objectsPath = join(folder, 'bone-objects.csv');
    await page.getByTestId('objects-path').fill(objectsPath);
    await page.getByTestId('measure-objects').click();
    await expect(page.getByTestId('mesh-notice')).toHaveAttribute('data-kind', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('mesh-notice')).toContainText(
      `objects of "Material 1" measured: written to ${objectsPath}`,
    );
    const [header, ...rows] = (await readFile(objectsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((r) => r.split(','));
    const column = (name: string): number => header!.indexOf(name);
    expect(rows.length).toBeGreaterThan(0);
    const voxelVolume = (250 / 128) ** 3; // the sample's voxels are 1.953 units wide
    const total = rows.reduce((sum, r) => sum + Number(r[column('volume')]), 0);
    const fraction = Number(rows[0]![column('class_fraction')]);
    expect(total / (fraction * 128 ** 3 * voxelVolume)).toBeCloseTo(1, 5);
    // the area estimated from the voxel faces is near the meshed surface's
    const voxelArea = rows.reduce((sum, r) => sum + Number(r[column('surface_area')]), 0);
    console.log(`bone surface area from the voxel faces: ${voxelArea.toFixed(0)}`);
    expect(Math.abs(voxelArea / fromProbabilities - 1)).toBeLessThan(0.15);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

/** Sum of the surface_area column of a measurements CSV. */
function totalArea(csv: string): number {
  const [header, ...rows] = csv.trim().split('\n');
  const column = header!.split(',').indexOf('surface_area');
  return rows.reduce((sum, row) => sum + Number(row.split(',')[column]), 0);
}
