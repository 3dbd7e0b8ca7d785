import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/api';
import { useServices } from '../api/ClientContext';

/** The shell that serves the API (the desktop app has native file dialogs); null until it has said. */
export function useShell(): AppInfo['shell'] | null {
  const { client } = useServices();
  const [shell, setShell] = useState<AppInfo['shell'] | null>(null);
  useEffect(() => {
    client.api.appInfo({}).then(
      (info) => setShell(info.shell),
      () => undefined,
    );
  }, [client]);
  return shell;
}
