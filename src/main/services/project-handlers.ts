// The API handlers of the project methods: arguments (checked by the contract) to service calls.
import type { ProjectResults } from '../../shared/api/project';
import type { Handlers } from '../api/dispatch';
import type { ProjectService } from './project-service';

export function projectHandlers(service: ProjectService): Pick<Handlers, keyof ProjectResults> {
  return {
    newProject: ({ path, name, volumeIds }) => service.newProject(path, name, volumeIds),
    openProject: ({ path }) => service.openProject(path),
    saveProject: () => service.saveProject(),
    saveProjectAs: ({ path }) => service.saveProjectAs(path),
    closeProject: () => service.closeProject(),
    recentProjects: () => service.recentProjects(),
    projectState: async () => service.state(),
    addProjectVolume: ({ volumeId }) => service.addVolume(volumeId),
    relinkVolume: ({ projectVolumeId, path, acceptDifferentContent }) =>
      service.relinkVolume(projectVolumeId, path, acceptDifferentContent),
    exportBundle: async ({ path, includeData, preview }) => service.exportBundle(path, includeData, preview),
    importBundle: async ({ bundlePath, destFolder }) => service.importBundle(bundlePath, destFolder),
  };
}
