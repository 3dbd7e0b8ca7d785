// Numbers gathered into fixed-size typed chunks: a list of tens of millions grows without the
// copies and the up-to-double spare room of a doubling array, and is freed chunk by chunk as it is
// read for the last time.

type Storage = Float64Array | Uint32Array;

/** Items per chunk. */
const ITEMS = 1 << 18;

export class Chunked<T extends Storage> {
  private chunks: T[] = [];
  /** Values pushed. */
  length = 0;

  /** `width` values to an item (3 for a point, 1 for a number); items never straddle chunks. */
  constructor(
    private readonly width: number,
    private readonly make: (length: number) => T,
  ) {}

  push(value: number): void {
    const i = this.length % (ITEMS * this.width);
    if (i === 0) this.chunks.push(this.make(ITEMS * this.width));
    this.chunks[this.chunks.length - 1]![i] = value;
    this.length++;
  }

  /** The values in order, chunk by chunk (the last one cut to what was pushed), as views. */
  *views(): Generator<T> {
    const whole = ITEMS * this.width;
    for (let c = 0; c < this.chunks.length; c++)
      yield this.chunks[c]!.subarray(0, Math.min(whole, this.length - c * whole)) as T;
  }

  /** Like views(), each chunk let go once the next is asked for, and the list empty at the end. */
  *drain(): Generator<T> {
    const views: (T | undefined)[] = [...this.views()];
    this.chunks = [];
    this.length = 0;
    for (let c = 0; c < views.length; c++) {
      yield views[c]!;
      views[c] = undefined;
    }
  }
}

export const chunkedFloats = (width: number): Chunked<Float64Array> => new Chunked(width, (n) => new Float64Array(n));
export const chunkedUints = (width: number): Chunked<Uint32Array> => new Chunked(width, (n) => new Uint32Array(n));
