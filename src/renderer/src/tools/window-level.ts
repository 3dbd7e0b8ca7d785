// Window/level: which intensities map to black..white. Pure, so the drag rule is unit-tested.

export interface WindowLevel {
  /** Width of the intensity interval shown from black to white. */
  window: number;
  /** Its centre. */
  level: number;
}

/** Shows the whole estimated intensity range. */
export function windowLevelFromRange([low, high]: [number, number]): WindowLevel {
  return { window: Math.max(high - low, minWindow([low, high])), level: (low + high) / 2 };
}

/** Dragging right widens the window, dragging down raises the level; one view width ≈ the range. */
export function dragWindowLevel(start: WindowLevel, dx: number, dy: number, range: [number, number]): WindowLevel {
  const perPixel = Math.max(range[1] - range[0], minWindow(range)) / 256;
  return {
    window: Math.max(start.window + dx * perPixel, minWindow(range)),
    level: start.level + dy * perPixel,
  };
}

/** Keeps the window positive: down to a thousandth of the range (almost a threshold). */
function minWindow([low, high]: [number, number]): number {
  return Math.max(Math.abs(high - low) / 1000, 1e-6);
}
