// "Run on cluster…": what the app needs to hand a volume to a SLURM cluster. The current model is
// written to a model file the jobs read; the command for the login node is `tomoseg cluster submit`
// with the volume's path, and its preview is that command's own `--dry-run` (src/main/cluster), so
// the app shows exactly the scripts the CLI would write. The result opens once complete; until then
// the volume layer's refusal says which parts are missing.
import type { ClusterCommand, ClusterResult } from '../../shared/api/cluster';
import { TomosegError, badInput } from '../../shared/errors';
import type { VolumeInfo } from '../../shared/volume';
import { runState } from '../cluster/layout';
import { shellQuote } from '../cluster/sbatch';
import { submit } from '../cluster/submit';
import { parseModel, saveModel } from '../engine';
import { Hdf5Volume } from '../volume/hdf5/reader';
import { openVolume } from '../volume/open';
import type { Volume } from '../volume/volume';
import type { TrainedModel } from './segmentation-sessions';

export interface ClusterServiceOptions {
  volumes: { info(volumeId: string): VolumeInfo; get(volumeId: string): Volume };
  /** The volume's current model (the segmentation service's); undefined before training. */
  modelOf(volumeId: string): TrainedModel | undefined;
}

export interface CommandRequest {
  volumeId: string;
  model: string;
  out: string;
  tasks: number;
  partition?: string | undefined;
  time?: string | undefined;
}

/** CPUs per task when `--cpus` is not given (the CLI's default). */
const CPUS = 4;

/**
 * How the preview names Tomoseg: on the login node the scripts run the Tomoseg that submitted them
 * by absolute path, which the app cannot know.
 */
const PREVIEW_TOMOSEG = ['tomoseg'];

export class ClusterService {
  constructor(private readonly options: ClusterServiceOptions) {}

  /** Writes the volume's current model to `path`; a quick preview model is refused (train the full one). */
  async exportModel(volumeId: string, path: string, overwrite: boolean): Promise<{ path: string }> {
    const trained = this.options.modelOf(volumeId);
    if (!trained) throw badInput('no model yet: paint at least two classes and train first');
    if (trained.preview)
      throw badInput('the current model is a quick preview for the live overlay: press Train for the full model first');
    await saveModel(parseModel(trained.model, 'the current model'), path, overwrite);
    return { path };
  }

  /** The submit command for the login node and what its `--dry-run` prints. */
  async command(request: CommandRequest): Promise<ClusterCommand> {
    const info = this.options.volumes.info(request.volumeId);
    const volume = this.options.volumes.get(request.volumeId);
    const dataset = volume instanceof Hdf5Volume ? volume.datasetPath : undefined;
    const partition = request.partition || undefined;
    const time = request.time || undefined;
    const args = [
      ['--image', info.path],
      ...(dataset ? [['--dataset', dataset]] : []),
      ['--model', request.model],
      ['--out', request.out],
      ['--tasks', String(request.tasks)],
      ...(partition ? [['--partition', partition]] : []),
      ...(time ? [['--time', time]] : []),
    ];
    const command = ['npx tomoseg cluster submit', ...args.map((a) => a.map(shellQuote).join(' '))].join(' ');
    const lines: string[] = [];
    await submit({
      image: info.path,
      dataset,
      model: request.model,
      out: request.out,
      smooth: false,
      tasks: request.tasks,
      cpus: CPUS,
      partition,
      time,
      extra: [],
      force: false,
      dryRun: true,
      tomoseg: PREVIEW_TOMOSEG,
      print: (line) => lines.push(line),
      prepare: () => {
        throw new TomosegError('internal', 'a dry run prepares nothing');
      },
    });
    return { command, script: lines.join('\n') };
  }

  /** Whether the segmentation at `path` opens: complete, not there yet, or the volume layer's refusal. */
  async result(path: string): Promise<ClusterResult> {
    const state = await runState(path);
    if (state.state === 'absent')
      return { state: 'absent', message: `${path} does not exist yet: submit the command on the login node first` };
    if (state.state === 'complete') return { state: 'complete', message: '' };
    // The refusal every reader gives an incomplete output, naming the missing parts.
    const refusal = await openVolume(path).then(
      async (volume) => {
        await volume.close();
        return undefined;
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    return refusal === undefined ? { state: 'complete', message: '' } : { state: 'incomplete', message: refusal };
  }
}
