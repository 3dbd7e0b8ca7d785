// Deformable-surface refinement: vertices move along their normals toward the iso level of the
// field (a Newton step on the trilinear interpolant: distance ≈ (p − iso)/|∇p|, clamped), a Taubin
// λ|μ smoothing pair regularises without shrinking, and remeshing keeps the triangles good.
import { cancelled } from '../../shared/errors';
import type { BandField } from './band';
import { CornerTable } from './corner-table';
import { type Rings, neighbourMeans, remesh, vertexNormals, vertexRings } from './remesh';
import { type TriMesh, norm } from './trimesh';

export interface RefineOptions {
  iso: number;
  /** Smoothing weight λ in [0, 1]; 0 follows the data only. */
  smooth: number;
  /** Target edge length, voxels (positions are voxel coordinates, as the field). */
  edgeLength: number;
  iterations: number;
  /**
   * Per input vertex, 1 for those that stay where they are and out of every edit (a part of a
   * surface may be open where these are). The result then keeps the input's vertex order, less
   * removed vertices and new ones last: fixed vertices numbered first stay first.
   */
  fixed?: Uint8Array;
  signal?: AbortSignal;
  /** Called after each iteration. */
  onIteration?: (done: number, total: number) => void;
}

export interface RefineResult {
  mesh: TriMesh;
  iterations: number;
  /** Mean data-term move in the last iteration, in voxels. */
  lastMove: number;
}

/** Remesh every this many iterations. */
const REMESH_EVERY = 5;
/** Stop once the mean data move falls below this many voxels. */
const CONVERGED = 1e-3;
/** Fraction of the Newton step taken per iteration (damped for stability against noise). */
const DATA_STEP = 0.5;

/** The largest move of one data step, voxels. */
const MAX_STEP = 0.5;
/** Gradients below this (per voxel) count as flat: the step is clamped instead of exploding. */
const FLAT = 0.05;

/**
 * Moves each vertex along its normal toward the iso level; returns the mean move in voxels.
 * Vertices where the band has no data stay put.
 */
function dataStep(mesh: CornerTable, band: BandField, iso: number): number {
  const normals = vertexNormals(mesh);
  const p = mesh.positions;
  const sample = new Float64Array(4);
  let total = 0;
  let moved = 0;
  for (let v = 0; v < mesh.vertexCount; v++) {
    if (mesh.isRemovedVertex(v) || mesh.isFixed(v)) continue;
    if (!band.sample(p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!, sample)) continue;
    const gradient = norm(sample[1]!, sample[2]!, sample[3]!);
    const distance = (sample[0]! - iso) / Math.max(gradient, FLAT);
    const step = DATA_STEP * Math.min(MAX_STEP, Math.max(-MAX_STEP, distance));
    for (let k = 0; k < 3; k++) p[v * 3 + k]! += step * normals[v * 3 + k]!;
    total += Math.abs(step);
    moved++;
  }
  return moved ? total / moved : 0;
}

/** x += w · (mean of neighbours − x) for every free vertex at once. */
function umbrella(mesh: CornerTable, rings: Rings, weight: number): void {
  const positions = mesh.positions;
  const means = neighbourMeans(positions, rings);
  for (let v = 0; v < rings.start.length - 1; v++) {
    if (mesh.isFixed(v)) continue;
    for (let k = v * 3; k < v * 3 + 3; k++) positions[k]! += weight * (means[k]! - positions[k]!);
  }
}

/** Taubin's λ|μ pair with pass-band 0.1: smooths noise without the shrinking of plain Laplacian. */
function taubin(mesh: CornerTable, rings: Rings, lambda: number): void {
  if (lambda <= 0) return;
  umbrella(mesh, rings, lambda);
  umbrella(mesh, rings, lambda / (0.1 * lambda - 1));
}

export function refineSurface(input: TriMesh, band: BandField, options: RefineOptions): RefineResult {
  const { iso, smooth, edgeLength, iterations, fixed, signal, onIteration } = options;
  const mesh = new CornerTable(input, fixed);
  let rings: Rings | undefined;
  let lastMove = 0;
  let done = 0;
  while (done < iterations) {
    if (signal?.aborted) throw cancelled('meshing cancelled');
    if (done % REMESH_EVERY === 0) {
      remesh(mesh, edgeLength);
      rings = vertexRings(mesh);
    }
    lastMove = dataStep(mesh, band, iso);
    taubin(mesh, rings!, smooth);
    done++;
    onIteration?.(done, iterations);
    if (lastMove < CONVERGED) break;
  }
  return { mesh: mesh.toMesh(fixed ? 'kept' : 'first use'), iterations: done, lastMove };
}
