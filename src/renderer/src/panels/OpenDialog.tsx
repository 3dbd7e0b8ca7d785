// Web mode's "Open…": the browser cannot show the server's file system, so the user types a path
// (as the server sees it) or picks a recent one.
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../api/ClientContext';

export function OpenDialog({ onOpen, onClose }: { onOpen(path: string): void; onClose(): void }) {
  const { client } = useServices();
  const [path, setPath] = useState('');
  const [recent, setRecent] = useState<string[]>([]);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    let live = true;
    client.api.recentVolumes({}).then(
      (paths) => live && setRecent(paths),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);

  const submit = (value: string): void => {
    if (value.trim()) onOpen(value.trim());
  };
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form
        className="modal"
        role="dialog"
        aria-label="Open a volume"
        data-testid="open-dialog"
        onMouseDown={(event) => event.stopPropagation()}
        onSubmit={(event) => {
          event.preventDefault();
          submit(path);
        }}
        onKeyDown={(event) => event.key === 'Escape' && onClose()}
      >
        <h2>Open a volume</h2>
        <p className="hint">A TIFF stack on the machine that runs Tomoseg. Give its full path.</p>
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
        {recent.length > 0 && (
          <>
            <h3>Recent</h3>
            <ul className="recent" data-testid="recent-list">
              {recent.map((item) => (
                <li key={item}>
                  <button
                    type="button"
                    className="ghost"
                    title={item}
                    onClick={() => submit(item)}
                    data-testid="recent-item"
                  >
                    {item}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <div className="modal-actions">
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!path.trim()} data-testid="path-open">
            Open
          </button>
        </div>
      </form>
    </div>
  );
}
