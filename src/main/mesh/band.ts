// The field near the surface only: 8³ bricks around every cube the surface crosses, so the mesh
// can be refined against the data of a volume far larger than memory. Bricks live in shared
// memory, so threads refining parts of one surface read the same band. A field of whole steps
// (a uint8 probability map's k / 255) is held as the steps, in 8 or 16 bits a voxel, and read
// through a table of their values: exactly the values, in a quarter or half of the memory.
import type { Vec3 } from '../../shared/volume';
import type { ScalarSource } from './source';

export const BRICK = 8;
const SHIFT = 3;
const MASK = BRICK - 1;

const BRICK_VOXELS = BRICK * BRICK * BRICK;
/** Bricks per block of shared memory. */
const CHUNK_BRICKS = 1024;

/** A band as worker threads receive it: the bricks' keys in the order they fill the chunks. */
export interface SharedBand {
  shape: Vec3;
  steps: number | undefined;
  keys: Float64Array;
  chunks: SharedArrayBuffer[];
}

const clampShift = (v: number, n: number): number => (v < 0 ? 0 : v >= n ? n - 1 : v) >> SHIFT;

type Brick = Float32Array | Uint16Array | Uint8Array;

/** How a band holds a field: its bricks' bytes per voxel and views, and the steps' values, if steps. */
interface Storage {
  bytes: number;
  brick: (chunk: SharedArrayBuffer, offset: number) => Brick;
  values?: Float32Array;
}

function storage(steps: number | undefined): Storage {
  const brick =
    <T extends Brick>(View: new (buffer: SharedArrayBuffer, offset: number, length: number) => T) =>
    (chunk: SharedArrayBuffer, offset: number): T =>
      new View(chunk, offset, BRICK_VOXELS);
  if (steps === undefined || !Number.isInteger(steps) || steps < 1 || steps > 65535)
    return { bytes: 4, brick: brick(Float32Array) };
  // the values as the source computes them: k × (1 / steps), rounded to float32
  const values = Float32Array.from({ length: steps + 1 }, (_, k) => k * (1 / steps));
  return steps <= 255
    ? { bytes: 1, brick: brick(Uint8Array), values }
    : { bytes: 2, brick: brick(Uint16Array), values };
}

export class BandField {
  private readonly bricks = new Map<number, Brick>();
  private readonly chunks: SharedArrayBuffer[] = [];
  /** The bricks' keys in the order they were stored. */
  private readonly keys: number[] = [];
  /** Scratch for sample(): the corners of one cube. */
  private readonly cube = new Float64Array(8);
  private readonly bricksPerAxis: Vec3;
  private readonly nz: number;
  private readonly ny: number;
  private readonly nx: number;
  private lastKey = -1;
  private lastBrick: Brick | undefined;
  private readonly storage: Storage;
  /** The value of each step, where the band holds steps. */
  private readonly values: Float32Array | undefined;

  /** A band of a field of `steps` (ScalarSource.steps), or of any values. */
  constructor(
    readonly shape: Vec3,
    private readonly steps?: number,
  ) {
    this.bricksPerAxis = [0, 1, 2].map((axis) => Math.ceil(shape[axis]! / BRICK)) as Vec3;
    [this.nz, this.ny, this.nx] = shape;
    this.storage = storage(steps);
    this.values = this.storage.values;
  }

  brickKey(bz: number, by: number, bx: number): number {
    return (bz * this.bricksPerAxis[1] + by) * this.bricksPerAxis[2] + bx;
  }

  brickCoords(key: number): Vec3 {
    const [, ny, nx] = this.bricksPerAxis;
    return [Math.floor(key / (ny * nx)), Math.floor(key / nx) % ny, key % nx];
  }

  /** The band for another thread: the same memory, nothing copied but the keys. */
  share(): SharedBand {
    return { shape: this.shape, steps: this.steps, keys: Float64Array.from(this.keys), chunks: this.chunks };
  }

  static fromShared({ shape, steps, keys, chunks }: SharedBand): BandField {
    const band = new BandField(shape, steps);
    keys.forEach((key, i) => band.place(key, band.slot(chunks, i)));
    band.chunks.push(...chunks);
    return band;
  }

  get brickCount(): number {
    return this.bricks.size;
  }

  /** Key of the brick holding voxel (z, y, x), clamped into the volume. */
  brickOf(z: number, y: number, x: number): number {
    const [nz, ny, nx] = this.shape;
    return this.brickKey(clampShift(z, nz), clampShift(y, ny), clampShift(x, nx));
  }

  /** The brick keys within one brick of any key in `keys` (the band's safety margin). */
  dilate(keys: Set<number>): Set<number> {
    const out = new Set<number>();
    const [nbz, nby, nbx] = this.bricksPerAxis;
    for (const key of keys) {
      const [bz, by, bx] = this.brickCoords(key);
      for (let z = Math.max(bz - 1, 0); z <= Math.min(bz + 1, nbz - 1); z++)
        for (let y = Math.max(by - 1, 0); y <= Math.min(by + 1, nby - 1); y++)
          for (let x = Math.max(bx - 1, 0); x <= Math.min(bx + 1, nbx - 1); x++) out.add(this.brickKey(z, y, x));
    }
    return out;
  }

  has(key: number): boolean {
    return this.bricks.has(key);
  }

  /** Do the brick's voxels inside the volume all lie in the block at `start` of `size`? */
  brickWithin(key: number, start: Vec3, size: Vec3): boolean {
    return this.brickCoords(key).every((b, axis) => {
      const first = b * BRICK;
      const last = Math.min(first + BRICK, this.shape[axis]!) - 1;
      return first >= start[axis]! && last < start[axis]! + size[axis]!;
    });
  }

  /** Copies brick `key` out of a block whose first voxel is `start` and size `size`. */
  store(key: number, block: Float32Array, start: Vec3, size: Vec3): void {
    const [bz, by, bx] = this.brickCoords(key);
    if (this.keys.length % CHUNK_BRICKS === 0)
      this.chunks.push(new SharedArrayBuffer(CHUNK_BRICKS * BRICK_VOXELS * this.storage.bytes));
    const brick = this.slot(this.chunks, this.keys.length);
    // a field of steps holds k = value × steps (exact: the value is k / steps to float32's precision)
    const steps = this.values ? this.steps! : 0;
    for (let z = 0; z < BRICK; z++) {
      const gz = bz * BRICK + z - start[0];
      if (gz < 0 || gz >= size[0]) continue;
      for (let y = 0; y < BRICK; y++) {
        const gy = by * BRICK + y - start[1];
        if (gy < 0 || gy >= size[1]) continue;
        const row = (gz * size[1] + gy) * size[2];
        for (let x = 0; x < BRICK; x++) {
          const gx = bx * BRICK + x - start[2];
          if (gx < 0 || gx >= size[2]) continue;
          const value = block[row + gx]!;
          brick[(z * BRICK + y) * BRICK + x] = steps ? Math.round(value * steps) : value;
        }
      }
    }
    this.place(key, brick);
  }

  /** Brick number `i`'s memory in `chunks`. */
  private slot(chunks: SharedArrayBuffer[], i: number): Brick {
    const chunk = chunks[Math.floor(i / CHUNK_BRICKS)]!;
    return this.storage.brick(chunk, (i % CHUNK_BRICKS) * BRICK_VOXELS * this.storage.bytes);
  }

  private place(key: number, brick: Brick): void {
    this.bricks.set(key, brick);
    this.keys.push(key);
    this.lastKey = -1;
  }

  /**
   * Trilinear value and gradient at voxel coordinates (x, y, z) into `out` = [value, gx, gy, gz].
   * Returns false where the band holds no data.
   */
  sample(x: number, y: number, z: number, out: Float64Array): boolean {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const z0 = Math.floor(z);
    const fx = x - x0;
    const fy = y - y0;
    const fz = z - z0;
    const c = this.cube;
    this.readCube(z0, y0, x0, c);
    // along x first, then y, then z; derivatives of the same interpolant
    const c00 = c[0]! + (c[1]! - c[0]!) * fx;
    const c01 = c[2]! + (c[3]! - c[2]!) * fx;
    const c10 = c[4]! + (c[5]! - c[4]!) * fx;
    const c11 = c[6]! + (c[7]! - c[6]!) * fx;
    const c0 = c00 + (c01 - c00) * fy;
    const c1 = c10 + (c11 - c10) * fy;
    const value = c0 + (c1 - c0) * fz;
    if (Number.isNaN(value)) return false;
    const dx0 = (c[1]! - c[0]!) * (1 - fy) + (c[3]! - c[2]!) * fy;
    const dx1 = (c[5]! - c[4]!) * (1 - fy) + (c[7]! - c[6]!) * fy;
    out[0] = value;
    out[1] = dx0 * (1 - fz) + dx1 * fz;
    out[2] = (c01 - c00) * (1 - fz) + (c11 - c10) * fz;
    out[3] = c1 - c0;
    return true;
  }

  /**
   * The 8 values of the cube whose low corner is voxel (z0, y0, x0), x fastest, into `c`: 0 outside
   * the volume, NaN where the band holds no data.
   */
  private readCube(z0: number, y0: number, x0: number, c: Float64Array): void {
    const inBrick = (x0 & MASK) < MASK && (y0 & MASK) < MASK && (z0 & MASK) < MASK;
    // most cubes lie in one brick inside the volume: read them straight from it
    if (inBrick && x0 >= 0 && y0 >= 0 && z0 >= 0 && x0 < this.nx - 1 && y0 < this.ny - 1 && z0 < this.nz - 1) {
      const brick = this.brickAt(this.brickKey(z0 >> SHIFT, y0 >> SHIFT, x0 >> SHIFT));
      if (!brick) return void c.fill(NaN);
      const i = (((z0 & MASK) << SHIFT) + (y0 & MASK)) * BRICK + (x0 & MASK);
      const plane = BRICK * BRICK;
      const values = this.values;
      for (let k = 0; k < 8; k++) {
        const value = brick[i + (k & 1) + ((k >> 1) & 1) * BRICK + (k >> 2) * plane]!;
        c[k] = values ? values[value]! : value;
      }
      return;
    }
    for (let k = 0; k < 8; k++) {
      const z = z0 + (k >> 2);
      const y = y0 + ((k >> 1) & 1);
      const x = x0 + (k & 1);
      if (z < 0 || y < 0 || x < 0 || z >= this.nz || y >= this.ny || x >= this.nx) {
        c[k] = 0;
        continue;
      }
      const brick = this.brickAt(this.brickKey(z >> SHIFT, y >> SHIFT, x >> SHIFT));
      const value = brick ? brick[(((z & MASK) << SHIFT) + (y & MASK)) * BRICK + (x & MASK)]! : NaN;
      c[k] = brick && this.values ? this.values[value]! : value;
    }
  }

  /** Brick `key`, remembering the last one asked for: refinement samples vertex after nearby vertex. */
  private brickAt(key: number): Brick | undefined {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastBrick = this.bricks.get(key);
    }
    return this.lastBrick;
  }
}

/** Reads the bricks `keys` from `source`, those of each `blockBricks`³ block in one read of their bounding box. */
export async function readBand(
  band: BandField,
  source: ScalarSource,
  keys: Set<number>,
  blockBricks: number,
  signal?: AbortSignal,
): Promise<void> {
  const byBlock = new Map<string, number[]>();
  for (const key of keys) {
    const id = band
      .brickCoords(key)
      .map((b) => Math.floor(b / blockBricks))
      .join(',');
    const list = byBlock.get(id);
    if (list) list.push(key);
    else byBlock.set(id, [key]);
  }
  for (const list of byBlock.values()) {
    signal?.throwIfAborted();
    const low: Vec3 = [Infinity, Infinity, Infinity];
    const high: Vec3 = [0, 0, 0];
    for (const key of list)
      band.brickCoords(key).forEach((b, axis) => {
        low[axis] = Math.min(low[axis]!, b);
        high[axis] = Math.max(high[axis]!, b);
      });
    const start = low.map((b) => b * BRICK) as Vec3;
    const size = high.map((b, axis) => Math.min((b + 1) * BRICK, source.shape[axis]!) - start[axis]!) as Vec3;
    const block = await source.read({ start, shape: size });
    for (const key of list) band.store(key, block, start, size);
  }
}
