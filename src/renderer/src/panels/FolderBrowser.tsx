// Web mode's file browser: the folders and volumes of the machine that runs Tomoseg (the browser
// cannot show that machine's files), listed by the services behind the same token. A click on a
// folder goes into it, on a volume picks it; a double click opens it.
import { useEffect, useState } from 'react';
import type { FolderListing } from '../../../shared/api';
import { useServices } from '../api/ClientContext';
import { errorMessage } from '../store/messages';

interface Props {
  /** The folder to show; undefined: where the services suggest (the last volume's folder, else home). */
  folder: string | undefined;
  onFolder(path: string): void;
  onPick(path: string): void;
  onOpen(path: string): void;
}

export function FolderBrowser({ folder, onFolder, onPick, onOpen }: Props) {
  const { client } = useServices();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client.api.listFolder(folder === undefined ? {} : { path: folder }).then(
      (result) => {
        if (!live) return;
        setListing(result);
        setError(null);
      },
      (failure: unknown) => live && setError(errorMessage(failure)),
    );
    return () => {
      live = false;
    };
  }, [client, folder]);
  const join = (name: string): string => `${listing!.path.replace(/\/$/, '')}/${name}`;
  return (
    <div className="folder-browser" data-testid="folder-browser" data-folder={listing?.path ?? ''}>
      <div className="folder-places">
        {listing?.places?.map((place) => (
          <button
            type="button"
            className="small ghost"
            key={place.path}
            title={place.path}
            onClick={() => onFolder(place.path)}
          >
            {place.name}
          </button>
        ))}
      </div>
      {error && (
        <p className="hint message-error" data-testid="folder-error">
          {error}
        </p>
      )}
      {listing && (
        <>
          <div className="folder-path">
            <button
              type="button"
              className="small"
              disabled={listing.parent === null}
              onClick={() => listing.parent && onFolder(listing.parent)}
              data-testid="folder-up"
            >
              ↑ Up
            </button>
            <span title={listing.path}>{listing.path}</span>
          </div>
          <ul className="recent folder-entries" data-testid="folder-entries">
            {listing.entries.map(({ name, kind }) => (
              <li key={name}>
                <button
                  type="button"
                  className="ghost"
                  data-kind={kind}
                  onClick={() => (kind === 'folder' ? onFolder(join(name)) : onPick(join(name)))}
                  onDoubleClick={() => kind === 'volume' && onOpen(join(name))}
                  data-testid="folder-entry"
                >
                  {kind === 'folder' ? `${name}/` : name}
                </button>
              </li>
            ))}
            {listing.entries.length === 0 && <li className="hint">No folders or volumes here.</li>}
            {listing.more > 0 && <li className="hint">… and {listing.more} more</li>}
          </ul>
        </>
      )}
    </div>
  );
}
