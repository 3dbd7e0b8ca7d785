// A worker thread computing blocks of a label field (label-field.ts) while the extraction goes on.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../shared/errors';
import type { WorkerReply } from '../worker-pool';
import { type FieldBlock, fieldOfBlock } from './label-field';

export interface FieldReply {
  field: Float32Array;
}

parentPort?.on('message', (block: FieldBlock) => {
  try {
    const field = fieldOfBlock(block);
    parentPort!.postMessage({ field } satisfies FieldReply, [field.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ error: serializeError(error) } satisfies WorkerReply<FieldReply>);
  }
});
