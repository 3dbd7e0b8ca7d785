// The volumes a project could not find, each with a path field: what the user gives is checked
// against the recorded fingerprint. Another shape is refused; other data where sampled is a
// warning the user may override with "Use anyway".
import { useState } from 'react';
import type { ProjectState, ProjectVolumeState } from '../../../shared/api';
import { useServices } from '../api/ClientContext';
import { formatVec } from '../lib/format';
import { type RelinkOutcome, relinkVolume, useProject } from '../store/project';
import { Modal } from './Modal';

export function RelinkDialog({
  project,
  browse,
  onClose,
}: {
  project: ProjectState;
  /** The desktop's file dialog; web mode types paths. */
  browse?: (title: string) => Promise<string | null>;
  onClose(): void;
}) {
  // Stays listed once linked, so the user sees the check's result.
  const [ids] = useState(() => project.volumes.filter((v) => v.status === 'missing').map((v) => v.id));
  const volumes = ids.map((id) => project.volumes.find((v) => v.id === id)).filter((v) => v !== undefined);
  return (
    <Modal label="Relink volumes" testId="relink-dialog" className="relink" onClose={onClose}>
      <h2>Volumes not found</h2>
      <p className="hint">
        {project.name} refers to data that is not where it was, nor near the project. Give where each file is now; its
        labels are kept and are only put back on data of the same shape.
      </p>
      <ul className="relink-list">
        {volumes.map((volume) => (
          <RelinkRow key={volume.id} volume={volume} browse={browse} />
        ))}
      </ul>
      <div className="modal-actions">
        <button type="button" onClick={onClose} data-testid="relink-close">
          Close
        </button>
      </div>
    </Modal>
  );
}

function RelinkRow({
  volume,
  browse,
}: {
  volume: ProjectVolumeState;
  browse?: (title: string) => Promise<string | null>;
}) {
  const services = useServices();
  const busy = useProject((state) => state.busy);
  const [path, setPath] = useState('');
  const [outcome, setOutcome] = useState<RelinkOutcome | null>(null);
  const check = async (accept: boolean): Promise<void> =>
    setOutcome(await relinkVolume(services, volume.id, path.trim(), accept));
  const linked = outcome?.kind === 'linked';

  return (
    <li className="relink-row" data-testid="relink-row" data-volume={volume.name}>
      <div>
        <strong>{volume.name}</strong>{' '}
        <span className="muted">
          {formatVec(volume.shape)} {volume.dtype}, {volume.labelledVoxels.toLocaleString('en')} labelled voxels
        </span>
      </div>
      <div className="muted small-text" title={volume.absolutePath}>
        was {volume.relativePath} (from the project), {volume.absolutePath}
      </div>
      <form
        className="project-path-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (path.trim()) void check(false);
        }}
      >
        <input
          type="text"
          placeholder="where the file is now"
          spellCheck={false}
          value={path}
          disabled={linked}
          onChange={(event) => {
            setPath(event.target.value);
            setOutcome(null);
          }}
          data-testid="relink-path"
        />
        {browse && (
          <button
            type="button"
            disabled={linked}
            onClick={() =>
              void browse(`Where is ${volume.name}?`).then((picked) => {
                if (!picked) return;
                setPath(picked);
                setOutcome(null);
              })
            }
          >
            Browse…
          </button>
        )}
        <button type="submit" disabled={!path.trim() || !!busy || linked} data-testid="relink-check">
          Check and link
        </button>
      </form>
      {outcome?.kind === 'linked' && (
        <p className={`relink-result ${outcome.status === 'found' ? 'ok' : 'warn'}`} data-testid="relink-result">
          {outcome.status === 'found'
            ? 'Linked: shape, type and sampled data match.'
            : 'Linked although its sampled data differ: check it is the same scan.'}
        </p>
      )}
      {outcome?.kind === 'differs' && (
        <div className="relink-result warn" data-testid="relink-result">
          <p>{outcome.message}</p>
          <button type="button" onClick={() => void check(true)} disabled={!!busy} data-testid="relink-use-anyway">
            Use anyway
          </button>
        </div>
      )}
      {outcome?.kind === 'refused' && (
        <p className="relink-result refused" role="alert" data-testid="relink-result">
          {outcome.message}
        </p>
      )}
    </li>
  );
}
