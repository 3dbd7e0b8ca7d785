// The user's sparse labels for one volume: a uint8 class per voxel (0 = unlabelled), kept as
// BLOCK³ blocks that exist only where something is labelled, so a stroke on a 2048³ volume costs
// the blocks it touches, never the volume. Undo/redo are sparse diffs grouped per stroke (napari).
import { badInput } from '../../shared/errors';
import type { Region, Vec3 } from '../../shared/volume';

/** Edge of a label block in voxels; a block is BLOCK³ bytes (32 KiB). */
export const BLOCK = 32;
const BLOCK_BITS = 5; // log2(BLOCK): in-block position i = (z << 10) | (y << 5) | x
const BLOCK_VOXELS = BLOCK * BLOCK * BLOCK;

/** One piece of a stroke. Coordinates are voxels in (z, y, x); anything outside the volume is clipped. */
export type StrokeShape =
  /** Single voxels as flat (z, y, x) triples. */
  | { kind: 'points'; points: ArrayLike<number> }
  /** A disc in the slice plane perpendicular to `axis` through `center`. */
  | { kind: 'disc'; axis: 'z' | 'y' | 'x'; center: Vec3; radius: number }
  | { kind: 'sphere'; center: Vec3; radius: number }
  /** Voxels of `region` where `mask` (C order, one byte per voxel) is non-zero, e.g. a 2D flood fill. */
  | { kind: 'mask'; region: Region; mask: Uint8Array };

export interface Stroke {
  /** Class to paint, 1..255; 0 erases. */
  value: number;
  shapes: StrokeShape[];
}

/** The voxels a stroke changed: flat indices (z·ny·nx + y·nx + x), their values before, the value after. */
export interface StrokeDiff {
  indices: Float64Array;
  old: Uint8Array;
  value: number;
  /** Bounding box of the changed voxels, null when nothing changed. */
  bounds: Region | null;
}

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

/** Collects a diff while painting: growable arrays plus a running bounding box. */
class DiffBuilder {
  indices = new Float64Array(256);
  old = new Uint8Array(256);
  length = 0;
  private readonly lo: Vec3 = [Infinity, Infinity, Infinity];
  private readonly hi: Vec3 = [-Infinity, -Infinity, -Infinity];

  push(index: number, old: number, z: number, y: number, x: number): void {
    if (this.length === this.indices.length) {
      const indices = new Float64Array(this.length * 2);
      indices.set(this.indices);
      this.indices = indices;
      const olds = new Uint8Array(this.length * 2);
      olds.set(this.old);
      this.old = olds;
    }
    this.indices[this.length] = index;
    this.old[this.length++] = old;
    this.extend(z, y, x);
  }

  private extend(z: number, y: number, x: number): void {
    const { lo, hi } = this;
    if (z < lo[0]) lo[0] = z;
    if (y < lo[1]) lo[1] = y;
    if (x < lo[2]) lo[2] = x;
    if (z > hi[0]) hi[0] = z;
    if (y > hi[1]) hi[1] = y;
    if (x > hi[2]) hi[2] = x;
  }

  finish(value: number): StrokeDiff {
    const { lo, hi } = this;
    const bounds: Region | null =
      this.length === 0 ? null : { start: [...lo], shape: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
    return { indices: this.indices.slice(0, this.length), old: this.old.slice(0, this.length), value, bounds };
  }
}

export interface LabelStoreOptions {
  /** Strokes kept for undo; older ones are forgotten. */
  undoLimit?: number;
}

export class LabelStore {
  readonly shape: Vec3;
  /** Blocks per axis (z, y, x). */
  readonly grid: Vec3;
  private readonly blocks = new Map<number, Block>();
  private readonly dirty = new Set<number>();
  /** The version at each block's last change (blocks ever changed), so derived views can catch up on only those. */
  private readonly changedAt = new Map<number, number>();
  private readonly undoStack: StrokeDiff[] = [];
  private readonly redoStack: StrokeDiff[] = [];
  private readonly undoLimit: number;
  private labelled = 0;
  /** Labelled voxels per class value, kept up to date by every change. */
  private readonly perClass = new Float64Array(256);
  private changes = 0;

  constructor(shape: Vec3, options: LabelStoreOptions = {}) {
    if (shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n > 0))
      throw badInput(`label volume shape must be three positive integers, got [${shape.join(', ')}]`);
    this.shape = [...shape];
    this.grid = [Math.ceil(shape[0] / BLOCK), Math.ceil(shape[1] / BLOCK), Math.ceil(shape[2] / BLOCK)];
    this.undoLimit = options.undoLimit ?? 200;
  }

  /** Number of labelled (non-zero) voxels. */
  get labelledCount(): number {
    return this.labelled;
  }

  /** Counts every change (paint, undo, redo, block load): a cheap "labels version" for models and saves. */
  get version(): number {
    return this.changes;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /**
   * Paints one stroke and records it for undo. With `continueStroke`, the change joins the previous
   * undo step when that step painted the same value (a drag sent in pieces stays one undo step).
   */
  paint(stroke: Stroke, options: { continueStroke?: boolean } = {}): StrokeDiff {
    const { value } = stroke;
    if (!Number.isInteger(value) || value < 0 || value > 255)
      throw badInput(`label class must be an integer 0..255, got ${value}`);
    const diff = new DiffBuilder();
    for (const shape of stroke.shapes) this.paintShape(shape, value, diff);
    const result = diff.finish(value);
    if (result.indices.length > 0) {
      const last = this.undoStack.at(-1);
      if (options.continueStroke && last && last.value === value)
        this.undoStack[this.undoStack.length - 1] = concat(last, result);
      else {
        this.undoStack.push(result);
        if (this.undoStack.length > this.undoLimit) this.undoStack.shift();
      }
      this.redoStack.length = 0;
    }
    return result;
  }

  /** Reverts the last stroke; returns what it had changed (to redraw), or undefined when there is none. */
  undo(): StrokeDiff | undefined {
    const diff = this.undoStack.pop();
    if (!diff) return undefined;
    // Reverse order, so a voxel changed twice within a merged stroke ends at its first old value.
    for (let i = diff.indices.length - 1; i >= 0; i--) this.setIndex(diff.indices[i]!, diff.old[i]!);
    this.redoStack.push(diff);
    return diff;
  }

  redo(): StrokeDiff | undefined {
    const diff = this.redoStack.pop();
    if (!diff) return undefined;
    for (let i = 0; i < diff.indices.length; i++) this.setIndex(diff.indices[i]!, diff.value);
    this.undoStack.push(diff);
    return diff;
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

  private paintShape(shape: StrokeShape, value: number, diff: DiffBuilder): void {
    const [nz, ny, nx] = this.shape;
    switch (shape.kind) {
      case 'points': {
        const p = shape.points;
        for (let i = 0; i + 2 < p.length; i += 3) {
          const z = Math.round(p[i]!),
            y = Math.round(p[i + 1]!),
            x = Math.round(p[i + 2]!);
          if (z >= 0 && z < nz && y >= 0 && y < ny && x >= 0 && x < nx) this.setSpan(z, y, x, x + 1, value, diff);
        }
        return;
      }
      case 'sphere':
      case 'disc': {
        const { center, radius } = shape;
        if (!(radius >= 0) || !center.every(Number.isFinite))
          throw badInput(`brush needs a finite centre and radius ≥ 0`);
        // A disc is a sphere flattened to one plane: the plane axis gets no extent.
        const flat = shape.kind === 'disc' ? { z: 0, y: 1, x: 2 }[shape.axis] : -1;
        const r2 = radius * radius;
        const [cz, cy, cx] = center;
        const zr = flat === 0 ? 0 : radius,
          yr = flat === 1 ? 0 : radius;
        const zc = flat === 0 ? Math.round(cz) : cz,
          yc = flat === 1 ? Math.round(cy) : cy;
        for (let z = Math.max(0, Math.ceil(zc - zr)); z <= Math.min(nz - 1, Math.floor(zc + zr)); z++)
          for (let y = Math.max(0, Math.ceil(yc - yr)); y <= Math.min(ny - 1, Math.floor(yc + yr)); y++) {
            const rest = r2 - (flat === 0 ? 0 : (z - cz) ** 2) - (flat === 1 ? 0 : (y - cy) ** 2);
            if (rest < 0) continue;
            if (flat === 2) {
              const x = Math.round(cx);
              if (x >= 0 && x < nx) this.setSpan(z, y, x, x + 1, value, diff);
              continue;
            }
            const half = Math.sqrt(rest);
            const x0 = Math.max(0, Math.ceil(cx - half)),
              x1 = Math.min(nx, Math.floor(cx + half) + 1);
            if (x0 < x1) this.setSpan(z, y, x0, x1, value, diff);
          }
        return;
      }
      case 'mask': {
        const { start, shape: size } = shape.region;
        if (shape.mask.length !== size[0] * size[1] * size[2])
          throw badInput(
            `mask has ${shape.mask.length} bytes but its region [${size.join(', ')}] needs ${size[0] * size[1] * size[2]}`,
          );
        const [z0, y0, x0] = start;
        for (let z = Math.max(0, z0); z < Math.min(nz, z0 + size[0]); z++)
          for (let y = Math.max(0, y0); y < Math.min(ny, y0 + size[1]); y++) {
            const row = ((z - z0) * size[1] + (y - y0)) * size[2] - x0;
            let x = Math.max(0, x0);
            const end = Math.min(nx, x0 + size[2]);
            // Paint each run of set mask bytes as one span.
            while (x < end) {
              while (x < end && shape.mask[row + x] === 0) x++;
              const runStart = x;
              while (x < end && shape.mask[row + x] !== 0) x++;
              if (runStart < x) this.setSpan(z, y, runStart, x, value, diff);
            }
          }
        return;
      }
    }
  }

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

function concat(a: StrokeDiff, b: StrokeDiff): StrokeDiff {
  const indices = new Float64Array(a.indices.length + b.indices.length);
  indices.set(a.indices);
  indices.set(b.indices, a.indices.length);
  const old = new Uint8Array(indices.length);
  old.set(a.old);
  old.set(b.old, a.old.length);
  return { indices, old, value: a.value, bounds: union(a.bounds, b.bounds) };
}

function union(a: Region | null, b: Region | null): Region | null {
  if (!a || !b) return a ?? b;
  const start = [0, 1, 2].map((i) => Math.min(a.start[i]!, b.start[i]!)) as Vec3;
  const end = [0, 1, 2].map((i) => Math.max(a.start[i]! + a.shape[i]!, b.start[i]! + b.shape[i]!));
  return { start, shape: [end[0]! - start[0], end[1]! - start[1], end[2]! - start[2]] };
}
