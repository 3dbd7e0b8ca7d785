// Volume → closed, refined, measured surface meshes, one per connected object.
import { availableParallelism } from 'node:os';
import { badInput, cancelled } from '../../shared/errors';
import type { Progress } from '../progress';
import type { Volume } from '../volume/volume';
import { type ExtractOptions, type Extraction, extractSurface, extractionBlocks } from './extract';
import { topology } from './quality';
import { FieldThreads } from './field-threads';
import { LABEL_FIELD, labelField } from './label-field';
import { refineSurfaces } from './pieces';
import { type ScalarSource, scalarSource } from './source';
import { type Measurements, type TriMesh, joinMeshes, measure, scaleMesh } from './trimesh';
import { TriangleGrid, trianglesNear, windingsAt } from './winding';
import { type WindowRules, countedBy, reachesCut } from './windows';

export interface MeshOptions {
  /** Mesh one class of a label volume (voxels equal to it are inside). Otherwise the volume is a probability map. */
  class?: number;
  /** Level of a probability map, in [0, 1] (uint8 maps: 255 = 1). Default 0.5. */
  iso?: number;
  /** Smoothing weight in [0, 1] (Taubin λ); 0 follows the data only. Default 0.5. */
  smooth?: number;
  /** Target edge length in physical units. Default: the smallest voxel side. */
  edgeLength?: number;
  /**
   * Objects with a smaller volume (physical units³) are dropped. Default: one voxel's volume (smaller
   * pieces are slivers of the iso-surface, not objects: they filled tables with 0.0002-unit³ rows).
   */
  minVolume?: number;
  /**
   * Refinement iterations (fewer if converged); 0 = the raw extracted surface, unremeshed. Default 6
   * for a class of labels, 15 for a probability map.
   */
  iterations?: number;
  /**
   * The volume is one window's crop of a larger one (windows.ts): surfaces reaching a face that cuts
   * through it are kept whatever their volume, and `removed` counts the window's objects only.
   */
  window?: WindowRules;
  /** Voxels per block side for reading the volume. Default 128. */
  blockSize?: number;
  /**
   * Threads to mesh on: a label field's blocks are blurred on the others while one extracts, a large
   * object is refined in pieces. The mesh does not depend on it. Default: the machine's cores.
   */
  threads?: number;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface MeshObject {
  /** Physical coordinates (x, y, z) in the volume's unit; voxel (0, 0, 0)'s centre is the origin. */
  mesh: TriMesh;
  measurements: Measurements;
  /** Closed, manifold and consistently oriented (checked, not assumed). */
  watertight: boolean;
}

export interface MeshResult {
  objects: MeshObject[];
  unit: string;
  /** Objects dropped for being smaller than minVolume (cavities that small are filled, not counted). */
  removed: number;
  /** Probability voxels that were NaN (counted as outside). */
  nanVoxels: number;
  /** Whether any object touched the volume border (closed there by padding). */
  touchesBorder: boolean;
}

/**
 * Measured on the bench's phantoms (sphere, cylinder, torus): the labels' field is smooth already,
 * so 5 iterations reach the mean distance to the true surface of 30, but the second remeshing (at
 * 5) keeps the triangles good (smallest angle 36° against 22°): 6 iterations (one after it) give
 * the distances and smallest angles of 10 (within 0.001 voxels and 2°); a noisy probability map's
 * mesh is within 3 % of 30 iterations' distance after 15 (0.081–0.089 voxels), 20 % off after 5.
 */
const LABEL_ITERATIONS = 6;
const PROBABILITY_ITERATIONS = 15;

/** Threads blurring a label field: a block's blur takes about as long as extracting it, so a few keep up. */
const MAX_FIELD_THREADS = 3;

function checkOptions(
  options: MeshOptions,
  smallestVoxel: number,
  voxelVolume: number,
): Required<Pick<MeshOptions, 'iso' | 'smooth' | 'edgeLength' | 'minVolume' | 'iterations'>> {
  const iso = options.iso ?? 0.5;
  const smooth = options.smooth ?? 0.5;
  const edgeLength = options.edgeLength ?? smallestVoxel;
  const minVolume = options.minVolume ?? voxelVolume;
  const iterations = options.iterations ?? (options.class !== undefined ? LABEL_ITERATIONS : PROBABILITY_ITERATIONS);
  if (!(iso > 0 && iso < 1)) throw badInput(`iso level must lie strictly between 0 and 1, got ${iso}`);
  if (!(smooth >= 0 && smooth <= 1)) throw badInput(`smoothing weight must be in [0, 1], got ${smooth}`);
  if (!(edgeLength > 0) || !Number.isFinite(edgeLength))
    throw badInput(`edge length must be a positive number, got ${edgeLength}`);
  if (edgeLength < 0.1 * smallestVoxel)
    throw badInput(
      `edge length ${edgeLength} is below a tenth of the voxel size (${smallestVoxel}): it would create an enormous mesh`,
    );
  if (!(minVolume >= 0) || !Number.isFinite(minVolume))
    throw badInput(`minimum volume must be a number ≥ 0, got ${minVolume}`);
  if (!Number.isInteger(iterations) || iterations < 0)
    throw badInput(`iterations must be an integer ≥ 0, got ${iterations}`);
  return { iso, smooth, edgeLength, minVolume, iterations };
}

/** A closed surface and the volume it encloses: negative for a cavity's. */
interface Surface {
  mesh: TriMesh;
  volume: number;
}

/**
 * Each outer surface joined with the cavities it encloses directly (the innermost outer surface
 * around one of the cavity's points): one object, whose volume is the solid's. A cavity no outer
 * surface encloses, which a closed extraction cannot make, stays an object of its own.
 */
function withCavities(surfaces: Surface[]): TriMesh[] {
  const outer = surfaces.filter((s) => s.volume > 0);
  const cavities = surfaces.filter((s) => s.volume <= 0).map((s) => s.mesh);
  if (cavities.length === 0) return outer.map((s) => s.mesh);
  // each cavity is placed by the windings at its first vertex, along the line through it
  const lines = cavities.map((cavity): [number, number] => [cavity.positions[1]!, cavity.positions[2]!]);
  const grid = new TriangleGrid(
    outer.map((s) => s.mesh),
    outer.map((s) => trianglesNear(s.mesh, lines)),
  );
  const enclosed: TriMesh[][] = outer.map(() => []);
  const orphans: TriMesh[] = [];
  for (const cavity of cavities) {
    const [x, y, z] = cavity.positions;
    const windings = windingsAt(grid, x!, y!, z!, outer.length);
    let owner = -1;
    windings.forEach((winding, i) => {
      if (winding > 0 && (owner < 0 || outer[i]!.volume < outer[owner]!.volume)) owner = i;
    });
    if (owner >= 0) enclosed[owner]!.push(cavity);
    else orphans.push(cavity);
  }
  return [...outer.map((s, i) => joinMeshes([s.mesh, ...enclosed[i]!])), ...orphans];
}

/**
 * The extracted surface's closed surfaces but those whose volume (voxels³, signed: negative for a
 * cavity's) `keep` refuses, which are counted in `dropped` if objects (and the window's); which
 * parts reach a window's cut face (kept whatever their volume); and whether the surface reaches
 * outside the volume (closed there by the padding).
 */
async function extractKept(
  source: ScalarSource,
  options: ExtractOptions & { keep: (volume: number) => boolean },
): Promise<Extraction & { cut: boolean[]; touchesBorder: boolean }> {
  const extraction = await extractSurface(source, options);
  const [nz, ny, nx] = source.shape;
  const parts: TriMesh[] = [];
  const cut: boolean[] = [];
  let { dropped } = extraction;
  let touchesBorder = false;
  for (const part of extraction.parts) {
    touchesBorder ||= part.positions.some((value, i) => value < 0 || value > [nx, ny, nz][i % 3]! - 1);
    const volume = measure(part).volume;
    const reaches = reachesCut(options.window, part.positions);
    if (reaches || options.keep(volume)) {
      parts.push(part);
      cut.push(reaches);
    } else if (volume > 0 && countedBy(options.window, part.positions)) dropped++;
  }
  return { ...extraction, parts, cut, dropped, touchesBorder };
}

/** The refined closed surfaces of a volume, each object with its cavities, in voxel coordinates. */
export interface RefinedSurfaces {
  /** (x, y, z) in voxels; voxel (0, 0, 0)'s centre is the origin. */
  objects: TriMesh[];
  removed: number;
  nanVoxels: number;
  touchesBorder: boolean;
}

/**
 * Extracts the surface of a probability map at `iso` (sub-voxel) or of one class of a label volume,
 * blockwise, then refines each object against the field: closed, manifold meshes in physical units.
 */
export async function meshFromVolume(volume: Volume, options: MeshOptions = {}): Promise<MeshResult> {
  const [vz, vy, vx] = volume.voxelSize;
  const { objects, ...surfaces } = await refinedSurfaces(volume, options);
  return {
    ...surfaces,
    unit: volume.unit,
    // (scaled in place: the refined surfaces are this function's own)
    objects: objects.map((surface): MeshObject => {
      const physical = scaleMesh(surface, [vx, vy, vz]);
      return { mesh: physical, measurements: measure(physical), watertight: topology(physical).manifold };
    }),
  };
}

/**
 * meshFromVolume's surfaces before they are scaled to physical units and measured: what labels
 * through surfaces voxelise.
 */
export async function refinedSurfaces(volume: Volume, options: MeshOptions = {}): Promise<RefinedSurfaces> {
  const [vz, vy, vx] = volume.voxelSize;
  const spacing: [number, number, number] = [vx, vy, vz];
  const voxelVolume = vx * vy * vz;
  const { iso, smooth, edgeLength, minVolume, iterations } = checkOptions(options, Math.min(...spacing), voxelVolume);
  const { signal, progress } = options;
  const labels = options.class !== undefined;
  const raw = scalarSource(volume, labels ? { kind: 'class', label: options.class! } : { kind: 'probability' });
  const threads = options.threads ?? availableParallelism();
  const blocks = extractionBlocks(volume.shape, options.blockSize).length;
  // labels hide a smooth surface behind their staircase: refine against a smooth field that keeps
  // every voxel centre on its side (iterations 0 still gives the raw staircase). Its blocks are
  // blurred on the other threads while this one extracts
  const throughField = labels && iterations > 0;
  const fieldThreadCount = Math.min(threads - 1, blocks - 1, MAX_FIELD_THREADS);
  const fieldThreads = throughField && fieldThreadCount > 0 ? new FieldThreads(fieldThreadCount) : undefined;
  const source = throughField ? labelField(raw, LABEL_FIELD, fieldThreads?.compute) : raw;
  // drop small objects before refining them (their volume barely changes; those wholly inside one
  // extraction block went as it was extracted), and again after. A surface enclosing negative
  // volume bounds a cavity (its normals point into the hole): kept with the object around it, or
  // dropped, the hole filled, when smaller than minVolume like a speck.
  // Refinement runs in voxel coordinates (edge length in voxels of the smallest side), so with
  // anisotropic voxels triangles are even in voxel space, not in physical space.
  const voxel = Math.min(...spacing);
  // (a volume scales by the product of the axes' factors: no scaled copy needed)
  const volumeOf = (part: TriMesh): number => measure(part).volume * voxelVolume;
  const { band, nanVoxels, dropped, cut, touchesBorder, ...extraction } = await extractKept(source, {
    iso,
    blockSize: options.blockSize,
    readAhead: fieldThreads?.count,
    dropBelow: minVolume / voxelVolume,
    window: options.window,
    signal,
    progress,
    keep: (volume) => Math.abs(volume * voxelVolume) >= minVolume,
  }).finally(() => fieldThreads?.close());
  let removed = dropped;
  if (signal?.aborted) throw cancelled('meshing cancelled');
  // (each part let go once refined: the surface is never held twice over)
  const refined =
    iterations > 0
      ? await refineSurfaces(extraction.parts, band, {
          iso,
          smooth,
          edgeLength: edgeLength / voxel,
          iterations,
          threads,
          signal,
          progress: (done, total) => progress?.(done, total, 'refining'),
        })
      : extraction.parts;
  const surfaces: Surface[] = [];
  for (const [index, mesh] of refined.entries()) {
    const volume = volumeOf(mesh);
    if (cut[index] || Math.abs(volume) >= minVolume) surfaces.push({ mesh, volume });
    else if (volume > 0 && countedBy(options.window, mesh.positions)) removed++;
  }
  return { objects: withCavities(surfaces), removed, nanVoxels, touchesBorder };
}
