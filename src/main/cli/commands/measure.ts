import { writeObjectsTable } from '../../segmentation/objects';
import { openVolume } from '../../volume';
import type { Command } from '../command';
import { FLAGS, NOTES, checkOutputs, datasetFlag, integerFlag } from './shared';

export const command: Command = {
  summary: 'measure the objects of one class of a segmentation from its voxels (no mesh): CSV per object',
  flags: {
    labels: {
      type: 'string',
      value: 'SEG',
      description: 'a segmentation (class values), e.g. from `tomoseg segment`',
      required: true,
    },
    class: { type: 'string', value: 'K', description: 'the class whose objects to measure', required: true },
    csv: {
      type: 'string',
      value: 'CSV',
      description:
        'per object (6-connected voxels), largest first: voxels, volume, surface area, sphericity, equivalent diameter, centroid, bounding box, and the class fraction',
      required: true,
    },
    'min-voxels': { type: 'string', value: 'N', description: 'leave out objects of fewer voxels (default 1)' },
    dataset: { ...FLAGS.dataset, description: 'the 3D dataset of an HDF5 / NeXus SEG' },
    force: FLAGS.force,
  },
  notes: [
    "Coordinates are x, y, z in the volume's unit; voxel (0, 0, 0)'s centre is the origin.",
    'Surface area is 2/3 of the faces bordering other classes (an unbiased estimate for curved surfaces; `tomoseg mesh` measures it on a surface).',
    ...NOTES,
  ],
  async run(flags, _positionals, context) {
    const labels = flags.labels as string;
    const csv = flags.csv as string;
    const force = flags.force === true;
    const classValue = integerFlag(flags.class, 'class', 1)!;
    const minVoxels = integerFlag(flags['min-voxels'], 'min-voxels', 1);
    await checkOutputs([csv], [labels], force);
    const volume = await openVolume(labels, { dataset: datasetFlag(flags.dataset) });
    try {
      const result = await writeObjectsTable(volume, classValue, csv, {
        absent: `class ${classValue} has no voxels in ${labels}; nothing written`,
        minVoxels,
        overwrite: force,
        signal: context.signal,
        progress: context.progress,
      });
      context.out(
        `wrote ${csv}: ${result.objects.length} objects of class ${classValue}` +
          (result.removed ? ` (${result.removed} below ${minVoxels} voxels left out)` : '') +
          `; the class is ${(result.fraction * 100).toPrecision(4)} % of the volume`,
      );
    } finally {
      await volume.close();
    }
  },
};
