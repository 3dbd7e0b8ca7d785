import { dirname } from 'node:path';
import { badInput } from '../../../shared/errors';
import { STEP_SYNTAX, describeStep, parseStep } from '../../../shared/postprocess';
import { postprocess } from '../../postprocess/postprocess';
import { copyVolume } from '../../segmentation/outputs';
import { createVolume, openVolume } from '../../volume';
import type { Command } from '../command';
import { FLAGS, NOTES, checkOutputs, datasetFlag } from './shared';

export const command: Command = {
  summary: 'post-process a segmentation: fill holes, remove small objects, keep the largest, open or close a class',
  flags: {
    labels: {
      type: 'string',
      value: 'SEG',
      description: 'a segmentation (uint8 class values), e.g. from `tomoseg segment`',
      required: true,
    },
    out: { ...FLAGS.out, value: 'OUT', description: 'the post-processed segmentation: .tif or .zarr' },
    step: {
      type: 'string',
      value: 'STEP',
      description: `a step, applied in the order given (repeat the flag): ${STEP_SYNTAX}`,
      required: true,
      multiple: true,
    },
    dataset: { ...FLAGS.dataset, description: 'the 3D dataset of an HDF5 / NeXus SEG' },
    force: FLAGS.force,
  },
  notes: [
    'fill-holes:K: what class K encloses (not reaching the volume’s edge) becomes K.',
    'remove-small:K:N and keep-largest:K: the objects of K (6-connected) that go take the class around them most.',
    'open:K:R and close:K:R: by a ball of radius R voxels; an opening gives what it removes to the nearest other class.',
    ...NOTES,
  ],
  async run(flags, _positionals, context) {
    const labels = flags.labels as string;
    const out = flags.out as string;
    const force = flags.force === true;
    const steps = String(flags.step)
      .split('\n')
      .map((text) => {
        try {
          return parseStep(text);
        } catch (error) {
          throw badInput(`--step: ${(error as Error).message}`);
        }
      });
    await checkOutputs([out], [labels], force);
    const volume = await openVolume(labels, { dataset: datasetFlag(flags.dataset) });
    try {
      // large intermediate results go beside the output, where there is room for it
      const result = await postprocess(volume, steps, {
        place: { folder: dirname(out) },
        signal: context.signal,
        progress: context.progress,
      });
      try {
        const writer = await createVolume(out, {
          shape: volume.shape,
          dtype: 'uint8',
          kind: 'labels',
          voxelSize: volume.voxelSize,
          unit: volume.unit,
          force,
        });
        try {
          await copyVolume(result.volume, writer, { signal: context.signal, progress: context.progress });
          await writer.commit({ signal: context.signal, progress: context.progress });
        } catch (error) {
          await writer.abort();
          throw error;
        }
      } finally {
        await result.dispose();
      }
      context.out(`wrote ${out}: ${steps.map((step) => describeStep(step).toLowerCase()).join(', then ')}`);
    } finally {
      await volume.close();
    }
  },
};
