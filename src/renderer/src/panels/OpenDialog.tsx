// Web mode's "Open…": the browser cannot show the server's file system, so the services list it
// (FolderBrowser); the user browses, types a path (as the server sees it) or picks a recent one.
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../api/ClientContext';
import { FolderBrowser } from './FolderBrowser';
import { Modal, RecentList, useRecent } from './Modal';

export function OpenDialog({ onOpen, onClose }: { onOpen(path: string): void; onClose(): void }) {
  const { client } = useServices();
  const [path, setPath] = useState('');
  const [folder, setFolder] = useState<string | undefined>(undefined);
  const recent = useRecent(client, () => client.api.recentVolumes({}));
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = (value: string): void => {
    if (value.trim()) onOpen(value.trim());
  };
  return (
    <Modal label="Open a volume" testId="open-dialog" onClose={onClose} onSubmit={() => submit(path)}>
      <h2>Open a volume</h2>
      <p className="hint">
        A volume on the machine that runs Tomoseg (TIFF, HDF5 / NeXus, Zarr, a folder of TIFF slices): browse to it, or
        give its full path.
      </p>
      <input
        ref={input}
        className="path-input"
        type="text"
        placeholder="/data/scan/volume.tif"
        spellCheck={false}
        value={path}
        onChange={(event) => setPath(event.target.value)}
        data-testid="path-input"
      />
      <FolderBrowser
        folder={folder}
        onFolder={(next) => {
          setFolder(next);
          setPath(next);
        }}
        onPick={setPath}
        onOpen={submit}
      />
      <RecentList title="Recent" paths={recent} onPick={submit} testId="recent-list" itemTestId="recent-item" />
      <div className="modal-actions">
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!path.trim()} data-testid="path-open">
          Open
        </button>
      </div>
    </Modal>
  );
}
