/// <reference lib="dom" />
// Projects in the browser: painted labels saved in a project come back after closing it, after
// moving it with its data, after a relink and through an exported bundle; a damaged project file
// gets a message naming it and is left unchanged; a project locked by another instance opens
// read-only with a notice. Save without a project creates one; a trained model and a segment-all
// result saved in a project show again, without training, after the server restarts.
import Database from 'better-sqlite3';
import { type Page, expect, test } from './support/test';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PREDICTION_ALPHA, boneAndPoreAgreement, nextFrames, trainOnBoneAndPore } from './support/painting';
import { tinyTiff } from './support/tiff';
import { appUrl, imageRect, openPath, openSample } from './support/viewer';
import { SAMPLE_PATH, type TestVolume, readSample } from './support/volume';

let folder: string;
test.beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tomoseg-e2e-project-'));
});
test.afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Clicks a project button and fills its dialog's path fields. */
async function projectDialog(page: Page, button: string, ...paths: string[]): Promise<void> {
  await page.getByTestId(button).click();
  for (const [index, path] of paths.entries()) await page.getByTestId(`project-path-${index}`).fill(path);
  await page.getByTestId('project-dialog-submit').click();
}

/** Opens a copy of the sample and waits until it shows. */
async function openScan(page: Page, path: string): Promise<void> {
  await openPath(page, path);
  await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
}

/** A brush stroke across row 30 of the z view, painted through the UI. */
async function paintStroke(page: Page): Promise<void> {
  await page.getByTestId('tool-paint').click();
  const box = (await page.getByTestId('canvas-z').boundingBox())!;
  const [left, top, width, height] = await imageRect(page, 'z');
  const at = (column: number, row: number): [number, number] => [
    box.x + left + ((column + 0.5) * width) / 128,
    box.y + top + ((row + 0.5) * height) / 128,
  ];
  await page.mouse.move(...at(20, 30));
  await page.mouse.down();
  await page.mouse.move(...at(60, 30), { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('brush-preview').locator('polyline')).toHaveCount(0);
}

/** Saves and returns the labelled voxel count the project shows (more than zero). */
async function saveAndCount(page: Page): Promise<number> {
  await page.getByTestId('project-save').click();
  const volume = page.getByTestId('project-volume');
  await expect(volume).not.toHaveAttribute('data-labelled', '0');
  return Number(await volume.getAttribute('data-labelled'));
}

async function closeProject(page: Page): Promise<void> {
  await page.getByTestId('project-close').click();
  await expect(page.getByTestId('project-name')).toHaveText('none');
  await expect(page.getByTestId('empty-state')).toBeVisible();
}

async function expectFound(page: Page, labelled: number, foundBy: string): Promise<void> {
  const volume = page.getByTestId('project-volume');
  await expect(volume).toHaveAttribute('data-status', 'found');
  await expect(volume).toHaveAttribute('data-found-by', foundBy);
  await expect(volume).toHaveAttribute('data-labelled', String(labelled));
  await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
  await expect(page.locator('[data-testid="project-message"][data-kind="error"]')).toBeHidden();
}

/** Opens the sample and makes a project of it in `folder/<name>/`; returns the project's path. */
async function sampleProject(page: Page, name: string): Promise<string> {
  await mkdir(join(folder, name));
  await openSample(page);
  await projectDialog(page, 'project-new', join(folder, name, name));
  await expect(page.getByTestId('project-name')).toHaveText(name);
  return join(folder, name, `${name}.tomoseg`);
}

test('labels painted on the sample are saved in a project and come back when it is reopened', async ({ page }) => {
  const path = await sampleProject(page, 'study');
  await expect(page.getByTestId('project-volume')).toHaveAttribute('data-found-by', 'added');
  await paintStroke(page);
  const labelled = await saveAndCount(page);
  await closeProject(page);

  await projectDialog(page, 'project-open', path);
  await expect(page.getByTestId('project-name')).toHaveText('study');
  await expectFound(page, labelled, 'relative');
  await expect(page.getByTestId('volume-name')).toHaveText('bone_128x128x128.tif');
  await expect(page.getByTestId('project-readonly')).toBeHidden();

  // Another file opened in its place closes the project's volume; showing it again brings its labels back.
  const other = join(folder, 'study', 'other.tif');
  await writeFile(
    other,
    tinyTiff({ width: 4, height: 4, bitsPerSample: 8, sampleFormat: 1, data: new Uint8Array(16) }),
  );
  await openPath(page, other);
  await expect(page.getByTestId('volume-name')).toHaveText('other.tif');
  await expect(page.getByTestId('project-volume')).toHaveAttribute('data-status', 'closed');
  await expect(page.getByTestId('project-add-volume')).toBeVisible();
  await page.getByTestId('project-volume-show').click();
  await expectFound(page, labelled, 'reopened');
  await expect(page.getByTestId('volume-name')).toHaveText('bone_128x128x128.tif');

  // Offered again under Recent.
  await closeProject(page);
  await page.getByTestId('project-open').click();
  await expect(page.getByTestId('project-recent').getByRole('button').first()).toHaveText(path);
});

test('a project moved with its data is found by relative path; renamed data is relinked', async ({ page }) => {
  const work = join(folder, 'work');
  await mkdir(join(work, 'data'), { recursive: true });
  await copyFile(SAMPLE_PATH, join(work, 'data', 'scan.tif'));
  await page.goto(appUrl());
  await openScan(page, join(work, 'data', 'scan.tif'));
  await projectDialog(page, 'project-new', join(work, 'study.tomoseg'));
  await paintStroke(page);
  const labelled = await saveAndCount(page);
  await closeProject(page);

  const moved = join(folder, 'moved');
  await rename(work, moved);
  await projectDialog(page, 'project-open', join(moved, 'study.tomoseg'));
  await expectFound(page, labelled, 'relative');
  await expect(page.getByTestId('status')).toHaveText(join(moved, 'data', 'scan.tif'));
  await closeProject(page);

  // Out of the search's reach (the project's folder and its parent, two levels down).
  const far = join(folder, 'far', 'a', 'b');
  await mkdir(far, { recursive: true });
  await rename(join(moved, 'data', 'scan.tif'), join(far, 'renamed.tif'));
  await writeFile(
    join(far, 'small.tif'),
    tinyTiff({ width: 4, height: 4, bitsPerSample: 8, sampleFormat: 1, data: new Uint8Array(16) }),
  );
  await projectDialog(page, 'project-open', join(moved, 'study.tomoseg'));
  await expect(page.getByTestId('project-volume')).toHaveAttribute('data-status', 'missing');
  await expect(page.getByTestId('project-notice')).toContainText('Not found: "scan.tif"');
  const row = page.getByTestId('relink-row');
  await expect(row).toContainText('scan.tif');
  await row.getByTestId('relink-path').fill(join(far, 'small.tif'));
  await row.getByTestId('relink-check').click();
  await expect(row.getByTestId('relink-result')).toContainText(/shape \[1, 4, 4\].*cannot be linked/);
  await row.getByTestId('relink-path').fill(join(far, 'renamed.tif'));
  await row.getByTestId('relink-check').click();
  await expect(row.getByTestId('relink-result')).toHaveText(/Linked: shape, type and sampled data match/);
  await page.getByTestId('relink-close').click();
  await expectFound(page, labelled, 'relink');
  await expect(page.getByTestId('project-notice')).toBeHidden();
});

test('an exported bundle with its data and a half-resolution copy imports elsewhere with its labels', async ({
  page,
}) => {
  await mkdir(join(folder, 'colleague'));
  await sampleProject(page, 'shared');
  await paintStroke(page);
  const labelled = await saveAndCount(page);
  const bundle = join(folder, 'shared', 'shared-bundle');
  await page.getByTestId('project-export').click();
  await page.getByTestId('project-path-0').fill(bundle);
  await page.getByTestId('project-include-data').check();
  await page.getByTestId('project-include-preview').check();
  await page.getByTestId('project-dialog-submit').click();
  await expect(page.getByTestId('project-message-text')).toHaveText(`Exported to ${bundle}`);
  await expect(page.getByTestId('project-message')).toHaveAttribute('data-kind', 'done');
  const manifest = JSON.parse(await readFile(join(bundle, 'tomoseg-bundle.json'), 'utf8'));
  expect(manifest.previews).toEqual([
    { volumeId: expect.any(String), path: 'preview/bone_128x128x128-half.zarr', factor: 2 },
  ]);
  await closeProject(page);

  await projectDialog(page, 'project-import', bundle, join(folder, 'colleague'));
  await expect(page.getByTestId('project-name')).toHaveText('shared');
  await expectFound(page, labelled, 'relative');
  await expect(page.getByTestId('status')).toHaveText(
    join(folder, 'colleague', 'shared-bundle', 'data', 'bone_128x128x128.tif'),
  );
});

test('a damaged project file gets a message naming it, is left unchanged, and the open project stays', async ({
  page,
}) => {
  const kept = await sampleProject(page, 'kept');
  // Continue in a copy, so `kept` is closed and complete, ready to be cut.
  await projectDialog(page, 'project-save-as', join(folder, 'kept', 'copy'));
  await expect(page.getByTestId('project-name')).toHaveAttribute('title', join(folder, 'kept', 'copy.tomoseg'));
  const whole = await readFile(kept);
  const cases = [
    { file: 'noise.tomoseg', bytes: randomBytes(8192), problem: 'is not a Tomoseg project (not a SQLite database)' },
    { file: 'cut.tomoseg', bytes: whole.subarray(0, Math.floor(whole.length / 2)), problem: 'is damaged' },
  ];
  for (const { file, bytes, problem } of cases) {
    const path = join(folder, 'kept', file);
    await writeFile(path, bytes);
    await projectDialog(page, 'project-open', path);
    await expect(page.getByTestId('project-message')).toHaveAttribute('data-kind', 'error');
    await expect(page.getByTestId('project-message')).toContainText(file);
    await expect(page.getByTestId('project-message-text')).toContainText(`${path} ${problem}`);
    await expect(page.getByTestId('project-name')).toHaveText('kept');
    expect((await readFile(path)).equals(bytes)).toBe(true);
  }
});

test('a project another Tomoseg has open for writing opens read-only; Save As continues in a copy', async ({
  page,
}) => {
  const path = await sampleProject(page, 'locked');
  await closeProject(page);
  // The lock another live instance on this host would hold (this test runner's process stands in for it).
  const db = new Database(path);
  db.prepare('INSERT OR REPLACE INTO lock (id, pid, hostname, token, heartbeat) VALUES (1, ?, ?, ?, ?)').run(
    process.pid,
    hostname(),
    'e2e',
    Date.now(),
  );
  db.close();
  await projectDialog(page, 'project-open', path);
  await expect(page.getByTestId('project-readonly')).toBeVisible();
  await expect(page.getByTestId('project-notice').first()).toHaveText(
    `Read-only: another Tomoseg (process ${process.pid} on ${hostname()}) has it open for writing. Changes are not saved; use Save As to keep them.`,
  );
  await expect(page.getByTestId('project-save')).toBeDisabled();
  await expect(page.getByTestId('project-volume')).toHaveAttribute('data-status', 'found');

  const mine = join(folder, 'locked', 'mine.tomoseg');
  await projectDialog(page, 'project-save-as', mine);
  await expect(page.getByTestId('project-name')).toHaveAttribute('title', mine);
  await expect(page.getByTestId('project-readonly')).toBeHidden();
  await expect(page.getByTestId('project-save')).toBeEnabled();
});

/** Shows only one class overlay on the z view (labels hidden) and checks its bone and pore pixels. */
async function expectOverlayShows(page: Page, which: 'prediction' | 'result'): Promise<void> {
  const shown = which === 'prediction' ? 'prediction-visible' : 'result-visible';
  const hidden = which === 'prediction' ? 'result-visible' : 'prediction-visible';
  await page.getByTestId(shown).check();
  await page.getByTestId(hidden).uncheck();
  const attribute = which === 'prediction' ? 'data-prediction-model' : 'data-result-model';
  await expect(page.getByTestId('canvas-z')).not.toHaveAttribute(attribute, '');
  await nextFrames(page);
  const agreement = await boneAndPoreAgreement(page, sample, 64, PREDICTION_ALPHA);
  expect(agreement.bone, `${which}: bone voxels shown as bone`).toBeGreaterThan(0.8);
  expect(agreement.pore, `${which}: pore voxels shown as pore`).toBeGreaterThan(0.8);
}

let sample: TestVolume;

test('Save with no project asks where and creates it; the model and the result come back after a server restart', async ({
  page,
  restartServer,
}) => {
  test.setTimeout(300_000);
  sample = await readSample();
  await openSample(page);

  // Save is offered before any project exists, and asks where to create one.
  await expect(page.getByTestId('project-name')).toHaveText('none');
  await expect(page.getByTestId('project-save')).toBeEnabled();
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('project-dialog')).toContainText('Save as a new project');
  // A folder path that runs through a file is refused, and the dialog stays to fix it.
  const blocker = join(folder, 'blocker');
  await writeFile(blocker, '');
  await page.getByTestId('project-path-0').fill(join(blocker, 'study'));
  await page.getByTestId('project-dialog-submit').click();
  await expect(page.getByTestId('project-dialog-error')).toContainText('not a folder');
  await expect(page.getByTestId('project-dialog')).toBeVisible();
  // A folder that does not exist yet is created.
  const path = join(folder, 'saved', 'new', 'study.tomoseg');
  await page.getByTestId('project-path-0').fill(path);
  await page.getByTestId('project-dialog-submit').click();
  await expect(page.getByTestId('project-dialog')).toBeHidden();
  await expect(page.getByTestId('project-name')).toHaveText('study');
  await expect(page.getByTestId('project-message-text')).toHaveText(`Saved to ${path}`);
  await expect(page.getByTestId('project-volume')).toHaveAttribute('data-found-by', 'added');

  // Train, segment all, save: the project keeps the model and the result.
  await trainOnBoneAndPore(page);
  await page.getByTestId('segment-all').click();
  await expect(page.getByTestId('segment-all-job')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('canvas-z')).not.toHaveAttribute('data-result-model', '');
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('project-message-text')).toHaveText(
    'Saved study.tomoseg (model and segmentation included)',
  );
  const modelText = (await page.getByTestId('model-info').textContent())!;

  // A restarted server (a new process, fresh settings) opens the project: no training runs, and the
  // prediction and the segment-all result show at once.
  await page.goto(await restartServer());
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await projectDialog(page, 'project-open', path);
  await expect(page.getByTestId('project-name')).toHaveText('study');
  await expect(page.getByTestId('canvas-z')).toHaveAttribute('data-shown-slice', '64');
  await expect(page.getByTestId('model-info')).toHaveText(modelText);
  await expect(page.getByTestId('train-status')).toHaveCount(0);
  await expect(page.getByTestId('project-notice')).toHaveCount(0);
  await page.getByTestId('overlay-visible').click(); // labels hidden: the overlays alone colour the slice
  await expectOverlayShows(page, 'prediction');
  await expectOverlayShows(page, 'result');
  await expect(page.getByTestId('train-status')).toHaveCount(0);
});
