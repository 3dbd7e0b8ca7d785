// Predicts a region tile by tile, so a 2048² slice or a large accepted region never needs the
// basis of the whole region in memory at once (one tile of TILE voxels at most, plus its halo).
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import { copyBox } from '../volume/chunked';
import type { RegionPrediction, SegmentationEngine } from './segmentation-engine';
import type { Volume } from '../volume/volume';

/** Largest tile: one 512² slice (the size the live preview is designed for), or 16 × 256² of a box. */
export const TILE_VOXELS = 512 * 512;

export async function predictInTiles<M>(
  engine: SegmentationEngine<M>,
  model: M,
  volume: Volume,
  region: Region,
  tileVoxels = TILE_VOXELS,
): Promise<RegionPrediction> {
  const tiles = tilesOf(region, tileVoxels);
  if (tiles.length === 1) return engine.predictRegion(model, volume, region);
  const classes = new Uint8Array(voxelCount(region.shape));
  const confidence = new Float32Array(classes.length);
  for (const tile of tiles) {
    const part = await engine.predictRegion(model, volume, tile);
    copyBox(part.classes, tile.start, tile.shape, classes, region.start, region.shape);
    copyBox(part.confidence, tile.start, tile.shape, confidence, region.start, region.shape);
  }
  return { classes, confidence };
}

/** Splits a region into tiles of at most `tileVoxels`, halving the longest side until one fits. */
export function tilesOf(region: Region, tileVoxels: number): Region[] {
  const tile: Vec3 = [...region.shape];
  while (voxelCount(tile) > tileVoxels) {
    const longest = tile.indexOf(Math.max(...tile));
    tile[longest] = Math.ceil(tile[longest]! / 2);
  }
  const tiles: Region[] = [];
  const [z0, y0, x0] = region.start;
  const [dz, dy, dx] = region.shape;
  for (let z = 0; z < dz; z += tile[0])
    for (let y = 0; y < dy; y += tile[1])
      for (let x = 0; x < dx; x += tile[2])
        tiles.push({
          start: [z0 + z, y0 + y, x0 + x],
          shape: [Math.min(tile[0], dz - z), Math.min(tile[1], dy - y), Math.min(tile[2], dx - x)],
        });
  return tiles;
}
