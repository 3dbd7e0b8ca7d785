// Thin worker-thread wrapper around predictPaddedBlock: one request in, one reply out (with the input
// handed back for reuse), no state kept between requests but scratch memory (the model comes with
// every request), so a crashed worker is simply replaced.
import { answerRequests } from '../worker-pool';
import { type BlockReply, type BlockRequest, predictPaddedBlock, quantiseProbabilities } from './block-predict';

answerRequests((request: BlockRequest) => {
  const { model, input, shape, halo, axisOrder, smooth, kept } = request;
  const result = predictPaddedBlock(model, input, shape, halo, {
    axisOrder,
    probabilities: request.probabilities !== false,
    smooth,
    kept,
  });
  const probabilities =
    request.probabilities === 'uint8'
      ? quantiseProbabilities(result.probabilities)
      : request.probabilities === 'float32'
        ? result.probabilities
        : undefined;
  const reply: BlockReply = { labels: result.labels, probabilities, input };
  const transfer = [reply.labels.buffer, probabilities?.buffer, input.buffer].filter(
    (b) => b !== undefined,
  ) as ArrayBuffer[];
  return { reply, transfer };
});
