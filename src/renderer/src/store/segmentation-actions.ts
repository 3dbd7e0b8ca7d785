// Calls to the segmentation service from the tools and the panel: each refreshes what it changed
// (label slices in the changed box, classes, undo state) and turns a refusal into the panel's message.
import type { StrokeResult } from '../../../shared/api';
import { axisIndex } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { clearMessage, say, sayError } from './messages';
import { useLabelEdits } from './overviews';
import { useSegmentation } from './segmentation';
import { labelsChanged } from './training-actions';
import { useTraining } from './training';
import { useViewer } from './viewer';

const volumeId = (): string | null => useViewer.getState().volume?.id ?? null;

async function run<T>(work: (volumeId: string) => Promise<T>): Promise<T | undefined> {
  const id = volumeId();
  if (!id) return undefined;
  try {
    const result = await work(id);
    clearMessage('labels');
    return result;
  } catch (error) {
    sayError('labels', error);
    return undefined;
  }
}

/** Resolves once the views show the labels after the stroke; retrains when live. */
async function applyStroke(services: Services, id: string, result: StrokeResult): Promise<void> {
  useSegmentation.getState().setHistory(result);
  useSegmentation.getState().setLabelled(result.labelled);
  if (!result.changed) return;
  labelsChanged(services);
  useLabelEdits.getState().edited();
  await services.labels.invalidate(id, result.changed);
}

/** Loads classes and undo state for a newly opened volume. */
export async function loadSegmentation({ client }: Services): Promise<void> {
  useSegmentation.getState().reset();
  useTraining.getState().reset();
  await run(async (id) => {
    const state = await client.api.segmentationState({ volumeId: id });
    useSegmentation.getState().setClasses(state.classes);
    useSegmentation.getState().setHistory(state);
    useSegmentation.getState().setLabelled(state.labelled);
    useTraining.getState().set({ model: state.model, result: state.segmentation }); // a project's saved work
  });
}

export interface StrokeInput {
  axis: 'z' | 'y' | 'x';
  index: number;
  /** Slice pixels (column, row, column, row, ...). */
  points: number[];
}

export async function paint(services: Services, { axis, index, points }: StrokeInput): Promise<void> {
  const { tool, radius, shape, activeClass } = useSegmentation.getState();
  if (tool === 'navigate') return;
  if (tool !== 'erase' && activeClass === null) return say('labels', 'error', 'Add a class to paint with.');
  useTraining.getState().set({ lastAxis: axis });
  await run(async (id) => {
    const result = await services.client.api.paintStroke({
      volumeId: id,
      axis,
      index,
      points,
      radius,
      mode: tool === 'fill' ? 'fill' : shape,
      erase: tool === 'erase',
      ...(tool === 'erase' ? {} : { classId: activeClass! }),
    });
    await applyStroke(services, id, result);
  });
}

export async function undo(services: Services): Promise<void> {
  await run(async (id) => applyStroke(services, id, await services.client.api.undoStroke({ volumeId: id })));
}

export async function redo(services: Services): Promise<void> {
  await run(async (id) => applyStroke(services, id, await services.client.api.redoStroke({ volumeId: id })));
}

/** Writes the model's prediction of the slice last painted on (at the cursor) into the labels: one undoable stroke. */
export async function acceptPrediction(services: Services): Promise<void> {
  const axis = useTraining.getState().lastAxis;
  const index = useViewer.getState().cursor[axisIndex(axis)];
  await run(async (id) =>
    applyStroke(services, id, await services.client.api.acceptPrediction({ volumeId: id, axis, index })),
  );
}

async function refreshClasses({ client }: Services, id: string): Promise<void> {
  useSegmentation.getState().setClasses(await client.api.listClasses({ volumeId: id }));
}

export async function addClass(services: Services): Promise<void> {
  await run(async (id) => {
    const created = await services.client.api.defineClass({ volumeId: id });
    await refreshClasses(services, id);
    useSegmentation.getState().setActiveClass(created.id);
  });
}

export async function renameClass(services: Services, classId: number, name: string): Promise<void> {
  await run(async (id) => {
    await services.client.api.renameClass({ volumeId: id, classId, name });
    await refreshClasses(services, id);
  });
}

export async function recolourClass(services: Services, classId: number, colour: string): Promise<void> {
  await run(async (id) => {
    await services.client.api.recolourClass({ volumeId: id, classId, colour });
    await refreshClasses(services, id);
  });
}

export async function removeClass(services: Services, classId: number): Promise<void> {
  await run(async (id) => {
    await services.client.api.removeClass({ volumeId: id, classId });
    await refreshClasses(services, id);
  });
}
