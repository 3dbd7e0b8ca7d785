import { describe, expect, it } from 'vitest';
import { fitCamera, imageRect, pan, screenToWorld, sliceImage, worldToPixel, worldToScreen, zoomAt } from './geometry';

describe('slice geometry', () => {
  it('maps each view to its columns and rows', () => {
    expect(sliceImage('z', [10, 20, 30], [3, 2, 1])).toEqual({ dims: [30, 20], spacing: [1, 2] });
    expect(sliceImage('y', [10, 20, 30], [3, 2, 1])).toEqual({ dims: [30, 10], spacing: [1, 3] });
    expect(sliceImage('x', [10, 20, 30], [3, 2, 1])).toEqual({ dims: [20, 10], spacing: [2, 3] });
  });

  it('fits the image centred with a margin', () => {
    const camera = fitCamera([100, 50], [1, 1], [400, 400], 1);
    expect(camera.scale).toBe(0.25);
    expect(imageRect(camera, [400, 400], [100, 50], [1, 1])).toEqual([0, 100, 400, 200]);
  });

  it('converts screen to world and back, and finds the pixel under a point', () => {
    const camera = { center: [10, 20] as [number, number], scale: 0.5 };
    const world = screenToWorld(camera, [200, 100], [30, 70]);
    expect(worldToScreen(camera, [200, 100], world)).toEqual([30, 70]);
    expect(worldToPixel([3.4, 5.6], [10, 10], [2, 2])).toEqual([2, 3]);
    expect(worldToPixel([-1.1, 0], [10, 10], [2, 2])).toBeNull();
    expect(worldToPixel([19.1, 0], [10, 10], [2, 2])).toBeNull();
  });

  it('zooms about the pointer and pans with it', () => {
    const camera = { center: [0, 0] as [number, number], scale: 1 };
    const zoomed = zoomAt(camera, [100, 100], [80, 30], 2);
    expect(zoomed.scale).toBe(0.5);
    expect(screenToWorld(zoomed, [100, 100], [80, 30])).toEqual(screenToWorld(camera, [100, 100], [80, 30]));
    const moved = pan(camera, 10, -5);
    expect(worldToScreen(moved, [100, 100], [0, 0])).toEqual([60, 45]);
  });
});
