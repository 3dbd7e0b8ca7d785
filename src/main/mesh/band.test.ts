import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine/memory-volume';
import { Random } from '../engine/random';
import { BandField, readBand } from './band';
import { scalarSource } from './source';

const shape: Vec3 = [20, 21, 22];

/** The band of every brick of `source`, held as the source's steps or as float32. */
async function wholeBand(source: ReturnType<typeof scalarSource>, steps: number | undefined): Promise<BandField> {
  const band = new BandField(shape, steps);
  const keys = new Set<number>();
  for (let z = 0; z < shape[0]; z += 8)
    for (let y = 0; y < shape[1]; y += 8) for (let x = 0; x < shape[2]; x += 8) keys.add(band.brickOf(z, y, x));
  await readBand(band, source, keys, 2);
  return band;
}

describe('the field band', () => {
  it('samples a probability map held as its steps exactly as held in float32, in a quarter or half the memory', async () => {
    const random = new Random(3);
    for (const [data, bytes] of [
      [Uint8Array.from({ length: shape[0] * shape[1] * shape[2] }, () => Math.floor(random.next() * 256)), 1],
      [Uint16Array.from({ length: shape[0] * shape[1] * shape[2] }, () => Math.floor(random.next() * 65536)), 2],
    ] as const) {
      const source = scalarSource(new MemoryVolume(data, shape), { kind: 'probability' });
      expect(source.steps).toBe(bytes === 1 ? 255 : 65535);
      const [held, float] = [await wholeBand(source, source.steps), await wholeBand(source, undefined)];
      const shared = BandField.fromShared(held.share()); // as a refinement thread reads it
      const [a, b, c] = [new Float64Array(4), new Float64Array(4), new Float64Array(4)];
      for (let i = 0; i < 2000; i++) {
        // anywhere, across bricks and out of the volume too
        const [x, y, z] = [random.next() * 24 - 1, random.next() * 23 - 1, random.next() * 22 - 1];
        expect(held.sample(x, y, z, a)).toBe(float.sample(x, y, z, b));
        expect(shared.sample(x, y, z, c)).toBe(float.sample(x, y, z, b));
        expect([a, c]).toEqual([b, b]);
      }
      const size = (band: BandField): number => band.share().chunks.reduce((n, chunk) => n + chunk.byteLength, 0);
      expect(size(held) / size(float)).toBe(bytes / 4);
    }
  });
});
