// Where a project keeps the voxels of a result (uint8, one or more channels): in the project file,
// deflated, when small; else as an OME-Zarr in a folder beside the project, referenced by a path
// relative to it, so the result moves with the project and "Export for sharing" carries it. Files
// are written under a temporary name and moved into place complete, before any row names them.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { badInput, cancelled } from '../../shared/errors';
import { type Region, type Vec3, voxelCount } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { createVolume, openVolume } from '../volume';
import type { Volume } from '../volume/volume';
import { resolveStoredPath, storedRelativePath } from './paths';

/** Results up to this many bytes (all channels) are kept in the project file itself. */
export const IN_PROJECT_BYTES = 64 * 1024 * 1024;

/** Voxels copied per step into an OME-Zarr, so memory stays at one slab. */
const SLAB_VOXELS = 16 * 1024 * 1024;

const deflating = promisify(deflate);
const inflating = promisify(inflate);

/** Where a result is kept: its file relative to the project, or its bytes in the project. */
export interface StoredVoxels {
  relativePath: string | null;
  data: Uint8Array | null;
  /** What reading it back needs. */
  meta: { shape: Vec3; channels: number };
}

/** The folder beside `projectPath` holding its large results: "study.tomoseg" → "study.results". */
export function resultsFolder(projectPath: string): string {
  return join(dirname(projectPath), `${basename(projectPath, extname(projectPath))}.results`);
}

/** Stores `channels` (uint8 volumes of one shape) for the project at `projectPath`, named by `id`. */
export async function storeVoxels(
  projectPath: string,
  id: string,
  channels: Volume[],
  {
    kind,
    inProjectBytes = IN_PROJECT_BYTES,
    signal,
  }: { kind: 'labels' | 'image'; inProjectBytes?: number; signal?: AbortSignal },
): Promise<StoredVoxels> {
  const first = channels[0]!;
  const shape = first.shape;
  const meta = { shape, channels: channels.length };
  const whole: Region = { start: [0, 0, 0], shape };
  if (voxelCount(shape) * channels.length <= inProjectBytes) {
    const bytes = new Uint8Array(voxelCount(shape) * channels.length);
    for (const [c, channel] of channels.entries()) bytes.set(await channel.read(whole), c * voxelCount(shape));
    return { relativePath: null, data: await deflating(bytes), meta };
  }
  const folder = resultsFolder(projectPath);
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${id}.zarr`);
  const writer = await createVolume(path, {
    shape,
    dtype: 'uint8',
    kind,
    ...(channels.length > 1 ? { channels: channels.length } : {}),
    voxelSize: first.voxelSize,
    unit: first.unit,
  });
  try {
    const [nz, ny, nx] = shape;
    const step = Math.max(first.chunkShape[0], Math.floor(SLAB_VOXELS / (ny * nx)), 1);
    for (const [c, channel] of channels.entries())
      for (let z = 0; z < nz; z += step) {
        if (signal?.aborted) throw cancelled('saving the result cancelled');
        const region: Region = { start: [z, 0, 0], shape: [Math.min(step, nz - z), ny, nx] };
        await writer.write(region, await channel.read(region), c);
      }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { relativePath: storedRelativePath(projectPath, path), data: null, meta };
}

/** Opens a stored result's channels, with the voxel size of `like` for those kept in the project. */
export async function loadVoxels(
  projectPath: string,
  stored: Pick<StoredVoxels, 'relativePath' | 'data'> & { meta: Record<string, unknown> },
  like: { voxelSize: Vec3; unit: string },
): Promise<Volume[]> {
  const { shape, channels } = stored.meta as Partial<StoredVoxels['meta']>;
  if (!shape || !channels) throw badInput(`${projectPath}: a saved result lacks its shape`);
  if (stored.relativePath !== null) {
    const path = resolveStoredPath(projectPath, stored.relativePath);
    const opened: Volume[] = [];
    try {
      for (let c = 0; c < channels; c++) opened.push(await openVolume(path, channels > 1 ? { channel: c } : {}));
    } catch (error) {
      await Promise.all(opened.map((v) => v.close()));
      throw error;
    }
    return opened;
  }
  const size = voxelCount(shape);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await inflating(stored.data!));
  } catch (error) {
    throw badInput(`${projectPath}: a saved result is damaged (${(error as Error).message})`);
  }
  if (bytes.length !== size * channels) throw badInput(`${projectPath}: a saved result has the wrong size`);
  return Array.from(
    { length: channels },
    (_, c) => new MemoryVolume(bytes.subarray(c * size, (c + 1) * size), shape, 'memory', like),
  );
}
