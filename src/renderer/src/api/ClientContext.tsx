import { createContext, useContext } from 'react';
import type { LabelSlice, SliceData } from '../../../shared/api';
import { type ModelSlice, modelSlice } from '../store/model-slices';
import { SliceSource } from '../store/slices';
import { errorMessage, say } from '../store/messages';
import { useViewer } from '../store/viewer';
import type { Client } from './client';

/** What the app's components reach through context: the API and the slice sources built on it. */
export interface Services {
  client: Client;
  slices: SliceSource<SliceData>;
  labels: SliceSource<LabelSlice>;
  /** The current model's prediction of shown slices (empty before training). */
  predictions: SliceSource<ModelSlice>;
  /** The last segment-all result on shown slices (empty when there is none). */
  results: SliceSource<ModelSlice>;
}

export function createServices(client: Client): Services {
  const report = (what: string) => (error: unknown, axis: string, index: number) => {
    const volume = useViewer.getState().volume;
    say(
      'app',
      'error',
      `${what} ${axis} = ${index}: ${errorMessage(error)}`,
      `Could not read ${volume?.name ?? 'the volume'}`,
    );
  };
  return {
    client,
    slices: new SliceSource(
      (volumeId, axis, index, level) => client.api.readSlice({ volumeId, axis, index, level }),
      report('slice'),
    ),
    labels: new SliceSource(
      (volumeId, axis, index) => client.api.readLabelSlice({ volumeId, axis, index }),
      report('labels of slice'),
    ),
    predictions: new SliceSource(
      async (volumeId, axis, index) => modelSlice(await client.api.readPredictionSlice({ volumeId, axis, index })),
      report('prediction of slice'),
      // each is a prediction: after every live retraining only the visible ones are worth computing
      { prefetch: false },
    ),
    results: new SliceSource(
      async (volumeId, axis, index) => modelSlice(await client.api.readSegmentationSlice({ volumeId, axis, index })),
      report('segmentation of slice'),
    ),
  };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}
