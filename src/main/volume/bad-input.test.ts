// Bad input: every error names the file (and chunk or page) and the problem; sources stay untouched.
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TomosegError } from '../../shared/errors';
import { openVolume } from './open';
import { fingerprint, readAll, tempDir } from './testing/data';
import { python } from './testing/python';
import type { Volume } from './volume';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens and reads all of `path`; returns the error it must fail with, after checking the file was left alone. */
async function failure(path: string, files: string[] = [path]): Promise<TomosegError> {
  const before = files.map(fingerprint);
  let volume: Volume | undefined;
  try {
    volume = await openVolume(path);
    await readAll(volume);
  } catch (error) {
    expect(error).toBeInstanceOf(TomosegError);
    expect(files.map(fingerprint)).toEqual(before);
    return error as TomosegError;
  } finally {
    await volume?.close();
  }
  throw new Error(`${path} opened and read without an error`);
}

describe('unreadable paths', () => {
  it('names a path that does not exist', async () => {
    const path = join(dir, 'nothing-here.tif');
    await expect(openVolume(path)).rejects.toMatchObject({ kind: 'not-found', message: `${path}: does not exist` });
  });

  it('names a file that is not a volume', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello');
    await expect(openVolume(path)).rejects.toThrow(`${path}: unknown volume format`);
    const fake = join(dir, 'fake.tif');
    writeFileSync(fake, 'hello, not a tiff');
    expect((await failure(fake)).message).toBe(`${fake}: not a TIFF file (no II/MM byte-order mark)`);
  });

  it('checks a raw file is long enough for the layout it is given', async () => {
    const path = join(dir, 'short.raw');
    writeFileSync(path, Buffer.alloc(1000));
    await expect(openVolume(path, { raw: { shape: [10, 10, 10], dtype: 'uint16', offset: 16 } })).rejects.toThrow(
      `${path}: truncated file: a 10×10×10 uint16 volume after 16 header bytes needs 2016 bytes but the file has 1000`,
    );
  });
});

describe('bad TIFF files', () => {
  const tiff = (name: string, code: string): string => {
    const path = join(dir, name);
    python(
      `import sys, numpy as np, tifffile\npath = sys.argv[1]\na = (np.arange(7 * 33 * 20).reshape(7, 33, 20) % 1000)\n${code}`,
      path,
    );
    return path;
  };

  it('reports a truncated file', async () => {
    const path = tiff('truncated.tif', "tifffile.imwrite(path, a.astype('u2'))");
    truncateSync(path, Math.floor(readFileSync(path).length * 0.6));
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}: truncated file: `));
  });

  it('reports an ImageJ header that claims more images than the file has', async () => {
    const path = tiff(
      'lying-imagej.tif',
      "tifffile.imwrite(path, a.astype('u2'), description='ImageJ=1.11a\\nimages=50\\nslices=50\\n', metadata=None)",
    );
    expect((await failure(path)).message).toBe(`${path}: the ImageJ header says 50 images but the file has 7 pages`);
  });

  it('reports a page directory that lies about the page size', async () => {
    const path = tiff(
      'lying-size.tif',
      "tifffile.imwrite(path, a.astype('u2'))\nwith tifffile.TiffFile(path, mode='r+b') as t: t.pages[3].tags['ImageLength'].overwrite(66)",
    );
    expect((await failure(path)).message).toMatch(
      new RegExp(`^${path}: page 3 header lies about its size: 20×66×2 bytes needs 2640 but its strips hold 1320`),
    );
  });

  it('reports corrupt compressed data with its page and block', async () => {
    const path = tiff('corrupt-deflate.tif', "tifffile.imwrite(path, a.astype('u2'), compression='zlib')");
    const bytes = readFileSync(path);
    const offset = python(`import sys, tifffile\nprint(tifffile.TiffFile(sys.argv[1]).pages[2].dataoffsets[0])`, path);
    bytes.fill(0xff, Number(offset) + 2, Number(offset) + 40);
    writeFileSync(path, bytes);
    expect((await failure(path)).message).toMatch(new RegExp(`^${path} page 2 block 0: corrupt compressed data`));
  });

  it('reports an unsupported compression and sample type', async () => {
    const jpeg = tiff(
      'jpeg.tif',
      "tifffile.imwrite(path, a.astype('u2'))\nwith tifffile.TiffFile(path, mode='r+b') as t: t.pages[0].tags['Compression'].overwrite(7)",
    );
    expect(await failure(jpeg)).toMatchObject({
      kind: 'unsupported',
      message: `${jpeg}: compression 7 (page 0) is not supported`,
    });
    const half = tiff('float16.tif', "tifffile.imwrite(path, a.astype('f2'))");
    expect(await failure(half)).toMatchObject({
      kind: 'unsupported',
      message: `${half}: sample type float16 (16 bits, SampleFormat 3) is not supported`,
    });
    const rgb = tiff('rgb.tif', "tifffile.imwrite(path, np.zeros((4, 8, 8, 3), 'u1'), photometric='rgb')");
    expect(await failure(rgb)).toMatchObject({
      kind: 'unsupported',
      message: `${rgb}: 3 samples per pixel (RGB or multi-sample pages) is not supported`,
    });
  });
});

describe('bad Zarr folders', () => {
  const zarr = (name: string, code: string): string => {
    const path = join(dir, name);
    python(`import sys, os, json, numpy as np, numcodecs, zarr\npath = sys.argv[1]\n${code}`, path);
    return path;
  };
  const v2 =
    "z = zarr.open(path, mode='w', shape=(6, 20, 20), chunks=(3, 10, 10), dtype='<u2', compressor=numcodecs.Zlib())\nz[:] = 5";

  it('reports a corrupt chunk by its key', async () => {
    const path = zarr('corrupt-chunk.zarr', v2);
    writeFileSync(join(path, '1.0.1'), 'garbage that is not zlib');
    const error = await failure(path, [join(path, '1.0.1')]);
    expect(error.message).toMatch(new RegExp(`^${path} chunk 1/0/1: corrupt chunk`));
  });

  it('reports a chunk that decodes to the wrong size', async () => {
    const path = zarr(
      'short-chunk.zarr',
      `${v2}\nopen(path + '/0.1.0', 'wb').write(numcodecs.Zlib().encode(np.zeros(10, '<u2').tobytes()))`,
    );
    expect((await failure(path, [join(path, '0.1.0')])).message).toMatch(
      new RegExp(`^${path} chunk 0/1/0: corrupt chunk`),
    );
  });

  it('reports metadata that is not JSON or lacks what an array needs', async () => {
    const broken = zarr('bad-json.zarr', "os.makedirs(path)\nopen(path + '/zarr.json', 'w').write('{ not json')");
    expect((await failure(broken, [join(broken, 'zarr.json')])).message).toMatch(
      new RegExp(`^${broken}: is not a readable Zarr array or group`),
    );
    const noShape = zarr(
      'no-shape.zarr',
      "os.makedirs(path)\njson.dump({'zarr_format': 3, 'node_type': 'array', 'data_type': 'uint8'}, open(path + '/zarr.json', 'w'))",
    );
    expect((await failure(noShape, [join(noShape, 'zarr.json')])).message).toMatch(new RegExp(`^${noShape}: `));
    const group = zarr('plain-group.zarr', "zarr.open_group(path, mode='w')");
    expect((await failure(group)).message).toBe(
      `${group}: Zarr group has no OME-Zarr multiscales (attributes.ome.multiscales or .zattrs multiscales)`,
    );
  });

  it('reports an unsupported data type and codec', async () => {
    const int64 = zarr('int64.zarr', "zarr.open(path, mode='w', shape=(4, 4, 4), dtype='<i8')[:] = 1");
    expect(await failure(int64)).toMatchObject({
      kind: 'unsupported',
      message: `${int64}: data type int64 is not supported`,
    });
    const codec = zarr(
      'odd-codec.zarr',
      "os.makedirs(path + '/c/0/0')\njson.dump({'zarr_format': 3, 'node_type': 'array', 'shape': [2, 2, 2], 'data_type': 'uint8', 'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [2, 2, 2]}}, 'chunk_key_encoding': {'name': 'default'}, 'fill_value': 0, 'codecs': [{'name': 'bytes'}, {'name': 'lizard'}]}, open(path + '/zarr.json', 'w'))\nopen(path + '/c/0/0/0', 'wb').write(b'12345678')",
    );
    expect(await failure(codec)).toMatchObject({
      kind: 'unsupported',
      message: `${codec}: chunk codec (Unknown codec: lizard) is not supported`,
    });
  });
});
