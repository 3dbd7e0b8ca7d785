// Opening a volume from any entry point (sample, dialog, path field, drop): one flow, one place
// where errors become a message naming the file.
import type { Services } from '../api/ClientContext';
import { loadSegmentation } from './segmentation-actions';
import { useViewer } from './viewer';

export type OpenTarget = { sample: true } | { path: string };

export const fileName = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

export async function openVolume(services: Services, target: OpenTarget): Promise<void> {
  const { client, slices, labels } = services;
  const viewer = useViewer.getState();
  const label = 'path' in target ? target.path : 'the bundled sample';
  viewer.setOpening(label);
  viewer.setError(null);
  try {
    const info =
      'path' in target ? await client.api.openVolume({ path: target.path }) : await client.api.openSample({});
    const previous = useViewer.getState().volume;
    useViewer.getState().setVolume(info);
    void loadSegmentation(services);
    if (previous) {
      slices.forget(previous.id);
      labels.forget(previous.id);
      await client.api.closeVolume({ volumeId: previous.id }).catch(() => undefined);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const file = 'path' in target ? fileName(target.path) : 'the sample';
    useViewer.getState().setError({ title: `Could not open ${file}`, message });
  } finally {
    useViewer.getState().setOpening(null);
  }
}
