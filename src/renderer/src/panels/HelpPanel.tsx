const SHORTCUTS: [string, string][] = [
  ['Click / drag', 'crosshair, or paint with a label tool'],
  ['Wheel, ↑ ↓', 'next / previous slice'],
  ['Page Up / Down', '10 slices'],
  ['Right drag', 'window (→) / level (↓)'],
  ['Shift drag, middle drag', 'pan'],
  ['Ctrl wheel, Ctrl drag, + −', 'zoom'],
  ['R', 'fit the view'],
  ['V  B  E  F', 'navigate, brush, eraser, fill'],
  ['1 … 9', 'pick a class'],
  ['[  ]', 'smaller / larger brush'],
  ['O', 'show / hide labels'],
  ['Ctrl Z, Ctrl Shift Z', 'undo, redo'],
  ['3D: click', 'crosshair to the point clicked'],
  ['3D: drag, wheel', 'rotate, zoom'],
  ['3D: shift drag', 'pan'],
];

export function HelpPanel() {
  return (
    <details className="panel help" data-testid="help-panel">
      <summary>
        <h2>Mouse and keys</h2>
      </summary>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, action]) => (
          <div key={keys}>
            <dt>{keys}</dt>
            <dd>{action}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
