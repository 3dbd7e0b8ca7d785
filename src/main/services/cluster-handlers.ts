// The API handlers of the cluster methods: arguments (checked by the contract) to service calls.
import type { ClusterResults } from '../../shared/api/cluster';
import type { Handlers } from '../api/dispatch';
import type { ClusterService } from './cluster-service';

export function clusterHandlers(service: ClusterService): Pick<Handlers, keyof ClusterResults> {
  return {
    exportModel: ({ volumeId, path, overwrite }) => service.exportModel(volumeId, path, overwrite),
    clusterCommand: (args) => service.command(args),
    clusterResult: ({ path }) => service.result(path),
  };
}
