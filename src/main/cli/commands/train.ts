import { saveModel, trainModel } from '../../engine';
import type { Command } from '../command';
import { FLAGS, NOTES, checkOutputs, datasetFlag, describeModel, integerFlag, withVolumes } from './shared';

export const command: Command = {
  summary: 'train a model on sparse labels and save it',
  flags: {
    image: FLAGS.image,
    dataset: FLAGS.dataset,
    labels: FLAGS.labels,
    model: { type: 'string', value: 'MODEL', description: 'where to save the model (JSON)', required: true },
    seed: FLAGS.seed,
    force: FLAGS.force,
  },
  notes: NOTES,
  async run(flags, _positionals, context) {
    const [image, labels, modelPath] = [flags.image as string, flags.labels as string, flags.model as string];
    const force = flags.force === true;
    const seed = integerFlag(flags.seed, 'seed', 0);
    await checkOutputs([modelPath], [image, labels], force);
    const model = await withVolumes(
      [image, labels],
      context,
      (volume, labelVolume) =>
        trainModel(volume, labelVolume, { seed, signal: context.signal, progress: context.progress }),
      datasetFlag(flags.dataset),
    );
    await saveModel(model, modelPath, force);
    context.out(describeModel(model));
    context.out(`wrote ${modelPath}`);
  },
};
