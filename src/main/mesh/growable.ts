// Typed arrays that grow by doubling: meshes are built and edited in place, and millions of
// numbers in plain arrays cost several times the memory.

type Storage = Float64Array | Int32Array | Uint32Array;

export class Growable<T extends Storage> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (length: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  /** The values pushed so far (a view: it follows later writes, not later growth). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const floats = (capacity: number): Growable<Float64Array> =>
  new Growable(new Float64Array(Math.max(capacity, 16)), (n) => new Float64Array(n));
export const ints = (capacity: number): Growable<Int32Array> =>
  new Growable(new Int32Array(Math.max(capacity, 16)), (n) => new Int32Array(n));
export const uints = (capacity: number): Growable<Uint32Array> =>
  new Growable(new Uint32Array(Math.max(capacity, 16)), (n) => new Uint32Array(n));
