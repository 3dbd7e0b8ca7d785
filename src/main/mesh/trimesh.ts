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

export const vertexCount = (mesh: TriMesh): number => mesh.positions.length / 3;
export const triangleCount = (mesh: TriMesh): number => mesh.triangles.length / 3;

/** Volume (divergence theorem), area, sphericity, solid centroid and bounding box. */
export function measure(mesh: TriMesh): Measurements {
  const { positions: p, triangles: tri } = mesh;
  let volume = 0;
  let area = 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t]! * 3;
    const b = tri[t + 1]! * 3;
    const c = tri[t + 2]! * 3;
    const [ax, ay, az, bx, by, bz, qx, qy, qz] = [
      p[a]!,
      p[a + 1]!,
      p[a + 2]!,
      p[b]!,
      p[b + 1]!,
      p[b + 2]!,
      p[c]!,
      p[c + 1]!,
      p[c + 2]!,
    ];
    // tetrahedron (origin, a, b, c): signed volume and centroid (a + b + c) / 4
    const v = (ax * (by * qz - bz * qy) - ay * (bx * qz - bz * qx) + az * (bx * qy - by * qx)) / 6;
    volume += v;
    cx += (v * (ax + bx + qx)) / 4;
    cy += (v * (ay + by + qy)) / 4;
    cz += (v * (az + bz + qz)) / 4;
    const [ux, uy, uz, wx, wy, wz] = [bx - ax, by - ay, bz - az, qx - ax, qy - ay, qz - az];
    area += Math.hypot(uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx) / 2;
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

/** Splits a mesh into its connected components (sharing vertices), each with its own vertices. */
export function splitComponents(mesh: TriMesh): TriMesh[] {
  const n = vertexCount(mesh);
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]!]!;
    return v;
  };
  const tri = mesh.triangles;
  for (let t = 0; t < tri.length; t += 3) {
    const a = find(tri[t]!);
    parent[find(tri[t + 1]!)] = a;
    parent[find(tri[t + 2]!)] = a;
  }
  const componentOf = new Map<number, number>();
  const triCounts: number[] = [];
  const triComponent = new Int32Array(tri.length / 3);
  for (let t = 0; t < tri.length; t += 3) {
    const root = find(tri[t]!);
    let id = componentOf.get(root);
    if (id === undefined) componentOf.set(root, (id = triCounts.push(0) - 1));
    triCounts[id]!++;
    triComponent[t / 3] = id;
  }
  const parts = triCounts.map((count) => ({
    triangles: new Uint32Array(count * 3),
    filled: 0,
    vertices: new Map<number, number>(),
    coords: [] as number[],
  }));
  for (let t = 0; t < tri.length / 3; t++) {
    const part = parts[triComponent[t]!]!;
    for (let k = 0; k < 3; k++) {
      const v = tri[t * 3 + k]!;
      let local = part.vertices.get(v);
      if (local === undefined) {
        part.vertices.set(v, (local = part.vertices.size));
        part.coords.push(mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, mesh.positions[v * 3 + 2]!);
      }
      part.triangles[part.filled++] = local;
    }
  }
  return parts.map((part) => ({ positions: Float64Array.from(part.coords), triangles: part.triangles }));
}

/** Multiplies coordinates per axis (voxel → physical units). */
export function scaleMesh(mesh: TriMesh, scale: [number, number, number]): TriMesh {
  const positions = new Float64Array(mesh.positions.length);
  for (let i = 0; i < positions.length; i++) positions[i] = mesh.positions[i]! * scale[i % 3]!;
  return { positions, triangles: mesh.triangles };
}
