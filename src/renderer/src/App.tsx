import { useEffect, useMemo, useState, type DragEvent } from 'react';
import type { AppInfo } from '../../shared/api';
import { useActivityReports } from './api/activity';
import type { Client } from './api/client';
import { ServicesContext, createServices } from './api/ClientContext';
import { CursorPanel } from './panels/CursorPanel';
import { DatasetPicker } from './panels/DatasetPicker';
import { DisplayPanel } from './panels/DisplayPanel';
import { Message } from './components/Message';
import { HelpDialog, useHelp } from './panels/HelpDialog';
import { ImportBanner } from './panels/ImportBanner';
import { MeshPanel } from './panels/MeshPanel';
import { OpenDialog } from './panels/OpenDialog';
import { ProjectPanel } from './panels/ProjectPanel';
import { SegmentationPanel } from './panels/SegmentationPanel';
import { TrainingPanel } from './panels/TrainingPanel';
import { View3DPanel } from './panels/View3DPanel';
import { VolumePanel } from './panels/VolumePanel';
import { watchConnection } from './store/connection';
import { watchJobs } from './store/jobs';
import { say } from './store/messages';
import { type OpenTarget, openVolume } from './store/open';
import { useViewer } from './store/viewer';
import { useShortcuts } from './tools/shortcuts';
import { SliceView } from './views/SliceView';
import { VolumeView3D } from './views/VolumeView3D';

export function App({ client }: { client: Client }) {
  const services = useMemo(() => createServices(client), [client]);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const volume = useViewer((state) => state.volume);
  const opening = useViewer((state) => state.opening);
  const cursor = useViewer((state) => state.cursor);
  useShortcuts(services, volume !== null);
  useActivityReports(client);
  useEffect(() => watchJobs(client), [client]);
  useEffect(() => watchConnection(services), [services]);

  useEffect(() => {
    client.api.appInfo({}).then(setInfo, () => undefined);
  }, [client]);

  const open = (target: OpenTarget): void => {
    setDialogOpen(false);
    void openVolume(services, target);
  };
  const openFile = async (): Promise<void> => {
    if (info?.shell !== 'electron') return setDialogOpen(true);
    const path = await client.api.pickFile({ title: 'Open a volume' });
    if (path) open({ path });
  };
  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (!file) return;
    const path = client.pathForFile(file);
    if (path) return open({ path });
    say(
      'app',
      'error',
      'In a browser a dropped file does not say where it lives, and Tomoseg reads volumes from the disk of the machine that runs it. Use “Open…” and give the file’s path.',
      `Could not open ${file.name}`,
    );
  };

  return (
    <ServicesContext.Provider value={services}>
      <div
        className="app"
        data-testid="app"
        data-shell={info?.shell ?? ''}
        data-cursor={volume ? cursor.join(',') : ''}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={(event) => event.currentTarget === event.target && setDragging(false)}
        onDrop={onDrop}
      >
        <header className="topbar">
          <span className="brand">Tomoseg</span>
          <button
            type="button"
            className="primary"
            onClick={() => void openFile()}
            disabled={!!opening}
            data-testid="open-file"
          >
            Open…
          </button>
          <button type="button" onClick={() => open({ sample: true })} disabled={!!opening} data-testid="open-sample">
            Open sample
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => useHelp.getState().setOpen(true)}
            title="Mouse and keys (?)"
            data-testid="open-help"
          >
            Keys
          </button>
          <span className="topbar-status" data-testid="status">
            {opening ? `Opening ${opening}…` : volume ? volume.path : ''}
          </span>
          <span className="version muted">{info && `v${info.version} · ${info.shell}`}</span>
        </header>
        <ProjectPanel />
        <Message place="connection" testId="connection-message" className="banner" dismissable />
        <Message place="app" testId="app-message" className="banner" dismissable />
        <HelpDialog />
        {volume && <ImportBanner volume={volume} />}
        {volume ? (
          <main className="workspace">
            <div className="views">
              <SliceView key={`${volume.id}-z`} axis="z" volume={volume} />
              <SliceView key={`${volume.id}-y`} axis="y" volume={volume} />
              <SliceView key={`${volume.id}-x`} axis="x" volume={volume} />
              <VolumeView3D key={`${volume.id}-3d`} volume={volume} />
            </div>
            <aside className="sidebar">
              <VolumePanel volume={volume} />
              <CursorPanel volume={volume} />
              <SegmentationPanel />
              <TrainingPanel />
              <MeshPanel volumeId={volume.id} />
              <View3DPanel volume={volume} />
              <DisplayPanel volume={volume} />
            </aside>
          </main>
        ) : (
          <main className="empty" data-testid="empty-state">
            <h1>Open a tomogram</h1>
            <p>
              Drop a TIFF stack here, choose one with “Open…”, or start with the bundled sample: a 128³ X-ray CT scan of
              bone (from qim3d, MIT licence).
            </p>
            <div className="empty-actions">
              <button type="button" className="primary" onClick={() => void openFile()} disabled={!!opening}>
                Open…
              </button>
              <button type="button" onClick={() => open({ sample: true })} disabled={!!opening}>
                Open sample
              </button>
            </div>
          </main>
        )}
        {dragging && <div className="drop-overlay">Drop to open</div>}
        {dialogOpen && <OpenDialog onOpen={(path) => open({ path })} onClose={() => setDialogOpen(false)} />}
        <DatasetPicker />
      </div>
    </ServicesContext.Provider>
  );
}
