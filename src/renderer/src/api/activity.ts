// Tells the service the user is scrolling, also through slices the renderer already holds (which
// ask it nothing), so that a segment-all leaves the CPU to the views meanwhile.
import { useEffect } from 'react';
import { useViewer } from '../store/viewer';
import type { Client } from './client';

/** At most one report per this many ms: the service counts the user active for longer. */
const REPORT_MS = 250;

export function useActivityReports(client: Client): void {
  useEffect(() => {
    let last = -Infinity;
    return useViewer.subscribe((state, previous) => {
      const now = performance.now();
      if (state.cursor === previous.cursor || now - last < REPORT_MS) return;
      last = now;
      client.api.userActive({}).catch(() => undefined); // a hint only
    });
  }, [client]);
}
