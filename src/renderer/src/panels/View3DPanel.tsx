// The 3D view's controls: which layers it shows, the tomogram's transfer-function preset, and a
// simple editor of it (colour map, where the opacity ramp starts and ends, its height, inverted).
import type { VolumeInfo } from '../../../shared/volume';
import { SliderField } from '../components/SliderField';
import { formatLevel } from '../lib/format';
import { LAYERS, useView3D } from '../store/view3d';
import { COLOUR_MAPS, type ColourMap, PRESET_NAMES, type PresetName } from '../tools/transfer-function';

export function View3DPanel({ volume }: { volume: VolumeInfo }) {
  const { layers, setLayer, preset, choosePreset, transfer, editTransfer } = useView3D();
  const [min, max] = volume.range;
  const intensity = (fraction: number): string => formatLevel(min + fraction * (max - min), volume.dtype);
  const slider = (label: string, key: 'low' | 'high' | 'opacity', text: string) => (
    <SliderField
      label={label}
      shown={text}
      value={transfer[key]}
      step={0.01}
      onChange={(value) => editTransfer({ [key]: value })}
      testId={`tf-${key}`}
    />
  );
  return (
    <section className="panel" data-testid="view-3d-panel">
      <h2>3D view</h2>
      <div className="layer-toggles">
        {LAYERS.map(({ layer, label }) => (
          <label key={layer}>
            <input
              type="checkbox"
              checked={layers[layer]}
              onChange={(event) => setLayer(layer, event.target.checked)}
              data-testid={`layer-${layer}`}
            />
            {label}
          </label>
        ))}
      </div>
      <div className="field-row">
        <label className="field">
          <span>Preset</span>
          <select
            value={preset ?? ''}
            onChange={(event) => choosePreset(event.target.value as PresetName)}
            data-testid="tf-preset"
          >
            {preset === null && <option value="">Custom</option>}
            {PRESET_NAMES.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Colours</span>
          <select
            value={transfer.colourMap}
            onChange={(event) => editTransfer({ colourMap: event.target.value as ColourMap })}
            data-testid="tf-colour-map"
          >
            {Object.keys(COLOUR_MAPS).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      <div className="field-row">
        {slider('Opacity from', 'low', intensity(transfer.low))}
        {slider('to', 'high', intensity(transfer.high))}
      </div>
      <div className="field-row">
        {slider('Opacity', 'opacity', transfer.opacity.toFixed(2))}
        <label className="field inline" title="Opaque at low intensities: pores and voids">
          <input
            type="checkbox"
            checked={transfer.invert}
            onChange={(event) => editTransfer({ invert: event.target.checked })}
            data-testid="tf-invert"
          />
          Low is opaque
        </label>
      </div>
    </section>
  );
}
