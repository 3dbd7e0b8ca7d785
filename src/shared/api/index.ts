// The one API contract. Each domain declares its methods (zod schemas for the arguments, a
// result type each); the main side implements them transport-free, the preload and the
// WebSocket server carry them, and the renderer calls them without knowing which transport runs.
import type { z } from 'zod';
import { appArgs, type AppResults, type JobStatus } from './app';
import { volumeArgs, type VolumeResults } from './volume';
import { segmentationArgs, type SegmentationResults } from './segmentation';
import { projectArgs, type ProjectResults } from './project';
import { meshArgs, type MeshResults } from './mesh';
import { clusterArgs, type ClusterResults } from './cluster';

export * from './app';
export * from './volume';
export * from './segmentation';
export * from './project';
export * from './mesh';
export * from './cluster';

export const apiArgs = { ...appArgs, ...volumeArgs, ...segmentationArgs, ...projectArgs, ...meshArgs, ...clusterArgs };

export type ApiResults = AppResults &
  VolumeResults &
  SegmentationResults &
  ProjectResults &
  MeshResults &
  ClusterResults;
export type Method = keyof typeof apiArgs & keyof ApiResults;
export type ApiArgs<M extends Method> = z.input<(typeof apiArgs)[M]>;

/** What the renderer calls: one async function per method. */
export type Api = { [M in Method]: (args: ApiArgs<M>) => Promise<ApiResults[M]> };

export const METHODS = Object.keys(apiArgs) as Method[];

/** Pushed from the main side to every connected renderer. */
export type ApiEvent = { type: 'job'; job: JobStatus };

/** Prefix of every IPC channel, so nothing else on the bus can be mistaken for an API call. */
export const CHANNEL_PREFIX = 'tomoseg:';
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;

/** What the preload exposes on `window.tomoseg` (IPC calls answer with a result or an error). */
export interface PreloadBridge {
  methods: Record<
    Method,
    (args: unknown) => Promise<{ result: unknown } | { error: import('../errors').SerializedError }>
  >;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  pathForFile(file: File): string;
}
