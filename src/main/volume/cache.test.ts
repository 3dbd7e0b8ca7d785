import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TypedArray, Vec3 } from '../../shared/volume';
import { type Chunk, ChunkCache } from './cache';
import { createVolume } from './create';
import { openVolume } from './open';
import { pattern, readAll, sameBytes, sliceOf, tempDir } from './testing/data';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chunk = (bytes: number): Chunk => ({ data: new Uint8Array(bytes), shape: [1, 1, bytes] });

describe('ChunkCache', () => {
  it('keeps at most its capacity, evicting the least recently used', async () => {
    const cache = new ChunkCache(300);
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => chunk(100));
    await cache.get('a', async () => chunk(100)); // a is now the most recent
    await cache.get('d', async () => chunk(100)); // evicts b
    expect(cache.bytes).toBe(300);
    let loads = 0;
    const load = async (): Promise<Chunk> => (loads++, chunk(100));
    await cache.get('a', load);
    await cache.get('b', load);
    expect(loads).toBe(1);
  });

  it('shares one load between concurrent requests and never keeps a chunk over capacity', async () => {
    const cache = new ChunkCache(50);
    let loads = 0;
    const slow = async (): Promise<Chunk> => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return chunk(100);
    };
    await Promise.all([cache.get('x', slow), cache.get('x', slow)]);
    expect(loads).toBe(1);
    expect(cache.bytes).toBe(0);
  });

  it('forgets every chunk when cleared, and loads them again', async () => {
    const cache = new ChunkCache(300);
    for (const key of ['a', 'b']) await cache.get(key, async () => chunk(100));
    cache.clear();
    expect(cache.bytes).toBe(0);
    let loads = 0;
    await cache.get('a', async () => (loads++, chunk(100)));
    expect([loads, cache.bytes]).toEqual([1, 100]);
  });
});

describe('slices across the storage order', () => {
  it('read each TIFF chunk once, and the next slice comes from the cache', async () => {
    const shape: Vec3 = [30, 40, 50];
    const path = join(dir, 'stack.tif');
    const writer = await createVolume(path, { shape, dtype: 'uint16' });
    const data = pattern('uint16', shape);
    await writer.write({ start: [0, 0, 0], shape }, data);
    await writer.commit();
    const cache = new ChunkCache();
    const volume = await openVolume(path, { cache });
    const pages = shape[0] * Math.ceil(shape[1] / volume.chunkShape[1]);
    const xSlice = await volume.read({ start: [0, 0, 7], shape: [30, 40, 1] });
    expect(Array.from(xSlice)).toEqual(sliceOf(data, shape, 2, 7));
    expect(cache.stats).toEqual({ hits: 0, misses: pages });
    await volume.read({ start: [0, 0, 8], shape: [30, 40, 1] });
    expect(cache.stats).toEqual({ hits: pages, misses: pages });
    await volume.close();
    expect(cache.bytes).toBe(0);
  });
});

describe('reads of whole pages', () => {
  it('load neighbouring bands of a page together and cache each band', async () => {
    const shape: Vec3 = [3, 100, 2048];
    const path = join(dir, 'wide.tif');
    const writer = await createVolume(path, { shape, dtype: 'uint16' });
    const data = pattern('uint16', shape);
    await writer.write({ start: [0, 0, 0], shape }, data);
    await writer.commit();
    const cache = new ChunkCache();
    const volume = await openVolume(path, { cache });
    expect(volume.chunkShape).toEqual([1, 32, 2048]);
    expect(Array.from(await readAll(volume))).toEqual(Array.from(data));
    expect(cache.stats).toEqual({ hits: 0, misses: 3 * 4 });
    expect(Array.from(await volume.read({ start: [0, 70, 0], shape: [3, 1, 2048] }))).toEqual(
      sliceOf(data, shape, 1, 70),
    );
    expect(cache.stats).toEqual({ hits: 3, misses: 3 * 4 });
    await volume.close();
  });
});

describe('large reads of whole rows', () => {
  // Over 2 MiB: a pass over the volume, read straight from the file without the chunk cache.
  const shape: Vec3 = [10, 256, 512];
  const box = { start: [1, 3, 0] as Vec3, shape: [9, 250, 512] as Vec3 };
  const boxOf = (data: TypedArray): TypedArray => {
    const out = data.slice(0, 9 * 250 * 512);
    for (let z = 0; z < 9; z++)
      for (let y = 0; y < 250; y++) {
        const from = ((z + 1) * 256 + y + 3) * 512;
        out.set(data.subarray(from, from + 512), (z * 250 + y) * 512);
      }
    return out;
  };

  it('bypass the cache for a TIFF, whole or in part', async () => {
    const path = join(dir, 'large.tif');
    const writer = await createVolume(path, { shape, dtype: 'uint16' });
    const data = pattern('uint16', shape);
    await writer.write({ start: [0, 0, 0], shape }, data);
    await writer.commit();
    const cache = new ChunkCache();
    const volume = await openVolume(path, { cache });
    expect(sameBytes(await readAll(volume), data)).toBe(true);
    expect(sameBytes(await volume.read(box), boxOf(data))).toBe(true);
    expect(cache.stats).toEqual({ hits: 0, misses: 0 });
    await volume.close();
  });

  it.each([true, false])('bypass the cache for raw data (little-endian %s)', async (littleEndian) => {
    const data = pattern('int16', shape);
    const bytes = Buffer.from(data.buffer.slice(0));
    if (!littleEndian) bytes.swap16();
    const path = join(dir, `large-${littleEndian}.raw`);
    writeFileSync(path, Buffer.concat([Buffer.from('HEADER'), bytes]));
    const cache = new ChunkCache();
    const volume = await openVolume(path, { cache, raw: { shape, dtype: 'int16', littleEndian, offset: 6 } });
    expect(sameBytes(await readAll(volume), data)).toBe(true);
    expect(sameBytes(await volume.read(box), boxOf(data))).toBe(true);
    expect(cache.stats).toEqual({ hits: 0, misses: 0 });
    await volume.close();
  });
});

describe('raw volumes', () => {
  it.each([true, false])('read in place with a header offset (little-endian %s)', async (littleEndian) => {
    const shape: Vec3 = [6, 7, 9];
    const data = pattern('int16', shape);
    const bytes = Buffer.from(data.buffer.slice(0));
    if (!littleEndian) bytes.swap16();
    const path = join(dir, `volume-${littleEndian}.raw`);
    writeFileSync(path, Buffer.concat([Buffer.from('HEADER--'), bytes]));
    const volume = await openVolume(path, {
      raw: { shape, dtype: 'int16', littleEndian, offset: 8, voxelSize: [2, 1, 1], unit: 'micrometer' },
    });
    expect(volume).toMatchObject({ format: 'raw', shape, dtype: 'int16', voxelSize: [2, 1, 1] });
    expect(Array.from(await readAll(volume))).toEqual(Array.from(data));
    expect(Array.from(await volume.read({ start: [0, 3, 0], shape: [6, 1, 9] }))).toEqual(sliceOf(data, shape, 1, 3));
    await volume.close();
  });
});
