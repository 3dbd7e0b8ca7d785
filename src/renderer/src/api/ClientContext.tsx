import { createContext, useContext } from 'react';
import type { LabelSlice, SliceData } from '../../../shared/api';
import { SliceSource } from '../store/slices';
import { useViewer } from '../store/viewer';
import type { Client } from './client';

/** What the app's components reach through context: the API and the slice sources built on it. */
export interface Services {
  client: Client;
  slices: SliceSource<SliceData>;
  labels: SliceSource<LabelSlice>;
}

export function createServices(client: Client): Services {
  const report = (what: string) => (error: unknown, axis: string, index: number) => {
    const volume = useViewer.getState().volume;
    const message = error instanceof Error ? error.message : String(error);
    useViewer.getState().setError({
      title: `Could not read ${volume?.name ?? 'the volume'}`,
      message: `${what} ${axis} = ${index}: ${message}`,
    });
  };
  return {
    client,
    slices: new SliceSource(
      (volumeId, axis, index) => client.api.readSlice({ volumeId, axis, index }),
      report('slice'),
    ),
    labels: new SliceSource(
      (volumeId, axis, index) => client.api.readLabelSlice({ volumeId, axis, index }),
      report('labels of slice'),
    ),
  };
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}
