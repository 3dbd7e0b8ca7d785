import { type VolumeInfo, bytesPerElement, voxelCount, voxelUnitsNote } from '../../../shared/volume';
import { formatBytes, formatLength, formatVec } from '../lib/format';
import { showImportPrompt, useImport } from '../store/import';

export function VolumePanel({ volume }: { volume: VolumeInfo }) {
  const unit = volume.unit || 'units';
  const note = voxelUnitsNote(volume.voxelSize, volume.unit);
  const extent = volume.shape.map((n, i) => n * volume.voxelSize[i]!) as typeof volume.shape;
  // Only worth offering where the volume is stored slice by slice; a chunked Zarr is fast already.
  const convertible = useImport((state) => state.advice?.sliceBySlice ?? false);
  return (
    <section className="panel" data-testid="volume-panel">
      <h2>Volume</h2>
      <p className="volume-name" title={volume.path} data-testid="volume-name">
        {volume.name}
      </p>
      <dl className="facts">
        <dt>Shape</dt>
        <dd data-testid="volume-shape">
          {formatVec(volume.shape)} <span className="muted">z × y × x</span>
        </dd>
        <dt>Type</dt>
        <dd>
          <span data-testid="volume-dtype">{volume.dtype}</span> <span className="muted">· {volume.format}</span>
        </dd>
        <dt>Voxel</dt>
        <dd data-testid="volume-voxel-size">
          {formatVec(volume.voxelSize, formatLength)} {unit}
        </dd>
        <dt>Size</dt>
        <dd>
          {formatVec(extent, formatLength)} {unit} ·{' '}
          {formatBytes(voxelCount(volume.shape) * bytesPerElement(volume.dtype))}
        </dd>
      </dl>
      {note && (
        <p className="hint" data-testid="voxel-units-note">
          Note: {note}.
        </p>
      )}
      {convertible && (
        <button
          type="button"
          className="small"
          onClick={() => showImportPrompt(true)}
          title="Copy to a chunked OME-Zarr with a pyramid, fast to slice along every axis"
          data-testid="convert-volume"
        >
          Convert to OME-Zarr…
        </button>
      )}
    </section>
  );
}
