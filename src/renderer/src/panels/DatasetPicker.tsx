// Which dataset of an HDF5 / NeXus file to open, when it holds several 3D datasets: each with its
// shape, data type and chunking, the one Tomoseg takes by default marked and chosen to start with.
import { useState } from 'react';
import type { VolumeDataset } from '../../../shared/api';
import { type DatasetChoice, fileName, useDatasetChoice } from '../store/open';
import { Modal } from './Modal';
import './DatasetPicker.css';

/** Shows the open flow's pending dataset choice, when there is one. */
export function DatasetPicker() {
  const pending = useDatasetChoice((state) => state.pending);
  return pending ? <DatasetDialog key={pending.file} choice={pending} /> : null;
}

function DatasetDialog({ choice }: { choice: DatasetChoice }) {
  const { file, choices, pick } = choice;
  const [selected, setSelected] = useState(choices.defaultDataset ?? choices.datasets[0]!.path);
  return (
    <Modal
      label="Choose a dataset"
      testId="dataset-picker"
      className="dataset-picker"
      onClose={() => pick(null)}
      onSubmit={() => pick(selected)}
    >
      <h2>Choose a dataset</h2>
      <p className="hint" title={file}>
        {fileName(file)} holds {choices.datasets.length} 3D datasets.{' '}
        {choices.defaultDataset
          ? 'The one marked default is what Tomoseg opens when none is named.'
          : 'None is marked as the NeXus default: pick the one to open.'}
      </p>
      <div className="dataset-list" role="radiogroup" aria-label="Datasets">
        {choices.datasets.map((dataset) => (
          <DatasetRow
            key={dataset.path}
            dataset={dataset}
            isDefault={dataset.path === choices.defaultDataset}
            checked={dataset.path === selected}
            onSelect={() => setSelected(dataset.path)}
          />
        ))}
      </div>
      <div className="modal-actions">
        <button type="button" className="ghost" onClick={() => pick(null)} data-testid="dataset-cancel">
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="dataset-open">
          Open
        </button>
      </div>
    </Modal>
  );
}

function DatasetRow({
  dataset,
  isDefault,
  checked,
  onSelect,
}: {
  dataset: VolumeDataset;
  isDefault: boolean;
  checked: boolean;
  onSelect(): void;
}) {
  const chunks = dataset.chunks ? `chunks ${dataset.chunks.join('×')}` : 'contiguous';
  return (
    <label className="dataset-row" data-testid="dataset-option" data-path={dataset.path}>
      <input type="radio" name="dataset" value={dataset.path} checked={checked} onChange={onSelect} />
      <span className="dataset-path">{dataset.path}</span>
      {isDefault && (
        <span className="dataset-default" data-testid="dataset-default">
          default
        </span>
      )}
      <span className="muted">
        {dataset.shape.join('×')} {dataset.dtype}, {chunks}
      </span>
    </label>
  );
}
