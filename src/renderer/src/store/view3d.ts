// The 3D view's settings: the tomogram's transfer function (a preset or the user's edit of one)
// and which layers it shows.
import { create } from 'zustand';
import { PRESETS, type PresetName, type TransferFunction } from '../tools/transfer-function';

export type Layer = 'volume' | 'labels' | 'segmentation' | 'background' | 'mesh' | 'planes';
export const LAYERS: { layer: Layer; label: string }[] = [
  { layer: 'volume', label: 'Tomogram' },
  { layer: 'labels', label: 'Labels' },
  { layer: 'segmentation', label: 'Segmentation' },
  // the first class is most often what surrounds the objects: hidden, the structure shows
  { layer: 'background', label: 'First class' },
  { layer: 'mesh', label: 'Mesh' },
  { layer: 'planes', label: 'Slice planes' },
];

interface View3DState {
  /** The preset the transfer function came from; null once edited. */
  preset: PresetName | null;
  transfer: TransferFunction;
  layers: Record<Layer, boolean>;
  choosePreset(preset: PresetName): void;
  editTransfer(change: Partial<TransferFunction>): void;
  setLayer(layer: Layer, visible: boolean): void;
}

export const useView3D = create<View3DState>()((set) => ({
  preset: 'Grey ramp',
  transfer: PRESETS['Grey ramp'],
  layers: { volume: true, labels: false, segmentation: true, background: false, mesh: true, planes: true },
  choosePreset: (preset) => set({ preset, transfer: PRESETS[preset] }),
  editTransfer: (change) => set((state) => ({ preset: null, transfer: { ...state.transfer, ...change } })),
  setLayer: (layer, visible) => set((state) => ({ layers: { ...state.layers, [layer]: visible } })),
}));
