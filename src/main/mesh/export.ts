// Writing meshes (binary STL, binary PLY, OBJ) and per-object measurements (CSV). Files appear
// only when complete: written under a temporary name beside the target, then renamed.
import { open, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { badInput } from '../../shared/errors';
import { publish, refuseExisting, temporaryPath } from '../volume/output';
import type { MeshObject } from './mesh-volume';
import { type TriMesh, triangleCorners, triangleCount, triangleNormal } from './trimesh';

export type MeshFormat = 'stl' | 'ply' | 'obj';
export const MESH_FORMATS: readonly MeshFormat[] = ['stl', 'ply', 'obj'];

export function formatOf(path: string): MeshFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if (!(MESH_FORMATS as readonly string[]).includes(ext))
    throw badInput(`${path}: unknown mesh format '.${ext}' (use .stl, .ply or .obj)`);
  return ext as MeshFormat;
}

/** Writes `chunks` to `path` atomically; refuses to replace an existing file unless `force`. */
export async function writeAtomically(
  path: string,
  chunks: Iterable<Uint8Array | string>,
  force = false,
): Promise<void> {
  await refuseExisting(path, force);
  const temp = temporaryPath(path);
  const file = await open(temp, 'w');
  try {
    for (const chunk of chunks) await (typeof chunk === 'string' ? file.write(chunk) : file.write(chunk));
    await file.close();
    await publish(temp, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

function* stl(meshes: TriMesh[]): Generator<Uint8Array> {
  const total = meshes.reduce((n, m) => n + triangleCount(m), 0);
  const header = new Uint8Array(84);
  header.set(new TextEncoder().encode('binary STL written by Tomoseg'));
  new DataView(header.buffer).setUint32(80, total, true);
  yield header;
  const corners = new Float64Array(9);
  const normal = new Float64Array(3);
  for (const mesh of meshes) {
    const count = triangleCount(mesh);
    const body = new DataView(new ArrayBuffer(count * 50));
    for (let t = 0; t < count; t++) {
      triangleCorners(mesh, t, corners);
      triangleNormal(corners, normal);
      const length = Math.hypot(normal[0]!, normal[1]!, normal[2]!) || 1;
      for (let k = 0; k < 3; k++) body.setFloat32(t * 50 + k * 4, normal[k]! / length, true);
      for (let k = 0; k < 9; k++) body.setFloat32(t * 50 + 12 + k * 4, corners[k]!, true);
    }
    yield new Uint8Array(body.buffer);
  }
}

function* ply(meshes: TriMesh[]): Generator<Uint8Array> {
  const vertices = meshes.reduce((n, m) => n + m.positions.length / 3, 0);
  const faces = meshes.reduce((n, m) => n + m.triangles.length / 3, 0);
  yield new TextEncoder().encode(
    [
      'ply',
      'format binary_little_endian 1.0',
      'comment written by Tomoseg',
      `element vertex ${vertices}`,
      'property float x',
      'property float y',
      'property float z',
      `element face ${faces}`,
      'property list uchar int vertex_indices',
      'end_header',
      '',
    ].join('\n'),
  );
  for (const { positions } of meshes) yield new Uint8Array(Float32Array.from(positions).buffer);
  let offset = 0;
  for (const { positions, triangles } of meshes) {
    const body = new DataView(new ArrayBuffer((triangles.length / 3) * 13));
    for (let t = 0; t < triangles.length / 3; t++) {
      body.setUint8(t * 13, 3);
      for (let k = 0; k < 3; k++) body.setInt32(t * 13 + 1 + k * 4, offset + triangles[t * 3 + k]!, true);
    }
    offset += positions.length / 3;
    yield new Uint8Array(body.buffer);
  }
}

function* obj(meshes: TriMesh[]): Generator<string> {
  yield '# written by Tomoseg\n';
  let offset = 1;
  for (const [index, { positions, triangles }] of meshes.entries()) {
    const lines = [`o object_${index + 1}`];
    for (let i = 0; i < positions.length; i += 3)
      lines.push(
        `v ${positions[i]!.toPrecision(8)} ${positions[i + 1]!.toPrecision(8)} ${positions[i + 2]!.toPrecision(8)}`,
      );
    for (let t = 0; t < triangles.length; t += 3)
      lines.push(`f ${offset + triangles[t]!} ${offset + triangles[t + 1]!} ${offset + triangles[t + 2]!}`);
    offset += positions.length / 3;
    yield lines.join('\n') + '\n';
  }
}

/** Writes all objects into one mesh file, the format chosen by the extension (.stl, .ply, .obj). */
export async function writeMesh(path: string, meshes: TriMesh[], options: { force?: boolean } = {}): Promise<void> {
  const format = formatOf(path);
  const chunks = format === 'stl' ? stl(meshes) : format === 'ply' ? ply(meshes) : obj(meshes);
  await writeAtomically(path, chunks, options.force);
}

export const CSV_HEADER =
  'object,volume,surface_area,sphericity,centroid_x,centroid_y,centroid_z,min_x,min_y,min_z,max_x,max_y,max_z,vertices,triangles,watertight,unit';

/** One row per object: volume (unit³), surface area (unit²), sphericity, centroid and bounding box (unit). */
export function measurementsCsv(objects: MeshObject[], unit: string): string {
  const number = (x: number): string => String(Number(x.toPrecision(8)));
  const rows = objects.map(({ mesh, measurements: m, watertight }, i) =>
    [
      i + 1,
      ...[m.volume, m.surfaceArea, m.sphericity, ...m.centroid, ...m.bboxMin, ...m.bboxMax].map(number),
      mesh.positions.length / 3,
      mesh.triangles.length / 3,
      watertight,
      /[",\n]/.test(unit) ? `"${unit.replaceAll('"', '""')}"` : unit,
    ].join(','),
  );
  return [CSV_HEADER, ...rows, ''].join('\n');
}

export async function writeMeasurements(
  path: string,
  objects: MeshObject[],
  unit: string,
  options: { force?: boolean } = {},
): Promise<void> {
  await writeAtomically(path, [measurementsCsv(objects, unit)], options.force);
}
