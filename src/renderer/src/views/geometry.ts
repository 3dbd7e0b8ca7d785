// Pure 2D geometry of a slice view: the mapping between CSS pixels on the view, world units on the
// image plane (physical, voxel centres at i * spacing) and slice pixels. Rows go down the screen,
// as in every image viewer. Which volume axes a slice's pixels are is src/shared/slice.
import { sliceAxes } from '../../../shared/slice';
import type { Axis, Vec3 } from '../../../shared/volume';

export type Vec2 = [number, number];

/** Columns and rows of the slice image, and their physical spacing. */
export function sliceImage(axis: Axis, shape: Vec3, voxelSize: Vec3): { dims: Vec2; spacing: Vec2 } {
  const { column, row } = sliceAxes(axis);
  return { dims: [shape[column], shape[row]], spacing: [voxelSize[column], voxelSize[row]] };
}

/** A 2D camera: the world point at the view centre and the world units per CSS pixel. */
export interface Camera {
  center: Vec2;
  scale: number;
}

/** The camera that shows the whole image, centred, with a small margin. */
export function fitCamera(dims: Vec2, spacing: Vec2, viewSize: Vec2, margin = 0.96): Camera {
  const world: Vec2 = [dims[0] * spacing[0], dims[1] * spacing[1]];
  return {
    center: [((dims[0] - 1) * spacing[0]) / 2, ((dims[1] - 1) * spacing[1]) / 2],
    scale: Math.max(world[0] / (viewSize[0] * margin), world[1] / (viewSize[1] * margin)),
  };
}

export function worldToScreen(camera: Camera, viewSize: Vec2, world: Vec2): Vec2 {
  return [
    viewSize[0] / 2 + (world[0] - camera.center[0]) / camera.scale,
    viewSize[1] / 2 + (world[1] - camera.center[1]) / camera.scale,
  ];
}

export function screenToWorld(camera: Camera, viewSize: Vec2, screen: Vec2): Vec2 {
  return [
    camera.center[0] + (screen[0] - viewSize[0] / 2) * camera.scale,
    camera.center[1] + (screen[1] - viewSize[1] / 2) * camera.scale,
  ];
}

/** The pixel whose square contains `world`, or null outside the image. */
export function worldToPixel(world: Vec2, dims: Vec2, spacing: Vec2): Vec2 | null {
  const column = Math.round(world[0] / spacing[0]);
  const row = Math.round(world[1] / spacing[1]);
  if (column < 0 || row < 0 || column >= dims[0] || row >= dims[1]) return null;
  return [column, row];
}

export const pixelToWorld = (pixel: Vec2, spacing: Vec2): Vec2 => [pixel[0] * spacing[0], pixel[1] * spacing[1]];

/** The image's outline on screen, in CSS pixels: left, top, width, height. */
export function imageRect(camera: Camera, viewSize: Vec2, dims: Vec2, spacing: Vec2): [number, number, number, number] {
  const [left, top] = worldToScreen(camera, viewSize, [-spacing[0] / 2, -spacing[1] / 2]);
  return [left, top, (dims[0] * spacing[0]) / camera.scale, (dims[1] * spacing[1]) / camera.scale];
}

/** Zooms by `factor` (> 1 magnifies) keeping the world point under `screen` fixed. */
export function zoomAt(camera: Camera, viewSize: Vec2, screen: Vec2, factor: number): Camera {
  const anchor = screenToWorld(camera, viewSize, screen);
  const scale = camera.scale / factor;
  return {
    scale,
    center: [anchor[0] - (screen[0] - viewSize[0] / 2) * scale, anchor[1] - (screen[1] - viewSize[1] / 2) * scale],
  };
}

/** Moves the image with the pointer by (dx, dy) CSS pixels. */
export const pan = (camera: Camera, dx: number, dy: number): Camera => ({
  scale: camera.scale,
  center: [camera.center[0] - dx * camera.scale, camera.center[1] - dy * camera.scale],
});
