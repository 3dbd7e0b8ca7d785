// What the slice views share: the open volume, the crosshair (which also picks the slice each view
// shows), the voxel under the pointer, window/level, and the opening state (what failed is the
// app's message, store/messages).
import { create } from 'zustand';
import { type Axis, type Vec3, type VolumeInfo, axisIndex } from '../../../shared/volume';
import { type WindowLevel, windowLevelFromRange } from '../tools/window-level';

export interface Hover {
  voxel: Vec3;
  /** Undefined while the slice under the pointer is still loading. */
  value: number | undefined;
}

interface ViewerState {
  volume: VolumeInfo | null;
  cursor: Vec3;
  hover: Hover | null;
  windowLevel: WindowLevel;
  /** The path being opened, while it is. */
  opening: string | null;
  setVolume(volume: VolumeInfo): void;
  setCursor(cursor: Vec3): void;
  /** Moves the slice of one view by `delta`, clamped to the volume. */
  stepSlice(axis: Axis, delta: number): void;
  setSlice(axis: Axis, index: number): void;
  setHover(hover: Hover | null): void;
  setWindowLevel(windowLevel: WindowLevel): void;
  setOpening(path: string | null): void;
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

export const useViewer = create<ViewerState>()((set, get) => ({
  volume: null,
  cursor: [0, 0, 0],
  hover: null,
  windowLevel: { window: 255, level: 127.5 },
  opening: null,
  setVolume: (volume) =>
    set({
      volume,
      cursor: volume.shape.map((n) => Math.floor(n / 2)) as Vec3,
      hover: null,
      windowLevel: windowLevelFromRange(volume.range),
    }),
  setCursor: (cursor) => set({ cursor }),
  stepSlice: (axis, delta) => get().setSlice(axis, get().cursor[axisIndex(axis)] + delta),
  setSlice: (axis, index) => {
    const { volume, cursor } = get();
    if (!volume) return;
    const a = axisIndex(axis);
    const next = [...cursor] as Vec3;
    next[a] = clamp(Math.round(index), 0, volume.shape[a] - 1);
    if (next[a] !== cursor[a]) set({ cursor: next });
  },
  setHover: (hover) => set({ hover }),
  setWindowLevel: (windowLevel) => set({ windowLevel }),
  setOpening: (opening) => set({ opening }),
}));
