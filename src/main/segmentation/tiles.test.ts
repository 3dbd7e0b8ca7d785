import { describe, expect, it } from 'vitest';
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import { trainModel } from '../engine';
import { engine } from './engine-adapter';
import { WritableMemoryVolume } from './memory-volume';
import { predictInTiles, tilesOf } from './tiles';

describe('tiles', () => {
  it('cover a region exactly, each within the size', () => {
    const region: Region = { start: [3, 5, 7], shape: [1, 100, 61] };
    const tiles = tilesOf(region, 1000);
    expect(tiles.every((t) => voxelCount(t.shape) <= 1000)).toBe(true);
    expect(tiles.reduce((n, t) => n + voxelCount(t.shape), 0)).toBe(voxelCount(region.shape));
    expect(tiles[0]).toEqual({ start: [3, 5, 7], shape: [1, 25, 31] });
    expect(tilesOf(region, 10_000)).toEqual([region]);
  });

  it('predict a slice tile by tile as the engine predicts it whole', async () => {
    const shape: Vec3 = [12, 40, 40];
    const volume = WritableMemoryVolume.uint8(shape, { voxelSize: [1, 1, 1], unit: '' });
    const data = new Uint8Array(voxelCount(shape));
    for (let i = 0; i < data.length; i++)
      data[i] = ((i % 40) + Math.floor(i / 40)) % 16 < 8 ? 60 + (i % 7) : 190 - (i % 5);
    await volume.write({ start: [0, 0, 0], shape }, data);
    const indices = Float64Array.from([
      6 * 1600 + 2 * 40 + 2,
      6 * 1600 + 2 * 40 + 12,
      6 * 1600 + 20 * 40 + 3,
      6 * 1600 + 20 * 40 + 13,
    ]);
    const labels = { shape, indices, values: Uint8Array.from(indices, (i) => (data[i]! < 128 ? 1 : 2)) };
    const model = await trainModel(volume, labels, { seed: 2, iterations: 30 });
    const slice: Region = { start: [6, 0, 0], shape: [1, 40, 40] };
    const whole = await engine.predictRegion(model, volume, slice);
    const tiled = await predictInTiles(engine, model, volume, slice, 300);
    expect(tiled.classes).toEqual(whole.classes);
    for (let i = 0; i < whole.confidence.length; i++) expect(tiled.confidence[i]).toBeCloseTo(whole.confidence[i]!, 4);
  });
});
