// Opening a volume from any entry point (sample, dialog, path field, drop): one flow, one place
// where errors become a message naming the file. An HDF5 / NeXus file with several 3D datasets
// asks which one first (the pending choice below, shown by panels/DatasetPicker).
import { create } from 'zustand';
import type { VolumeDatasets } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { clearMessage, sayError } from './messages';
import { loadSegmentation } from './segmentation-actions';
import { useViewer } from './viewer';

/** `dataset`: which dataset of an HDF5 file to open; asked for when the file has several and none is given. */
export type OpenTarget = { sample: true } | { path: string; dataset?: string };

/** A file whose dataset the user is asked to pick; `pick` answers with the path, or null (cancel). */
export interface DatasetChoice {
  file: string;
  choices: VolumeDatasets;
  pick(dataset: string | null): void;
}

export const useDatasetChoice = create<{ pending: DatasetChoice | null }>()(() => ({ pending: null }));

/** The dataset to open from `path`: none for a file with at most one candidate, the user's pick among several, null when cancelled. */
async function chooseDataset(services: Services, path: string): Promise<string | undefined | null> {
  const choices = await services.client.api.volumeDatasets({ path });
  if (choices.datasets.length < 2) return undefined;
  return new Promise((resolve) =>
    useDatasetChoice.setState({
      pending: {
        file: path,
        choices,
        pick: (dataset) => {
          useDatasetChoice.setState({ pending: null });
          resolve(dataset);
        },
      },
    }),
  );
}

export const fileName = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

export async function openVolume(services: Services, target: OpenTarget): Promise<void> {
  const { client } = services;
  const viewer = useViewer.getState();
  const label = 'path' in target ? target.path : 'the bundled sample';
  viewer.setOpening(label);
  clearMessage('app');
  try {
    if (!('path' in target)) return await showVolume(services, await client.api.openSample({}));
    const dataset = target.dataset ?? (await chooseDataset(services, target.path));
    if (dataset === null) return; // the user cancelled the choice
    await showVolume(
      services,
      await client.api.openVolume(dataset === undefined ? { path: target.path } : { path: target.path, dataset }),
    );
  } catch (error) {
    const file = 'path' in target ? fileName(target.path) : 'the sample';
    sayError('app', error, `Could not open ${file}`);
  } finally {
    useViewer.getState().setOpening(null);
  }
}

/** Shows `next` in the views (nothing when null) and closes what they showed before. */
export async function showVolume(services: Services, next: VolumeInfo | null): Promise<void> {
  const { client, slices, labels } = services;
  const previous = useViewer.getState().volume;
  if (previous?.id === next?.id) return;
  if (next) {
    // The slice views read a pyramid's levels as they need them (see store/slices).
    slices.setLevels(next.id, await client.api.volumeLevels({ volumeId: next.id }));
    useViewer.getState().setVolume(next);
    clearMessage('app');
    void loadSegmentation(services);
  } else useViewer.setState({ volume: null });
  if (previous) {
    slices.forget(previous.id);
    labels.forget(previous.id);
    // A volume of a project just closed is closed already: then this does nothing.
    await client.api.closeVolume({ volumeId: previous.id }).catch(() => undefined);
  }
}
