import { readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dtype, type Region, type TypedArray, type Vec3, allocate, dtypeOf } from '../../../shared/volume';
import { copyBox } from '../chunked';
import { createVolume } from '../create';
import { openVolume } from '../open';
import type { VolumeSpec } from '../spec';
import { fingerprint, pattern, readAll, readBin, sameBytes, sliceOf, tempDir } from '../testing/data';
import { READ_OME_ZARR_V3, python } from '../testing/python';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shape: Vec3 = [19, 35, 23];
const chunkShape: Vec3 = [8, 16, 16];

interface V3Info {
  version: string;
  axes: { name: string; type?: string; unit?: string }[];
  levels: number[][];
  scales: number[][];
  imageLabel?: { colors: { 'label-value': number; rgba: number[] }[]; source?: unknown };
  omero?: { channels: { label: string }[] };
  dtype: string;
}

async function writeZarr(
  name: string,
  spec: VolumeSpec,
  fill: (write: (c: number) => Promise<void>) => Promise<void> = async (w) => w(0),
): Promise<string> {
  const path = join(dir, name);
  const writer = await createVolume(path, spec);
  await fill(async (c) => {
    const data = pattern(spec.dtype, spec.shape, c);
    // Uneven slabs: chunks fill across several writes.
    await writer.write(
      { start: [0, 0, 0], shape: [5, spec.shape[1], spec.shape[2]] },
      data.subarray(0, 5 * spec.shape[1] * spec.shape[2]),
      c,
    );
    await writer.write(
      { start: [5, 0, 0], shape: [spec.shape[0] - 5, spec.shape[1], spec.shape[2]] },
      data.subarray(5 * spec.shape[1] * spec.shape[2]),
      c,
    );
  });
  await writer.commit();
  return path;
}

describe('OME-Zarr written here', () => {
  const cases: [Dtype, VolumeSpec['compression']][] = [
    ['uint8', 'gzip'],
    ['int8', 'none'],
    ['uint16', 'blosc'],
    ['int16', 'zstd'],
    ['uint32', 'gzip'],
    ['int32', 'blosc'],
    ['float32', 'zstd'],
    ['float64', 'gzip'],
  ];
  it.each(cases)('round-trips %s with %s chunks, pyramid included', async (dtype, compression) => {
    const path = await writeZarr(`ours-${dtype}.zarr`, {
      shape,
      dtype,
      voxelSize: [2, 0.5, 0.5],
      unit: 'micrometer',
      chunkShape,
      compression,
    });
    const expected = pattern(dtype, shape);
    const volume = await openVolume(path);
    expect(volume).toMatchObject({
      shape,
      dtype,
      format: 'OME-Zarr 0.5',
      chunkShape,
      unit: 'micrometer',
      voxelSize: [2, 0.5, 0.5],
    });
    expect(Array.from(await readAll(volume))).toEqual(Array.from(expected));
    for (const axis of [0, 1, 2] as const) {
      const start: Vec3 = [0, 0, 0];
      const size: Vec3 = [...shape];
      start[axis] = 9;
      size[axis] = 1;
      expect(Array.from(await volume.read({ start, shape: size }))).toEqual(sliceOf(expected, shape, axis, 9));
    }
    expect(volume.levels?.map((l) => l.voxelSize)).toEqual([
      [2, 0.5, 0.5],
      [4, 1, 1],
      [8, 2, 2],
    ]);
    await volume.close();

    const half = await openVolume(path, { level: 1 });
    expect(half.shape).toEqual([10, 18, 12]);
    const block = (z: number, y: number, x: number): number => expected[(z * shape[1] + y) * shape[2] + x]!;
    const mean =
      [0, 1]
        .flatMap((dz) => [0, 1].flatMap((dy) => [0, 1].map((dx) => block(2 + dz, 4 + dy, 6 + dx))))
        .reduce((a, b) => a + b) / 8;
    const [value] = await half.read({ start: [1, 2, 3], shape: [1, 1, 1] });
    expect(value).toBeCloseTo(dtype.startsWith('float') ? mean : Math.round(mean), 4);
    await half.close();

    const info = JSON.parse(python(READ_OME_ZARR_V3, path, '0', `${path}.bin`)) as V3Info;
    expect(info.version).toBe('0.5');
    expect(info.axes).toEqual(['z', 'y', 'x'].map((name) => ({ name, type: 'space', unit: 'micrometer' })));
    expect(info.levels).toEqual([shape, [10, 18, 12], [5, 9, 6]]);
    expect(info.scales).toEqual([
      [2, 0.5, 0.5],
      [4, 1, 1],
      [8, 2, 2],
    ]);
    expect(Array.from(readBin(`${path}.bin`, dtype))).toEqual(Array.from(expected));
    python(READ_OME_ZARR_V3, path, '1', `${path}.1.bin`);
    expect(Array.from(readBin(`${path}.1.bin`, dtype))).toEqual(
      Array.from(await readAll(await openVolume(path, { level: 1 }))),
    );
  });

  it('writes one channel per class with channel names', async () => {
    const path = await writeZarr(
      'probabilities.zarr',
      { shape, dtype: 'float32', chunkShape, channels: 3, channelNames: ['pore', 'bone', 'air'] },
      async (write) => {
        for (let c = 0; c < 3; c++) await write(c);
      },
    );
    const bone = await openVolume(path, { channel: 1 });
    expect(bone.channels).toBe(3);
    expect(Array.from(await readAll(bone))).toEqual(Array.from(pattern('float32', shape, 1)));
    await bone.close();
    const info = JSON.parse(python(READ_OME_ZARR_V3, path, '0', `${path}.bin`)) as V3Info;
    expect(info.axes.map((a) => a.name)).toEqual(['c', 'z', 'y', 'x']);
    expect(info.levels[0]).toEqual([3, ...shape]);
    expect(info.scales[1]).toEqual([1, 2, 2, 2]);
    expect(info.omero?.channels.map((c) => c.label)).toEqual(['pore', 'bone', 'air']);
    const all = readBin(`${path}.bin`, 'float32');
    const n = shape[0] * shape[1] * shape[2];
    expect(Array.from(all.subarray(2 * n, 3 * n))).toEqual(Array.from(pattern('float32', shape, 2)));
  });

  it('writes a label image inside an image, listed in labels/ with colours, downsampled by picking', async () => {
    const image = await writeZarr('image.zarr', { shape, dtype: 'uint16', chunkShape });
    const labels = new Uint8Array(shape[0] * shape[1] * shape[2]).map((_, i) =>
      i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0,
    );
    const path = join(image, 'labels', 'segmentation');
    const writer = await createVolume(path, {
      shape,
      dtype: 'uint8',
      chunkShape,
      kind: 'labels',
      labelColors: [
        { value: 1, rgba: [255, 0, 0, 255] },
        { value: 2, rgba: [0, 0, 255, 128] },
      ],
    });
    await writer.write({ start: [0, 0, 0], shape }, labels);
    await writer.commit();
    const group = JSON.parse(readFileSync(join(image, 'labels', 'zarr.json'), 'utf8')) as {
      attributes: { ome: { labels: string[] } };
    };
    expect(group.attributes.ome.labels).toEqual(['segmentation']);
    const half = await openVolume(path, { level: 1 });
    const values = await readAll(half);
    expect(values[0]).toBe(labels[0]);
    expect(new Set(values)).toEqual(new Set([0, 1, 2]));
    await half.close();
    const info = JSON.parse(python(READ_OME_ZARR_V3, path, '0', `${path}.bin`)) as V3Info;
    expect(info.imageLabel?.colors).toEqual([
      { 'label-value': 1, rgba: [255, 0, 0, 255] },
      { 'label-value': 2, rgba: [0, 0, 255, 128] },
    ]);
    expect(info.imageLabel?.source).toEqual({ image: '../../' });
    expect(Array.from(readBin(`${path}.bin`, 'uint8'))).toEqual(Array.from(labels));
  });

  it('stores the first chunk of a volume of zeros, so that it opens (a Zarr with no chunk at all is refused)', async () => {
    const path = join(dir, 'zeros.zarr');
    const writer = await createVolume(path, { shape, dtype: 'uint16', chunkShape });
    await writer.write({ start: [0, 0, 0], shape }, new Uint16Array(shape[0] * shape[1] * shape[2]));
    await writer.commit();
    const volume = await openVolume(path);
    expect((await readAll(volume)).every((v) => v === 0)).toBe(true);
    await volume.close();
  });

  it('leaves chunks of zeros out and reads them back as the fill value', async () => {
    const path = join(dir, 'sparse.zarr');
    const writer = await createVolume(path, { shape, dtype: 'uint16', chunkShape });
    await writer.write({ start: [0, 0, 0], shape: [1, 1, 1] }, new Uint16Array([9]));
    await writer.commit();
    const chunkFiles = readdirSync(join(path, '0'), { recursive: true }).filter(
      (f) => String(f).split('/').length === 4,
    );
    expect(chunkFiles).toEqual(['c/0/0/0']);
    const volume = await openVolume(path);
    const all = await readAll(volume);
    expect(all[0]).toBe(9);
    expect(Array.from(all).reduce((a, b) => a + b, 0)).toBe(9);
    await volume.close();
  });
});

/** The pyramid level below `data` by its definition: the mean of each 2×2×2 cell (cut at the edges), or its first voxel. */
function halve(data: TypedArray, shape: Vec3, pick: boolean): [TypedArray, Vec3] {
  const half = shape.map((n) => Math.ceil(n / 2)) as Vec3;
  const out = allocate(dtypeOf(data), half[0] * half[1] * half[2]);
  const at = (z: number, y: number, x: number): number => data[(z * shape[1] + y) * shape[2] + x]!;
  let o = 0;
  for (let z = 0; z < half[0]; z++)
    for (let y = 0; y < half[1]; y++)
      for (let x = 0; x < half[2]; x++) {
        const cell: number[] = [];
        for (let dz = 0; dz < 2 && 2 * z + dz < shape[0]; dz++)
          for (let dy = 0; dy < 2 && 2 * y + dy < shape[1]; dy++)
            for (let dx = 0; dx < 2 && 2 * x + dx < shape[2]; dx++) cell.push(at(2 * z + dz, 2 * y + dy, 2 * x + dx));
        const mean = cell.reduce((a, b) => a + b, 0) / cell.length;
        out[o++] = pick ? cell[0]! : data instanceof Float32Array ? mean : Math.round(mean);
      }
  return [out, half];
}

describe('the pyramid, built while level 0 is written', () => {
  const bigShape: Vec3 = [37, 70, 45];
  const levelsOf = async (path: string): Promise<TypedArray[]> => {
    const levels: TypedArray[] = [];
    for (let level = 0; ; level++) {
      const volume = await openVolume(path, { level }).catch(() => undefined);
      if (!volume) return levels;
      levels.push(await readAll(volume));
      await volume.close();
    }
  };

  it.each([
    ['uint16', 'image'],
    ['float32', 'image'],
    ['uint8', 'labels'],
  ] as const)(
    'holds at every level of %s %s what halving the final data gives, whatever order regions come in',
    async (dtype, kind) => {
      const path = join(dir, `streamed-${dtype}-${kind}.zarr`);
      const writer = await createVolume(path, { shape: bigShape, dtype, chunkShape, kind });
      // Blocks that cut chunks, written back to front so no chunk completes in order.
      const data = pattern(dtype, bigShape, 3);
      const blocks: Region[] = [];
      for (let z = 0; z < bigShape[0]; z += 13)
        for (let y = 0; y < bigShape[1]; y += 21)
          blocks.push({
            start: [z, y, 0],
            shape: [Math.min(13, bigShape[0] - z), Math.min(21, bigShape[1] - y), bigShape[2]],
          });
      for (const region of blocks.reverse()) {
        const block = allocate(dtype, region.shape[0] * region.shape[1] * region.shape[2]);
        copyBox(data, [0, 0, 0], bigShape, block, region.start, region.shape);
        await writer.write(region, block);
      }
      // Rewrite a box across stored chunks, some of them whole: the others are read back, and the
      // levels above follow.
      const box: Region = { start: [5, 9, 11], shape: [20, 30, 30] };
      const patch = pattern(dtype, box.shape, 9);
      copyBox(patch, box.start, box.shape, data, [0, 0, 0], bigShape);
      await writer.write(box, patch);
      await writer.commit();

      const levels = await levelsOf(path);
      expect(levels).toHaveLength(4);
      let [expected, shape] = [data, bigShape];
      for (const [level, actual] of levels.entries()) {
        if (level > 0) [expected, shape] = halve(expected, shape, kind === 'labels');
        expect(sameBytes(actual, expected), `level ${level} (${shape.join('×')})`).toBe(true);
      }
    },
  );

  it('refuses odd chunk sizes that would split the cells of the next level between chunks', async () => {
    const path = join(dir, 'odd.zarr');
    await expect(
      createVolume(path, { shape: bigShape, dtype: 'uint8', chunkShape: [8, 15, 16] }),
    ).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringContaining('chunk size 8×15×16 must be even'),
    });
    expect(readdirSync(dir).filter((n) => n.includes('odd.zarr'))).toEqual([]);
    // One chunk along an axis is fine: it holds all of that axis.
    const whole = await createVolume(path, { shape: [5, 7, 9], dtype: 'uint8', chunkShape: [5, 7, 9] });
    await whole.abort();
  });
});

describe('Zarr written by other tools', () => {
  const prelude = `import sys, json, os, numpy as np, numcodecs, zarr
shape = (11, 40, 25)
a = (np.arange(np.prod(shape)).reshape(shape) * 7919 % 1009).astype('<u2')
path = sys.argv[1]
`;
  const fixture = (name: string, code: string): string => {
    const path = join(dir, name);
    python(`${prelude}${code}\na.tofile(path + '.bin')`, path);
    return path;
  };
  const check = async (path: string, options = {}): Promise<void> => {
    const volume = await openVolume(path, options);
    expect(volume.shape).toEqual([11, 40, 25]);
    const expected = readBin(`${path}.bin`, 'uint16');
    expect(Array.from(await readAll(volume))).toEqual(Array.from(expected));
    expect(Array.from(await volume.read({ start: [0, 17, 0], shape: [11, 1, 25] }))).toEqual(
      sliceOf(expected, [11, 40, 25], 1, 17),
    );
    await volume.close();
  };

  it.each([
    ['blosc-zstd', "numcodecs.Blosc(cname='zstd', clevel=5, shuffle=numcodecs.Blosc.BITSHUFFLE)"],
    ['blosc-lz4', "numcodecs.Blosc(cname='lz4', clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)"],
    ['zlib', 'numcodecs.Zlib(level=5)'],
    ['gzip', 'numcodecs.GZip(level=5)'],
    ['zstd', 'numcodecs.Zstd(level=3)'],
    ['none', 'None'],
  ])('reads a Zarr v2 array compressed with %s', async (name, compressor) => {
    const path = fixture(
      `v2-${name}.zarr`,
      `z = zarr.open(path, mode='w', shape=shape, chunks=(4, 16, 8), dtype='<u2', compressor=${compressor})\nz[:] = a`,
    );
    const before = fingerprint(join(path, '.zarray'));
    await check(path);
    expect(fingerprint(join(path, '.zarray'))).toBe(before);
  });

  it('reads an OME-Zarr 0.4 multiscale image with channels, any level', async () => {
    const path = fixture(
      'ome-04.zarr',
      `g = zarr.open_group(path, mode='w')
full = np.stack([a, a + 1])
g.create_dataset('0', data=full, chunks=(1, 4, 16, 16))
g.create_dataset('1', data=full[:, ::2, ::2, ::2], chunks=(1, 4, 16, 16))
axes = [{'name': 'c', 'type': 'channel'}] + [{'name': n, 'type': 'space', 'unit': 'micrometer'} for n in 'zyx']
g.attrs['multiscales'] = [{'version': '0.4', 'axes': axes, 'datasets': [
  {'path': '0', 'coordinateTransformations': [{'type': 'scale', 'scale': [1, 3.0, 0.5, 0.5]}]},
  {'path': '1', 'coordinateTransformations': [{'type': 'scale', 'scale': [1, 6.0, 1.0, 1.0]}]}]}]
a = a + 1`,
    );
    const volume = await openVolume(path, { channel: 1 });
    expect(volume).toMatchObject({ format: 'OME-Zarr 0.4', voxelSize: [3, 0.5, 0.5], unit: 'micrometer', channels: 2 });
    await volume.close();
    await check(path, { channel: 1 });
    const level1 = await openVolume(path, { level: 1 });
    expect(level1.shape).toEqual([6, 20, 13]);
    expect(level1.voxelSize).toEqual([6, 1, 1]);
    await level1.close();
  });

  it.each([
    [
      'blosc',
      "numcodecs.Blosc(cname='zstd', clevel=3, shuffle=1)",
      { name: 'blosc', configuration: { cname: 'zstd', clevel: 3, shuffle: 'shuffle', typesize: 2, blocksize: 0 } },
    ],
    ['zstd', 'numcodecs.Zstd(level=3)', { name: 'zstd', configuration: { level: 3, checksum: false } }],
    ['gzip', 'numcodecs.GZip(level=5)', { name: 'gzip', configuration: { level: 5 } }],
  ])('reads an OME-Zarr 0.5 (Zarr v3) image with %s chunks written by numcodecs', async (name, codec, metadata) => {
    // Debian's zarr-python is 2.x; this writes the v3 layout by hand with numcodecs.
    const path = fixture(
      `v3-${name}.zarr`,
      `codec = ${codec}
chunks = (4, 16, 8)
os.makedirs(path + '/0')
json.dump({'zarr_format': 3, 'node_type': 'group', 'attributes': {'ome': {'version': '0.5', 'multiscales': [{'axes': [{'name': n, 'type': 'space', 'unit': 'nanometer'} for n in 'zyx'],
  'datasets': [{'path': '0', 'coordinateTransformations': [{'type': 'scale', 'scale': [1, 1, 1]}]}]}]}}}, open(path + '/zarr.json', 'w'))
json.dump({'zarr_format': 3, 'node_type': 'array', 'shape': list(shape), 'data_type': 'uint16',
  'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': list(chunks)}},
  'chunk_key_encoding': {'name': 'default', 'configuration': {'separator': '/'}}, 'fill_value': 7,
  'codecs': [{'name': 'bytes', 'configuration': {'endian': 'little'}}, json.loads(sys.argv[2])]}, open(path + '/0/zarr.json', 'w'))
for idx in np.ndindex(*[-(-s // c) for s, c in zip(shape, chunks)]):
    block = np.full(chunks, 7, '<u2')
    sl = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunks, shape))
    block[tuple(slice(0, x.stop - x.start) for x in sl)] = a[sl]
    if idx == (1, 1, 1):
        a[sl] = 7  # this chunk stays missing: readers must return the fill value
        continue
    os.makedirs(os.path.dirname(f'{path}/0/c/{idx[0]}/{idx[1]}/{idx[2]}'), exist_ok=True)
    open(f'{path}/0/c/{idx[0]}/{idx[1]}/{idx[2]}', 'wb').write(codec.encode(block.tobytes()))`.replace(
        'sys.argv[2]',
        `'${JSON.stringify(metadata)}'`,
      ),
    );
    const volume = await openVolume(path);
    expect(volume).toMatchObject({ format: 'OME-Zarr 0.5', unit: 'nanometer', chunkShape: [4, 16, 8] });
    await volume.close();
    await check(path);
  });

  it('reads a missing Zarr v2 chunk as the fill value', async () => {
    const path = fixture(
      'v2-missing.zarr',
      `z = zarr.open(path, mode='w', shape=shape, chunks=(4, 16, 8), dtype='<u2', fill_value=42)
z[:] = a
os.remove(path + '/0.1.2')
a[0:4, 16:32, 16:24] = 42`,
    );
    await check(path);
    unlinkSync(`${path}.bin`);
  });
});
