// The slice view's pointer widget: binds pointer, wheel and keys of one view to the crosshair,
// slice, window/level and camera, and the left button to the active label tool (brush, eraser,
// fill). The rules themselves are pure (geometry.ts, window-level.ts) or on the service.
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react';
import type { Axis, VolumeInfo } from '../../../shared/volume';
import type { SliceData } from '../../../shared/api';
import type { ShownSlice } from '../store/slices';
import { useSegmentation } from '../store/segmentation';
import { useViewer } from '../store/viewer';
import { sliceToVoxel } from '../../../shared/slice';
import { type Camera, type Vec2, pan, screenToWorld, worldToPixel, zoomAt } from '../views/geometry';
import { type WindowLevel, dragWindowLevel } from './window-level';

interface Options {
  container: HTMLDivElement | null;
  axis: Axis;
  volume: VolumeInfo;
  index: number;
  shown: ShownSlice<SliceData> | undefined;
  camera: Camera | null;
  setCamera(camera: Camera | null): void;
  viewSize: Vec2;
  dims: Vec2;
  spacing: Vec2;
  /** A finished brush stroke or fill click, in slice pixels (column, row, ...). */
  onStroke(points: number[]): void;
}

type Drag =
  | { mode: 'cursor' }
  | { mode: 'paint'; points: number[] }
  | { mode: 'pan' | 'zoom'; start: Vec2; camera: Camera }
  | { mode: 'window'; start: Vec2; windowLevel: WindowLevel };

const ZOOM_STEP = 1.15;

export function useSliceTools(options: Options) {
  const { container, axis, volume, index, shown, camera, setCamera, viewSize, dims, spacing, onStroke } = options;
  const drag = useRef<Drag | null>(null);
  /** The stroke being drawn (slice pixels) and the pointer, for the brush preview. */
  const [stroke, setStroke] = useState<number[] | null>(null);
  const [pointer, setPointer] = useState<Vec2 | null>(null);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  const pointOf = (event: { clientX: number; clientY: number }): Vec2 => {
    const rect = container!.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  };
  const pixelUnder = (screen: Vec2): Vec2 | null =>
    camera && worldToPixel(screenToWorld(camera, viewSize, screen), dims, spacing);
  /** The slice pixel under a point, even outside the image (the service clips strokes). */
  const strokePixel = (screen: Vec2): Vec2 => {
    const world = screenToWorld(camera!, viewSize, screen);
    return [Math.round(world[0] / spacing[0]), Math.round(world[1] / spacing[1])];
  };

  // The readout of the voxel under the pointer: after every move, and when the wheel or a key
  // changes the slice (or its data arrives) under a pointer that stays put.
  useEffect(() => {
    if (!pointer) return;
    const pixel = camera && worldToPixel(screenToWorld(camera, viewSize, pointer), dims, spacing);
    if (!pixel) return useViewer.getState().setHover(null);
    const value =
      shown && shown.index === index ? shown.slice.data[pixel[1] * shown.slice.width + pixel[0]] : undefined;
    useViewer.getState().setHover({ voxel: sliceToVoxel(axis, index, ...pixel), value });
  }, [pointer, camera, viewSize, dims, spacing, shown, index, axis]);
  const moveCursor = (screen: Vec2): void => {
    const pixel = pixelUnder(screen);
    if (pixel) useViewer.getState().setCursor(sliceToVoxel(axis, index, ...pixel));
  };

  // Wheel needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    if (!container) return;
    const onWheel = (event: WheelEvent): void => {
      event.preventDefault();
      const { camera: current, viewSize: size, axis: own } = latest.current;
      if (event.ctrlKey || event.metaKey) {
        if (!current) return;
        const rect = container.getBoundingClientRect();
        const factor = event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
        latest.current.setCamera(zoomAt(current, size, [event.clientX - rect.left, event.clientY - rect.top], factor));
      } else if (event.deltaY !== 0) {
        useViewer.getState().stepSlice(own, event.deltaY > 0 ? 1 : -1);
      }
    };
    container.addEventListener('wheel', onWheel, { passive: false });
    return () => container.removeEventListener('wheel', onWheel);
  }, [container]);

  return {
    onPointerDown(event: PointerEvent<HTMLDivElement>) {
      if (!camera) return;
      event.currentTarget.setPointerCapture(event.pointerId);
      const start = pointOf(event);
      if (event.button === 2) drag.current = { mode: 'window', start, windowLevel: useViewer.getState().windowLevel };
      else if (event.button === 1 || (event.button === 0 && event.shiftKey))
        drag.current = { mode: 'pan', start, camera };
      else if (event.button === 0 && (event.ctrlKey || event.metaKey)) drag.current = { mode: 'zoom', start, camera };
      else if (event.button === 0 && useSegmentation.getState().tool === 'fill') {
        const pixel = pixelUnder(start);
        if (pixel) onStroke([...pixel]);
      } else if (event.button === 0 && useSegmentation.getState().tool !== 'navigate') {
        const points = [...strokePixel(start)];
        drag.current = { mode: 'paint', points };
        setStroke(points);
      } else if (event.button === 0) {
        drag.current = { mode: 'cursor' };
        moveCursor(start);
      }
    },
    onPointerMove(event: PointerEvent<HTMLDivElement>) {
      const screen = pointOf(event);
      setPointer(screen);
      const current = drag.current;
      if (!current) return;
      if (current.mode === 'cursor') return moveCursor(screen);
      if (current.mode === 'paint') {
        const [column, row] = strokePixel(screen);
        const n = current.points.length;
        if (column !== current.points[n - 2] || row !== current.points[n - 1]) {
          current.points = [...current.points, column, row];
          setStroke(current.points);
        }
        return;
      }
      const dx = screen[0] - current.start[0];
      const dy = screen[1] - current.start[1];
      if (current.mode === 'pan') setCamera(pan(current.camera, dx, dy));
      else if (current.mode === 'zoom') setCamera(zoomAt(current.camera, viewSize, current.start, Math.exp(-dy / 150)));
      else if (current.mode === 'window')
        useViewer.getState().setWindowLevel(dragWindowLevel(current.windowLevel, dx, dy, volume.range));
    },
    onPointerUp(event: PointerEvent<HTMLDivElement>) {
      const current = drag.current;
      drag.current = null;
      if (current?.mode === 'paint') onStroke(current.points);
      if (event.currentTarget.hasPointerCapture(event.pointerId))
        event.currentTarget.releasePointerCapture(event.pointerId);
    },
    onPointerLeave() {
      setPointer(null);
      if (!drag.current) useViewer.getState().setHover(null);
    },
    onPointerEnter(event: PointerEvent<HTMLDivElement>) {
      const active = document.activeElement;
      if (!(active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement))
        event.currentTarget.focus({ preventScroll: true });
    },
    onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
      const viewer = useViewer.getState();
      const steps: Record<string, number> = {
        ArrowUp: 1,
        ArrowRight: 1,
        ArrowDown: -1,
        ArrowLeft: -1,
        PageUp: 10,
        PageDown: -10,
      };
      const step = steps[event.key];
      if (step !== undefined) viewer.stepSlice(axis, step);
      else if (event.key === 'Home') viewer.setSlice(axis, 0);
      else if (event.key === 'End') viewer.setSlice(axis, Number.MAX_SAFE_INTEGER);
      else if (event.key === 'r' || event.key === 'R') setCamera(null);
      else if ((event.key === '+' || event.key === '=') && camera)
        setCamera(zoomAt(camera, viewSize, [viewSize[0] / 2, viewSize[1] / 2], ZOOM_STEP));
      else if (event.key === '-' && camera)
        setCamera(zoomAt(camera, viewSize, [viewSize[0] / 2, viewSize[1] / 2], 1 / ZOOM_STEP));
      else return;
      event.preventDefault();
    },
    onContextMenu(event: { preventDefault(): void }) {
      event.preventDefault();
    },
    /** Called once the service has painted the stroke, so the preview gives way to the labels. */
    clearStroke: () => setStroke(null),
    stroke,
    pointer,
  };
}
