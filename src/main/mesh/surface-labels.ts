// Labels through surfaces (the method's geometric consistency): each class but the first is meshed
// from its probability map, its surfaces refined (smoothness, closed, objects and cavities below a
// minimum volume dropped), and the surfaces are voxelised back. A voxel takes the class whose
// surfaces enclose its centre, the most probable of them where several do, and the first class
// where none does: with two classes the labels are exactly the voxels inside the second's mesh
// (meshed window by window where the volume is larger than a window: windows.ts).
import { badInput, cancelled } from '../../shared/errors';
import type { Region, Vec3 } from '../../shared/volume';
import type { Progress } from '../progress';
import type { ProbabilityMaps } from '../segmentation/outputs';
import type { Volume } from '../volume/volume';
import { CroppedVolume } from '../volume/cropped';
import type { RegionWriter } from '../volume/spec';
import { refinedSurfaces } from './mesh-volume';
import { TriangleGrid, fillRow, trianglesBySlab } from './winding';
import { type Window, surfaceWindows } from './windows';

/** What to label: the classes meshed from their probabilities, and the class of everything else. */
export interface SurfaceClasses {
  background: number;
  classes: { value: number; probability: Volume }[];
}

/** A segmentation's probability maps as surface classes: its first class is the background. */
export const surfaceClasses = (maps: ProbabilityMaps): SurfaceClasses => ({
  background: maps.classes[0]!,
  classes: maps.classes.slice(1).map((value, i) => ({ value, probability: maps.channels[i + 1]! })),
});

export interface SurfaceLabelOptions {
  /** Smoothing weight in [0, 1], as for meshes. Default 0.5. */
  smooth?: number;
  /** Objects and cavities below this volume (physical units³) go. Default: one voxel's volume. */
  minVolume?: number;
  /** Threads to mesh on (meshFromVolume's); the labels do not depend on it. Default: the CPU cores. */
  threads?: number;
  /** Voxels per window side (windows.ts; tests make it small). Default WINDOW. */
  windowSide?: number;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface SurfaceLabelClass {
  value: number;
  /** Objects kept; undefined where the volume was meshed in several windows, which see an object across them in pieces. */
  objects?: number;
  /** Objects dropped for being below the minimum volume. */
  removed: number;
}

/**
 * Surfaces need room in 3D: in a volume a few voxels thin (a slice, an image) every object is a
 * flat slab closed along the border, which smoothing rounds off and erodes. Measured on the
 * real-scan test set's single slices: mean accuracy 0.02-0.18 lower than voxel by voxel.
 */
export const MIN_SURFACE_SIDE = 8;

/** Why a volume of `shape` cannot be labelled through surfaces; undefined when it can. */
export function surfaceRefusal(shape: readonly number[]): string | undefined {
  const thin = shape.findIndex((n) => n < MIN_SURFACE_SIDE);
  if (thin < 0) return undefined;
  return (
    `refining with surfaces needs a 3D volume at least ${MIN_SURFACE_SIDE} voxels along each axis, ` +
    `but this one is ${shape[thin]} along ${'zyx'[thin]}: segment it voxel by voxel`
  );
}

/**
 * Whether the prediction of a whole volume smooths its probabilities (the engine's `smooth`): as
 * told, else as training chose, but never before surfaces, which smooth the boundaries themselves
 * (probabilities smoothed first erode thin objects twice: fibres and pores at 1000 painted voxels,
 * mean Dice 0.912 → 0.892).
 */
export const predictionSmooths = (told: boolean | undefined, trained: boolean, surfaces: boolean): boolean =>
  told ?? (!surfaces && trained);

/** z slices voxelised, and written, at a time. */
const SLAB = 8;

/**
 * Writes labels for the volume of the probability maps into `out`, channel 0, window by window
 * (windows.ts) and slab by slab. In a window, one class is meshed at a time and kept as a bit per
 * voxel of its box: the classes' meshes are never held together, nor a surface larger than a
 * window's.
 */
export async function labelsFromSurfaces(
  input: SurfaceClasses,
  out: RegionWriter,
  options: SurfaceLabelOptions = {},
): Promise<SurfaceLabelClass[]> {
  const { signal, progress } = options;
  const first = input.classes[0]!.probability;
  const refusal = surfaceRefusal(first.shape);
  if (refusal) throw badInput(refusal);
  const windows = surfaceWindows(first.shape, options.windowSide);
  const classes: SurfaceLabelClass[] = input.classes.map(({ value }) => ({ value, removed: 0 }));
  for (const [w, window] of windows.entries()) {
    if (signal?.aborted) throw cancelled('refining with surfaces cancelled');
    const where = windows.length > 1 ? `window ${w + 1} of ${windows.length}, ` : '';
    const enclosed: EnclosedVoxels[] = [];
    for (const [k, { value, probability }] of input.classes.entries()) {
      const classProgress: Progress | undefined =
        progress && ((done, total, stage) => progress(done, total, `${where}class ${value}: ${stage ?? 'meshing'}`));
      const crop = new CroppedVolume(probability, window.crop);
      const { voxels, objects, removed } = await enclosedVoxels(crop, window, { ...options, progress: classProgress });
      enclosed.push(voxels);
      // (several windows see an object across them in pieces: then not counted)
      if (windows.length === 1) classes[k]!.objects = objects;
      classes[k]!.removed += removed;
    }
    await writeBox(input, enclosed, window.box, out, options, where);
  }
  return classes;
}

/** Writes the labels of a window's box from its classes' enclosed voxels, slab by slab. */
async function writeBox(
  input: SurfaceClasses,
  enclosed: EnclosedVoxels[],
  box: Region,
  out: RegionWriter,
  { signal, progress }: SurfaceLabelOptions,
  where: string,
): Promise<void> {
  const [bz, by, bx] = box.shape;
  for (let z0 = 0; z0 < bz; z0 += SLAB) {
    if (signal?.aborted) throw cancelled('refining with surfaces cancelled');
    const depth = Math.min(SLAB, bz - z0);
    const region = { start: [box.start[0] + z0, box.start[1], box.start[2]] as Vec3, shape: [depth, by, bx] as Vec3 };
    const labels = new Uint8Array(depth * by * bx).fill(input.background);
    // the probabilities of the slab, read only if surfaces of two classes overlap in it
    let probabilities: Promise<ArrayLike<number>[]> | undefined;
    const offset = z0 * by * bx;
    for (let i = 0; i < labels.length; i++) {
      let owner = -1;
      for (let k = 0; k < enclosed.length; k++) {
        if (!enclosed[k]!.has(offset + i)) continue;
        if (owner >= 0) {
          probabilities ??= Promise.all(input.classes.map(({ probability }) => probability.read(region)));
          const p = await probabilities;
          if (p[k]![i]! <= p[owner]![i]!) continue;
        }
        owner = k;
      }
      if (owner >= 0) labels[i] = input.classes[owner]!.value;
    }
    await out.write(region, labels);
    progress?.(z0 + depth, bz, `${where}writing labels`);
  }
}

/** A bit per voxel of a box. */
class EnclosedVoxels {
  private readonly bits: Uint8Array;
  constructor(voxels: number) {
    this.bits = new Uint8Array(Math.ceil(voxels / 8));
  }
  add(i: number): void {
    this.bits[i >> 3]! |= 1 << (i & 7);
  }
  has(i: number): boolean {
    return ((this.bits[i >> 3]! >> (i & 7)) & 1) === 1;
  }
}

/**
 * The voxels of the window's box whose centres the surfaces of a class's probability map (cropped
 * to the window) enclose, the objects meshed, and those dropped that the window counts.
 */
async function enclosedVoxels(
  probability: Volume,
  window: Window,
  options: SurfaceLabelOptions,
): Promise<{ voxels: EnclosedVoxels; objects: number; removed: number }> {
  const { signal, progress } = options;
  const [nz, , nx] = probability.shape;
  const meshOptions = {
    smooth: options.smooth,
    minVolume: options.minVolume,
    threads: options.threads,
    window: window.rules,
    signal,
    progress,
  };
  // the objects' triangles by z slab: the rows are filled slab by slab from a grid of the slab's
  // triangles only
  const { objects: meshes, removed } = await refinedSurfaces(probability, meshOptions);
  const slabs = meshes.map((mesh) => trianglesBySlab(mesh, SLAB, nz));
  // the box within the crop
  const [bz, by, bx] = window.box.shape;
  const [oz, oy, ox] = window.box.start.map((s, a) => s - window.crop.start[a]!) as Vec3;
  const voxels = new EnclosedVoxels(bz * by * bx);
  const row = new Uint8Array(nx);
  for (let s = Math.floor(oz / SLAB); s * SLAB < oz + bz; s++) {
    const grid = new TriangleGrid(
      meshes,
      slabs.map(({ start, triangles }) => triangles.subarray(start[s], start[s + 1])),
    );
    for (let z = Math.max(s * SLAB, oz); z < Math.min((s + 1) * SLAB, oz + bz); z++) {
      if (signal?.aborted) throw cancelled('refining with surfaces cancelled');
      for (let y = oy; y < oy + by; y++) {
        fillRow(grid, y, z, row);
        const i = ((z - oz) * by + y - oy) * bx - ox;
        for (let x = ox; x < ox + bx; x++) if (row[x]) voxels.add(i + x);
      }
      progress?.(z - oz + 1, bz, 'labelling the voxels inside');
    }
  }
  return { voxels, objects: meshes.length, removed };
}
