// Deformable-surface refinement: vertices move along their normals toward the iso level of the
// field (a Newton step on the trilinear interpolant: distance ≈ (p − iso)/|∇p|, clamped), a Taubin
// λ|μ smoothing pair regularises without shrinking, and remeshing keeps the triangles good.
import { cancelled } from '../../shared/errors';
import type { BandField } from './band';
import { CornerTable } from './corner-table';
import { neighbourSums, remesh, vertexNormals } from './remesh';
import type { TriMesh } from './trimesh';

export interface RefineOptions {
  iso: number;
  /** Physical voxel size (x, y, z): positions are physical, the field is sampled in voxels. */
  spacing: [number, number, number];
  /** Smoothing weight λ in [0, 1]; 0 follows the data only. */
  smooth: number;
  /** Target edge length, physical units. */
  edgeLength: number;
  iterations: number;
  /** Remesh every this many iterations. */
  remeshEvery?: number;
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

/** Stop once the mean data move falls below this many voxels. */
const CONVERGED = 1e-3;
/** Fraction of the Newton step taken per iteration (damped for stability against noise). */
const DATA_STEP = 0.5;

/**
 * Moves each vertex along its normal toward the iso level; returns the mean move in voxels.
 * Vertices where the band has no data stay put.
 */
function dataStep(mesh: CornerTable, band: BandField, iso: number, spacing: [number, number, number]): number {
  const normals = vertexNormals(mesh);
  const p = mesh.positions;
  const voxel = Math.min(...spacing);
  const maxStep = 0.5 * voxel;
  const sample = new Float64Array(4);
  let total = 0;
  let moved = 0;
  for (let v = 0; v < mesh.vertexCount; v++) {
    if (mesh.isRemovedVertex(v)) continue;
    const [x, y, z] = [p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!];
    if (!band.sample(x / spacing[0], y / spacing[1], z / spacing[2], sample)) continue;
    const gradient = Math.hypot(sample[1]! / spacing[0], sample[2]! / spacing[1], sample[3]! / spacing[2]);
    // a flat field (|∇p| tiny) would give a huge step: floor the gradient, then clamp the step
    const distance = (sample[0]! - iso) / Math.max(gradient, 0.05 / voxel);
    const step = DATA_STEP * Math.min(maxStep, Math.max(-maxStep, distance));
    for (let k = 0; k < 3; k++) p[v * 3 + k]! += step * normals[v * 3 + k]!;
    total += Math.abs(step);
    moved++;
  }
  return moved ? total / moved / voxel : 0;
}

/** x += w · (mean of neighbours − x) for every vertex at once. */
function umbrella(mesh: CornerTable, weight: number): void {
  const { sum, count } = neighbourSums(mesh);
  const p = mesh.positions;
  for (let v = 0; v < mesh.vertexCount; v++) {
    if (!count[v]) continue;
    for (let k = 0; k < 3; k++) p[v * 3 + k]! += weight * (sum[v * 3 + k]! / count[v]! - p[v * 3 + k]!);
  }
}

/** Taubin's λ|μ pair with pass-band 0.1: smooths noise without the shrinking of plain Laplacian. */
function taubin(mesh: CornerTable, lambda: number): void {
  if (lambda <= 0) return;
  umbrella(mesh, lambda);
  umbrella(mesh, lambda / (0.1 * lambda - 1));
}

export function refineSurface(input: TriMesh, band: BandField, options: RefineOptions): RefineResult {
  const { iso, spacing, smooth, edgeLength, iterations, signal, onIteration } = options;
  const remeshEvery = options.remeshEvery ?? 5;
  const mesh = new CornerTable(input);
  remesh(mesh, edgeLength);
  let lastMove = 0;
  let done = 0;
  while (done < iterations) {
    if (signal?.aborted) throw cancelled('meshing cancelled');
    if (done > 0 && done % remeshEvery === 0) remesh(mesh, edgeLength);
    lastMove = dataStep(mesh, band, iso, spacing);
    taubin(mesh, smooth);
    done++;
    onIteration?.(done, iterations);
    if (lastMove < CONVERGED) break;
  }
  return { mesh: mesh.toMesh(), iterations: done, lastMove };
}
