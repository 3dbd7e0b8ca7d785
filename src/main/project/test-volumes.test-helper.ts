// Test volumes on disk without depending on any real format: a ".vol" file is one JSON header
// line (shape) followed by uint16 voxels. TestVolumes opens them the way the volume service would.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Region, TypedArray, Vec3, VolumeInfo } from '../../shared/volume';
import type { ProjectVolumeHost } from '../services/open-project';
import { describeVolume } from '../services/volume-service';
import type { Volume } from '../volume/volume';

/** Writes a volume whose voxel i is (i * seed) mod 65521. */
export function writeTestVolume(path: string, shape: Vec3, seed = 7): void {
  const n = shape[0] * shape[1] * shape[2];
  const data = new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * seed) % 65521;
  writeFileSync(path, Buffer.concat([Buffer.from(`${JSON.stringify(shape)}\n`), Buffer.from(data.buffer)]));
}

/** Opens a ".vol" file; reads go to the file (row by row), like a real chunked reader. */
function readTestVolume(path: string): Volume {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(256);
  readSync(fd, head, 0, 256, 0);
  const newline = head.indexOf(10);
  const shape = JSON.parse(head.subarray(0, newline).toString()) as Vec3;
  const dataStart = newline + 1;
  return {
    path,
    shape,
    dtype: 'uint16',
    voxelSize: [1, 0.5, 0.5],
    unit: 'µm',
    chunkShape: [1, shape[1], shape[2]],
    format: 'test',
    async read({ start, shape: size }: Region): Promise<TypedArray> {
      const out = new Uint16Array(size[0] * size[1] * size[2]);
      const bytes = new Uint8Array(out.buffer);
      for (let z = 0; z < size[0]; z++)
        for (let y = 0; y < size[1]; y++) {
          const from = ((start[0] + z) * shape[1] + start[1] + y) * shape[2] + start[2];
          readSync(fd, bytes, (z * size[1] + y) * size[2] * 2, size[2] * 2, dataStart + from * 2);
        }
      return out;
    },
    async close() {
      closeSync(fd);
    },
  };
}

/** The volume service's part the project needs, over ".vol" files; counts what is open. */
export class TestVolumes implements ProjectVolumeHost {
  readonly open = new Map<string, { volume: Volume; info: VolumeInfo }>();

  async openPath(path: string): Promise<VolumeInfo> {
    if (!path.endsWith('.vol')) throw new Error(`${path}: not a test volume`);
    const volume = readTestVolume(resolve(path));
    const info = describeVolume(volume, volume.path, [0, 65535]);
    this.open.set(info.id, { volume, info });
    return info;
  }

  get(volumeId: string): Volume {
    const entry = this.open.get(volumeId);
    if (!entry) throw new Error(`no volume ${volumeId}`);
    return entry.volume;
  }

  info(volumeId: string): VolumeInfo {
    return this.open.get(volumeId)!.info;
  }

  async close(volumeId: string): Promise<boolean> {
    await this.open.get(volumeId)?.volume.close();
    return this.open.delete(volumeId);
  }
}
