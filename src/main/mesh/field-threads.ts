// Label-field blocks computed on worker threads: the extraction reads ahead, so while it walks one
// block's cubes the next blocks' fields are being blurred elsewhere.
import { WorkerPool } from '../worker-pool';
import { workerStarter } from '../worker-starter';
import type { FieldReply } from './field-worker';
import type { FieldBlock } from './label-field';

const startWorker = workerStarter(import.meta.url, './field-worker.ts', 'mesh-field-worker.js');

export class FieldThreads {
  private readonly pool: WorkerPool<FieldBlock, FieldReply>;

  constructor(readonly count: number) {
    this.pool = new WorkerPool(startWorker, count);
  }

  /** The field of `block`, on the next free thread. */
  readonly compute = async (block: FieldBlock): Promise<Float32Array> => {
    // the labels move to the thread (a copy only where they are a view into more)
    const { raw } = block;
    const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : raw.slice();
    const { field } = await this.pool.run({ ...block, raw: own }, [own.buffer as ArrayBuffer]);
    return field;
  };

  /** Ends the threads; fields still being computed are rejected as cancelled. */
  close(): void {
    this.pool.close();
  }
}
