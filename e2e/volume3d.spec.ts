/// <reference lib="dom" />
// The 3D view of the sample: the tomogram volume-rendered through transfer-function presets and
// the editor, the slice planes following the cursor, and the segment-all result in its class
// colours with per-class visibility. Every check reads the rendered pixels.
import { type Page, expect, test } from './support/test';
import { PNG } from 'pngjs';
import { BLUE, ORANGE, nextFrames, trainOnBoneAndPore } from './support/painting';
import { crosshair, openSample, waitForSlice } from './support/viewer';
import { readSample, valueAt } from './support/volume';

// A smaller window than the other specs': software WebGL ray-casts every pixel of the 3D view, so
// half the pixels make each frame about half as slow.
test.use({ viewport: { width: 960, height: 600 } });

/** The views' background (VIEW_BACKGROUND in src/renderer/src/views/colors.ts). */
const BACKGROUND = [11, 12, 14];
/** The z view's colour, which its plane has in 3D. */
const Z_BLUE = [0x53, 0x9b, 0xf5];

interface Picture {
  image: PNG;
  /** RGB of the pixels in the middle half of the view (both ways). */
  middle: number[][];
}

/** Waits until the 3D view has drawn `attribute` ≠ `not`, then reads its pixels. */
async function picture(page: Page, attribute?: string, not = ''): Promise<Picture> {
  const canvas = page.getByTestId('canvas-3d');
  if (attribute) await expect(canvas).not.toHaveAttribute(attribute, not, { timeout: 30_000 });
  await nextFrames(page);
  const image = PNG.sync.read(await canvas.screenshot());
  const middle: number[][] = [];
  for (let y = Math.floor(image.height / 4); y < (3 * image.height) / 4; y++)
    for (let x = Math.floor(image.width / 4); x < (3 * image.width) / 4; x++) {
      const at = (y * image.width + x) * 4;
      middle.push([image.data[at]!, image.data[at + 1]!, image.data[at + 2]!]);
    }
  return { image, middle };
}

const distance = (a: number[], b: number[]): number => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / 3;
/** Pixels that are not background (lines and volume both count). */
const drawn = (pixels: number[][]): number[][] => pixels.filter((p) => distance(p, BACKGROUND) > 25);
const share = (part: number, all: number): number => (all ? part / all : 0);
/** Mean absolute RGB difference of two pictures of the same view. */
const change = (a: Picture, b: Picture): number =>
  a.middle.reduce((sum, p, i) => sum + distance(p, b.middle[i]!), 0) / a.middle.length;
/** Mean colour of pixels. */
const mean = (pixels: number[][]): number[] =>
  [0, 1, 2].map((c) => pixels.reduce((sum, p) => sum + p[c]!, 0) / Math.max(1, pixels.length));
const chroma = ([r, g, b]: number[]): number[] => [r! / (r! + g! + b! || 1), g! / (r! + g! + b! || 1)];
const nearChroma = (pixel: number[], colour: number[]): boolean =>
  Math.hypot(...chroma(pixel).map((c, i) => c - chroma(colour)[i]!)) < 0.06;

const volumeShown = (page: Page): Promise<string | null> =>
  page.getByTestId('canvas-3d').getAttribute('data-shown-volume');

test('the 3D view renders the tomogram and follows the transfer-function presets and editor', async ({ page }) => {
  await openSample(page);
  const grey = await picture(page, 'data-shown-volume');
  const greyDrawn = drawn(grey.middle);
  console.log(`3D view, Grey ramp: ${((100 * greyDrawn.length) / grey.middle.length).toFixed(1)}% of the middle drawn`);
  expect(share(greyDrawn.length, grey.middle.length)).toBeGreaterThan(0.6);
  // Grey ramp: no colour besides the slice planes' thin lines.
  const [r, g, b] = mean(greyDrawn);
  expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThan(12);

  let before = await volumeShown(page);
  await page.getByTestId('tf-preset').selectOption('Dense material');
  const dense = await picture(page, 'data-shown-volume', before!);
  await expect(page.getByTestId('view-3d-preset')).toHaveText('Dense material');
  const [dr, , db] = mean(drawn(dense.middle));
  expect(change(grey, dense)).toBeGreaterThan(10);
  expect(dr! - db!).toBeGreaterThan(15); // bone colours: warm

  before = await volumeShown(page);
  await page.getByTestId('tf-preset').selectOption('Pores / low density');
  const pores = await picture(page, 'data-shown-volume', before!);
  const [pr, , pb] = mean(drawn(pores.middle));
  expect(change(dense, pores)).toBeGreaterThan(10);
  expect(pb! - pr!).toBeGreaterThan(30); // cool colours

  // The editor: a lower opacity makes the picture darker, and the preset becomes "Custom".
  before = await volumeShown(page);
  await page.getByTestId('tf-opacity').fill('0.05');
  const faint = await picture(page, 'data-shown-volume', before!);
  await expect(page.getByTestId('view-3d-preset')).toHaveText('Custom');
  const brightness = (p: Picture): number => mean(p.middle).reduce((a, v) => a + v, 0) / 3;
  expect(brightness(faint)).toBeLessThan(brightness(pores) - 5);

  // Without the tomogram only the outline and the planes' lines (a few pixels wide) remain.
  await page.getByTestId('layer-volume').uncheck();
  await expect(page.getByTestId('canvas-3d')).toHaveAttribute('data-shown-volume', '');
  const empty = await picture(page);
  expect(share(drawn(empty.middle).length, empty.middle.length)).toBeLessThan(0.25);
});

test('moving a slice moves its plane in the 3D view', async ({ page }) => {
  await openSample(page);
  await page.getByTestId('layer-volume').uncheck();
  const canvas = page.getByTestId('canvas-3d');
  await expect(canvas).toHaveAttribute('data-shown-cursor', '64,64,64');
  const planeRows = async (): Promise<number> => {
    await nextFrames(page);
    const image = PNG.sync.read(await canvas.screenshot());
    const rows: number[] = [];
    for (let y = 0; y < image.height; y++)
      for (let x = 0; x < image.width; x++) {
        const at = (y * image.width + x) * 4;
        if (distance([image.data[at]!, image.data[at + 1]!, image.data[at + 2]!], Z_BLUE) < 30) rows.push(y);
      }
    expect(rows.length).toBeGreaterThan(50); // the plane's outline is on screen
    return rows.reduce((a, v) => a + v, 0) / rows.length;
  };
  const middle = await planeRows();
  // z = 0 is at the top of the 3D view, as in the y and x views: a lower z moves the plane up.
  await page.getByTestId('slider-z').fill('16');
  await expect(canvas).toHaveAttribute('data-shown-cursor', '16,64,64');
  const high = await planeRows();
  await page.getByTestId('slider-z').fill('112');
  await expect(canvas).toHaveAttribute('data-shown-cursor', '112,64,64');
  const low = await planeRows();
  console.log(
    `z plane's mean row in the 3D view: z=16 ${high.toFixed(1)}, z=64 ${middle.toFixed(1)}, z=112 ${low.toFixed(1)}`,
  );
  expect(middle - high).toBeGreaterThan(20);
  expect(low - middle).toBeGreaterThan(20);
});

test('the segmentation appears in the 3D view in its class colours, first class hidden by default, per-class visibility respected', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openSample(page);
  await trainOnBoneAndPore(page); // bone "Material 1" (orange), pore "Background" (blue)
  await page.getByTestId('segment-all').click();
  await expect(page.getByTestId('segment-all-job')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  for (const layer of ['volume', 'planes'] as const) await page.getByTestId(`layer-${layer}`).uncheck();

  const classColours = async (): Promise<{ drawn: number; orange: number; blue: number }> => {
    const { middle } = await picture(page, 'data-shown-segmentation');
    const lit = drawn(middle);
    return {
      drawn: share(lit.length, middle.length),
      orange: share(lit.filter((p) => nearChroma(p, ORANGE)).length, lit.length),
      blue: share(lit.filter((p) => nearChroma(p, BLUE)).length, lit.length),
    };
  };
  // By default the first class (here the pores around the bone) is hidden in 3D: the bone shows.
  const byDefault = await classColours();
  console.log(`3D segmentation, by default: ${JSON.stringify(byDefault)}`);
  expect(byDefault.drawn).toBeGreaterThan(0.2);
  expect(byDefault.orange).toBeGreaterThan(0.8);
  expect(byDefault.blue).toBeLessThan(0.02);

  // Both classes shown: the outside of the block shows both colours.
  await page.getByTestId('layer-background').check();
  await nextFrames(page);
  const both = await classColours();
  console.log(`3D segmentation, both classes: ${JSON.stringify(both)}`);
  expect(both.drawn).toBeGreaterThan(0.5);
  expect(both.orange).toBeGreaterThan(0.05);
  expect(both.blue).toBeGreaterThan(0.05);

  await page.getByTestId('class-visible-1').click(); // hide Background: the bone alone, orange
  await nextFrames(page);
  const bone = await classColours();
  console.log(`3D segmentation, bone only: ${JSON.stringify(bone)}`);
  expect(bone.drawn).toBeGreaterThan(0.2);
  expect(bone.orange).toBeGreaterThan(0.8);
  expect(bone.blue).toBeLessThan(0.02);

  await page.getByTestId('class-visible-1').click();
  await page.getByTestId('class-visible-2').click(); // the pores alone, blue
  await nextFrames(page);
  const pores = await classColours();
  console.log(`3D segmentation, pores only: ${JSON.stringify(pores)}`);
  expect(pores.blue).toBeGreaterThan(0.8);
  expect(pores.orange).toBeLessThan(0.02);
});

test('a click in the 3D view moves the crosshair to the point clicked, a drag does not', async ({ page }) => {
  await openSample(page);
  const sample = await readSample();
  const canvas = page.getByTestId('canvas-3d');
  await expect(canvas).not.toHaveAttribute('data-shown-volume', '', { timeout: 30_000 });
  await page.getByTestId('tf-preset').selectOption('Dense material');
  const box = (await canvas.boundingBox())!;
  /** Clicks at a fraction of the view's width and height; the crosshair and slices it leads to. */
  const clickAt = async (fx: number, fy: number): Promise<[number, number, number]> => {
    const before = await crosshair(page);
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
    await expect(page.getByTestId('app')).not.toHaveAttribute('data-cursor', before.join(','));
    const cursor = await crosshair(page);
    // The slice views jump there.
    for (const [i, axis] of (['z', 'y', 'x'] as const).entries()) await waitForSlice(page, axis, cursor[i]!);
    return cursor;
  };
  /** The sample's brightest value in the 3×3×3 voxels around `voxel`. */
  const brightestAround = ([z, y, x]: number[]): number => {
    let brightest = 0;
    for (let dz = -1; dz <= 1; dz++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [k, j, i] = [z! + dz, y! + dy, x! + dx].map((v) => Math.min(127, Math.max(0, v)));
          brightest = Math.max(brightest, valueAt(sample, k!, j!, i!));
        }
    return brightest;
  };
  /** How far `voxel` lies from the volume's centre towards the camera (resetCamera's direction). */
  const towardsCamera = ([z, y, x]: number[]): number => {
    const eye = [-1, -1.6, -1.1];
    const norm = Math.hypot(...eye);
    return [x!, y!, z!].reduce((sum, v, a) => sum + ((v - 63.5) * eye[a]!) / norm, 0);
  };

  // "Dense material" shows the bone (≥ 195 on the sample) and hides the rest: a click lands on
  // the bone's near surface, higher on the screen at a lower z (z = 0 is at the top).
  const upper = await clickAt(0.5, 0.35);
  const lower = await clickAt(0.5, 0.65);
  console.log(`3D clicks on the bone: upper ${upper.join(',')}, lower ${lower.join(',')}`);
  for (const voxel of [upper, lower]) {
    expect(brightestAround(voxel)).toBeGreaterThan(150);
    expect(towardsCamera(voxel)).toBeGreaterThan(0);
  }
  expect(lower[0] - upper[0]).toBeGreaterThan(10);

  // Without the tomogram a click lands on a slice plane through the crosshair: one index stays.
  await page.getByTestId('layer-volume').uncheck();
  const onPlane = await clickAt(0.45, 0.5);
  console.log(`3D click on the planes through ${lower.join(',')}: ${onPlane.join(',')}`);
  expect(onPlane.filter((v, i) => v === lower[i]).length).toBeGreaterThanOrEqual(1);
  // The marker, a small white cross at the crosshair, is drawn where the click was.
  await expect(canvas).toHaveAttribute('data-shown-cursor', onPlane.join(','));
  await nextFrames(page);
  const image = PNG.sync.read(await canvas.screenshot());
  const white: number[][] = [];
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const at = (y * image.width + x) * 4;
      if (Math.min(image.data[at]!, image.data[at + 1]!, image.data[at + 2]!) > 220) white.push([x, y]);
    }
  const [markerX, markerY] = mean(white);
  console.log(`marker: ${white.length} pixels around (${markerX!.toFixed(1)}, ${markerY!.toFixed(1)})`);
  expect(white.length).toBeGreaterThan(10);
  expect(Math.hypot(markerX! - 0.45 * box.width, markerY! - 0.5 * box.height)).toBeLessThan(4);

  // A drag turns the view and leaves the crosshair where it is.
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.55, { steps: 4 });
  await page.mouse.up();
  await nextFrames(page);
  expect(await crosshair(page)).toEqual(onPlane);
});
