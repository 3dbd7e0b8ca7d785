// The API handlers of the mesh methods: arguments (checked by the contract) to service calls; a
// mesh job answers with its id at once, its outcome reaches the UI as job events.
import type { MeshResults } from '../../shared/api/mesh';
import type { Handlers } from '../api/dispatch';
import { jobStarted } from './jobs';
import type { MeshService } from './mesh-service';

/** The API handlers of the mesh methods; a mesh job answers with its id at once. */
export function meshHandlers(service: MeshService): Pick<Handlers, keyof MeshResults> {
  return {
    meshSegmentation: async (args) => jobStarted(service.meshSegmentation(args)),
    measureObjects: async (args) => jobStarted(await service.measureObjects(args)),
    readMesh: async ({ meshId }) => service.readMesh(meshId),
    meshMeasurements: async ({ meshId }) => service.meshMeasurements(meshId),
    exportMesh: (args) => service.exportMesh(args),
  };
}
