// The user's sparse labels for one volume: a uint8 class per voxel (0 = unlabelled), kept as
// BLOCK³ blocks that exist only where something is labelled, so a stroke on a 2048³ volume costs
// the blocks it touches, never the volume. A stroke's shapes become runs of voxels (./brush);
// every paint returns a sparse diff (./diff, napari), which the undo history (./history) keeps and
// hands back to `revert` and `apply`. Labelled voxels per class are counted as they change.
import { badInput } from '../../shared/errors';
import type { Region, Vec3 } from '../../shared/volume';
import { type Stroke, rasterize } from './brush';
import { DiffBuilder, type StrokeDiff } from './diff';

/** Edge of a label block in voxels; a block is BLOCK³ bytes (32 KiB). */
export const BLOCK = 32;
const BLOCK_BITS = 5; // log2(BLOCK): in-block position i = (z << 10) | (y << 5) | x
const BLOCK_VOXELS = BLOCK * BLOCK * BLOCK;

export interface LabelledVoxels {
  /** Flat voxel indices in increasing order (Float64: volumes beyond 2³² voxels). */
  indices: Float64Array;
  classes: Uint8Array;
}

interface Block {
  data: Uint8Array;
  /** The same bytes four at a time, to skip unlabelled stretches quickly. */
  words: Uint32Array;
  /** Non-zero voxels, so an erased-empty block can be dropped. */
  count: number;
}

function newBlock(data = new Uint8Array(BLOCK_VOXELS)): Block {
  return { data, words: new Uint32Array(data.buffer, data.byteOffset, BLOCK_VOXELS / 4), count: 0 };
}

export class LabelStore {
  readonly shape: Vec3;
  /** Blocks per axis (z, y, x). */
  readonly grid: Vec3;
  private readonly blocks = new Map<number, Block>();
  private readonly dirty = new Set<number>();
  /** The version at each block's last change (blocks ever changed), so derived views can catch up on only those. */
  private readonly changedAt = new Map<number, number>();
  private labelled = 0;
  /** Labelled voxels per class value, kept up to date by every change. */
  private readonly perClass = new Float64Array(256);
  private changes = 0;

  constructor(shape: Vec3) {
    if (shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n > 0))
      throw badInput(`label volume shape must be three positive integers, got [${shape.join(', ')}]`);
    this.shape = [...shape];
    this.grid = [Math.ceil(shape[0] / BLOCK), Math.ceil(shape[1] / BLOCK), Math.ceil(shape[2] / BLOCK)];
  }

  /** Number of labelled (non-zero) voxels. */
  get labelledCount(): number {
    return this.labelled;
  }

  /** Counts every change (paint, undo, redo, block load): a cheap "labels version" for models and saves. */
  get version(): number {
    return this.changes;
  }

  /** Paints one stroke; returns what it changed (for undo, and to redraw). */
  paint(stroke: Stroke): StrokeDiff {
    const { value } = stroke;
    if (!Number.isInteger(value) || value < 0 || value > 255)
      throw badInput(`label class must be an integer 0..255, got ${value}`);
    const diff = new DiffBuilder();
    for (const shape of stroke.shapes)
      rasterize(shape, this.shape, (z, y, x0, x1) => this.setSpan(z, y, x0, x1, value, diff));
    return diff.finish(value);
  }

  /** Puts back the values a diff replaced (undo); diffs are reverted newest first. */
  revert(diff: StrokeDiff): void {
    // Reverse order, so a voxel a diff changed twice ends at its first old value.
    for (let i = diff.indices.length - 1; i >= 0; i--) this.setIndex(diff.indices[i]!, diff.old[i]!);
  }

  /** Paints a diff's voxels with its value again (redo). */
  apply(diff: StrokeDiff): void {
    for (let i = 0; i < diff.indices.length; i++) this.setIndex(diff.indices[i]!, diff.value);
  }

  /** Labels of a region inside the volume, C order; unlabelled voxels are 0. */
  read(region: Region): Uint8Array {
    const { start, shape } = region;
    for (let a = 0; a < 3; a++)
      if (
        !Number.isInteger(start[a]) ||
        !Number.isInteger(shape[a]) ||
        start[a]! < 0 ||
        shape[a]! < 0 ||
        start[a]! + shape[a]! > this.shape[a]!
      )
        throw badInput(
          `label region [${start.join(', ')}] + [${shape.join(', ')}] is outside the volume [${this.shape.join(', ')}]`,
        );
    const out = new Uint8Array(shape[0] * shape[1] * shape[2]);
    const [z0, y0, x0] = start;
    const [gz, gy, gx] = this.grid;
    // Copy block by block, row by row: cost follows the labelled blocks, not the region.
    for (let bz = Math.floor(z0 / BLOCK); bz * BLOCK < z0 + shape[0] && bz < gz; bz++)
      for (let by = Math.floor(y0 / BLOCK); by * BLOCK < y0 + shape[1] && by < gy; by++)
        for (let bx = Math.floor(x0 / BLOCK); bx * BLOCK < x0 + shape[2] && bx < gx; bx++) {
          const block = this.blocks.get((bz * gy + by) * gx + bx);
          if (!block) continue;
          const zs = Math.max(z0, bz * BLOCK),
            ze = Math.min(z0 + shape[0], (bz + 1) * BLOCK);
          const ys = Math.max(y0, by * BLOCK),
            ye = Math.min(y0 + shape[1], (by + 1) * BLOCK);
          const xs = Math.max(x0, bx * BLOCK),
            xe = Math.min(x0 + shape[2], (bx + 1) * BLOCK);
          for (let z = zs; z < ze; z++)
            for (let y = ys; y < ye; y++) {
              const from = ((z - bz * BLOCK) * BLOCK + (y - by * BLOCK)) * BLOCK + (xs - bx * BLOCK);
              const to = ((z - z0) * shape[1] + (y - y0)) * shape[2] + (xs - x0);
              out.set(block.data.subarray(from, from + xe - xs), to);
            }
        }
    return out;
  }

  /** Every labelled voxel, in increasing flat index order: the training set. */
  labelledVoxels(): LabelledVoxels {
    const indices = new Float64Array(this.labelled);
    const classes = new Uint8Array(this.labelled);
    const [nz, ny, nx] = this.shape;
    const [, gy, gx] = this.grid;
    // Visit blocks slab by slab (bz), then row by row (z, by, y), then along x (bx, x): that is C
    // order over the volume, so the result comes out sorted without a sort.
    const slabs = new Map<number, Map<number, number[]>>();
    for (const key of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const bz = Math.floor(key / (gy * gx)),
        by = Math.floor(key / gx) % gy;
      let rows = slabs.get(bz);
      if (!rows) slabs.set(bz, (rows = new Map()));
      let row = rows.get(by);
      if (!row) rows.set(by, (row = []));
      row.push(key);
    }
    let n = 0;
    for (const [bz, rows] of slabs)
      for (let z = bz * BLOCK; z < Math.min(nz, (bz + 1) * BLOCK); z++)
        for (const [by, row] of rows)
          for (let y = by * BLOCK; y < Math.min(ny, (by + 1) * BLOCK); y++) {
            const inBlock = ((z - bz * BLOCK) * BLOCK + (y - by * BLOCK)) * BLOCK;
            const rowBase = (z * ny + y) * nx;
            for (const key of row) {
              const { data, words } = this.blocks.get(key)!;
              const x0 = (key % gx) * BLOCK;
              for (let w = inBlock >> 2; w < (inBlock + BLOCK) >> 2; w++) {
                if (words[w] === 0) continue;
                for (let i = w << 2; i < (w + 1) << 2; i++) {
                  const v = data[i]!;
                  if (v === 0) continue;
                  indices[n] = rowBase + x0 + i - inBlock;
                  classes[n++] = v;
                }
              }
            }
          }
    return { indices, classes };
  }

  /** Labelled voxels per class value (index = class; index 0 is always 0). */
  classCounts(): number[] {
    const counts = Array.from(this.perClass);
    counts[0] = 0; // painting and erasing move counts through 0; unlabelled voxels are not counted
    return counts;
  }

  // ---- Block access, for saving and loading ----

  /** Keys of blocks changed since the last `markClean` (a block that became empty is dirty and absent). */
  dirtyBlocks(): number[] {
    return [...this.dirty];
  }

  markClean(keys: Iterable<number> = [...this.dirty]): void {
    for (const key of keys) this.dirty.delete(key);
  }

  /**
   * Keys of blocks changed (painted, undone, redone, loaded) after `version`, including blocks that
   * became empty and are now absent. The cost follows the blocks ever changed, not the voxels.
   */
  blocksChangedSince(version: number): number[] {
    const keys: number[] = [];
    for (const [key, at] of this.changedAt) if (at > version) keys.push(key);
    return keys;
  }

  blockKeys(): number[] {
    return [...this.blocks.keys()];
  }

  /** A block's BLOCK³ bytes (C order within the block), or undefined when nothing in it is labelled. Do not modify. */
  block(key: number): Uint8Array | undefined {
    return this.blocks.get(key)?.data;
  }

  /** Voxel position (z, y, x) of a block's first corner. */
  blockOrigin(key: number): Vec3 {
    const [, gy, gx] = this.grid;
    return [Math.floor(key / (gy * gx)) * BLOCK, (Math.floor(key / gx) % gy) * BLOCK, (key % gx) * BLOCK];
  }

  /** Loads a saved block (not an undoable edit, not dirty). Labels outside the volume are refused. */
  loadBlock(key: number, data: Uint8Array): void {
    const [gz, gy, gx] = this.grid;
    if (!Number.isInteger(key) || key < 0 || key >= gz * gy * gx)
      throw badInput(`label block ${key} is outside the volume's block grid`);
    if (data.length !== BLOCK_VOXELS)
      throw badInput(`label block ${key} has ${data.length} bytes, expected ${BLOCK_VOXELS}`);
    const origin = this.blockOrigin(key);
    // Only a block on the volume's far faces can hold voxels outside it.
    if (origin.some((o, a) => o + BLOCK > this.shape[a]!))
      for (let i = 0; i < BLOCK_VOXELS; i++) {
        if (data[i] === 0) continue;
        const z = origin[0] + (i >> (2 * BLOCK_BITS)),
          y = origin[1] + ((i >> BLOCK_BITS) & (BLOCK - 1)),
          x = origin[2] + (i & (BLOCK - 1));
        if (z >= this.shape[0] || y >= this.shape[1] || x >= this.shape[2])
          throw badInput(`label block ${key} labels voxels outside the volume [${this.shape.join(', ')}]`);
      }
    const old = this.blocks.get(key);
    if (old) this.tally(old, -1);
    const block = newBlock(new Uint8Array(data));
    this.tally(block, 1);
    if (block.count === 0) this.blocks.delete(key);
    else this.blocks.set(key, block);
    this.changedAt.set(key, ++this.changes);
  }

  // ---- Painting ----

  /** Sets voxels x0..x1-1 of row (z, y), recording what changed. The row is already clipped. */
  private setSpan(z: number, y: number, x0: number, x1: number, value: number, diff: DiffBuilder): void {
    const [, ny, nx] = this.shape;
    const [, gy, gx] = this.grid;
    const bz = Math.floor(z / BLOCK),
      by = Math.floor(y / BLOCK);
    const rowBase = (z * ny + y) * nx;
    const inBlockRow = ((z - bz * BLOCK) * BLOCK + (y - by * BLOCK)) * BLOCK;
    for (let x = x0; x < x1;) {
      const bx = Math.floor(x / BLOCK);
      const end = Math.min(x1, (bx + 1) * BLOCK);
      const key = (bz * gy + by) * gx + bx;
      let block = this.blocks.get(key);
      if (!block) {
        if (value === 0) {
          x = end; // erasing where nothing is labelled
          continue;
        }
        block = newBlock();
        this.blocks.set(key, block);
      }
      const data = block.data;
      const before = block.count;
      const pushed = diff.length;
      for (; x < end; x++) {
        const i = inBlockRow + x - bx * BLOCK;
        const old = data[i]!;
        if (old === value) continue;
        data[i] = value;
        if (old === 0) block.count++;
        else if (value === 0) block.count--;
        this.moveCount(old, value);
        diff.push(rowBase + x, old, z, y, x);
      }
      if (diff.length > pushed) this.afterBlockChange(key, block, before);
    }
  }

  /** Sets one voxel by flat index (undo/redo). */
  private setIndex(index: number, value: number): void {
    const [, ny, nx] = this.shape;
    const [, gy, gx] = this.grid;
    const x = index % nx,
      rest = Math.floor(index / nx);
    const y = rest % ny,
      z = Math.floor(rest / ny);
    const key = (Math.floor(z / BLOCK) * gy + Math.floor(y / BLOCK)) * gx + Math.floor(x / BLOCK);
    let block = this.blocks.get(key);
    if (!block) {
      if (value === 0) return;
      block = newBlock();
      this.blocks.set(key, block);
    }
    const i = ((z % BLOCK) * BLOCK + (y % BLOCK)) * BLOCK + (x % BLOCK);
    const old = block.data[i]!;
    if (old === value) return;
    const before = block.count;
    block.data[i] = value;
    if (old === 0) block.count++;
    else if (value === 0) block.count--;
    this.moveCount(old, value);
    this.afterBlockChange(key, block, before);
  }

  private moveCount(from: number, to: number): void {
    this.perClass[from] = this.perClass[from]! - 1;
    this.perClass[to] = this.perClass[to]! + 1;
  }

  /** Counts a block's labels into (sign 1) or out of (sign -1) the totals; sets its count. */
  private tally(block: Block, sign: 1 | -1): void {
    const { data, words } = block;
    let count = 0;
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      for (let i = w << 2; i < (w + 1) << 2; i++) {
        const v = data[i]!;
        if (v === 0) continue;
        this.perClass[v] = this.perClass[v]! + sign;
        count++;
      }
    }
    block.count = count;
    this.labelled += sign * count;
  }

  private afterBlockChange(key: number, block: Block, before: number): void {
    this.labelled += block.count - before;
    if (block.count === 0) this.blocks.delete(key);
    this.dirty.add(key);
    this.changedAt.set(key, ++this.changes);
  }
}
