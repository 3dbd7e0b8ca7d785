import { badInput } from '../../../shared/errors';
import { type SurfaceClasses, labelsFromSurfaces } from '../../mesh/surface-labels';
import { HALO, WINDOW } from '../../mesh/windows';
import { type Volume, createVolume, openVolume } from '../../volume';
import type { Command } from '../command';
import {
  FLAGS,
  MESH_THREADS,
  NOTES,
  checkOutputs,
  datasetFlag,
  describeSurfaces,
  integerFlag,
  surfaceOptions,
} from './shared';

/**
 * PROB's classes: channel c is class c + 1, the first the background. A single-channel map is the
 * probability of class 2 (class 1 wherever its surfaces do not reach).
 */
async function openClasses(path: string, dataset: string | undefined): Promise<SurfaceClasses> {
  const volume = await openVolume(path, { dataset });
  const channels = volume.channels ?? 1;
  if (channels === 1) return { background: 1, classes: [{ value: 2, probability: volume }] };
  await volume.close();
  if (channels > 255) throw badInput(`${path} holds ${channels} channels: labels are uint8, at most 255 classes`);
  const classes: { value: number; probability: Volume }[] = [];
  for (let channel = 1; channel < channels; channel++)
    classes.push({ value: channel + 1, probability: await openVolume(path, { channel, dataset }) });
  return { background: 1, classes };
}

export const command: Command = {
  summary: 'label a segmentation through surfaces: refined meshes of each class, voxelised',
  flags: {
    probabilities: {
      type: 'string',
      value: 'PROB',
      description:
        'class probabilities, one channel per class as `segment --probabilities` writes (uint8 255 = 1, or float 0-1); one channel: the probability of class 2',
      required: true,
    },
    out: FLAGS.out,
    'min-volume': FLAGS['min-volume'],
    smoothness: FLAGS.smoothness,
    dataset: { ...FLAGS.dataset, description: 'the 3D dataset of an HDF5 / NeXus PROB' },
    threads: MESH_THREADS,
    force: FLAGS.force,
  },
  notes: [
    'Each class but the first is meshed at p = 0.5 and refined; a voxel takes the class whose surfaces enclose its centre (the most probable where several do), else class 1. With two classes SEG is the voxels inside the mesh that `tomoseg mesh --probabilities PROB --class 2` writes with the same minimum volume and --smooth W as --smoothness W.',
    `A volume over ${WINDOW} voxels along an axis is meshed in windows of ${WINDOW}³, each with a margin of ${HALO} voxels round it, so memory follows a window, not the volume; the windows give the labels of whole surfaces (the same voxel for voxel on our benchmark volumes) except for an object below the minimum volume that reaches past a margin, which is kept there.`,
    ...NOTES,
  ],
  async run(flags, _positionals, context) {
    const [probabilities, out] = [flags.probabilities as string, flags.out as string];
    const force = flags.force === true;
    const options = { ...surfaceOptions(flags), threads: integerFlag(flags.threads, 'threads', 1) };
    await checkOutputs([out], [probabilities], force);
    const input = await openClasses(probabilities, datasetFlag(flags.dataset));
    try {
      const first = input.classes[0]!.probability;
      const writer = await createVolume(out, {
        shape: first.shape,
        dtype: 'uint8',
        kind: 'labels',
        voxelSize: first.voxelSize,
        unit: first.unit,
        force,
      });
      try {
        const summary = await labelsFromSurfaces(input, writer, {
          ...options,
          signal: context.signal,
          progress: context.progress,
        });
        await writer.commit({ signal: context.signal, progress: context.progress });
        context.out(describeSurfaces(summary));
      } catch (error) {
        await writer.abort();
        throw error;
      }
      context.out(`wrote ${out}`);
    } finally {
      await Promise.all(input.classes.map(({ probability }) => probability.close()));
    }
  },
};
