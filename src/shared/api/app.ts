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
}

export interface AppResults {
  appInfo: AppInfo;
  pickFile: string | null;
  cancelJob: boolean;
  userActive: null;
}

/** Progress of a long-running operation (import, training, inference, meshing, export). */
export interface JobStatus {
  id: string;
  kind: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Units of work finished and expected; `total` 0 while unknown. */
  done: number;
  total: number;
  message: string;
  error?: string;
}
