import { badInput } from '../../../shared/errors';
import { importToZarr } from '../../volume';
import type { Command } from '../command';
import { FLAGS, checkOutputs, datasetFlag } from './shared';

export const command: Command = {
  summary: 'convert an image (e.g. a large TIFF stack) to a chunked OME-Zarr pyramid that browses fast',
  flags: {
    image: FLAGS.image,
    dataset: FLAGS.dataset,
    out: { type: 'string', value: 'OUT', description: 'the OME-Zarr folder to write (.zarr)', required: true },
    force: FLAGS.force,
  },
  async run(flags, _positionals, context) {
    const [image, out] = [flags.image as string, flags.out as string];
    if (!out.endsWith('.zarr')) throw badInput(`--out ${out}: the import writes OME-Zarr, name it *.zarr`);
    const force = flags.force === true;
    await checkOutputs([out], [image], force);
    await importToZarr(image, out, {
      force,
      dataset: datasetFlag(flags.dataset),
      signal: context.signal,
      progress: context.progress,
    });
    context.out(`wrote ${out}`);
  },
};
