import { describe, expect, it } from 'vitest';
import { chunkedFloats, chunkedUints } from './chunked';

describe('chunked lists', () => {
  // more items than one chunk holds (2^18), so the values span several chunks
  const items = 600_000;

  it('gives back every item pushed, by index and in order', () => {
    const points = chunkedFloats(3);
    for (let i = 0; i < items; i++) for (let k = 0; k < 3; k++) points.push(i + k / 4);
    expect(points.length).toBe(items * 3);
    expect([0, 1, 262_143, 262_144, items - 1].map((i) => points.get(i, 2))).toEqual(
      [0, 1, 262_143, 262_144, items - 1].map((i) => i + 0.5),
    );
    const views = [...points.views()];
    expect(views.length).toBe(3);
    expect(views.reduce((n, v) => n + v.length, 0)).toBe(items * 3);
    expect(Array.from(views.at(-1)!.subarray(-3))).toEqual([items - 1, items - 0.75, items - 0.5]);
  });

  it('is empty once drained, after yielding the values in order', () => {
    const numbers = chunkedUints(1);
    for (let i = 0; i < items; i++) numbers.push(i * 2);
    let next = 0;
    let ordered = true;
    for (const chunk of numbers.drain()) for (const value of chunk) ordered &&= value === 2 * next++;
    expect([ordered, next, numbers.length, [...numbers.views()].length]).toEqual([true, items, 0, 0]);
  });
});
