import { describe, expect, it } from 'vitest';
import { dragWindowLevel, windowLevelFromRange } from './window-level';

describe('window/level', () => {
  it('starts on the data range', () => {
    expect(windowLevelFromRange([10, 250])).toEqual({ window: 240, level: 130 });
    expect(windowLevelFromRange([5, 5]).window).toBeGreaterThan(0);
  });

  it('widens to the right, raises the level downwards, never goes below a positive window', () => {
    const start = { window: 100, level: 50 };
    const moved = dragWindowLevel(start, 256, 128, [0, 256]);
    expect(moved).toEqual({ window: 356, level: 178 });
    expect(dragWindowLevel(start, -10_000, 0, [0, 256]).window).toBeCloseTo(0.256);
    expect(dragWindowLevel({ window: 0.0005, level: 0 }, -10_000, 0, [0, 0.001]).window).toBeCloseTo(1e-6, 9);
  });
});
