// How a volume is shared among the N tasks of a cluster run: into tiles of whole output chunks, so
// that no two tasks ever write the same chunk file and no lock is needed, dealt out as runs of
// consecutive tiles (z slabs first, so each task reads a compact part of the image). Pure
// functions: every task computes the same split from the same shape, chunk size and N.
import { badInput } from '../../shared/errors';
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import { DEFAULT_BLOCK } from '../engine/predict';
import { blockCount, blockGrid } from '../engine/blocks';

/** "i/N" (1 ≤ i ≤ N) → { part: i, parts: N }. */
export function parsePart(text: string): { part: number; parts: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const [part, parts] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || parts < 1 || part < 1 || part > parts)
    throw badInput(`--part must be i/N with 1 ≤ i ≤ N (task i of N), e.g. 3/8; not '${text}'`);
  return { part, parts };
}

/**
 * The tile shape: the engine's prediction block rounded up to whole chunks (a tile is also the
 * block predicted at once), made smaller (down to one chunk) where the volume has fewer tiles
 * than `parts` so every task gets work.
 */
export function tileShape(shape: Vec3, chunk: Vec3, parts: number): Vec3 {
  const tile = DEFAULT_BLOCK.map((b, a) => Math.max(1, Math.round(b / chunk[a]!)) * chunk[a]!) as Vec3;
  const halved = (a: number): number => Math.max(1, Math.floor(tile[a]! / chunk[a]! / 2)) * chunk[a]!;
  // Halve the largest tile side whose halving gives more tiles, until there are tiles enough.
  while (blockCount(shape, tile) < parts) {
    const axis = [0, 1, 2]
      .filter((a) => Math.ceil(shape[a]! / halved(a)) > Math.ceil(shape[a]! / tile[a]!))
      .sort((a, b) => tile[b]! - tile[a]!)[0];
    if (axis === undefined) break;
    tile[axis] = halved(axis);
  }
  return tile;
}

/** The tiles of part `part` (1-based) of `parts`: a run of consecutive tiles, about 1/N of them. */
export function partTiles(shape: Vec3, chunk: Vec3, part: number, parts: number): Region[] {
  const tiles = blockGrid(shape, tileShape(shape, chunk, parts));
  if (tiles.length < parts)
    throw badInput(
      `a ${shape.join('×')} volume in ${chunk.join('×')} chunks has only ${tiles.length} chunks: use at most ${tiles.length} tasks`,
    );
  // Split by voxels, not by tile count: edge tiles are smaller.
  const total = voxelCount(shape);
  const startOf = (i: number): number => {
    const target = (total * i) / parts;
    let sum = 0;
    for (let t = 0; t < tiles.length; t++) {
      if (sum >= target) return t;
      sum += voxelCount(tiles[t]!.shape);
    }
    return tiles.length;
  };
  // Every part gets at least one tile: the boundaries are strictly increasing.
  const bounds = Array.from({ length: parts + 1 }, (_, i) => startOf(i));
  bounds[parts] = tiles.length;
  for (let i = 1; i < parts; i++) bounds[i] = Math.max(bounds[i]!, bounds[i - 1]! + 1);
  for (let i = parts - 1; i >= 1; i--) bounds[i] = Math.min(bounds[i]!, bounds[i + 1]! - 1);
  return tiles.slice(bounds[part - 1], bounds[part]);
}
