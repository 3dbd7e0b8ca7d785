import { badInput } from '../../../shared/errors';
import { formatOf, meshFromVolume, writeMeasurements, writeMesh } from '../../mesh';
import { type Volume, openVolume } from '../../volume';
import type { Command } from '../command';
import { FLAGS, MESH_THREADS, NOTES, checkOutputs, datasetFlag, integerFlag, numberFlag } from './shared';

/** The probability map of class K: its channel K (1-based, as in the labels) when it has several. */
async function openProbabilities(
  path: string,
  classValue: number | undefined,
  dataset: string | undefined,
): Promise<Volume> {
  const volume = await openVolume(path, { dataset });
  const channels = volume.channels ?? 1;
  if (channels === 1) return volume;
  await volume.close();
  if (classValue === undefined)
    throw badInput(`${path} holds ${channels} class channels: choose one with --class K (1..${channels})`);
  if (classValue > channels) throw badInput(`--class ${classValue}: ${path} holds only ${channels} class channels`);
  return openVolume(path, { channel: classValue - 1, dataset });
}

export const command: Command = {
  summary: 'turn a probability map or one class of a segmentation into closed surface meshes',
  flags: {
    probabilities: {
      type: 'string',
      value: 'PROB',
      description: 'class probabilities (uint8 255 = 1, or float 0-1): surface at p = 0.5, sub-voxel',
    },
    labels: {
      type: 'string',
      value: 'SEG',
      description: 'a segmentation (class values): surface of the voxels equal to --class',
    },
    class: {
      type: 'string',
      value: 'K',
      description: 'the class to mesh (with --labels; with a multi-channel PROB, its channel K)',
    },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'mesh to write, by extension: .stl (binary), .ply (binary) or .obj',
      required: true,
    },
    csv: {
      type: 'string',
      value: 'CSV',
      description: 'also write per-object volume, surface area, sphericity, centroid, bounding box',
    },
    smooth: { type: 'string', value: 'W', description: 'smoothing weight 0-1 (default 0.5; 0 follows the data only)' },
    edge: { type: 'string', value: 'L', description: 'target edge length in physical units (default: one voxel)' },
    'min-volume': {
      type: 'string',
      value: 'V',
      description: "drop objects smaller than V physical units³ (default: one voxel's volume)",
    },
    iterations: {
      type: 'string',
      value: 'N',
      description:
        'refinement iterations (default 6 for --labels, 15 for PROB; 0 = the raw extracted surface, marching cubes)',
    },
    dataset: {
      ...FLAGS.dataset,
      description: 'the 3D dataset of an HDF5 / NeXus PROB or SEG (default as for images; `tomoseg info` lists them)',
    },
    threads: MESH_THREADS,
    force: FLAGS.force,
  },
  notes: ["Coordinates are x, y, z in the volume's unit; voxel (0, 0, 0)'s centre is the origin.", ...NOTES],
  async run(flags, _positionals, context) {
    const probabilities = flags.probabilities as string | undefined;
    const labels = flags.labels as string | undefined;
    const out = flags.out as string;
    const csv = flags.csv as string | undefined;
    const force = flags.force === true;
    if ((probabilities === undefined) === (labels === undefined))
      throw badInput('give exactly one of --probabilities PROB or --labels SEG');
    const classValue = integerFlag(flags.class, 'class', 1);
    if (labels !== undefined && classValue === undefined)
      throw badInput('--labels needs --class K (the class to mesh)');
    formatOf(out);
    const input = (probabilities ?? labels)!;
    await checkOutputs([out, csv], [input], force);
    const options = {
      smooth: numberFlag(flags.smooth, 'smooth'),
      edgeLength: numberFlag(flags.edge, 'edge'),
      minVolume: numberFlag(flags['min-volume'], 'min-volume'),
      iterations: integerFlag(flags.iterations, 'iterations', 0),
      threads: integerFlag(flags.threads, 'threads', 1),
      signal: context.signal,
      progress: context.progress,
    };
    const dataset = datasetFlag(flags.dataset);
    const volume =
      labels !== undefined
        ? await openVolume(labels, { dataset })
        : await openProbabilities(input, classValue, dataset);
    try {
      const result = await meshFromVolume(volume, labels !== undefined ? { ...options, class: classValue } : options);
      if (result.nanVoxels > 0)
        context.out(`warning: ${result.nanVoxels} NaN voxels in ${input} were taken as outside`);
      if (result.objects.length === 0)
        throw badInput(
          result.removed > 0
            ? `all ${result.removed} objects are smaller than --min-volume; nothing written`
            : labels !== undefined
              ? `class ${classValue} has no voxels in ${labels}; nothing written`
              : `no voxel of ${input} exceeds p = 0.5; nothing written`,
        );
      if (result.touchesBorder) context.out('note: objects touch the volume border; they are closed along it');
      await writeMesh(
        out,
        result.objects.map((o) => o.mesh),
        { force },
      );
      if (csv) await writeMeasurements(csv, result.objects, result.unit, { force });
      const triangles = result.objects.reduce((n, o) => n + o.mesh.triangles.length / 3, 0);
      const leaky = result.objects.filter((o) => !o.watertight).length;
      context.out(
        `wrote ${out}: ${result.objects.length} objects, ${triangles} triangles` +
          (result.removed ? `, ${result.removed} small objects dropped` : '') +
          (leaky ? `, WARNING ${leaky} objects not watertight` : '') +
          (csv ? `; measurements in ${csv}` : ''),
      );
    } finally {
      await volume.close();
    }
  },
};
