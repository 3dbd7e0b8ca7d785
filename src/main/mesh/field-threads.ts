// Label-field blocks computed on worker threads: the extraction reads ahead, so while it walks one
// block's cubes the next blocks' fields are being blurred elsewhere.
import type { Worker } from 'node:worker_threads';
import { deserializeError, TomosegError } from '../../shared/errors';
import { workerStarter } from '../worker-starter';
import type { FieldReply } from './field-worker';
import type { FieldBlock } from './label-field';

const startWorker = workerStarter(import.meta.url, './field-worker.ts', 'mesh-field-worker.js');

interface Pending {
  resolve: (field: Float32Array) => void;
  reject: (error: Error) => void;
}

export class FieldThreads {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = startWorker();
      worker.on('message', (reply: FieldReply) => {
        const pending = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if ('error' in reply) pending?.reject(deserializeError(reply.error));
        else pending?.resolve(reply.field);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) =>
        this.failAll(new TomosegError('internal', `a label-field thread stopped (exit code ${code})`)),
      );
      return worker;
    });
  }

  /** The field of `block`, on the threads in turn. */
  readonly compute = (block: FieldBlock): Promise<Float32Array> =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      // the labels move to the thread (a copy only where they are a view into more)
      const { raw } = block;
      const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : raw.slice();
      this.workers[id % this.count]!.postMessage({ id, block: { ...block, raw: own } }, [own.buffer as ArrayBuffer]);
    });

  close(): void {
    for (const worker of this.workers) {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
