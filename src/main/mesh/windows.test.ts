import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../shared/volume';
import { surfaceWindows } from './windows';

describe('surface windows', () => {
  it('tile the volume with boxes, each meshed with a margin that stops at the border', () => {
    const shape: Vec3 = [40, 50, 70];
    const windows = surfaceWindows(shape, 32, 8);
    expect(windows).toHaveLength(2 * 2 * 3);
    const covered = new Uint8Array(shape[0] * shape[1] * shape[2]);
    for (const { box, crop } of windows) {
      for (let a = 0; a < 3; a++) {
        expect(crop.start[a]).toBe(Math.max(box.start[a]! - 8, 0));
        expect(crop.start[a]! + crop.shape[a]!).toBe(Math.min(box.start[a]! + box.shape[a]! + 8, shape[a]!));
      }
      for (let z = box.start[0]; z < box.start[0] + box.shape[0]; z++)
        for (let y = box.start[1]; y < box.start[1] + box.shape[1]; y++)
          for (let x = box.start[2]; x < box.start[2] + box.shape[2]; x++)
            covered[(z * shape[1] + y) * shape[2] + x]!++;
    }
    expect(covered.every((n) => n === 1)).toBe(true);
  });

  it('keep what reaches past a cut face, not past the border, and count an object in the box of its lowest point', () => {
    // the window at the volume's corner: its crop is [0, 40) along each axis, the box [0, 32)
    const { rules, crop } = surfaceWindows([80, 80, 80], 32, 8)[0]!;
    expect(crop.shape).toEqual([40, 40, 40]);
    expect(rules.beyondCut(10, 10, -0.5)).toBe(false); // the volume's border: closed there, whole
    expect(rules.beyondCut(10, 10, 39.5)).toBe(true); // cut: the surface goes on
    expect(rules.beyondCut(39.5, 10, 10)).toBe(true);
    expect(rules.beyondCut(39, 10, 10)).toBe(false);
    expect(rules.counts(10, 10, -0.7)).toBe(true); // the padding rounds to the border's voxels
    expect(rules.counts(10, 10, 31.4)).toBe(true);
    expect(rules.counts(10, 10, 31.6)).toBe(false); // the next box's
    expect(rules.counts(10, 33, 10)).toBe(false);
    // a window in the middle: cut on every face
    const middle = surfaceWindows([80, 80, 80], 32, 8).find((w) => w.box.start.every((s) => s === 32))!;
    expect(middle.crop.start).toEqual([24, 24, 24]);
    expect(middle.rules.beyondCut(10, 10, -0.5)).toBe(true);
    expect(middle.rules.counts(10, 10, 10)).toBe(true);
    expect(middle.rules.counts(10, 10, 7.4)).toBe(false); // in the margin
  });

  it('make one window of a volume that fits in one, with nothing cut', () => {
    const windows = surfaceWindows([30, 40, 50], 64, 8);
    expect(windows).toHaveLength(1);
    const { box, crop, rules } = windows[0]!;
    expect(box).toEqual({ start: [0, 0, 0], shape: [30, 40, 50] });
    expect(crop).toEqual(box);
    expect(rules.beyondCut(-0.5, 50, 30)).toBe(false);
    expect(rules.counts(49.6, 39.9, 29.9)).toBe(true);
  });
});
