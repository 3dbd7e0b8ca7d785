// The API handlers of the segmentation methods: arguments (checked by the contract) to service
// calls; a job answers with its id at once, its outcome reaches the UI as job events.
import type { SegmentationResults } from '../../shared/api/segmentation';
import type { Handlers } from '../api/dispatch';
import { jobStarted } from './jobs';
import type { SegmentationService } from './segmentation-service';

/** The API handlers of the segmentation methods; jobs answer with their id at once. */
export function segmentationHandlers(service: SegmentationService): Pick<Handlers, keyof SegmentationResults> {
  return {
    listClasses: async ({ volumeId }) => service.listClasses(volumeId),
    defineClass: async ({ volumeId, name, colour }) => service.defineClass(volumeId, name, colour),
    renameClass: async ({ volumeId, classId, name }) => service.renameClass(volumeId, classId, name),
    recolourClass: async ({ volumeId, classId, colour }) => service.recolourClass(volumeId, classId, colour),
    removeClass: async ({ volumeId, classId }) => service.removeClass(volumeId, classId),
    paintStroke: async (args) => service.paintStroke(args),
    undoStroke: async ({ volumeId }) => service.undoStroke(volumeId),
    redoStroke: async ({ volumeId }) => service.redoStroke(volumeId),
    readLabelSlice: async ({ volumeId, axis, index }) => service.readLabelSlice(volumeId, axis, index),
    readLabelOverview: async ({ volumeId, maxEdge }) => service.readLabelOverview(volumeId, maxEdge),
    train: async ({ volumeId, seed, preview }) => jobStarted(service.train(volumeId, { seed, preview })),
    readPredictionSlice: ({ volumeId, axis, index }) => service.readPredictionSlice(volumeId, axis, index),
    segmentAll: async ({ volumeId, threads, smooth, surfaces }) =>
      jobStarted(service.segmentAll(volumeId, { threads, smooth, surfaces })),
    postprocessResult: async ({ volumeId, step, undo }) =>
      jobStarted(service.postprocessResult(volumeId, undo ? 'undo' : { add: step! })),
    readSegmentationSlice: ({ volumeId, axis, index }) => service.readSegmentationSlice(volumeId, axis, index),
    readSegmentationOverview: ({ volumeId, maxEdge }) => service.readSegmentationOverview(volumeId, maxEdge),
    acceptPrediction: ({ volumeId, ...where }) => service.acceptPrediction(volumeId, where),
    exportSegmentation: async (args) => jobStarted(await service.exportSegmentation(args)),
    segmentationState: async ({ volumeId }) => service.segmentationState(volumeId),
    readHistograms: ({ volumeId, bins }) => service.readHistograms(volumeId, bins),
  };
}
