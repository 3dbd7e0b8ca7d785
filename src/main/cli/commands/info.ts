import { backends } from '../../engine';
import type { Command } from '../command';
import { openVolume } from '../../volume';
import { HDF5_EXTENSION, describe, listHdf5Volumes } from '../../volume/hdf5/reader';
import { datasetFlag } from './shared';

export const command: Command = {
  summary: 'print shape, data type, voxel size and chunking of an image (or --backends)',
  positional: {
    name: 'IMG',
    description: 'a .tif/.tiff file, folder of TIFF slices, .zarr, or .h5/.hdf5/.nxs (lists its 3D datasets)',
  },
  flags: {
    dataset: {
      type: 'string',
      value: 'PATH',
      description: 'the 3D dataset of an HDF5 / NeXus file to describe (default: the one that opens by default)',
    },
    backends: { type: 'boolean', description: 'list the compute backends, whether they load, and which one is used' },
  },
  async run(flags, positionals, context) {
    if (flags.backends) {
      const report = await backends();
      for (const b of report.available) context.out(`${b.name.padEnd(14)} ${b.loads ? 'loads' : 'no   '}  ${b.note}`);
      context.out(`used: ${report.used}`);
      return;
    }
    const dataset = datasetFlag(flags.dataset);
    for (const path of positionals) {
      context.out(`${path}`);
      if (HDF5_EXTENSION.test(path)) {
        // The 3D datasets first (* marks the one described): when none opens by default, the list
        // is what the user needs.
        const listing = await listHdf5Volumes(path);
        context.out(`  3D datasets ${listing.volumes.length === 0 ? '(none)' : ''}`.trimEnd());
        for (const v of listing.volumes)
          context.out(`    ${v.path === (dataset ?? listing.chosen) ? '*' : ' '} ${describe(v)}`);
        if (dataset === undefined && listing.chosen === undefined) {
          context.out(
            listing.volumes.length > 1
              ? '  no NeXus default among them: describe one with --dataset PATH'
              : `  ${listing.why ?? 'no dataset opens by default'}`,
          );
          continue;
        }
      }
      const volume = await openVolume(path, { dataset });
      try {
        context.out(`  format      ${volume.format}`);
        context.out(`  shape       ${volume.shape.join(' × ')} (z × y × x)`);
        context.out(`  dtype       ${volume.dtype}`);
        context.out(`  voxel size  ${volume.voxelSize.join(' × ')} ${volume.unit}`);
        context.out(`  chunks      ${volume.chunkShape.join(' × ')}`);
      } finally {
        await volume.close();
      }
    }
  },
};
