// "Run on cluster…": segmenting the open volume as a SLURM job array from a login node. The model
// is saved to a file the jobs read, the `tomoseg cluster submit` command is shown to copy with the
// batch scripts it would submit (the CLI's own --dry-run, asked of the service), and the result
// opens once complete: until then the volume layer's refusal, naming the missing parts, is a warning.
import { useEffect, useState } from 'react';
import type { ClusterCommand } from '../../../shared/api';
import type { VolumeInfo } from '../../../shared/volume';
import { type Services, useServices } from '../api/ClientContext';
import { Check } from '../components/Check';
import { Message } from '../components/Message';
import { PathField } from '../components/PathField';
import { clearMessage, say, sayError } from '../store/messages';
import { openVolume } from '../store/open';
import { useTraining } from '../store/training';
import { useDebounced } from '../views/useDebounced';
import { Modal } from './Modal';
import './ClusterDialog.css';

interface Settings {
  model: string;
  out: string;
  tasks: number;
  partition: string;
  time: string;
}

/** The free-text sbatch settings, as fields (test id `cluster-<key>`). */
const SLURM_FIELDS: { key: 'partition' | 'time'; label: string; placeholder: string }[] = [
  { key: 'partition', label: 'Partition', placeholder: 'default' },
  { key: 'time', label: 'Time per task', placeholder: 'e.g. 2:00:00' },
];

/** The volume's path without its format's extension: where its model and result go by default. */
const stem = (path: string): string =>
  path.replace(/[\\/]+$/, '').replace(/(\.ome)?\.(tiff?|zarr|h5|hdf5|hdf|nxs|nx5|he5|raw|bin)$/i, '');

const defaults = (volume: VolumeInfo): Settings => ({
  model: `${stem(volume.path)}.model.json`,
  out: `${stem(volume.path)}.seg.zarr`,
  tasks: 16,
  partition: '',
  time: '',
});

export function ClusterDialog({ volume, onClose }: { volume: VolumeInfo; onClose(): void }) {
  const services = useServices();
  const [settings, setSettings] = useState(() => defaults(volume));
  const set = (partial: Partial<Settings>): void => setSettings((current) => ({ ...current, ...partial }));
  const preview = useCommand(services, volume.id, useDebounced(settings, 300));
  // Set once the result was asked for and was not ready: the warning says why, "Check again" asks again.
  const [waiting, setWaiting] = useState(false);
  useEffect(() => () => clearMessage('cluster'), []);

  const openResult = async (): Promise<void> => {
    const path = settings.out.trim();
    try {
      const result = await services.client.api.clusterResult({ path });
      if (result.state !== 'complete') {
        setWaiting(true);
        return say('cluster', 'warning', result.message, 'Not complete yet');
      }
      onClose();
      await openVolume(services, { path });
    } catch (error) {
      sayError('cluster', error, 'Could not open the result');
    }
  };

  return (
    <Modal label="Run on cluster" testId="cluster-dialog" className="cluster-dialog" onClose={onClose}>
      <h2>Run on a SLURM cluster</h2>
      <p className="hint">
        Segments {volume.name} as a job array from a login node. Install Tomoseg where the compute nodes see it, and put
        the image, the model and the result on a shared file system.
      </p>
      <h3>1 · The model the jobs read</h3>
      <ModelSave services={services} volumeId={volume.id} path={settings.model} onPath={(model) => set({ model })} />
      <h3>2 · On the login node</h3>
      <PathField
        label="Result (OME-Zarr, .zarr)"
        value={settings.out}
        placeholder="/shared/scan.seg.zarr"
        onChange={(out) => set({ out })}
        testId="cluster-out"
        grow
      />
      <div className="field-row">
        <label className="field">
          <span>Tasks</span>
          <input
            type="number"
            min={1}
            value={settings.tasks}
            onChange={(event) => set({ tasks: Math.max(1, Math.floor(Number(event.target.value)) || 1) })}
            data-testid="cluster-tasks"
          />
        </label>
        {SLURM_FIELDS.map(({ key, label, placeholder }) => (
          <label className="field" key={key}>
            <span>{label}</span>
            <input
              type="text"
              value={settings[key]}
              placeholder={placeholder}
              onChange={(event) => set({ [key]: event.target.value })}
              data-testid={`cluster-${key}`}
            />
          </label>
        ))}
      </div>
      <CommandPreview preview={preview} />
      <h3>3 · The result</h3>
      <Message place="cluster" testId="cluster-message" />
      <div className="modal-actions">
        <button
          type="button"
          onClick={() => void openResult()}
          disabled={!settings.out.trim()}
          data-testid={waiting ? 'cluster-check-again' : 'cluster-open-result'}
        >
          {waiting ? 'Check again' : 'Open result when complete'}
        </button>
        <button type="button" className="primary" onClick={onClose} data-testid="cluster-close">
          Close
        </button>
      </div>
    </Modal>
  );
}

/** The current model's state and a button that writes it to `path`. */
function ModelSave({
  services,
  volumeId,
  path,
  onPath,
}: {
  services: Services;
  volumeId: string;
  path: string;
  onPath(path: string): void;
}) {
  const model = useTraining((state) => state.model);
  const [overwrite, setOverwrite] = useState(false);
  const save = async (): Promise<void> => {
    try {
      const saved = await services.client.api.exportModel({ volumeId, path: path.trim(), overwrite });
      say('cluster', 'done', `The model is saved to ${saved.path}.`);
    } catch (error) {
      sayError('cluster', error, 'Could not save the model');
    }
  };
  const state = !model
    ? 'No model yet: paint at least two classes and train first.'
    : model.preview
      ? `Model ${model.version} is a quick preview: press Train for the full model first.`
      : `Model ${model.version}${model.stale ? ' (labels changed since)' : ''}: save it where the jobs can read it.`;
  return (
    <>
      <p className="hint" data-testid="cluster-model-state">
        {state}
      </p>
      <PathField
        label="Model file (.json)"
        value={path}
        placeholder="/shared/scan.model.json"
        onChange={onPath}
        testId="cluster-model"
        grow
      />
      <div className="history-row">
        <button
          type="button"
          className="small"
          disabled={!path.trim()}
          onClick={() => void save()}
          data-testid="cluster-save-model"
        >
          Save model
        </button>
        <Check
          label="Replace an existing file"
          checked={overwrite}
          onChange={setOverwrite}
          testId="cluster-overwrite"
        />
      </div>
    </>
  );
}

type Preview = { command: ClusterCommand } | { error: string } | null;

/** The command and scripts for `settings`, asked again whenever they change (the newest answer wins). */
function useCommand(services: Services, volumeId: string, settings: Settings): Preview {
  const [preview, setPreview] = useState<Preview>(null);
  useEffect(() => {
    let live = true;
    const { model, out, tasks, partition, time } = settings;
    services.client.api.clusterCommand({ volumeId, model: model.trim(), out: out.trim(), tasks, partition, time }).then(
      (command) => live && setPreview({ command }),
      (error: unknown) => live && setPreview({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [services, volumeId, settings]);
  return preview;
}

function CommandPreview({ preview }: { preview: Preview }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  if (!preview) return <p className="hint">Preparing the command…</p>;
  if ('error' in preview)
    return (
      <p className="cluster-problem" data-testid="cluster-problem">
        {preview.error}
      </p>
    );
  const { command, script } = preview.command;
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <>
      <div className="cluster-command-row">
        <pre className="cluster-command" data-testid="cluster-command">
          {command}
        </pre>
        <button type="button" className="small" onClick={() => void copy()} data-testid="cluster-copy">
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'failed' && (
        <p className="hint">The browser refused the clipboard: select the command and copy it.</p>
      )}
      <details className="cluster-script" open>
        <summary>What it submits (its --dry-run; there the scripts name Tomoseg by its absolute path)</summary>
        <pre data-testid="cluster-script">{script}</pre>
      </details>
    </>
  );
}
