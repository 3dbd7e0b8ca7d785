// `tomoseg cluster submit | status | finish`: a segmentation as a SLURM job array (see
// src/main/cluster): submit prepares the output and submits the parts and the finishing job,
// status says which parts are done, finish completes the output once they all are.
import { badInput } from '../../../shared/errors';
import { tomosegCommand } from '../../cluster/entry';
import { finishRun } from '../../cluster/finish';
import { describeState, runState } from '../../cluster/layout';
import { prepareOutputs } from '../../cluster/prepare';
import { submit } from '../../cluster/submit';
import { loadModel } from '../../engine';
import type { Command } from '../command';
import { FLAGS, checkOutputs, datasetFlag, integerFlag, smoothFlag, smoothing, withVolumes } from './shared';

const ACTIONS = ['submit', 'status', 'finish'] as const;

export const command: Command = {
  summary: 'segment on a SLURM cluster: submit a job array writing one OME-Zarr, ask its status, finish it',
  positional: {
    name: 'ACTION [SEG]',
    description:
      'submit (with --image, --model, --out, --tasks), status SEG.zarr (which parts are done), finish SEG.zarr (pyramid, then mark complete; the last job runs it)',
  },
  flags: {
    image: { ...FLAGS.image, required: false },
    dataset: FLAGS.dataset,
    model: { type: 'string', value: 'MODEL', description: 'a model saved by `tomoseg train` or `segment --model`' },
    out: { type: 'string', value: 'SEG', description: 'the segmentation to write: an OME-Zarr (.zarr)' },
    probabilities: FLAGS.probabilities,
    smooth: FLAGS.smooth,
    'no-smooth': FLAGS['no-smooth'],
    tasks: { type: 'string', value: 'N', description: 'SLURM array tasks: each segments 1/N of the output chunks' },
    cpus: {
      type: 'string',
      value: 'C',
      description: 'CPUs per task (sbatch --cpus-per-task), its worker threads (default 4)',
    },
    partition: { type: 'string', value: 'P', description: 'sbatch --partition' },
    time: { type: 'string', value: 'T', description: 'sbatch --time, per task, e.g. 2:00:00' },
    mem: { type: 'string', value: 'M', description: 'sbatch --mem, per task, e.g. 8G' },
    'sbatch-arg': {
      type: 'string',
      value: 'ARG',
      multiple: true,
      description: 'one more sbatch option, e.g. --sbatch-arg=--account=abc (repeatable)',
    },
    'dry-run': { type: 'boolean', description: 'print the batch scripts and the sbatch commands; change nothing' },
    force: {
      type: 'boolean',
      description: 'start again from scratch where SEG exists (complete, or prepared by another run)',
    },
  },
  notes: [
    'submit creates SEG for N parts (metadata only), writes SEG.slurm/predict.sbatch (the job array: task i runs `tomoseg predict --part i/N`) and SEG.slurm/finish.sbatch (after every task succeeded: `tomoseg cluster finish`), and submits both.',
    'Submitting again with the same flags runs only the parts not done (a task killed or out of time leaves its part not done); SEG opens only once finished.',
    'The jobs run this same Tomoseg (node and its path, absolute): install it where the compute nodes see it, and put the image, model and SEG on a shared file system.',
  ],
  async run(flags, positionals, context) {
    const [action, path, ...rest] = positionals;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number]))
      throw badInput(`tomoseg cluster needs an action: ${ACTIONS.join(', ')} (not '${action ?? ''}')`);
    if (action === 'status' || action === 'finish') {
      if (!path || rest.length > 0) throw badInput(`tomoseg cluster ${action} needs one SEG.zarr`);
      if (action === 'status') {
        for (const line of describeState(path, await runState(path))) context.out(line);
        return;
      }
      const result = await finishRun(path, { signal: context.signal, progress: context.progress });
      context.out(result === 'complete' ? `${path} was already complete` : `${path} is complete`);
      return;
    }
    if (path) throw badInput('tomoseg cluster submit takes its paths as flags: --image, --model, --out');
    const need = ['image', 'model', 'out', 'tasks'].filter((f) => flags[f] === undefined);
    if (need.length > 0) throw badInput(`cluster submit needs --${need.join(', --')} (see tomoseg cluster --help)`);
    const [image, model, out] = [flags.image as string, flags.model as string, flags.out as string];
    const probabilities = flags.probabilities as string | undefined;
    const dataset = datasetFlag(flags.dataset);
    const tasks = integerFlag(flags.tasks, 'tasks', 1)!;
    const loaded = await loadModel(model);
    const smooth = smoothing(loaded, smoothFlag(flags));
    const force = flags.force === true;
    await submit({
      image,
      dataset,
      model,
      out,
      probabilities,
      smooth,
      tasks,
      cpus: integerFlag(flags.cpus, 'cpus', 1) ?? 4,
      partition: flags.partition as string | undefined,
      time: flags.time as string | undefined,
      mem: flags.mem as string | undefined,
      extra: typeof flags['sbatch-arg'] === 'string' ? flags['sbatch-arg'].split('\n') : [],
      force,
      dryRun: flags['dry-run'] === true,
      tomoseg: tomosegCommand(),
      print: context.out,
      prepare: async () => {
        await checkOutputs([out, probabilities], [image, model], force);
        await withVolumes(
          [image],
          context,
          (volume) =>
            prepareOutputs(
              loaded,
              volume,
              { out, probabilities },
              { parts: tasks, imagePath: image, modelPath: model, dataset, smooth, force },
            ),
          dataset,
        );
        context.out(`prepared ${out} for ${tasks} parts`);
      },
    });
  },
};
