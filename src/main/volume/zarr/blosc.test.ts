// Blosc chunks through blosc.ts: exactly what numcodecs (Python, the reference) encoded, for every
// compressor, shuffle and element size; truncation and damage to the header, block table or
// stream sizes are refused. (Blosc 1 has no checksum: damage inside literal data goes unseen.)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/data';
import { python } from '../testing/python';
import { type BloscSettings, decodeBlosc } from './blosc';
import { CorruptData } from './corrupt';

interface Case {
  name: string;
  cname: string;
  shuffle: number;
  typesize: number;
}

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Element sizes 1, 2 and 8; sizes that leave a short last block; noise, a pattern and zeros.
const cases = JSON.parse(
  python(
    `import json, sys, os, numpy as np, numcodecs
rng = np.random.default_rng(0)
cases = []
for cname in ['lz4', 'lz4hc', 'zlib', 'zstd', 'blosclz']:
    for shuffle in [0, 1, 2]:
        for dtype in ['u1', '<u2', '<f8']:
            for n, blocksize in [(7, 0), (1000, 0), (5000, 256), (70001, 4096)]:
                k = len(cases)
                a = [rng.integers(0, 50, n), np.arange(n) * 7919 % 1009, np.zeros(n)][k % 3].astype(dtype)
                name = f'{cname}-{shuffle}-{dtype[-2:]}-{n}'
                open(os.path.join(sys.argv[1], name + '.raw'), 'wb').write(a.tobytes())
                open(os.path.join(sys.argv[1], name + '.blosc'), 'wb').write(
                    numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=blocksize).encode(a))
                cases.append({'name': name, 'cname': cname, 'shuffle': shuffle, 'typesize': a.itemsize})
print(json.dumps(cases))`,
    dir,
  ),
) as Case[];

const load = (c: Case): [Uint8Array, Buffer] => [
  new Uint8Array(readFileSync(join(dir, `${c.name}.blosc`))),
  readFileSync(join(dir, `${c.name}.raw`)),
];
const settings = ({ cname, shuffle, typesize }: Case): BloscSettings => ({ cname, shuffle, typesize });

/** The decoded bytes, or the CorruptData it threw. */
const attempt = (bytes: Uint8Array, c: Case): Promise<Uint8Array | CorruptData> =>
  decodeBlosc(bytes, Infinity, settings(c)).catch((error: unknown) => {
    expect(error).toBeInstanceOf(CorruptData);
    return error as CorruptData;
  });

describe('Blosc chunks', () => {
  it('decode to exactly what numcodecs encoded, for every compressor, shuffle and element size', async () => {
    expect(cases).toHaveLength(180);
    for (const c of cases) {
      const [encoded, raw] = load(c);
      const decoded = await decodeBlosc(encoded, raw.length, settings(c));
      expect(Buffer.compare(Buffer.from(decoded), raw), c.name).toBe(0);
    }
  });

  it('refuse a chunk cut short or with bytes added', async () => {
    for (const c of cases) {
      const [encoded] = load(c);
      for (const cut of [1, 4, encoded.length >> 1])
        expect(await attempt(encoded.subarray(0, -cut), c)).toBeInstanceOf(CorruptData);
      const longer = new Uint8Array(encoded.length + 3);
      longer.set(encoded);
      expect(await attempt(longer, c)).toBeInstanceOf(CorruptData);
    }
  });

  it('never decode a single-bit flip of the header, block table or stream sizes to wrong data of the right size', async () => {
    // A wrong size is refused by the Zarr reader, which checks every chunk's size.
    let flips = 0;
    for (const c of cases.filter((k) => k.name.endsWith('-u2-5000'))) {
      const [encoded, raw] = load(c);
      const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
      const positions = [...Array(16).keys()].filter((p) => p !== 1); // byte 1 (the codec's version) is unused
      if (!(encoded[2]! & 0x02)) {
        const blocks = Math.ceil(view.getUint32(4, true) / view.getUint32(8, true));
        for (let b = 0; b < blocks; b++) {
          const start = view.getUint32(16 + 4 * b, true);
          positions.push(16 + 4 * b, 17 + 4 * b, start, start + 1, start + 2, start + 3);
        }
      }
      for (const p of positions)
        for (let bit = 0; bit < 8; bit++) {
          const damaged = encoded.slice();
          damaged[p]! ^= 1 << bit;
          const out = await attempt(damaged, c);
          flips++;
          if (!(out instanceof CorruptData) && out.length === raw.length)
            expect(Buffer.compare(Buffer.from(out), raw), `${c.name}: byte ${p} bit ${bit}`).toBe(0);
        }
    }
    expect(flips).toBeGreaterThan(4000);
  });

  it('refuses an LZ4 match that points before the start of its stream', async () => {
    const c = cases.find((k) => k.name === 'lz4-0-u1-5000')!;
    const [encoded] = load(c);
    const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const stream = view.getUint32(16, true) + 4;
    // Zeros: one literal, then a long match at offset 1 (two bytes after the token and the literal).
    expect(Array.from(encoded.subarray(stream + 2, stream + 4))).toEqual([1, 0]);
    const damaged = encoded.slice();
    damaged[stream + 3] = 0x40;
    await expect(decodeBlosc(damaged, Infinity, settings(c))).rejects.toThrow(
      /Blosc block 0 stream 0: LZ4 data refers to data before its start/,
    );
  });

  it('refuses a header whose compressor or shuffle differs from the array metadata', async () => {
    const c = cases.find((k) => k.name === 'zstd-1-u2-5000')!;
    const [encoded] = load(c);
    await expect(decodeBlosc(encoded, Infinity, { ...settings(c), cname: 'lz4' })).rejects.toThrow(
      "Blosc header names Zstandard, not the lz4 of the array's metadata",
    );
    await expect(decodeBlosc(encoded, Infinity, { ...settings(c), shuffle: 'bitshuffle' })).rejects.toThrow(
      "Blosc header's shuffle flags differ from the shuffle bitshuffle of the array's metadata",
    );
  });
});
