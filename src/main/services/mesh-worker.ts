// Meshing in a worker thread: meshFromVolume runs long synchronous stretches (refinement), which
// on the main thread would stall every other request and the cancel button. One job per worker;
// cancelling terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../shared/errors';
import type { Vec3 } from '../../shared/volume';
import { MemoryVolume } from '../engine';
import { type MeshOptions, type MeshResult, meshFromVolume } from '../mesh';
import { openVolume } from '../volume/open';
import type { Volume } from '../volume/volume';

/** The labels or probabilities to mesh: the voxels themselves (an in-memory result) or the file (and channel) holding them. */
export type MeshSource =
  | { kind: 'memory'; data: Uint8Array; shape: Vec3; voxelSize: Vec3; unit: string }
  | { kind: 'file'; path: string; channel?: number | undefined };

export interface MeshWorkerInput {
  source: MeshSource;
  options: Omit<MeshOptions, 'signal' | 'progress'>;
}

export type MeshWorkerMessage =
  | { progress: [number, number, string | undefined] }
  | { result: MeshResult }
  | { error: ReturnType<typeof serializeError> };

async function run({ source, options }: MeshWorkerInput): Promise<void> {
  const post = (message: MeshWorkerMessage, transfer: ArrayBuffer[] = []): void =>
    parentPort!.postMessage(message, transfer);
  const volume: Volume =
    source.kind === 'memory'
      ? new MemoryVolume(source.data, source.shape, 'segmentation', source)
      : await openVolume(source.path, source.channel === undefined ? {} : { channel: source.channel });
  try {
    const result = await meshFromVolume(volume, {
      ...options,
      progress: (done, total, message) => post({ progress: [done, total, message] }),
    });
    const buffers = result.objects.flatMap(({ mesh }) => [mesh.positions.buffer, mesh.triangles.buffer]);
    post({ result }, buffers as ArrayBuffer[]);
  } catch (error) {
    post({ error: serializeError(error) });
  } finally {
    await volume.close();
  }
}

if (parentPort) void run(workerData as MeshWorkerInput);
