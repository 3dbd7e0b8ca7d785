// Thin worker-thread wrapper around predictBlock: one request in, one reply out, no state kept
// between requests (the model comes with every request), so a crashed worker is simply replaced.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../shared/errors';
import { type BlockReply, type BlockRequest, predictBlock, quantiseProbabilities } from './block-predict';

parentPort?.on('message', (request: BlockRequest) => {
  try {
    const result = predictBlock(request.model, request.input, request.shape, request.halo);
    const probabilities = request.probabilities ? quantiseProbabilities(result.probabilities) : undefined;
    const reply: BlockReply = { id: request.id, labels: result.labels, probabilities };
    const buffers = [reply.labels.buffer, probabilities?.buffer].filter((b) => b !== undefined) as ArrayBuffer[];
    parentPort!.postMessage(reply, buffers);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: serializeError(error) } satisfies BlockReply);
  }
});
