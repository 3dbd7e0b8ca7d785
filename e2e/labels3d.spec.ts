/// <reference lib="dom" />
// The painted labels in the 3D view: strokes of two classes on the sample show in their class
// colours over the tomogram, where they were painted (a click on one leads there), hidden with
// their class, gone on undo. Every check reads the rendered pixels.
import { type Page, expect, test } from './support/test';
import { PNG } from 'pngjs';
import { BONE, PORE, nextFrames, settled, stroke } from './support/painting';
import { crosshair, openSample } from './support/viewer';

// Software WebGL ray-casts every pixel of the 3D view: a small window keeps frames quick.
test.use({ viewport: { width: 960, height: 600 } });

type Point = [number, number];

/**
 * Pixels of the 3D view tinted by "Material 1"'s orange or "Background"'s blue (the grey tomogram
 * has red ≈ green ≈ blue; the slice planes are hidden).
 */
async function tinted(page: Page): Promise<{ orange: Point[]; blue: Point[] }> {
  await nextFrames(page);
  const image = PNG.sync.read(await page.getByTestId('canvas-3d').screenshot());
  const orange: Point[] = [];
  const blue: Point[] = [];
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const at = (y * image.width + x) * 4;
      const [r, g, b] = [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
      if (r - b > 40 && g - b > 10 && r > g) orange.push([x, y]);
      else if (b - r > 40 && b > g) blue.push([x, y]);
    }
  return { orange, blue };
}

/** The centre (x, y, z) of a stroke's voxels on slice z = 64. */
const strokeCentre = ([[x0, y0], [x1, y1]]: [Point, Point]): [number, number, number] => [
  (x0 + x1) / 2,
  (y0 + y1) / 2,
  64,
];

/**
 * Where `to` appears from `from` on the screen (right, up), seen by the view's first camera (as
 * resetCamera in VolumeView3D.tsx sets it: from (-1, -1.6, -1.1) × distance, z up the screen
 * negative); the sample's voxels are cubes.
 */
function screenDirection(to: number[], from: number[]): [number, number] {
  const look = [1, 1.6, 1.1];
  const up = [0, 0, -1];
  const cross = (a: number[], b: number[]): number[] => [
    a[1]! * b[2]! - a[2]! * b[1]!,
    a[2]! * b[0]! - a[0]! * b[2]!,
    a[0]! * b[1]! - a[1]! * b[0]!,
  ];
  const right = cross(look, up);
  const screenUp = cross(right, look);
  const delta = to.map((v, a) => v - from[a]!);
  const along = (axis: number[]): number => delta.reduce((sum, v, a) => sum + v * axis[a]!, 0) / Math.hypot(...axis);
  return [along(right), along(screenUp)];
}

const counts = async (page: Page): Promise<{ orange: number; blue: number }> => {
  const { orange, blue } = await tinted(page);
  return { orange: orange.length, blue: blue.length };
};

test('painted labels show in 3D in their class colours, where painted; undo removes a stroke', async ({ page }) => {
  await openSample(page);
  const canvas = page.getByTestId('canvas-3d');
  await expect(canvas).not.toHaveAttribute('data-shown-volume', '', { timeout: 30_000 });
  await page.getByTestId('layer-planes').uncheck();
  await page.getByTestId('layer-labels').check();
  await expect(canvas).not.toHaveAttribute('data-shown-labels', '', { timeout: 30_000 });
  const before = await counts(page);
  console.log(`3D view, no labels: ${JSON.stringify(before)} tinted pixels`);
  expect(before.orange + before.blue).toBeLessThan(5);

  // On slice z = 64, radius 3: a "Material 1" (orange) stroke in the bone, a "Background" (blue)
  // one in a pore; both over the tomogram.
  await page.getByTestId('tool-paint').click();
  await page.keyboard.press('2'); // "Material 1" (the first class, Background, is active at start)
  await stroke(page, ...BONE);
  await page.keyboard.press('1');
  await stroke(page, ...PORE);
  await expect
    .poll(async () => Math.min(...Object.values(await counts(page))), { timeout: 30_000 })
    .toBeGreaterThan(30);
  const painted = await tinted(page);
  const centre = (points: Point[]): Point =>
    [0, 1].map((a) => points.reduce((sum, p) => sum + p[a]!, 0) / points.length) as Point;
  const [ox, oy] = centre(painted.orange);
  const [bx, by] = centre(painted.blue);
  console.log(
    `3D view, two strokes: ${painted.orange.length} orange pixels around (${ox.toFixed(0)}, ${oy.toFixed(0)}), ` +
      `${painted.blue.length} blue around (${bx.toFixed(0)}, ${by.toFixed(0)})`,
  );
  // From the orange stroke to the blue one on the screen, as the camera sees the voxels between them.
  const [seen, expected] = [[bx - ox, oy - by], screenDirection(strokeCentre(PORE), strokeCentre(BONE))];
  const cosine = (seen[0]! * expected[0] + seen[1]! * expected[1]) / Math.hypot(...seen) / Math.hypot(...expected);
  console.log(
    `orange to blue on screen: (${seen.map((v) => v.toFixed(0)).join(', ')}), expected direction cosine ${cosine.toFixed(3)}`,
  );
  expect(cosine).toBeGreaterThan(0.95);

  // A hidden class is not drawn; the other stays.
  await page.getByTestId('class-visible-2').click();
  await expect.poll(async () => (await counts(page)).orange).toBeLessThan(5);
  expect((await counts(page)).blue).toBeGreaterThan(30);
  await page.getByTestId('class-visible-2').click();
  await expect.poll(async () => (await counts(page)).orange).toBeGreaterThan(30);

  // Where it was painted: without the tomogram, a click on the orange lands on the stroke's voxels.
  await page.getByTestId('layer-volume').uncheck();
  await expect(canvas).toHaveAttribute('data-shown-volume', '');
  const box = (await canvas.boundingBox())!;
  const distance = (p: Point): number => Math.hypot(p[0] - ox, p[1] - oy);
  const [px, py] = painted.orange.reduce((best, p) => (distance(p) < distance(best) ? p : best));
  await page.mouse.click(box.x + px + 0.5, box.y + py + 0.5);
  await expect(page.getByTestId('app')).not.toHaveAttribute('data-cursor', '64,64,64');
  const [z, y, x] = await crosshair(page);
  console.log(`click on the orange stroke in 3D: crosshair at z ${z}, y ${y}, x ${x}`);
  expect(Math.abs(z - 64)).toBeLessThanOrEqual(1);
  expect(Math.abs(y - 72)).toBeLessThanOrEqual(4);
  expect(x).toBeGreaterThanOrEqual(14);
  expect(x).toBeLessThanOrEqual(42);

  // The tomogram shown again is drawn under the labels, not over them.
  await page.getByTestId('layer-volume').check();
  await expect(canvas).not.toHaveAttribute('data-shown-volume', '');
  expect((await counts(page)).orange).toBeGreaterThan(30);

  // Undo takes the last stroke (blue) out of the 3D view and leaves the first.
  const version = await canvas.getAttribute('data-shown-labels');
  await page.keyboard.press('Control+z');
  await settled(page);
  await expect(canvas).not.toHaveAttribute('data-shown-labels', version!, { timeout: 30_000 });
  const undone = await counts(page);
  console.log(`3D view, after undo: ${JSON.stringify(undone)} tinted pixels`);
  expect(undone.blue).toBeLessThan(5);
  expect(undone.orange).toBeGreaterThan(30);
});
