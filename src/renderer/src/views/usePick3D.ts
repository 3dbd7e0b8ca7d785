// The 3D view's pick widget: a left click that does not drag (a drag turns the trackball) casts
// a ray from the eye through the pixel, with the view's camera, and moves the crosshair to the
// voxel the pure model (tools/pick-3d) finds along it, so the slice views jump there.
import { useEffect, useRef } from 'react';
import { useViewer } from '../store/viewer';
import { type Point, type Ray, type Scene, pickVoxel } from '../tools/pick-3d';
import type { ViewHandle } from './ViewContext';

/** How far (CSS pixels) the pointer may move between press and release for a click. */
const CLICK_SLOP = 3;

/** The ray from the eye through a point of the view (CSS pixels from its top left). */
function rayThrough(view: ViewHandle, [x, y]: [number, number], [width, height]: [number, number]): Ray {
  // vtk's normalized display: 0..1 from the bottom left; depth 0 at the near plane, 1 at the far.
  const [nx, ny] = [x / width, 1 - y / height];
  const near = Array.from(view.renderer.normalizedDisplayToWorld(nx, ny, 0, width / height)) as Point;
  const far = Array.from(view.renderer.normalizedDisplayToWorld(nx, ny, 1, width / height)) as Point;
  return { origin: near, direction: far.map((f, a) => f - near[a]!) as Point };
}

export function usePick3D(view: ViewHandle | null, container: HTMLDivElement | null, scene: Scene): void {
  const latest = useRef(scene);
  useEffect(() => {
    latest.current = scene;
  });
  useEffect(() => {
    if (!view || !container) return;
    let pressed: { id: number; x: number; y: number } | null = null;
    const onDown = (event: PointerEvent): void => {
      const plain = event.button === 0 && !(event.shiftKey || event.ctrlKey || event.metaKey || event.altKey);
      pressed = plain ? { id: event.pointerId, x: event.clientX, y: event.clientY } : null;
    };
    const onUp = (event: PointerEvent): void => {
      const start = pressed;
      pressed = null;
      if (!start || start.id !== event.pointerId) return;
      if (Math.hypot(event.clientX - start.x, event.clientY - start.y) > CLICK_SLOP) return;
      const rect = container.getBoundingClientRect();
      const ray = rayThrough(view, [event.clientX - rect.left, event.clientY - rect.top], [rect.width, rect.height]);
      const voxel = pickVoxel(ray, latest.current);
      if (voxel) useViewer.getState().setCursor(voxel);
    };
    container.addEventListener('pointerdown', onDown);
    container.addEventListener('pointerup', onUp);
    return () => {
      container.removeEventListener('pointerdown', onDown);
      container.removeEventListener('pointerup', onUp);
    };
  }, [view, container]);
}
