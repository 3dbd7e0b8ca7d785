// Checks that a mesh is a good closed surface: topology (watertight, manifold, oriented), triangle
// shape, and self-intersections.
import type { TriMesh } from './trimesh';
import { vertexCount } from './trimesh';

export interface Topology {
  /** Every edge has exactly two triangles, traversed in opposite directions. */
  watertight: boolean;
  /** Watertight and every vertex's triangles form a single fan (a disk). */
  manifold: boolean;
  /** V − E + F; 2 for a sphere, 0 for a torus. */
  euler: number;
  /** Edges with other than two triangles, or two triangles running the same way. */
  badEdges: number;
}

export function topology(mesh: TriMesh): Topology {
  const tri = mesh.triangles;
  const n = vertexCount(mesh);
  // Half-edges v→w of each triangle (v, w, u), grouped by v (a counting sort, so typed arrays and
  // no hash map: this runs on every object of a 1024³ volume). `after` holds u, the outgoing
  // neighbour that follows w around v.
  const start = new Uint32Array(n + 1);
  for (const v of tri) start[v + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const to = new Uint32Array(tri.length);
  const after = new Uint32Array(tri.length);
  for (let t = 0; t < tri.length; t += 3)
    for (let k = 0; k < 3; k++) {
      const slot = fill[tri[t + k]!]!++;
      to[slot] = tri[t + ((k + 1) % 3)]!;
      after[slot] = tri[t + ((k + 2) % 3)]!;
    }
  /** The first half-edge v→w, or -1. */
  const find = (v: number, w: number): number => {
    for (let i = start[v]!; i < start[v + 1]!; i++) if (to[i] === w) return i;
    return -1;
  };
  let badEdges = 0;
  let edges = 0;
  let used = 0;
  for (let v = 0; v < n; v++) {
    if (start[v + 1]! > start[v]!) used++;
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const w = to[i]!;
      if (find(v, w) !== i)
        badEdges++; // same edge twice in the same direction
      else if (find(w, v) === -1)
        badEdges++; // no twin
      else if (v < w) edges++;
    }
  }
  const watertight = badEdges === 0;
  let manifold = watertight;
  // walk around each vertex: in triangle (v, w, u) the outgoing edge v->w is followed by v->u
  // (the twin of the incoming u->v); a disk is one cycle through all of v's outgoing edges
  for (let v = 0; manifold && v < n; v++) {
    const fanSize = start[v + 1]! - start[v]!;
    if (fanSize === 0) continue;
    const w0 = to[start[v]!]!;
    let w = w0;
    let steps = 0;
    do {
      const i = find(v, w);
      if (i === -1) break;
      w = after[i]!;
      steps++;
    } while (w !== w0 && steps <= fanSize);
    if (steps !== fanSize || w !== w0) manifold = false;
  }
  return { watertight, manifold, euler: used - edges + tri.length / 3, badEdges };
}

/** Smallest interior angle over all triangles, in degrees. */
export function minAngle(mesh: TriMesh): number {
  const p = mesh.positions;
  const tri = mesh.triangles;
  let min = 180;
  for (let t = 0; t < tri.length; t += 3)
    for (let k = 0; k < 3; k++) {
      const a = tri[t + k]! * 3;
      const b = tri[t + ((k + 1) % 3)]! * 3;
      const c = tri[t + ((k + 2) % 3)]! * 3;
      const ux = p[b]! - p[a]!;
      const uy = p[b + 1]! - p[a + 1]!;
      const uz = p[b + 2]! - p[a + 2]!;
      const vx = p[c]! - p[a]!;
      const vy = p[c + 1]! - p[a + 1]!;
      const vz = p[c + 2]! - p[a + 2]!;
      const cos = (ux * vx + uy * vy + uz * vz) / (Math.hypot(ux, uy, uz) * Math.hypot(vx, vy, vz));
      const angle = (Math.acos(Math.min(1, Math.max(-1, cos))) * 180) / Math.PI;
      min = Math.min(min, Number.isNaN(angle) ? 0 : angle);
    }
  return min;
}

type V3 = [number, number, number];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Does segment pq cross triangle abc (proper crossing, not touching at a shared point)? */
function segmentCrossesTriangle(p: V3, q: V3, a: V3, b: V3, c: V3): boolean {
  const n = cross(sub(b, a), sub(c, a));
  const dp = dot(n, sub(p, a));
  const dq = dot(n, sub(q, a));
  if (dp * dq >= 0) return false;
  const t = dp / (dp - dq);
  const x: V3 = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2])];
  const s1 = dot(n, cross(sub(b, a), sub(x, a)));
  const s2 = dot(n, cross(sub(c, b), sub(x, b)));
  const s3 = dot(n, cross(sub(a, c), sub(x, c)));
  return (s1 > 0 && s2 > 0 && s3 > 0) || (s1 < 0 && s2 < 0 && s3 < 0);
}

/**
 * Counts pairs of triangles that share no vertex and intersect (an edge of one crosses the other),
 * using a uniform grid over triangle bounding boxes.
 */
export function selfIntersections(mesh: TriMesh): number {
  const p = mesh.positions;
  const tri = mesh.triangles;
  const count = tri.length / 3;
  if (count === 0) return 0;
  const vertex = (v: number): V3 => [p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!];
  let meanEdge = 0;
  for (let t = 0; t < count; t++) meanEdge += Math.hypot(...sub(vertex(tri[t * 3]!), vertex(tri[t * 3 + 1]!)));
  const cell = Math.max((2 * meanEdge) / count, 1e-9);
  const grid = new Map<string, number[]>();
  const boxes = new Float64Array(count * 6);
  for (let t = 0; t < count; t++) {
    const corners = [0, 1, 2].map((k) => vertex(tri[t * 3 + k]!));
    for (let axis = 0; axis < 3; axis++) {
      boxes[t * 6 + axis] = Math.min(...corners.map((c) => c[axis]!));
      boxes[t * 6 + 3 + axis] = Math.max(...corners.map((c) => c[axis]!));
    }
    const lo = [0, 1, 2].map((axis) => Math.floor(boxes[t * 6 + axis]! / cell));
    const hi = [0, 1, 2].map((axis) => Math.floor(boxes[t * 6 + 3 + axis]! / cell));
    for (let x = lo[0]!; x <= hi[0]!; x++)
      for (let y = lo[1]!; y <= hi[1]!; y++)
        for (let z = lo[2]!; z <= hi[2]!; z++) {
          const key = `${x},${y},${z}`;
          const list = grid.get(key);
          if (list) list.push(t);
          else grid.set(key, [t]);
        }
  }
  const seen = new Set<number>();
  let found = 0;
  for (const list of grid.values())
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const s = list[i]!;
        const t = list[j]!;
        const pair = Math.min(s, t) * count + Math.max(s, t);
        if (seen.has(pair)) continue;
        seen.add(pair);
        let overlap = true;
        for (let axis = 0; axis < 3; axis++)
          if (boxes[s * 6 + axis]! > boxes[t * 6 + 3 + axis]! || boxes[t * 6 + axis]! > boxes[s * 6 + 3 + axis]!)
            overlap = false;
        if (!overlap) continue;
        const vs = [tri[s * 3]!, tri[s * 3 + 1]!, tri[s * 3 + 2]!];
        const vt = [tri[t * 3]!, tri[t * 3 + 1]!, tri[t * 3 + 2]!];
        if (vs.some((v) => vt.includes(v))) continue;
        const [a, b, c] = vs.map(vertex) as [V3, V3, V3];
        const [d, e, f] = vt.map(vertex) as [V3, V3, V3];
        const crosses =
          segmentCrossesTriangle(a, b, d, e, f) ||
          segmentCrossesTriangle(b, c, d, e, f) ||
          segmentCrossesTriangle(c, a, d, e, f) ||
          segmentCrossesTriangle(d, e, a, b, c) ||
          segmentCrossesTriangle(e, f, a, b, c) ||
          segmentCrossesTriangle(f, d, a, b, c);
        if (crosses) found++;
      }
  return found;
}
