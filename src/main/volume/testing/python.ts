// The independent reader/writer for the tests: Debian's python3 (or TOMOSEG_PYTHON) with numpy,
// tifffile, zarr 2 and numcodecs (and PIL for LZW TIFFs, h5py for HDF5). `npm test` installs them first
// (scripts/setup-tests.mjs); where they are missing anyway, every check that needs them fails,
// saying how to install them: a missing independent checker is never a skipped check.
import { execFileSync } from 'node:child_process';

const PYTHON = process.env.TOMOSEG_PYTHON || '/usr/bin/python3';

/** The modules the tests import (scripts/setup-tests.mjs installs each; its test checks that). */
export const TEST_PYTHON_MODULES = ['numpy', 'tifffile', 'zarr', 'numcodecs', 'PIL', 'h5py'];

let missing: string | null | undefined;

/** Why the independent checks cannot run here (with how to fix it), or null when they can. */
export function pythonMissing(): string | null {
  if (missing === undefined) {
    try {
      execFileSync(PYTHON, ['-c', `import ${TEST_PYTHON_MODULES.join(', ')}`], { stdio: 'pipe' });
      missing = null;
    } catch {
      missing =
        `${PYTHON} with ${TEST_PYTHON_MODULES.join(', ')} is missing, so the independent checks cannot run: ` +
        '`node scripts/setup-tests.mjs` installs them (Debian/Ubuntu) or prints the command for this platform';
    }
  }
  return missing;
}

/** Runs a python script with arguments; returns what it printed. Throws where python or its modules are missing. */
export function python(script: string, ...args: string[]): string {
  const why = pythonMissing();
  if (why) throw new Error(why);
  return execFileSync(PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  });
}

/**
 * A Zarr v3 reader in plain numpy + numcodecs (Debian's zarr is 2.x, which cannot read v3):
 * reads level `argv[2]` of the OME-Zarr group at argv[1] (or the array itself), writes its bytes
 * (C order, little-endian) to argv[3] and prints the metadata it checked as JSON.
 */
export const READ_OME_ZARR_V3 = `
import json, os, sys, numpy as np, numcodecs
root, level, out = sys.argv[1], sys.argv[2], sys.argv[3]
group = json.load(open(os.path.join(root, 'zarr.json')))
assert group['zarr_format'] == 3 and group['node_type'] == 'group', 'not a v3 group'
ome = group['attributes']['ome']
ms = ome['multiscales'][0]
path = os.path.join(root, ms['datasets'][int(level)]['path'])
meta = json.load(open(os.path.join(path, 'zarr.json')))
assert meta['zarr_format'] == 3 and meta['node_type'] == 'array'
shape = meta['shape']; chunks = meta['chunk_grid']['configuration']['chunk_shape']
sep = meta['chunk_key_encoding']['configuration']['separator']
dt = np.dtype(meta['data_type']).newbyteorder('<')
out_arr = np.full(shape, meta['fill_value'], dt)
codecs = meta['codecs']
assert codecs[0]['name'] == 'bytes' and codecs[0]['configuration']['endian'] == 'little'
decoders = {'gzip': numcodecs.GZip(), 'zstd': numcodecs.Zstd(), 'blosc': numcodecs.Blosc()}
grid = [-(-s // c) for s, c in zip(shape, chunks)]
for idx in np.ndindex(*grid):
    f = os.path.join(path, 'c' + sep + sep.join(map(str, idx)))
    if not os.path.exists(f): continue
    b = open(f, 'rb').read()
    for c in reversed(codecs[1:]): b = decoders[c['name']].decode(b)
    a = np.frombuffer(bytes(b), dt).reshape(chunks)
    sl = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunks, shape))
    out_arr[sl] = a[tuple(slice(0, x.stop - x.start) for x in sl)]
out_arr.astype(dt).tofile(out)
levels = [json.load(open(os.path.join(root, d['path'], 'zarr.json')))['shape'] for d in ms['datasets']]
print(json.dumps({'version': ome['version'], 'axes': ms['axes'], 'levels': levels,
  'scales': [d['coordinateTransformations'][0]['scale'] for d in ms['datasets']],
  'imageLabel': ome.get('image-label'), 'omero': ome.get('omero'), 'shape': shape, 'dtype': meta['data_type'],
  'dimensionNames': meta.get('dimension_names')}))
`;

/** Reads a TIFF with tifffile: bytes to argv[2], shape, dtype and ImageJ metadata as JSON. */
export const READ_TIFF = `
import json, sys, numpy as np, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    a = t.asarray()
    p = t.pages[0]
    xres = p.tags['XResolution'].value
    print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'imagej': t.imagej_metadata, 'bigtiff': t.is_bigtiff,
      'pages': len(t.pages), 'xres': xres[0] / xres[1]}))
a.astype(a.dtype.newbyteorder('<')).tofile(sys.argv[2])
`;
