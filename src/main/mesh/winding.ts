// Which points closed meshes enclose, by winding numbers along lines parallel to x: a line crosses
// a surface where it enters (+1) or leaves (−1) a solid, and a point is inside where the crossings
// before it sum to more than 0. Cavities and islands in them count right by construction, and a
// line through an edge or a vertex is decided as if moved by an infinitesimal (ε, ε²) in (y, z),
// so it crosses exactly one of the triangles meeting there: no crossing is lost or counted twice.
import { uints } from './growable';
import type { TriMesh } from './trimesh';

export interface Crossing {
  x: number;
  /** +1 entering a solid (moving toward +x), −1 leaving. */
  step: number;
  /** Which of the meshes the crossed triangle belongs to. */
  part: number;
}

/** Sign of the 2D edge function of (a → b) at p, with the (ε, ε²) tie-break when p is on the line. */
function edgeSign(ay: number, az: number, by: number, bz: number, py: number, pz: number): number {
  const e = (by - ay) * (pz - az) - (bz - az) * (py - ay);
  if (e !== 0) return Math.sign(e);
  if (bz !== az) return bz > az ? -1 : 1;
  return Math.sign(by - ay);
}

/** The triangles of several closed meshes, binned by the unit cell of (y, z) that their projection overlaps. */
export class TriangleGrid {
  private readonly start: Uint32Array;
  private readonly entries: Uint32Array;
  /** Each triangle's corners, (x, y, z) × 3, and its mesh. */
  private readonly corners: Float64Array;
  private readonly partOf: Uint32Array;
  private readonly low: [number, number];
  private readonly cells: [number, number];

  /**
   * Meshes in the coordinates the queries will use (voxel coordinates for voxelising). Given
   * `kept`, only those triangles of each mesh (trianglesNear a few lines, those of a z slab): a few
   * points' windings, or a slab's rows, then do not copy a whole large surface.
   */
  constructor(meshes: TriMesh[], kept: (Uint32Array | undefined)[] = []) {
    const count = meshes.reduce((n, m, part) => n + (kept[part]?.length ?? m.triangles.length / 3), 0);
    this.corners = new Float64Array(count * 9);
    this.partOf = new Uint32Array(count);
    let t = 0;
    let [y0, z0, y1, z1] = [Infinity, Infinity, -Infinity, -Infinity];
    meshes.forEach((mesh, part) => {
      const triangles = kept[part];
      for (let i = 0; i < (triangles?.length ?? mesh.triangles.length / 3); i++, t++) {
        const local = triangles ? triangles[i]! : i;
        this.partOf[t] = part;
        for (let k = 0; k < 3; k++) {
          const v = mesh.triangles[local * 3 + k]! * 3;
          const x = mesh.positions[v]!;
          const y = mesh.positions[v + 1]!;
          const z = mesh.positions[v + 2]!;
          this.corners[t * 9 + k * 3] = x;
          this.corners[t * 9 + k * 3 + 1] = y;
          this.corners[t * 9 + k * 3 + 2] = z;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
          if (z < z0) z0 = z;
          if (z > z1) z1 = z;
        }
      }
    });
    this.low = count ? [Math.floor(y0), Math.floor(z0)] : [0, 0];
    this.cells = count ? [Math.floor(y1) - this.low[0] + 1, Math.floor(z1) - this.low[1] + 1] : [0, 0];
    // counted, then filled (CSR): a triangle goes to every cell its bounding box touches
    this.start = new Uint32Array(this.cells[0] * this.cells[1] + 1);
    const q = this.corners;
    const [lowY, lowZ] = this.low;
    const visit = (add: (cell: number, triangle: number) => void): void => {
      for (let tri = 0; tri < count; tri++) {
        const c = tri * 9;
        const ya = Math.floor(Math.min(q[c + 1]!, q[c + 4]!, q[c + 7]!)) - lowY;
        const yb = Math.floor(Math.max(q[c + 1]!, q[c + 4]!, q[c + 7]!)) - lowY;
        const za = Math.floor(Math.min(q[c + 2]!, q[c + 5]!, q[c + 8]!)) - lowZ;
        const zb = Math.floor(Math.max(q[c + 2]!, q[c + 5]!, q[c + 8]!)) - lowZ;
        for (let z = za; z <= zb; z++) for (let y = ya; y <= yb; y++) add(z * this.cells[0] + y, tri);
      }
    };
    visit((cell) => this.start[cell + 1]!++);
    for (let i = 0; i < this.cells[0] * this.cells[1]; i++) this.start[i + 1]! += this.start[i]!;
    this.entries = new Uint32Array(this.start[this.start.length - 1]!);
    const fill = this.start.slice(0, -1);
    visit((cell, tri) => (this.entries[fill[cell]!++] = tri));
  }

  /** Where the line {(x, y, z): x ∈ ℝ} crosses the meshes, sorted by x. */
  crossings(y: number, z: number): Crossing[] {
    const [cy, cz] = [Math.floor(y) - this.low[0], Math.floor(z) - this.low[1]];
    if (cy < 0 || cz < 0 || cy >= this.cells[0] || cz >= this.cells[1]) return [];
    const cell = cz * this.cells[0] + cy;
    const out: Crossing[] = [];
    const q = this.corners;
    for (let i = this.start[cell]!; i < this.start[cell + 1]!; i++) {
      const t = this.entries[i]!;
      const c = t * 9;
      const ay = q[c + 1]!;
      const az = q[c + 2]!;
      const by = q[c + 4]!;
      const bz = q[c + 5]!;
      const cy2 = q[c + 7]!;
      const cz2 = q[c + 8]!;
      const s = edgeSign(ay, az, by, bz, y, z);
      if (s === 0 || edgeSign(by, bz, cy2, cz2, y, z) !== s || edgeSign(cy2, cz2, ay, az, y, z) !== s) continue;
      // barycentric weights from the exact edge functions (the tie-break only decides membership)
      const wa = (cy2 - by) * (z - bz) - (cz2 - bz) * (y - by);
      const wb = (ay - cy2) * (z - cz2) - (az - cz2) * (y - cy2);
      const wc = (by - ay) * (z - az) - (bz - az) * (y - ay);
      const sum = wa + wb + wc;
      const x = sum !== 0 ? (wa * q[c]! + wb * q[c + 3]! + wc * q[c + 6]!) / sum : q[c]!;
      // s is the sign of the normal's x: the outward normal points against +x where the line enters
      out.push({ x, step: -s, part: this.partOf[t]! });
    }
    return out.sort((a, b) => a.x - b.x);
  }
}

/** A line's (y, z) cell as one number (cells are unit squares; coordinates stay far below 2^20). */
const cellKey = (y: number, z: number): number => (Math.floor(y) + 2 ** 20) * 2 ** 21 + Math.floor(z) + 2 ** 20;

/** The triangles of `mesh` whose (y, z) bounding box touches the cell of one of `lines`. */
export function trianglesNear(mesh: TriMesh, lines: [number, number][]): Uint32Array {
  const cells = new Set(lines.map(([y, z]) => cellKey(y, z)));
  const { positions: p, triangles } = mesh;
  const kept = uints(1024);
  for (let t = 0; t < triangles.length / 3; t++) {
    const a = triangles[t * 3]! * 3;
    const b = triangles[t * 3 + 1]! * 3;
    const c = triangles[t * 3 + 2]! * 3;
    const ya = Math.floor(Math.min(p[a + 1]!, p[b + 1]!, p[c + 1]!));
    const yb = Math.floor(Math.max(p[a + 1]!, p[b + 1]!, p[c + 1]!));
    const za = Math.floor(Math.min(p[a + 2]!, p[b + 2]!, p[c + 2]!));
    const zb = Math.floor(Math.max(p[a + 2]!, p[b + 2]!, p[c + 2]!));
    search: for (let z = za; z <= zb; z++)
      for (let y = ya; y <= yb; y++)
        if (cells.has(cellKey(y, z))) {
          kept.push(t);
          break search;
        }
  }
  return kept.view();
}

/**
 * The triangles of `mesh` that rows z = 0 … n − 1 may cross, by slabs of `depth` rows: slab s's
 * are `triangles[start[s] .. start[s + 1])` (a triangle spanning two slabs is in both).
 */
export function trianglesBySlab(
  mesh: TriMesh,
  depth: number,
  n: number,
): { start: Uint32Array; triangles: Uint32Array } {
  const slabs = Math.ceil(n / depth);
  const { positions: p, triangles: tri } = mesh;
  const range = (t: number): [number, number] => {
    const [a, b, c] = [tri[t * 3]! * 3 + 2, tri[t * 3 + 1]! * 3 + 2, tri[t * 3 + 2]! * 3 + 2];
    const low = Math.floor(Math.floor(Math.min(p[a]!, p[b]!, p[c]!)) / depth);
    const high = Math.floor(Math.floor(Math.max(p[a]!, p[b]!, p[c]!)) / depth);
    return [Math.max(low, 0), Math.min(high, slabs - 1)];
  };
  // counted, then filled (CSR), as the grid's cells
  const start = new Uint32Array(slabs + 1);
  for (let t = 0; t < tri.length / 3; t++) {
    const [low, high] = range(t);
    for (let s = low; s <= high; s++) start[s + 1]!++;
  }
  for (let s = 0; s < slabs; s++) start[s + 1]! += start[s]!;
  const triangles = new Uint32Array(start[slabs]!);
  const fill = start.slice(0, -1);
  for (let t = 0; t < tri.length / 3; t++) {
    const [low, high] = range(t);
    for (let s = low; s <= high; s++) triangles[fill[s]!++] = t;
  }
  return { start, triangles };
}

/** The winding number of each mesh at (x, y, z): 1 where it encloses the point, 0 outside. */
export function windingsAt(grid: TriangleGrid, x: number, y: number, z: number, parts: number): Int32Array {
  const windings = new Int32Array(parts);
  for (const crossing of grid.crossings(y, z)) if (crossing.x < x) windings[crossing.part]! += crossing.step;
  return windings;
}

/** Marks in `inside` the voxel centres (x = 0, 1, …) of the row (y, z) that the meshes enclose. */
export function fillRow(grid: TriangleGrid, y: number, z: number, inside: Uint8Array): void {
  const crossings = grid.crossings(y, z);
  let winding = 0;
  let next = 0;
  for (let x = 0; x < inside.length; x++) {
    while (next < crossings.length && crossings[next]!.x < x) winding += crossings[next++]!.step;
    inside[x] = winding > 0 ? 1 : 0;
  }
}
