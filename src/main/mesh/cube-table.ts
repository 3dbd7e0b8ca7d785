// The surface inside one cube of the grid, for each of the 256 inside/outside patterns of its
// corners: marching tetrahedra's topology with marching cubes' few triangles.
//
// Splitting every cube into the same six tetrahedra around its (0,0,0)-(1,1,1) diagonal (the Kuhn
// triangulation) makes the surface the level set of a piecewise-linear function on a simplicial
// complex: closed, manifold and consistently oriented, with no ambiguous case. But it puts vertices
// on the face and body diagonals too, up to 12 triangles a cube, three times what the remesher then
// has to collapse. So each piece of that surface inside a cube is triangulated again from its
// boundary, with the face diagonals' vertices taken out: a face's crossing then runs straight
// between the face's edges, the same seen from both of its cubes, and the pieces keep their
// topology (a disc stays a disc, the one tube a strip; where no chord is safe, a fan round a vertex
// in its middle), so the surface stays closed and manifold with the labels' connectivity exactly as
// before.
import type { Vec3 } from '../../shared/volume';
import { smallestAngle } from './trimesh';

/** Codes from CENTRE on name an extra vertex of the cube (CENTRE + k: its k-th), below are lattice edges. */
export const CENTRE = 64;

export interface CubeCase {
  /** Triangles, 3 codes each: a lattice edge low * 8 + high (its two corners) or CENTRE + k. */
  triangles: number[];
  /** For each extra vertex, the lattice edges (diagonals included) whose cuts it averages. */
  centres: number[][];
}

/** Corner c of a cube is at offset (x, y, z) = (c & 1, c >> 1 & 1, c >> 2 & 1). */
const cornerOffset = (c: number): Vec3 => [c & 1, (c >> 1) & 1, (c >> 2) & 1];
const edge = (p: number, q: number): number => (p & q) * 8 + (p | q);
const low = (code: number): number => code >> 3;
const direction = (code: number): number => (code >> 3) ^ (code & 7);
const onAxis = (code: number): boolean => [1, 2, 4].includes(direction(code));

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Positive when the tetrahedron of corners p, q, r, s is positively oriented. */
function orientation(p: number, q: number, r: number, s: number): number {
  const [a, b, c, d] = [p, q, r, s].map(cornerOffset) as [Vec3, Vec3, Vec3, Vec3];
  return dot(sub(b, a), cross(sub(c, a), sub(d, a)));
}

/** The six tetrahedra of a cube round its (0,0,0)-(1,1,1) diagonal, as corners. */
export const KUHN_TETRAHEDRA: readonly (readonly number[])[] = [
  [1, 2],
  [1, 4],
  [2, 1],
  [2, 4],
  [4, 1],
  [4, 2],
].map(([a, b]) => [0, a!, a! | b!, 7]);

/**
 * Marching tetrahedra's triangles for one pattern, as lattice edges, oriented so normals point from
 * inside to outside: for a triangle cutting edges from corner i, its normal points away from i
 * exactly when the tetrahedron (i, j, k, l) is positively oriented, whatever the cut positions.
 */
export function tetrahedraTriangles(mask: number): number[] {
  const tris: number[] = [];
  for (const tet of KUHN_TETRAHEDRA) {
    const inside = tet.filter((c) => (mask >> c) & 1);
    const outside = tet.filter((c) => !((mask >> c) & 1));
    if (inside.length === 1 || inside.length === 3) {
      const lone = (inside.length === 1 ? inside : outside)[0]!;
      const [j, k, l] = (inside.length === 1 ? outside : inside) as [number, number, number];
      const awayFromLone = orientation(lone, j, k, l) > 0;
      const outward = inside.length === 1 ? awayFromLone : !awayFromLone;
      tris.push(edge(lone, j), ...(outward ? [edge(lone, k), edge(lone, l)] : [edge(lone, l), edge(lone, k)]));
    } else if (inside.length === 2) {
      const [p, q] = inside as [number, number];
      const [r, s] = outside as [number, number];
      const quad = [edge(p, r), edge(p, s), edge(q, s), edge(q, r)] as const;
      if (orientation(p, r, s, q) > 0) tris.push(quad[0], quad[1], quad[2], quad[0], quad[2], quad[3]);
      else tris.push(quad[0], quad[2], quad[1], quad[0], quad[3], quad[2]);
    }
  }
  return tris;
}

/** An edge's midpoint in the cube: where the table's triangle shapes are judged. */
function midpoint(code: number): Vec3 {
  const [a, b] = [cornerOffset(low(code)), cornerOffset(code & 7)];
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/** The faces (axis * 2 + side) of the cube that an axis edge lies on. */
function faces(code: number): number[] {
  const along = Math.log2(direction(code));
  const corner = low(code);
  return [0, 1, 2].filter((axis) => axis !== along).map((axis) => axis * 2 + ((corner >> axis) & 1));
}

/**
 * A chord between two vertices on one face could be the neighbouring cube's chord too (an edge of
 * four triangles): the table never draws one.
 */
const shareFace = (a: number, b: number): boolean => faces(a).some((face) => faces(b).includes(face));

/** A triangle's smallest angle, from its corners. */
function smallestAngleOf(a: Vec3, b: Vec3, c: Vec3): number {
  const squared = (p: Vec3, q: Vec3): number => dot(sub(p, q), sub(p, q));
  return smallestAngle(squared(a, b), squared(b, c), squared(c, a));
}

/**
 * The triangulation of a boundary cycle (in its orientation) with the largest smallest angle, no
 * chord between vertices of one face and no triangle turned against `normal`; undefined if none.
 */
function triangulate(cycle: number[], normal: Vec3): number[] | undefined {
  const k = cycle.length;
  const points = cycle.map(midpoint);
  const allowed = (i: number, j: number): boolean =>
    j - i === 1 || (i === 0 && j === k - 1) || !shareFace(cycle[i]!, cycle[j]!);
  // best[i][j]: the best smallest angle triangulating the cycle's stretch i..j closed by chord i-j
  const best = cycle.map(() => new Array<number>(k).fill(-Infinity));
  const split = cycle.map(() => new Array<number>(k).fill(-1));
  for (let i = 0; i + 1 < k; i++) best[i]![i + 1] = Infinity;
  for (let span = 2; span < k; span++)
    for (let i = 0; i + span < k; i++) {
      const j = i + span;
      if (!allowed(i, j)) continue;
      for (let m = i + 1; m < j; m++) {
        const [a, b, c] = [points[i]!, points[m]!, points[j]!];
        if (dot(cross(sub(b, a), sub(c, a)), normal) <= 0) continue;
        const quality = Math.min(best[i]![m]!, best[m]![j]!, smallestAngleOf(a, b, c));
        if (quality > best[i]![j]!) [best[i]![j], split[i]![j]] = [quality, m];
      }
    }
  if (best[0]![k - 1] === -Infinity) return undefined;
  const triangles: number[] = [];
  const emit = (i: number, j: number): void => {
    if (j - i < 2) return;
    const m = split[i]![j]!;
    triangles.push(cycle[i]!, cycle[m]!, cycle[j]!);
    emit(i, m);
    emit(m, j);
  };
  emit(0, k - 1);
  return triangles;
}

/**
 * The pieces of a pattern's tetrahedra surface: for each, its vertices and its boundary cycles on
 * the cube's faces (oriented as the surface, face diagonals' vertices taken out).
 */
function pieces(tris: number[]): { vertices: number[]; cycles: number[][]; normal: Vec3 }[] {
  const count = tris.length / 3;
  const key = (a: number, b: number): number => Math.min(a, b) * 64 + Math.max(a, b);
  const sides = (t: number): [number, number][] =>
    [0, 1, 2].map((k) => [tris[t * 3 + k]!, tris[t * 3 + ((k + 1) % 3)]!]);
  const parent = Array.from({ length: count }, (_, t) => t);
  const root = (t: number): number => (parent[t] === t ? t : (parent[t] = root(parent[t]!)));
  const firstUse = new Map<number, number>();
  const uses = new Map<number, number>();
  for (let t = 0; t < count; t++)
    for (const [a, b] of sides(t)) {
      const id = key(a, b);
      uses.set(id, (uses.get(id) ?? 0) + 1);
      if (firstUse.has(id)) parent[root(t)] = root(firstUse.get(id)!);
      else firstUse.set(id, t);
    }
  // a side used by one triangle lies on a face: the piece's boundary, followed in its direction
  const following = new Map<number, number>();
  const pieceOf = new Map<number, number>();
  for (let t = 0; t < count; t++)
    for (const [a, b] of sides(t))
      if (uses.get(key(a, b)) === 1) {
        following.set(a, b);
        pieceOf.set(a, root(t));
      }
  const byRoot = new Map<number, { vertices: number[]; cycles: number[][]; normal: Vec3 }>();
  for (let t = 0; t < count; t++) {
    const piece = byRoot.get(root(t)) ?? { vertices: [], cycles: [], normal: [0, 0, 0] as Vec3 };
    byRoot.set(root(t), piece);
    const [a, b, c] = [0, 1, 2].map((k) => tris[t * 3 + k]!) as Vec3;
    for (const v of [a, b, c]) if (!piece.vertices.includes(v)) piece.vertices.push(v);
    const n = cross(sub(midpoint(b), midpoint(a)), sub(midpoint(c), midpoint(a)));
    for (let k = 0; k < 3; k++) piece.normal[k]! += n[k]!;
  }
  const seen = new Set<number>();
  for (const start of following.keys()) {
    if (seen.has(start)) continue;
    const cycle: number[] = [];
    for (let v = start; !seen.has(v); v = following.get(v)!) {
      seen.add(v);
      if (onAxis(v)) cycle.push(v);
    }
    byRoot.get(pieceOf.get(start)!)!.cycles.push(cycle);
  }
  return [...byRoot.values()];
}

/**
 * A tube (only corners 0 and 7 on one side: the two cycles go round them) as a strip: each side of
 * one cycle with the vertex of the other that the tetrahedra's surface joins to both its ends.
 */
function strip(tris: number[], [first, second]: [number[], number[]]): number[] {
  const joined = new Set<number>();
  for (let t = 0; t < tris.length; t += 3)
    for (let k = 0; k < 3; k++)
      joined.add(tris[t + k]! * 64 + tris[t + ((k + 1) % 3)]!).add(tris[t + ((k + 1) % 3)]! * 64 + tris[t + k]!);
  const triangles: number[] = [];
  const sides: [number[], number[]][] = [
    [first, second],
    [second, first],
  ];
  for (const [cycle, other] of sides)
    cycle.forEach((a, i) => {
      const b = cycle[(i + 1) % cycle.length]!;
      const apex = other.filter((c) => joined.has(a * 64 + c) && joined.has(b * 64 + c));
      if (apex.length !== 1) throw new Error(`cube table: no strip for a tube (${apex.length} apexes)`);
      triangles.push(a, b, apex[0]!);
    });
  return triangles;
}

function cubeCase(mask: number): CubeCase {
  const tris = tetrahedraTriangles(mask);
  const triangles: number[] = [];
  const centres: number[][] = [];
  for (const piece of pieces(tris)) {
    if (piece.cycles.length === 2) {
      triangles.push(...strip(tris, piece.cycles as [number[], number[]]));
      continue;
    }
    if (piece.cycles.length !== 1) throw new Error(`cube table: a piece with ${piece.cycles.length} boundaries`);
    const cycle = piece.cycles[0]!;
    const direct = triangulate(cycle, piece.normal);
    if (direct) {
      triangles.push(...direct);
      continue;
    }
    // no chord is safe: a fan round a new vertex in the piece's middle
    const centre = CENTRE + centres.length;
    centres.push(piece.vertices);
    cycle.forEach((a, i) => triangles.push(a, cycle[(i + 1) % cycle.length]!, centre));
  }
  return { triangles, centres };
}

export const CUBE_CASES: readonly CubeCase[] = Array.from({ length: 256 }, (_, mask) => cubeCase(mask));
