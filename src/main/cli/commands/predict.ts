import { loadModel } from '../../engine';
import type { Command } from '../command';
import { FLAGS, NOTES, checkOutputs, datasetFlag, outputOptions, withVolumes, writeSegmentation } from './shared';

export const command: Command = {
  summary: 'segment an image with a saved model',
  flags: {
    image: FLAGS.image,
    dataset: FLAGS.dataset,
    model: {
      type: 'string',
      value: 'MODEL',
      description: 'a model saved by `tomoseg train` or `segment --model`',
      required: true,
    },
    out: FLAGS.out,
    probabilities: FLAGS.probabilities,
    threads: FLAGS.threads,
    smooth: FLAGS.smooth,
    force: FLAGS.force,
  },
  notes: NOTES,
  async run(flags, _positionals, context) {
    const [image, modelPath, out] = [flags.image as string, flags.model as string, flags.out as string];
    const probabilities = flags.probabilities as string | undefined;
    const options = outputOptions(flags);
    await checkOutputs([out, probabilities], [image, modelPath], options.force);
    const model = await loadModel(modelPath);
    await withVolumes(
      [image],
      context,
      (volume) => writeSegmentation(model, volume, { out, probabilities }, options, context),
      datasetFlag(flags.dataset),
    );
    context.out(`wrote ${out}${probabilities ? ` and ${probabilities}` : ''}`);
  },
};
