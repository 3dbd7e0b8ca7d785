// An indexed triangle mesh and what can be measured on it. Triangles are counter-clockwise seen
// from outside (normals point out), so a closed mesh has positive signed volume.
import type { MeshObjectMeasurements } from '../../shared/api/mesh';

export interface TriMesh {
  /** x, y, z per vertex. */
  positions: Float64Array;
  /** Three vertex indices per triangle. */
  triangles: Uint32Array;
}

/** Per-object figures, as the API reports them (physical units once the mesh is scaled). */
export type Measurements = Pick<
  MeshObjectMeasurements,
  'volume' | 'surfaceArea' | 'sphericity' | 'centroid' | 'bboxMin' | 'bboxMax'
>;

/** |(x, y, z)|: sqrt, not Math.hypot, which is several times slower and runs millions of times in meshing. */
export const norm = (x: number, y: number, z: number): number => Math.sqrt(x * x + y * y + z * z);

/** The angle facing the side of squared length `facing` between sides of squared lengths u and v. */
export const angleFacing = (facing: number, u: number, v: number): number =>
  Math.acos(Math.min(1, Math.max(-1, (u + v - facing) / (2 * Math.sqrt(u * v) || 1))));

/** A triangle's smallest angle, from its squared sides: the one facing the shortest. */
export function smallestAngle(u: number, v: number, w: number): number {
  if (u <= v && u <= w) return angleFacing(u, v, w);
  return v <= w ? angleFacing(v, u, w) : angleFacing(w, u, v);
}

export const vertexCount = (mesh: TriMesh): number => mesh.positions.length / 3;
export const triangleCount = (mesh: TriMesh): number => mesh.triangles.length / 3;

/** Triangle t's corners a, b, c into `out` as (ax, ay, az, bx, by, bz, cx, cy, cz). */
export function triangleCorners(mesh: TriMesh, t: number, out: Float64Array): void {
  const { positions: p, triangles: tri } = mesh;
  for (let k = 0; k < 3; k++) {
    const v = tri[t * 3 + k]! * 3;
    out[k * 3] = p[v]!;
    out[k * 3 + 1] = p[v + 1]!;
    out[k * 3 + 2] = p[v + 2]!;
  }
}

/** (b − a) × (c − a) of corners laid out as by `triangleCorners`: outward, twice the area long. */
export function triangleNormal(q: Float64Array, out: Float64Array): void {
  const ux = q[3]! - q[0]!;
  const uy = q[4]! - q[1]!;
  const uz = q[5]! - q[2]!;
  const wx = q[6]! - q[0]!;
  const wy = q[7]! - q[1]!;
  const wz = q[8]! - q[2]!;
  out[0] = uy * wz - uz * wy;
  out[1] = uz * wx - ux * wz;
  out[2] = ux * wy - uy * wx;
}

/** Volume (divergence theorem), area, sphericity, solid centroid and bounding box. */
export function measure(mesh: TriMesh): Measurements {
  const p = mesh.positions;
  const q = new Float64Array(9);
  const n = new Float64Array(3);
  let volume = 0;
  let area = 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let t = 0; t < triangleCount(mesh); t++) {
    triangleCorners(mesh, t, q);
    // tetrahedron (origin, a, b, c): signed volume a · (b × c) / 6 and centroid (a + b + c) / 4
    const v =
      (q[0]! * (q[4]! * q[8]! - q[5]! * q[7]!) -
        q[1]! * (q[3]! * q[8]! - q[5]! * q[6]!) +
        q[2]! * (q[3]! * q[7]! - q[4]! * q[6]!)) /
      6;
    volume += v;
    cx += (v * (q[0]! + q[3]! + q[6]!)) / 4;
    cy += (v * (q[1]! + q[4]! + q[7]!)) / 4;
    cz += (v * (q[2]! + q[5]! + q[8]!)) / 4;
    triangleNormal(q, n);
    area += norm(n[0]!, n[1]!, n[2]!) / 2;
  }
  const bboxMin: [number, number, number] = [Infinity, Infinity, Infinity];
  const bboxMax: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i += 3)
    for (let k = 0; k < 3; k++) {
      bboxMin[k] = Math.min(bboxMin[k]!, p[i + k]!);
      bboxMax[k] = Math.max(bboxMax[k]!, p[i + k]!);
    }
  const sphericity = area > 0 ? (Math.cbrt(Math.PI) * Math.pow(6 * Math.abs(volume), 2 / 3)) / area : 0;
  const centroid: [number, number, number] = volume !== 0 ? [cx / volume, cy / volume, cz / volume] : [0, 0, 0];
  return { volume, surfaceArea: area, sphericity, centroid, bboxMin, bboxMax };
}

/** The meshes as one (triangles renumbered to the joined vertices). */
export function joinMeshes(meshes: TriMesh[]): TriMesh {
  if (meshes.length === 1) return meshes[0]!;
  const positions = new Float64Array(meshes.reduce((n, m) => n + m.positions.length, 0));
  const triangles = new Uint32Array(meshes.reduce((n, m) => n + m.triangles.length, 0));
  let [vertices, corners] = [0, 0];
  for (const mesh of meshes) {
    positions.set(mesh.positions, vertices * 3);
    for (let i = 0; i < mesh.triangles.length; i++) triangles[corners + i] = mesh.triangles[i]! + vertices;
    vertices += vertexCount(mesh);
    corners += mesh.triangles.length;
  }
  return { positions, triangles };
}

/**
 * The connected parts of `vertices` vertices joined by the triangles of `triangles` (arrays of
 * whole triangles): each vertex's part, named by its root vertex (union-find).
 */
export function connectedParts(vertices: number, triangles: Iterable<Uint32Array>): (vertex: number) => number {
  const parent = new Int32Array(vertices);
  for (let v = 0; v < vertices; v++) parent[v] = v;
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]!]!;
    return v;
  };
  for (const tri of triangles)
    for (let t = 0; t < tri.length; t += 3) {
      const a = find(tri[t]!);
      parent[find(tri[t + 1]!)] = a;
      parent[find(tri[t + 2]!)] = a;
    }
  return find;
}

/** Splits a mesh into its connected components (sharing vertices), each with its own vertices. */
export function splitComponents(mesh: TriMesh): TriMesh[] {
  const n = vertexCount(mesh);
  const tri = mesh.triangles;
  const find = connectedParts(n, [tri]);
  // Typed arrays throughout (no per-part maps): a noisy volume gives thousands of specks.
  const componentOf = new Map<number, number>();
  const vertexComponent = new Int32Array(n).fill(-1);
  const local = new Uint32Array(n);
  const counts: { vertices: number; triangles: number }[] = [];
  for (let v = 0; v < n; v++) {
    const root = find(v);
    let id = componentOf.get(root);
    if (id === undefined) componentOf.set(root, (id = counts.push({ vertices: 0, triangles: 0 }) - 1));
    vertexComponent[v] = id;
    local[v] = counts[id]!.vertices++;
  }
  for (let t = 0; t < tri.length; t += 3) counts[vertexComponent[tri[t]!]!]!.triangles++;
  // components in the order of their first triangle; vertices used by no triangle are dropped
  const order: number[] = [];
  const seen = new Uint8Array(counts.length);
  for (let t = 0; t < tri.length; t += 3) {
    const id = vertexComponent[tri[t]!]!;
    if (!seen[id]) order.push(id);
    seen[id] = 1;
  }
  const parts = counts.map(({ vertices, triangles }) => ({
    positions: new Float64Array(vertices * 3),
    triangles: new Uint32Array(triangles * 3),
    filled: 0,
  }));
  for (let v = 0; v < n; v++)
    parts[vertexComponent[v]!]!.positions.set(mesh.positions.subarray(v * 3, v * 3 + 3), local[v]! * 3);
  for (let t = 0; t < tri.length; t += 3) {
    const part = parts[vertexComponent[tri[t]!]!]!;
    for (let k = 0; k < 3; k++) part.triangles[part.filled++] = local[tri[t + k]!]!;
  }
  return order.map((id) => ({ positions: parts[id]!.positions, triangles: parts[id]!.triangles }));
}

/** Multiplies the mesh's coordinates per axis in place (voxel → physical units, or back); returns it. */
export function scaleMesh(mesh: TriMesh, scale: [number, number, number]): TriMesh {
  const { positions } = mesh;
  for (let i = 0; i < positions.length; i++) positions[i] = positions[i]! * scale[i % 3]!;
  return mesh;
}
