// Labels through surfaces (the method's geometric consistency): each class but the first is meshed
// from its probability map, its surfaces refined (smoothness, closed, objects and cavities below a
// minimum volume dropped), and the surfaces are voxelised back. A voxel takes the class whose
// surfaces enclose its centre, the most probable of them where several do, and the first class
// where none does: with two classes the labels are exactly the voxels inside the second's mesh.
import { badInput, cancelled } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import type { Progress } from '../progress';
import type { ProbabilityMaps } from '../segmentation/outputs';
import type { Volume } from '../volume/volume';
import type { RegionWriter } from '../volume/spec';
import { meshFromVolume } from './mesh-volume';
import { scaleMesh } from './trimesh';
import { TriangleGrid, fillRow, trianglesBySlab } from './winding';

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
  signal?: AbortSignal;
  progress?: Progress;
}

export interface SurfaceLabelClass {
  value: number;
  objects: number;
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

/** z slices voxelised, and written, at a time. */
const SLAB = 8;

/**
 * Writes labels for the volume of the probability maps into `out`, channel 0, slab by slab. One
 * class is meshed at a time (its meshes held whole, as for a mesh of the volume) and kept as a bit
 * per voxel: the classes' meshes are never held together.
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
  const [nz, ny, nx] = first.shape;
  const classes: SurfaceLabelClass[] = [];
  const enclosed: EnclosedVoxels[] = [];
  for (const { value, probability } of input.classes) {
    const classProgress: Progress | undefined =
      progress && ((done, total, stage) => progress(done, total, `class ${value}: ${stage ?? 'meshing'}`));
    const { voxels, objects, removed } = await enclosedVoxels(probability, { ...options, progress: classProgress });
    enclosed.push(voxels);
    classes.push({ value, objects, removed });
  }
  for (let z0 = 0; z0 < nz; z0 += SLAB) {
    if (signal?.aborted) throw cancelled('refining with surfaces cancelled');
    const depth = Math.min(SLAB, nz - z0);
    const region = { start: [z0, 0, 0] as Vec3, shape: [depth, ny, nx] as Vec3 };
    const labels = new Uint8Array(depth * ny * nx).fill(input.background);
    // the probabilities of the slab, read only if surfaces of two classes overlap in it
    let probabilities: Promise<ArrayLike<number>[]> | undefined;
    const offset = z0 * ny * nx;
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
      if (owner >= 0) labels[i] = classes[owner]!.value;
    }
    await out.write(region, labels);
    progress?.(z0 + depth, nz, 'writing labels');
  }
  return classes;
}

/** A bit per voxel of a volume. */
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

/** The voxels whose centres the surfaces of a class's probability map enclose, and its objects. */
async function enclosedVoxels(
  probability: Volume,
  options: SurfaceLabelOptions,
): Promise<{ voxels: EnclosedVoxels; objects: number; removed: number }> {
  const { signal, progress } = options;
  const [nz, ny, nx] = probability.shape;
  const [vz, vy, vx] = probability.voxelSize;
  const meshOptions = {
    smooth: options.smooth,
    minVolume: options.minVolume,
    threads: options.threads,
    signal,
    progress,
  };
  // the objects back in voxel coordinates (in place: they are this function's own), their
  // triangles by z slab: the rows are filled slab by slab from a grid of the slab's triangles only
  const { meshes, objects, removed } = await meshFromVolume(probability, meshOptions).then((meshed) => ({
    meshes: meshed.objects.map((o) => scaleMesh(o.mesh, [1 / vx, 1 / vy, 1 / vz])),
    objects: meshed.objects.length,
    removed: meshed.removed,
  }));
  const slabs = meshes.map((mesh) => trianglesBySlab(mesh, SLAB, nz));
  const voxels = new EnclosedVoxels(nz * ny * nx);
  const row = new Uint8Array(nx);
  for (let z0 = 0, i = 0; z0 < nz; z0 += SLAB) {
    const s = z0 / SLAB;
    const grid = new TriangleGrid(
      meshes,
      slabs.map(({ start, triangles }) => triangles.subarray(start[s], start[s + 1])),
    );
    for (let z = z0; z < Math.min(z0 + SLAB, nz); z++) {
      if (signal?.aborted) throw cancelled('refining with surfaces cancelled');
      for (let y = 0; y < ny; y++) {
        fillRow(grid, y, z, row);
        for (let x = 0; x < nx; x++, i++) if (row[x]) voxels.add(i);
      }
      progress?.(z + 1, nz, 'labelling the voxels inside');
    }
  }
  return { voxels, objects, removed };
}
