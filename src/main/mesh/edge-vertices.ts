// Lattice edge id → vertex index for surface extraction. A Map holds at most 2^24 entries, and a
// large porous or noisy volume's surface has more vertices than that: open addressing in typed
// arrays has no such limit and costs 12 bytes an entry at least half full. And orderById, the
// vertices in the order of their edges' ids: a mesh's order that does not depend on the blocks.

const EMPTY = -1;
/** Radix of orderById's passes. */
const DIGIT = 1 << 16;

export class EdgeVertices {
  private keys = new Float64Array(1 << 16).fill(EMPTY);
  private values = new Int32Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The vertex of edge `id` (a non-negative integer below 2^53), or −1. */
  get(id: number): number {
    const mask = this.keys.length - 1;
    for (let slot = hash(id) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot]!;
      if (key === id) return this.values[slot]!;
      if (key === EMPTY) return -1;
    }
  }

  /** Gives edge `id` (not yet present) vertex `vertex`. */
  set(id: number, vertex: number): void {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    this.place(id, vertex);
    this.count++;
  }

  /** Forgets every edge, keeping the memory: the next block's edges fill it again without growing it. */
  clear(): void {
    this.keys.fill(EMPTY);
    this.count = 0;
  }

  private place(id: number, vertex: number): void {
    const mask = this.keys.length - 1;
    let slot = hash(id) & mask;
    while (this.keys[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.keys[slot] = id;
    this.values[slot] = vertex;
  }

  private grow(): void {
    const [keys, values] = [this.keys, this.values];
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.values = new Int32Array(keys.length * 2);
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== EMPTY) this.place(keys[slot]!, values[slot]!);
  }
}

/** Mixes both 32-bit halves of an integer id into a slot. */
function hash(id: number): number {
  const low = id >>> 0;
  const high = Math.floor(id / 4294967296);
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The indices of `ids` in ascending order of their values (non-negative integers below 2^53); `ids`
 * is overwritten. A radix sort, 16 bits a pass, carrying the indices along: tens of millions of ids
 * sort in a few linear passes.
 */
export function orderById(ids: Float64Array<ArrayBuffer>): Uint32Array {
  const count = ids.length;
  let vertices = Uint32Array.from({ length: count }, (_, v) => v);
  let largest = 0;
  for (const id of ids) largest = Math.max(largest, id);
  const buckets = new Uint32Array(DIGIT + 1);
  let nextIds = new Float64Array(count);
  let nextVertices = new Uint32Array(count);
  for (let scale = 1; scale <= largest; scale *= DIGIT) {
    buckets.fill(0);
    for (const id of ids) buckets[(Math.floor(id / scale) % DIGIT) + 1]!++;
    for (let d = 0; d < DIGIT; d++) buckets[d + 1]! += buckets[d]!;
    for (let i = 0; i < count; i++) {
      const to = buckets[Math.floor(ids[i]! / scale) % DIGIT]!++;
      nextIds[to] = ids[i]!;
      nextVertices[to] = vertices[i]!;
    }
    [ids, nextIds] = [nextIds, ids];
    [vertices, nextVertices] = [nextVertices, vertices];
  }
  return vertices;
}
