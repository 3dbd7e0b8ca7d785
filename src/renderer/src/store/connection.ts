// What the page says when its link to Tomoseg drops (web mode) and when it is back: a restarted
// Tomoseg has closed everything, so the volume shown is opened again and the user is told what
// did not survive.
import type { Services } from '../api/ClientContext';
import { openVolume } from './open';
import { say } from './messages';
import { useViewer } from './viewer';

export function watchConnection(services: Services): () => void {
  const { client } = services;
  let instance: string | null = null;
  client.api.appInfo({}).then(
    (info) => (instance = info.instance),
    () => undefined,
  );
  return client.onConnection((state) => {
    if (state === 'lost')
      return say(
        'connection',
        'error',
        'Trying to reconnect… Strokes and other changes made meanwhile are not kept.',
        'The connection to Tomoseg was lost',
      );
    client.api.appInfo({}).then(
      (info) => {
        if (info.instance === instance) return say('connection', 'done', 'Nothing was lost.', 'Reconnected to Tomoseg');
        instance = info.instance;
        const volume = useViewer.getState().volume;
        say(
          'connection',
          'warning',
          `It was restarted, which closed everything${volume ? `; ${volume.path} is opened again` : ''}. Labels not saved in a project are gone; open your project again to go on with it.`,
          'Reconnected to Tomoseg',
        );
        if (volume) void openVolume(services, { path: volume.path });
      },
      () => undefined,
    );
  });
}
