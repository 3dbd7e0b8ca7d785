import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measurementsCsv, writeMeasurements, writeMesh } from './export';
import { meshFromVolume } from './mesh-volume';
import { labelVolume, sphere, union } from './phantoms';
import { topology } from './quality';
import type { TriMesh } from './trimesh';

const dir = await mkdtemp(join(tmpdir(), 'tomoseg-mesh-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

// two objects, anisotropic voxels (z, y, x) = (2, 1, 0.5) µm
const phantom = union([sphere([8.2, 8.4, 7.9], 5.3), sphere([20.5, 18.1, 9.6], 4.1)]);
const result = await meshFromVolume(labelVolume([18, 26, 30], phantom, [2, 1, 0.5]), { class: 1, iterations: 8 });

/** Minimal readers of the three formats, independent of the writers. */
function parseStl(bytes: Buffer): { count: number; vertices: number[][] } {
  const count = bytes.readUInt32LE(80);
  expect(bytes.length).toBe(84 + count * 50);
  const vertices: number[][] = [];
  for (let t = 0; t < count; t++)
    for (let k = 0; k < 3; k++)
      vertices.push([0, 1, 2].map((a) => bytes.readFloatLE(84 + t * 50 + 12 + k * 12 + a * 4)));
  return { count, vertices };
}

function parsePly(bytes: Buffer): TriMesh {
  const end = bytes.indexOf('end_header\n') + 'end_header\n'.length;
  const header = bytes.subarray(0, end).toString();
  expect(header).toContain('format binary_little_endian 1.0');
  const nv = Number(/element vertex (\d+)/.exec(header)![1]);
  const nf = Number(/element face (\d+)/.exec(header)![1]);
  const positions = new Float64Array(nv * 3).map((_, i) => bytes.readFloatLE(end + i * 4));
  const triangles = new Uint32Array(nf * 3);
  let at = end + nv * 12;
  for (let f = 0; f < nf; f++) {
    expect(bytes.readUInt8(at)).toBe(3);
    for (let k = 0; k < 3; k++) triangles[f * 3 + k] = bytes.readInt32LE(at + 1 + k * 4);
    at += 13;
  }
  expect(at).toBe(bytes.length);
  return { positions, triangles };
}

function parseObj(text: string): { objects: number; mesh: TriMesh } {
  const lines = text.split('\n');
  const v = lines.filter((l) => l.startsWith('v ')).flatMap((l) => l.split(' ').slice(1).map(Number));
  const f = lines
    .filter((l) => l.startsWith('f '))
    .flatMap((l) =>
      l
        .split(' ')
        .slice(1)
        .map((i) => Number(i) - 1),
    );
  return {
    objects: lines.filter((l) => l.startsWith('o ')).length,
    mesh: { positions: Float64Array.from(v), triangles: Uint32Array.from(f) },
  };
}

const all = result.objects.map((o) => o.mesh);
const totalTriangles = all.reduce((n, m) => n + m.triangles.length / 3, 0);

describe('mesh export', () => {
  it('writes binary STL in physical units, x y z order', async () => {
    expect(result.objects).toHaveLength(2);
    const path = join(dir, 'out.stl');
    await writeMesh(path, all);
    const { count, vertices } = parseStl(await readFile(path));
    expect(count).toBe(totalTriangles);
    const first = all[0]!;
    for (let k = 0; k < 3; k++) expect(vertices[k]![0]).toBeCloseTo(first.positions[first.triangles[k]! * 3]!, 4);
    // the first sphere's centre (8.2, 8.4, 7.9) voxels is (4.1, 8.4, 15.8) µm in x, y, z
    const xs = vertices.slice(0, first.triangles.length).map((p) => p[0]!);
    expect((Math.min(...xs) + Math.max(...xs)) / 2).toBeCloseTo(4.1, 0);
  });

  it('round-trips binary PLY as a closed mesh', async () => {
    const path = join(dir, 'out.ply');
    await writeMesh(path, all);
    const mesh = parsePly(await readFile(path));
    expect(mesh.triangles.length / 3).toBe(totalTriangles);
    const t = topology(mesh);
    expect(t.watertight && t.manifold).toBe(true);
    expect(t.euler).toBe(4); // two spheres
    const written = all.flatMap((m) => [...m.positions]);
    expect(Math.max(...mesh.positions.map((x, i) => Math.abs(x - written[i]!)))).toBeLessThan(1e-4);
  });

  it('round-trips OBJ with one object per component', async () => {
    const path = join(dir, 'out.obj');
    await writeMesh(path, all);
    const { objects, mesh } = parseObj(await readFile(path, 'utf8'));
    expect(objects).toBe(2);
    expect(mesh.triangles.length / 3).toBe(totalTriangles);
    expect(topology(mesh).euler).toBe(4);
  });

  it('writes measurements as CSV', async () => {
    const path = join(dir, 'objects.csv');
    await writeMeasurements(path, result.objects, result.unit);
    const rows = (await readFile(path, 'utf8')).trim().split('\n');
    expect(rows[0]).toBe(measurementsCsv([], 'µm').trim());
    expect(rows).toHaveLength(3);
    const columns = rows[0]!.split(',');
    const first = Object.fromEntries(rows[1]!.split(',').map((value, i) => [columns[i], value]));
    expect(Number(first.volume)).toBeCloseTo(result.objects[0]!.measurements.volume, 3);
    expect(first.watertight).toBe('true');
    expect(first.unit).toBe('µm');
  });

  it('refuses to overwrite without force, rejects unknown formats, leaves no temporary files', async () => {
    const path = join(dir, 'exists.stl');
    await writeFile(path, 'keep me');
    await expect(writeMesh(path, all)).rejects.toMatchObject({ kind: 'exists' });
    expect(await readFile(path, 'utf8')).toBe('keep me');
    await writeMesh(path, all, { force: true });
    expect(parseStl(await readFile(path)).count).toBe(totalTriangles);
    await expect(writeMesh(join(dir, 'out.vtk'), all)).rejects.toMatchObject({ kind: 'bad-input' });
    expect((await readdir(dir)).filter((name) => name.includes('partial'))).toEqual([]);
  });
});
