import type { VolumeInfo } from '../../../shared/volume';
import { formatLength, formatValue } from '../lib/format';
import { useViewer } from '../store/viewer';

/** The voxel under the pointer (or, when the pointer is elsewhere, the crosshair) and its value. */
export function CursorPanel({ volume }: { volume: VolumeInfo }) {
  const hover = useViewer((state) => state.hover);
  const cursor = useViewer((state) => state.cursor);
  const voxel = hover?.voxel ?? cursor;
  const unit = volume.unit || 'units';
  return (
    <section className="panel" data-testid="cursor-panel">
      <h2>{hover ? 'Under pointer' : 'Crosshair'}</h2>
      <dl className="facts">
        <dt>Voxel</dt>
        <dd data-testid="cursor-voxel">
          z {voxel[0]} · y {voxel[1]} · x {voxel[2]}
        </dd>
        <dt>Position</dt>
        <dd>
          {voxel.map((v, i) => formatLength(v * volume.voxelSize[i]!)).join(', ')} {unit}
        </dd>
        <dt>Value</dt>
        <dd data-testid="cursor-value" className="value">
          {hover ? (hover.value === undefined ? '…' : formatValue(hover.value, volume.dtype)) : '—'}
        </dd>
      </dl>
    </section>
  );
}
