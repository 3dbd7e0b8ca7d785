import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/api';
import type { Client } from './api/client';

export function App({ client }: { client: Client }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    void client.api.appInfo({}).then(setInfo);
  }, [client]);
  return <div data-testid="app">Tomoseg {info?.version} ({info?.shell})</div>;
}
