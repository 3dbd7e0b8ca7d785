import { useState } from 'react';
import type { VolumeInfo } from '../../../shared/volume';
import { formatLevel, formatValue } from '../lib/format';
import { useViewer } from '../store/viewer';
import { windowLevelFromRange } from '../tools/window-level';
import { Histogram } from './Histogram';

export function DisplayPanel({ volume }: { volume: VolumeInfo }) {
  const windowLevel = useViewer((state) => state.windowLevel);
  const setWindowLevel = useViewer((state) => state.setWindowLevel);
  const low = windowLevel.level - windowLevel.window / 2;
  const high = windowLevel.level + windowLevel.window / 2;
  return (
    <section
      className="panel"
      data-testid="display-panel"
      data-window={windowLevel.window}
      data-level={windowLevel.level}
    >
      <h2>Window / level</h2>
      <div className="field-row">
        <NumberField
          label="Window"
          testId="window-input"
          value={formatLevel(windowLevel.window, volume.dtype)}
          onCommit={(window) => window > 0 && setWindowLevel({ ...windowLevel, window })}
        />
        <NumberField
          label="Level"
          testId="level-input"
          value={formatLevel(windowLevel.level, volume.dtype)}
          onCommit={(level) => setWindowLevel({ ...windowLevel, level })}
        />
      </div>
      <Histogram volume={volume} />
      <p className="hint">
        Shows {formatLevel(low, volume.dtype)} … {formatLevel(high, volume.dtype)} as black … white. Data range ≈{' '}
        {formatValue(volume.range[0], volume.dtype)} … {formatValue(volume.range[1], volume.dtype)}.
      </p>
      <button type="button" className="small" onClick={() => setWindowLevel(windowLevelFromRange(volume.range))}>
        Reset to data range
      </button>
    </section>
  );
}

/** A number input that edits freely and commits on Enter or blur. */
function NumberField(props: { label: string; testId: string; value: string; onCommit(value: number): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? props.value;
  const commit = (): void => {
    const value = Number(draft);
    if (draft !== null && draft.trim() !== '' && Number.isFinite(value)) props.onCommit(value);
    setDraft(null);
  };
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="text"
        inputMode="decimal"
        data-testid={props.testId}
        value={shown}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
          if (event.key === 'Escape') setDraft(null);
        }}
      />
    </label>
  );
}
