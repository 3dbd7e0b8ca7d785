// Wires the transport-free services into the API handlers. The Electron shell and the web server
// both call `createBackend` and differ only in how they carry calls and what host features exist.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Handlers } from '../api/dispatch';
import { Activity, markingActivity } from './activity';
import { clusterHandlers } from './cluster-handlers';
import { ClusterService } from './cluster-service';
import { EventBus } from './events';
import { Jobs } from './jobs';
import { RecentList } from './recent';
import { WorkerEngine } from '../segmentation/worker-engine';
import { projectHandlers } from './project-handlers';
import type { WorkHost } from '../project/saved-work';
import type { ProjectVolumeHost } from './open-project';
import { ProjectService } from './project-service';
import { meshHandlers } from './mesh-handlers';
import { MeshService } from './mesh-service';
import { segmentationHandlers } from './segmentation-handlers';
import { SegmentationService } from './segmentation-service';
import { volumeHandlers } from './volume-handlers';
import { VolumeService } from './volume-service';

export interface BackendOptions {
  shell: 'electron' | 'web';
  version: string;
  /** Per-user settings folder (recent files). */
  dataDir: string;
  /** Folder holding `sample/`, shipped with the app. */
  resourcesDir: string;
  /** A native file dialog, where the shell has one. */
  pickFile?: (title?: string) => Promise<string | null>;
}

export const SAMPLE_FILE = join('sample', 'bone_128x128x128.tif');

/** What a transport carries: the API handlers and the events pushed to every renderer (and the jobs). */
export interface Backend {
  handlers: Handlers;
  events: EventBus;
  jobs: Jobs;
}

export function createBackend(options: BackendOptions): Backend {
  const instance = randomUUID();
  const events = new EventBus();
  const jobs = new Jobs(events);
  const user = new Activity();
  const recent = new RecentList(join(options.dataDir, 'recent-volumes.json'));
  const volumes = new VolumeService(recent, {
    convertedDir: join(options.dataDir, 'converted'),
    // Tests set a small threshold so that a small file is offered conversion.
    slowBrowseBytes: Number(process.env.TOMOSEG_SLOW_BROWSE_BYTES) || undefined,
  });
  /** Closes a volume everywhere: its meshes and segmentation (their jobs cancelled), then the file. */
  const closeVolume = async (volumeId: string): Promise<boolean> => {
    meshes.forget(volumeId);
    await segmentation.forget(volumeId);
    return volumes.close(volumeId);
  };
  // Volumes a project closes are closed as when the UI closes them.
  const projectVolumes: ProjectVolumeHost = {
    openPath: (path, remember, dataset) => volumes.openPath(path, remember, dataset),
    get: (volumeId) => volumes.get(volumeId),
    info: (volumeId) => volumes.info(volumeId),
    close: closeVolume,
  };
  // Save stores the segmentation's model and result; opening a project gives them back.
  const work: WorkHost = {
    workOf: (volumeId) => segmentation.workOf(volumeId),
    restore: (volumeId, saved) => segmentation.restoreWork(volumeId, saved),
  };
  const projects = new ProjectService(
    projectVolumes,
    new RecentList(join(options.dataDir, 'recent-projects.json')),
    jobs,
    work,
  );
  const segmentation = new SegmentationService({
    volumes,
    jobs,
    // training and prediction in worker threads, so requests keep being answered meanwhile; a
    // segment-all pauses while the user scrolls or paints
    engine: new WorkerEngine({ user }),
    // Labels live in the open project and are saved per stroke.
    labelsFor: (volumeId, volume) => projects.labelsFor(volumeId, volume),
    labelsChanged: (volumeId) => projects.recordStroke(volumeId),
    classesFor: (volumeId) => projects.classesFor(volumeId),
    classesChanged: (volumeId, classes) => projects.saveClasses(volumeId, classes),
  });
  const meshes = new MeshService({
    jobs,
    segmentationOf: (volumeId) => segmentation.segmentationResult(volumeId),
    classesOf: (volumeId) => segmentation.listClasses(volumeId),
  });

  const handlers: Handlers = markingActivity(user, {
    appInfo: async () => ({ version: options.version, shell: options.shell, platform: process.platform, instance }),
    pickFile: async ({ title }) => (options.pickFile ? options.pickFile(title) : null),
    cancelJob: async ({ jobId }) => jobs.cancel(jobId),
    userActive: async () => null, // marks the user active, as every scrolling and painting call does
    // A volume of the open project, closed and opened again, gets its project labels back.
    openVolume: async ({ path, dataset }) => projects.attachOpened(await volumes.openPath(path, true, dataset)),
    openSample: async () =>
      projects.attachOpened(await volumes.openPath(join(options.resourcesDir, SAMPLE_FILE), false)),
    closeVolume: async ({ volumeId }) => {
      projects.forget(volumeId);
      return closeVolume(volumeId);
    },
    recentVolumes: () => recent.list(),
    readSlice: ({ volumeId, axis, index, level }) => volumes.readSlice(volumeId, axis, index, level),
    ...volumeHandlers(volumes, jobs),
    ...segmentationHandlers(segmentation),
    ...projectHandlers(projects),
    ...meshHandlers(meshes),
    ...clusterHandlers(new ClusterService({ volumes, modelOf: (volumeId) => segmentation.currentModel(volumeId) })),
  });
  return { handlers, events, jobs };
}
