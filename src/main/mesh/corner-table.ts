// A closed, oriented triangle mesh that can be edited in place: the corner table of Rossignac.
// Corner c belongs to triangle ⌊c/3⌋; V[c] is its vertex and O[c] the corner facing it across the
// edge opposite c. Edits keep the surface closed and manifold; deleted triangles have V = -1.
// A part of a closed surface (refined in pieces) may be open where all its boundary's vertices are
// fixed: O = -1 there, and the editors never touch a fixed vertex's edges or walk round it.
import { TomosegError } from '../../shared/errors';
import { floats, type Growable, ints } from './growable';
import type { TriMesh } from './trimesh';

/** No vertex of a sane mesh has this many neighbours; reaching it means a broken ring. */
const MAX_VALENCE = 10000;

export const next = (c: number): number => (c % 3 === 2 ? c - 2 : c + 1);
export const prev = (c: number): number => (c % 3 === 0 ? c + 2 : c - 1);

/** Capacity for a mesh of `length` values: room for the splits of remeshing, which grow it a little. */
const room = (length: number): number => Math.ceil(length * 1.25);

/** `length` values (zeros, or those of `from`) with room to grow. */
function filled<T extends Growable<Int32Array> | Growable<Float64Array>>(
  make: (capacity: number) => T,
  length: number,
  from?: ArrayLike<number>,
): T {
  const values = make(room(length));
  if (from) values.data.set(from);
  values.length = length;
  return values;
}

export class CornerTable {
  private readonly pos: Growable<Float64Array>;
  private readonly v: Growable<Int32Array>;
  private readonly o: Growable<Int32Array>;
  /** One corner of each vertex (-1 once removed). */
  private readonly vc: Growable<Int32Array>;
  /** Number of neighbours of each vertex, kept up to date by every edit. */
  private readonly val: Growable<Int32Array>;
  /** 1 for a vertex that stays where it is and out of every edit. */
  private readonly fix: Growable<Int32Array>;
  /** Scratch for canCollapse: a vertex is marked when its entry equals `stamp`. */
  private mark = new Int32Array(0);
  private stamp = 0;

  /** `fixed`: per vertex, 1 to keep it out of every edit; an edge with one triangle must join two such. */
  constructor(mesh: TriMesh, fixed?: ArrayLike<number>) {
    const n = mesh.positions.length / 3;
    const tri = mesh.triangles;
    this.pos = filled(floats, mesh.positions.length, mesh.positions);
    this.v = filled(ints, tri.length, tri);
    this.o = filled(ints, tri.length);
    this.vc = filled(ints, n);
    this.vc.data.fill(-1, 0, n);
    this.val = filled(ints, n);
    this.fix = filled(ints, n, fixed);
    for (let c = 0; c < tri.length; c++) {
      this.val.data[tri[c]!]!++;
      this.vc.data[tri[c]!] = c;
    }
    // corners grouped by the start vertex of their opposite edge, to find each edge's twin
    const start = new Uint32Array(n + 1);
    for (let c = 0; c < tri.length; c++) start[tri[next(c)]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const byStart = new Uint32Array(tri.length);
    for (let c = 0; c < tri.length; c++) byStart[fill[tri[next(c)]!]!++] = c;
    for (let c = 0; c < tri.length; c++) {
      const from = tri[next(c)]!;
      const to = tri[prev(c)]!;
      let twin = -1;
      for (let i = start[to]!; i < start[to + 1]!; i++) {
        const candidate = byStart[i]!;
        if (tri[prev(candidate)] !== from) continue;
        if (twin !== -1)
          throw new TomosegError('internal', 'mesh is not an oriented manifold (edge used twice in one direction)');
        twin = candidate;
      }
      if (twin === -1 && !(this.fix.data[from] && this.fix.data[to]))
        throw new TomosegError('internal', 'mesh is not closed (an edge has one triangle)');
      this.o.data[c] = twin;
    }
  }

  get cornerCount(): number {
    return this.v.length;
  }
  get vertexCount(): number {
    return this.vc.length;
  }
  vertex(c: number): number {
    return this.v.data[c]!;
  }
  opposite(c: number): number {
    return this.o.data[c]!;
  }
  isDeleted(c: number): boolean {
    return this.v.data[c - (c % 3)] === -1;
  }
  isFixed(vertex: number): boolean {
    return this.fix.data[vertex] === 1;
  }
  isRemovedVertex(vertex: number): boolean {
    return this.vc.data[vertex] === -1;
  }
  cornerOf(vertex: number): number {
    return this.vc.data[vertex]!;
  }
  get positions(): Float64Array {
    return this.pos.data;
  }

  /** The next corner round the vertex of corner c (the same vertex, the next triangle). */
  around(c: number): number {
    return next(this.o.data[next(c)]!);
  }

  /** The corners at vertex `vertex`, going round it once. */
  corners(vertex: number): number[] {
    const start = this.vc.data[vertex]!;
    const out: number[] = [];
    let c = start;
    do {
      out.push(c);
      c = this.around(c);
    } while (c !== start && out.length < MAX_VALENCE);
    if (c !== start) throw new TomosegError('internal', `corner table corrupt around vertex ${vertex}`);
    return out;
  }

  valence(vertex: number): number {
    return this.val.data[vertex]!;
  }

  /** Is there an edge between vertices a and b? */
  connected(a: number, b: number): boolean {
    const start = this.vc.data[a]!;
    let c = start;
    for (let steps = 0; steps < MAX_VALENCE; steps++) {
      if (this.v.data[next(c)] === b) return true;
      c = this.around(c);
      if (c === start) return false;
    }
    throw new TomosegError('internal', `corner table corrupt around vertex ${a}`);
  }

  private link(a: number, b: number): void {
    this.o.data[a] = b;
    this.o.data[b] = a;
  }

  private addVertex(x: number, y: number, z: number): number {
    this.pos.push(x);
    this.pos.push(y);
    this.pos.push(z);
    this.vc.push(-1);
    this.val.push(4);
    this.fix.push(0);
    return this.vc.length - 1;
  }

  private addTriangle(a: number, b: number, c: number): number {
    const first = this.v.length;
    this.v.push(a);
    this.v.push(b);
    this.v.push(c);
    for (let k = 0; k < 3; k++) this.o.push(-1);
    return first;
  }

  /** Turns the edge opposite corner c into the other diagonal of its two triangles. */
  flip(c: number): void {
    const V = this.v.data;
    const o = this.o.data[c]!;
    const a = V[c]!;
    const b = V[next(c)]!;
    const d = V[prev(c)]!;
    const e = V[o]!;
    const outAB = this.o.data[prev(c)]!;
    const outDA = this.o.data[next(c)]!;
    const outED = this.o.data[prev(o)]!;
    const outBE = this.o.data[next(o)]!;
    // (a, b, d) + (e, d, b)  ->  (a, b, e) + (e, d, a)
    V[prev(c)] = e;
    V[prev(o)] = a;
    this.link(c, outBE);
    this.link(next(c), next(o));
    this.link(prev(c), outAB);
    this.link(o, outDA);
    this.link(prev(o), outED);
    this.vc.data[b] = next(c);
    this.vc.data[d] = next(o);
    this.vc.data[a] = c;
    this.vc.data[e] = o;
    const val = this.val.data;
    val[a]!++;
    val[e]!++;
    val[b]!--;
    val[d]!--;
  }

  /** Splits the edge opposite corner c at point (x, y, z); returns the new vertex. */
  split(c: number, x: number, y: number, z: number): number {
    const V = this.v.data;
    const o = this.o.data[c]!;
    const a = V[c]!;
    const b = V[next(c)]!;
    const d = V[prev(c)]!;
    const e = V[o]!;
    const outDA = this.o.data[next(c)]!;
    const outBE = this.o.data[next(o)]!;
    const m = this.addVertex(x, y, z);
    // (a, b, d) -> (a, b, m) + (a, m, d);  (e, d, b) -> (e, d, m) + (e, m, b)
    V[prev(c)] = m;
    V[prev(o)] = m;
    const t2 = this.addTriangle(a, m, d);
    const t3 = this.addTriangle(e, m, b);
    this.link(c, t3);
    this.link(next(c), t2 + 2);
    this.link(t2, o);
    this.link(t2 + 1, outDA);
    this.link(next(o), t3 + 2);
    this.link(t3 + 1, outBE);
    this.vc.data[m] = prev(c);
    this.vc.data[d] = t2 + 2;
    this.vc.data[b] = next(c);
    this.val.data[a]!++;
    this.val.data[e]!++;
    return m;
  }

  /**
   * Can the edge opposite c collapse without breaking the surface? The link condition (the two
   * ends share exactly the two opposite vertices) and no vertex left with fewer than 3 neighbours.
   */
  canCollapse(c: number): boolean {
    const V = this.v.data;
    const o = this.o.data[c]!;
    const a = V[c]!;
    const b = V[next(c)]!;
    const d = V[prev(c)]!;
    const e = V[o]!;
    if (this.valence(a) <= 3 || this.valence(e) <= 3) return false;
    if (this.valence(b) + this.valence(d) - 4 < 3) return false;
    // mark b's neighbours, then count d's that are marked
    if (this.mark.length < this.vertexCount) this.mark = new Int32Array(2 * this.vertexCount);
    const stamp = ++this.stamp;
    const fromB = this.vc.data[b]!;
    let corner = fromB;
    do {
      this.mark[V[next(corner)]!] = stamp;
      corner = this.around(corner);
    } while (corner !== fromB);
    let shared = 0;
    const fromD = this.vc.data[d]!;
    corner = fromD;
    do {
      if (this.mark[V[next(corner)]!] === stamp) shared++;
      corner = this.around(corner);
    } while (corner !== fromD);
    return shared === 2;
  }

  /** Merges the far end of the edge opposite c into its near end, placed at (x, y, z). */
  collapse(c: number, x: number, y: number, z: number): void {
    const V = this.v.data;
    const o = this.o.data[c]!;
    const a = V[c]!;
    const b = V[next(c)]!;
    const d = V[prev(c)]!;
    const e = V[o]!;
    for (const corner of this.corners(d)) V[corner] = b;
    const outAB = this.o.data[prev(c)]!;
    const outDA = this.o.data[next(c)]!;
    const outED = this.o.data[prev(o)]!;
    const outBE = this.o.data[next(o)]!;
    this.link(outAB, outDA);
    this.link(outED, outBE);
    const t1 = c - (c % 3);
    const t2 = o - (o % 3);
    V[t1] = V[t1 + 1] = V[t1 + 2] = V[t2] = V[t2 + 1] = V[t2 + 2] = -1;
    this.vc.data[a] = prev(outAB);
    this.vc.data[b] = prev(outBE);
    this.vc.data[e] = next(outBE);
    this.vc.data[d] = -1;
    const val = this.val.data;
    val[b] = val[b]! + val[d]! - 4;
    val[a]!--;
    val[e]!--;
    val[d] = 0;
    const p = this.pos.data;
    p[b * 3] = x;
    p[b * 3 + 1] = y;
    p[b * 3 + 2] = z;
  }

  /**
   * Drops deleted triangles and removed vertices, renumbering the rest in order: every pass over
   * the mesh then touches live elements only (a raw extracted surface loses most of its triangles
   * in the first remeshing).
   */
  compact(): void {
    const vertexMap = new Int32Array(this.vc.length).fill(-1);
    let vertices = 0;
    for (let vertex = 0; vertex < this.vc.length; vertex++)
      if (this.vc.data[vertex] !== -1) vertexMap[vertex] = vertices++;
    const cornerMap = new Int32Array(this.v.length).fill(-1);
    let corners = 0;
    for (let c = 0; c < this.v.length; c += 3) {
      if (this.v.data[c] === -1) continue;
      for (let k = 0; k < 3; k++) cornerMap[c + k] = corners++;
    }
    const [pos, v, o, vc, val, fix] = [
      this.pos.data,
      this.v.data,
      this.o.data,
      this.vc.data,
      this.val.data,
      this.fix.data,
    ];
    for (let c = 0; c < this.v.length; c++) {
      const to = cornerMap[c]!;
      if (to === -1) continue;
      v[to] = vertexMap[v[c]!]!;
      o[to] = o[c] === -1 ? -1 : cornerMap[o[c]!]!;
    }
    for (let vertex = 0; vertex < this.vc.length; vertex++) {
      const to = vertexMap[vertex]!;
      if (to === -1) continue;
      vc[to] = cornerMap[vc[vertex]!]!;
      val[to] = val[vertex]!;
      fix[to] = fix[vertex]!;
      for (let k = 0; k < 3; k++) pos[to * 3 + k] = pos[vertex * 3 + k]!;
    }
    this.v.length = this.o.length = corners;
    this.vc.length = this.val.length = this.fix.length = vertices;
    this.pos.length = vertices * 3;
  }

  /**
   * The live triangles and vertices, renumbered in the order the triangles first use them, or with
   * `kept` in their own order (fixed vertices are never removed: those first stay first).
   */
  toMesh(order: 'first use' | 'kept' = 'first use'): TriMesh {
    const V = this.v.data;
    const remap = new Int32Array(this.vc.length).fill(-1);
    let vertices = 0;
    if (order === 'kept') for (let v = 0; v < this.vc.length; v++) if (this.vc.data[v] !== -1) remap[v] = vertices++;
    let live = 0;
    for (let c = 0; c < this.v.length; c += 3) if (V[c] !== -1) live++;
    // typed arrays filled in place: a large volume's surface has tens of millions of triangles
    const triangles = new Uint32Array(live * 3);
    for (let c = 0, t = 0; c < this.v.length; c += 3) {
      if (V[c] === -1) continue;
      for (let k = 0; k < 3; k++) {
        const vertex = V[c + k]!;
        if (remap[vertex] === -1) remap[vertex] = vertices++;
        triangles[t++] = remap[vertex]!;
      }
    }
    const positions = new Float64Array(vertices * 3);
    for (let vertex = 0; vertex < remap.length; vertex++)
      if (remap[vertex] !== -1) positions.set(this.pos.data.subarray(vertex * 3, vertex * 3 + 3), remap[vertex]! * 3);
    return { positions, triangles };
  }
}
