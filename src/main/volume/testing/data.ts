// Deterministic test volumes and helpers shared by the volume tests.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dtype, type TypedArray, type Vec3, allocate, voxelCount } from '../../../shared/volume';
import { bytesOf } from '../bytes';
import type { Volume } from '../volume';

/** A volume whose every voxel differs from its neighbours, in the range of `dtype`. */
export function pattern(dtype: Dtype, shape: Vec3, seed = 0): TypedArray {
  const out = allocate(dtype, voxelCount(shape));
  for (let i = 0; i < out.length; i++) {
    const v = (i * 7919 + seed * 104729) % 1009;
    out[i] =
      dtype === 'uint8' ? v % 251 : dtype.startsWith('int') ? v - 500 : dtype.startsWith('float') ? v / 8 - 60 : v * 61;
  }
  return out;
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'tomoseg-volume-'));

export const readAll = (volume: Volume): Promise<TypedArray> => volume.read({ start: [0, 0, 0], shape: volume.shape });

/** Elements of a C-order volume along one axis at `index`, laid out like Volume.read returns them. */
export function sliceOf(data: TypedArray, shape: Vec3, axis: 0 | 1 | 2, index: number): number[] {
  const [d, h, w] = shape;
  const out: number[] = [];
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if ([z, y, x][axis] === index) out.push(data[(z * h + y) * w + x]!);
  return out;
}

/** Bytes written by python, viewed as `dtype`. */
export function readBin(path: string, dtype: Dtype): TypedArray {
  const bytes = readFileSync(path);
  const out = allocate(dtype, bytes.length / allocate(dtype, 1).BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** What proves a source was left alone: modification time and content hash of every file in it. */
export function fingerprint(path: string): string {
  const info = statSync(path);
  if (!info.isDirectory())
    return `${path}@${info.mtimeMs}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  return readdirSync(path)
    .sort()
    .map((name) => fingerprint(join(path, name)))
    .join('\n');
}

/** Exact equality of two large arrays (element type and bytes), without a per-element diff. */
export const sameBytes = (a: TypedArray, b: TypedArray): boolean =>
  a.constructor === b.constructor && Buffer.compare(bytesOf(a), bytesOf(b)) === 0;
