// One large surface refined in pieces on several threads. The surface is cut across its longest
// axis into slabs of about equal size, with a strip a few voxels wide round each cut whose vertices
// stay fixed. Each slab (its triangles, with the strip vertices they reach) is refined on its own:
// no edit touches a fixed vertex's edges, so the refined slabs still fit the strips exactly. A
// second pass refines the seams the same way, the refined slabs round them fixed. How many pieces
// depends on the surface alone, never on the machine: the same volume gives the same mesh anywhere.
// Smaller surfaces (a class's many objects) are refined each whole, shared out among the threads.
import { TomosegError } from '../../shared/errors';
import { WorkerPool } from '../worker-pool';
import { workerStarter } from '../worker-starter';
import type { BandField } from './band';
import { type RefineOptions, refineSurface } from './refine';
import type { RefineReply, RefineWork } from './refine-worker';
import { uints } from './growable';
import type { TriMesh } from './trimesh';

/** Triangles per piece, about: below twice this a surface is refined whole. */
export const PIECE_TRIANGLES = 4_000_000;
const MAX_PIECES = 16;
/** Half the width of the fixed strip round a cut, voxels: wider than any edge, so no triangle spans it. */
const STRIP = 1.5;
/** Half the width of the seam refined in the second pass, voxels (the first pass's strip and the vertices it held back). */
const SEAM = 5;

export interface PieceOptions extends Omit<RefineOptions, 'fixed'> {
  /** Threads to refine on, this one included. */
  threads: number;
  /** Triangles per piece (tests make it small). */
  pieceTriangles?: number;
}

const startWorker = workerStarter(import.meta.url, './refine-worker.ts', 'mesh-refine-worker.js');

/** Refines `mesh` against `band` like refineSurface, in pieces on `threads` threads when it is large. */
export async function refineInPieces(mesh: TriMesh, band: BandField, options: PieceOptions): Promise<TriMesh> {
  const { threads, pieceTriangles, onIteration, ...refine } = options;
  const pieces = piecesFor(mesh.triangles.length / 3, pieceTriangles);
  const { axis, cuts } = cutsAcross(mesh, pieces);
  if (cuts.length === 0) return refineSurface(mesh, band, { ...refine, onIteration }).mesh;
  // slabs: vertices numbered by the cuts below them, −1 in a strip
  const slab = new Int32Array(mesh.positions.length / 3);
  for (let v = 0; v < slab.length; v++) {
    const x = mesh.positions[v * 3 + axis]!;
    const index = nearestCut(cuts, x);
    slab[v] = Math.abs(x - cuts[index]!) < STRIP ? -1 : x < cuts[index]! ? index : index + 1;
  }
  // progress: the slabs are most of the work
  const { iterations } = refine;
  const slabs = (done: number): void => onIteration?.(0.9 * done, iterations);
  const halfway = await refineParts(mesh, slab, cuts.length + 1, band, { ...refine, onIteration: slabs }, threads);
  const seam = new Int32Array(halfway.positions.length / 3);
  for (let v = 0; v < seam.length; v++) {
    const x = halfway.positions[v * 3 + axis]!;
    const index = nearestCut(cuts, x);
    seam[v] = Math.abs(x - cuts[index]!) < SEAM ? index : -1;
  }
  const seams = (done: number): void => onIteration?.(0.9 * iterations + 0.1 * done, iterations);
  return refineParts(halfway, seam, cuts.length, band, { ...refine, onIteration: seams }, threads);
}

/** Below this many triangles in all (about 3 s of refining), surfaces are refined on this thread: a worker costs time to start. */
const WORKER_TRIANGLES = 1_000_000;

export interface SurfacesOptions extends Omit<PieceOptions, 'onIteration'> {
  /** Triangles in all below which no worker starts (tests make it small). */
  workerTriangles?: number;
  /** Called with the triangles refined so far, of all. */
  progress?: (done: number, total: number) => void;
}

/**
 * Refines separate surfaces like refineInPieces, each let go (its entry emptied) once it is handed
 * on: one large enough to cut is refined in pieces on all threads, the others whole, shared out
 * among the threads (each worker takes its share at once). The results do not depend on the
 * threads. `progress` counts the triangles refined.
 */
export async function refineSurfaces(
  surfaces: (TriMesh | undefined)[],
  band: BandField,
  options: SurfacesOptions,
): Promise<TriMesh[]> {
  const { progress, workerTriangles, ...refine } = options;
  const sizes = surfaces.map((s) => s!.triangles.length / 3);
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const refined: TriMesh[] = new Array(surfaces.length);
  const whole: number[] = [];
  for (const [i, size] of sizes.entries()) {
    if (piecesFor(size, refine.pieceTriangles) < 2) {
      whole.push(i);
      continue;
    }
    const surface = surfaces[i]!;
    surfaces[i] = undefined;
    const report = (d: number, of: number): void => progress?.(done + (d / of) * size, total);
    refined[i] = await refineInPieces(surface, band, { ...refine, onIteration: report });
    done += size;
  }
  await refineEach(surfaces, whole, refined, band, {
    ...refine,
    workerTriangles,
    progress: (d) => progress?.(done + d, total),
  });
  return refined;
}

/** A power of two: as many pieces for each of 2, 4, 8 or 16 threads. */
const piecesFor = (triangles: number, pieceTriangles = PIECE_TRIANGLES): number =>
  Math.min(MAX_PIECES, 2 ** Math.round(Math.log2(triangles / pieceTriangles)));

/**
 * Refines the surfaces at `indices` each whole into `refined`, on up to `threads` threads, the
 * largest first, each to the thread with the fewest triangles; each entry emptied once handed on
 * (a worker's share is transferred, this thread's let go as refined). `progress` counts the
 * triangles this thread has refined.
 */
async function refineEach(
  surfaces: (TriMesh | undefined)[],
  indices: number[],
  refined: TriMesh[],
  band: BandField,
  options: SurfacesOptions & { progress: (done: number) => void },
): Promise<void> {
  const {
    iso,
    smooth,
    edgeLength,
    iterations,
    threads,
    signal,
    progress,
    workerTriangles = WORKER_TRIANGLES,
  } = options;
  const settings = { iso, smooth, edgeLength, iterations };
  const size = (i: number): number => surfaces[i]!.triangles.length / 3;
  const total = indices.reduce((n, i) => n + size(i), 0);
  const count = total < workerTriangles ? 1 : Math.max(1, Math.min(threads, indices.length));
  const load = new Float64Array(count);
  const threadOf = new Map<number, number>();
  for (const i of [...indices].sort((a, b) => size(b) - size(a) || a - b)) {
    const thread = load.indexOf(Math.min(...load));
    threadOf.set(i, thread);
    load[thread]! += size(i);
  }
  const theirs = (thread: number): number[] => indices.filter((i) => threadOf.get(i) === thread);
  const take = (i: number): TriMesh => {
    const surface = surfaces[i]!;
    surfaces[i] = undefined;
    return surface;
  };
  const shared = count > 1 ? band.share() : undefined;
  const workers = onWorkers(
    Array.from({ length: count - 1 }, (_, w) => ({
      band: shared!,
      parts: theirs(w + 1).map((i) => ({ mesh: take(i) })),
      options: settings,
    })),
    signal,
  );
  let done = 0;
  try {
    for (const i of theirs(0)) {
      const triangles = size(i);
      refined[i] = refineSurface(take(i), band, { ...settings, signal }).mesh;
      progress((done += triangles));
    }
    (await Promise.all(workers.refined)).forEach((meshes, w) =>
      theirs(w + 1).forEach((i, j) => (refined[i] = meshes[j]!)),
    );
  } finally {
    workers.close();
  }
}

/** The index of the cut nearest to `x`. */
function nearestCut(cuts: number[], x: number): number {
  let best = 0;
  for (let i = 1; i < cuts.length; i++) if (Math.abs(cuts[i]! - x) < Math.abs(cuts[best]! - x)) best = i;
  return best;
}

/**
 * Cuts across the mesh's longest axis into `pieces` slabs of about equal vertex counts, at
 * half-integer positions, each slab wider than three seams (fewer cuts where the mesh is thin).
 */
function cutsAcross(mesh: TriMesh, pieces: number): { axis: number; cuts: number[] } {
  const p = mesh.positions;
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i++) {
    low[i % 3] = Math.min(low[i % 3]!, p[i]!);
    high[i % 3] = Math.max(high[i % 3]!, p[i]!);
  }
  const axis = [0, 1, 2].reduce((best, a) => (high[a]! - low[a]! > high[best]! - low[best]! ? a : best), 0);
  if (pieces < 2) return { axis, cuts: [] };
  const first = Math.floor(low[axis]!);
  const counts = new Float64Array(Math.floor(high[axis]!) - first + 1);
  for (let i = axis; i < p.length; i += 3) counts[Math.floor(p[i]!) - first]!++;
  const cuts: number[] = [];
  let below = 0;
  for (let bin = 0; bin < counts.length && cuts.length < pieces - 1; bin++) {
    below += counts[bin]!;
    const cut = first + bin + 0.5;
    const previous = cuts.at(-1) ?? low[axis]!;
    if (
      below >= ((cuts.length + 1) / pieces) * (p.length / 3) &&
      cut - previous > 3 * SEAM &&
      high[axis]! - cut > 3 * SEAM
    )
      cuts.push(cut);
  }
  return { axis, cuts };
}

/** Where a part's vertices are in the whole mesh: its fixed ones come first. */
interface Placement {
  fixedCount: number;
  ids: Uint32Array;
}

/** The triangles of one piece and the vertices they use (fixed ones first). */
interface Part extends Placement {
  mesh: TriMesh;
  fixed: Uint8Array;
}

/**
 * Refines the parts of `mesh` whose free vertices `label` numbers 0 .. count − 1 (−1: fixed),
 * each part the triangles with a free vertex of its number, on up to `threads` threads; returns the
 * mesh with every part replaced by its refined self.
 */
async function refineParts(
  mesh: TriMesh,
  label: Int32Array,
  count: number,
  band: BandField,
  options: Omit<RefineOptions, 'fixed'>,
  threads: number,
): Promise<TriMesh> {
  const makePart = partsOf(mesh, label, count);
  const workers = Math.max(0, Math.min(threads, count) - 1);
  const { signal, onIteration, ...settings } = options;
  // parts round-robin over this thread (0) and the workers; a worker takes all of its parts at once,
  // made before this thread's (made one at a time: fewer copies of the surface at once)
  const threadOf = (i: number): number => i % (workers + 1);
  const indices = Array.from({ length: count }, (_, i) => i);
  const placed: Placement[] = new Array(count);
  const shared = band.share();
  const running = onWorkers(
    Array.from({ length: workers }, (_, w) => {
      const mine = indices.filter((i) => threadOf(i) === w + 1).map((i) => (placed[i] = makePart(i)));
      return { band: shared, parts: mine.map(({ mesh, fixed }) => ({ mesh, fixed })), options: settings };
    }),
    signal,
  );
  const refined: TriMesh[] = new Array(count);
  const here = indices.filter((i) => threadOf(i) === 0);
  try {
    here.forEach((i, j) => {
      const { mesh: part, fixed, fixedCount, ids } = makePart(i);
      placed[i] = { fixedCount, ids };
      const report = (done: number): void =>
        onIteration?.((j * options.iterations + done) / here.length, options.iterations);
      refined[i] = refineSurface(part, band, { ...options, fixed, onIteration: report }).mesh;
    });
    (await Promise.all(running.refined)).forEach((meshes, w) =>
      meshes.forEach((result, j) => (refined[j * (workers + 1) + w + 1] = result)),
    );
  } finally {
    running.close();
  }
  return stitch(mesh, label, placed, refined);
}

/** The parts of `mesh` that `label` numbers (see refineParts), each made when asked for. */
function partsOf(mesh: TriMesh, label: Int32Array, count: number): (part: number) => Part {
  const { positions, triangles } = mesh;
  const triangleCount = triangles.length / 3;
  // each triangle's part (−1: none), then the triangles grouped by part
  const partOf = new Int32Array(triangleCount).fill(-1);
  const start = new Uint32Array(count + 1);
  for (let t = 0; t < triangleCount; t++) {
    for (let k = 0; k < 3; k++) {
      const part = label[triangles[t * 3 + k]!]!;
      if (part < 0) continue;
      if (partOf[t] !== -1 && partOf[t] !== part)
        throw new TomosegError('internal', 'a triangle reaches across a fixed strip between two pieces');
      partOf[t] = part;
    }
    if (partOf[t] !== -1) start[partOf[t]! + 1]!++;
  }
  for (let part = 0; part < count; part++) start[part + 1]! += start[part]!;
  const fill = start.slice(0, count);
  const byPart = new Uint32Array(start[count]!);
  for (let t = 0; t < triangleCount; t++) if (partOf[t] !== -1) byPart[fill[partOf[t]!]!++] = t;
  const local = new Int32Array(label.length).fill(-1);
  return (part) => {
    const mine = byPart.subarray(start[part], start[part + 1]);
    // the part's vertices: fixed ones first, then free ones, each in the order the triangles meet them
    const ids = uints(1024);
    for (const free of [false, true])
      for (const t of mine)
        for (let k = 0; k < 3; k++) {
          const v = triangles[t * 3 + k]!;
          if (local[v] !== -1 || (label[v] === part) !== free) continue;
          local[v] = ids.length;
          ids.push(v);
        }
    const firstFree = ids.view().findIndex((v) => label[v] === part);
    const fixedCount = firstFree === -1 ? ids.length : firstFree;
    const partTriangles = new Uint32Array(mine.length * 3);
    mine.forEach((t, i) => {
      for (let k = 0; k < 3; k++) partTriangles[i * 3 + k] = local[triangles[t * 3 + k]!]!;
    });
    const partIds = ids.view().slice();
    const partPositions = new Float64Array(partIds.length * 3);
    partIds.forEach((v, i) => {
      partPositions.set(positions.subarray(v * 3, v * 3 + 3), i * 3);
      local[v] = -1;
    });
    const fixed = new Uint8Array(partIds.length).fill(1, 0, fixedCount);
    return { mesh: { positions: partPositions, triangles: partTriangles }, fixed, fixedCount, ids: partIds };
  };
}

/** `mesh` with each part replaced by its refined version: the parts' fixed vertices are the mesh's own. */
function stitch(mesh: TriMesh, label: Int32Array, parts: Placement[], refined: TriMesh[]): TriMesh {
  const { positions, triangles } = mesh;
  // vertices outside every part's free set keep their places, renumbered; the parts' new ones follow
  const kept = new Int32Array(label.length).fill(-1);
  let vertices = 0;
  for (let v = 0; v < label.length; v++) if (label[v] === -1) kept[v] = vertices++;
  const keptTriangle = (t: number): boolean =>
    kept[triangles[t * 3]!] !== -1 && kept[triangles[t * 3 + 1]!] !== -1 && kept[triangles[t * 3 + 2]!] !== -1;
  let triangleCount = 0;
  for (let t = 0; t < triangles.length / 3; t++) if (keptTriangle(t)) triangleCount++;
  const added = refined.reduce((n, r, i) => n + r.positions.length / 3 - parts[i]!.fixedCount, 0);
  const outPositions = new Float64Array((vertices + added) * 3);
  const outTriangles = new Uint32Array((triangleCount + refined.reduce((n, r) => n + r.triangles.length / 3, 0)) * 3);
  for (let v = 0; v < label.length; v++)
    if (kept[v] !== -1) outPositions.set(positions.subarray(v * 3, v * 3 + 3), kept[v]! * 3);
  let at = 0;
  for (let t = 0; t < triangles.length / 3; t++)
    if (keptTriangle(t)) for (let k = 0; k < 3; k++) outTriangles[at++] = kept[triangles[t * 3 + k]!]!;
  refined.forEach((result, i) => {
    const { fixedCount, ids } = parts[i]!;
    const first = vertices - fixedCount;
    outPositions.set(result.positions.subarray(fixedCount * 3), vertices * 3);
    vertices += result.positions.length / 3 - fixedCount;
    for (const v of result.triangles) outTriangles[at++] = v < fixedCount ? kept[ids[v]!]! : first + v;
  });
  return { positions: outPositions, triangles: outTriangles };
}

/**
 * Each work refined on a worker thread of its own, its parts transferred; `close` ends the threads
 * (what they still refine is cancelled).
 */
function onWorkers(
  works: RefineWork[],
  signal: AbortSignal | undefined,
): { refined: Promise<TriMesh[]>[]; close: () => void } {
  const pool = new WorkerPool<RefineWork, RefineReply>(startWorker, works.length);
  const refined = works.map((work) => {
    const buffers = work.parts.flatMap(({ mesh, fixed }) => [
      mesh.positions.buffer,
      mesh.triangles.buffer,
      ...(fixed ? [fixed.buffer] : []),
    ]) as ArrayBuffer[];
    const meshes = pool.run(work, buffers, signal).then((reply) => reply.meshes);
    meshes.catch(() => undefined); // awaited once this thread's share is refined: not unhandled meanwhile
    return meshes;
  });
  return { refined, close: () => pool.close() };
}
