// The whole surface as extraction gathers it block by block, and its parts in canonical order
// (vertices by lattice edge id, triangles by their vertices), so that they never depend on the
// blocks. Held in chunks and let go as the parts are built: a dense class of a 512³ volume has
// 27 M triangles.
import { type Chunked, chunkedFloats, chunkedUints } from './chunked';
import { EdgeVertices, orderById } from './edge-vertices';
import { type TriMesh, connectedParts } from './trimesh';

export class GatheredSurface {
  /**
   * The vertices on lattice edges that blocks share, by edge id: a neighbour's cut of the same edge
   * is the same point. No other block meets the others, so they need no lookup.
   */
  private sharedVertices = new EdgeVertices();
  /** Each vertex's lattice edge id. */
  private readonly ids = chunkedFloats(1);
  private readonly coords = chunkedFloats(3);
  private readonly triangles = chunkedUints(3);

  /**
   * The vertex of lattice edge `id`, at (x, y, z) in voxel coordinates: the one a neighbouring block
   * gave already where the edge is `shared`, else a new one.
   */
  vertex(id: number, shared: boolean, x: number, y: number, z: number): number {
    const vertex = this.ids.length;
    if (shared) {
      const met = this.sharedVertices.get(id);
      if (met >= 0) return met;
      this.sharedVertices.set(id, vertex);
    }
    this.ids.push(id);
    this.coords.push(x);
    this.coords.push(y);
    this.coords.push(z);
    return vertex;
  }

  /** Adds a triangle's corner: three make a triangle, counter-clockwise seen from outside. */
  corner(vertex: number): void {
    this.triangles.push(vertex);
  }

  /**
   * The surface's connected parts in canonical order, as splitComponents cuts the whole mesh in
   * canonical order, but never holding that whole mesh: a dense class would be held twice over.
   * Vertices come in the order of their edge ids, triangles rotated to start at their smallest
   * vertex and sorted, parts in the order of their first vertex. The surface is left empty.
   */
  takeParts(): TriMesh[] {
    this.sharedVertices = new EdgeVertices();
    const count = this.ids.length;
    // typed sorts throughout: a 128³ volume's surface has millions of triangles
    const ids = new Float64Array(count);
    let at = 0;
    for (const chunk of this.ids.drain()) {
      ids.set(chunk, at);
      at += chunk.length;
    }
    const byId = orderById(ids);
    // each vertex's part and its index there, by canonical rank: parts numbered as first met
    const { rank, partOf, local, vertexCounts } = partsOf(byId, this.triangles);
    const parts = vertexCounts.map((n) => ({ positions: new Float64Array(n * 3), triangles: new Uint32Array(0) }));
    let vertex = 0;
    for (const chunk of this.coords.drain())
      for (let i = 0; i < chunk.length; i += 3, vertex++) {
        const r = rank[vertex]!;
        parts[partOf[r]!]!.positions.set(chunk.subarray(i, i + 3), local[r]! * 3);
      }
    // triangles by their smallest vertex (a counting sort per part: counted, then placed, each
    // rotation made twice rather than held), then among those sharing it by the other two
    const start = new Uint32Array(count);
    for (const chunk of this.triangles.views())
      for (let t = 0; t < chunk.length; t += 3) start[smallest(rank, chunk, t)]!++;
    const placed = new Uint32Array(parts.length);
    for (let r = 0; r < count; r++) {
      const part = partOf[r]!;
      const n = start[r]!;
      start[r] = placed[part]!;
      placed[part]! += n;
    }
    parts.forEach((part, i) => (part.triangles = new Uint32Array(placed[i]! * 3)));
    // (each chunk of corners let go once placed: the parts' triangles take its room)
    for (const chunk of this.triangles.drain())
      for (let t = 0; t < chunk.length; t += 3) {
        const a = rank[chunk[t]!]!;
        const b = rank[chunk[t + 1]!]!;
        const c = rank[chunk[t + 2]!]!;
        const first = a < b && a < c ? a : b < c ? b : c;
        const out = parts[partOf[first]!]!.triangles;
        const to = start[first]!++ * 3;
        out[to] = local[first]!;
        out[to + 1] = local[first === a ? b : first === b ? c : a]!;
        out[to + 2] = local[first === a ? c : first === b ? a : b]!;
      }
    for (const part of parts) sortTriangles(part.triangles);
    return parts;
  }
}

/** The smallest canonical rank among the corners of triangle `t` (its first corner at t) of `corners`. */
function smallest(rank: Uint32Array, corners: Uint32Array, t: number): number {
  const a = rank[corners[t]!]!;
  const b = rank[corners[t + 1]!]!;
  const c = rank[corners[t + 2]!]!;
  return a < b && a < c ? a : b < c ? b : c;
}

/**
 * The surface's connected parts: each gathered vertex's canonical rank, and by rank its part
 * (numbered in the order of their first vertex) and its index in the part.
 */
function partsOf(
  byId: Uint32Array,
  triangles: Chunked<Uint32Array>,
): { rank: Uint32Array; partOf: Uint32Array; local: Uint32Array; vertexCounts: number[] } {
  const count = byId.length;
  const find = connectedParts(count, triangles.views());
  const rank = new Uint32Array(count);
  const partOf = new Uint32Array(count);
  const local = new Uint32Array(count);
  const partOfRoot = new Int32Array(count).fill(-1);
  const vertexCounts: number[] = [];
  for (let r = 0; r < count; r++) {
    const vertex = byId[r]!;
    rank[vertex] = r;
    const root = find(vertex);
    if (partOfRoot[root]! < 0) partOfRoot[root] = vertexCounts.push(0) - 1;
    const part = partOfRoot[root]!;
    partOf[r] = part;
    local[r] = vertexCounts[part]!++;
  }
  return { rank, partOf, local, vertexCounts };
}

/**
 * Sorts triangles that are in order of their first vertex by the other two (insertion sort: only
 * the few sharing a first vertex are out of order).
 */
function sortTriangles(out: Uint32Array): void {
  for (let j = 3; j < out.length; j += 3)
    for (let q = j; q > 0; q -= 3) {
      const p = q - 3;
      if (
        out[p]! < out[q]! ||
        (out[p] === out[q] && (out[p + 1]! < out[q + 1]! || (out[p + 1] === out[q + 1] && out[p + 2]! <= out[q + 2]!)))
      )
        break;
      for (let k = 0; k < 3; k++) {
        const swap = out[p + k]!;
        out[p + k] = out[q + k]!;
        out[q + k] = swap;
      }
    }
}
