import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { createVolume, openVolume } from '../volume';
import { exportBundle } from './bundle';
import { fingerprint } from './fingerprint';
import { ProjectFile } from './project-file';

// Odd sizes (the last cells are partial) and more than one 64³ output tile along x.
const SHAPE: Vec3 = [5, 69, 140];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tomoseg-bundle-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function voxels(): Uint16Array {
  const data = new Uint16Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 65521;
  return data;
}

/** The 2×2×2 mean written the obvious way: each output voxel averages the input voxels of its cell. */
function halfReference(data: Uint16Array): Uint16Array {
  const [nz, ny, nx] = SHAPE;
  const [oz, oy, ox] = SHAPE.map((n) => Math.ceil(n / 2));
  const out = new Uint16Array(oz! * oy! * ox!);
  for (let z = 0; z < oz!; z++)
    for (let y = 0; y < oy!; y++)
      for (let x = 0; x < ox!; x++) {
        let sum = 0;
        let n = 0;
        for (let k = 2 * z; k < Math.min(2 * z + 2, nz); k++)
          for (let j = 2 * y; j < Math.min(2 * y + 2, ny); j++)
            for (let i = 2 * x; i < Math.min(2 * x + 2, nx); i++, n++) sum += data[(k * ny + j) * nx + i]!;
        out[(z * oy! + y) * ox! + x] = Math.round(sum / n);
      }
  return out;
}

/** A TIFF of SHAPE in a project; returns the project and the volume's id and path. */
async function projectWithTiff(): Promise<{
  project: ProjectFile;
  volumeId: string;
  source: string;
  data: Uint16Array;
}> {
  const source = join(dir, 'scan.tif');
  const data = voxels();
  const writer = await createVolume(source, {
    shape: SHAPE,
    dtype: 'uint16',
    voxelSize: [2, 1, 1],
    unit: 'micrometer',
  });
  await writer.write({ start: [0, 0, 0], shape: SHAPE }, data);
  await writer.commit();
  const volume = await openVolume(source);
  const project = await ProjectFile.create(join(dir, 'study.tomoseg'), 'study');
  const volumeId = project.addVolume(source, {
    name: 'scan.tif',
    fingerprint: await fingerprint(volume),
    voxelSize: volume.voxelSize,
    unit: volume.unit,
  });
  await volume.close();
  return { project, volumeId, source, data };
}

describe('exportBundle with a half-resolution copy', () => {
  it('writes the 2×2×2 mean of each volume as OME-Zarr and lists it in the manifest', async () => {
    const { project, volumeId, source, data } = await projectWithTiff();
    const bundle = join(dir, 'share');
    const steps: number[] = [];
    await exportBundle(
      project,
      bundle,
      { includeData: false, preview: true, volumePaths: new Map([[volumeId, source]]) },
      { signal: new AbortController().signal, progress: (done) => steps.push(done) },
    );
    project.close();

    const manifest = JSON.parse(readFileSync(join(bundle, 'tomoseg-bundle.json'), 'utf8'));
    expect(manifest.previews).toEqual([{ volumeId, path: 'preview/scan-half.zarr', factor: 2 }]);
    expect(manifest.data).toEqual([]);
    const preview = await openVolume(join(bundle, 'preview', 'scan-half.zarr'));
    expect(preview.shape).toEqual([3, 35, 70]);
    expect(preview.voxelSize).toEqual([4, 2, 2]);
    expect(preview.dtype).toBe('uint16');
    const read = await preview.read({ start: [0, 0, 0], shape: preview.shape });
    await preview.close();
    expect(read).toEqual(halfReference(data));
    expect(steps.length).toBeGreaterThan(1);
  });

  it('stops when cancelled and leaves nothing behind', async () => {
    const { project, volumeId, source } = await projectWithTiff();
    const controller = new AbortController();
    controller.abort();
    await expect(
      exportBundle(
        project,
        join(dir, 'share'),
        { includeData: false, preview: true, volumePaths: new Map([[volumeId, source]]) },
        { signal: controller.signal, progress: () => undefined },
      ),
    ).rejects.toMatchObject({ kind: 'cancelled' });
    project.close();
    expect(readdirSync(dir).sort()).toEqual(['scan.tif', 'study.tomoseg']);
    expect(existsSync(join(dir, 'share'))).toBe(false);
  });
});
