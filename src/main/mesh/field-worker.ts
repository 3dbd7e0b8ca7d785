// A worker thread computing blocks of a label field (label-field.ts) while the extraction goes on.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../shared/errors';
import { type FieldBlock, fieldOfBlock } from './label-field';

export type FieldReply = { id: number; field: Float32Array } | { id: number; error: ReturnType<typeof serializeError> };

parentPort?.on('message', ({ id, block }: { id: number; block: FieldBlock }) => {
  try {
    const field = fieldOfBlock(block);
    parentPort!.postMessage({ id, field } satisfies FieldReply, [field.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ id, error: serializeError(error) } satisfies FieldReply);
  }
});
