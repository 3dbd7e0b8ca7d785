// Surface meshes of segment-all results: one class meshed as a job, from its probability map
// (sub-voxel) when segment-all kept it, else from the labels; kept in memory for the 3D view,
// measurements and export until the volume closes. Transport-free: the API handlers call these methods.
import type { MeshData, MeshSource as MeshedFrom, MeshSummary } from '../../shared/api/mesh';
import type { SegmentationClass } from '../../shared/api/segmentation';
import { TomosegError, badInput, cancelled, deserializeError } from '../../shared/errors';
import { workerStarter } from '../worker-starter';
import { type MeshResult, formatOf, writeMeasurements, writeMesh } from '../mesh';
import { writeObjectsTable } from '../segmentation/objects';
import { refuseExisting } from '../volume/output';
import type { ProbabilityMaps } from '../segmentation/outputs';
import type { Volume } from '../volume/volume';
import type { JobContext, Jobs } from './jobs';
import type { MeshSource, MeshWorkerInput, MeshWorkerMessage } from './mesh-worker';

const startWorker = workerStarter(import.meta.url, './mesh-worker.ts', 'mesh-worker.js');

export interface MeshServiceOptions {
  jobs: Jobs;
  /** A volume's last segment-all result (class id per voxel, class probabilities when kept); null when there is none. */
  segmentationOf(volumeId: string): {
    volume: Volume;
    probabilities?: ProbabilityMaps;
    modelVersion: number;
    /** Keeps the result's files while a job reads them, should a newer result replace it (see FinishedResult). */
    hold?(): () => void;
  } | null;
  /** A volume's classes, to check and name the class asked for. */
  classesOf(volumeId: string): SegmentationClass[];
  /** Meshes kept in memory; the oldest is dropped beyond this. Default 8. */
  keep?: number;
}

interface BuiltMesh {
  summary: MeshSummary;
  result: MeshResult;
  /** The segmentation's shape and voxel size, to place the mesh. */
  grid: Pick<MeshData, 'shape' | 'voxelSize'>;
}

export interface MeshRequest {
  volumeId: string;
  classId: number;
  smooth?: number;
  edgeLength?: number;
  minVolume?: number;
  iterations?: number;
  /** Default: the probabilities when segment-all kept them, else the labels. */
  source?: MeshedFrom;
}

export class MeshService {
  /** Built meshes by id, oldest first. */
  private readonly meshes = new Map<string, BuiltMesh>();
  constructor(private readonly options: MeshServiceOptions) {}

  /** Starts meshing a class of the segment-all result; the job id is the mesh id. */
  meshSegmentation(request: MeshRequest): { id: string; result: Promise<MeshSummary> } {
    const { volumeId, classId, source: asked, ...meshOptions } = request;
    const segmentation = this.options.segmentationOf(volumeId);
    if (!segmentation) throw badInput('no segmentation yet: train a model and run "Segment all" before meshing');
    const chosen = this.chosenClass(volumeId, classId);
    const channel = segmentation.probabilities?.classes.indexOf(classId) ?? -1;
    if (asked === 'probabilities' && channel < 0)
      throw badInput(
        `segment-all kept no probabilities of "${chosen.name}": run "Segment all" again, or mesh the labels`,
      );
    const source: MeshedFrom = asked ?? (channel >= 0 ? 'probabilities' : 'labels');
    const field =
      source === 'probabilities'
        ? { volume: segmentation.probabilities!.channels[channel]!, channel, options: meshOptions }
        : { volume: segmentation.volume, options: { ...meshOptions, class: classId } };
    const release = segmentation.hold?.();
    const job = this.options.jobs.start(
      'mesh',
      async ({ signal, progress }) => {
        const started = performance.now();
        progress(0, 0, `meshing "${chosen.name}" from its ${source}`);
        const result = await meshInWorker(field, { signal, progress }).finally(release);
        if (result.objects.length === 0)
          throw badInput(
            result.removed > 0
              ? `all ${result.removed} objects of "${chosen.name}" are smaller than the minimum volume`
              : `class "${chosen.name}" has no voxels ${source === 'labels' ? 'in the segmentation' : 'of probability above 0.5'}: nothing to mesh`,
          );
        const summary: MeshSummary = {
          meshId: job.id,
          volumeId,
          classId,
          modelVersion: segmentation.modelVersion,
          source,
          unit: result.unit,
          objects: result.objects.map(({ mesh, measurements, watertight }) => ({
            ...measurements,
            vertices: mesh.positions.length / 3,
            triangles: mesh.triangles.length / 3,
            watertight,
          })),
          removed: result.removed,
          touchesBorder: result.touchesBorder,
          seconds: (performance.now() - started) / 1000,
        };
        const { shape, voxelSize } = segmentation.volume;
        // a mesh of a volume closed meanwhile is not kept
        if (!signal.aborted) this.keep(job.id, { summary, result, grid: { shape, voxelSize } });
        progress(1, 1, `${summary.objects.length} objects meshed`);
        return summary;
      },
      volumeId,
    );
    return job;
  }

  /**
   * Starts measuring the objects of a class of the segment-all result from its voxels, written as
   * a CSV table; an existing `csv` is refused first (kind `exists`) unless `overwrite`.
   */
  async measureObjects(request: {
    volumeId: string;
    classId: number;
    csv: string;
    minVoxels?: number;
    overwrite: boolean;
  }): Promise<{ id: string; result: Promise<string> }> {
    const { volumeId, classId, csv, minVoxels, overwrite } = request;
    const segmentation = this.options.segmentationOf(volumeId);
    if (!segmentation) throw badInput('no segmentation yet: train a model and run "Segment all" first');
    const chosen = this.chosenClass(volumeId, classId);
    await refuseExisting(csv, overwrite);
    const release = segmentation.hold?.();
    return this.options.jobs.start(
      'measure',
      async ({ signal, progress }) => {
        const result = await writeObjectsTable(segmentation.volume, classId, csv, {
          absent: `class "${chosen.name}" has no voxels in the segmentation`,
          minVoxels,
          overwrite,
          signal,
          progress,
        }).finally(release);
        progress(1, 1, `${result.objects.length} objects of "${chosen.name}" measured`);
        return csv;
      },
      volumeId,
    );
  }

  /** Forgets a closed volume: cancels its mesh jobs and drops its meshes. */
  forget(volumeId: string): void {
    this.options.jobs.cancelOn(volumeId, ['mesh', 'measure']);
    for (const [meshId, built] of this.meshes) if (built.summary.volumeId === volumeId) this.meshes.delete(meshId);
  }

  /** All objects' vertices and triangles, concatenated, with where each object lies. */
  readMesh(meshId: string): MeshData {
    const { result, grid } = this.get(meshId);
    let vertices = 0;
    let triangles = 0;
    for (const { mesh } of result.objects) {
      vertices += mesh.positions.length / 3;
      triangles += mesh.triangles.length / 3;
    }
    const data: MeshData = {
      positions: new Float32Array(vertices * 3),
      triangles: new Uint32Array(triangles * 3),
      objects: [],
      unit: result.unit,
      ...grid,
    };
    let [vertexStart, triangleStart] = [0, 0];
    for (const { mesh } of result.objects) {
      const [vertexCount, triangleCount] = [mesh.positions.length / 3, mesh.triangles.length / 3];
      data.positions.set(mesh.positions, vertexStart * 3);
      for (let i = 0; i < mesh.triangles.length; i++)
        data.triangles[triangleStart * 3 + i] = mesh.triangles[i]! + vertexStart;
      data.objects.push({ vertexStart, vertexCount, triangleStart, triangleCount });
      vertexStart += vertexCount;
      triangleStart += triangleCount;
    }
    return data;
  }

  meshMeasurements(meshId: string): MeshSummary {
    return this.get(meshId).summary;
  }

  /** Writes every object into one mesh file (format by extension) and optionally the CSV table. */
  async exportMesh(args: { meshId: string; path: string; csv?: string; overwrite: boolean }): Promise<{
    path: string;
    csv?: string;
  }> {
    const { result } = this.get(args.meshId);
    formatOf(args.path); // refuse an unknown extension before writing anything
    const force = args.overwrite;
    await writeMesh(
      args.path,
      result.objects.map((o) => o.mesh),
      { force },
    );
    if (args.csv) await writeMeasurements(args.csv, result.objects, result.unit, { force });
    return args.csv ? { path: args.path, csv: args.csv } : { path: args.path };
  }

  private get(meshId: string): BuiltMesh {
    const built = this.meshes.get(meshId);
    if (!built)
      throw new TomosegError(
        'not-found',
        `no mesh ${meshId}: it was never built, is still being built, or was dropped (build it again)`,
      );
    return built;
  }

  private chosenClass(volumeId: string, classId: number): SegmentationClass {
    const classes = this.options.classesOf(volumeId);
    const chosen = classes.find((c) => c.id === classId);
    if (!chosen)
      throw badInput(
        `class ${classId} does not exist (classes: ${classes.map((c) => `${c.id} "${c.name}"`).join(', ')})`,
      );
    return chosen;
  }

  private keep(meshId: string, built: BuiltMesh): void {
    this.meshes.set(meshId, built);
    while (this.meshes.size > (this.options.keep ?? 8)) this.meshes.delete(this.meshes.keys().next().value!);
  }
}

/** What to mesh: labels or a probability map (`channel` of its file), and how. */
interface Field {
  volume: Volume;
  channel?: number;
  options: MeshWorkerInput['options'];
}

/** The voxels of an in-memory volume travel to the worker (a copy); a volume on disk is opened there. */
async function meshSource({ volume, channel }: Field): Promise<MeshSource> {
  if (volume.format !== 'memory') return { kind: 'file', path: volume.path, channel };
  const data = (await volume.read({ start: [0, 0, 0], shape: volume.shape })) as Uint8Array;
  return { kind: 'memory', data, shape: volume.shape, voxelSize: volume.voxelSize, unit: volume.unit };
}

/** Runs meshFromVolume in a worker thread; aborting terminates the worker at once. */
async function meshInWorker(field: Field, { signal, progress }: JobContext): Promise<MeshResult> {
  const source = await meshSource(field);
  if (signal.aborted) throw cancelled('meshing cancelled');
  const input: MeshWorkerInput = { source, options: field.options };
  const worker = startWorker({
    workerData: input,
    transferList: source.kind === 'memory' ? [source.data.buffer as ArrayBuffer] : [],
  });
  try {
    return await new Promise<MeshResult>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(cancelled('meshing cancelled')), { once: true });
      worker.on('error', reject);
      worker.on('exit', (code) =>
        reject(new TomosegError('internal', `the meshing worker stopped (exit code ${code})`)),
      );
      worker.on('message', (message: MeshWorkerMessage) => {
        if ('progress' in message) progress(...message.progress);
        else if ('result' in message) resolve(message.result);
        else reject(deserializeError(message.error));
      });
    });
  } finally {
    void worker.terminate();
  }
}
