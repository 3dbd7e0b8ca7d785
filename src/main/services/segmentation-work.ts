// A session's work as a project keeps it (project/saved-work.ts): the current model as bytes and
// the last segment-all result, handed out for saving and taken back when a project opens.
import type { RestoredWork, VolumeWork } from '../project/saved-work';
import { type FinishedResult, held } from '../segmentation/outputs';
import type { SegmentationEngine } from '../segmentation/segmentation-engine';
import { type Session, disposeResult } from './segmentation-sessions';

/** What a project saves of `session`: its model and its result, identified by their objects. */
export function workOf(session: Session | undefined, engine: SegmentationEngine): VolumeWork {
  const trained = session?.model;
  const result = session?.result;
  return {
    ...(trained && {
      model: {
        token: trained,
        name: `${trained.preview ? 'preview model' : 'model'} ${trained.version}`,
        keep: () => ({
          payload: engine.modelToBytes(trained.model),
          preview: trained.preview,
          seed: trained.seed,
          fresh: trained.labelsVersion === session.history.store.version,
          trainedAt: trained.trainedAt.toISOString(),
          seconds: trained.seconds,
        }),
      },
    }),
    ...(result && {
      result: {
        token: result.stored,
        volume: result.stored.volume,
        probabilities: result.stored.probabilities,
        smooth: result.smooth,
        surfaces: result.surfaces,
        postprocess: result.steps,
        ofModel: result.modelVersion === trained?.version,
        hold: () => result.stored.hold(),
      },
    }),
  };
}

/**
 * Gives `session` a saved model and result, as if just trained and segmented: the views predict
 * and show at once. A model trained on other labels than the saved ones comes back stale.
 */
export async function restoreWork(session: Session, engine: SegmentationEngine, work: RestoredWork): Promise<void> {
  const { model, result } = work;
  if (model) {
    const restored = engine.modelFromBytes(model.payload, model.source);
    session.model = {
      model: restored,
      version: ++session.modelCount,
      seed: model.seed,
      preview: model.preview,
      labelsVersion: model.fresh ? session.history.store.version : -1,
      classes: engine.classesOf(restored),
      trainedAt: new Date(model.trainedAt),
      seconds: model.seconds,
    };
    session.slices.clear();
  }
  if (result) {
    const previous = session.result;
    const stored: FinishedResult = {
      volume: result.volume,
      ...(result.probabilities && { probabilities: result.probabilities }),
      // disposing a saved result closes it and leaves the project's files
      ...held(result.close),
    };
    // a result of another model than the one restored never counts as current
    session.result = {
      stored,
      modelVersion: result.ofModel && session.model ? session.model.version : 0,
      smooth: result.smooth,
      steps: result.postprocess,
      ...(result.surfaces && { surfaces: result.surfaces }),
    };
    await disposeResult(previous);
  }
}
