// The segmentation tools' state: classes (from the service) with how each is shown (here only),
// the active class and tool, the brush, and whether undo/redo can run.
import { create } from 'zustand';
import type { SegmentationClass } from '../../../shared/api';
import { clearMessage } from './messages';

export type Tool = 'navigate' | 'paint' | 'erase' | 'fill';
export type BrushShape = 'disc' | 'sphere';

export interface ClassDisplay {
  visible: boolean;
  /** 0..1 */
  opacity: number;
}

export const MAX_BRUSH_RADIUS = 50;
const DEFAULT_DISPLAY: ClassDisplay = { visible: true, opacity: 0.5 };

interface SegmentationState {
  classes: SegmentationClass[];
  display: Record<number, ClassDisplay>;
  activeClass: number | null;
  tool: Tool;
  /** Brush radius in voxels; 0 paints single voxels. */
  radius: number;
  shape: BrushShape;
  overlayVisible: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** Labelled voxels per class id. */
  labelled: Record<number, number>;
  setClasses(classes: SegmentationClass[]): void;
  setDisplay(classId: number, display: Partial<ClassDisplay>): void;
  setActiveClass(classId: number): void;
  setTool(tool: Tool): void;
  setRadius(radius: number): void;
  setShape(shape: BrushShape): void;
  toggleOverlay(): void;
  setHistory(history: { canUndo: boolean; canRedo: boolean }): void;
  setLabelled(labelled: Record<number, number>): void;
  reset(): void;
}

export const displayOf = (display: Record<number, ClassDisplay>, id: number): ClassDisplay =>
  display[id] ?? DEFAULT_DISPLAY;

const initial = {
  classes: [],
  display: {},
  activeClass: null,
  tool: 'navigate' as Tool,
  radius: 3,
  shape: 'disc' as BrushShape,
  overlayVisible: true,
  canUndo: false,
  canRedo: false,
  labelled: {},
};

export const useSegmentation = create<SegmentationState>()((set, get) => ({
  ...initial,
  setClasses: (classes) => {
    const active = get().activeClass;
    const keep = classes.some((c) => c.id === active);
    // after opening (or when the active class went): the first class, the lowest label value
    const first = classes.length > 0 ? Math.min(...classes.map((c) => c.id)) : null;
    set({ classes, activeClass: keep ? active : first });
  },
  setDisplay: (classId, display) =>
    set((state) => ({
      display: { ...state.display, [classId]: { ...displayOf(state.display, classId), ...display } },
    })),
  setActiveClass: (activeClass) => set({ activeClass }),
  setTool: (tool) => set({ tool }),
  setRadius: (radius) => set({ radius: Math.min(MAX_BRUSH_RADIUS, Math.max(0, Math.round(radius))) }),
  setShape: (shape) => set({ shape }),
  toggleOverlay: () => set((state) => ({ overlayVisible: !state.overlayVisible })),
  setHistory: ({ canUndo, canRedo }) => set({ canUndo, canRedo }),
  setLabelled: (labelled) => set({ labelled }),
  reset: () => {
    set(initial);
    clearMessage('labels');
  },
}));
