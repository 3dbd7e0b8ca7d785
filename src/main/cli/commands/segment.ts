import { saveModel, trainModel } from '../../engine';
import type { Command } from '../command';
import {
  FLAGS,
  NOTES,
  checkOutputs,
  datasetFlag,
  describeModel,
  integerFlag,
  outputOptions,
  withVolumes,
  writeSegmentation,
} from './shared';

export const command: Command = {
  summary: 'train on sparse labels and segment the whole image',
  flags: {
    image: FLAGS.image,
    dataset: FLAGS.dataset,
    labels: FLAGS.labels,
    out: FLAGS.out,
    probabilities: FLAGS.probabilities,
    model: { type: 'string', value: 'MODEL', description: 'also save the trained model (JSON) for `tomoseg predict`' },
    threads: FLAGS.threads,
    smooth: FLAGS.smooth,
    'no-smooth': FLAGS['no-smooth'],
    refine: FLAGS.refine,
    'min-volume': FLAGS['min-volume'],
    smoothness: FLAGS.smoothness,
    seed: FLAGS.seed,
    force: FLAGS.force,
  },
  notes: NOTES,
  async run(flags, _positionals, context) {
    const [image, labels, out] = [flags.image as string, flags.labels as string, flags.out as string];
    const probabilities = flags.probabilities as string | undefined;
    const modelPath = flags.model as string | undefined;
    const options = outputOptions(flags);
    const seed = integerFlag(flags.seed, 'seed', 0);
    await checkOutputs([out, probabilities, modelPath], [image, labels], options.force);
    await withVolumes(
      [image, labels],
      context,
      async (volume, labelVolume) => {
        const model = await trainModel(volume, labelVolume, {
          seed,
          signal: context.signal,
          progress: context.progress,
        });
        context.out(describeModel(model));
        if (modelPath) await saveModel(model, modelPath, options.force);
        await writeSegmentation(model, volume, { out, probabilities }, options, context);
      },
      datasetFlag(flags.dataset),
    );
    context.out(`wrote ${out}${probabilities ? ` and ${probabilities}` : ''}`);
  },
};
