import { resolve } from 'node:path';
import { badInput } from '../../../shared/errors';
import { prepareOutputs } from '../../cluster/prepare';
import { predictPart } from '../../cluster/predict-part';
import { parsePart } from '../../cluster/parts';
import { loadModel } from '../../engine';
import type { Command } from '../command';
import {
  FLAGS,
  NOTES,
  checkOutputs,
  datasetFlag,
  integerFlag,
  outputOptions,
  smoothing,
  withVolumes,
  writeSegmentation,
} from './shared';

export const command: Command = {
  summary: 'segment an image with a saved model (whole, or one part of N on a cluster)',
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
    'no-smooth': FLAGS['no-smooth'],
    refine: FLAGS.refine,
    'min-volume': FLAGS['min-volume'],
    smoothness: FLAGS.smoothness,
    force: FLAGS.force,
    prepare: {
      type: 'string',
      value: 'N',
      description:
        'create the .zarr outputs for N parts (metadata only, marked incomplete); then run each --part i/N, then `tomoseg cluster finish OUT`',
    },
    part: {
      type: 'string',
      value: 'i/N',
      description:
        'predict part i of N (1 ≤ i ≤ N) into outputs made by --prepare N: whole output chunks no other part writes; a part already done is skipped',
    },
  },
  notes: [
    ...NOTES,
    'With --part, each part marks itself done only once all its chunks are stored; the output opens only after `tomoseg cluster finish` (`tomoseg cluster submit` runs all of this as a SLURM job array).',
  ],
  async run(flags, _positionals, context) {
    const [image, modelPath, out] = [flags.image as string, flags.model as string, flags.out as string];
    const probabilities = flags.probabilities as string | undefined;
    const options = outputOptions(flags);
    const dataset = datasetFlag(flags.dataset);
    if (flags.prepare !== undefined && flags.part !== undefined)
      throw badInput('--prepare N and --part i/N are two steps: prepare once, then run each part');
    if (options.refine && (flags.prepare !== undefined || flags.part !== undefined))
      throw badInput(
        '--refine meshes whole objects, which parts cannot: write --probabilities PROB with the parts, then run `tomoseg refine --probabilities PROB --out SEG` once `tomoseg cluster finish` is done',
      );
    if (flags.prepare !== undefined) {
      const parts = integerFlag(flags.prepare, 'prepare', 1)!;
      await checkOutputs([out, probabilities], [image, modelPath], options.force);
      const model = await loadModel(modelPath);
      await withVolumes(
        [image],
        context,
        (volume) =>
          prepareOutputs(
            model,
            volume,
            { out, probabilities },
            {
              parts,
              imagePath: image,
              modelPath,
              dataset,
              smooth: smoothing(model, options.smooth),
              force: options.force,
            },
          ),
        dataset,
      );
      context.out(`prepared ${out}${probabilities ? ` and ${probabilities}` : ''} for ${parts} parts`);
      return;
    }
    if (flags.part !== undefined) {
      const { part, parts } = parsePart(String(flags.part));
      const model = await loadModel(modelPath);
      const result = await withVolumes(
        [image],
        context,
        (volume) =>
          predictPart(model, volume, out, {
            part,
            parts,
            given: {
              image: resolve(image),
              dataset,
              model: resolve(modelPath),
              smooth: smoothing(model, options.smooth),
              probabilities: probabilities && resolve(probabilities),
            },
            threads: options.threads,
            signal: context.signal,
            progress: context.progress,
          }),
        dataset,
      );
      context.out(`part ${part}/${parts} of ${out} ${result === 'done' ? 'was already done' : 'done'}`);
      return;
    }
    await checkOutputs([out, probabilities], [image, modelPath], options.force);
    const model = await loadModel(modelPath);
    await withVolumes(
      [image],
      context,
      (volume) => writeSegmentation(model, volume, { out, probabilities }, options, context),
      dataset,
    );
    context.out(`wrote ${out}${probabilities ? ` and ${probabilities}` : ''}`);
  },
};
