// The mouse and key help: a dialog opened from the top bar or with "?", so that it is one step
// away wherever the user is (it was folded at the foot of a long sidebar).
import { create } from 'zustand';
import { Modal } from './Modal';

export const useHelp = create<{ open: boolean; setOpen(open: boolean): void }>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));

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
  ['?', 'this help'],
  ['3D: click', 'crosshair to the point clicked'],
  ['3D: drag, wheel', 'rotate, zoom'],
  ['3D: shift drag', 'pan'],
];

export function HelpDialog() {
  const { open, setOpen } = useHelp();
  if (!open) return null;
  return (
    <Modal label="Mouse and keys" testId="help-dialog" onClose={() => setOpen(false)}>
      <h2>Mouse and keys</h2>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, action]) => (
          <div key={keys}>
            <dt>{keys}</dt>
            <dd>{action}</dd>
          </div>
        ))}
      </dl>
      <div className="modal-actions">
        <button type="button" autoFocus onClick={() => setOpen(false)} data-testid="close-help">
          Close
        </button>
      </div>
    </Modal>
  );
}
