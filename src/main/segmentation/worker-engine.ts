// The engine off the service's thread. Training and prediction run long synchronous stretches; on
// the service's thread they would hold up every slice read, stroke and cancel meanwhile. Live work
// (training, slice previews) goes to a few persistent workers at normal priority; each segment-all
// gets a worker of its own at a lower priority, ended with the run. Workers keep no state (the
// model comes with every call), so a crashed one is simply replaced by the next call.
// Two layers of threads: these workers run the engine's calls (segmentation-worker.ts); inside
// one, a prediction of many voxels spreads its blocks over the engine's own pool of block workers
// (engine/pool.ts), which know nothing but one block and a model.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { TomosegError, deserializeError, serializeError } from '../../shared/errors';
import type { Region } from '../../shared/volume';
import type { Model } from '../engine';
import { workerStarter } from '../worker-starter';
import type { LabelledVoxels } from '../labels';
import { type Volume, dataIdOf } from '../volume/volume';
import type { Progress } from '../progress';
import type {
  RegionPrediction,
  RunOptions,
  SegmentationEngine,
  SegmentationTrainOptions,
  VolumeOutputs,
  VolumePredictionOptions,
} from './segmentation-engine';
import { engine } from './engine-adapter';
import type { EngineCall, EngineWorkerData, FromWorker, ToWorker, VolumeInfo } from './segmentation-worker';

const startWorker = workerStarter(import.meta.url, './segmentation-worker.ts', 'segmentation-worker.js');

interface PendingCall {
  volume: Volume;
  signal?: AbortSignal | undefined;
  outputs?: VolumeOutputs;
  progress?: Progress;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** What the worker needs of a volume to stand in for it (never the volume object: it holds caches and handles). */
const volumeInfo = (volume: Volume): VolumeInfo => ({
  shape: volume.shape,
  dtype: volume.dtype,
  voxelSize: volume.voxelSize,
  unit: volume.unit,
  chunkShape: volume.chunkShape,
  format: volume.format,
  path: volume.path,
  levels: volume.levels,
  channels: volume.channels,
  dataId: dataIdOf(volume),
});

/** One worker thread and the calls it runs; it answers the worker's reads and writes from the service's thread. */
class EngineThread {
  private readonly worker: Worker;
  private readonly calls = new Map<number, PendingCall>();
  private nextId = 0;
  private failure?: Error;

  /** `user`, for a background thread: its volume reads wait while the user is active. */
  constructor(
    background: boolean,
    private readonly user?: UserActivity,
  ) {
    this.worker = startWorker({ workerData: { background } satisfies EngineWorkerData });
    this.worker.unref(); // an idle worker does not keep the process alive
    this.worker.on('message', (message: FromWorker) => void this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) =>
      this.fail(new TomosegError('internal', `the engine worker stopped (exit code ${code})`)),
    );
  }

  /** Calls running now. */
  get load(): number {
    return this.calls.size;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  call(
    volume: Volume,
    call: EngineCall,
    { signal, progress, outputs }: Partial<RunOptions> & { outputs?: VolumeOutputs } = {},
  ): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const abort = (): void => this.post({ type: 'abort', id });
    signal?.addEventListener('abort', abort);
    if (this.calls.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        signal?.removeEventListener('abort', abort);
        this.calls.delete(id);
        if (this.calls.size === 0) this.worker.unref();
      };
      this.calls.set(id, {
        volume,
        signal,
        outputs,
        progress,
        resolve: (value) => (settle(), resolve(value)),
        reject: (error) => (settle(), reject(error)),
      });
      this.post({ type: 'call', id, volume: volumeInfo(volume), call });
      if (signal?.aborted) abort();
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private async receive(message: FromWorker): Promise<void> {
    const call = this.calls.get(message.id);
    if (!call) return;
    if (message.type === 'progress') call.progress?.(message.done, message.total, message.message);
    else if (message.type === 'done') call.resolve(message.value);
    else if (message.type === 'failed') call.reject(deserializeError(message.error));
    else
      try {
        if (message.type === 'read') {
          // The worker stalls for want of input, so the cores are free for the user's slices.
          await this.user?.idle(call.signal);
          // a copy of only the region, moved: the volume's answer may be a view of its cache
          const data = (await call.volume.read(message.region)).slice();
          this.post({ type: 'reply', request: message.request, data }, [data.buffer as ArrayBuffer]);
        } else {
          await call.outputs![message.output]!.write(message.region, message.data, message.channel);
          this.post({ type: 'reply', request: message.request });
        }
      } catch (error) {
        this.post({ type: 'reply', request: message.request, error: serializeError(error) });
      }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const call of [...this.calls.values()]) call.reject(this.failure);
  }
}

/** When the user is idle, for background work to wait on (services/activity.ts). */
export interface UserActivity {
  idle(signal?: AbortSignal): Promise<void>;
}

/** The engine of engine-adapter.ts, run in worker threads. */
export class WorkerEngine implements SegmentationEngine<Model> {
  private readonly live: (EngineThread | undefined)[];
  private readonly user: UserActivity | undefined;

  /**
   * `liveThreads` workers share training and slice previews (default: one per core, at most 3, one
   * per visible slice). With `user`, whole-volume predictions pause while the user is active.
   */
  constructor({
    liveThreads = Math.min(3, availableParallelism()),
    user,
  }: { liveThreads?: number; user?: UserActivity } = {}) {
    this.live = new Array<EngineThread | undefined>(liveThreads).fill(undefined);
    this.user = user;
  }

  async train(volume: Volume, labels: LabelledVoxels, options: SegmentationTrainOptions): Promise<Model> {
    const { seed, preview, classNames, signal, progress } = options;
    const call: EngineCall = { method: 'train', labels, seed, preview, classNames: [...classNames] };
    return (await this.liveThread().call(volume, call, { signal, progress })) as Model;
  }

  classesOf(model: Model): number[] {
    return engine.classesOf(model);
  }

  smoothsByDefault(model: Model): boolean {
    return engine.smoothsByDefault(model);
  }

  modelToBytes(model: Model): Uint8Array {
    return engine.modelToBytes(model);
  }

  modelFromBytes(bytes: Uint8Array, source: string): Model {
    return engine.modelFromBytes(bytes, source);
  }

  async predictRegion(model: Model, volume: Volume, region: Region, signal?: AbortSignal): Promise<RegionPrediction> {
    return (await this.liveThread().call(
      volume,
      { method: 'predictRegion', model, region },
      { signal },
    )) as RegionPrediction;
  }

  async predictVolume(
    model: Model,
    volume: Volume,
    outputs: VolumeOutputs,
    { threads, smooth, signal, progress }: RunOptions & VolumePredictionOptions,
  ): Promise<void> {
    const thread = new EngineThread(true, this.user);
    try {
      const call: EngineCall = {
        method: 'predictVolume',
        model,
        classes: outputs.classes !== undefined,
        probabilities: outputs.probabilities !== undefined,
        threads,
        smooth,
      };
      await thread.call(volume, call, { signal, progress, outputs });
    } finally {
      await thread.terminate();
    }
  }

  /** Ends the live workers (calls still running fail). */
  async close(): Promise<void> {
    const threads = this.live.filter((thread) => thread !== undefined);
    this.live.fill(undefined);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  /** The least busy live worker, started (or restarted after a crash) when needed. */
  private liveThread(): EngineThread {
    for (let i = 0; i < this.live.length; i++) if (!this.live[i]?.alive) this.live[i] = new EngineThread(false);
    return this.live.reduce((best, thread) => (thread!.load < best!.load ? thread : best))!;
  }
}
