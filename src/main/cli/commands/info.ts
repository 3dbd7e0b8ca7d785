import { backends } from '../../engine';
import type { Command } from '../command';
import { openVolume } from '../../volume';

export const command: Command = {
  summary: 'print shape, data type, voxel size and chunking of an image (or --backends)',
  positional: { name: 'IMG', description: 'a .tif/.tiff file, folder of TIFF slices, or .zarr' },
  flags: {
    backends: { type: 'boolean', description: 'list the compute backends, whether they load, and which one is used' },
  },
  async run(flags, positionals, context) {
    if (flags.backends) {
      const report = await backends();
      for (const b of report.available) context.out(`${b.name.padEnd(14)} ${b.loads ? 'loads' : 'no   '}  ${b.note}`);
      context.out(`used: ${report.used}`);
      return;
    }
    for (const path of positionals) {
      const volume = await openVolume(path);
      try {
        context.out(`${path}`);
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
