// Isotropic remeshing toward a target edge length L (Botsch & Kobbelt 2004): split edges longer
// than 4/3 L, collapse edges shorter than 4/5 L where the link condition holds and nothing folds,
// flip edges toward valence 6 (or to the Delaunay diagonal), then relax vertices in their tangent
// plane. Vertices leave the surface only tangentially; the refiner pulls them back onto it.
import type { CornerTable } from './corner-table';
import { next, prev } from './corner-table';

type V3 = [number, number, number];

/** Each pass at least halves the longest edge; more passes only chase degenerate slivers. */
const MAX_SPLIT_PASSES = 8;

function point(mesh: CornerTable, vertex: number): V3 {
  const p = mesh.positions;
  return [p[vertex * 3]!, p[vertex * 3 + 1]!, p[vertex * 3 + 2]!];
}

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const length = (a: V3): number => Math.hypot(a[0], a[1], a[2]);
const triangleNormal = (a: V3, b: V3, c: V3): V3 => cross(sub(b, a), sub(c, a));

const cosine = (u: V3, v: V3): number => dot(u, v) / (length(u) * length(v) || 1);
/** Angle at p of triangle pqr, radians. */
const angleAt = (p: V3, q: V3, r: V3): number => Math.acos(Math.min(1, Math.max(-1, cosine(sub(q, p), sub(r, p)))));
const smallestAngle = (a: V3, b: V3, c: V3): number => Math.min(angleAt(a, b, c), angleAt(b, c, a), angleAt(c, a, b));
const deviation = (valence: number): number => Math.abs(valence - 6);

/** Area-weighted unit normals of all vertices. */
export function vertexNormals(mesh: CornerTable): Float64Array {
  const normals = new Float64Array(mesh.vertexCount * 3);
  const p = mesh.positions;
  for (let c = 0; c < mesh.cornerCount; c += 3) {
    if (mesh.isDeleted(c)) continue;
    const [a, b, d] = [mesh.vertex(c) * 3, mesh.vertex(c + 1) * 3, mesh.vertex(c + 2) * 3];
    const [ux, uy, uz] = [p[b]! - p[a]!, p[b + 1]! - p[a + 1]!, p[b + 2]! - p[a + 2]!];
    const [wx, wy, wz] = [p[d]! - p[a]!, p[d + 1]! - p[a + 1]!, p[d + 2]! - p[a + 2]!];
    const [nx, ny, nz] = [uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx];
    for (const vertex of [a, b, d]) {
      normals[vertex]! += nx;
      normals[vertex + 1]! += ny;
      normals[vertex + 2]! += nz;
    }
  }
  for (let i = 0; i < normals.length; i += 3) {
    const len = Math.hypot(normals[i]!, normals[i + 1]!, normals[i + 2]!) || 1;
    for (let k = 0; k < 3; k++) normals[i + k]! /= len;
  }
  return normals;
}

/** Length of the edge opposite corner c. */
function edgeLength(mesh: CornerTable, c: number): number {
  const p = mesh.positions;
  const b = mesh.vertex(next(c)) * 3;
  const d = mesh.vertex(prev(c)) * 3;
  return Math.hypot(p[b]! - p[d]!, p[b + 1]! - p[d + 1]!, p[b + 2]! - p[d + 2]!);
}

/** Splits edges longer than `high` at their midpoints, pass by pass (new edges in the next pass). */
function splitLongEdges(mesh: CornerTable, high: number): void {
  for (let pass = 0; pass < MAX_SPLIT_PASSES; pass++) {
    let splits = 0;
    const corners = mesh.cornerCount;
    for (let c = 0; c < corners; c++) {
      if (mesh.isDeleted(c) || c > mesh.opposite(c) || edgeLength(mesh, c) <= high) continue;
      const b = point(mesh, mesh.vertex(next(c)));
      const d = point(mesh, mesh.vertex(prev(c)));
      mesh.split(c, (b[0] + d[0]) / 2, (b[1] + d[1]) / 2, (b[2] + d[2]) / 2);
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
function collapseKeepsShape(mesh: CornerTable, c: number, to: V3, high: number): boolean {
  const p = mesh.positions;
  const o = mesh.opposite(c);
  const [gone1, gone2] = [c - (c % 3), o - (o % 3)];
  const [tx, ty, tz] = to;
  for (const vertex of [mesh.vertex(next(c)), mesh.vertex(prev(c))])
    for (const corner of mesh.corners(vertex)) {
      const triangle = corner - (corner % 3);
      if (triangle === gone1 || triangle === gone2) continue;
      const q = mesh.vertex(next(corner)) * 3;
      const r = mesh.vertex(prev(corner)) * 3;
      const [qx, qy, qz, rx, ry, rz] = [p[q]!, p[q + 1]!, p[q + 2]!, p[r]!, p[r + 1]!, p[r + 2]!];
      const toQ = Math.hypot(qx - tx, qy - ty, qz - tz);
      if (toQ > high) return false;
      // the triangle's normal before (at the vertex's place) and after (at `to`), with q r as base
      const [ex, ey, ez] = [rx - qx, ry - qy, rz - qz];
      const v = vertex * 3;
      const [bx, by, bz] = [p[v]! - qx, p[v + 1]! - qy, p[v + 2]! - qz];
      const [ax, ay, az] = [tx - qx, ty - qy, tz - qz];
      const [n0x, n0y, n0z] = [ey * bz - ez * by, ez * bx - ex * bz, ex * by - ey * bx];
      const [n1x, n1y, n1z] = [ey * az - ez * ay, ez * ax - ex * az, ex * ay - ey * ax];
      const twiceArea = Math.hypot(n1x, n1y, n1z);
      const cosine = (n0x * n1x + n0y * n1y + n0z * n1z) / (Math.hypot(n0x, n0y, n0z) * twiceArea || 1);
      if (cosine < 0.5) return false;
      // the smallest sine of its corners: twice the area over the longest product of two sides
      const [toR, qr] = [Math.hypot(rx - tx, ry - ty, rz - tz), Math.hypot(ex, ey, ez)];
      if (twiceArea < SIN_SMALLEST * Math.max(toQ * toR, toQ * qr, toR * qr)) return false;
    }
  return true;
}

function collapseShortEdges(mesh: CornerTable, low: number, high: number): void {
  for (let c = 0; c < mesh.cornerCount; c++) {
    if (mesh.isDeleted(c) || edgeLength(mesh, c) >= low || !mesh.canCollapse(c)) continue;
    const b = point(mesh, mesh.vertex(next(c)));
    const d = point(mesh, mesh.vertex(prev(c)));
    const mid: V3 = [(b[0] + d[0]) / 2, (b[1] + d[1]) / 2, (b[2] + d[2]) / 2];
    if (collapseKeepsShape(mesh, c, mid, high)) mesh.collapse(c, ...mid);
  }
}

function flipEdges(mesh: CornerTable): void {
  for (let c = 0; c < mesh.cornerCount; c++) {
    if (mesh.isDeleted(c) || c > mesh.opposite(c)) continue;
    const o = mesh.opposite(c);
    const [a, b, d, e] = [mesh.vertex(c), mesh.vertex(next(c)), mesh.vertex(prev(c)), mesh.vertex(o)];
    const [va, vb, vd, ve] = [a, b, d, e].map((v) => mesh.valence(v)) as [number, number, number, number];
    if (vb <= 3 || vd <= 3) continue;
    const before = deviation(va) + deviation(vb) + deviation(vd) + deviation(ve);
    const after = deviation(va + 1) + deviation(vb - 1) + deviation(vd - 1) + deviation(ve + 1);
    if (after > before) continue;
    const [pa, pb, pd, pe] = [a, b, d, e].map((v) => point(mesh, v)) as [V3, V3, V3, V3];
    const angleBefore = Math.min(smallestAngle(pa, pb, pd), smallestAngle(pe, pd, pb));
    const angleAfter = Math.min(smallestAngle(pa, pb, pe), smallestAngle(pe, pd, pa));
    // opposite angles summing over π: the other diagonal is the Delaunay one
    const delaunay = angleAt(pa, pb, pd) + angleAt(pe, pd, pb) > Math.PI + 1e-6;
    const better = (after < before && angleAfter >= 0.5 * angleBefore) || (after <= before && delaunay);
    if (!better) continue;
    // both new triangles must face the way the old pair did (no fold)
    const n0 = triangleNormal(pa, pb, pd);
    const n1 = triangleNormal(pe, pd, pb);
    const average: V3 = [n0[0] + n1[0], n0[1] + n1[1], n0[2] + n1[2]];
    const m0 = triangleNormal(pa, pb, pe);
    const m1 = triangleNormal(pe, pd, pa);
    if (cosine(m0, average) < 0.5 || cosine(m1, average) < 0.5 || cosine(m0, m1) < 0.5 || mesh.connected(a, e))
      continue;
    mesh.flip(c);
  }
}

/** Moves every vertex halfway to the centroid of its neighbours, within its tangent plane. */
export function relaxTangentially(mesh: CornerTable, weight = 0.5): void {
  const normals = vertexNormals(mesh);
  const { sum, count } = neighbourSums(mesh);
  const p = mesh.positions;
  for (let vertex = 0; vertex < mesh.vertexCount; vertex++) {
    if (!count[vertex]) continue;
    const move: V3 = [0, 0, 0];
    for (let k = 0; k < 3; k++) move[k] = sum[vertex * 3 + k]! / count[vertex]! - p[vertex * 3 + k]!;
    const n: V3 = [normals[vertex * 3]!, normals[vertex * 3 + 1]!, normals[vertex * 3 + 2]!];
    const along = dot(move, n);
    for (let k = 0; k < 3; k++) p[vertex * 3 + k]! += weight * (move[k]! - along * n[k]!);
  }
}

/** Sum of neighbour positions and neighbour count per vertex (each live corner names one neighbour). */
export function neighbourSums(mesh: CornerTable): { sum: Float64Array; count: Uint32Array } {
  const sum = new Float64Array(mesh.vertexCount * 3);
  const count = new Uint32Array(mesh.vertexCount);
  const p = mesh.positions;
  for (let c = 0; c < mesh.cornerCount; c++) {
    if (mesh.isDeleted(c)) continue;
    const vertex = mesh.vertex(c);
    const neighbour = mesh.vertex(next(c));
    count[vertex]!++;
    for (let k = 0; k < 3; k++) sum[vertex * 3 + k]! += p[neighbour * 3 + k]!;
  }
  return { sum, count };
}

/** One remeshing pass toward edge length `target`. */
export function remesh(mesh: CornerTable, target: number): void {
  splitLongEdges(mesh, (4 / 3) * target);
  collapseShortEdges(mesh, (4 / 5) * target, (4 / 3) * target);
  flipEdges(mesh);
  relaxTangentially(mesh);
}
