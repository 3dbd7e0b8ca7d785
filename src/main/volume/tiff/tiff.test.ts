import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dtype, Vec3 } from '../../../shared/volume';
import { ChunkCache } from '../cache';
import { createVolume } from '../create';
import { openVolume } from '../open';
import { fingerprint, pattern, readAll, readBin, sameBytes, sliceOf, tempDir } from '../testing/data';
import { READ_TIFF, python } from '../testing/python';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shape: Vec3 = [9, 21, 17];

describe('TIFF written here', () => {
  it.each<Dtype>(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'])(
    'round-trips %s through our reader',
    async (dtype) => {
      const path = join(dir, `ours-${dtype}.tif`);
      const data = pattern(dtype, shape);
      const writer = await createVolume(path, { shape, dtype, voxelSize: [2.5, 0.5, 0.25], unit: 'micrometer' });
      // Regions that are not whole pages: full-width slabs and a narrow box.
      await writer.write({ start: [0, 0, 0], shape: [9, 21, 17] }, data);
      const box = pattern(dtype, [3, 4, 5], 1);
      await writer.write({ start: [2, 3, 4], shape: [3, 4, 5] }, box);
      await writer.commit();
      const expected = data.slice();
      for (let z = 0; z < 3; z++)
        for (let y = 0; y < 4; y++)
          for (let x = 0; x < 5; x++) expected[((z + 2) * 21 + y + 3) * 17 + x + 4] = box[(z * 4 + y) * 5 + x]!;

      const volume = await openVolume(path);
      expect(volume.shape).toEqual(shape);
      expect(volume.dtype).toBe(dtype);
      expect(volume.voxelSize).toEqual([2.5, 0.5, 0.25]);
      expect(volume.unit).toBe('micrometer');
      expect(Array.from(await readAll(volume))).toEqual(Array.from(expected));
      for (const axis of [0, 1, 2] as const) {
        const start: Vec3 = [0, 0, 0];
        const size: Vec3 = [...shape];
        start[axis] = 4;
        size[axis] = 1;
        expect(Array.from(await volume.read({ start, shape: size }))).toEqual(sliceOf(expected, shape, axis, 4));
      }
      await volume.close();

      const info = JSON.parse(python(READ_TIFF, path, `${path}.bin`)) as {
        shape: number[];
        dtype: string;
        imagej: Record<string, unknown>;
        xres: number;
      };
      expect(info.shape).toEqual(shape);
      expect(info.dtype).toBe(dtype);
      expect(info.imagej).toMatchObject({ spacing: 2.5, unit: 'micron', slices: 9 });
      expect(info.xres).toBeCloseTo(4);
      expect(Array.from(readBin(`${path}.bin`, dtype))).toEqual(Array.from(expected));
    },
  );

  it('reads into a buffer the caller gives, through the cache and straight from the file', async () => {
    // 2 MiB of whole rows go straight from the file (a pass over the volume); a box goes through the cache.
    const big: Vec3 = [8, 256, 512];
    const path = join(dir, 'into.tif');
    const data = pattern('uint16', big);
    const writer = await createVolume(path, { shape: big, dtype: 'uint16' });
    await writer.write({ start: [0, 0, 0], shape: big }, data);
    await writer.commit();
    const volume = await openVolume(path);
    for (const region of [
      { start: [0, 0, 0] as Vec3, shape: big },
      { start: [1, 5, 7] as Vec3, shape: [3, 4, 5] as Vec3 },
    ]) {
      const into = new Uint16Array(region.shape[0] * region.shape[1] * region.shape[2]).fill(1);
      const result = await volume.read(region, into);
      expect(result).toBe(into);
      expect(sameBytes(into, await volume.read(region))).toBe(true);
    }
    await expect(volume.read({ start: [0, 0, 0], shape: [1, 1, 2] }, new Uint16Array(3))).rejects.toThrow(
      /does not fit 3 uint16 values/,
    );
    await volume.close();
  });

  it('writes channels as an ImageJ hyperstack (z outer, channel inner)', async () => {
    const path = join(dir, 'channels.tif');
    const writer = await createVolume(path, { shape, dtype: 'float32', channels: 3 });
    for (let c = 0; c < 3; c++) await writer.write({ start: [0, 0, 0], shape }, pattern('float32', shape, c), c);
    await writer.commit();
    const second = await openVolume(path, { channel: 1 });
    expect(Array.from(await readAll(second))).toEqual(Array.from(pattern('float32', shape, 1)));
    await second.close();
    const info = JSON.parse(python(READ_TIFF, path, `${path}.bin`)) as {
      shape: number[];
      imagej: Record<string, unknown>;
    };
    expect(info.shape).toEqual([9, 3, 21, 17]);
    expect(info.imagej).toMatchObject({ channels: 3, slices: 9, hyperstack: true });
    const all = readBin(`${path}.bin`, 'float32');
    const page = 21 * 17;
    expect(Array.from(all.subarray((4 * 3 + 2) * page, (4 * 3 + 3) * page))).toEqual(
      Array.from(pattern('float32', shape, 2).subarray(4 * page, 5 * page)),
    );
  });

  it('refuses to overwrite unless forced, and leaves nothing behind on abort', async () => {
    const path = join(dir, 'exists.tif');
    writeFileSync(path, 'keep me');
    await expect(createVolume(path, { shape, dtype: 'uint8' })).rejects.toThrow(`${path}: already exists`);
    const writer = await createVolume(path, { shape, dtype: 'uint8', force: true });
    await writer.abort();
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
    const forced = await createVolume(path, { shape, dtype: 'uint8', force: true });
    await forced.write({ start: [0, 0, 0], shape }, pattern('uint8', shape));
    await forced.commit();
    const volume = await openVolume(path);
    expect(Array.from(await readAll(volume))).toEqual(Array.from(pattern('uint8', shape)));
    await volume.close();
  });

  it('switches to BigTIFF past 4 GiB (sparse file, only the last page written)', async () => {
    const big: Vec3 = [1025, 1024, 2048];
    const path = join(dir, 'big.tif');
    const writer = await createVolume(path, { shape: big, dtype: 'uint16' });
    const last = pattern('uint16', [1, 1024, 2048]);
    await writer.write({ start: [1024, 0, 0], shape: [1, 1024, 2048] }, last);
    await writer.commit();
    const volume = await openVolume(path);
    expect(volume.format).toBe('BigTIFF');
    expect(volume.shape).toEqual(big);
    const row = await volume.read({ start: [1024, 1000, 0], shape: [1, 1, 2048] });
    expect(Array.from(row)).toEqual(Array.from(last.subarray(1000 * 2048, 1001 * 2048)));
    await volume.close();
    const check = python(
      'import sys, tifffile, numpy as np\nt = tifffile.TiffFile(sys.argv[1])\nprint(t.is_bigtiff, len(t.pages), int(t.pages[1024].asarray()[1000, :].astype(np.int64).sum()))',
      path,
    );
    expect(check.trim()).toBe(
      `True 1025 ${Array.from(last.subarray(1000 * 2048, 1001 * 2048)).reduce((a, b) => a + b, 0)}`,
    );
  });
});

describe('TIFF written by other tools', () => {
  const write = (name: string, code: string): string => {
    const path = join(dir, name);
    python(
      `import sys, numpy as np, tifffile\nshape = (7, 33, 20)\na = (np.arange(np.prod(shape)).reshape(shape) * 7919 % 1009)\npath = sys.argv[1]\n${code}\na.astype(a.dtype.newbyteorder('<')).tofile(path + '.bin')`,
      path,
    );
    return path;
  };
  const cases: [string, Dtype, string][] = [
    ['le-uint16.tif', 'uint16', "a = a.astype('<u2'); tifffile.imwrite(path, a)"],
    ['be-uint16.tif', 'uint16', "a = a.astype('>u2'); tifffile.imwrite(path, a, byteorder='>')"],
    ['be-float32.tif', 'float32', "a = (a / 8).astype('>f4'); tifffile.imwrite(path, a, byteorder='>')"],
    [
      'int16-deflate-predictor.tif',
      'int16',
      "a = (a - 500).astype('<i2'); tifffile.imwrite(path, a, compression='zlib', predictor=True)",
    ],
    ['uint32-rowsperstrip.tif', 'uint32', "a = a.astype('<u4'); tifffile.imwrite(path, a, rowsperstrip=5)"],
    [
      'tiled-deflate.tif',
      'uint16',
      "a = a.astype('<u2'); tifffile.imwrite(path, a, tile=(16, 16), compression='zlib')",
    ],
    ['tiled-uncompressed.tif', 'uint16', "a = a.astype('<u2'); tifffile.imwrite(path, a, tile=(16, 16))"],
    ['bigtiff-uint8.tif', 'uint8', "a = (a % 251).astype('u1'); tifffile.imwrite(path, a, bigtiff=True)"],
    [
      // tifffile needs imagecodecs to write Zstandard: the strips are compressed with numcodecs instead.
      'zstd-strips.tif',
      'uint16',
      `import numcodecs
a = a.astype('<u2')
with tifffile.TiffWriter(path) as tw:
    for p in a: tw.write(p, rowsperstrip=10, contiguous=False)  # tag arrays of their own, to overwrite
with tifffile.TiffFile(path, mode='r+b') as t:
    for p in t.pages:
        strips = [numcodecs.Zstd(level=3).encode(a[p.index, y:y + 10].tobytes()) for y in range(0, 33, 10)]
        t.filehandle.seek(0, 2); at = t.filehandle.tell(); t.filehandle.write(b''.join(strips))
        p.tags['StripOffsets'].overwrite([at + sum(map(len, strips[:k])) for k in range(len(strips))])
        p.tags['StripByteCounts'].overwrite([len(s) for s in strips]); p.tags['Compression'].overwrite(50000)`,
    ],
    [
      'lzw-pil.tif',
      'uint16',
      "from PIL import Image\na = a.astype('<u2'); pages = [Image.fromarray(p) for p in a]\npages[0].save(path, compression='tiff_lzw', save_all=True, append_images=pages[1:])",
    ],
  ];
  it.each(cases)('reads %s', async (name, dtype, code) => {
    const path = write(name, code);
    const before = fingerprint(path);
    const volume = await openVolume(path, { cache: new ChunkCache() });
    expect(volume.shape).toEqual([7, 33, 20]);
    expect(volume.dtype).toBe(dtype);
    const expected = readBin(`${path}.bin`, dtype);
    expect(Array.from(await readAll(volume))).toEqual(Array.from(expected));
    expect(Array.from(await volume.read({ start: [0, 0, 11], shape: [7, 33, 1] }))).toEqual(
      sliceOf(expected, [7, 33, 20], 2, 11),
    );
    await volume.close();
    expect(fingerprint(path)).toBe(before);
  });

  it.each([
    ['big-endian strips of 7 rows', "tifffile.imwrite(path + '.tif', a.astype('>u2'), byteorder='>', rowsperstrip=7)"],
    [
      'a sequence',
      "[tifffile.imwrite(f'{path}/{i}.tif', p, byteorder='>' if i % 2 else '<') for i, p in enumerate(a)]",
    ],
  ])('reads large regions of %s straight from the files, past the chunk cache', async (name, code) => {
    const path = join(dir, name.replaceAll(' ', '-'));
    mkdirSync(path);
    python(
      `import sys, numpy as np, tifffile\npath = sys.argv[1]\na = (np.arange(10 * 256 * 512).reshape((10, 256, 512)) * 7919 % 65521).astype('u2')\n${code}\na.astype('<u2').tofile(path + '.bin')`,
      path,
    );
    const expected = readBin(`${path}.bin`, 'uint16');
    const cache = new ChunkCache();
    const volume = await openVolume(code.includes('enumerate') ? path : `${path}.tif`, { cache });
    expect(sameBytes(await readAll(volume), expected)).toBe(true);
    const part = await volume.read({ start: [1, 5, 0], shape: [9, 240, 512] });
    for (const z of [1, 9])
      for (const y of [5, 100, 244])
        expect(Array.from(part.subarray(((z - 1) * 240 + y - 5) * 512, ((z - 1) * 240 + y - 4) * 512))).toEqual(
          Array.from(expected.subarray((z * 256 + y) * 512, (z * 256 + y + 1) * 512)),
        );
    expect(cache.stats).toEqual({ hits: 0, misses: 0 });
    await volume.close();
  });

  it('reads ImageJ voxel size and unit', async () => {
    const path = write(
      'imagej.tif',
      "a = a.astype('u2'); tifffile.imwrite(path, a, imagej=True, resolution=(1 / 0.75, 1 / 0.75), metadata={'spacing': 3.0, 'unit': 'um'})",
    );
    const volume = await openVolume(path);
    expect(volume.voxelSize[0]).toBe(3);
    expect(volume.voxelSize[1]).toBeCloseTo(0.75, 5);
    expect(volume.voxelSize[2]).toBeCloseTo(0.75, 5);
    expect(volume.unit).toBe('micrometer');
    await volume.close();
  });

  it('reads a stack that tifffile tagged as N channels of one slice (imagej=True, no axes) as N z slices, saying so', async () => {
    const path = write('imagej-channels.tif', "a = a.astype('u2'); tifffile.imwrite(path, a, imagej=True)");
    expect(python('import sys, tifffile\nprint(tifffile.TiffFile(sys.argv[1]).series[0].axes)', path).trim()).toBe(
      'CYX',
    );
    const volume = await openVolume(path);
    expect(volume.shape).toEqual([7, 33, 20]);
    expect(Array.from(await readAll(volume))).toEqual(Array.from(readBin(`${path}.bin`, 'uint16')));
    expect(volume.format).toBe('TIFF (ImageJ tags 7 channels of one slice: read as 7 z slices)');
    await volume.close();
  });

  it('reads an ImageJ stack stored as one directory followed by all pages (as ImageJ writes > 4 GiB)', async () => {
    const path = write(
      'imagej-truncated.tif',
      "a = a.astype('u2'); tifffile.imwrite(path, a, imagej=True, truncate=True, metadata={'axes': 'ZYX'})",
    );
    expect(python('import sys, tifffile\nprint(len(tifffile.TiffFile(sys.argv[1]).pages))', path).trim()).toBe('1');
    const volume = await openVolume(path);
    expect(volume.shape).toEqual([7, 33, 20]);
    expect(Array.from(await readAll(volume))).toEqual(Array.from(readBin(`${path}.bin`, 'uint16')));
    await volume.close();
  });

  it('reads a folder of numbered 2D TIFFs in natural order', async () => {
    const folder = join(dir, 'sequence');
    mkdirSync(folder);
    python(
      "import sys, numpy as np, tifffile\nfor i in range(12): tifffile.imwrite(f'{sys.argv[1]}/slice_{i}.tif', np.full((5, 6), i * 10, 'u2'))",
      folder,
    );
    const volume = await openVolume(folder);
    expect(volume.format).toBe('TIFF sequence');
    expect(volume.shape).toEqual([12, 5, 6]);
    const column = await volume.read({ start: [0, 2, 3], shape: [12, 1, 1] });
    expect(Array.from(column)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
    await volume.close();
  });
});

describe('the bundled sample', () => {
  it('is a big-endian 8-bit ImageJ stack with its voxel size', async () => {
    const path = join(__dirname, '../../../../resources/sample/bone_128x128x128.tif');
    const volume = await openVolume(path);
    expect(volume).toMatchObject({ shape: [128, 128, 128], dtype: 'uint8', format: 'TIFF' });
    expect(volume.voxelSize).toEqual([1.953125, 1.953125, 1.953125]);
    python(READ_TIFF, path, join(dir, 'bone.bin'));
    expect(sameBytes(await readAll(volume), readBin(join(dir, 'bone.bin'), 'uint8'))).toBe(true);
    await volume.close();
  });
});
