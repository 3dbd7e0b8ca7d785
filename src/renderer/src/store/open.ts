// Opening a volume from any entry point (sample, dialog, path field, drop): one flow, one place
// where errors become a message naming the file.
import type { VolumeInfo } from '../../../shared/volume';
import type { Services } from '../api/ClientContext';
import { clearMessage, sayError } from './messages';
import { loadSegmentation } from './segmentation-actions';
import { useViewer } from './viewer';

export type OpenTarget = { sample: true } | { path: string };

export const fileName = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

export async function openVolume(services: Services, target: OpenTarget): Promise<void> {
  const { client } = services;
  const viewer = useViewer.getState();
  const label = 'path' in target ? target.path : 'the bundled sample';
  viewer.setOpening(label);
  clearMessage('app');
  try {
    const info =
      'path' in target ? await client.api.openVolume({ path: target.path }) : await client.api.openSample({});
    await showVolume(services, info);
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
