import { z } from 'zod';

export const appArgs = {
  appInfo: z.object({}),
  /** Native file dialog; resolves null where the shell has none (web mode). */
  pickFile: z.object({ title: z.string().optional() }),
  cancelJob: z.object({ jobId: z.string().min(1) }),
  /** The user is scrolling or painting: background work (segment-all) steps aside for a moment. */
  userActive: z.object({}),
};

export interface AppInfo {
  version: string;
  /** Which shell serves the API: the desktop app or the local web server. */
  shell: 'electron' | 'web';
  platform: string;
  /** New with every start of the services: a page that reconnects tells a restart (its volumes closed) from a dropped link. */
  instance: string;
}

export interface AppResults {
  appInfo: AppInfo;
  pickFile: string | null;
  cancelJob: boolean;
  userActive: null;
}

/**
 * What a job does: converting a volume (`import`), the segmentation service's training, segment-all,
 * post-processing its result and export, meshing a class or measuring its objects, and the project's bundle export and import.
 */
export type JobKind =
  | 'import'
  | 'train'
  | 'segment-all'
  | 'postprocess'
  | 'export'
  | 'mesh'
  | 'measure'
  | 'export-bundle'
  | 'import-bundle';

/** Progress of a long-running operation (import, training, inference, meshing, export). */
export interface JobStatus {
  id: string;
  kind: JobKind;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Units of work finished and expected; `total` 0 while unknown. */
  done: number;
  total: number;
  message: string;
  error?: string;
}
