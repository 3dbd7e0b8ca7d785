// The expected picture, computed without the app: the sample read with geotiff (not Tomoseg's own
// reader), slices cut in the app's documented orientation, and window/level applied as vtk.js does.
import { fromFile } from 'geotiff';
import { join } from 'node:path';

export type Axis = 'z' | 'y' | 'x';

export interface TestVolume {
  shape: [number, number, number];
  data: Uint8Array;
}

export const SAMPLE_PATH = join('resources', 'sample', 'bone_128x128x128.tif');

export const readSample = (): Promise<TestVolume> => readTiff(SAMPLE_PATH);

/** An 8-bit multi-page TIFF (the sample, or a segmentation the app exported), read with geotiff. */
export async function readTiff(path: string): Promise<TestVolume> {
  const tiff = await fromFile(path);
  const pages = await tiff.getImageCount();
  const first = await tiff.getImage(0);
  const [width, height] = [first.getWidth(), first.getHeight()];
  const data = new Uint8Array(pages * height * width);
  for (let z = 0; z < pages; z++) {
    const [page] = (await (await tiff.getImage(z)).readRasters()) as unknown as Uint8Array[];
    data.set(page!, z * height * width);
  }
  await tiff.close();
  return { shape: [pages, height, width], data };
}

export const valueAt = (volume: TestVolume, z: number, y: number, x: number): number =>
  volume.data[(z * volume.shape[1] + y) * volume.shape[2] + x]!;

/** The slice as the app shows it: columns/rows are (x, y) for z, (x, z) for y, (y, z) for x. */
export function sliceOf(
  volume: TestVolume,
  axis: Axis,
  index: number,
): { width: number; height: number; at(column: number, row: number): number } {
  const [nz, ny, nx] = volume.shape;
  if (axis === 'z') return { width: nx, height: ny, at: (c, r) => valueAt(volume, index, r, c) };
  if (axis === 'y') return { width: nx, height: nz, at: (c, r) => valueAt(volume, r, index, c) };
  return { width: ny, height: nz, at: (c, r) => valueAt(volume, r, c, index) };
}

/** The grey level (0..255) window/level gives a value. */
export function grey(value: number, window: number, level: number): number {
  return 255 * Math.min(1, Math.max(0, (value - (level - window / 2)) / window));
}
