// Isotropic remeshing toward a target edge length L (Botsch & Kobbelt 2004): split edges longer
// than 4/3 L, collapse edges shorter than 4/5 L where the link condition holds and nothing folds,
// flip edges toward valence 6 (or to the Delaunay diagonal), then relax vertices in their tangent
// plane. Vertices leave the surface only tangentially; the refiner pulls them back onto it.
import type { CornerTable } from './corner-table';
import { next, prev } from './corner-table';
import { angleFacing, norm, smallestAngle } from './trimesh';

type V3 = [number, number, number];

/** Each pass at least halves the longest edge; more passes only chase degenerate slivers. */
const MAX_SPLIT_PASSES = 8;

const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

const deviation = (valence: number): number => Math.abs(valence - 6);

/** Area-weighted unit normals of all vertices. */
export function vertexNormals(mesh: CornerTable): Float64Array {
  const normals = new Float64Array(mesh.vertexCount * 3);
  const p = mesh.positions;
  for (let c = 0; c < mesh.cornerCount; c += 3) {
    if (mesh.isDeleted(c)) continue;
    // separate constants, not destructured arrays: this runs for every triangle of every iteration
    const a = mesh.vertex(c) * 3;
    const b = mesh.vertex(c + 1) * 3;
    const d = mesh.vertex(c + 2) * 3;
    const ux = p[b]! - p[a]!;
    const uy = p[b + 1]! - p[a + 1]!;
    const uz = p[b + 2]! - p[a + 2]!;
    const wx = p[d]! - p[a]!;
    const wy = p[d + 1]! - p[a + 1]!;
    const wz = p[d + 2]! - p[a + 2]!;
    const nx = uy * wz - uz * wy;
    const ny = uz * wx - ux * wz;
    const nz = ux * wy - uy * wx;
    normals[a]! += nx;
    normals[a + 1]! += ny;
    normals[a + 2]! += nz;
    normals[b]! += nx;
    normals[b + 1]! += ny;
    normals[b + 2]! += nz;
    normals[d]! += nx;
    normals[d + 1]! += ny;
    normals[d + 2]! += nz;
  }
  for (let i = 0; i < normals.length; i += 3) {
    const len = norm(normals[i]!, normals[i + 1]!, normals[i + 2]!) || 1;
    for (let k = 0; k < 3; k++) normals[i + k]! /= len;
  }
  return normals;
}

/** Length of the edge opposite corner c. */
function edgeLength(mesh: CornerTable, c: number): number {
  const p = mesh.positions;
  const b = mesh.vertex(next(c)) * 3;
  const d = mesh.vertex(prev(c)) * 3;
  return norm(p[b]! - p[d]!, p[b + 1]! - p[d + 1]!, p[b + 2]! - p[d + 2]!);
}

/** Can the edge opposite corner c be split or collapsed: are both its ends free? */
const editable = (mesh: CornerTable, c: number): boolean =>
  !mesh.isFixed(mesh.vertex(next(c))) && !mesh.isFixed(mesh.vertex(prev(c)));

/** The midpoint of the edge opposite corner c, into `out`. */
function midpoint(mesh: CornerTable, c: number, out: Float64Array): void {
  const p = mesh.positions;
  const b = mesh.vertex(next(c)) * 3;
  const d = mesh.vertex(prev(c)) * 3;
  for (let k = 0; k < 3; k++) out[k] = (p[b + k]! + p[d + k]!) / 2;
}

/** Splits edges longer than `high` at their midpoints, pass by pass (new edges in the next pass). */
function splitLongEdges(mesh: CornerTable, high: number): void {
  const middle = new Float64Array(3);
  for (let pass = 0; pass < MAX_SPLIT_PASSES; pass++) {
    let splits = 0;
    const corners = mesh.cornerCount;
    for (let c = 0; c < corners; c++) {
      if (mesh.isDeleted(c) || c > mesh.opposite(c) || edgeLength(mesh, c) <= high || !editable(mesh, c)) continue;
      midpoint(mesh, c, middle);
      mesh.split(c, middle[0]!, middle[1]!, middle[2]!);
      splits++;
    }
    if (splits === 0) return;
  }
}

/** sin(0.05): a triangle whose smallest angle is below 0.05 rad has a corner of smaller sine, and back. */
const SIN_SMALLEST = Math.sin(0.05);

/**
 * Would moving both ends of the edge opposite c to `to` keep every surrounding triangle unfolded,
 * not tiny in angle, and with edges of at most `high`? Scalar arithmetic only: this runs for every
 * short edge of every remeshing pass.
 */
function collapseKeepsShape(mesh: CornerTable, c: number, to: Float64Array, high: number): boolean {
  const p = mesh.positions;
  const o = mesh.opposite(c);
  const gone1 = c - (c % 3);
  const gone2 = o - (o % 3);
  const tx = to[0]!;
  const ty = to[1]!;
  const tz = to[2]!;
  for (let end = 0; end < 2; end++) {
    const vertex = mesh.vertex(end === 0 ? next(c) : prev(c));
    const first = mesh.cornerOf(vertex);
    for (let corner = first, more = true; more; corner = mesh.around(corner), more = corner !== first) {
      const triangle = corner - (corner % 3);
      if (triangle === gone1 || triangle === gone2) continue;
      const q = mesh.vertex(next(corner)) * 3;
      const r = mesh.vertex(prev(corner)) * 3;
      const v = vertex * 3;
      const qx = p[q]!;
      const qy = p[q + 1]!;
      const qz = p[q + 2]!;
      const toQ = norm(qx - tx, qy - ty, qz - tz);
      if (toQ > high) return false;
      // the triangle's normal before (at the vertex's place) and after (at `to`), with q r as base
      const ex = p[r]! - qx;
      const ey = p[r + 1]! - qy;
      const ez = p[r + 2]! - qz;
      const bx = p[v]! - qx;
      const by = p[v + 1]! - qy;
      const bz = p[v + 2]! - qz;
      const ax = tx - qx;
      const ay = ty - qy;
      const az = tz - qz;
      const n0x = ey * bz - ez * by;
      const n0y = ez * bx - ex * bz;
      const n0z = ex * by - ey * bx;
      const n1x = ey * az - ez * ay;
      const n1y = ez * ax - ex * az;
      const n1z = ex * ay - ey * ax;
      const twiceArea = norm(n1x, n1y, n1z);
      const cosine = (n0x * n1x + n0y * n1y + n0z * n1z) / (norm(n0x, n0y, n0z) * twiceArea || 1);
      if (cosine < 0.5) return false;
      // the smallest sine of its corners: twice the area over the longest product of two sides
      const toR = norm(ex - ax, ey - ay, ez - az);
      const qr = norm(ex, ey, ez);
      if (twiceArea < SIN_SMALLEST * Math.max(toQ * toR, toQ * qr, toR * qr)) return false;
    }
  }
  return true;
}

function collapseShortEdges(mesh: CornerTable, low: number, high: number): void {
  const middle = new Float64Array(3);
  for (let c = 0; c < mesh.cornerCount; c++) {
    if (mesh.isDeleted(c) || edgeLength(mesh, c) >= low || !editable(mesh, c) || !mesh.canCollapse(c)) continue;
    midpoint(mesh, c, middle);
    if (collapseKeepsShape(mesh, c, middle, high)) mesh.collapse(c, middle[0]!, middle[1]!, middle[2]!);
  }
}

/** Squared distance between vertices i and j. */
function distance2(p: Float64Array, i: number, j: number): number {
  const x = p[i * 3]! - p[j * 3]!;
  const y = p[i * 3 + 1]! - p[j * 3 + 1]!;
  const z = p[i * 3 + 2]! - p[j * 3 + 2]!;
  return x * x + y * y + z * z;
}

/** The normal (not unit) of triangle (i, j, k) into out[at .. at + 2]. */
function normalInto(p: Float64Array, i: number, j: number, k: number, out: Float64Array, at: number): void {
  const ux = p[j * 3]! - p[i * 3]!;
  const uy = p[j * 3 + 1]! - p[i * 3 + 1]!;
  const uz = p[j * 3 + 2]! - p[i * 3 + 2]!;
  const vx = p[k * 3]! - p[i * 3]!;
  const vy = p[k * 3 + 1]! - p[i * 3 + 1]!;
  const vz = p[k * 3 + 2]! - p[i * 3 + 2]!;
  out[at] = uy * vz - uz * vy;
  out[at + 1] = uz * vx - ux * vz;
  out[at + 2] = ux * vy - uy * vx;
}

/** Cosine of the angle between the vectors at u[i ..] and v[j ..]. */
function cosineOf(u: Float64Array, i: number, v: Float64Array, j: number): number {
  const product = u[i]! * v[j]! + u[i + 1]! * v[j + 1]! + u[i + 2]! * v[j + 2]!;
  return product / (norm(u[i]!, u[i + 1]!, u[i + 2]!) * norm(v[j]!, v[j + 1]!, v[j + 2]!) || 1);
}

/** Scalar arithmetic on the positions, no arrays made: this runs for every edge of every remeshing. */
function flipEdges(mesh: CornerTable): void {
  const p = mesh.positions;
  // the normals of (a, b, d), (e, d, b) before and (a, b, e), (e, d, a) after, then the first two's sum
  const normals = new Float64Array(15);
  for (let c = 0; c < mesh.cornerCount; c++) {
    if (mesh.isDeleted(c) || c > mesh.opposite(c)) continue;
    const o = mesh.opposite(c);
    const a = mesh.vertex(c);
    const b = mesh.vertex(next(c));
    const d = mesh.vertex(prev(c));
    const e = mesh.vertex(o);
    // (a fixed vertex's ring may be open: connected() could not walk round it)
    if (mesh.isFixed(a) || mesh.isFixed(b) || mesh.isFixed(d) || mesh.isFixed(e)) continue;
    const va = mesh.valence(a);
    const vb = mesh.valence(b);
    const vd = mesh.valence(d);
    const ve = mesh.valence(e);
    if (vb <= 3 || vd <= 3) continue;
    const before = deviation(va) + deviation(vb) + deviation(vd) + deviation(ve);
    const after = deviation(va + 1) + deviation(vb - 1) + deviation(vd - 1) + deviation(ve + 1);
    if (after > before) continue;
    const ab = distance2(p, a, b);
    const ad = distance2(p, a, d);
    const ae = distance2(p, a, e);
    const bd = distance2(p, b, d);
    const be = distance2(p, b, e);
    const de = distance2(p, d, e);
    const angleBefore = Math.min(smallestAngle(ab, bd, ad), smallestAngle(de, bd, be));
    const angleAfter = Math.min(smallestAngle(ab, be, ae), smallestAngle(de, ad, ae));
    // opposite angles summing over π: the other diagonal is the Delaunay one
    const delaunay = angleFacing(bd, ab, ad) + angleFacing(bd, de, be) > Math.PI + 1e-6;
    const better = (after < before && angleAfter >= 0.5 * angleBefore) || (after <= before && delaunay);
    if (!better) continue;
    // both new triangles must face the way the old pair did (no fold)
    normalInto(p, a, b, d, normals, 0);
    normalInto(p, e, d, b, normals, 3);
    normalInto(p, a, b, e, normals, 6);
    normalInto(p, e, d, a, normals, 9);
    for (let k = 0; k < 3; k++) normals[12 + k] = normals[k]! + normals[3 + k]!;
    if (
      cosineOf(normals, 6, normals, 12) < 0.5 ||
      cosineOf(normals, 9, normals, 12) < 0.5 ||
      cosineOf(normals, 6, normals, 9) < 0.5 ||
      mesh.connected(a, e)
    )
      continue;
    mesh.flip(c);
  }
}

/** Each vertex's neighbours in one flat list (vertex v's are neighbours[start[v] .. start[v + 1]]). */
export interface Rings {
  start: Uint32Array;
  neighbours: Uint32Array;
}

/** The rings of a mesh, for the passes that move vertices but leave the connectivity alone. */
export function vertexRings(mesh: CornerTable): Rings {
  const start = new Uint32Array(mesh.vertexCount + 1);
  for (let c = 0; c < mesh.cornerCount; c++) if (!mesh.isDeleted(c)) start[mesh.vertex(c) + 1]!++;
  for (let v = 0; v < mesh.vertexCount; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, mesh.vertexCount);
  const neighbours = new Uint32Array(start[mesh.vertexCount]!);
  // each live corner names one neighbour of its vertex: the next vertex of its triangle
  for (let c = 0; c < mesh.cornerCount; c++)
    if (!mesh.isDeleted(c)) neighbours[fill[mesh.vertex(c)]!++] = mesh.vertex(next(c));
  return { start, neighbours };
}

/** The mean position of each vertex's neighbours (x, y, z per vertex; a vertex without any keeps its own). */
export function neighbourMeans(positions: Float64Array, rings: Rings): Float64Array {
  const { start, neighbours } = rings;
  const vertices = start.length - 1;
  const means = new Float64Array(vertices * 3);
  for (let v = 0; v < vertices; v++) {
    const from = start[v]!;
    const to = start[v + 1]!;
    if (from === to) {
      for (let k = 0; k < 3; k++) means[v * 3 + k] = positions[v * 3 + k]!;
      continue;
    }
    let x = 0;
    let y = 0;
    let z = 0;
    for (let j = from; j < to; j++) {
      const n = neighbours[j]! * 3;
      x += positions[n]!;
      y += positions[n + 1]!;
      z += positions[n + 2]!;
    }
    const count = to - from;
    means[v * 3] = x / count;
    means[v * 3 + 1] = y / count;
    means[v * 3 + 2] = z / count;
  }
  return means;
}

/** Moves every vertex halfway to the centroid of its neighbours, within its tangent plane. */
export function relaxTangentially(mesh: CornerTable, weight = 0.5): void {
  const normals = vertexNormals(mesh);
  const means = neighbourMeans(mesh.positions, vertexRings(mesh));
  const p = mesh.positions;
  for (let vertex = 0; vertex < mesh.vertexCount; vertex++) {
    if (mesh.isFixed(vertex)) continue;
    const move: V3 = [0, 0, 0];
    for (let k = 0; k < 3; k++) move[k] = means[vertex * 3 + k]! - p[vertex * 3 + k]!;
    const n: V3 = [normals[vertex * 3]!, normals[vertex * 3 + 1]!, normals[vertex * 3 + 2]!];
    const along = dot(move, n);
    for (let k = 0; k < 3; k++) p[vertex * 3 + k]! += weight * (move[k]! - along * n[k]!);
  }
}

/** One remeshing pass toward edge length `target`. */
export function remesh(mesh: CornerTable, target: number): void {
  splitLongEdges(mesh, (4 / 3) * target);
  collapseShortEdges(mesh, (4 / 5) * target, (4 / 3) * target);
  // collapses leave most of a raw surface deleted: the passes after them see live elements only
  mesh.compact();
  flipEdges(mesh);
  relaxTangentially(mesh);
}
