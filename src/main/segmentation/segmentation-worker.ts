// The engine's calls in a worker thread (see worker-engine.ts for why). The worker holds no volume:
// it asks the service's thread for each region it reads and sends segment-all's blocks back to be
// written there. A background worker first lowers its thread's priority; the block workers it
// starts inherit it, so painting, slice reads and live previews go first.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { type SerializedError, cancelled, deserializeError, serializeError } from '../../shared/errors';
import type { Region, TypedArray } from '../../shared/volume';
import type { Model } from '../engine';
import type { LabelledVoxels } from '../labels';
import type { Volume, VolumeMeta } from '../volume/volume';
import type { RegionWriter } from '../volume/spec';
import { engine } from './engine-adapter';

/** How much nicer (Linux nice levels) background work runs than the service. */
const BACKGROUND_NICENESS = 10;

export type EngineCall =
  | { method: 'train'; labels: LabelledVoxels; seed?: number; preview?: boolean; classNames: [number, string][] }
  | { method: 'predictRegion'; model: Model; region: Region }
  | {
      method: 'predictVolume';
      model: Model;
      classes: boolean;
      probabilities: boolean;
      threads?: number;
      smooth?: boolean;
    };

/** What the worker needs of the volume to stand in for it: its metadata and path (for messages). */
export type VolumeInfo = VolumeMeta & { path: string };

export type ToWorker =
  | { type: 'call'; id: number; volume: VolumeInfo; call: EngineCall }
  | { type: 'abort'; id: number }
  | { type: 'reply'; request: number; data?: TypedArray; error?: SerializedError };

export type FromWorker =
  | { type: 'read'; id: number; request: number; region: Region }
  | {
      type: 'write';
      id: number;
      request: number;
      output: 'classes' | 'probabilities';
      region: Region;
      data: TypedArray;
      channel?: number;
    }
  | { type: 'progress'; id: number; done: number; total: number; message?: string }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: SerializedError };

export interface EngineWorkerData {
  background: boolean;
}

const port = parentPort!;
const running = new Map<number, AbortController>();
const waiting = new Map<number, { resolve: (data?: TypedArray) => void; reject: (error: Error) => void }>();
let nextRequest = 0;

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

/** Sends a read or write to the service's thread and waits for its answer. */
function ask(message: Extract<FromWorker, { type: 'read' | 'write' }>): Promise<TypedArray | undefined> {
  return new Promise((resolve, reject) => {
    waiting.set(message.request, { resolve, reject });
    post(message, message.type === 'write' ? [message.data.buffer as ArrayBuffer] : []);
  });
}

/** The service's volume, read through messages. */
function remoteVolume(id: number, info: VolumeInfo): Volume {
  return {
    ...info,
    read: async (region) => (await ask({ type: 'read', id, request: nextRequest++, region }))!,
    close: async () => undefined,
  };
}

/** A writer of the service's thread; the data is copied, as the engine may pass views of a larger array. */
const remoteWriter = (id: number, output: 'classes' | 'probabilities'): RegionWriter => ({
  write: async (region, data, channel) => {
    await ask({ type: 'write', id, request: nextRequest++, output, region, data: data.slice(), channel });
  },
});

async function run(id: number, info: VolumeInfo, call: EngineCall, signal: AbortSignal): Promise<unknown> {
  const volume = remoteVolume(id, info);
  const progress = (done: number, total: number, message?: string): void =>
    post({ type: 'progress', id, done, total, message });
  switch (call.method) {
    case 'train':
      return engine.train(volume, call.labels, {
        seed: call.seed,
        preview: call.preview,
        classNames: new Map(call.classNames),
        signal,
        progress,
      });
    case 'predictRegion':
      if (signal.aborted) throw cancelled();
      return engine.predictRegion(call.model, volume, call.region);
    case 'predictVolume': {
      const outputs = {
        classes: call.classes ? remoteWriter(id, 'classes') : undefined,
        probabilities: call.probabilities ? remoteWriter(id, 'probabilities') : undefined,
      };
      const { threads, smooth } = call;
      await engine.predictVolume(call.model, volume, outputs, { threads, smooth, signal, progress });
      return undefined;
    }
  }
}

/** Lowers this thread's priority (Linux: nice is per thread, and threads started later inherit it). */
function lowerPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    const thread = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(thread, Math.min(19, getPriority(thread) + BACKGROUND_NICENESS));
  } catch {
    // no /proc or not permitted: run at normal priority
  }
}

if ((workerData as EngineWorkerData | undefined)?.background) lowerPriority();

port.on('message', (message: ToWorker) => {
  if (message.type === 'reply') {
    const pending = waiting.get(message.request);
    waiting.delete(message.request);
    if (message.error) pending?.reject(deserializeError(message.error));
    else pending?.resolve(message.data);
  } else if (message.type === 'abort') running.get(message.id)?.abort();
  else void answer(message);
});

async function answer({ id, volume, call }: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    // copied, not moved: the engine may reuse its arrays
    post({ type: 'done', id, value: await run(id, volume, call, controller.signal) });
  } catch (error) {
    post({ type: 'failed', id, error: serializeError(error) });
  } finally {
    running.delete(id);
  }
}
