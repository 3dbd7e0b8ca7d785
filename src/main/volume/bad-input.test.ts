// Bad input: every error names the file (and chunk or page) and the problem; sources stay untouched.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TomosegError } from '../../shared/errors';
import { openVolume } from './open';
import { openTiffFile } from './tiff/reader';
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

  it('says how many strips a page lacks when RowsPerStrip promises more than it lists', async () => {
    const path = tiff(
      'too-few-strips.tif',
      "tifffile.imwrite(path, a.astype('u2'))\nwith tifffile.TiffFile(path, mode='r+b') as t: t.pages[0].tags['RowsPerStrip'].overwrite(11)",
    );
    expect((await failure(path)).message).toBe(
      `${path}: page 0 header lies about its layout: 33 rows of 11 rows per strip need 3 strips but it lists 1`,
    );
  });

  it('reports a strip too short for its rows, though the strips add up', async () => {
    const path = tiff(
      'short-strip.tif',
      "tifffile.imwrite(path, a.astype('u2'), rowsperstrip=11)\nwith tifffile.TiffFile(path, mode='r+b') as t: t.pages[0].tags['StripByteCounts'].overwrite([400, 440, 480])",
    );
    expect((await failure(path)).message).toBe(
      `${path}: page 0 header lies about its size: strip 0 holds 400 bytes but its 11 rows of 20×2 bytes need 440`,
    );
  });

  it('reports Zstandard strips of random bytes instead of reading zeros', async () => {
    const path = tiff(
      'zstd-noise.tif',
      `tifffile.imwrite(path, a.astype('u2'))
rng = np.random.default_rng(1)
with tifffile.TiffFile(path, mode='r+b') as t:
    for p in t.pages:
        t.filehandle.seek(p.dataoffsets[0]); t.filehandle.write(rng.integers(0, 256, p.databytecounts[0], dtype='u1').tobytes())
        p.tags['Compression'].overwrite(50000)`,
    );
    // Pages decode in parallel, so whichever corrupt page finishes first is the one named.
    expect((await failure(path)).message).toMatch(new RegExp(`^${path} page [0-2] block 0: corrupt compressed data`));
  });

  it('refuses a page far larger than its compressed strips can hold (10⁹ × 10⁹)', async () => {
    const path = tiff(
      'huge-deflate.tif',
      "tifffile.imwrite(path, a.astype('u2'), compression='zlib')\nwith tifffile.TiffFile(path, mode='r+b') as t:\n    for p in t.pages:\n        p.tags['ImageWidth'].overwrite(10**9, dtype='I'); p.tags['ImageLength'].overwrite(10**9, dtype='I'); p.tags['RowsPerStrip'].overwrite(10**9, dtype='I')",
    );
    expect((await failure(path)).message).toMatch(
      new RegExp(
        `^${path}: page 0 header lies about its size: strip 0 would hold 2000000000000000000 bytes, more than its \\d+ bytes of deflate data can hold`,
      ),
    );
    const raw = tiff(
      'huge-raw.tif',
      "tifffile.imwrite(path, a.astype('u2'))\nwith tifffile.TiffFile(path, mode='r+b') as t:\n    for p in t.pages:\n        p.tags['ImageWidth'].overwrite(10**9, dtype='I'); p.tags['ImageLength'].overwrite(10**9, dtype='I'); p.tags['RowsPerStrip'].overwrite(10**9, dtype='I')",
    );
    expect((await failure(raw)).message).toMatch(new RegExp(`^${raw}: page 0 header lies about its size: `));
  });

  it('refuses a named pipe instead of waiting for a writer', async () => {
    const path = join(dir, 'pipe.tif');
    execFileSync('mkfifo', [path]);
    try {
      const outcome = await Promise.race([
        openTiffFile(path).then(
          (v) => v.close().then(() => 'opened'),
          (e: unknown) => e,
        ),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      expect(outcome).toBeInstanceOf(TomosegError);
      expect((outcome as Error).message).toBe(
        `${path}: is not a regular file (a named pipe): volumes are read from files`,
      );
    } finally {
      // A reader stuck in open() (the bug this guards against) holds a thread until a writer comes.
      try {
        closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waiting
      }
    }
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
      new RegExp(`^${broken}/zarr.json: is not valid JSON \\(`),
    );
    const noShape = zarr(
      'no-shape.zarr',
      "os.makedirs(path)\njson.dump({'zarr_format': 3, 'node_type': 'array', 'data_type': 'uint8'}, open(path + '/zarr.json', 'w'))",
    );
    expect((await failure(noShape, [join(noShape, 'zarr.json')])).message).toBe(`${noShape}/zarr.json: has no shape`);
    const group = zarr('plain-group.zarr', "zarr.open_group(path, mode='w')");
    expect((await failure(group)).message).toBe(
      `${group}: Zarr group has no OME-Zarr multiscales (attributes.ome.multiscales or .zattrs multiscales)`,
    );
  });

  /** The array above with its .zarray edited by `edit` (python on the dict `m`). */
  const v2With = (name: string, edit: string): string =>
    zarr(name, `${v2}\nm = json.load(open(path + '/.zarray'))\n${edit}\njson.dump(m, open(path + '/.zarray', 'w'))`);
  /** A v3 array of 6×20×20 uint16 in chunks of 3×10×10, every chunk stored, with zarr.json edited by `edit`. */
  const v3With = (name: string, edit: string, separator = '/'): string =>
    zarr(
      name,
      `m = {'zarr_format': 3, 'node_type': 'array', 'shape': [6, 20, 20], 'data_type': 'uint16',
  'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [3, 10, 10]}},
  'chunk_key_encoding': {'name': 'default', 'configuration': {'separator': '/'}}, 'fill_value': 0,
  'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}]}
for idx in np.ndindex(2, 2, 2):
    key = os.path.join(path, 'c' + '${separator}' + '${separator}'.join(map(str, idx)))
    os.makedirs(os.path.dirname(key), exist_ok=True)
    open(key, 'wb').write(np.full((3, 10, 10), 5, '<u2').tobytes())
${edit}
json.dump(m, open(path + '/zarr.json', 'w'))`,
    );

  it.each([
    ['negative', '[-3, 10, 10]', 'chunks [-3,10,10] must be positive whole numbers'],
    ['zero', '[0, 0, 0]', 'chunks [0,0,0] must be positive whole numbers'],
    ['fractional', '[1.5, 10, 10]', 'chunks [1.5,10,10] must be positive whole numbers'],
    ['rank-mismatch', '[10, 10]', 'chunks [10,10] have 2 dimensions but the shape [6,20,20] has 3'],
  ])('refuses %s chunk sizes at open, before any read', async (name, chunks, problem) => {
    const v2Path = v2With(`chunks-${name}.zarr`, `m['chunks'] = ${chunks}`);
    await expect(openVolume(v2Path)).rejects.toThrow(`${v2Path}/.zarray: ${problem}`);
    const v3Path = v3With(`chunks-${name}-v3.zarr`, `m['chunk_grid']['configuration']['chunk_shape'] = ${chunks}`);
    await expect(openVolume(v3Path)).rejects.toThrow(`${v3Path}/zarr.json: ${problem}`);
  });

  it('refuses shapes that are not whole numbers or too large to address', async () => {
    const text = v2With('string-shape.zarr', "m['shape'] = ['6', '20', '20']");
    await expect(openVolume(text)).rejects.toThrow(
      `${text}/.zarray: shape ["6","20","20"] must be positive whole numbers`,
    );
    const huge = v3With('huge.zarr', "m['shape'] = [10**31] * 3");
    await expect(openVolume(huge)).rejects.toThrow(
      `${huge}/zarr.json: shape 1e+31×1e+31×1e+31 is too large: 1e+93 voxels of 2 bytes, more than the 9007199254740991 bytes a volume can address`,
    );
    const big = v3With('two-to-53.zarr', "m['shape'] = [2**18, 2**18, 2**17]; m['data_type'] = 'uint8'");
    await expect(openVolume(big)).rejects.toThrow(
      `${big}/zarr.json: shape 262144×262144×131072 is too large: 9007199254740992 voxels of 1 byte, more than the 9007199254740991 bytes a volume can address`,
    );
  });

  it('names the .zarray and the problem for data types it cannot read and metadata that is not JSON', async () => {
    const half = v2With('float16.zarr', "m['dtype'] = '<f2'");
    expect(await failure(half)).toMatchObject({
      kind: 'unsupported',
      message: `${half}: data type float16 (<f2) is not supported`,
    });
    const complex = v2With('complex.zarr', "m['dtype'] = '<c8'");
    expect(await failure(complex)).toMatchObject({
      kind: 'unsupported',
      message: `${complex}: data type complex64 (<c8) is not supported`,
    });
    const garbage = v2With('garbage-dtype.zarr', "m['dtype'] = 'garbage'");
    expect((await failure(garbage)).message).toBe(`${garbage}/.zarray: data type "garbage" is not a Zarr data type`);
    const notJson = zarr('not-json.zarr', `${v2}\nopen(path + '/.zarray', 'w').write('{ "shape": [6, 20')`);
    expect((await failure(notJson)).message).toMatch(new RegExp(`^${notJson}/.zarray: is not valid JSON \\(`));
  });

  it('refuses a Zarr with no chunk at all, naming where they were expected', async () => {
    const v2Empty = zarr(
      'no-chunks.zarr',
      `${v2}\nfor f in os.listdir(path):\n    f != '.zarray' and os.remove(os.path.join(path, f))`,
    );
    expect((await failure(v2Empty)).message).toBe(
      `${v2Empty}: no chunk files (such as 0.0.0): its data is missing, or was not copied with its .zarray`,
    );
    const v3Empty = v3With('no-chunks-v3.zarr', "import shutil; shutil.rmtree(path + '/c')");
    expect((await failure(v3Empty)).message).toBe(
      `${v3Empty}: no chunk files (such as c/0/0/0): its data is missing, or was not copied with its zarr.json`,
    );
  });

  it('says when the chunk files use the other key separator than the metadata', async () => {
    const nested = zarr(
      'nested-keys.zarr',
      "z = zarr.open(path, mode='w', shape=(6, 20, 20), chunks=(3, 10, 10), dtype='<u2', dimension_separator='/')\nz[:] = 5\nm = json.load(open(path + '/.zarray'))\ndel m['dimension_separator']\njson.dump(m, open(path + '/.zarray', 'w'))",
    );
    expect((await failure(nested)).message).toBe(
      `${nested}: chunk files are named like 0/0/0 but its .zarray says 0.0.0 (dimension_separator "."): the metadata does not match the data`,
    );
    const dotted = v3With('dotted-keys-v3.zarr', '', '.');
    expect((await failure(dotted)).message).toBe(
      `${dotted}: chunk files are named like c.0.0.0 but its zarr.json says c/0/0/0 (chunk_key_encoding separator "/"): the metadata does not match the data`,
    );
  });

  it('stops inflating a gzip chunk at the size of a chunk', async () => {
    const path = zarr(
      'gzip-bomb.zarr',
      `z = zarr.open(path, mode='w', shape=(6, 20, 20), chunks=(3, 10, 10), dtype='<u2', compressor=numcodecs.GZip())\nz[:] = 5\nopen(path + '/0.1.0', 'wb').write(numcodecs.GZip(9).encode(bytes(64 << 20)))`,
    );
    const error = await failure(path, [join(path, '0.1.0')]);
    expect(error.message).toMatch(
      new RegExp(`^${path} chunk 0/1/0: corrupt chunk: inflates to more than \\d+ bytes \\(a chunk holds 600\\)`),
    );
  });

  it('reports truncated and damaged Blosc chunks instead of decoding wrong voxels', async () => {
    const blosc = `z = zarr.open(path, mode='w', shape=(6, 20, 20), chunks=(3, 10, 10), dtype='<u2', compressor=numcodecs.Blosc(cname='lz4', shuffle=numcodecs.Blosc.SHUFFLE))\nz[:] = 5`;
    const truncated = zarr(
      'blosc-truncated.zarr',
      `${blosc}\nb = open(path + '/1.1.0', 'rb').read()\nopen(path + '/1.1.0', 'wb').write(b[:-5])`,
    );
    expect((await failure(truncated, [join(truncated, '1.1.0')])).message).toMatch(
      new RegExp(`^${truncated} chunk 1/1/0: corrupt chunk: Blosc data is \\d+ bytes but its header says \\d+`),
    );
    const flipped = zarr(
      'blosc-flipped.zarr',
      `${blosc}\nb = bytearray(open(path + '/0.0.1', 'rb').read())\nb[5] ^= 0xff\nopen(path + '/0.0.1', 'wb').write(b)`,
    );
    expect((await failure(flipped, [join(flipped, '0.0.1')])).message).toMatch(
      new RegExp(`^${flipped} chunk 0/0/1: corrupt chunk`),
    );
  });

  it('reports an unsupported data type and codec', async () => {
    const int64 = zarr('int64.zarr', "zarr.open(path, mode='w', shape=(4, 4, 4), dtype='<i8')[:] = 1");
    expect(await failure(int64)).toMatchObject({
      kind: 'unsupported',
      message: `${int64}: data type int64 (<i8) is not supported`,
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
