// HDF5 / NeXus files written by another tool (h5py, Debian's python3-h5py) read back
// voxel-identical, whichever block is asked for; the dataset choice rules; one-line errors.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dtype, type Region, type TypedArray, type Vec3, allocate } from '../../../shared/volume';
import { copyBox } from '../chunked';
import { command as info } from '../../cli/commands/info';
import { importToZarr } from '../import';
import { openVolume } from '../open';
import { readAll, readBin, sameBytes, tempDir } from '../testing/data';
import { python } from '../testing/python';
import { h5wasm } from './h5';
import { listHdf5Volumes } from './reader';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shape: Vec3 = [19, 35, 23];

/**
 * Writes the test files with h5py into argv[1]; each dataset's values also go to a .bin file
 * (C order, little-endian) named after the file and dataset, for the comparison.
 */
const WRITE = `
import os, sys, numpy as np, h5py
d = sys.argv[1]
shape = (19, 35, 23)
def pattern(dtype, seed=0):
    v = (np.arange(np.prod(shape), dtype=np.int64) * 7919 + seed * 104729) % 1009
    dt = np.dtype(dtype)
    if dt == np.uint8: v = v % 251
    elif dt.kind == 'i': v = v - 500
    elif dt.kind == 'f': return (v / 8 - 60).astype(dt).reshape(shape)
    else: v = v * 61
    return v.astype(dt).reshape(shape)
def ref(name, key, a):
    a.astype(a.dtype.newbyteorder('<')).tofile(os.path.join(d, name + key.replace('/', '_') + '.bin'))
def nx(group, cls):
    group.attrs['NX_class'] = cls
    return group

# NXtomo, chunked with gzip and shuffle
with h5py.File(os.path.join(d, 'nxtomo.nxs'), 'w') as f:
    e = nx(f.create_group('entry'), 'NXentry')
    nx(e.create_group('data'), 'NXdata')
    a = pattern('uint16')
    f.create_dataset('/entry/data/data', data=a, chunks=(8, 16, 16), compression='gzip', shuffle=True)
    f.create_dataset('/entry/instrument/detector/image_key', data=np.zeros(19, np.uint8))
    ref('nxtomo', '/entry/data/data', a)

# Data Exchange, contiguous
with h5py.File(os.path.join(d, 'exchange.h5'), 'w') as f:
    a = pattern('uint8', 1)
    f.create_dataset('/exchange/data', data=a)
    f.create_dataset('/exchange/data_white', data=pattern('uint8', 2)[:2])
    f.create_dataset('/exchange/theta', data=np.linspace(0, 180, 19))
    ref('exchange', '/exchange/data', a)

# nabu's reconstruction path
with h5py.File(os.path.join(d, 'nabu.hdf5'), 'w') as f:
    a = pattern('float32', 3)
    f.create_dataset('/entry0000/reconstruction/results/data', data=a, chunks=(1, 35, 23), compression='gzip')
    ref('nabu', '/entry0000/reconstruction/results/data', a)

# NeXus default chain to an NXdata signal with axes (voxel size), beside another 3D dataset
with h5py.File(os.path.join(d, 'default.nxs'), 'w') as f:
    f.attrs['default'] = 'scan'
    e = nx(f.create_group('scan'), 'NXentry')
    e.attrs['default'] = 'recon'
    g = nx(e.create_group('recon'), 'NXdata')
    g.attrs['signal'] = 'volume'
    g.attrs['axes'] = ['z', 'y', 'x']
    a = pattern('float32', 4)
    g.create_dataset('volume', data=a, chunks=(5, 7, 23), compression='gzip', shuffle=True)
    for name, n, step in (('z', 19, 2.0), ('y', 35, 0.5), ('x', 23, 0.5)):
        g.create_dataset(name, data=np.arange(n) * step + 10).attrs['units'] = 'um'
    f.create_dataset('/scan/raw/projections', data=pattern('uint16', 5))
    ref('default', '/scan/recon/volume', a)

# Several 3D datasets of every dtype, no default
with h5py.File(os.path.join(d, 'many.h5'), 'w') as f:
    for i, dt in enumerate(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']):
        a = pattern(dt, 10 + i)
        f.create_dataset('/volumes/' + dt, data=a, chunks=(4, 8, 8) if i % 2 else None, compression='gzip' if i % 2 else None)
        ref('many', '/volumes/' + dt, a)
    a = pattern('uint16', 20)
    f.create_dataset('/volumes/big_endian', data=a.astype('>u2'), chunks=(8, 8, 8))
    ref('many', '/volumes/big_endian', a)
    f.create_dataset('/slice', data=pattern('uint16')[0])
    f.create_dataset('/volumes/int64', data=pattern('int32').astype(np.int64))
    a = pattern('uint16', 21)
    f.create_dataset('/volumes/lzf', data=a, chunks=(8, 8, 8), compression='lzf', shuffle=True)
    ref('many', '/volumes/lzf', a)

# LZF (h5py's own filter, written as optional) with its id changed to one no library has: an
# unsupported filter that HDF5 itself would skip, handing back compressed bytes
with h5py.File(os.path.join(d, 'unknown-filter.h5'), 'w') as f:
    f.create_dataset('/exchange/data', data=pattern('uint16'), chunks=(8, 8, 8), compression='lzf')
b = bytearray(open(os.path.join(d, 'unknown-filter.h5'), 'rb').read())
i = b.index(b'lzf\\x00')
assert b[i - 8:i - 6] == (32000).to_bytes(2, 'little'), 'filter pipeline message v1 expected'
b[i - 8:i - 6] = (32099).to_bytes(2, 'little')
open(os.path.join(d, 'unknown-filter.h5'), 'wb').write(b)

# An external link and a virtual dataset into nxtomo.nxs, by a relative name
with h5py.File(os.path.join(d, 'links.h5'), 'w') as f:
    f['/entry/data/data'] = h5py.ExternalLink('nxtomo.nxs', '/entry/data/data')
with h5py.File(os.path.join(d, 'virtual.h5'), 'w') as f:
    layout = h5py.VirtualLayout(shape=shape, dtype=np.uint16)
    src = h5py.VirtualSource('nxtomo.nxs', '/entry/data/data', shape=shape)
    layout[:10] = src[:10]
    layout[10:] = src[10:]
    f.create_virtual_dataset('/exchange/data', layout)
with h5py.File(os.path.join(d, 'virtual-missing.h5'), 'w') as f:
    layout = h5py.VirtualLayout(shape=shape, dtype=np.uint16)
    layout[:] = h5py.VirtualSource('gone.h5', '/entry/data/data', shape=shape)
    f.create_virtual_dataset('/exchange/data', layout, fillvalue=0)

with h5py.File(os.path.join(d, 'flat.h5'), 'w') as f:
    f.create_dataset('/image', data=pattern('uint16')[0])
`;

const expected = (name: string, dataset: string, dtype: Dtype): TypedArray =>
  readBin(join(dir, `${name}${dataset.replaceAll('/', '_')}.bin`), dtype);

function regionOf(data: TypedArray, region: Region): TypedArray {
  const out = allocate(
    data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : dtypeName(data),
    region.shape[0] * region.shape[1] * region.shape[2],
  );
  copyBox(data, [0, 0, 0], shape, out, region.start, region.shape);
  return out;
}

function dtypeName(data: TypedArray): Dtype {
  const names: [Dtype, unknown][] = [
    ['uint8', Uint8Array],
    ['int8', Int8Array],
    ['uint16', Uint16Array],
    ['int16', Int16Array],
    ['uint32', Uint32Array],
    ['int32', Int32Array],
  ];
  return names.find(([, c]) => data instanceof (c as typeof Uint8Array))![0];
}

/** Whole volume, a z slice, a y slice across chunks, an x slice and an odd block. */
const REGIONS: Region[] = [
  { start: [7, 0, 0], shape: [1, 35, 23] },
  { start: [0, 17, 0], shape: [19, 1, 23] },
  { start: [0, 0, 22], shape: [19, 35, 1] },
  { start: [3, 9, 5], shape: [11, 20, 17] },
];

beforeAll(() => {
  python(WRITE, dir);
  // A truncated copy: what an interrupted transfer leaves.
  const whole = readFileSync(join(dir, 'nxtomo.nxs'));
  writeFileSync(join(dir, 'truncated.nxs'), whole.subarray(0, Math.floor(whole.length / 3)));
  writeFileSync(join(dir, 'text.h5'), 'not an HDF5 file\n');
});

async function expectVolume(
  file: string,
  dataset: string | undefined,
  reference: [string, string],
  dtype: Dtype,
): Promise<void> {
  const volume = await openVolume(join(dir, file), { dataset });
  try {
    expect(volume.shape).toEqual(shape);
    expect(volume.dtype).toBe(dtype);
    expect(volume.format).toContain(reference[1]);
    const want = expected(reference[0], reference[1], dtype);
    expect(sameBytes(await readAll(volume), want)).toBe(true);
    for (const region of REGIONS) expect(sameBytes(await volume.read(region), regionOf(want, region))).toBe(true);
  } finally {
    await volume.close();
  }
}

describe('HDF5 files written by h5py', () => {
  it('reads an NXtomo file (chunked, gzip + shuffle) at /entry/data/data', () =>
    expectVolume('nxtomo.nxs', undefined, ['nxtomo', '/entry/data/data'], 'uint16'));

  it('reads a Data Exchange file (contiguous) at /exchange/data', () =>
    expectVolume('exchange.h5', undefined, ['exchange', '/exchange/data'], 'uint8'));

  it("reads nabu's reconstruction", () =>
    expectVolume('nabu.hdf5', undefined, ['nabu', '/entry0000/reconstruction/results/data'], 'float32'));

  it('follows the NeXus default chain and takes the voxel size from the NXdata axes', async () => {
    await expectVolume('default.nxs', undefined, ['default', '/scan/recon/volume'], 'float32');
    const volume = await openVolume(join(dir, 'default.nxs'));
    expect(volume.voxelSize).toEqual([2, 0.5, 0.5]);
    expect(volume.unit).toBe('um');
    await volume.close();
    // Without NeXus attributes: 1 and no unit.
    const plain = await openVolume(join(dir, 'nxtomo.nxs'));
    expect([plain.voxelSize, plain.unit]).toEqual([[1, 1, 1], '']);
    await plain.close();
  });

  it('reads every dtype (chunked and contiguous) and big-endian data, by --dataset', async () => {
    for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] as Dtype[])
      await expectVolume('many.h5', `/volumes/${dtype}`, ['many', `/volumes/${dtype}`], dtype);
    await expectVolume('many.h5', '/volumes/big_endian', ['many', '/volumes/big_endian'], 'uint16');
  });

  it('reads LZF (+ shuffle) through h5wasm-plugins', () =>
    expectVolume('many.h5', '/volumes/lzf', ['many', '/volumes/lzf'], 'uint16'));

  it('resolves an external link relative to the file', () =>
    expectVolume('links.h5', undefined, ['nxtomo', '/entry/data/data'], 'uint16'));

  it('reads a virtual dataset whose sources are relative to the file', async () => {
    const volume = await openVolume(join(dir, 'virtual.h5'));
    expect(volume.format).toBe('HDF5 /exchange/data (virtual)');
    expect(sameBytes(await readAll(volume), expected('nxtomo', '/entry/data/data', 'uint16'))).toBe(true);
    expect(
      sameBytes(
        await volume.read(REGIONS[3]!),
        regionOf(expected('nxtomo', '/entry/data/data', 'uint16'), REGIONS[3]!),
      ),
    ).toBe(true);
    await volume.close();
  });

  it('lists the 3D datasets and the one that opens', async () => {
    const many = await listHdf5Volumes(join(dir, 'many.h5'));
    expect(many.volumes.map((v) => v.path)).toContain('/volumes/float64');
    expect(many.volumes.find((v) => v.path === '/volumes/uint16')).toEqual({
      path: '/volumes/uint16',
      shape,
      dtype: 'uint16',
      chunks: null,
    });
    expect(many.volumes.find((v) => v.path === '/volumes/int16')?.chunks).toEqual([4, 8, 8]);
    expect(many.volumes.map((v) => v.path)).not.toContain('/slice');
    expect(many.chosen).toBeUndefined();
    expect(many.why).toMatch(/--dataset/);
    const nexus = await listHdf5Volumes(join(dir, 'default.nxs'));
    expect(nexus.chosen).toBe('/scan/recon/volume');
    expect(nexus.volumes.map((v) => v.path).sort()).toEqual(['/scan/raw/projections', '/scan/recon/volume']);
  });
});

/**
 * Filters Debian's h5py cannot write (bitshuffle; Zstd, LZ4 and Blosc without extra plugin
 * packages): written through the project's other route, h5wasm with its WebAssembly plugins, from
 * the same pattern, and read back through the reader (a fresh file, opened as any other).
 */
describe('HDF5 plugin filters written by h5wasm', () => {
  const filters: [string, number, number[]][] = [
    ['bitshuffle-lz4', 32008, [0, 2]],
    ['lz4', 32004, [0]],
    ['blosc-zstd', 32001, [0, 0, 0, 0, 5, 1, 5]],
    ['zstd', 32015, [3]],
  ];
  it.each(filters)('reads %s (HDF5 filter id %i)', async (name, id, options) => {
    const want = expected('nxtomo', '/entry/data/data', 'uint16');
    const file = join(dir, `${name}.h5`);
    const h5 = await h5wasm();
    const writer = new h5.File(file, 'w');
    writer.create_dataset({
      name: 'data',
      data: want,
      shape: shape,
      dtype: '<H',
      chunks: [8, 16, 16],
      compression: id,
      compression_opts: options,
    });
    writer.close();
    const volume = await openVolume(file);
    try {
      expect(sameBytes(await readAll(volume), want)).toBe(true);
      expect(sameBytes(await volume.read(REGIONS[3]!), regionOf(want, REGIONS[3]!))).toBe(true);
    } finally {
      await volume.close();
    }
    // The filter is really in the file (h5py lists it, without being able to decode it).
    expect(python(`import h5py, sys; print(list(h5py.File(sys.argv[1])['data']._filters))`, file)).toContain(
      String(id),
    );
  });
});

describe('HDF5 in the CLI', () => {
  async function runInfo(file: string, dataset?: string): Promise<string[]> {
    const lines: string[] = [];
    const context = { out: (l: string) => lines.push(l), progress: {} as never, signal: new AbortController().signal };
    await info.run({ dataset }, [join(dir, file)], context);
    return lines;
  }

  it('info lists the 3D datasets, marks the one described, and says how to pick one', async () => {
    const many = await runInfo('many.h5');
    expect(many).toContain('      /volumes/float64 (19×35×23 float64)');
    expect(many.at(-1)).toBe('  no NeXus default among them: describe one with --dataset PATH');
    const chosen = await runInfo('many.h5', 'volumes/int16');
    expect(chosen).toContain('    * /volumes/int16 (19×35×23 int16)');
    expect(chosen).toContain('  format      HDF5 /volumes/int16');
    const nexus = await runInfo('default.nxs');
    expect(nexus).toContain('    * /scan/recon/volume (19×35×23 float32)');
    expect(nexus).toContain('  voxel size  2 × 0.5 × 0.5 um');
  });

  it('import converts the chosen dataset to OME-Zarr, voxel-identical', async () => {
    const out = join(dir, 'int16.zarr');
    await importToZarr(join(dir, 'many.h5'), out, { dataset: '/volumes/int16' });
    const volume = await openVolume(out);
    expect(sameBytes(await readAll(volume), expected('many', '/volumes/int16', 'int16'))).toBe(true);
    await volume.close();
  });
});

describe('HDF5 errors: one line naming file and dataset', () => {
  const open = (file: string, dataset?: string) => openVolume(join(dir, file), { dataset });

  it('refuses a file with several 3D datasets and no default, listing them', async () => {
    const error = await open('many.h5').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(join(dir, 'many.h5'));
    expect(message).toMatch(/3D datasets and no NeXus default: pick one with --dataset PATH/);
    expect(message).toContain('/volumes/uint16 (19×35×23 uint16)');
    expect(message).not.toContain('\n');
  });

  it('names a truncated file and says it is truncated', async () => {
    const message = ((await open('truncated.nxs').catch((e: Error) => e)) as Error).message;
    expect(message).toMatch(
      new RegExp(`^${escape(join(dir, 'truncated.nxs'))}: cannot be opened as HDF5 \\(truncated file`),
    );
    expect(message).not.toContain('\n');
  });

  it('refuses a virtual dataset whose source file is missing (HDF5 would read zeros)', async () => {
    const message = ((await open('virtual-missing.h5').catch((e: Error) => e)) as Error).message;
    expect(message).toBe(
      `${join(dir, 'virtual-missing.h5')}: dataset /exchange/data is virtual and its source file gone.h5 is missing (looked for ${join(dir, 'gone.h5')})`,
    );
  });

  it('names a file that is not HDF5', async () => {
    const message = ((await open('text.h5').catch((e: Error) => e)) as Error).message;
    expect(message).toMatch(new RegExp(`^${escape(join(dir, 'text.h5'))}: cannot be opened as HDF5`));
  });

  it('names a missing dataset path and lists the 3D datasets', async () => {
    const message = ((await open('nxtomo.nxs', '/entry/nope').catch((e: Error) => e)) as Error).message;
    expect(message).toContain(`${join(dir, 'nxtomo.nxs')}: has no dataset /entry/nope`);
    expect(message).toContain('its 3D datasets: /entry/data/data (19×35×23 uint16)');
  });

  it('refuses a 2D dataset and a group', async () => {
    expect(((await open('many.h5', '/slice').catch((e: Error) => e)) as Error).message).toContain(
      'many.h5: dataset /slice is 2D (35×23), not a 3D volume; its 3D datasets: /volumes/big_endian (19×35×23 uint16), ',
    );
    expect(((await open('many.h5', '/volumes').catch((e: Error) => e)) as Error).message).toContain(
      '/volumes is a group, not a dataset',
    );
    expect(((await open('flat.h5').catch((e: Error) => e)) as Error).message).toMatch(
      /flat\.h5: has no 3D dataset to open; its datasets: \/image \(35×23 uint16\)/,
    );
  });

  it('refuses an unsupported dtype and filter, naming the dataset', async () => {
    expect(((await open('many.h5', '/volumes/int64').catch((e: Error) => e)) as Error).message).toBe(
      `${join(dir, 'many.h5')}: dataset /volumes/int64: data type int64 is not supported`,
    );
    const message = ((await open('unknown-filter.h5').catch((e: Error) => e)) as Error).message;
    expect(message).toMatch(
      /^\S*unknown-filter\.h5: dataset \/exchange\/data: the lzf filter \(HDF5 filter id 32099\) is not supported$/,
    );
    expect(message).not.toContain('\n');
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
