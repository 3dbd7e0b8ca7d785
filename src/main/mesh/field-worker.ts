// A worker thread computing blocks of a label field (label-field.ts) while the extraction goes on.
import { answerRequests } from '../worker-pool';
import { type FieldBlock, fieldOfBlock } from './label-field';

export interface FieldReply {
  field: Float32Array;
}

answerRequests((block: FieldBlock) => {
  const field = fieldOfBlock(block);
  const reply: FieldReply = { field };
  return { reply, transfer: [field.buffer as ArrayBuffer] };
});
