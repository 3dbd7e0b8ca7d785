// One extraction block's surface, held apart until its specks are dropped: a noisy probability map
// is millions of closed specks a voxel or two across (a 512³ map of noise ±0.52: 25 M triangles, of
// which the objects kept were 7), and gathering them all before dropping them took gigabytes. A
// surface that touches no lattice edge the block shares with its neighbours is whole already, so
// its volume is known while the block is at hand.
import { EdgeVertices } from './edge-vertices';
import type { GatheredSurface } from './gathered-surface';
import { floats, ints, uints } from './growable';
import { connectedParts } from './trimesh';
import { type WindowRules, lowerVertex } from './windows';

/**
 * A closed surface is dropped early only when its volume is below the threshold by more than
 * rounding: the one summed here (triangles in the order made) and the one the whole mesh's pass
 * sums (in canonical order) may differ in the last digits, and they must agree.
 */
const ROUNDING = 1e-9;

export class BlockSurface {
  private readonly vertexOfEdge = new EdgeVertices();
  private readonly ids = floats(1 << 12);
  /** 1 where the vertex lies on a lattice edge the block shares with another. */
  private readonly shared = ints(1 << 12);
  private readonly coords = floats(1 << 12);
  private readonly triangles = uints(1 << 12);
  /** Per cube the surface crosses: its first corner in `triangles`, and its band brick. */
  private readonly cubes = uints(1 << 12);

  /** A window's rules (windows.ts): surfaces reaching a cut face stay, and only its objects are counted. */
  constructor(private readonly rules?: WindowRules) {}

  /** The block's vertex on edge `id` (as extraction numbers them), or −1. */
  get(id: number): number {
    return this.vertexOfEdge.get(id);
  }

  /** Adds the vertex of edge `id` at (x, y, z) (voxel coordinates); returns its index in the block. */
  add(id: number, shared: boolean, x: number, y: number, z: number): number {
    this.ids.push(id);
    this.shared.push(shared ? 1 : 0);
    this.coords.push(x);
    this.coords.push(y);
    this.coords.push(z);
    this.vertexOfEdge.set(id, this.ids.length - 1);
    return this.ids.length - 1;
  }

  /** The triangles that follow lie in a cube of band brick `brick`. */
  cube(brick: number): void {
    this.cubes.push(this.triangles.length);
    this.cubes.push(brick);
  }

  /** Adds a triangle's corner (a vertex index in the block). */
  corner(vertex: number): void {
    this.triangles.push(vertex);
  }

  /**
   * Moves the block's triangles into `surface`, but for the closed surfaces wholly inside the block
   * that enclose less than `below` (voxels³, either sign: cavities too); then empties the block.
   * Returns how many of those dropped enclosed a positive volume (objects, not cavities; with window
   * rules, those the window counts), and the
   * bricks of the cubes the kept triangles lie in (the refinement's band is read around those).
   */
  moveInto(surface: GatheredSurface, below: number): { objects: number; crossed: Set<number> } {
    const vertices = this.ids.length;
    const tri = this.triangles.view();
    const p = this.coords.view();
    const find = connectedParts(vertices, [tri]);
    // per component (at its root): shared with a neighbour, and the signed volume (as `measure`)
    const open = new Uint8Array(vertices);
    const beyondCut = (v: number): boolean => this.rules?.beyondCut(p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!) ?? false;
    for (let v = 0; v < vertices; v++) if (this.shared.data[v] || beyondCut(v)) open[find(v)] = 1;
    const volume = new Float64Array(vertices);
    for (let t = 0; t < tri.length; t += 3) {
      const a = tri[t]! * 3;
      const b = tri[t + 1]! * 3;
      const c = tri[t + 2]! * 3;
      volume[find(tri[t]!)]! +=
        (p[a]! * (p[b + 1]! * p[c + 2]! - p[b + 2]! * p[c + 1]!) -
          p[a + 1]! * (p[b]! * p[c + 2]! - p[b + 2]! * p[c]!) +
          p[a + 2]! * (p[b]! * p[c + 1]! - p[b + 1]! * p[c]!)) /
        6;
    }
    const limit = below * (1 - ROUNDING);
    const dropped = (root: number): boolean => !open[root] && Math.abs(volume[root]!) < limit;
    const lowest = new Int32Array(vertices).fill(-1); // per component (at its root), with window rules
    if (this.rules)
      for (let v = 0; v < vertices; v++) {
        const root = find(v);
        if (lowest[root]! < 0 || lowerVertex(p, v, lowest[root]!)) lowest[root] = v;
      }
    const counted = (root: number): boolean => {
      const v = lowest[root]!;
      return v < 0 || this.rules!.counts(p[v * 3]!, p[v * 3 + 1]!, p[v * 3 + 2]!);
    };
    let objects = 0;
    for (let v = 0; v < vertices; v++) if (find(v) === v && dropped(v) && volume[v]! > 0 && counted(v)) objects++;
    // the kept vertices join the whole surface (a shared edge's may be there already, from a neighbour)
    const whole = new Int32Array(vertices).fill(-1);
    for (let t = 0; t < tri.length; t += 3) {
      if (dropped(find(tri[t]!))) continue;
      for (let k = 0; k < 3; k++) {
        const v = tri[t + k]!;
        if (whole[v]! < 0)
          whole[v] = surface.vertex(
            this.ids.data[v]!,
            this.shared.data[v] === 1,
            p[v * 3]!,
            p[v * 3 + 1]!,
            p[v * 3 + 2]!,
          );
        surface.corner(whole[v]!);
      }
    }
    const crossed = new Set<number>();
    const cubes = this.cubes.view();
    for (let c = 0; c < cubes.length; c += 2) {
      const end = c + 2 < cubes.length ? cubes[c + 2]! : tri.length;
      for (let t = cubes[c]!; t < end; t += 3)
        if (!dropped(find(tri[t]!))) {
          crossed.add(cubes[c + 1]!);
          break;
        }
    }
    this.vertexOfEdge.clear();
    for (const list of [this.ids, this.shared, this.coords, this.triangles, this.cubes]) list.length = 0;
    return { objects, crossed };
  }
}
