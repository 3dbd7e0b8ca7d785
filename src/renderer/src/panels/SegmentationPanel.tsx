// Classes and label tools: pick the class to paint, how each class shows, brush, fill, undo/redo.
import { useState } from 'react';
import type { SegmentationClass } from '../../../shared/api';
import { useServices } from '../api/ClientContext';
import { Check } from '../components/Check';
import { Message } from '../components/Message';
import { addClass, recolourClass, redo, removeClass, renameClass, undo } from '../store/segmentation-actions';
import { MAX_BRUSH_RADIUS, type Tool, displayOf, useSegmentation } from '../store/segmentation';

const TOOLS: { tool: Tool; label: string; key: string }[] = [
  { tool: 'navigate', label: 'Navigate', key: 'V' },
  { tool: 'paint', label: 'Brush', key: 'B' },
  { tool: 'erase', label: 'Eraser', key: 'E' },
  { tool: 'fill', label: 'Fill', key: 'F' },
];

export function SegmentationPanel() {
  const services = useServices();
  const state = useSegmentation();
  return (
    <section className="panel" data-testid="segmentation-panel">
      <h2>Labels</h2>
      <div className="segmented" role="radiogroup" aria-label="Tool">
        {TOOLS.map(({ tool, label, key }) => (
          <button
            key={tool}
            type="button"
            role="radio"
            aria-checked={state.tool === tool}
            className={state.tool === tool ? 'selected' : ''}
            onClick={() => state.setTool(tool)}
            title={`${label} (${key})`}
            data-testid={`tool-${tool}`}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="brush-row">
        <label className="field grow">
          <span>
            Brush radius <strong data-testid="brush-radius">{state.radius}</strong> voxels
          </span>
          <input
            type="range"
            min={0}
            max={MAX_BRUSH_RADIUS}
            value={state.radius}
            onChange={(event) => state.setRadius(Number(event.target.value))}
            data-testid="brush-radius-slider"
            aria-label="Brush radius"
          />
        </label>
      </div>
      <div className="segmented small" role="radiogroup" aria-label="Brush shape">
        {(['disc', 'sphere'] as const).map((shape) => (
          <button
            key={shape}
            type="button"
            role="radio"
            aria-checked={state.shape === shape}
            className={state.shape === shape ? 'selected' : ''}
            onClick={() => state.setShape(shape)}
            title={shape === 'disc' ? 'Paint a disc in the slice' : 'Paint a ball through neighbouring slices'}
            data-testid={`shape-${shape}`}
          >
            {shape === 'disc' ? '2D disc' : '3D sphere'}
          </button>
        ))}
      </div>
      <div className="history-row">
        <button
          type="button"
          className="small"
          disabled={!state.canUndo}
          onClick={() => void undo(services)}
          title="Undo (Ctrl+Z)"
          data-testid="undo"
        >
          Undo
        </button>
        <button
          type="button"
          className="small"
          disabled={!state.canRedo}
          onClick={() => void redo(services)}
          title="Redo (Ctrl+Shift+Z)"
          data-testid="redo"
        >
          Redo
        </button>
        <Check
          label="Show labels (O)"
          checked={state.overlayVisible}
          onChange={() => state.toggleOverlay()}
          testId="overlay-visible"
        />
      </div>
      <ul className="classes" data-testid="class-list">
        {state.classes.map((c, i) => (
          <ClassRow key={c.id} item={c} shortcut={i < 9 ? String(i + 1) : ''} />
        ))}
      </ul>
      <button type="button" className="small" onClick={() => void addClass(services)} data-testid="add-class">
        + Add class
      </button>
      <Message place="labels" testId="segmentation-notice" />
    </section>
  );
}

function ClassRow({ item, shortcut }: { item: SegmentationClass; shortcut: string }) {
  const services = useServices();
  const active = useSegmentation((state) => state.activeClass === item.id);
  const display = useSegmentation((state) => displayOf(state.display, item.id));
  const setActiveClass = useSegmentation((state) => state.setActiveClass);
  const setDisplay = useSegmentation((state) => state.setDisplay);
  const [name, setName] = useState<string | null>(null);
  const commitName = (): void => {
    if (name !== null && name.trim() && name.trim() !== item.name) void renameClass(services, item.id, name.trim());
    setName(null);
  };
  return (
    <li
      className={active ? 'class-row active' : 'class-row'}
      data-testid={`class-${item.id}`}
      onClick={() => setActiveClass(item.id)}
    >
      <span className="shortcut muted">{shortcut}</span>
      <input
        type="color"
        value={item.colour}
        onChange={(event) => void recolourClass(services, item.id, event.target.value)}
        aria-label={`Colour of ${item.name}`}
        data-testid={`class-colour-${item.id}`}
      />
      <input
        type="text"
        className="class-name"
        value={name ?? item.name}
        onChange={(event) => setName(event.target.value)}
        onBlur={commitName}
        onKeyDown={(event) => event.key === 'Enter' && commitName()}
        aria-label="Class name"
        data-testid={`class-name-${item.id}`}
      />
      <button
        type="button"
        className="ghost small icon"
        aria-pressed={display.visible}
        onClick={(event) => {
          event.stopPropagation();
          setDisplay(item.id, { visible: !display.visible });
        }}
        title={display.visible ? 'Hide this class' : 'Show this class'}
        data-testid={`class-visible-${item.id}`}
      >
        {display.visible ? '◉' : '○'}
      </button>
      <input
        type="range"
        className="opacity"
        min={0}
        max={1}
        step={0.05}
        value={display.opacity}
        onChange={(event) => setDisplay(item.id, { opacity: Number(event.target.value) })}
        aria-label={`Opacity of ${item.name}`}
        title={`Opacity ${Math.round(display.opacity * 100)} %`}
        data-testid={`class-opacity-${item.id}`}
      />
      <button
        type="button"
        className="ghost small icon"
        onClick={(event) => {
          event.stopPropagation();
          void removeClass(services, item.id);
        }}
        title="Remove this class (only when nothing is labelled with it)"
        aria-label={`Remove ${item.name}`}
      >
        ✕
      </button>
    </li>
  );
}
