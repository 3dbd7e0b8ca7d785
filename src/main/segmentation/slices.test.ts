import { describe, expect, it } from 'vitest';
import { brushShapes, floodFill } from './slices';
import { formatSeconds, withTimeLeft } from './time-left';

describe('slice geometry', () => {
  it('joins the points of a drag with brushes on every voxel of the line', () => {
    const shapes = brushShapes('z', 1, [0, 0, 8, 0], 4, 'disc');
    expect(shapes.map((s) => ('center' in s ? s.center[2] : -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shapes[0]).toEqual({ kind: 'disc', axis: 'z', center: [1, 0, 0], radius: 4 });
    expect(brushShapes('x', 2, [1, 1], 3, 'sphere')).toEqual([{ kind: 'sphere', center: [1, 1, 2], radius: 3 }]);
  });

  it('centres brushes on the grid so a drag at fractional positions covers its full radius', () => {
    // A mouse drag gives fractional pixels; the row a full radius away must be covered all along.
    const radius = 3;
    const shapes = brushShapes('z', 0, [2.4, 10.3, 9.7, 10.45, 20.6, 10.2], radius, 'disc');
    const centres = shapes.map((s) => ('center' in s ? s.center : ([0, 0, 0] as const)));
    expect(centres.every(([, y, x]) => Number.isInteger(y) && Number.isInteger(x))).toBe(true);
    const covered = (column: number, row: number): boolean =>
      centres.some(([, y, x]) => (x - column) ** 2 + (y - row) ** 2 <= radius * radius);
    for (let column = 2; column <= 21; column++) {
      expect(covered(column, 10 + radius), `column ${column}`).toBe(true);
      expect(covered(column, 10 - radius), `column ${column}`).toBe(true);
    }
    // No two consecutive brushes on the same voxel.
    expect(new Set(centres.map((c) => c.join())).size).toBe(centres.length);
  });

  it('fills the 4-connected area of equal label around the seed', () => {
    // A wall of 1s splits a 5×4 slice; the fill from the left stays left of it.
    const labels = Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    const mask = floodFill(labels, 5, 4, 0, 0);
    expect([...mask]).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0]);
    expect(floodFill(labels, 5, 4, 2, 3).reduce((a, b) => a + b, 0)).toBe(4);
    expect(() => floodFill(labels, 5, 4, 5, 0)).toThrow(/outside the 5×4 slice/);
  });
});

describe('time left', () => {
  it('estimates from the rate so far', () => {
    let now = 0;
    const messages: string[] = [];
    const progress = withTimeLeft(
      (_done, _total, message) => messages.push(message!),
      'segmenting',
      () => now,
    );
    progress(0, 100);
    now = 10_000;
    progress(25, 100);
    expect(messages).toEqual(['segmenting 0%', 'segmenting 25%, about 30 s left']);
    expect([formatSeconds(0.2), formatSeconds(125), formatSeconds(7300)]).toEqual(['1 s', '2 min', '2 h 2 min']);
  });
});
