// Segmenting on a SLURM cluster from the app: the model written to a file the jobs read, the
// commands to run on a login node with the batch scripts they would submit (the CLI's own
// `cluster submit --dry-run`), and whether the result is complete enough to open.
import { z } from 'zod';

const volumeId = z.string().min(1);
const optionalText = z.string().trim().max(200).optional();

export const clusterArgs = {
  /** Writes the volume's current full model to `path` as a model file (`tomoseg train --model`'s format). */
  exportModel: z.object({
    volumeId,
    path: z
      .string()
      .min(1)
      .regex(/\.json$/i, 'a model file is JSON: name it *.json'),
    overwrite: z.boolean().default(false),
  }),
  /**
   * The `tomoseg cluster submit` command that segments the volume with the model file `model` into
   * `out`, as `tasks` SLURM array tasks, and the batch scripts it would write (its `--dry-run`).
   */
  clusterCommand: z.object({
    volumeId,
    model: z.string().min(1),
    out: z
      .string()
      .min(1)
      .regex(/\.zarr$/i, 'a segmentation written in parts is an OME-Zarr: name it *.zarr'),
    tasks: z.number().int().min(1).max(100_000),
    partition: optionalText,
    time: optionalText,
  }),
  /** Whether the segmentation a cluster run writes to `path` opens yet: complete, or why not. */
  clusterResult: z.object({ path: z.string().min(1) }),
};

export interface ClusterCommand {
  /** One shell command for the login node. */
  command: string;
  /** What `--dry-run` prints: the scripts and the sbatch calls. */
  script: string;
}

export interface ClusterResult {
  state: 'absent' | 'incomplete' | 'complete';
  /** Why it does not open yet (the volume layer's refusal, naming the missing parts); empty when complete. */
  message: string;
}

export interface ClusterResults {
  exportModel: { path: string };
  clusterCommand: ClusterCommand;
  clusterResult: ClusterResult;
}
